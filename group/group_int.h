/* group_int.h — the coordinator's internal structures, shared by the files of group/ only. */
#ifndef KB_GROUP_INT_H
#define KB_GROUP_INT_H

#include "../common/kerr.h"
#include "../common/limits.h"
#include "group.h"

#define GROUP_NEVER INT64_MAX
/* Most timer actions one group runs in one group_tick. */
#define GROUP_TICK_MAX_STEPS 64
/* Kafka's NewMemberJoinTimeoutMs: a new member parked in JoinGroup is dropped after this. */
#define GROUP_NEW_MEMBER_JOIN_TIMEOUT_MS (5 * 60 * 1000)

struct gproto {
	char *name;
	uint8_t *meta;
	int32_t len;
};

struct gmember {
	char *id, *instance_id, *client_id, *client_host;
	int32_t session_ms, rebalance_ms;
	int nprotos;
	struct gproto *protos;
	uint8_t *assignment;
	int32_t assignment_len;
	void *join_handle; /* parked JoinGroup (awaiting join) */
	bool awaiting_join;
	void *sync_handle; /* parked SyncGroup */
	bool awaiting_sync;
	bool is_new;
	bool pending_sync; /* has not sent SyncGroup in this generation */
	int64_t hb_deadline;
};

struct gpending_member {
	char *id;
	int64_t deadline;
};

struct gtxn_pend;

struct goffset {
	struct goffset *next; /* hash chain */
	char *topic;
	int32_t partition;
	bool present;  /* false: only a commit in flight, or transactional ones pending */
	int pending;   /* commits in flight for this partition */
	struct gtxn_pend *txn; /* pending transactional commits (one per producer) */
	uint64_t pos;  /* log order of the committed value's record (see group.h, Log order) */
	int64_t offset;
	int32_t leader_epoch;
	char *metadata;
	int64_t commit_ts, expire_ts;
};

/* One producer's pending transactional offsets in one group (Kafka's
 * pendingTransactionalOffsetCommits(pid)); indexed by producer id in the coordinator. */
struct gtxn {
	struct gtxn *gnext;       /* the group's list */
	struct gtxn *pnext;       /* the coordinator's producer-id hash chain */
	struct group *g;
	int64_t pid;
	struct gtxn_pend *pends;  /* doubly linked through tprev/tnext */
	int npends;
};

/* A pending transactional offset of one partition (Kafka's CommitRecordMetadataAndOffset). */
struct gtxn_pend {
	struct gtxn_pend *onext;  /* the partition's list (goffset.txn) */
	struct gtxn_pend *tprev, *tnext;
	struct goffset *o;
	struct gtxn *t;
	uint64_t pos;             /* log order of its record */
	int64_t offset;
	int32_t leader_epoch;
	char *metadata;
	int64_t commit_ts;
	/* The value this one replaced while its append is in flight: back if that fails. */
	struct {
		bool set;
		uint64_t pos;
		int64_t offset;
		int32_t leader_epoch;
		char *metadata;
		int64_t commit_ts;
	} prev;
};

struct group {
	struct group *next; /* hash chain */
	char *id;
	enum group_state state;
	int32_t generation;
	char *protocol_type, *protocol, *leader; /* NULL: none */
	int64_t state_ts;
	struct gmember **members;
	int nmembers, members_cap;
	struct gpending_member *pending;
	int npending, pending_cap;
	int nawaiting_join;
	bool new_member_added;
	int64_t join_deadline;   /* DelayedJoin / InitialDelayedJoin */
	bool join_initial;
	int32_t initial_delay_cur, initial_remaining;
	int64_t sync_deadline;   /* DelayedSync (pending-sync expiry) */
	/* topics of the members' consumer subscriptions; subscribed_known false: unknown */
	char **subscribed;
	int nsubscribed;
	bool subscribed_known;
	struct goffset **obuckets;
	size_t onbuckets, noffsets;
	int inflight; /* appends referring to this group */
	struct gtxn *txns; /* producers with pending transactional offsets */
	int ntxns;
	int64_t meta_bytes; /* protocol metadata of its members (KB_GROUP_META_MAX_BYTES) */
};

enum gapp_kind { GAPP_SYNC, GAPP_STATIC_JOIN, GAPP_COMMIT, GAPP_TXN_COMMIT, GAPP_EMPTY };

struct gapp_commit {
	char *topic;
	int32_t partition;
	int64_t offset;
	int32_t leader_epoch;
	char *metadata;
	int64_t commit_ts, expire_ts;
	uint64_t pos; /* log order of its record */
};

struct gappend {
	struct gappend *next;
	uint64_t token;
	enum gapp_kind kind;
	struct group *g;
	int32_t generation;
	void *handle;
	/* GAPP_SYNC: the leader's assignment, one per member (in member order) */
	uint8_t **assign;
	int32_t *assign_len;
	int nassign;
	/* GAPP_STATIC_JOIN: what to restore on failure */
	char *old_id, *new_id;
	char *old_leader; /* the leader before the replacement (pre-KIP-814 answer) */
	bool skip_ok;     /* JoinGroup v9+: the leader may skip the assignment */
	struct gproto *old_protos;
	int old_nprotos;
	int32_t old_session_ms, old_rebalance_ms;
	/* GAPP_COMMIT, GAPP_TXN_COMMIT */
	struct gapp_commit *commits;
	int ncommits;
	int64_t pid;          /* GAPP_TXN_COMMIT: the producer */
	int16_t pid_epoch;
};

struct group_coord {
	struct group_config cfg;
	struct group_io io;
	struct group **buckets;
	size_t nbuckets, ngroups;
	struct gappend *appends;
	uint64_t next_token;
	uint64_t rng;
	struct group_member_view *view_members; /* group_describe's scratch */
	int view_cap;
	int64_t meta_local;  /* cfg.meta_used points here when the server gives none */
	/* group_next_deadline's answer: a lower bound of every deadline while dl_valid. Calls
	 * that may move deadlines in any way clear it; heartbeats (the frequent case) lower it
	 * when needed (g_member_heartbeat). The server asks after every request, and a scan is
	 * O(members). */
	int64_t dl_cache;
	bool dl_valid;
	/* Pending transactional offsets by producer id (struct gtxn chains), and the number of
	 * the last record appended or replayed (group.h, Log order). */
	struct gtxn **tbuckets;
	size_t ntbuckets, ntxns;
	uint64_t log_pos;
};

/* group.c */
int64_t gc_now(struct group_coord *c);
char *g_strdup(struct kp_str s); /* NULL for a null string */
struct kp_str g_str(const char *s);
bool g_eq(const char *a, struct kp_str b);
struct group *gc_find(struct group_coord *c, struct kp_str id);
struct group *gc_create(struct group_coord *c, struct kp_str id);
void gc_remove_group(struct group_coord *c, struct group *g);
struct gmember *g_member(struct group *g, struct kp_str id);
struct gmember *g_static_member(struct group *g, struct kp_str instance_id);
int g_pending_index(struct group *g, struct kp_str id);
void g_member_free(struct gmember *m);
/* Replaces m's protocols (taking p), keeping the group's and the broker's metadata counts. */
void g_member_set_protos(struct group_coord *c, struct group *g, struct gmember *m,
                         struct gproto *p, int n);
int64_t g_protos_bytes(const struct gproto *p, int n);
/* A heartbeat (or a commit) from m: its session deadline moves to now + session timeout,
 * keeping the deadline cache a lower bound without a scan. */
void g_member_heartbeat(struct group_coord *c, struct gmember *m);
/* Removes m's metadata from the counts (m leaves the group). */
void g_member_uncount(struct group_coord *c, struct group *g, struct gmember *m);
void g_protos_free(struct gproto *p, int n);
struct gproto *g_protos_copy(const struct group_protocol *p, int n);
void g_uuid_member_id(struct group_coord *c, struct kp_str prefix, char **out);
int32_t g_rebalance_timeout(const struct group *g);
const char *g_select_protocol(const struct group *g);
const struct gproto *g_member_proto(const struct gmember *m, const char *name);
void g_compute_subscribed(struct group *g);
bool g_subscribed_to(const struct group *g, const char *topic);
void g_set_state(struct group_coord *c, struct group *g, enum group_state s);

/* After an append of a commit's records (offsets.c, txnoff.c): on err, every partition still
 * KERR_NONE gets the mapped error and 0 is returned; else the append carries `handle` (the
 * commit is answered when it completes) and 1 is returned. */
int g_commit_park(struct group_coord *c, uint64_t token, int16_t err, int nparts,
                      int16_t *errors, void *handle);

/* offsets.c */
struct goffset *g_offset_find(const struct group *g, const char *topic, size_t tlen, int32_t p);
struct goffset *g_offset_add(struct group *g, const char *topic, size_t tlen, int32_t p);
void g_offset_remove(struct group *g, struct goffset *o);
void g_offsets_free(struct group *g);
int16_t g_map_append_error(int16_t err, bool commit);
uint64_t gc_append(struct group_coord *c, struct gappend *a, const struct group_append_rec *recs,
                   int n, int16_t *err);
void g_commit_appended(struct group_coord *c, struct gappend *a, int16_t err);
/* Removes an Empty group that holds nothing (no members, offsets, generation, appends). */
void g_drop_if_unused(struct group_coord *c, struct group *g);
/* o's committed value is gone: o goes too unless a commit is in flight or pending. */
void g_offset_drop(struct group *g, struct goffset *o);

/* txnoff.c */
void g_txn_appended(struct group_coord *c, struct gappend *a, int16_t err);
/* Drops every pending transactional offset of g (the group goes away). */
void g_txn_drop_group(struct group_coord *c, struct group *g);
/* Replay of an offset record of a transactional batch of producer pid. */
void g_txn_load_offset(struct group_coord *c, int64_t pid, const struct group_offset_rec *o);

/* rebalance.c */
void g_answer_join(struct group_coord *c, struct group *g, struct gmember *m,
                   const struct group_join_result *r);
void g_join_error(struct group_coord *c, void *handle, struct kp_str member_id, int16_t err);
void g_answer_join_error(struct group_coord *c, struct group *g, struct gmember *m,
                         struct kp_str member_id, int16_t err);
void g_answer_sync_error(struct group_coord *c, struct gmember *m, int16_t err);
void g_answer_join_current(struct group_coord *c, struct group *g, struct gmember *m,
                           bool skip_assignment);
void g_remove_member(struct group_coord *c, struct group *g, struct gmember *m);
void g_remove_pending(struct group *g, int idx);
void g_prepare_rebalance(struct group_coord *c, struct group *g);
void g_maybe_prepare_rebalance(struct group_coord *c, struct group *g);
void g_try_complete_join(struct group_coord *c, struct group *g);
void g_store_group(struct group_coord *c, struct group *g, struct gappend *a);
void g_sync_appended(struct group_coord *c, struct gappend *a, int16_t err);
void g_on_heartbeat_expired(struct group_coord *c, struct group *g, struct gmember *m);
void g_on_pending_expired(struct group_coord *c, struct group *g, int idx);
void g_on_join_deadline(struct group_coord *c, struct group *g);
void g_on_sync_deadline(struct group_coord *c, struct group *g);
void g_unload_group(struct group_coord *c, struct group *g);

/* join.c */
void g_static_join_appended(struct group_coord *c, struct gappend *a, int16_t err);

/* records.c */
void g_append_tombstones(struct group_coord *c, struct group *g, struct goffset **removed, int n,
                         bool group_tombstone);
void g_group_rec_fill(const struct group *g, struct group_meta_rec *r, uint8_t *const *assign,
                      const int32_t *assign_len);

#endif
