/* election.c — leader election rules and replica placement (see election.h). */
#include "election.h"
#include "coord.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

const char *decision_name(enum decision d)
{
	static const char *const names[] = {"none", "create", "elect", "elect-unclean", "offline",
	                                    "shrink-isr", "preferred"};
	return d <= DECIDE_PREFERRED ? names[d] : "?";
}

static void set_state(struct md_state *out, int32_t leader, int32_t epoch, int32_t ctl_epoch,
                      const int32_t *isr, int nisr)
{
	out->leader = leader;
	out->leader_epoch = epoch;
	out->controller_epoch = ctl_epoch;
	out->isr = kb_calloc((size_t)nisr + 1, sizeof(int32_t));
	memcpy(out->isr, isr, (size_t)nisr * sizeof(int32_t));
	out->nisr = nisr;
}

/* The live members of the ISR, in ISR order. */
static int live_isr(const struct md_state *s, broker_live_fn live, void *arg, int32_t *out)
{
	int n = 0;
	for (int i = 0; i < s->nisr; i++)
		if (live(s->isr[i], arg))
			out[n++] = s->isr[i];
	return n;
}

static enum decision create_state(const struct md_partition *p, broker_live_fn live, void *arg,
                                  int32_t ctl_epoch, struct md_state *out)
{
	int32_t *isr = kb_calloc((size_t)p->nreplicas + 1, sizeof(int32_t));
	int n = 0;
	for (int i = 0; i < p->nreplicas; i++)
		if (live(p->replicas[i], arg))
			isr[n++] = p->replicas[i];
	enum decision d = DECIDE_NONE;
	if (n > 0) {
		set_state(out, isr[0], 0, ctl_epoch, isr, n);
		d = DECIDE_CREATE;
	}
	kb_free(isr);
	return d;
}

static enum decision elect(const struct md_partition *p, broker_live_fn live, void *arg,
                           bool unclean, int32_t ctl_epoch, struct md_state *out)
{
	const struct md_state *s = &p->state;
	int32_t *isr = kb_calloc((size_t)s->nisr + 1, sizeof(int32_t));
	int n = live_isr(s, live, arg, isr);
	enum decision d = DECIDE_NONE;
	for (int i = 0; i < p->nreplicas && d == DECIDE_NONE; i++) {
		int32_t r = p->replicas[i];
		if (live(r, arg) && md_state_in_isr(s, r)) {
			set_state(out, r, s->leader_epoch + 1, ctl_epoch, isr, n);
			d = DECIDE_ELECT;
		}
	}
	for (int i = 0; unclean && i < p->nreplicas && d == DECIDE_NONE; i++) {
		int32_t r = p->replicas[i];
		if (live(r, arg)) {
			set_state(out, r, s->leader_epoch + 1, ctl_epoch, &r, 1);
			d = DECIDE_ELECT_UNCLEAN;
		}
	}
	if (d == DECIDE_NONE && s->leader != -1) {
		/* Nobody eligible. With no live ISR member, keep the last members: one of them may
		 * come back and lead without losing data. */
		if (n == 0)
			set_state(out, -1, s->leader_epoch + 1, ctl_epoch, s->isr, s->nisr);
		else
			set_state(out, -1, s->leader_epoch + 1, ctl_epoch, isr, n);
		d = DECIDE_OFFLINE;
	}
	kb_free(isr);
	return d;
}

enum decision decide_partition(const struct md_partition *p, broker_live_fn live, void *arg,
                               bool unclean, bool preferred, int32_t ctl_epoch,
                               struct md_state *out)
{
	memset(out, 0, sizeof(*out));
	if (!p->has_state)
		return p->state_absent ? create_state(p, live, arg, ctl_epoch, out) : DECIDE_NONE;
	const struct md_state *s = &p->state;
	if (s->leader < 0 || !live(s->leader, arg))
		return elect(p, live, arg, unclean, ctl_epoch, out);
	int32_t *isr = kb_calloc((size_t)s->nisr + 1, sizeof(int32_t));
	int n = live_isr(s, live, arg, isr);
	if (n < s->nisr)
		set_state(out, s->leader, s->leader_epoch + 1, ctl_epoch, isr, n);
	kb_free(isr);
	if (n < s->nisr)
		return DECIDE_SHRINK;
	if (preferred && p->nreplicas > 0) {
		int32_t first = p->replicas[0];
		if (first != s->leader && live(first, arg) && md_state_in_isr(s, first)) {
			set_state(out, first, s->leader_epoch + 1, ctl_epoch, s->isr, s->nisr);
			return DECIDE_PREFERRED;
		}
	}
	return DECIDE_NONE;
}

int election_next_epoch(const char *data, int len, int32_t *next)
{
	char num[16];
	int64_t v;
	if (len <= 0 || len >= (int)sizeof(num))
		return -1;
	snprintf(num, sizeof(num), "%.*s", len, data);
	if (!kb_parse_i64(num, 0, INT32_MAX - 1, &v))
		return -1;
	*next = (int32_t)v + 1;
	return 0;
}

/* ---- Replica placement ----------------------------------------------------------------- */

/* Index of the j-th follower of a partition whose first replica is at `first`. */
static int follower_index(int first, int shift, int j, int n)
{
	return (first + 1 + (shift + j) % (n - 1)) % n;
}

static int random_below(int n)
{
	uint32_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)rand();
	return (int)(r % (uint32_t)n);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Brokers interleaved by rack: one from each rack (racks in name order, brokers in id order),
 * then the next from each, ... so neighbours in the list sit in different racks. */
static void rack_alternated(const int32_t *brokers, const char *const *racks, int n,
                            int32_t *out_ids, const char **out_racks)
{
	const char **names = kb_calloc((size_t)n, sizeof(*names));
	int nr = 0;
	for (int i = 0; i < n; i++) {
		bool seen = false;
		for (int k = 0; k < nr && !seen; k++)
			seen = strcmp(names[k], racks[i]) == 0;
		if (!seen)
			names[nr++] = racks[i];
	}
	qsort(names, (size_t)nr, sizeof(*names), cmp_str);
	int *next = kb_calloc((size_t)nr, sizeof(int)); /* per rack: how many taken so far */
	int o = 0;
	for (int round = 0; o < n; round++)
		for (int k = 0; k < nr && o < n; k++) {
			int seen = 0;
			for (int i = 0; i < n; i++)
				if (strcmp(racks[i], names[k]) == 0 && seen++ == next[k]) {
					out_ids[o] = brokers[i];
					out_racks[o++] = racks[i];
					next[k]++;
					break;
				}
		}
	kb_free(next);
	kb_free(names);
}

static bool contains_id(const int32_t *v, int n, int32_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

static int count_distinct(const char *const *racks, int n)
{
	int d = 0;
	for (int i = 0; i < n; i++) {
		bool seen = false;
		for (int k = 0; k < i && !seen; k++)
			seen = strcmp(racks[k], racks[i]) == 0;
		d += !seen;
	}
	return d;
}

/* Followers that take a rack not used yet while racks remain, and a broker not used yet. */
static void place_rack_aware(const int32_t *ids, const char *const *racks, int n, int nracks,
                             int first, int shift, int16_t rf, int32_t *out)
{
	const char **used_racks = kb_calloc((size_t)rf + 1, sizeof(char *));
	int nused = 1;
	out[0] = ids[first];
	used_racks[0] = racks[first];
	for (int r = 1, k = 0; r < rf; k++) {
		int idx = follower_index(first, shift * nracks, k, n);
		bool rack_new = true;
		for (int u = 0; u < nused; u++)
			rack_new &= strcmp(used_racks[u], racks[idx]) != 0;
		bool rack_ok = rack_new || nused == nracks;
		if (rack_ok && !contains_id(out, r, ids[idx])) {
			out[r++] = ids[idx];
			if (rack_new)
				used_racks[nused++] = racks[idx];
		}
	}
	kb_free(used_racks);
}

int assign_replicas(const int32_t *brokers, const char *const *racks, int n, int32_t n_parts,
                    int16_t rf, int start, int shift, int32_t first_partition,
                    struct md_partition **out, char *err, size_t errlen)
{
	if (rf < 1 || n_parts < 1 || n < 1 || rf > n) {
		snprintf(err, errlen, "replication factor %d is outside [1, %d live brokers]", rf, n);
		return -1;
	}
	bool all_racks = racks != NULL;
	for (int i = 0; racks && i < n; i++)
		all_racks &= racks[i] != NULL;
	int32_t *ids = kb_calloc((size_t)n, sizeof(int32_t));
	const char **rk = kb_calloc((size_t)n, sizeof(char *));
	int nracks = all_racks ? count_distinct(racks, n) : 1;
	if (all_racks)
		rack_alternated(brokers, racks, n, ids, rk);
	else
		memcpy(ids, brokers, (size_t)n * sizeof(int32_t));
	if (start < 0)
		start = random_below(n);
	if (shift < 0)
		shift = random_below(n);
	struct md_partition *parts = kb_calloc((size_t)n_parts, sizeof(*parts));
	for (int32_t i = 0; i < n_parts; i++) {
		int32_t pid = first_partition + i;
		if (pid > 0 && pid % n == 0)
			shift++;
		int first = (int)((pid + start) % n);
		parts[i].id = pid;
		parts[i].state_version = -1;
		parts[i].nreplicas = rf;
		parts[i].replicas = kb_calloc((size_t)rf, sizeof(int32_t));
		if (all_racks) {
			place_rack_aware(ids, rk, n, nracks, first, shift, rf, parts[i].replicas);
		} else {
			parts[i].replicas[0] = ids[first];
			for (int j = 0; j < rf - 1; j++)
				parts[i].replicas[j + 1] = ids[follower_index(first, shift, j, n)];
		}
	}
	kb_free(ids);
	kb_free(rk);
	*out = parts;
	return 0;
}

int md_place(const struct md_cache *md, int32_t n_parts, int16_t rf, int start,
             int32_t first_partition, struct md_partition **out, char *err, size_t errlen)
{
	int32_t *ids = kb_calloc((size_t)md->nbrokers + 1, sizeof(int32_t));
	const char **racks = kb_calloc((size_t)md->nbrokers + 1, sizeof(char *));
	for (int i = 0; i < md->nbrokers; i++) {
		ids[i] = md->brokers[i].id;
		racks[i] = md->brokers[i].rack;
	}
	int rc = assign_replicas(ids, racks, md->nbrokers, n_parts, rf, start, -1, first_partition,
	                         out, err, errlen);
	kb_free(ids);
	kb_free(racks);
	return rc;
}

void md_parts_free(struct md_partition *parts, int n)
{
	for (int i = 0; parts && i < n; i++)
		kb_free(parts[i].replicas);
	kb_free(parts);
}
