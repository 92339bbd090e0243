/* group.c — the coordinator object: the group table, members and protocols, the protocol
 * vote, member ids, the coordinator partition, timers and the DescribeGroups/ListGroups views.
 * The request state machine is in rebalance.c, offsets in offsets.c, records in records.c. */
#include "group_int.h"

#include <stdio.h>
#include <string.h>

const char *group_state_name(enum group_state s)
{
	switch (s) {
	case GROUP_EMPTY:
		return "Empty";
	case GROUP_PREPARING_REBALANCE:
		return "PreparingRebalance";
	case GROUP_COMPLETING_REBALANCE:
		return "CompletingRebalance";
	case GROUP_STABLE:
		return "Stable";
	case GROUP_DEAD:
		break;
	}
	return "Dead";
}

int64_t gc_now(struct group_coord *c)
{
	return c->io.now_ms(c->io.arg);
}

char *g_strdup(struct kp_str s)
{
	if (s.len < 0)
		return NULL;
	return kb_strndup(s.len ? s.ptr : "", (size_t)s.len);
}

struct kp_str g_str(const char *s)
{
	return kp_str_c(s);
}

bool g_eq(const char *a, struct kp_str b)
{
	if (!a || b.len < 0)
		return !a && b.len < 0;
	/* Names are kept as C strings: a NUL ends a name from the wire too (hashing agrees). */
	size_t n = strlen(a);
	return n == strnlen(b.ptr, (size_t)b.len) && (n == 0 || memcmp(a, b.ptr, n) == 0);
}

/* ---- The group table ---------------------------------------------------------------- */

static uint32_t hash_bytes(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

static size_t bucket_of(const struct group_coord *c, struct kp_str id)
{
	return hash_bytes(id.ptr, id.len > 0 ? strnlen(id.ptr, (size_t)id.len) : 0) &
	       (c->nbuckets - 1);
}

struct group *gc_find(struct group_coord *c, struct kp_str id)
{
	if (id.len < 0)
		return NULL;
	for (struct group *g = c->buckets[bucket_of(c, id)]; g; g = g->next)
		if (g_eq(g->id, id))
			return g;
	return NULL;
}

static void gc_grow(struct group_coord *c)
{
	size_t nb = c->nbuckets * 2;
	struct group **b = kb_calloc(nb, sizeof(*b));
	for (size_t i = 0; i < c->nbuckets; i++) {
		for (struct group *g = c->buckets[i], *nx; g; g = nx) {
			nx = g->next;
			size_t k = hash_bytes(g->id, strlen(g->id)) & (nb - 1);
			g->next = b[k];
			b[k] = g;
		}
	}
	kb_free(c->buckets);
	c->buckets = b;
	c->nbuckets = nb;
}

struct group *gc_create(struct group_coord *c, struct kp_str id)
{
	if (c->ngroups >= c->nbuckets)
		gc_grow(c);
	struct group *g = kb_calloc(1, sizeof(*g));
	g->id = g_strdup(id);
	g->state = GROUP_EMPTY;
	g->state_ts = -1;
	g->join_deadline = GROUP_NEVER;
	g->sync_deadline = GROUP_NEVER;
	size_t k = bucket_of(c, id);
	g->next = c->buckets[k];
	c->buckets[k] = g;
	c->ngroups++;
	return g;
}

static void g_free(struct group *g)
{
	for (int i = 0; i < g->nmembers; i++)
		g_member_free(g->members[i]);
	kb_free(g->members);
	for (int i = 0; i < g->npending; i++)
		kb_free(g->pending[i].id);
	kb_free(g->pending);
	for (int i = 0; i < g->nsubscribed; i++)
		kb_free(g->subscribed[i]);
	kb_free(g->subscribed);
	g_offsets_free(g);
	kb_free(g->protocol_type);
	kb_free(g->protocol);
	kb_free(g->leader);
	kb_free(g->id);
	kb_free(g);
}

/* Unlinks a group (Dead, nothing parked). Appends still in flight keep a pointer to it, so
 * it is freed when the last of them completes. */
void gc_remove_group(struct group_coord *c, struct group *g)
{
	struct group **pp = &c->buckets[bucket_of(c, g_str(g->id))];
	while (*pp && *pp != g)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = g->next;
		c->ngroups--;
	}
	g->next = NULL;
	g->state = GROUP_DEAD;
	g_txn_drop_group(c, g);
	*c->cfg.meta_used -= g->meta_bytes;
	g->meta_bytes = 0;
	if (g->inflight == 0)
		g_free(g);
}

void g_set_state(struct group_coord *c, struct group *g, enum group_state s)
{
	g->state = s;
	g->state_ts = gc_now(c);
}

/* ---- Members ------------------------------------------------------------------------- */

struct gmember *g_member(struct group *g, struct kp_str id)
{
	for (int i = 0; i < g->nmembers; i++)
		if (g_eq(g->members[i]->id, id))
			return g->members[i];
	return NULL;
}

struct gmember *g_static_member(struct group *g, struct kp_str instance_id)
{
	if (instance_id.len < 0)
		return NULL;
	for (int i = 0; i < g->nmembers; i++)
		if (g->members[i]->instance_id && g_eq(g->members[i]->instance_id, instance_id))
			return g->members[i];
	return NULL;
}

int g_pending_index(struct group *g, struct kp_str id)
{
	for (int i = 0; i < g->npending; i++)
		if (g_eq(g->pending[i].id, id))
			return i;
	return -1;
}

void g_protos_free(struct gproto *p, int n)
{
	for (int i = 0; i < n; i++) {
		kb_free(p[i].name);
		kb_free(p[i].meta);
	}
	kb_free(p);
}

struct gproto *g_protos_copy(const struct group_protocol *p, int n)
{
	struct gproto *out = kb_calloc((size_t)(n ? n : 1), sizeof(*out));
	for (int i = 0; i < n; i++) {
		out[i].name = g_strdup(p[i].name.len < 0 ? KP_STR_LIT("") : p[i].name);
		out[i].len = p[i].metadata.len > 0 ? p[i].metadata.len : 0;
		out[i].meta = kb_malloc((size_t)out[i].len + 1);
		if (out[i].len)
			memcpy(out[i].meta, p[i].metadata.ptr, (size_t)out[i].len);
	}
	return out;
}

int64_t g_protos_bytes(const struct gproto *p, int n)
{
	int64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += p[i].len + (int64_t)strlen(p[i].name);
	return sum;
}

void g_member_set_protos(struct group_coord *c, struct group *g, struct gmember *m,
                         struct gproto *p, int n)
{
	int64_t delta = g_protos_bytes(p, n) - g_protos_bytes(m->protos, m->nprotos);
	g_protos_free(m->protos, m->nprotos);
	m->protos = p;
	m->nprotos = n;
	g->meta_bytes += delta;
	*c->cfg.meta_used += delta;
}

void g_member_heartbeat(struct group_coord *c, struct gmember *m)
{
	m->hb_deadline = gc_now(c) + m->session_ms;
	if (c->dl_valid && m->hb_deadline < c->dl_cache)
		c->dl_cache = m->hb_deadline;
}

void g_member_uncount(struct group_coord *c, struct group *g, struct gmember *m)
{
	int64_t b = g_protos_bytes(m->protos, m->nprotos);
	g->meta_bytes -= b;
	*c->cfg.meta_used -= b;
}

void g_member_free(struct gmember *m)
{
	if (!m)
		return;
	kb_free(m->id);
	kb_free(m->instance_id);
	kb_free(m->client_id);
	kb_free(m->client_host);
	g_protos_free(m->protos, m->nprotos);
	kb_free(m->assignment);
	kb_free(m);
}

const struct gproto *g_member_proto(const struct gmember *m, const char *name)
{
	for (int i = 0; name && i < m->nprotos; i++)
		if (strcmp(m->protos[i].name, name) == 0)
			return &m->protos[i];
	return NULL;
}

/* A random (version 4) UUID in Java's UUID.toString() form, after `prefix-`. */
void g_uuid_member_id(struct group_coord *c, struct kp_str prefix, char **out)
{
	uint8_t u[16];
	for (int i = 0; i < 16; i++) {
		c->rng ^= c->rng << 13;
		c->rng ^= c->rng >> 7;
		c->rng ^= c->rng << 17;
		u[i] = (uint8_t)(c->rng >> 24);
	}
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	int plen = prefix.len > 0 ? prefix.len : 0;
	char *s = kb_malloc((size_t)plen + 1 + 36 + 1);
	if (plen)
		memcpy(s, prefix.ptr, (size_t)plen);
	char *p = s + plen;
	*p++ = '-';
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p += sprintf(p, "%02x", u[i]);
	}
	*out = s;
}

/* Kafka: the largest rebalance timeout among the members (0 with none). */
int32_t g_rebalance_timeout(const struct group *g)
{
	int32_t t = 0;
	for (int i = 0; i < g->nmembers; i++)
		t = KB_MAX(t, g->members[i]->rebalance_ms);
	return t;
}

static bool all_support(const struct group *g, const char *name)
{
	for (int i = 0; i < g->nmembers; i++)
		if (!g_member_proto(g->members[i], name))
			return false;
	return true;
}

/* The vote: candidates are the protocols every member supports; each member votes for the
 * first candidate in its own preference order; most votes wins. Ties go to the candidate the
 * earliest-joined member prefers (Kafka leaves ties to hash-map order). */
const char *g_select_protocol(const struct group *g)
{
	if (g->nmembers == 0)
		return NULL;
	const char *best = NULL;
	int best_votes = 0;
	const struct gmember *first = g->members[0];
	for (int k = 0; k < first->nprotos; k++) {
		const char *cand = first->protos[k].name;
		if (!all_support(g, cand))
			continue;
		int votes = 0;
		for (int i = 0; i < g->nmembers; i++) {
			const struct gmember *m = g->members[i];
			for (int j = 0; j < m->nprotos; j++) {
				if (all_support(g, m->protos[j].name)) {
					votes += strcmp(m->protos[j].name, cand) == 0;
					break;
				}
			}
		}
		if (votes > best_votes) {
			best = cand;
			best_votes = votes;
		}
	}
	return best;
}

static void add_topic(void *arg, struct kp_str topic)
{
	struct group *g = arg;
	for (int i = 0; i < g->nsubscribed; i++)
		if (g_eq(g->subscribed[i], topic))
			return;
	g->subscribed = kb_realloc(g->subscribed, sizeof(char *) * (size_t)(g->nsubscribed + 1));
	g->subscribed[g->nsubscribed++] = g_strdup(topic);
}

/* Kafka's computeSubscribedTopics: known only for protocol type "consumer" with a selected
 * protocol, when every member's subscription decodes. */
void g_compute_subscribed(struct group *g)
{
	for (int i = 0; i < g->nsubscribed; i++)
		kb_free(g->subscribed[i]);
	kb_free(g->subscribed);
	g->subscribed = NULL;
	g->nsubscribed = 0;
	g->subscribed_known = false;
	if (!g->protocol_type || strcmp(g->protocol_type, "consumer") != 0 || !g->protocol)
		return;
	for (int i = 0; i < g->nmembers; i++) {
		const struct gproto *p = g_member_proto(g->members[i], g->protocol);
		if (!p || group_subscription_topics((struct kp_bytes){p->meta, p->len, NULL}, add_topic,
		                                    g) != 0)
			return;
	}
	g->subscribed_known = true;
}

/* Kafka's isSubscribedToTopic: unknown subscriptions count as subscribed. */
bool g_subscribed_to(const struct group *g, const char *topic)
{
	if (!g->subscribed_known)
		return true;
	for (int i = 0; i < g->nsubscribed; i++)
		if (strcmp(g->subscribed[i], topic) == 0)
			return true;
	return false;
}

/* ---- The coordinator ------------------------------------------------------------------- */

struct group_coord *group_coord_new(const struct group_config *cfg, const struct group_io *io)
{
	struct group_coord *c = kb_calloc(1, sizeof(*c));
	c->cfg = *cfg;
	if (c->cfg.max_size > KB_GROUP_MAX_MEMBERS || c->cfg.max_size <= 0)
		c->cfg.max_size = KB_GROUP_MAX_MEMBERS;
	c->io = *io;
	if (!c->cfg.meta_used)
		c->cfg.meta_used = &c->meta_local;
	c->nbuckets = 64;
	c->buckets = kb_calloc(c->nbuckets, sizeof(*c->buckets));
	c->rng = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ull;
	c->next_token = 1;
	return c;
}

static void gappend_free(struct gappend *a)
{
	for (int i = 0; i < a->nassign; i++)
		kb_free(a->assign[i]);
	kb_free(a->assign);
	kb_free(a->assign_len);
	kb_free(a->old_id);
	kb_free(a->new_id);
	kb_free(a->old_leader);
	g_protos_free(a->old_protos, a->old_nprotos);
	for (int i = 0; i < a->ncommits; i++) {
		kb_free(a->commits[i].topic);
		kb_free(a->commits[i].metadata);
	}
	kb_free(a->commits);
	kb_free(a);
}

void group_coord_free(struct group_coord *c)
{
	if (!c)
		return;
	/* Appends in flight: their requests are answered NOT_COORDINATOR. */
	for (struct gappend *a = c->appends, *nx; a; a = nx) {
		nx = a->next;
		if ((a->kind == GAPP_COMMIT || a->kind == GAPP_TXN_COMMIT) && a->handle)
			c->io.commit_done(c->io.arg, a->handle, KERR_NOT_COORDINATOR);
		a->g->inflight--;
		if (a->g->inflight == 0 && gc_find(c, g_str(a->g->id)) != a->g)
			g_free(a->g);
		gappend_free(a);
	}
	c->appends = NULL;
	for (size_t i = 0; i < c->nbuckets; i++) {
		for (struct group *g = c->buckets[i], *nx; g; g = nx) {
			nx = g->next;
			g_unload_group(c, g);
			g_txn_drop_group(c, g);
			*c->cfg.meta_used -= g->meta_bytes;
			g_free(g);
		}
	}
	kb_free(c->buckets);
	kb_free(c->tbuckets);
	kb_free(c->view_members);
	kb_free(c);
}

uint64_t gc_append(struct group_coord *c, struct gappend *a, const struct group_append_rec *recs,
                   int n, int16_t *err)
{
	a->token = c->next_token++;
	a->g->inflight++;
	a->next = c->appends;
	c->appends = a;
	uint64_t token = a->token;
	*err = c->io.append(c->io.arg, token, recs, n);
	if (*err != KERR_NONE)
		group_append_done(c, token, *err); /* frees `a` */
	return token;
}

void group_append_done(struct group_coord *c, uint64_t token, int16_t error)
{
	c->dl_valid = false;
	struct gappend **pp = &c->appends;
	while (*pp && (*pp)->token != token)
		pp = &(*pp)->next;
	struct gappend *a = *pp;
	if (!a)
		return;
	*pp = a->next;
	struct group *g = a->g;
	switch (a->kind) {
	case GAPP_SYNC:
		g_sync_appended(c, a, error);
		break;
	case GAPP_STATIC_JOIN:
		g_static_join_appended(c, a, error);
		break;
	case GAPP_COMMIT:
		g_commit_appended(c, a, error);
		break;
	case GAPP_TXN_COMMIT:
		g_txn_appended(c, a, error);
		break;
	case GAPP_EMPTY:
		break;
	}
	g->inflight--;
	if (g->inflight == 0 && g->state == GROUP_DEAD && gc_find(c, g_str(g->id)) != g)
		g_free(g);
	gappend_free(a);
}

/* ---- Timers ---------------------------------------------------------------------------- */

int64_t group_next_deadline(struct group_coord *c)
{
	if (c->dl_valid)
		return c->dl_cache;
	int64_t t = GROUP_NEVER;
	for (size_t i = 0; i < c->nbuckets; i++) {
		for (const struct group *g = c->buckets[i]; g; g = g->next) {
			t = KB_MIN(t, g->join_deadline);
			t = KB_MIN(t, g->sync_deadline);
			for (int k = 0; k < g->nmembers; k++)
				t = KB_MIN(t, g->members[k]->hb_deadline);
			for (int k = 0; k < g->npending; k++)
				t = KB_MIN(t, g->pending[k].deadline);
		}
	}
	c->dl_cache = t;
	c->dl_valid = true;
	return t;
}

/* One due timer of one group, or false when none is due. */
static bool tick_group(struct group_coord *c, struct group *g, int64_t now)
{
	for (int k = 0; k < g->npending; k++) {
		if (g->pending[k].deadline <= now) {
			g_on_pending_expired(c, g, k);
			return true;
		}
	}
	for (int k = 0; k < g->nmembers; k++) {
		if (g->members[k]->hb_deadline <= now) {
			g_on_heartbeat_expired(c, g, g->members[k]);
			return true;
		}
	}
	if (g->join_deadline <= now) {
		g_on_join_deadline(c, g);
		return true;
	}
	if (g->sync_deadline <= now) {
		g_on_sync_deadline(c, g);
		return true;
	}
	return false;
}

void group_tick(struct group_coord *c, int64_t now_ms)
{
	/* Timer handlers change groups but never add, unlink or free one (only requests, expiry
	 * and replay do), so one pass over the table is safe; each group runs its due timers
	 * one at a time, since one may cancel or move another. */
	c->dl_valid = false;
	for (size_t i = 0; i < c->nbuckets; i++) {
		for (struct group *g = c->buckets[i]; g; g = g->next) {
			/* Bounded: a timer whose handler sets a deadline that is due again (it should
			 * not) runs again on the next tick instead of spinning here. */
			for (int k = 0; k < GROUP_TICK_MAX_STEPS && tick_group(c, g, now_ms); k++)
				;
		}
	}
}

/* ---- Views ------------------------------------------------------------------------------ */

static void fill_view(struct group_coord *c, struct group *g, struct group_view *v)
{
	if (c->view_cap < g->nmembers) {
		c->view_cap = g->nmembers;
		c->view_members = kb_realloc(c->view_members, sizeof(*c->view_members) * (size_t)c->view_cap);
	}
	v->group_id = g_str(g->id);
	v->state = g->state;
	v->generation_id = g->generation;
	v->protocol_type = g_str(g->protocol_type ? g->protocol_type : "");
	/* Kafka's GroupMetadata.summary: the protocol only for a Stable group. */
	v->protocol_name = g_str(g->state == GROUP_STABLE && g->protocol ? g->protocol : "");
	v->leader = g_str(g->leader);
	v->nmembers = g->nmembers;
	v->members = c->view_members;
	for (int i = 0; i < g->nmembers; i++) {
		const struct gmember *m = g->members[i];
		struct group_member_view *mv = &c->view_members[i];
		*mv = (struct group_member_view){.member_id = g_str(m->id),
		                                 .instance_id = g_str(m->instance_id),
		                                 .client_id = g_str(m->client_id),
		                                 .client_host = g_str(m->client_host),
		                                 .metadata = {(const uint8_t *)"", 0, NULL},
		                                 .assignment = {(const uint8_t *)"", 0, NULL}};
		if (g->state == GROUP_STABLE) {
			const struct gproto *p = g_member_proto(m, g->protocol);
			if (p)
				mv->metadata = (struct kp_bytes){p->meta, p->len, NULL};
			if (m->assignment)
				mv->assignment = (struct kp_bytes){m->assignment, m->assignment_len, NULL};
		}
	}
}

bool group_describe(struct group_coord *c, struct kp_str group_id, struct group_view *out)
{
	struct group *g = gc_find(c, group_id);
	if (!g) {
		*out = (struct group_view){.group_id = group_id, .state = GROUP_DEAD,
		                           .protocol_type = KP_STR_LIT(""),
		                           .protocol_name = KP_STR_LIT(""), .leader = KP_STR_NULL};
		return false;
	}
	fill_view(c, g, out);
	return true;
}

void group_foreach(struct group_coord *c, void (*fn)(void *arg, const struct group_view *g),
                   void *arg)
{
	for (size_t i = 0; i < c->nbuckets; i++) {
		for (struct group *g = c->buckets[i]; g; g = g->next) {
			if (g->state == GROUP_DEAD)
				continue;
			struct group_view v;
			fill_view(c, g, &v);
			fn(arg, &v);
		}
	}
}

/* ---- Coordinator partition ----------------------------------------------------------- */

/* Next code point of UTF-8 at *p (advancing it); malformed input yields U+FFFD per byte. */
static uint32_t utf8_next(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *s = *p;
	uint32_t c = *s;
	if (c < 0x80) {
		*p = s + 1;
		return c;
	}
	int n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
	if (n < 0 || end - s <= n) {
		*p = s + 1;
		return n == 0 ? c : 0xfffd;
	}
	c &= 0x3fu >> n;
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*p = s + 1;
			return 0xfffd;
		}
		c = (c << 6) | (s[i] & 0x3fu);
	}
	static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c < 0xe000)) {
		*p = s + 1;
		return 0xfffd;
	}
	*p = s + n + 1;
	return c;
}

int32_t group_partition_for(struct kp_str group_id, int32_t n)
{
	uint32_t h = 0; /* Java int arithmetic wraps: compute in uint32 */
	const uint8_t *p = (const uint8_t *)group_id.ptr;
	const uint8_t *end = p + (group_id.len > 0 ? group_id.len : 0);
	while (p < end) {
		uint32_t cp = utf8_next(&p, end);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			h = h * 31u + (0xd800u + (cp >> 10));
			h = h * 31u + (0xdc00u + (cp & 0x3ffu));
		} else {
			h = h * 31u + cp;
		}
	}
	int32_t v = (int32_t)h;
	int32_t a = v == INT32_MIN ? 0 : (v < 0 ? -v : v);
	return n > 0 ? a % n : 0;
}
