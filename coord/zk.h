/* zk.h — a ZooKeeper session driven by the broker's libevent loop.
 *
 * Uses the single-threaded C binding (libzookeeper_st): zookeeper_interest() tells which fd
 * and events to wait for and a timeout; an event on that fd runs zookeeper_process(), which
 * calls completions and watchers — all on the loop thread, so coord/ needs no locks.
 *
 * Chroot: `connect` may end in /chroot (Kafka's zookeeper.connect). The session connects to
 * the hosts only and zk_path() prefixes every path, so the chroot itself can be created like
 * any other path.
 *
 * Session states reported to the owner:
 *   ZK_CONNECTED (new_session = true on the first connect and after every expiry: all
 *   ephemeral nodes and watches are gone and must be recreated), ZK_DISCONNECTED (the library
 *   is reconnecting within the same session), ZK_FATAL (authentication failed, or the first
 *   connection did not come within connection_timeout_ms).
 * On expiry the handle is closed and a new session opened from a deferred event, never
 * from inside the library's own callback.
 * @thread event loop only.
 */
#ifndef KB_COORD_ZK_H
#define KB_COORD_ZK_H

#include "../common/kb.h"

#include <event2/event.h>
#include <zookeeper/zookeeper.h>

struct zk;

enum zk_state { ZK_CONNECTING, ZK_CONNECTED, ZK_DISCONNECTED, ZK_FATAL };

typedef void (*zk_state_fn)(struct zk *z, enum zk_state st, bool new_session, void *arg);

struct zk *zk_new(struct event_base *base, const char *connect, int session_timeout_ms,
                  int connection_timeout_ms, zk_state_fn fn, void *arg);
void zk_free(struct zk *z);

zhandle_t *zk_handle(struct zk *z);
/* The full ZooKeeper path for a Kafka path ("/brokers/ids" -> "/chroot/brokers/ids"), written
 * into buf (always, chroot or not) and returned. */
const char *zk_path(struct zk *z, const char *path, char *buf, size_t len);
/* Deletes the znode at `full` (a full path) if it was created more than ttl_ms ago; an
 * error or a younger znode leaves it (change-notification purges: a later pass retries). */
void zk_delete_if_older(struct zk *z, const char *full, int64_t ttl_ms);
/* The Kafka path for a full path (strips the chroot), for watch events. */
const char *zk_unpath(struct zk *z, const char *full);
/* Paths to create at startup to make the chroot exist ("" when there is no chroot). */
const char *zk_chroot(const struct zk *z);
int64_t zk_session_id(struct zk *z);
/* Call after submitting requests so the loop waits for the socket to become writable. */
void zk_kick(struct zk *z);

#endif
