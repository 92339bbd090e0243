/* peers.h — the broker's outbound connections to other brokers, one pool per channel (the
 * transaction marker channel, tmarkers.h; KIP-890 verification, tverify.h), factored out of
 * what tmarkers.c kept for itself.
 *
 * A pool keeps at most one connection (net/outclient.h) per destination broker id, made on
 * demand by peers_get. Its address is read from the metadata cache (the inter-broker
 * listener, else the first listener) before every connection attempt, so a broker that
 * re-registered elsewhere is followed. The channels use separate pools, hence separate
 * connections: a broker answers one request of a connection at a time, and a WriteTxnMarkers
 * waiting up to 30 s for its replication must not hold a verification behind it (Kafka has a
 * network client per channel too).
 * The owner counts its requests in flight (peer.inflight) and marks use (peer.used_ms);
 * peers_close_idle closes connections with nothing in flight and unused for idle_ms.
 * A lost connection calls the owner's `lost`; it may peers_close the peer from there.
 * @thread event loop only.
 */
#ifndef KB_SERVER_PEERS_H
#define KB_SERVER_PEERS_H

#include "../../net/outclient.h"
#include "../core/broker.h"

struct peers;

struct peer {
	struct peers *pool;
	int32_t broker;
	struct outclient *oc;
	int64_t used_ms;           /* last time the owner sent or got an answer (mono ms) */
	int inflight;              /* the owner's requests in flight */
	struct peer *next;
};

struct peers_owner {
	void *arg;
	void (*ready)(void *arg, struct peer *p);                   /* may send now */
	void (*lost)(void *arg, struct peer *p, int16_t err, const char *why);
	const char *client_id;
	size_t max_request_bytes, max_response_bytes;
	int32_t request_timeout_ms;
	int max_in_flight;
	int64_t idle_ms;
};

struct peers *peers_new(struct broker *b, const struct peers_owner *owner);
/* Closes every connection (in-flight callbacks run now) and frees the pool. */
void peers_free(struct peers *ps);
/* The connection to broker (made on demand); marks it used at now_ms. */
struct peer *peers_get(struct peers *ps, int32_t broker, int64_t now_ms);
/* Closes p (in-flight callbacks run now); allowed inside p's own outclient callbacks. */
void peers_close(struct peer *p);
/* Closes idle connections; returns the earliest time another may become idle (INT64_MAX: none). */
int64_t peers_close_idle(struct peers *ps, int64_t now_ms);

#endif
