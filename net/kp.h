/* kp.h — the Kafka protocol codec: primitives, message descriptors and the generic walker.
 *
 * Design (see ../shared/reference/c-style-models.md §6, "option B"):
 *   - Primitive readers work on a `struct kp_reader` with a STICKY error: every kp_get_* checks
 *     the bytes remaining; on failure it records the error once, returns a zero value, and every
 *     later call is a no-op (a failed array count reads as 0, so loops end by themselves).
 *     Callers read a run of fields and check r->err once.
 *   - Writers append to a `struct kbuf` (capped, sticky err).
 *   - Each message is a `static const struct kp_struct` table of `struct kp_field` rows (wire
 *     type, version range, nullable range, tag, offsetof into a C struct, nested descriptor).
 *     One walker decodes bytes into the C struct (strings and byte fields point INTO the input
 *     buffer — zero copy — and arrays are allocated in a capped arena), and one walker encodes
 *     a C struct into a kbuf. Adding an API version is a table edit.
 *   - Record batches are opaque: KP_RECORDS is a (nullable) byte range, never parsed here.
 *
 * C representation of wire types (the C struct field at `offset` must have this type):
 *   KP_BOOL      bool            KP_INT8   int8_t     KP_INT16 int16_t   KP_INT32 int32_t
 *   KP_INT64     int64_t         KP_UINT16 uint16_t   KP_FLOAT64 double  KP_UUID  uint8_t[16]
 *   KP_STRING    struct kp_str   KP_BYTES  struct kp_bytes   KP_RECORDS struct kp_bytes
 *   KP_ARRAY     struct kp_array (elements: elem_type, or struct `sub` when elem_type==KP_STRUCT)
 *   KP_STRUCT    the nested C struct itself, embedded at `offset` (described by `sub`)
 *
 * Names: message structs and fields keep Kafka's own names (MetadataRequest.Topics, ...), so
 * code, schema and protocol guide read side by side.
 */
#ifndef KB_KP_H
#define KB_KP_H

#include "../common/arena.h"
#include "../common/kb.h"
#include "../common/kbuf.h"

/* ---- Values ------------------------------------------------------------------------------ */

/* A string: `len` bytes at `ptr` (NOT NUL-terminated); len == -1 is null. */
struct kp_str {
	const char *ptr;
	int32_t len;
};

/* Bytes / records: len == -1 is null. A value with `ext` set is EXTERNAL: encoding writes
 * its length prefix only and records (position, len, ext) in the output kbuf's ext list, so
 * the bytes can travel by another route (Fetch: file ranges sent with sendfile). Decoding
 * never sets ext. */
struct kp_bytes {
	const uint8_t *ptr;
	int32_t len;
	const void *ext;
};

/* An array: `count` elements of the C element type at `elems`; count == -1 is null. */
struct kp_array {
	void *elems;
	int32_t count;
};

#define KP_STR_NULL ((struct kp_str){NULL, -1})
#define KP_STR_LIT(s) ((struct kp_str){(s), (int32_t)(sizeof(s) - 1)})
struct kp_str kp_str_c(const char *s); /* NULL -> null string */
bool kp_str_eq(struct kp_str a, struct kp_str b);
bool kp_str_eq_c(struct kp_str a, const char *s);

/* ---- Errors ------------------------------------------------------------------------------ */

enum kp_err {
	KP_OK = 0,
	KP_ERR_TRUNCATED = -1, /* a field runs past the end of the input */
	KP_ERR_INVALID = -2,   /* a malformed value: negative length other than null, varint too
	                          long, null where not nullable, tags out of order, ... */
	KP_ERR_LIMIT = -3,     /* a declared count cannot fit in the remaining bytes, or the arena
	                          ceiling would be crossed */
	KP_ERR_VERSION = -4,   /* version outside the message's valid range */
};
const char *kp_err_str(int err);

/* ---- Primitive reader ---------------------------------------------------------------- */

struct kp_reader {
	const uint8_t *p;
	const uint8_t *end;
	int err; /* sticky: first error, 0 while all is well */
};

void kp_reader_init(struct kp_reader *r, const void *buf, size_t len);
size_t kp_remaining(const struct kp_reader *r);
void kp_reader_fail(struct kp_reader *r, int err); /* records err if none yet; stops reading */

int8_t kp_get_i8(struct kp_reader *r);
int16_t kp_get_i16(struct kp_reader *r);
int32_t kp_get_i32(struct kp_reader *r);
int64_t kp_get_i64(struct kp_reader *r);
uint16_t kp_get_u16(struct kp_reader *r);
uint32_t kp_get_u32(struct kp_reader *r);
double kp_get_f64(struct kp_reader *r);
bool kp_get_bool(struct kp_reader *r);
void kp_get_uuid(struct kp_reader *r, uint8_t out[16]);
uint32_t kp_get_uvarint(struct kp_reader *r); /* unsigned, max 5 bytes */
int32_t kp_get_varint(struct kp_reader *r);   /* zig-zag, max 5 bytes */
int64_t kp_get_varlong(struct kp_reader *r);  /* zig-zag, max 10 bytes */
/* Strings/bytes; compact = flexible-version encoding. A null value on a non-nullable field is
 * KP_ERR_INVALID. */
struct kp_str kp_get_str(struct kp_reader *r, bool compact, bool nullable);
struct kp_bytes kp_get_bytes(struct kp_reader *r, bool compact, bool nullable);
/* Array count: -1 for null (only if nullable); checks count * min_elem_bytes <= remaining. */
int32_t kp_get_array_count(struct kp_reader *r, bool compact, bool nullable, size_t min_elem_bytes);
void kp_skip(struct kp_reader *r, size_t n);
/* Skips a whole tagged-field section (used where the walker is not, e.g. headers). */
void kp_skip_tags(struct kp_reader *r);

/* ---- Primitive writer ------------------------------------------------------------------ */

void kp_put_i8(struct kbuf *b, int8_t v);
void kp_put_i16(struct kbuf *b, int16_t v);
void kp_put_i32(struct kbuf *b, int32_t v);
void kp_put_i64(struct kbuf *b, int64_t v);
void kp_put_u16(struct kbuf *b, uint16_t v);
void kp_put_u32(struct kbuf *b, uint32_t v);
void kp_put_f64(struct kbuf *b, double v);
void kp_put_bool(struct kbuf *b, bool v);
void kp_put_uuid(struct kbuf *b, const uint8_t v[16]);
void kp_put_uvarint(struct kbuf *b, uint32_t v);
void kp_put_varint(struct kbuf *b, int32_t v);
void kp_put_varlong(struct kbuf *b, int64_t v);
/* A string longer than INT16_MAX cannot be written: it sets b->err instead. */
void kp_put_str(struct kbuf *b, struct kp_str s, bool compact);
void kp_put_bytes(struct kbuf *b, struct kp_bytes v, bool compact);
void kp_put_array_count(struct kbuf *b, int32_t count, bool compact);
/* Overwrites a big-endian int32 at byte position pos (for frame sizes filled in last). */
void kp_patch_i32(struct kbuf *b, size_t pos, int32_t v);

/* ---- Descriptors ----------------------------------------------------------------------- */

enum kp_type {
	KP_BOOL = 1, KP_INT8, KP_INT16, KP_INT32, KP_INT64, KP_UINT16, KP_FLOAT64, KP_UUID,
	KP_STRING, KP_BYTES, KP_RECORDS, KP_ARRAY, KP_STRUCT,
};

#define KP_VMAX INT16_MAX /* "and every later version" */
#define KP_NEVER -1       /* for nmin: never nullable; for tag: not a tagged field */

struct kp_struct;

struct kp_field {
	const char *name;               /* Kafka's field name, for error messages and tests */
	uint8_t type;                   /* enum kp_type */
	uint8_t elem_type;              /* KP_ARRAY only: element type (KP_STRUCT -> `sub`) */
	int16_t vmin, vmax;             /* present in versions [vmin, vmax] */
	int16_t nmin, nmax;             /* nullable in versions [nmin, nmax]; nmin = KP_NEVER */
	int16_t tag;                    /* tag number, or KP_NEVER for a positional field */
	int16_t tmin, tmax;             /* tagged in versions [tmin, tmax] (tag >= 0 only) */
	bool def_null;                  /* string/bytes/array default is null, not empty */
	int64_t def;                    /* integer/bool default (absent versions, tag omission) */
	uint32_t offset;                /* offsetof(C struct, field) */
	const struct kp_struct *sub;    /* KP_STRUCT, or KP_ARRAY of KP_STRUCT */
};

struct kp_struct {
	const char *name;
	uint32_t size;                  /* sizeof the C struct */
	const struct kp_field *fields;
	uint32_t nfields;
};

/* Helpers to write rows. Positional field present in [vmin, vmax]: */
#define KP_FIELD(S, f, T, v0, v1)                                                            \
	{ .name = #f, .type = (T), .vmin = (v0), .vmax = (v1), .nmin = KP_NEVER, .nmax = KP_NEVER, \
	  .tag = KP_NEVER, .offset = offsetof(S, f) }
/* ...with an integer default: */
#define KP_FIELD_DEF(S, f, T, v0, v1, d)                                                     \
	{ .name = #f, .type = (T), .vmin = (v0), .vmax = (v1), .nmin = KP_NEVER, .nmax = KP_NEVER, \
	  .tag = KP_NEVER, .def = (d), .offset = offsetof(S, f) }
/* Nullable string/bytes/array in [n0, n1]; def_null says whether the default is null: */
#define KP_FIELD_NULL(S, f, T, v0, v1, n0, n1, dnull)                                         \
	{ .name = #f, .type = (T), .vmin = (v0), .vmax = (v1), .nmin = (n0), .nmax = (n1),       \
	  .tag = KP_NEVER, .def_null = (dnull), .offset = offsetof(S, f) }
/* Struct, or array of structs/primitives: */
#define KP_FIELD_STRUCT(S, f, v0, v1, SUB)                                                   \
	{ .name = #f, .type = KP_STRUCT, .vmin = (v0), .vmax = (v1), .nmin = KP_NEVER,            \
	  .nmax = KP_NEVER, .tag = KP_NEVER, .offset = offsetof(S, f), .sub = (SUB) }
#define KP_FIELD_ARRAY(S, f, ET, v0, v1, SUB)                                                \
	{ .name = #f, .type = KP_ARRAY, .elem_type = (ET), .vmin = (v0), .vmax = (v1),           \
	  .nmin = KP_NEVER, .nmax = KP_NEVER, .tag = KP_NEVER, .offset = offsetof(S, f), .sub = (SUB) }
#define KP_FIELD_ARRAY_NULL(S, f, ET, v0, v1, n0, n1, dnull, SUB)                            \
	{ .name = #f, .type = KP_ARRAY, .elem_type = (ET), .vmin = (v0), .vmax = (v1),           \
	  .nmin = (n0), .nmax = (n1), .tag = KP_NEVER, .def_null = (dnull),                     \
	  .offset = offsetof(S, f), .sub = (SUB) }
/* Tagged fields: other rows can set .tag/.tmin/.tmax directly with designated initialisers. */
#define KP_STRUCT_DESC(S, rows) { #S, sizeof(S), rows, KB_ARRAY_LEN(rows) }

/* ---- The walker ------------------------------------------------------------------------ */

/* Decodes a struct of `desc` at `version` from r into out (zeroed first by the caller or not:
 * every field is written, absent ones with their default). `flexible` selects compact
 * encodings and tagged-field sections. Arrays go into `a`. Returns KP_OK or a kp_err (also
 * left in r->err; KP_ERR_VERSION for a negative version). Unknown tagged fields are skipped;
 * known ones are decoded. On error the contents of `out` are unspecified. */
int kp_decode(const struct kp_struct *desc, int16_t version, bool flexible, struct kp_reader *r,
              struct arena *a, void *out);

/* Encodes `in` at `version` into b. Fields absent from `version` are not written; tagged
 * fields are written only when they differ from their default. Returns KP_OK, KP_ERR_LIMIT
 * if b hit its ceiling, KP_ERR_INVALID if a value cannot be represented at this version
 * (null where not nullable, a length/count below -1, count > 0 with NULL elems, a string
 * longer than INT16_MAX), or KP_ERR_VERSION for a negative version. On error b holds a
 * partial message: discard it. */
int kp_encode(const struct kp_struct *desc, int16_t version, bool flexible, const void *in,
              struct kbuf *b);

/* Fills `out` with every field's default (what decode writes for absent fields; defaults
 * do not depend on the version). Arrays and strings become empty or null per def_null. */
void kp_set_defaults(const struct kp_struct *desc, void *out);

/* Smallest number of bytes a struct of `desc` can occupy on the wire at this version. */
size_t kp_min_wire_size(const struct kp_struct *desc, int16_t version, bool flexible);

/* ---- APIs ------------------------------------------------------------------------------ */

enum kp_api_key {
	KP_API_PRODUCE = 0,
	KP_API_FETCH = 1,
	KP_API_LIST_OFFSETS = 2,
	KP_API_METADATA = 3,
	KP_API_OFFSET_COMMIT = 8,
	KP_API_OFFSET_FETCH = 9,
	KP_API_FIND_COORDINATOR = 10,
	KP_API_JOIN_GROUP = 11,
	KP_API_HEARTBEAT = 12,
	KP_API_LEAVE_GROUP = 13,
	KP_API_SYNC_GROUP = 14,
	KP_API_DESCRIBE_GROUPS = 15,
	KP_API_LIST_GROUPS = 16,
	KP_API_API_VERSIONS = 18,
	KP_API_CREATE_TOPICS = 19,
	KP_API_DELETE_TOPICS = 20,
	KP_API_DELETE_RECORDS = 21,
	KP_API_INIT_PRODUCER_ID = 22,
	KP_API_OFFSET_FOR_LEADER_EPOCH = 23,
	KP_API_ADD_PARTITIONS_TO_TXN = 24,
	KP_API_ADD_OFFSETS_TO_TXN = 25,
	KP_API_END_TXN = 26,
	KP_API_WRITE_TXN_MARKERS = 27,
	KP_API_TXN_OFFSET_COMMIT = 28,
	KP_API_DESCRIBE_ACLS = 29,
	KP_API_CREATE_ACLS = 30,
	KP_API_DELETE_ACLS = 31,
	KP_API_DESCRIBE_CONFIGS = 32,
	KP_API_ALTER_CONFIGS = 33,
	KP_API_CREATE_PARTITIONS = 37,
	KP_API_DELETE_GROUPS = 42,
	KP_API_ELECT_LEADERS = 43,
	KP_API_INCREMENTAL_ALTER_CONFIGS = 44,
	KP_API_OFFSET_DELETE = 47,
	KP_API_DESCRIBE_CLUSTER = 60,
	KP_API_DESCRIBE_PRODUCERS = 61,
	KP_API_DESCRIBE_TRANSACTIONS = 65,
	KP_API_LIST_TRANSACTIONS = 66,
};

/* What the codec knows about one API: the versions it can encode/decode and where flexible
 * versions start. The broker's dispatch table (server/) decides what is advertised. */
struct kp_api {
	int16_t key;
	const char *name;
	int16_t vmin, vmax;
	int16_t flex_min;               /* first flexible version; KP_VMAX if none */
	const struct kp_struct *request;
	const struct kp_struct *response;
};

const struct kp_api *kp_api_find(int16_t key); /* NULL if the codec does not know it */
bool kp_api_flexible(const struct kp_api *api, int16_t version);

/* ---- Headers --------------------------------------------------------------------------- */

struct kp_request_header {
	int16_t RequestApiKey;
	int16_t RequestApiVersion;
	int32_t CorrelationId;
	struct kp_str ClientId;
};

/* Reads the request header. Header v2 (tags after client_id) is used when the API/version is
 * flexible; ApiVersions >= 3 counts as flexible even above the codec's vmax (KIP-511). For an
 * API the codec does not know, only api_key/version/correlation_id/client_id are read and the
 * caller decides (it closes the connection). */
int kp_request_header_read(struct kp_reader *r, struct kp_request_header *h);

/* Writes a request header (v1, or v2 when flexible) — used by clients (kadmin, fetchers). */
void kp_request_header_write(struct kbuf *b, const struct kp_request_header *h, bool flexible);

/* Writes a response header: v0 = correlation id; v1 adds an empty tag section. ApiVersions
 * always uses v0. */
void kp_response_header_write(struct kbuf *b, int32_t correlation_id, bool flexible_v1);
int kp_response_header_read(struct kp_reader *r, int32_t *correlation_id, bool flexible_v1);

/* Which header versions a key/version uses. Request: 2 when flexible (ApiVersions from 3,
 * KIP-511), 0 for ControlledShutdown v0 (no client_id), else 1. Response: v1 (with a tag
 * section) when flexible, except ApiVersions, which always answers with header v0. */
int kp_request_header_version(int16_t key, int16_t version);
bool kp_response_header_v1(int16_t key, int16_t version);

/* Whole frames, as both ends of a connection write them: a 4-byte size, the header, the
 * body encoded at the header's version. The size counts external bytes (b->ext_bytes) too.
 * Returns KP_OK, or a kp_err (unknown API: KP_ERR_VERSION; see kp_encode) with b holding a
 * partial frame to discard. */
int kp_request_frame_write(struct kbuf *b, const struct kp_request_header *h, const void *body);
int kp_response_frame_write(struct kbuf *b, int32_t correlation_id, int16_t key, int16_t version,
                            const void *body);

#endif
