/* authz.h — the broker's authorizer: `authorizer.class.name` set to Kafka's ZooKeeper ACL
 * authorizer (kafka.security.authorizer.AclAuthorizer, or the older
 * kafka.security.auth.SimpleAclAuthorizer) turns it on; empty (the default) leaves every
 * request authorized, as Kafka without an authorizer.
 *
 * The principal of every connection is User:ANONYMOUS (kbroker serves PLAINTEXT listeners
 * only, where Kafka's default principal builder gives the same); the host is the peer's IP.
 * Decisions come from coord's watched copy of the ACLs (coord/acls.h) and the policy
 * (super.users, allow.everyone.if.no.acl.found), by auth/acl.h's rules.
 *
 * Handlers call these while they run (r->conn valid), before any state changes, and answer
 * Kafka's error for a denial: TOPIC_ / GROUP_ / CLUSTER_ / TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 * @thread event loop only.
 */
#ifndef KB_SERVER_AUTHZ_H
#define KB_SERVER_AUTHZ_H

#include "../../auth/acl.h"
#include "../../net/kp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct broker;
struct kreq;

/* Reads the authorizer keys of b->cfg (an unknown class name or a malformed super.users: -1
 * with a message in err; the broker refuses to start). Enables coord's ACL watch when on and
 * b->coord exists (broker_start calls this before starting coord, then enables the watch
 * itself right after coord_start). */
int authz_init(struct broker *b, char *err, size_t errlen);
void authz_free(struct broker *b);
bool authz_enabled(const struct broker *b);
/* With an authorizer: its ACL copy is loaded (serving waits for it, as for the dynamic
 * configs). Without one: true. */
bool authz_ready(const struct broker *b);

/* May r's principal do `op` on (type, name)? Always true without an authorizer. With one, a
 * name holding a NUL byte is denied (no ACL can name it, and C strings would cut it short). */
bool authz_allowed(struct kreq *r, int8_t op, int8_t type, struct kp_str name);
bool authz_allowed_c(struct kreq *r, int8_t op, int8_t type, const char *name);
/* May r's principal do `op` on some resource of `type` (Kafka's authorizeByResourceType, used
 * by InitProducerId without a transactional id: WRITE on any topic)? The rules are
 * auth/acl_any.h's: super users yes; a DENY on the type's LITERAL "*" no; then
 * allow.everyone.if.no.acl.found yes; else whether some ALLOW names a resource no DENY
 * covers. Always true without an authorizer. */
bool authz_allowed_any(struct kreq *r, int8_t op, int8_t type);
/* The authorized-operations bitfield for a response field (acl_authorized_ops). Without an
 * authorizer: every operation the type supports, as Kafka reports then. */
int32_t authz_ops(struct kreq *r, int8_t type, struct kp_str name);

/* The host part of conn_peer()'s "ip:port" ("[v6]:port" brackets stripped) into out (at
 * least INET6_ADDRSTRLEN bytes), IPv6 in Java's text form ("0:0:0:0:0:0:0:1"). */
void authz_peer_host(const char *peer, char *out, size_t len);

#endif
