/* purgatory.h — requests parked until something they watch changes, or a deadline (Kafka's
 * DelayedOperationPurgatory, single-threaded on the event loop).
 *
 * An operation (a parked request) is created with purgatory_park() with its callbacks, its
 * owner data and a deadline, then watches one or more keys (a partition, the metadata cache,
 * later a group or a transaction). Whoever changes what a key stands for calls
 * purgatory_check(key): every operation watching it is re-tried — deferred to a libevent
 * callback of its own, never inside the caller, so a check may be called from anywhere
 * (an append, a role change, another operation's completion) and an operation's callback
 * may park, watch, check or complete other operations safely. An operation watching several
 * keys that change together is tried once.
 *
 * Exactly once: each operation ends by exactly one of
 *   - try_complete returning true (it answered and freed its data),
 *   - purgatory_complete() called by its owner or another operation (the caller answers),
 *   - on_expire at its deadline (it must answer, e.g. with REQUEST_TIMED_OUT),
 *   - on_drop at shutdown (free without answering: the connections are going too);
 * then it is removed from every key and its timer, and no callback of it runs again. The
 * struct pg_op is the purgatory's: it stays valid while the operation is parked and while
 * one of its callbacks runs, and must not be used after it ended.
 *
 * Keys: (kind, pointer-sized id), e.g. {PG_KEY_PARTITION, struct partition *}. An operation
 * watches a key at most once (purgatory_watch is idempotent). A key that goes away (a deleted
 * partition) is announced with purgatory_key_gone(): each operation watching it is told
 * (on_key_gone, so it lets go of the pointer), stops watching it, and is re-tried.
 *
 * Costs: park O(1); watch/unwatch O(1) (hash tables of keys and of (op, key) entries);
 * check O(operations watching the key), with no scan of other operations or keys; ending an
 * operation O(its keys). Deadlines: one libevent timer per operation, embedded in the
 * operation (one allocation): libevent keeps timers in a min-heap, so adding and removing a
 * deadline is O(log n) — a wheel or heap of our own would only repeat it, and most
 * operations end before their deadline, which a heap removes as cheaply as it adds.
 * Limits: the number of parked operations is bounded by connections x KB_CONN_MAX_INFLIGHT,
 * and an operation's keys by its request's partitions (bounded by the frame size).
 * @thread event loop only.
 */
#ifndef KB_SERVER_PURGATORY_H
#define KB_SERVER_PURGATORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct purgatory;
struct pg_op;

enum pg_key_kind {
	PG_KEY_PARTITION = 1, /* id: struct partition * (data, high watermark, role) */
	PG_KEY_METADATA,      /* id: 0 (the metadata cache changed) */
	PG_KEY_GROUP,         /* id: a consumer group (planned) */
	PG_KEY_TXN,           /* id: a transaction (planned) */
	PG_KEY_PRODUCER_IDS,  /* id: the broker's producer-id allocator (a block arrived) */
	PG_KEY_CONN,          /* id: struct conn * of the request (it closed: expire the op) */
	PG_KEY_CONN_TURN,     /* id: struct conn * (its oldest unanswered request changed) */
};

struct pg_key {
	enum pg_key_kind kind;
	uintptr_t id;
};

static inline struct pg_key pg_key(enum pg_key_kind kind, const void *id)
{
	return (struct pg_key){kind, (uintptr_t)id};
}

struct pg_ops {
	/* A watched key changed (or purgatory_retry): returns true when it has answered and
	 * freed its data (the operation then ends), false to stay parked. It may unwatch keys it
	 * no longer needs. */
	bool (*try_complete)(struct pg_op *op, void *arg);
	/* The deadline passed: answer now and free the data. The operation has already ended
	 * (it watches nothing). */
	void (*on_expire)(void *arg);
	/* Shutdown: free the data without answering. The operation has already ended. */
	void (*on_drop)(void *arg);
	/* Optional: `key`, which op watched, is going away and op no longer watches it; let go
	 * of anything it stands for. Must not end op (it is re-tried right after, deferred). */
	void (*on_key_gone)(struct pg_op *op, void *arg, struct pg_key key);
};

struct purgatory *purgatory_new(struct event_base *base);
/* Drops every operation still parked (on_drop), then frees the purgatory. */
void purgatory_free(struct purgatory *pg);

/* Parks a new operation with its deadline (ms from now; below 0 counts as 0: it expires on
 * the next loop iteration unless completed first). ops must outlive the operation. */
struct pg_op *purgatory_park(struct purgatory *pg, const struct pg_ops *ops, void *arg,
                             int64_t timeout_ms);
/* op watches key. Returns false if it already did (entries are unique) or op has ended. */
bool purgatory_watch(struct pg_op *op, struct pg_key key);
/* op stops watching key. Returns false if it did not watch it. */
bool purgatory_unwatch(struct pg_op *op, struct pg_key key);

/* Re-tries (deferred) every operation watching key now. No-op when none does. */
void purgatory_check(struct purgatory *pg, struct pg_key key);
/* Re-tries op (deferred). */
void purgatory_retry(struct pg_op *op);
/* Ends op now without calling any of its callbacks; the caller answers for it. Returns
 * false if op had already ended (possible only inside one of op's own callbacks). */
bool purgatory_complete(struct pg_op *op);
/* Every operation watching key expires now, deferred (its on_expire runs on the next loop
 * turn, as at its deadline). Used when a request's connection closes: a Fetch parked for a
 * client-chosen MaxWaitMs (up to 24 days) must not keep the closed connection until then. */
void purgatory_expire_key(struct purgatory *pg, struct pg_key key);
/* key goes away: see the top of this file. */
void purgatory_key_gone(struct purgatory *pg, struct pg_key key);
/* Shutdown: every parked operation ends with on_drop. */
void purgatory_drop_all(struct purgatory *pg);

/* Introspection (tests, diagnostics). */
size_t purgatory_parked(const struct purgatory *pg);   /* operations not ended */
size_t purgatory_entries(const struct purgatory *pg);  /* (op, key) watches */
size_t purgatory_watchers(const struct purgatory *pg, struct pg_key key);

#endif
