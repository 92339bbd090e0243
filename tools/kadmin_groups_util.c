/* kadmin_groups_util.c — pure helpers of `kadmin groups` (see kadmin_groups.h): --topic
 * specs, the consumer-protocol assignment, ISO-8601 times, the reset arithmetic, columns. */
#include "kadmin_groups.h"

#include "../common/kb.h"
#include "../common/limits.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- --topic T[:P,P...] -------------------------------------------------------------------- */

int kg_parse_topic_spec(const char *arg, struct kg_topic_spec *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	const char *colon = strchr(arg, ':');
	size_t tlen = colon ? (size_t)(colon - arg) : strlen(arg);
	if (tlen == 0) {
		snprintf(err, errlen, "--topic needs a topic name, got '%s'", arg);
		return -1;
	}
	out->topic = kb_strndup(arg, tlen);
	if (!colon)
		return 0;
	const char *p = colon + 1;
	for (;;) {
		char *end;
		if (!isdigit((unsigned char)*p))
			goto bad;
		long v = strtol(p, &end, 10);
		if (v >= KB_MAX_PARTITIONS_PER_TOPIC || out->nparts >= KB_MAX_PARTITIONS_PER_TOPIC)
			goto bad;
		out->parts = kb_realloc(out->parts, (size_t)(out->nparts + 1) * sizeof(int32_t));
		out->parts[out->nparts++] = (int32_t)v;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
bad:
	snprintf(err, errlen, "--topic takes TOPIC or TOPIC:P,P,... with partitions in [0, %d), "
	         "got '%s'", KB_MAX_PARTITIONS_PER_TOPIC, arg);
	kg_topic_spec_free(out);
	return -1;
}

void kg_topic_spec_free(struct kg_topic_spec *s)
{
	kb_free(s->topic);
	kb_free(s->parts);
	memset(s, 0, sizeof(*s));
}

/* ---- ConsumerProtocolAssignment ------------------------------------------------------------ */

int kg_decode_assignment(const uint8_t *buf, size_t len, struct kg_assignment *out)
{
	memset(out, 0, sizeof(*out));
	if (len == 0)
		return 0;
	struct kp_reader r;
	kp_reader_init(&r, buf, len);
	int16_t version = kp_get_i16(&r);
	/* a topic is at least a 2-byte name length and a 4-byte partition count */
	int32_t n = kp_get_array_count(&r, false, false, 6);
	if (r.err || version < 0 || n < 0)
		return -1;
	out->topics = kb_calloc((size_t)n + 1, sizeof(*out->topics));
	for (int i = 0; i < n && !r.err; i++) {
		struct kg_assigned_topic *t = &out->topics[i];
		t->topic = kp_get_str(&r, false, false);
		int32_t np = kp_get_array_count(&r, false, false, 4);
		if (r.err || np < 0)
			break;
		t->parts = kb_calloc((size_t)np + 1, sizeof(int32_t));
		for (int k = 0; k < np; k++)
			t->parts[k] = kp_get_i32(&r);
		t->nparts = np;
		out->ntopics = i + 1;
	}
	/* user_data (and any newer fields) are not needed */
	if (r.err) {
		kg_assignment_free(out);
		return -1;
	}
	return 0;
}

void kg_assignment_free(struct kg_assignment *a)
{
	for (int i = 0; i < a->ntopics; i++)
		kb_free(a->topics[i].parts);
	kb_free(a->topics);
	memset(a, 0, sizeof(*a));
}

char *kg_assignment_str(const struct kg_assignment *a)
{
	struct kbuf b;
	kbuf_init(&b, SIZE_MAX);
	for (int i = 0; i < a->ntopics; i++) {
		const struct kg_assigned_topic *t = &a->topics[i];
		char num[16];
		if (i)
			kbuf_append(&b, ";", 1);
		kbuf_append(&b, t->topic.ptr, (size_t)t->topic.len);
		kbuf_append(&b, ":", 1);
		for (int k = 0; k < t->nparts; k++) {
			int n = snprintf(num, sizeof(num), "%s%d", k ? "," : "", t->parts[k]);
			kbuf_append(&b, num, (size_t)n);
		}
	}
	char *s = a->ntopics ? kb_strndup((const char *)b.data, b.len) : kb_strdup("-");
	kbuf_free(&b);
	return s;
}

/* ---- ISO-8601 ------------------------------------------------------------------------------ */

/* Reads exactly `n` digits. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* "Z", "+HH:MM", "-HH:MM", "+HHMM", "+HH" → seconds east of UTC. */
static bool parse_zone(const char *p, int *east)
{
	if (strcmp(p, "Z") == 0) {
		*east = 0;
		return true;
	}
	int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0, hh, mm = 0;
	if (!sign)
		return false;
	p++;
	if (!digits(&p, 2, &hh))
		return false;
	if (*p == ':')
		p++;
	if (*p && !digits(&p, 2, &mm))
		return false;
	if (*p || hh > 23 || mm > 59)
		return false;
	*east = sign * (hh * 3600 + mm * 60);
	return true;
}

int kg_parse_datetime(const char *s, int64_t *ms)
{
	const char *p = s;
	int y, mo, d, h, mi, sec, frac = 0;
	if (!digits(&p, 4, &y) || !expect(&p, '-') || !digits(&p, 2, &mo) || !expect(&p, '-') ||
	    !digits(&p, 2, &d) || !expect(&p, 'T') || !digits(&p, 2, &h) || !expect(&p, ':') ||
	    !digits(&p, 2, &mi) || !expect(&p, ':') || !digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		if (!digits(&p, 3, &frac))
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		return -1;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
	                .tm_min = mi, .tm_sec = sec, .tm_isdst = -1};
	time_t t;
	if (*p) {
		int east;
		if (!parse_zone(p, &east))
			return -1;
		t = timegm(&tm) - east;
	} else {
		t = mktime(&tm);
	}
	/* timegm/mktime normalise 31 February into March: refuse such dates */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	*ms = (int64_t)t * 1000 + frac;
	return 0;
}

/* ---- Reset arithmetic ------------------------------------------------------------------------ */

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int kg_new_offset(enum kg_reset_mode m, int64_t arg, int64_t current, int64_t start,
                  int64_t end, int64_t by_time, int64_t *out)
{
	switch (m) {
	case KG_TO_EARLIEST:
		*out = start;
		return 0;
	case KG_TO_LATEST:
		*out = end;
		return 0;
	case KG_TO_OFFSET:
		*out = clamp(arg, start, end);
		return 0;
	case KG_TO_DATETIME:
		*out = by_time >= 0 ? clamp(by_time, start, end) : end;
		return 0;
	case KG_SHIFT_BY:
		if (current < 0)
			return -1;
		/* saturating: a shift of INT64_MIN/MAX must not overflow */
		if (arg > 0 && current > INT64_MAX - arg)
			*out = end;
		else if (arg < 0 && current < INT64_MIN - arg)
			*out = start;
		else
			*out = clamp(current + arg, start, end);
		return 0;
	}
	return -1;
}

/* ---- Partition rows ------------------------------------------------------------------------ */

struct kg_part *kg_part_add(struct kg_part **parts, int *n, const char *topic, int32_t partition)
{
	/* capacity doubles: 16, 32, 64, ... (reallocated when n reaches it) */
	int n0 = *n;
	if (n0 == 0 || (n0 >= 16 && (n0 & (n0 - 1)) == 0))
		*parts = kb_realloc(*parts, (size_t)(n0 ? n0 * 2 : 16) * sizeof(**parts));
	struct kg_part *p = &(*parts)[(*n)++];
	*p = (struct kg_part){.topic = kb_strdup(topic), .partition = partition, .committed = -1,
	                      .start = -1, .end = -1, .by_time = -1, .new_offset = -1};
	return p;
}

static int cmp_key(const char *topic, size_t tlen, int32_t partition, const struct kg_part *p)
{
	size_t plen = strlen(p->topic);
	int c = memcmp(topic, p->topic, tlen < plen ? tlen : plen);
	if (c == 0)
		c = (tlen > plen) - (tlen < plen);
	return c ? c : (partition > p->partition) - (partition < p->partition);
}

static int cmp_part(const void *a, const void *b)
{
	const struct kg_part *x = a;
	return cmp_key(x->topic, strlen(x->topic), x->partition, b);
}

void kg_parts_sort_unique(struct kg_part *parts, int *n)
{
	if (*n > 1)
		qsort(parts, (size_t)*n, sizeof(*parts), cmp_part);
	int out = 0;
	for (int i = 0; i < *n; i++) {
		struct kg_part *last = out > 0 ? &parts[out - 1] : NULL;
		if (last && cmp_part(last, &parts[i]) == 0) {
			if (last->committed < 0)
				last->committed = parts[i].committed;
			if (!last->owner)
				last->owner = parts[i].owner;
			kb_free(parts[i].topic);
			continue;
		}
		parts[out++] = parts[i];
	}
	*n = out;
}

struct kg_part *kg_part_find(struct kg_part *parts, int n, struct kp_str topic, int32_t partition)
{
	int lo = 0, hi = n - 1;
	size_t tlen = topic.len > 0 ? (size_t)topic.len : 0;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		int c = cmp_key(topic.ptr ? topic.ptr : "", tlen, partition, &parts[mid]);
		if (c == 0)
			return &parts[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return NULL;
}

void kg_parts_free(struct kg_part *parts, int n)
{
	for (int i = 0; i < n; i++)
		kb_free(parts[i].topic);
	kb_free(parts);
}

/* ---- Columns --------------------------------------------------------------------------------- */

void kg_table_init(struct kg_table *t, int ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

void kg_table_row(struct kg_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = kb_realloc(t->cells, (size_t)t->cap * (size_t)t->ncols * sizeof(char *));
	}
	for (int c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = kb_strdup(cells[c] && cells[c][0] ? cells[c] : "-");
	t->nrows++;
}

void kg_table_print(const struct kg_table *t, FILE *out)
{
	size_t *w = kb_calloc((size_t)t->ncols, sizeof(size_t));
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			size_t n = strlen(t->cells[r * t->ncols + c]);
			if (n > w[c])
				w[c] = n;
		}
	for (int r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			if (c == t->ncols - 1)
				fprintf(out, "%s\n", s);
			else
				fprintf(out, "%-*s  ", (int)w[c], s);
		}
	}
	kb_free(w);
}

void kg_table_free(struct kg_table *t)
{
	for (int i = 0; i < t->nrows * t->ncols; i++)
		kb_free(t->cells[i]);
	kb_free(t->cells);
	memset(t, 0, sizeof(*t));
}
