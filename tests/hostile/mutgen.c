/* kb-mutgen — structure-aware mutated Kafka requests for the hostile-client test
 * (tests/integration/test_hostile.py), built from the codec's own descriptor tables.
 *
 *   kb-mutgen SEED COUNT VERSIONS [TOPIC,...]
 *
 * VERSIONS lists what the broker advertised in ApiVersions: "key:min-max,key:min-max,...".
 * For each of COUNT requests an API and version are drawn from VERSIONS; a valid header is
 * written (v1, or v2 when flexible), then a body that walks the request's descriptor table at
 * that version and gives every field a plausible value (topic names from TOPIC,..., small
 * partition indexes and counts, real v2 record batches for records fields), noting where each
 * length, count, integer, varint and tag section sits. Then 1-3 of those sites are mutated
 * (lengths and counts to -1/-2/huge/off by one, strings to null, varints overlong, integers to
 * extremes, tag sections out of order, record batch fields with or without a fixed CRC), and
 * sometimes the body is truncated or extended. About 1 request in 16 is left valid.
 *
 * Output on stdout: each request as a complete frame (4-byte size, then the bytes), the size
 * always matching what follows, so the framing layer passes and the body reaches the decoder.
 * Deterministic for a seed. */
#include "common/kb.h"
#include "common/kbuf.h"
#include "log/log.h"
#include "log/records.h"
#include "net/kp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SITES 4096
#define MAX_APIS 64
#define MAX_TOPICS 32
#define FRAME_CAP (1u << 20)

enum site_kind { S_INT, S_BOOL, S_COUNT, S_STRLEN, S_BYTESLEN, S_TAGS, S_RECORDS };

struct site {
	uint32_t off, len; /* where the site's bytes are */
	uint8_t kind;
	bool compact;      /* uvarint length/count */
};

struct gen {
	uint64_t rng;
	struct kbuf b;
	struct site sites[MAX_SITES];
	int nsites;
	const char *topics[MAX_TOPICS];
	int ntopics;
};

static uint64_t rnd(struct gen *g)
{
	uint64_t x = g->rng; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->rng = x;
	return x * 2685821657736338717ull;
}

static uint32_t below(struct gen *g, uint32_t n)
{
	return n ? (uint32_t)(rnd(g) % n) : 0;
}

static bool chance(struct gen *g, uint32_t pct)
{
	return below(g, 100) < pct;
}

static void site(struct gen *g, size_t start, enum site_kind k, bool compact)
{
	if (g->nsites < MAX_SITES)
		g->sites[g->nsites++] = (struct site){(uint32_t)start, (uint32_t)(g->b.len - start),
		                                      (uint8_t)k, compact};
}

static bool has(const char *name, const char *part)
{
	return strstr(name, part) != NULL;
}

/* A plausible integer for a field, by its Kafka name. */
static int64_t value_for(struct gen *g, const char *n)
{
	if (has(n, "Acks"))
		return (int64_t)below(g, 3) - 1;
	if (has(n, "TimeoutMs") || has(n, "MaxWaitMs"))
		return below(g, 300);
	if (has(n, "Partition") && !has(n, "Epoch") && !has(n, "Count"))
		return below(g, 4);
	if (has(n, "ReplicaId") || has(n, "BrokerId"))
		return -1;
	if (has(n, "NumPartitions") || has(n, "Count"))
		return 1 + below(g, 3);
	if (has(n, "ReplicationFactor"))
		return (int64_t)below(g, 4) - 1;
	if (has(n, "Epoch"))
		return (int64_t)below(g, 6) - 1;
	if (has(n, "MaxBytes"))
		return 1 + below(g, 1 << 20);
	if (has(n, "Offset"))
		return (int64_t)below(g, 200) - 2;
	if (has(n, "Timestamp"))
		return chance(g, 50) ? -1 - (int64_t)below(g, 2) : 1700000000000LL;
	if (has(n, "ResourceType"))
		return chance(g, 70) ? 2 : 4;
	if (has(n, "IsolationLevel") || has(n, "ElectionType"))
		return below(g, 2);
	if (has(n, "Operation"))
		return below(g, 4);
	return below(g, 8);
}

static struct kp_str str_for(struct gen *g, const char *n)
{
	static const char *const keys[] = {"retention.ms", "cleanup.policy", "segment.bytes",
	                                   "max.message.bytes", "min.insync.replicas", "x.y"};
	static char buf[40];
	if (has(n, "Topic") || n[0] == 'N' || has(n, "ResourceName")) { /* Name, TopicName */
		if (g->ntopics && chance(g, 85))
			return kp_str_c(g->topics[below(g, (uint32_t)g->ntopics)]);
	}
	if (has(n, "Value"))
		return kp_str_c(chance(g, 50) ? "1000" : "delete");
	if (has(n, "Name") || has(n, "Key"))
		return kp_str_c(keys[below(g, KB_ARRAY_LEN(keys))]);
	int len = (int)below(g, 24);
	for (int i = 0; i < len; i++)
		buf[i] = (char)('a' + below(g, 26));
	return (struct kp_str){buf, len};
}

static bool in(int16_t v, int16_t lo, int16_t hi)
{
	return lo >= 0 && v >= lo && v <= hi;
}

static void put_len(struct gen *g, int32_t n, bool compact, bool wide, enum site_kind k)
{
	size_t start = g->b.len;
	if (compact)
		kp_put_uvarint(&g->b, (uint32_t)(n + 1));
	else if (wide)
		kp_put_i32(&g->b, n);
	else
		kp_put_i16(&g->b, (int16_t)n);
	site(g, start, k, compact);
}

static void gen_records(struct gen *g, bool compact)
{
	struct rc_batch_params bp;
	rc_batch_params_default(&bp);
	struct rc_build_record recs[3];
	static const uint8_t val[] = "hostile-value";
	int n = 1 + (int)below(g, 3);
	for (int i = 0; i < n; i++)
		recs[i] = (struct rc_build_record){i, 1700000000000LL + i, NULL, -1, val,
		                                   (int32_t)sizeof(val) - 1, 0, NULL, 0};
	uint8_t *p = NULL;
	size_t len = 0;
	if (rc_batch_build(&bp, recs, n, (int)below(g, 5), 1 << 16, &p, &len) != RC_OK) {
		put_len(g, 0, compact, true, S_BYTESLEN);
		return;
	}
	put_len(g, (int32_t)len, compact, true, S_BYTESLEN);
	size_t start = g->b.len;
	kbuf_append(&g->b, p, len);
	site(g, start, S_RECORDS, false);
	free(p);
}

static void gen_struct(struct gen *g, const struct kp_struct *d, int16_t v, bool flex, int depth);

static void gen_value(struct gen *g, const struct kp_field *f, uint8_t type,
                      const struct kp_struct *sub, int16_t v, bool flex, int depth)
{
	bool nullable = in(v, f->nmin, f->nmax);
	size_t start = g->b.len;
	switch (type) {
	case KP_BOOL: kp_put_bool(&g->b, chance(g, 50)); site(g, start, S_BOOL, false); return;
	case KP_INT8: kp_put_i8(&g->b, (int8_t)value_for(g, f->name)); break;
	case KP_INT16: kp_put_i16(&g->b, (int16_t)value_for(g, f->name)); break;
	case KP_UINT16: kp_put_u16(&g->b, (uint16_t)value_for(g, f->name)); break;
	case KP_INT32: kp_put_i32(&g->b, (int32_t)value_for(g, f->name)); break;
	case KP_INT64: kp_put_i64(&g->b, value_for(g, f->name)); break;
	case KP_FLOAT64: kp_put_f64(&g->b, (double)value_for(g, f->name)); break;
	case KP_UUID: {
		uint8_t u[16] = {0};
		for (int i = 0; chance(g, 30) && i < 16; i++)
			u[i] = (uint8_t)rnd(g);
		kp_put_uuid(&g->b, u);
		break;
	}
	case KP_STRING:
		if (nullable && chance(g, 10)) {
			put_len(g, -1, flex, false, S_STRLEN);
			return;
		}
		struct kp_str s = str_for(g, f->name);
		put_len(g, s.len, flex, false, S_STRLEN);
		kbuf_append(&g->b, s.ptr, (size_t)s.len);
		return;
	case KP_BYTES:
		put_len(g, 4, flex, true, S_BYTESLEN);
		kp_put_i32(&g->b, (int32_t)rnd(g));
		return;
	case KP_RECORDS:
		if (nullable && chance(g, 5))
			put_len(g, -1, flex, true, S_BYTESLEN);
		else
			gen_records(g, flex);
		return;
	case KP_STRUCT: gen_struct(g, sub, v, flex, depth + 1); return;
	default: return;
	}
	site(g, start, S_INT, false);
}

static void gen_field(struct gen *g, const struct kp_field *f, int16_t v, bool flex, int depth)
{
	if (f->type != KP_ARRAY) {
		gen_value(g, f, f->type, f->sub, v, flex, depth);
		return;
	}
	if (in(v, f->nmin, f->nmax) && chance(g, 10)) {
		put_len(g, -1, flex, true, S_COUNT);
		return;
	}
	int32_t n = depth > 3 ? (int32_t)below(g, 2) : (int32_t)below(g, 4);
	put_len(g, n, flex, true, S_COUNT);
	for (int32_t i = 0; i < n; i++)
		gen_value(g, f, f->elem_type, f->sub, v, flex, depth);
}

/* A tag section: known tagged fields of this version (written with their size), sometimes an
 * unknown one after them. */
static void gen_tags(struct gen *g, const struct kp_struct *d, int16_t v, int depth)
{
	const struct kp_field *tagged[32];
	int nt = 0;
	for (uint32_t i = 0; i < d->nfields && nt < 32; i++) {
		const struct kp_field *f = &d->fields[i];
		if (f->tag >= 0 && in(v, f->tmin, f->tmax) && chance(g, 50))
			tagged[nt++] = f;
	}
	bool unknown = chance(g, 10);
	size_t start = g->b.len;
	kp_put_uvarint(&g->b, (uint32_t)(nt + unknown));
	site(g, start, S_TAGS, true);
	for (int i = 0; i < nt; i++) { /* descriptor rows list tags in ascending order */
		struct gen inner = *g;
		kbuf_init(&inner.b, FRAME_CAP);
		inner.nsites = MAX_SITES; /* no sites inside: offsets would move */
		gen_field(&inner, tagged[i], v, true, depth);
		g->rng = inner.rng;
		kp_put_uvarint(&g->b, (uint32_t)tagged[i]->tag);
		kp_put_uvarint(&g->b, (uint32_t)inner.b.len);
		kbuf_append(&g->b, inner.b.data, inner.b.len);
		kbuf_free(&inner.b);
	}
	if (unknown) {
		kp_put_uvarint(&g->b, 1000 + below(g, 100));
		kp_put_uvarint(&g->b, 2);
		kp_put_i16(&g->b, 7);
	}
}

static void gen_struct(struct gen *g, const struct kp_struct *d, int16_t v, bool flex, int depth)
{
	for (uint32_t i = 0; i < d->nfields; i++) {
		const struct kp_field *f = &d->fields[i];
		if (v < f->vmin || v > f->vmax || (f->tag >= 0 && in(v, f->tmin, f->tmax)))
			continue;
		gen_field(g, f, v, flex, depth);
	}
	if (flex)
		gen_tags(g, d, v, depth);
}

/* ---- Mutations ---------------------------------------------------------------------------- */

/* Replaces [off, off+len) of the buffer with `rep` (n bytes). */
static void splice(struct gen *g, uint32_t off, uint32_t len, const void *rep, size_t n)
{
	struct kbuf *b = &g->b;
	size_t tail = b->len - off - len;
	uint8_t *save = kb_malloc(tail + 1);
	memcpy(save, b->data + off + len, tail);
	b->len = off;
	kbuf_append(b, rep, n);
	kbuf_append(b, save, tail);
	kb_free(save);
}

static void put_be(uint8_t *p, uint64_t v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void mutate_len(struct gen *g, const struct site *s)
{
	static const int64_t classic[] = {-1, -2, 0, 1, 0x7fff, 0x7fffffff, INT32_MIN, 1000000};
	if (s->compact) {
		static const uint8_t forms[][6] = {
			{0x00}, {0xff, 0xff, 0xff, 0xff, 0x0f}, {0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
			{0xff, 0xff, 0x03}, {0x02}, {0x80}};
		static const size_t flen[] = {1, 5, 6, 3, 1, 1};
		uint32_t i = below(g, KB_ARRAY_LEN(flen));
		splice(g, s->off, s->len, forms[i], flen[i]);
		return;
	}
	uint8_t *p = g->b.data + s->off;
	int64_t v = classic[below(g, KB_ARRAY_LEN(classic))];
	if (chance(g, 25)) { /* off by a little from what is there */
		int64_t cur = s->len == 2 ? (int16_t)(p[0] << 8 | p[1])
		                          : (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		                                      (uint32_t)p[2] << 8 | p[3]);
		v = cur + (int64_t)below(g, 5) - 2;
	}
	put_be(p, (uint64_t)v, s->len);
}

static void mutate_int(struct gen *g, const struct site *s)
{
	static const int64_t vals[] = {0, -1, 1, INT64_MIN, INT64_MAX, INT32_MIN, INT32_MAX, -2,
	                               0x7fff, 0x8000, 255};
	if (s->len > 8) { /* a UUID */
		for (uint32_t i = 0; i < s->len; i++)
			g->b.data[s->off + i] = (uint8_t)rnd(g);
		return;
	}
	int64_t v = chance(g, 20) ? (int64_t)rnd(g) : vals[below(g, KB_ARRAY_LEN(vals))];
	if (s->len == 4 && (v > INT32_MAX || v < INT32_MIN))
		v = v < 0 ? INT32_MIN : INT32_MAX;
	put_be(g->b.data + s->off, (uint64_t)v, s->len);
}

/* Record batch: overwrite a header field, flip a byte, and re-seal the CRC half the time so
 * the batch reaches the checks behind it. */
static void mutate_records(struct gen *g, const struct site *s)
{
	if (s->len < 61)
		return;
	uint8_t *p = g->b.data + s->off;
	static const struct { uint32_t at, n; } fields[] = {
		{0, 8}, {8, 4}, {12, 4}, {16, 1}, {21, 2}, {23, 4}, {27, 8}, {35, 8}, {43, 8},
		{51, 2}, {53, 4}, {57, 4}};
	uint32_t i = below(g, KB_ARRAY_LEN(fields));
	static const int64_t vals[] = {0, -1, 1, 2, 0x7fffffff, INT32_MIN, 0x07, 0x20, 1000000};
	put_be(p + fields[i].at, (uint64_t)vals[below(g, KB_ARRAY_LEN(vals))], fields[i].n);
	if (chance(g, 30))
		p[61 + below(g, s->len - 61)] ^= (uint8_t)(1 + below(g, 255));
	if (chance(g, 50))
		put_be(p + 17, crc32c(0, p + 21, s->len - 21), 4);
}

static void mutate_tags(struct gen *g, const struct site *s)
{
	static const uint8_t forms[][7] = {
		{0x02, 0x05, 0x00, 0x03, 0x00},       /* out of order */
		{0x02, 0x03, 0x00, 0x03, 0x00},       /* duplicate */
		{0x01, 0x01, 0x7f, 0x61},             /* size past the end */
		{0x7f},                               /* count past the end */
		{0x01, 0x00, 0x05, 0xff, 0xff, 0xff}, /* a known tag with garbage */
	};
	static const size_t flen[] = {5, 5, 4, 1, 6};
	uint32_t i = below(g, KB_ARRAY_LEN(flen));
	splice(g, s->off, s->len, forms[i], flen[i]);
}

static void mutate(struct gen *g, size_t body_off)
{
	int n = 1 + (int)below(g, 3);
	struct site pick[3];
	int np = 0;
	for (int i = 0; i < n && g->nsites > 0; i++)
		pick[np++] = g->sites[below(g, (uint32_t)g->nsites)];
	for (int i = 0; i < np; i++) /* highest offset first: splices move what follows */
		for (int j = i + 1; j < np; j++)
			if (pick[j].off > pick[i].off) {
				struct site t = pick[i];
				pick[i] = pick[j];
				pick[j] = t;
			}
	for (int i = 0; i < np; i++) {
		if (i > 0 && pick[i].off == pick[i - 1].off)
			continue;
		const struct site *s = &pick[i];
		switch (s->kind) {
		case S_INT: mutate_int(g, s); break;
		case S_BOOL: g->b.data[s->off] = chance(g, 50) ? 2 : 0xff; break;
		case S_COUNT:
		case S_STRLEN:
		case S_BYTESLEN: mutate_len(g, s); break;
		case S_TAGS: mutate_tags(g, s); break;
		case S_RECORDS: mutate_records(g, s); break;
		}
	}
	if (chance(g, 10) && g->b.len > body_off) /* truncated */
		g->b.len = body_off + below(g, (uint32_t)(g->b.len - body_off));
	else if (chance(g, 5)) { /* trailing bytes */
		uint8_t junk[16];
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)rnd(g);
		kbuf_append(&g->b, junk, 1 + below(g, sizeof(junk)));
	}
}

/* ---- Main ------------------------------------------------------------------------------- */

struct api_range {
	int16_t key, vmin, vmax;
};

static int parse_versions(const char *s, struct api_range *out)
{
	int n = 0;
	while (*s && n < MAX_APIS) {
		int key, lo, hi, used = 0;
		if (sscanf(s, "%d:%d-%d%n", &key, &lo, &hi, &used) != 3)
			return -1;
		const struct kp_api *api = kp_api_find((int16_t)key);
		/* Only versions the codec can encode too. */
		if (api && lo <= hi) {
			lo = KB_MAX(lo, api->vmin);
			hi = KB_MIN(hi, api->vmax);
			if (lo <= hi)
				out[n++] = (struct api_range){(int16_t)key, (int16_t)lo, (int16_t)hi};
		}
		s += used;
		if (*s == ',')
			s++;
	}
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: kb-mutgen SEED COUNT KEY:MIN-MAX,... [TOPIC,...]\n");
		return 2;
	}
	static struct gen g;
	g.rng = strtoull(argv[1], NULL, 0) * 0x9E3779B97F4A7C15ull + 1;
	long long count = strtoll(argv[2], NULL, 0);
	struct api_range apis[MAX_APIS];
	int napis = parse_versions(argv[3], apis);
	if (napis <= 0) {
		fprintf(stderr, "kb-mutgen: no usable API in '%s'\n", argv[3]);
		return 2;
	}
	char *topics = argc > 4 ? kb_strdup(argv[4]) : NULL;
	for (char *t = topics ? strtok(topics, ",") : NULL; t && g.ntopics < MAX_TOPICS;
	     t = strtok(NULL, ","))
		g.topics[g.ntopics++] = t;
	kbuf_init(&g.b, FRAME_CAP);
	for (long long i = 0; i < count; i++) {
		const struct api_range *a = &apis[below(&g, (uint32_t)napis)];
		int16_t v = (int16_t)(a->vmin + (int16_t)below(&g, (uint32_t)(a->vmax - a->vmin + 1)));
		const struct kp_api *api = kp_api_find(a->key);
		bool flex = kp_api_flexible(api, v);
		kbuf_reset(&g.b);
		g.nsites = 0;
		kp_put_i32(&g.b, 0); /* the frame size, patched below */
		struct kp_request_header h = {a->key, v, (int32_t)(i & 0x7fffffff),
		                              chance(&g, 10) ? KP_STR_NULL : kp_str_c("hostile")};
		kp_request_header_write(&g.b, &h, flex);
		size_t body = g.b.len;
		gen_struct(&g, api->request, v, flex, 0);
		if (!chance(&g, 6))
			mutate(&g, body);
		if (g.b.err || g.b.len < 14)
			continue;
		kp_patch_i32(&g.b, 0, (int32_t)(g.b.len - 4));
		if (fwrite(g.b.data, 1, g.b.len, stdout) != g.b.len)
			return 1;
	}
	kbuf_free(&g.b);
	kb_free(topics);
	return fflush(stdout) == 0 ? 0 : 1;
}
