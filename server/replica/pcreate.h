/* pcreate.h — new replicas' logs are created and opened on a worker thread (one of their
 * own, so never queued behind a slow fsync), not on the event loop.
 *
 * A new log is a directory and the three files of its first segment: the file system's inode
 * allocation costs about a millisecond per file on this machine (several under ASan), so an
 * internal topic's 50 partitions arriving at once stalled every request on the loop for
 * 100+ ms. plog_open is safe on any thread for distinct logs, so the loop only asks:
 * pcreate_take() for a partition it does not have yet; when absent, pcreate_start() submits
 * the job; when the job is done the `ready` callback runs on the loop (pm_sync again), and
 * the next pcreate_take() hands over the opened log. Until then the partition does not exist
 * on this broker, as before it was assigned, and this broker's Metadata answers do not name
 * it the leader (LEADER_NOT_AVAILABLE; server/api/api_meta.c), as a Kafka broker's do not
 * before its LeaderAndIsr.
 *
 * Entries are bounded by the partitions assigned to this broker. A log opened for a partition
 * that is no longer assigned by the time it is ready is handed over by pcreate_orphan(), so
 * the caller removes it the way it removes any unassigned log. */
#ifndef KB_SERVER_PCREATE_H
#define KB_SERVER_PCREATE_H

#include "../../common/kb.h"
#include "../../log/log.h"

struct pcreate;
struct worker;

/* What a new log needs, decided on the loop. */
struct pcreate_spec {
	const char *path;       /* the partition's directory */
	int dir_index;          /* its log dir */
	struct log_config cfg;
	int64_t recovery_point;
	int64_t log_start;      /* -1: unknown */
};

/* `ready(arg)` runs on the loop each time a log was opened (not after a failure: a failed
 * creation is retried at the next pass, as metadata changes bring one). */
struct pcreate *pcreate_new(struct worker *w, void (*ready)(void *arg), void *arg);

enum pcreate_status {
	PCREATE_ABSENT, /* never started (or taken since): pcreate_start() */
	PCREATE_WAIT,   /* submitted, not done yet */
	PCREATE_OPENED, /* *log is the opened log, now the caller's; *dir_index where it lives */
	PCREATE_FAILED  /* the worker could not create or open it (logged); asked again later,
	                   it starts over */
};
/* `pass` marks the entry as still wanted (pcreate_orphan). */
enum pcreate_status pcreate_take(struct pcreate *pc, const char *topic, int32_t id,
                                 uint64_t pass, struct plog **log, int *dir_index);
/* Submits the creation of a partition pcreate_take() found ABSENT. */
void pcreate_start(struct pcreate *pc, const char *topic, int32_t id,
                   const struct pcreate_spec *spec, uint64_t pass);
/* An opened log not asked for in pass `pass` (its partition is no longer assigned here):
 * returns true and hands it over (the caller removes it); false when there is none. */
bool pcreate_orphan(struct pcreate *pc, uint64_t pass, char **topic, int32_t *id,
                    char **path, int *dir_index, struct plog **log);
/* Jobs submitted and not yet taken, per log dir (placement counts them as used). */
int pcreate_in_dir(const struct pcreate *pc, int dir_index);
/* After the worker stopped: closes logs never taken, frees everything. */
void pcreate_free(struct pcreate *pc);

#endif
