/* authz.c — the broker's authorizer (contract in authz.h): the policy from the config keys,
 * decisions from coord's watched ACL copy by auth/acl.h's rules. A check copies the resource
 * name into a stack buffer (a heap copy only for a name over KB_ACL_NAME_MAX_BYTES, which no
 * ACL can name literally but a prefixed one may match) and the peer's IP likewise; the
 * decision itself allocates nothing. */
#include "authz.h"

#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../auth/acl_any.h"
#include "../../coord/acls.h"
#include "broker.h"
#include "dispatch.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

struct authz {
	bool on;
	struct acl_policy policy;
};

int authz_init(struct broker *b, char *err, size_t errlen)
{
	const char *cls = b->cfg.authorizer_class_name;
	if (cls && *cls && conf_check_authorizer_class(cls, err, errlen) != 0)
		return -1; /* conf_load refuses it first; kept for other callers */
	struct authz *a = kb_calloc(1, sizeof(*a));
	a->on = cls && *cls;
	if (acl_policy_parse(&a->policy, b->cfg.super_users ? b->cfg.super_users : "",
	                     b->cfg.allow_everyone_if_no_acl_found) != 0) {
		snprintf(err, errlen, "super.users: '%.200s' is not a list of principals "
		         "Type:name separated by ';'", b->cfg.super_users);
		kb_free(a);
		return -1;
	}
	b->authz = a;
	if (a->on) {
		say_info("server", "authorizer %s: %d super user(s), allow.everyone.if.no.acl.found=%s",
		         cls, a->policy.nsuper, a->policy.allow_if_no_acl ? "true" : "false");
		if (b->coord)
			coord_acls_enable(b->coord);
	}
	return 0;
}

void authz_free(struct broker *b)
{
	if (!b->authz)
		return;
	acl_policy_free(&b->authz->policy);
	kb_free(b->authz);
	b->authz = NULL;
}

bool authz_enabled(const struct broker *b)
{
	return b->authz && b->authz->on;
}

bool authz_ready(const struct broker *b)
{
	return !authz_enabled(b) || (b->coord && coord_acls_loaded(b->coord));
}

void authz_peer_host(const char *peer, char *out, size_t len)
{
	const char *colon = strrchr(peer, ':');
	size_t n = colon ? (size_t)(colon - peer) : strlen(peer);
	if (n >= 2 && peer[0] == '[' && peer[n - 1] == ']') {
		peer++;
		n -= 2;
	}
	snprintf(out, len, "%.*s", (int)n, peer);
	/* IPv6 as Java's InetAddress.getHostAddress() prints it, the text Kafka's authorizer
	 * compares ACL hosts with: eight hex groups, no leading zeros, no "::" (so an ACL written
	 * for 0:0:0:0:0:0:0:1 matches ::1 here as there); an IPv4-mapped address is the IPv4
	 * client it stands for (Java accepts those as Inet4Address). */
	unsigned char a[16];
	if (len < INET6_ADDRSTRLEN || inet_pton(AF_INET6, out, a) != 1)
		return;
	static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0) {
		inet_ntop(AF_INET, a + 12, out, (socklen_t)len);
		return;
	}
	size_t w = 0;
	for (int g = 0; g < 8; g++)
		w += (size_t)snprintf(out + w, len - w, g ? ":%x" : "%x", a[2 * g] << 8 | a[2 * g + 1]);
}

/* The peer's IP, as host rules name it. */
static void req_host(struct kreq *r, char host[72])
{
	authz_peer_host(conn_peer(r->conn), host, 72);
}

static bool decide(struct kreq *r, int8_t op, int8_t type, const char *name)
{
	char host[72];
	req_host(r, host);
	return acl_authorize(coord_acls(r->b->coord), &r->b->authz->policy, ACL_ANONYMOUS, host, op,
	                     type, name);
}

bool authz_allowed_c(struct kreq *r, int8_t op, int8_t type, const char *name)
{
	if (!authz_enabled(r->b))
		return true;
	return decide(r, op, type, name ? name : "");
}

/* `name` as a C string: a copy in buf, or on the heap past its size (*heap then to be
 * freed); NULL when it holds a NUL byte (it names nothing). */
static const char *cname(struct kp_str name, char *buf, size_t len, char **heap)
{
	size_t n = name.ptr && name.len > 0 ? (size_t)name.len : 0;
	char *s = n < len ? buf : (*heap = kb_malloc(n + 1));
	memcpy(s, name.ptr ? name.ptr : "", n);
	s[n] = 0;
	return strlen(s) == n ? s : NULL;
}

bool authz_allowed(struct kreq *r, int8_t op, int8_t type, struct kp_str name)
{
	if (!authz_enabled(r->b))
		return true;
	char buf[KB_ACL_NAME_MAX_BYTES + 1], *heap = NULL;
	const char *s = cname(name, buf, sizeof(buf), &heap);
	bool ok = s && decide(r, op, type, s);
	kb_free(heap);
	return ok;
}

int32_t authz_ops(struct kreq *r, int8_t type, struct kp_str name)
{
	if (!authz_enabled(r->b))
		return (int32_t)acl_supported_ops(type);
	char buf[KB_ACL_NAME_MAX_BYTES + 1], host[72], *heap = NULL;
	const char *s = cname(name, buf, sizeof(buf), &heap);
	req_host(r, host);
	int32_t ops = s ? acl_authorized_ops(coord_acls(r->b->coord), &r->b->authz->policy,
	                                     ACL_ANONYMOUS, host, type, s)
	                : 0;
	kb_free(heap);
	return ops;
}

/* Added by authz_enforce (InitProducerId without a transactional id): Kafka's
 * authorizeByResourceType over the same copy and policy (auth/acl_any.h). */
bool authz_allowed_any(struct kreq *r, int8_t op, int8_t type)
{
	if (!authz_enabled(r->b))
		return true;
	char host[72];
	req_host(r, host);
	return acl_authorize_any(coord_acls(r->b->coord), &r->b->authz->policy, ACL_ANONYMOUS, host,
	                         op, type);
}
