/* cleaning.h — the broker's log cleaner (Kafka's LogCleanerManager over log/cleaner.c).
 *
 * log.cleaner.threads cleaner threads (their own threads: never the event loop, never the
 * fsync worker), each cleaning one log at a time. Every log.cleaner.backoff.ms an idle thread
 * looks for work: the partitions whose cleanup.policy has compact are tried in turn
 * (round-robin from where the last search stopped), and the first whose log is eligible
 * (plog_clean_prepare: dirty ratio above min.cleanable.dirty.ratio, or max.compaction.lag.ms
 * passed) is cleaned; after a pass the thread looks again at once. Leaders and followers
 * alike clean their own logs. Each pass logs one line (log/cleaner.c) and moves the
 * partition's first dirty offset, which is written to <log dir>/cleaner-offset-checkpoint
 * (Kafka's format) at the next tick. The dedupe buffer and the I/O limit are split evenly
 * between the threads. A partition being cleaned counts one job (p->jobs), so deletion waits
 * for the pass. cleaning_stop() waits for the passes in flight (they complete normally).
 * @thread event loop only. */
#ifndef KB_SERVER_CLEANING_H
#define KB_SERVER_CLEANING_H

#include "../../common/kb.h"

struct broker;
struct cleaning;

/* NULL when log.cleaner.enable is false or log.cleaner.threads is 0. */
struct cleaning *cleaning_start(struct broker *b, const char *const *dirs, int ndirs);
void cleaning_tick(struct cleaning *c, int64_t now_mono);
/* The dedupe buffer, its load factor or the I/O limit changed (dynamic broker configs): the
 * next passes use the new values (split between the threads); passes in flight finish with
 * theirs. The thread count is fixed at start. c may be NULL. */
struct kb_config;
void cleaning_reconfigure(struct cleaning *c, const struct kb_config *cfg);
void cleaning_stop(struct cleaning *c);

#endif
