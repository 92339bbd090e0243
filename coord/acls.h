/* acls.h — ACLs in ZooKeeper, the way Kafka's AclAuthorizer keeps them (ZK mode), and the
 * broker's watched copy of them.
 *
 * Layout (auth/acl.h has the names and the JSON):
 *   /kafka-acl/<ZkType>/<name>                      LITERAL resource patterns
 *   /kafka-acl-extended/prefixed/<ZkType>/<name>    PREFIXED resource patterns
 *   /kafka-acl-changes/acl_changes_NNNNNNNNNN       sequential, data "<ZkType>:<name>"
 *                                                   after a LITERAL pattern changed
 *   /kafka-acl-extended-changes/acl_changes_NNN...  sequential, data {"version":1,
 *       "resourceType":"TOPIC","name":"t","patternType":"PREFIXED"} after a PREFIXED one
 * A write is a read-modify-write of one resource znode conditional on its version (create
 * when missing, delete when it ends up empty), retried on a conflict, followed by the change
 * notification, so Kafka brokers and tools sharing the ensemble see the same ACLs.
 *
 * Watching (only when the broker's authorizer is on, coord_acls_enable): every new session
 * reads everything under both roots (children listings, then each resource znode); then the
 * two change-notification roots are watched, and each notification newer than the last one
 * processed re-reads the resource it names. Notifications older than 15 minutes are deleted
 * while processing, as Kafka does. The copy lives in md_cache-like state inside coord and
 * is read with coord_acls(); coord_changed() fires after each change.
 * @thread event loop only.
 */
#ifndef KB_COORD_ACLS_H
#define KB_COORD_ACLS_H

#include "../auth/acl.h"
#include "coord.h"

/* Starts (or keeps) loading and watching ACLs in this and every later session. */
void coord_acls_enable(struct coord *c);
/* Every ACL znode has been read in this session (a broker with an authorizer answers
 * nothing that needs ACLs before this; DescribeAcls answers from this copy). */
bool coord_acls_loaded(const struct coord *c);
/* The broker's copy (empty when not enabled). */
const struct acl_store *coord_acls(const struct coord *c);

/* Adds entries to one resource pattern (entries already present are not repeated; nothing is
 * written when none is new). `done` runs once on the loop with KERR_NONE, or a Kafka error
 * code and message (a binding acl_binding_invalid refuses, a znode over
 * KB_ACLS_PER_RESOURCE_MAX entries or KB_ZK_MAX_WRITE_BYTES: INVALID_REQUEST; session
 * trouble, or the znode still changing after 10 tries: UNKNOWN_SERVER_ERROR), or
 * TOPIC_ADMIN_CLOSING at shutdown. `done` may run before this returns (a refused binding, a
 * call ZooKeeper refuses at once). On success the local copy already shows the change. */
typedef void (*coord_acl_add_fn)(void *arg, int16_t error, const char *message);
void coord_acls_add(struct coord *c, int8_t type, int8_t pattern, const char *name,
                    const struct acl_ace *aces, int naces, coord_acl_add_fn done, void *arg);

/* Removes from one resource pattern every entry matching any of the filters (whose
 * resource part is ignored: the caller chose the resource; the znode is deleted when it ends
 * up empty, nothing written when nothing matches). `done` runs once, as above, with the error
 * and the entries removed (none on an error; valid during the call only). */
typedef void (*coord_acl_remove_fn)(void *arg, int16_t error, const char *message,
                                    const struct acl_ace *removed, int nremoved);
void coord_acls_remove(struct coord *c, int8_t type, int8_t pattern, const char *name,
                       const struct acl_filter *filters, int nfilters,
                       coord_acl_remove_fn done, void *arg);

#endif
