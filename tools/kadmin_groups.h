/* kadmin_groups.h — the pieces shared by `kadmin groups ...` (kadmin_groups.c: list, describe,
 * delete; kadmin_groups_offsets.c: reset-offsets, delete-offsets; kadmin_groups_rpc.c: the
 * coordinator and ListOffsets calls; kadmin_groups_util.c: pure helpers, unit-tested).
 *
 * Groups live on their coordinators (the leader of a __consumer_offsets partition), never in
 * ZooKeeper, so every groups command talks to brokers, in either connection mode: the view
 * only supplies the live brokers and the partition leaders. */
#ifndef KB_TOOLS_KADMIN_GROUPS_H
#define KB_TOOLS_KADMIN_GROUPS_H

#include "kadmin.h"

#include "../net/kp.h"

#include <stdint.h>
#include <stdio.h>

/* Named limits of the command line (argv is the only input a user controls here). */
#define KG_MAX_TOPIC_SPECS 1000 /* --topic options of one command */

/* ---- Pure helpers (kadmin_groups_util.c) ------------------------------------------------ */

/* `--topic T[:P,P...]`: no partition list means every partition of T. */
struct kg_topic_spec {
	char *topic;
	int32_t *parts; /* nparts entries, each in [0, KB_MAX_PARTITIONS_PER_TOPIC) */
	int nparts;     /* 0: all partitions */
};
/* 0, or -1 with err (empty topic, a partition that is not a number in range, an empty list
 * entry, more than KB_MAX_PARTITIONS_PER_TOPIC entries). Free with kg_topic_spec_free. */
int kg_parse_topic_spec(const char *arg, struct kg_topic_spec *out, char *err, size_t errlen);
void kg_topic_spec_free(struct kg_topic_spec *s);

/* A consumer's assignment (ConsumerProtocolAssignment: int16 version >= 0, then
 * [topic STRING, partitions [INT32]], user_data NULLABLE BYTES; every version has this prefix
 * and newer versions' trailing bytes are ignored). Topic strings point into the input. */
struct kg_assigned_topic {
	struct kp_str topic;
	int32_t *parts;
	int nparts;
};
struct kg_assignment {
	struct kg_assigned_topic *topics;
	int ntopics;
};
/* 0 (an empty input is an empty assignment, as Kafka reads it) or -1 when malformed; counts
 * are checked against the bytes left before anything is allocated. */
int kg_decode_assignment(const uint8_t *buf, size_t len, struct kg_assignment *out);
void kg_assignment_free(struct kg_assignment *a);
/* "t1:0,1;t2:3" (partitions sorted as given), "-" for none. Caller frees. */
char *kg_assignment_str(const struct kg_assignment *a);

/* "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM|+HHMM]" → ms since the epoch. Without a zone the
 * local time zone applies, as in kafka-consumer-groups.sh. 0, or -1 when malformed. */
int kg_parse_datetime(const char *s, int64_t *ms);

enum kg_reset_mode { KG_TO_EARLIEST, KG_TO_LATEST, KG_TO_OFFSET, KG_TO_DATETIME, KG_SHIFT_BY };
/* The new committed offset for one partition, as kafka-consumer-groups.sh computes it:
 * earliest = log start, latest = log end, --to-offset N and --shift-by N (from `current`,
 * the committed offset, -1 if none) clamped to [start, end], --to-datetime = `by_time` (the
 * ListOffsets answer for the timestamp; -1: no record that late → log end). -1 when
 * shifting a partition without a committed offset. */
int kg_new_offset(enum kg_reset_mode m, int64_t arg, int64_t current, int64_t start,
                  int64_t end, int64_t by_time, int64_t *out);

/* Plain aligned columns: rows of cells, widths computed at print time. */
struct kg_table {
	char **cells; /* nrows * ncols, owned */
	int ncols, nrows, cap;
};
void kg_table_init(struct kg_table *t, int ncols);
/* Appends a row of ncols cells (copied; NULL prints "-"). */
void kg_table_row(struct kg_table *t, const char *const *cells);
void kg_table_print(const struct kg_table *t, FILE *out);
void kg_table_free(struct kg_table *t);

/* A partition row: committed offset (-1 none), log start/end (-1 unknown), owner. */
struct kg_part {
	char *topic;
	int32_t partition;
	int64_t committed;
	int64_t start, end, by_time;
	int16_t error;          /* ListOffsets error (KERR_*), KERR_NONE when start/end are set */
	const char *owner;      /* member id, or NULL */
	int64_t new_offset;
};
/* Rows are appended unsorted, then sorted once. */
/* Appends (topic, partition) with nothing known yet; returns the new row. */
struct kg_part *kg_part_add(struct kg_part **parts, int *n, const char *topic, int32_t partition);
/* Sorts by topic, then partition, and merges rows of the same partition into one (the
 * commit of one, the owner of another). */
void kg_parts_sort_unique(struct kg_part *parts, int *n);
/* Binary search in rows sorted by kg_parts_sort_unique; NULL if absent. */
struct kg_part *kg_part_find(struct kg_part *parts, int n, struct kp_str topic, int32_t partition);
void kg_parts_free(struct kg_part *parts, int n);

/* ---- Calls (kadmin_groups_rpc.c) ----------------------------------------------------------- */

/* Extracts the error that decides a retry from a decoded response at `version`. */
typedef int16_t (*kg_resp_error_fn)(const void *resp, int16_t version);

/* Sends `req` (api `key`, at least vmin) to the group's coordinator. While the coordinator
 * is unknown, loading, moving or unreachable (COORDINATOR_NOT_AVAILABLE,
 * COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR from FindCoordinator or from resp_error,
 * or a failed connection) it re-finds the coordinator and tries again every 200 ms until
 * --timeout-ms. On 0, *resp and *reply are as kadmin_call leaves them (free *reply) and
 * *version is the version used, *coordinator (if not NULL) the broker that answered; any
 * other error in the response is the caller's to read. */
int kg_coord_call(const struct kadmin *ka, struct view *v, const char *group, int16_t key,
                  int16_t vmin, const void *req, void *resp, struct outclient_reply **reply,
                  int16_t *version, int32_t *coordinator, kg_resp_error_fn resp_error,
                  char *err, size_t errlen);
/* The same for any FindCoordinator key type (1: a transactional id; kadmin_txns.c). */
int kg_coord_call_type(const struct kadmin *ka, struct view *v, int8_t key_type,
                       const char *group, int16_t key, int16_t vmin, const void *req,
                       void *resp, struct outclient_reply **reply, int16_t *version,
                       int32_t *coordinator, kg_resp_error_fn resp_error, char *err,
                       size_t errlen);

/* One group as DescribeGroups returns it; strings copied. */
struct kg_member {
	char *member_id, *instance_id, *client_id, *host; /* instance_id NULL: none */
	char *assignment;                                 /* kg_assignment_str, or NULL */
	struct kg_assignment as;                          /* topic strings point into `raw` */
	uint8_t *raw;
};
struct kg_group {
	int32_t coordinator;
	char *state, *protocol_type, *protocol;
	struct kg_member *members;
	int nmembers;
};
int kg_describe_group(const struct kadmin *ka, struct view *v, const char *group,
                      struct kg_group *out, char *err, size_t errlen);
void kg_group_free(struct kg_group *g);

/* The group's committed offsets (OffsetFetch, all topics): appends one kg_part per partition
 * with a commit to *parts (unsorted). */
int kg_fetch_offsets(const struct kadmin *ka, struct view *v, const char *group,
                     struct kg_part **parts, int *nparts, char *err, size_t errlen);
/* ListOffsets on each partition's leader (from the view) with `timestamp` (-1 latest,
 * -2 earliest, else ms): stores the offset in end (-1), start (-2) or by_time. `parts` must
 * be sorted and unique (kg_parts_sort_unique). While a partition has no leader or its
 * leader answers NOT_LEADER_OR_FOLLOWER (or cannot be reached, ...), the view is refreshed
 * and the partition asked again, every 200 ms up to --timeout-ms; the last error stays in
 * ->error (KERR_NONE once the offset is stored). */
int kg_list_offsets(const struct kadmin *ka, struct view *v, struct kg_part *parts, int n,
                    int64_t timestamp);

/* ---- Commands (kadmin_groups_offsets.c) ------------------------------------------------- */

int groups_reset_offsets(const struct kadmin *ka, int argc, char **argv);
int groups_delete_offsets(const struct kadmin *ka, int argc, char **argv);
/* The partitions named by the specs, checked against the view: 0, or -1 after printing why
 * (unknown topic, partition out of range). */
int kg_expand_specs(const struct md_cache *md, const struct kg_topic_spec *specs, int nspecs,
                    struct kg_part **parts, int *nparts);

#endif
