/* acl_any.h — "may the principal do op on SOME resource of a type?", as Kafka's
 * AclAuthorizer.authorizeByResourceType decides it (KIP-679: InitProducerId without a
 * transactional id is allowed with WRITE on any topic). Pure, like acl.h.
 *
 * Over the entries matching the principal (or "User:*"), the host (or "*") and the operation
 * (or ALL) — no implied operations:
 *   1. a principal named in super.users: allowed;
 *   2. a DENY on the LITERAL wildcard name "*" of the type: denied;
 *   3. allow.everyone.if.no.acl.found: allowed;
 *   4. an ALLOW on the LITERAL wildcard: allowed;
 *   5. an ALLOW on a LITERAL name that no LITERAL DENY of the same name and no PREFIXED DENY
 *      whose (non-empty) name is a prefix of it covers: allowed;
 *   6. an ALLOW on a PREFIXED name that no PREFIXED DENY whose (non-empty) name is a prefix
 *      of it covers: allowed;
 *   7. else denied.
 */
#ifndef KB_AUTH_ACL_ANY_H
#define KB_AUTH_ACL_ANY_H

#include "acl.h"

bool acl_authorize_any(const struct acl_store *s, const struct acl_policy *p,
                       const char *principal, const char *host, int8_t op, int8_t type);

#endif
