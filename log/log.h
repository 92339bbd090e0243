/* log.h — partition logs in Kafka's on-disk format.
 *
 * Layout (the same as Kafka's, so the files can be inspected with Kafka's DumpLogSegments):
 *   <log.dir>/<topic>-<partition>/
 *       <20-digit base offset>.log        concatenated magic-2 RecordBatches, offsets assigned
 *       <20-digit base offset>.index      8-byte entries: int32 relative offset, int32 position
 *       <20-digit base offset>.timeindex  12-byte entries: int64 timestamp, int32 relative offset
 *       <20-digit base offset>.txnindex   34-byte entries: aborted transactions whose ABORT
 *                                         marker is in the segment (created on first use)
 *       leader-epoch-checkpoint           "0\n<n>\n<epoch> <start offset>\n"...: the log's
 *                                         leader epoch cache (below)
 *   <log.dir>/recovery-point-offset-checkpoint, log-start-offset-checkpoint,
 *   replication-offset-checkpoint         Kafka's text format: "0\n<n>\n<topic> <part> <off>\n"...
 *
 * Threads: every function here runs on the event loop EXCEPT the ones marked @any-thread.
 * Blocking work (fsync, deleting segment files) is done by the caller off the loop through
 * the job functions below, which touch only what they are handed.
 *
 * Invariants (checked by plog_check() in tests, and after writes in the sanitizer build):
 *   1. segments are sorted by base offset; each segment's batches are contiguous in offset;
 *      segment[i+1].base == last offset of segment[i] + 1 (or segment[i] is empty);
 *   2. log_end_offset == last batch's last offset + 1 (base of an empty active segment);
 *   3. every batch in a .log file is complete and CRC-valid up to the segment's size;
 *   4. an index entry never points past the segment's size; entries ascend in both fields;
 *   5. log_start_offset lies in [first segment base, log_end_offset];
 *   6. leader epoch entries: epochs strictly ascending, start offsets non-decreasing and in
 *      [log_start_offset, log_end_offset].
 */
#ifndef KB_LOG_H
#define KB_LOG_H

#include "../common/kb.h"
#include "../common/kerr.h"

#include <sys/types.h>

/* RecordBatch (magic 2) header fields, byte offsets (kafka-protocol.md §4.1). */
#define RB_BASE_OFFSET 0
#define RB_LENGTH 8
#define RB_LEADER_EPOCH 12
#define RB_MAGIC 16
#define RB_CRC 17
#define RB_ATTRIBUTES 21
#define RB_LAST_OFFSET_DELTA 23
#define RB_BASE_TIMESTAMP 27
#define RB_MAX_TIMESTAMP 35
#define RB_PRODUCER_ID 43
#define RB_PRODUCER_EPOCH 51
#define RB_BASE_SEQUENCE 53
#define RB_RECORDS_COUNT 57
#define RB_HEADER_SIZE 61
#define RB_LOG_OVERHEAD 12 /* baseOffset + batchLength: bytes not counted in batchLength */

/* Per-partition settings (topic config resolved against broker defaults by the caller). */
struct log_config {
	int64_t segment_bytes;        /* segment.bytes, default 1 GiB */
	int64_t segment_ms;           /* segment.ms, default 7 days */
	int32_t index_interval_bytes; /* index.interval.bytes, default 4096 */
	int32_t max_message_bytes;    /* max.message.bytes, default 1048588 */
	int64_t retention_ms;         /* retention.ms, default 7 days; -1 = unlimited */
	int64_t retention_bytes;      /* retention.bytes, default -1 = unlimited */
	int64_t flush_messages;       /* flush.messages; INT64_MAX = never by count */
	int64_t flush_ms;             /* flush.ms; INT64_MAX = never by time */
	bool message_timestamp_log_append; /* message.timestamp.type=LogAppendTime */
	int64_t producer_id_expiration_ms; /* producer.id.expiration.ms (broker), default 1 day */
};
void log_config_defaults(struct log_config *c);

/* What validation learned about one batch (no per-record work for uncompressed batches). */
struct batch_info {
	int32_t records;          /* recordsCount */
	int32_t last_offset_delta;
	int64_t max_timestamp;
	int64_t base_timestamp;
	int16_t attributes;
	int64_t producer_id;
	int16_t producer_epoch;
	int32_t base_sequence;
	size_t size;              /* whole batch, RB_LOG_OVERHEAD included */
};

/* CRC-32C (Castagnoli), hardware-accelerated (SSE4.2) where the CPU has it. @any-thread */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

/* Validates a produce payload: exactly one magic-2 batch filling `len` exactly (Produce v3+
 * rule), batchLength consistent, CRC valid, recordsCount == lastOffsetDelta + 1 and >= 1 for
 * a producer batch, not a control batch, size <= max_message_bytes, compression codec 0-4.
 * Returns KERR_NONE or the Kafka error code (CORRUPT_MESSAGE for a CRC/length mismatch,
 * INVALID_RECORD for inconsistent fields, MESSAGE_TOO_LARGE, UNSUPPORTED_COMPRESSION_TYPE).
 * @any-thread */
int batch_validate(const uint8_t *p, size_t len, int32_t max_message_bytes,
                   struct batch_info *info);

struct plog;
struct log_segment;

/* Opens (creating if needed) the log in `dir`, recovering it: segments after `recovery_point`
 * are scanned batch by batch; a torn or corrupt tail is truncated away; missing, short or
 * inconsistent indexes are rebuilt; the leader epoch cache is loaded and completed (see Leader
 * epochs). `log_start_offset` comes from the checkpoint (-1 = unknown: the first segment's
 * base). Returns 0 or -1 with err. @any-thread for distinct logs (startup may recover
 * partitions in parallel, then hand them to the loop). */
KB_MUST_USE int plog_open(const char *dir, const struct log_config *cfg, int64_t recovery_point,
              int64_t log_start_offset, struct plog **out, char *err, size_t errlen);
/* No fsync (flush first for a clean shutdown); unlinks files still waiting for deletion;
 * writes a dirty leader-epoch-checkpoint (without fsync). Every prepared flush job of the log
 * must have completed. */
void plog_close(struct plog *l);
/* Replaces the log's settings (topic configs change live). */
void plog_set_config(struct plog *l, const struct log_config *cfg);

int64_t plog_start_offset(const struct plog *l);
int64_t plog_end_offset(const struct plog *l);   /* LEO */
int64_t plog_size_bytes(const struct plog *l);
int64_t plog_unflushed_messages(const struct plog *l);
int64_t plog_recovery_point(const struct plog *l); /* every offset below is fsynced */
/* Base offset of the active segment: it changes when an append rolled a new segment (the
 * caller then flushes what came before, as Kafka does, so the recovery point advances). */
int64_t plog_active_base(const struct plog *l);

/* Appends one validated batch whole: sets baseOffset = LEO and partitionLeaderEpoch in place
 * (outside the CRC; with LogAppendTime also the timestamp type and maxTimestamp, recomputing
 * the CRC), rolls the segment first if needed (segment.bytes / segment.ms / index full), adds
 * index entries every index_interval_bytes, writes with one write(). Either the whole batch is
 * in the file and the LEO moved, or nothing changed (a short write is truncated back).
 * Returns KERR_NONE or KERR_KAFKA_STORAGE_ERROR. */
KB_MUST_USE int plog_append(struct plog *l, uint8_t *batch, size_t len, const struct batch_info *info,
                int32_t leader_epoch, int64_t now_ms, int64_t *base_offset);

/* Follower: appends batches fetched from the leader as they are (offsets, epochs, timestamps
 * untouched). `buf` holds zero or more concatenated magic-2 batches (a Fetch response's
 * records); a trailing incomplete batch is left alone. Each complete batch is checked
 * (magic, batchLength in [49, 1 GiB], CRC, lastOffsetDelta >= 0; control and transactional
 * batches are fine, max.message.bytes does not apply); one wholly below the LEO is skipped
 * (held already); otherwise it must start at or above the LEO (above: the leader's log was
 * compacted there, and the follower's log gets the same gap, as in Kafka). Written through the same path
 * as plog_append (rolls, indexes), consecutive batches bound for one segment with one write.
 * Returns KERR_NONE, KERR_CORRUPT_MESSAGE (a bad batch), KERR_OFFSET_OUT_OF_RANGE (a batch
 * overlaps the LEO: the follower's position is wrong) or
 * KERR_KAFKA_STORAGE_ERROR; on an error, the whole batches before the failing one stay
 * appended. *consumed (may be NULL): bytes of buf taken (appended or skipped). */
KB_MUST_USE int plog_append_replica(struct plog *l, const uint8_t *buf, size_t len, int64_t now_ms,
                        size_t *consumed);

/* Where fetching from `offset` starts: a file range covering whole batches from the batch
 * containing `offset`, up to `max_bytes` but at least one whole batch when `min_one`, never
 * past offset `upto` (the high watermark; batches are included only if they end below it).
 * The range lies in one segment (the caller asks again for more). *seg holds a reference the
 * caller releases with log_segment_unref(), so retention cannot close the file under an
 * in-flight sendfile. Returns KERR_NONE with len 0 at the end of the log,
 * KERR_OFFSET_OUT_OF_RANGE outside [log start, LEO]. When len is 0, seg is NULL (nothing to
 * release; log_segment_unref(NULL) is a no-op). An offset in a gap between segments reads from
 * the next batch (first_offset > offset), as Kafka does. */
struct log_read {
	struct log_segment *seg;
	int fd;
	off_t pos;
	size_t len;
	int64_t first_offset; /* base offset of the first batch in the range */
	int64_t next_offset;  /* offset after the range's last batch (its upper bound) */
};
KB_MUST_USE int plog_read(struct plog *l, int64_t offset, size_t max_bytes, bool min_one, int64_t upto,
              struct log_read *out);
void log_segment_ref(struct log_segment *s);
void log_segment_unref(struct log_segment *s); /* @any-thread (atomic) */

/* ListOffsets by timestamp: the first offset whose batch maxTimestamp >= ts (via the time
 * index, then a scan of that segment's batch headers). -1 offset when none. Never below the
 * log start. In an uncompressed CreateTime batch the answer is the first record with
 * timestamp >= ts and its timestamp (as Kafka answers; one batch read, records walked with
 * bounds checks); otherwise the batch's first offset and its maxTimestamp. The special
 * timestamps -1/-2/-3 (latest/earliest/max) are the caller's. */
KB_MUST_USE int plog_offset_for_timestamp(struct plog *l, int64_t ts, int64_t *offset, int64_t *timestamp);
/* ListOffsets MAX_TIMESTAMP: the offset and timestamp of the record batch with the largest
 * timestamp (the batch's last offset). */
KB_MUST_USE int plog_max_timestamp(struct plog *l, int64_t *offset, int64_t *timestamp);

/* Truncation (a follower finding where it diverges): drops everything at or above `offset`.
 * A batch holding `offset` goes whole (the LEO may end below `offset`); so do the epoch
 * entries starting at or above the new LEO. Nothing happens when offset >= LEO. Below the
 * first segment the log restarts empty at `offset` (log start and recovery point too; the
 * epoch cache is cleared). Dropped segments are renamed to *.deleted at once; the next
 * plog_retention_prepare() job unlinks them. A flush prepared before a truncation does not
 * move the recovery point. KERR_NONE; KERR_OFFSET_OUT_OF_RANGE (offset < 0);
 * KERR_KAFKA_STORAGE_ERROR when a file could not be cut (the LEO may then stay above
 * `offset`) or a dropped segment's files could not be renamed nor removed (the log is
 * truncated in memory, but those files would load again at the next open). */
KB_MUST_USE int plog_truncate_to(struct plog *l, int64_t offset);
/* Kafka's truncateFullyAndStartAt (a follower whose log ends below its leader's log start):
 * every segment goes (as above), the log restarts empty at `offset` >= 0 (log start, LEO and
 * recovery point), the epoch cache is cleared. KERR_NONE, KERR_OFFSET_OUT_OF_RANGE (offset < 0)
 * or KERR_KAFKA_STORAGE_ERROR: nothing changed when the new segment could not be made; the
 * restart done, when an old segment's files could not be renamed nor removed (as above). */
KB_MUST_USE int plog_truncate_fully(struct plog *l, int64_t offset);
/* DeleteRecords: moves the log start forward (to at most the LEO: past it
 * KERR_OFFSET_OUT_OF_RANGE; never backwards). Segments wholly below it go at the next
 * plog_retention_prepare(). Epoch entries ending before it go, the one covering it starts
 * there (as whenever the log start moves: retention too). */
KB_MUST_USE int plog_advance_start(struct plog *l, int64_t new_start);

/* ---- Leader epochs (KIP-101, KIP-279) -----------------------------------------------------
 * The cache holds (epoch, start offset) for each leader epoch with data in the log: appends
 * add the epoch of each batch (plog_append: leader_epoch; plog_append_replica: each batch's
 * partitionLeaderEpoch; -1 is ignored) when it differs from the latest, as Kafka's
 * LeaderEpochFileCache.assign does: an entry is added at the batch's base offset, and the
 * latest entries it contradicts (epoch >= it, or start >= its base) are dropped first, with a
 * warning unless that was one entry without data. So an older epoch arriving after a newer
 * one (which a correctly truncated follower never sees) makes the cache follow the log.
 *
 * Persistence: <dir>/leader-epoch-checkpoint is never written on the event loop with fsync.
 * Each change marks the cache dirty; the next flush job (plog_flush_prepare) copies the
 * entries and log_flush_run rewrites the file (tmp file, fsync, rename, directory fsync) after
 * the data fsyncs; a failure fails the flush (the recovery point stays, the cache is dirty
 * again). plog_flush_prepare returns a job for a dirty cache even with no data to flush;
 * callers that schedule flushes by plog_unflushed_messages() should also schedule one when
 * plog_epochs_dirty(). plog_close writes a dirty cache without fsync. plog_open reads the file
 * (missing: empty; malformed: empty, with a warning), drops its entries from the recovery
 * point on and re-adds the epochs of the batches recovery verifies, then drops entries at or
 * past the LEO and cuts the first ones at the log start; so the cache is right after a crash
 * even if the file is stale or lost (below the recovery point the file is always current,
 * since the recovery point only moves after a flush that wrote the file). */
#define LOG_UNDEFINED_EPOCH (-1)
#define LOG_UNDEFINED_EPOCH_OFFSET (-1)
/* A leader that won `epoch` records (epoch, LEO) before any append (Kafka does on becoming
 * leader), if epoch is above the latest; an entry at the LEO without data goes when a later
 * epoch is assigned there. */
void plog_assign_epoch(struct plog *l, int32_t epoch);
/* The latest cached epoch, LOG_UNDEFINED_EPOCH when the cache is empty. */
int32_t plog_latest_epoch(const struct plog *l);
/* OffsetForLeaderEpoch, Kafka's LeaderEpochFileCache.endOffsetFor:
 *   epoch == the latest epoch            -> (epoch, LEO)
 *   epoch below the latest               -> (largest cached epoch <= epoch, start offset of
 *                                           the first cached epoch above it); when no cached
 *                                           epoch is <= epoch: (epoch, first entry's start)
 *   epoch above the latest, empty cache,
 *   or epoch < 0                         -> (LOG_UNDEFINED_EPOCH, LOG_UNDEFINED_EPOCH_OFFSET) */
void plog_epoch_end_offset(const struct plog *l, int32_t epoch, int32_t *out_epoch,
                           int64_t *out_end_offset);
/* The cache changed since its file was last written (or handed to a flush job). */
bool plog_epochs_dirty(const struct plog *l);

/* ---- Work that must leave the event loop -------------------------------------------------
 * The loop prepares a job, a worker thread runs it (@any-thread), the loop completes it. */

/* Flush: fsync every segment file with unflushed data up to the LEO at prepare time, and
 * rewrite leader-epoch-checkpoint when the epoch cache is dirty (see Leader epochs). */
struct log_flush_job;
/* NULL: nothing to flush (no data, no dirty epoch cache), or a flush of this log is still in
 * flight (one at a time). */
struct log_flush_job *plog_flush_prepare(struct plog *l);
KB_MUST_USE int log_flush_run(struct log_flush_job *j); /* @any-thread: fdatasync, epoch file; -errno */
/* Moves the recovery point (unless rc != 0 or a truncation happened since prepare). */
void plog_flush_complete(struct plog *l, struct log_flush_job *j, int rc);

/* Retention: detaches whole segments entirely older than retention.ms (by their largest
 * timestamp), beyond retention.bytes, or wholly below the log start offset; never the active
 * segment — but an active segment that is entirely past retention.ms is rolled first (as
 * Kafka does), so an idle partition's expired data goes too. The detached segments leave the log at once (reads no longer see them) and the
 * log start moves to the first remaining segment; their files are deleted by the job (which
 * also takes the files plog_truncate_to() dropped). NULL: nothing to delete. */
struct log_delete_job;
struct log_delete_job *plog_retention_prepare(struct plog *l, int64_t now_ms);
void log_delete_run(struct log_delete_job *j);   /* @any-thread: unlink, close, free */

/* Removes a whole partition directory (topic deletion): renamed at once to
 * "<dir>.<32 hex digits>-delete" (Kafka's naming), emptied and removed by the job. */
struct log_delete_job *plog_delete_prepare(struct plog *l); /* l is closed and freed */

/* ---- Compaction (cleaner.c) -----------------------------------------------------------------
 * One cleaning pass of one log, Kafka's LogCleaner: prepare on the loop, run on a cleaner
 * thread (never the loop, never the fsync worker), complete (the swap) on the loop.
 *
 * Range: the cleanable segments are the non-active ones that end at or below the last stable
 * offset plog_lso(l, hw) (C2: a transaction still open, or whose marker the HW has not
 * passed, is never cleaned), up to the first whose largest timestamp is within
 * min.compaction.lag.ms of now (they need not be flushed yet: the new segment is fsynced
 * before it replaces them, and recovery verifies it like any other). Dirty = the part at or
 * above `first_dirty` (the
 * cleaner-offset-checkpoint value; reset to the log start when outside [log start, LEO]).
 * Eligible when dirty bytes / cleanable bytes > min_dirty_ratio, or when a dirty segment's
 * first batch is older than max.compaction.lag.ms; prepare returns NULL otherwise.
 *
 * Pass: a bounded key map (MD5-sized 128-bit key hashes + offsets, 24 bytes a slot, filled to
 * map_load) takes the latest offset of every key in the dirty part, in offset order, batch by
 * batch; when the next batch could overflow it the pass ends before that batch (end offset):
 * the rest stays dirty for later passes. Then every cleanable segment with base < end offset
 * is rewritten, in groups of consecutive segments whose total size fits segment.bytes, each
 * group to one new segment named after its first base offset:
 *   - the key map skips control batches and the batches of aborted transactions (a
 *     transactional batch inside [first, marker) of a .txnindex entry of its producer, the
 *     entries of every segment copied at prepare); committed transactional data is mapped
 *     and compacted like plain data;
 *   - a record survives iff it has a key, its offset >= the map's offset for the key (or the
 *     key is not in the map), and it is not a tombstone whose batch's delete horizon has
 *     passed (KIP-534: a data batch without a horizon that keeps a tombstone of the cleaned
 *     range is rebuilt with one, attribute 0x40 and baseTimestamp = the pass's start +
 *     delete.retention.ms; record timestamps unchanged);
 *   - a batch whose records all survive is copied unchanged (compressed ones included);
 *     otherwise it is rebuilt with the kept records (same codec, base offset,
 *     lastOffsetDelta, producer fields, leader epoch, flags), or dropped when none is kept —
 *     except the last batch of a group, which stays as a 61-byte empty batch so the group's
 *     offset range survives in the new segment (the swap recovery relies on it), and the
 *     last batch of a producer in the producer state (Kafka's rule, C4: its data batch
 *     holding the last data offset, or its control batches at its epoch when the state
 *     holds no data batch), kept empty the same way;
 *   - transactions (C4, C5; details in cleaner_txn.h): the data of an aborted transaction is
 *     dropped whole; a COMMIT marker is kept while transactional data of its producer was
 *     met before it in this pass (since its previous COMMIT), an ABORT marker while data of
 *     its transaction was met (and dropped) in this pass, and then its .txnindex entry goes
 *     to the new segment (written and fsynced with it); other markers are removable: the
 *     first pass stamps them with a delete horizon (attribute 0x40, baseTimestamp = pass
 *     start + delete.retention.ms, KIP-534) and a pass at or after the horizon drops them
 *     (their .txnindex entries go at once: no data of theirs is left); an empty control batch
 *     is removable at once;
 *   - a batch the cleaner cannot decode is copied unchanged (never lose data).
 * Offsets never change; cleaned segments have gaps.
 *
 * Swap (C6 of the reference): run writes <base>.log/.index/.timeindex.cleaned and fsyncs them;
 * complete, per group: rename .cleaned -> .swap, put the new segment into the array, rename
 * the old segments to .deleted (unlinked by the next retention job; readers holding a
 * reference keep their descriptor), rename .swap -> final; the directory fsync rides on the
 * next flush. A crash at any point is finished or rolled back by plog_open. The pass is
 * dropped (its files unlinked) when the log changed under it: a truncation, or one of its
 * segments left the log (retention). At most one clean job per log; every prepared job must
 * be completed before plog_close. */
struct log_clean_params {
	int64_t first_dirty;        /* checkpoint value; -1: none (the log start) */
	double min_dirty_ratio;     /* min.cleanable.dirty.ratio */
	int64_t min_lag_ms;         /* min.compaction.lag.ms */
	int64_t max_lag_ms;         /* max.compaction.lag.ms */
	int64_t delete_retention_ms; /* delete.retention.ms */
	int64_t map_bytes;          /* this thread's share of log.cleaner.dedupe.buffer.size */
	double map_load;            /* log.cleaner.io.buffer.load.factor */
	double io_bytes_per_sec;    /* log.cleaner.io.max.bytes.per.second; <= 0: unlimited */
	int64_t now_ms;
	int64_t hw;                 /* the partition's high watermark: the range ends at or below
	                             * plog_lso(l, hw) (INT64_MAX: no HW applies, e.g. tools) */
	bool force;                 /* ignore the ratio (tests, tools) */
};
struct log_clean_stats {
	int64_t first_offset, end_offset; /* cleaned range; end_offset is the new first dirty */
	int64_t bytes_before, bytes_after, bytes_read;
	int64_t records_kept, records_removed, segments_in, segments_out;
	int64_t duration_ms;
	double dirty_ratio;
};
struct log_clean_job;
struct log_clean_job *plog_clean_prepare(struct plog *l, const struct log_clean_params *p);
/* @any-thread: builds the map and writes the .cleaned files. 0 or -1 (warned). */
int log_clean_run(struct log_clean_job *j);
/* Swaps the cleaned segments in when rc == 0 and the log did not change under the job
 * (returns 0 with *st filled; st->end_offset is the new cleaner checkpoint); otherwise
 * unlinks the job's files and returns -1. Frees the job. */
int plog_clean_complete(struct plog *l, struct log_clean_job *j, int rc,
                        struct log_clean_stats *st);
/* The first dirty offset a checkpoint value means for this log (C2's reset rule). */
int64_t plog_clean_first_dirty(const struct plog *l, int64_t checkpoint);

/* ---- Transactions (txnindex.c, pstate.h; fact sheet §B5, §B7) ---------------------------------
 * Every append (leader, replica, recovery replay) feeds the producer state: a transactional
 * data batch opens its producer's transaction, a COMMIT/ABORT control batch closes it; an
 * aborted one gets an entry in the .txnindex of the segment holding its marker. */
#define RB_MARKER_SIZE 78
/* The 78-byte control batch of a marker (attributes 0x30, lastOffsetDelta 0, both timestamps
 * now_ms, baseSequence -1, one record: key version 0 + type 0 ABORT / 1 COMMIT, value version
 * 0 + coordinator epoch), base offset 0, CRC set. plog_append stamps it like any batch (base
 * offset, leader epoch; LogAppendTime adds 0x08). Returns RB_MARKER_SIZE. @any-thread */
size_t rb_marker_build(uint8_t *out, int64_t pid, int16_t epoch, bool commit,
                       int32_t coord_epoch, int64_t now_ms);
/* Leader checks before appending a marker: KERR_NONE, KERR_INVALID_PRODUCER_EPOCH (epoch below
 * the producer's) or KERR_TRANSACTION_COORDINATOR_FENCED (coordinator epoch below the one of
 * its last marker). */
int plog_marker_check(const struct plog *l, int64_t pid, int16_t epoch, int32_t coord_epoch);
/* The last stable offset for high watermark hw: max(log start, min(hw, first unstable)),
 * where first unstable is the first offset of the earliest open transaction or of a completed
 * one whose marker is at or above hw (those below hw are forgotten here: call it whenever the
 * HW moved). */
int64_t plog_lso(struct plog *l, int64_t hw);
/* Aborted transactions a read_committed Fetch of [from, upper) returns (Kafka's rule): from the
 * segment holding `from` on, the .txnindex entries with last offset >= from and first offset
 * < upper, stopping after the first entry whose last stable offset is >= upper. *out is
 * kb_malloc'ed (NULL when none). 0, or -1 past KB_FETCH_MAX_ABORTED entries (nothing
 * returned). */
struct log_aborted {
	int64_t producer_id, first_offset;
};
int plog_aborted_txns(const struct plog *l, int64_t from, int64_t upper,
                      struct log_aborted **out, size_t *n);

/* ---- Checkpoint files (Kafka's format) ------------------------------------------------- */
struct ckpt_entry {
	char *topic;
	int32_t partition;
	int64_t offset;
};
KB_MUST_USE int ckpt_read(const char *path, struct ckpt_entry **entries, int *n); /* missing file: n = 0 */
KB_MUST_USE int ckpt_write(const char *path, const struct ckpt_entry *entries, int n); /* tmp+fsync+rename */
void ckpt_free(struct ckpt_entry *entries, int n);

/* ---- Idempotent producers (pstate.h, pstate_log.c) -----------------------------------------
 * Every append (leader or replica) records the batches that carry a producer id in the log's
 * producer state; snapshots "<20-digit offset>.snapshot" are written by the flush job after a
 * roll and by plog_close at the LEO, and plog_open loads the newest and replays the headers
 * after it. Truncation reloads; producers leave by expiry only. */
struct pstate;
struct pstate_dup;
/* Leader checks of Kafka 3.9 for a batch about to be appended (no-op for producer id < 0):
 * KERR_NONE, PSTATE_DUPLICATE (*dup: the original batch; append nothing),
 * KERR_INVALID_PRODUCER_EPOCH or KERR_OUT_OF_ORDER_SEQUENCE_NUMBER. */
int plog_producer_check(struct plog *l, const struct batch_info *info, struct pstate_dup *dup);
const struct pstate *plog_producers(const struct plog *l);
/* Removes producers whose last batch's max timestamp is producer.id.expiration.ms old. */
size_t plog_expire_producers(struct plog *l, int64_t now_ms);
/* A roll left a snapshot for the next flush job to write. */
bool plog_snapshot_pending(const struct plog *l);
/* Writes "<dir>/<20-digit off>.snapshot" (tmp file, rename; with fsyncs when durable).
 * 0 / -1 (warned). @any-thread */
int pstate_snapshot_write(const char *dir, int64_t off, const uint8_t *buf, size_t len,
                          bool durable);

/* For tests: asserts the invariants above; returns 0 or -1 with err. */
KB_MUST_USE int plog_check(struct plog *l, char *err, size_t errlen);

#endif
