/* logdirs.h — the broker's log directories (log.dirs): locking, meta.properties, checkpoint
 * files, and finding the partition directories already on disk. Private to server/. */
#ifndef KB_SERVER_LOGDIRS_H
#define KB_SERVER_LOGDIRS_H

#include "../../log/log.h"

struct logdir {
	char *path;
	int lock_fd;
	char *cluster_id;         /* from meta.properties, NULL when not written yet */
	int npartitions;          /* placement: new partitions go to the least used dir */
	struct ckpt_entry *rp, *ls, *hw; /* recovery points, log starts, high watermarks */
	int nrp, nls, nhw;
	struct ckpt_entry *cl;    /* cleaner-offset-checkpoint: first dirty offsets */
	int ncl;
};

/* Creates and locks each directory and reads meta.properties and the checkpoints. A
 * directory of another broker id is refused. Returns 0 or -1 with err. */
int logdirs_open(struct logdir *dirs, int n, int32_t broker_id, char *err, size_t errlen);
void logdirs_close(struct logdir *dirs, int n);
/* Checks every dir's cluster.id against `id`, writing meta.properties where it is missing.
 * Returns 0, or -1 with err when a directory belongs to another cluster. */
int logdirs_cluster(struct logdir *dirs, int n, int32_t broker_id, const char *id, char *err,
                    size_t errlen);
/* Looks a partition up in a checkpoint list; `fallback` when absent. */
int64_t ckpt_lookup(const struct ckpt_entry *e, int n, const char *topic, int32_t partition,
                    int64_t fallback);

/* Splits a partition directory's name "<topic>-<partition>" (the number after the last
 * '-', canonical decimal in [0, INT32_MAX]); false when it is not one. */
bool logdirs_parse_name(const char *name, char *topic, size_t tlen, int32_t *partition);

/* Calls fn for every "<topic>-<partition>" directory of `dir` (and removes the "-delete"
 * directories a previous run left behind). */
typedef void (*logdir_visit_fn)(const char *topic, int32_t partition, const char *path,
                                void *arg);
void logdirs_scan(const struct logdir *d, logdir_visit_fn fn, void *arg);

#endif
