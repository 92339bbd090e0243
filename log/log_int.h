/* log_int.h — structures and helpers shared by the files of log/ (not for other modules).
 *
 * Files of log/:
 *   crc32c.c      CRC-32C, table and SSE4.2 paths
 *   batch.c       RecordBatch header parsing, produce validation, record walking
 *   segment.c     one segment: its three files, in-memory indexes, append, lookups, truncation
 *   recover.c     plog_open: directory listing, per-segment recovery (replay), leftovers
 *   plog.c        the partition log: append/roll, reads, timestamps, truncation, start offset
 *   jobs.c        flush and delete jobs (the parts that leave the event loop)
 *   epoch.c       the leader epoch cache and its leader-epoch-checkpoint file
 *   checkpoint.c  Kafka's checkpoint files (the common text format, the offset files)
 *   check.c       plog_check (tests)
 *   cleaner.c     log compaction: key map, one pass, the swap
 *   txnindex.c    the aborted-transaction index (.txnindex) of a segment, the LSO, fetch lookups
 *
 * In-memory indexes. Each segment keeps both indexes as growable arrays that mirror its
 * .index/.timeindex files exactly (entry i of the array == entry i of the file); appends write
 * the new entry with one pwrite, recovery rewrites the changed tail. Lookups never read the
 * index files.
 *
 * Offset index rule (Kafka's): before a batch is appended at position P, if more than
 * index_interval_bytes of log data lie after the last indexed position (or after position 0
 * when the index is empty), an entry (batch last offset - base, P) is added. So entries are
 * keyed by the batch's LAST offset and point at the batch's START, which is what Kafka's
 * DumpLogSegments checks. The time index gets (largest timestamp so far, offset of the batch
 * that first reached it) at the same moments when that timestamp grew since the last time
 * entry, plus once more when the segment stops being active (roll, close).
 */
#ifndef KB_LOG_INT_H
#define KB_LOG_INT_H

#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- Big-endian helpers (unaligned-safe) ---------------------------------------------- */
static inline uint16_t be16_get(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}
static inline uint32_t be32_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t be64_get(const uint8_t *p)
{
	return (uint64_t)be32_get(p) << 32 | be32_get(p + 4);
}
static inline void be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static inline void be64_put(uint8_t *p, uint64_t v)
{
	be32_put(p, (uint32_t)(v >> 32));
	be32_put(p + 4, (uint32_t)v);
}

/* ---- CRC-32C --------------------------------------------------------------------------- */
uint32_t crc32c_sw(uint32_t crc, const void *buf, size_t len);
uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len); /* only if crc32c_have_hw() */
bool crc32c_have_hw(void);

/* ---- RecordBatch headers --------------------------------------------------------------- */
#define RB_MIN_LENGTH (RB_HEADER_SIZE - RB_LOG_OVERHEAD) /* smallest batchLength: 49 */
#define RB_ATTR_CODEC_MASK 0x07
#define RB_ATTR_LOG_APPEND_TIME 0x08
#define RB_ATTR_TRANSACTIONAL 0x10
#define RB_ATTR_CONTROL 0x20
#define RB_ATTR_DELETE_HORIZON 0x40 /* KIP-534: baseTimestamp holds the delete horizon */

struct rb_hdr {
	int64_t base;     /* baseOffset */
	int64_t last;     /* baseOffset + lastOffsetDelta (meaningful when rb_hdr_offsets_ok) */
	int64_t size;     /* batchLength + 12 */
	int64_t max_ts;   /* maxTimestamp */
	int64_t base_ts;  /* baseTimestamp */
	int64_t producer_id;
	uint32_t crc;
	int32_t lod;      /* lastOffsetDelta */
	int32_t count;    /* recordsCount */
	int32_t epoch;    /* partitionLeaderEpoch */
	int32_t base_seq; /* baseSequence */
	int16_t producer_epoch;
	int16_t attrs;
};
enum { RB_HDR_OK = 0, RB_HDR_PARTIAL = 1, RB_HDR_SHORT = 2, RB_HDR_BAD = -1 };
/* The one parse of a RecordBatch header, for the magic-2 batch at the start of p[0, len);
 * nothing in it is trusted (file data is never trusted with an assertion):
 *   RB_HDR_BAD      batchLength < 49 or magic != 2, as far as len shows them;
 *   RB_HDR_SHORT    otherwise, fewer than the 61 header bytes: only h->size is set
 *                   (batchLength + 12 when len >= 12, else 0);
 *   RB_HDR_PARTIAL  header whole, h filled, but the batch runs past len;
 *   RB_HDR_OK       h filled and the whole batch (h->size bytes) lies within len.
 * Offsets are not judged here (a produced batch's baseOffset is the client's): see
 * rb_hdr_offsets_ok(). The CRC is read, not checked. */
int rb_header_parse(const uint8_t *p, size_t len, struct rb_hdr *h);
/* lastOffsetDelta >= 0, baseOffset >= 0 and their sum fits: true of every batch in a log. */
bool rb_hdr_offsets_ok(const struct rb_hdr *h);

/* A replica takes whatever batch size its leader has; this only rejects garbage lengths. */
#define RB_REPLICA_MAX_SIZE ((int64_t)1 << 30)
#define RB_INCOMPLETE (-1)
/* Checks the batch at the start of `avail` bytes fetched from a leader: KERR_NONE (h filled),
 * RB_INCOMPLETE (fewer bytes than its batchLength says, or not even a length), or
 * KERR_CORRUPT_MESSAGE (magic, length outside [49, RB_REPLICA_MAX_SIZE], lastOffsetDelta,
 * CRC). Unlike batch_validate(): control and transactional batches pass, recordsCount is not
 * compared with lastOffsetDelta (compaction leaves such batches), no max.message.bytes. */
int rb_check_replica(const uint8_t *p, size_t avail, struct rb_hdr *h);

/* The first record of an uncompressed batch whose timestamp >= ts and offset >= min_off:
 * returns true with its offset and timestamp; false if the records cannot be walked (bad
 * varints) or none qualifies. `p` holds the whole batch (`size` bytes). */
bool rb_find_record_ts(const uint8_t *p, size_t size, int64_t ts, int64_t min_off,
                       int64_t *off, int64_t *rts);

/* ---- Buffered positional reader over one file ------------------------------------------ */
struct rdr {
	int fd;
	int64_t fsize;   /* reads never go past this */
	uint8_t *buf;
	size_t cap;
	size_t want;     /* bytes to read on a refill (<= cap) */
	int64_t off;     /* file position of buf[0] */
	size_t len;      /* valid bytes in buf */
	bool err;        /* a read failed (I/O error), not merely short */
};
void rdr_init(struct rdr *r, int fd, int64_t fsize, uint8_t *buf, size_t cap, size_t want);
/* Returns a pointer to bytes [pos, pos + n) (n <= cap), or NULL when they lie past fsize or
 * a read failed (then r->err is set). */
const uint8_t *rdr_get(struct rdr *r, int64_t pos, size_t n);
/* The batch header at pos, range-checked against fsize: 1 ok, 0 invalid/incomplete, -1 I/O. */
int rdr_header(struct rdr *r, int64_t pos, struct rb_hdr *h);
/* CRC-32C of bytes [pos, end) through the buffer; false on an I/O error or short file. */
bool rdr_crc(struct rdr *r, int64_t pos, int64_t end, uint32_t *crc);

/* ---- Segments ---------------------------------------------------------------------------- */
struct oidx_ent {
	int32_t rel; /* last offset of the indexed batch - segment base */
	int32_t pos; /* file position of that batch */
};
struct tidx_ent {
	int64_t ts;  /* largest batch maxTimestamp so far */
	int32_t rel; /* last offset of the batch that first reached it - base */
};

/* One aborted transaction of a segment's .txnindex (Kafka's AbortedTxn; 34 bytes on disk). */
struct txi_ent {
	int64_t pid;
	int64_t first; /* first offset of the transaction on this partition */
	int64_t last;  /* offset of the ABORT marker (strictly ascending in a segment) */
	int64_t lso;   /* last stable offset at the abort (fact sheet §B7) */
};
#define TXI_ENTRY_SIZE 34

struct log_segment {
	atomic_int refs;
	int64_t base;
	char *path;            /* "<dir>/<20-digit base>"; the suffixes are added on use */
	bool deleted;          /* the files were renamed to <name>.deleted */
	const char *tmp_ext;   /* ".cleaned" / ".swap" while a cleaned segment is being swapped in
	                        * (a static string), NULL for the final names */
	bool gap_before;       /* base is past the previous segment's end (recovered that way) */
	bool idx_dirty;        /* index files have writes a flush has not synced yet */
	int fd;                /* .log, read-write */
	int ofd, tfd;          /* .index, .timeindex; -1 while closed (flushed, inactive) */
	int64_t size;          /* bytes of complete batches */
	int64_t next_offset;   /* last offset + 1, base while empty */
	int64_t max_ts;        /* largest batch maxTimestamp, -1 none */
	int64_t max_ts_off;    /* last offset of the first batch with max_ts, -1 none */
	int64_t first_append_ms; /* when the first batch went in (segment.ms), -1 while empty */
	int64_t last_append_ms;  /* retention fallback when batches carry no timestamps */
	struct oidx_ent *oidx;
	size_t on, ocap;
	struct tidx_ent *tidx;
	size_t tn, tcap;
	struct txi_ent *txi;   /* the .txnindex entries (the file exists once one was written) */
	size_t xn, xcap;
	int xfd;               /* .txnindex, -1 while closed */
};

#define OIDX_ENTRY_SIZE 8
#define TIDX_ENTRY_SIZE 12

struct log_segment *seg_new(const char *dir, int64_t base);
void seg_path(const struct log_segment *s, const char *suffix, char *buf, size_t n);
KB_MUST_USE int seg_create_files(struct log_segment *s);       /* new, empty segment: 0 / -1 */
KB_MUST_USE int seg_open_index_fds(struct log_segment *s);     /* opens .index/.timeindex if closed */
void seg_close_index_fds(struct log_segment *s);
KB_MUST_USE int seg_rename_deleted(struct log_segment *s);     /* <name> -> <name>.deleted */
/* Renames the three files from their current names to <base>.<kind><ext> (ext NULL: the final
 * names) and records ext. 0, or -1 when a rename failed (warned; tmp_ext unchanged). */
int seg_rename_ext(struct log_segment *s, const char *ext);
void seg_unlink_files(const struct log_segment *s);

/* Accounts a batch at `pos` in memory (size, next offset, max timestamp, index entries by
 * the rule above). Sets *oadd / *tadd when it added an entry. */
void seg_note_batch(struct log_segment *s, int64_t pos, const struct rb_hdr *h,
                    int32_t interval, bool *oadd, bool *tadd);
/* Writes entries [ofrom, on) and [tfrom, tn) and truncates the files after them. */
KB_MUST_USE int seg_write_index_tail(struct log_segment *s, size_t ofrom, size_t tfrom);
/* Appends `len` bytes of whole, checked batches, contiguous in offset from next_offset, with
 * one pwrite, plus their index entries: 0, or -1 with nothing changed. */
KB_MUST_USE int seg_append(struct log_segment *s, const uint8_t *buf, size_t len, int32_t interval,
               int64_t now_ms);
/* Adds the final time index entry (segment stops being active): 0 / -1. */
KB_MUST_USE int seg_finalize_time(struct log_segment *s);
/* Position of the greatest offset index entry with offset <= off (0 when none). */
int64_t seg_oidx_pos(const struct log_segment *s, int64_t off);
/* The first batch whose last offset >= off: 0 with its position and header, 1 when none
 * (off >= next_offset), -1 on an I/O error or an inconsistent file. */
KB_MUST_USE int seg_find(const struct log_segment *s, struct rdr *r, int64_t off, int64_t *pos,
             struct rb_hdr *h);
/* The greatest batch boundary in [from, limit] (from is a boundary): -1 on error. */
int64_t seg_boundary_le(const struct log_segment *s, struct rdr *r, int64_t from, int64_t limit);
/* Recomputes max_ts/max_ts_off from the time index's last entry and a header scan from the
 * last offset index entry to the end. 0 / -1. */
KB_MUST_USE int seg_reload_max_ts(struct log_segment *s, struct rdr *r);
/* Drops everything from position pos (a batch boundary holding offset new_next). */
KB_MUST_USE int seg_truncate(struct log_segment *s, int64_t pos, int64_t new_next);
/* Largest timestamp for retention: max_ts, or the last append time without timestamps. */
int64_t seg_largest_ts(const struct log_segment *s);

/* ---- Aborted-transaction index (txnindex.c) ------------------------------------------------ */
/* Reads <base>.txnindex (missing: no entries; a trailing partial entry, an entry of another
 * version or one whose last offset does not ascend ends it, warned, and the file is cut after
 * the entries kept). Leaves the file closed. */
void seg_txi_load(struct log_segment *s);
/* Appends an entry to the file (created on first use) and the array, unless its last offset
 * is not above the segment's last entry (already there: recovery replays). 0 / -1 (warned). */
KB_MUST_USE int seg_txi_append(struct log_segment *s, const struct txi_ent *e);
/* Drops the entries with last offset >= off (file cut to match). */
void seg_txi_truncate(struct log_segment *s, int64_t off);
/* Writes every entry to a new .txnindex under the segment's current names (the cleaner's
 * output), fsynced. Nothing when there are none. 0 / -1. */
KB_MUST_USE int seg_txi_write_all(struct log_segment *s);
/* A marker appended to segment s at m->offset: closes the producer's transaction in the
 * state and indexes it in s when it was aborted. */
struct pstate_marker;
void plog_txn_marker(struct plog *l, struct log_segment *s, const struct pstate_marker *m);
/* The COMMIT/ABORT marker of a whole uncompressed control batch p[0, size): false when it
 * cannot be read (empty, compressed, malformed: Kafka ignores such a batch). */
bool rb_marker_parse(const uint8_t *p, size_t size, bool *commit, int32_t *coord_epoch);

/* ---- Leader epoch cache (epoch.c) -------------------------------------------------------- */
struct epoch_ent {
	int32_t epoch;
	int64_t start; /* first offset of the epoch */
};
struct epoch_cache {
	struct epoch_ent *e; /* epochs strictly ascending, start offsets non-decreasing */
	size_t n, cap;
	bool dirty;          /* differs from the file: the next flush job rewrites it */
};

#define EPOCH_CKPT_FILE "leader-epoch-checkpoint"

void epc_free(struct epoch_cache *c);
/* Kafka's assign: data of `epoch` starts at `start`. Nothing when the latest entry already
 * covers it; otherwise entries that would break the order (epoch >= epoch or start >= start)
 * go first, so the cache follows the log even if a leader sends an older epoch. */
void epc_assign(struct epoch_cache *c, int32_t epoch, int64_t start, const char *dir);
/* A batch recovery verified: added only when its epoch is above the latest (its start then
 * not below the latest entry's start). */
void epc_recovered(struct epoch_cache *c, int32_t epoch, int64_t base);
void epc_truncate_end(struct epoch_cache *c, int64_t end);   /* drops start >= end */
/* The log start moved to `start`: entries wholly before it go, the one covering it starts
 * there (Kafka's truncateFromStart). */
void epc_truncate_start(struct epoch_cache *c, int64_t start);
void epc_clear(struct epoch_cache *c);
/* Reads <dir>/leader-epoch-checkpoint; missing: empty; malformed: empty, warned, dirty. */
void epc_load(struct epoch_cache *c, const char *dir);
/* Rewrites <dir>/leader-epoch-checkpoint through a tmp file; durable: fsync the file before
 * the rename and the directory after it. 0 / -1. @any-thread */
int epc_write(const char *dir, const struct epoch_ent *e, size_t n, bool durable);

/* ---- Checkpoint files (checkpoint.c): "0\n<n>\n" then n entry lines ---------------------- */
/* Parses one entry line (no newline) into ctx; false: malformed. */
typedef bool (*ckpt_parse_fn)(void *ctx, char *line);
/* Prints entry i without its newline; false on an output error. */
typedef bool (*ckpt_print_fn)(FILE *f, const void *ctx, size_t i);
/* 0 ok, 1 missing (nothing parsed), -1 unreadable or malformed (warned; the caller drops what
 * was parsed). */
int ckpt_read_file(const char *path, ckpt_parse_fn parse, void *ctx);
/* Writes "<path>.tmp" and renames it over path (see epc_write for durable). 0 / -1 warned. */
int ckpt_write_file(const char *path, size_t n, ckpt_print_fn print, const void *ctx,
                    bool durable);
/* A decimal in [lo, hi]: no sign but '-', no spaces, nothing after it. */
bool ckpt_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* ---- Recovery ---------------------------------------------------------------------------- */
enum seg_trust {
	TRUST_NONE,    /* entirely at/after the recovery point: CRC-scan every batch */
	TRUST_PARTIAL, /* holds the recovery point: trust the index below it, scan from there */
	TRUST_ALL,     /* entirely below the recovery point: trust the .log, check the indexes */
};
/* Loads an existing segment (its .log is open in s->fd). Sets *trunc_off to the offset where
 * the .log was truncated (-1 when it was not). Every batch it verifies (those ending at or
 * after the recovery point) goes to epc_recovered(ec) unless ec is NULL. 0, or -1 on an I/O
 * error (err filled). */
KB_MUST_USE int seg_recover(struct log_segment *s, enum seg_trust trust, int64_t recovery_point,
                int32_t interval, struct rdr *r, struct epoch_cache *ec, int64_t *trunc_off,
                char *err, size_t errlen);

/* Debug counters (tests, measurements): bytes of batches whose CRC recovery verified, and
 * bytes of batches whose headers recovery walked (CRC-verified or not). Atomic because
 * plog_open of distinct logs may run on parallel threads at startup. */
extern _Atomic int64_t log_debug_crc_bytes;
extern _Atomic int64_t log_debug_scan_bytes;

/* Crash injection for the cleaner's tests (a forked child dies with _exit(99) at that step of
 * plog_clean_complete); 0, the default, never. */
enum {
	LOG_CLEAN_CRASH_RUN = 1,           /* .cleaned files written, nothing renamed */
	LOG_CLEAN_CRASH_SWAP,              /* a group's .cleaned -> .swap done */
	LOG_CLEAN_CRASH_FIRST_DELETED,     /* its first old segment renamed to .deleted */
	LOG_CLEAN_CRASH_ALL_DELETED,       /* all its old segments renamed */
	LOG_CLEAN_CRASH_FINAL,             /* its .swap -> final names done (the first group) */
};
extern int log_debug_clean_crash_at;

/* ---- The partition log ------------------------------------------------------------------- */
struct plog {
	char *dir;
	struct log_config cfg;
	struct log_segment **segs;
	size_t n, cap;
	int64_t log_start;
	int64_t leo;
	int64_t recovery_point;
	uint64_t gen;             /* bumped by truncation: a flush prepared before it is stale */
	bool flush_inflight;
	bool dir_dirty;           /* files were created since the last directory fsync */
	struct log_segment **pending_del; /* detached by truncation, deleted by the next job */
	size_t npending;
	struct epoch_cache epochs;
	uint64_t appends;         /* debug checks (KB_DEBUG_CHECKS): writes so far, see plog.c */
	/* Producer state (pstate_log.c). */
	struct pstate *ps;
	int64_t ps_map_end;       /* the state covers offsets below it */
	int64_t ps_snap_off;      /* offset of the newest snapshot written or pending, -1 none */
	uint8_t *snap_buf;        /* a roll's snapshot waiting for the next flush job */
	size_t snap_len;
	int64_t snap_pending_off;
	bool clean_inflight;      /* a clean job is prepared and not yet completed */
};

/* Producer state hooks (pstate_log.c). */
void plog_pstate_open(struct plog *l, int64_t now_ms);   /* after recovery */
void plog_pstate_note(struct plog *l, const uint8_t *p, size_t len); /* appended batches */
void plog_pstate_roll(struct plog *l);                   /* a new active segment at the LEO */
void plog_pstate_truncated(struct plog *l, int64_t now_ms);
void plog_pstate_reset(struct plog *l);                  /* truncate fully: all goes */
void plog_pstate_close(struct plog *l);                  /* snapshot at the LEO */
void plog_pstate_drop_snapshot(struct plog *l, int64_t off); /* unlinks <off>.snapshot */
void plog_pstate_free(struct plog *l);

#define LOG_SCAN_BUF (1u << 20)
#define LOG_HDR_BUF 8192

void plog_push_segment(struct plog *l, struct log_segment *s);
/* Frees the log and drops its segment references without touching any file. */
void plog_discard(struct plog *l);
/* Renames the segment's files to *.deleted and moves it to the pending-deletion list (the
 * caller removes it from segs[]). -1 (logged) when its files stayed under their live names:
 * the segment is detached in memory but would load again at the next open. */
KB_MUST_USE int plog_detach_segment(struct plog *l, struct log_segment *s);
/* Index of the segment with the greatest base <= off (0 when off is below every base). */
size_t plog_floor_index(const struct plog *l, int64_t off);
struct log_segment *plog_active(const struct plog *l);
/* Starts a new active segment at the LEO (the old one must be non-empty). 0 or -1. */
KB_MUST_USE int plog_roll(struct plog *l);

#endif
