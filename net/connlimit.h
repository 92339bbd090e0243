/* connlimit.h — open connections counted per remote address, for max.connections.per.ip and
 * max.connections.per.ip.overrides (Kafka's names and meaning).
 *
 * Every accepted connection is admitted (connlimit_acquire) or refused; an admitted one is
 * released (connlimit_release) when it closes. The count of an address is compared with its
 * override if it has one, else with the default. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d)
 * count as the IPv4 address, so a dual-stack listener cannot double a client's allowance.
 *
 * Memory: one entry per address that has at least one open connection (entries go when their
 * count reaches 0), so the table is bounded by the open connections (max.connections), plus
 * one entry per override.
 *
 * @thread event loop only.
 */
#ifndef KB_NET_CONNLIMIT_H
#define KB_NET_CONNLIMIT_H

#include "../common/kb.h"

#include <sys/socket.h>

struct connlimit;

/* An address as the table keys it (IPv4 as ::ffff:a.b.c.d). */
struct connlimit_addr {
	uint8_t bytes[16];
};

/* per_ip: the default limit (max.connections.per.ip, >= 0). */
struct connlimit *connlimit_new(int32_t per_ip);
void connlimit_free(struct connlimit *cl);
/* Changes the default limit (a dynamic max.connections.per.ip): connections already open stay;
 * new ones are compared with the new limit. */
void connlimit_set_default(struct connlimit *cl, int32_t per_ip);

/* Sets the limit of `host` (an IPv4/IPv6 literal, IPv6 with or without brackets, or a host
 * name resolved now, every address it resolves to) to `max`. Returns 0, or -1 with a reason
 * in err (the name does not resolve). Call before accepting. */
int connlimit_override(struct connlimit *cl, const char *host, int32_t max, char *err,
                       size_t errlen);

/* The key of a peer address; false for a family other than AF_INET/AF_INET6. */
bool connlimit_addr_of(const struct sockaddr *sa, struct connlimit_addr *out);

/* Admits one more connection from `a` if its count is below its limit (and counts it).
 * Returns false when the connection must be refused. */
bool connlimit_acquire(struct connlimit *cl, const struct connlimit_addr *a);
/* One connection from `a`, admitted earlier, has closed. */
void connlimit_release(struct connlimit *cl, const struct connlimit_addr *a);

/* Open connections counted for `a` (tests, diagnostics). */
int32_t connlimit_count(const struct connlimit *cl, const struct connlimit_addr *a);
/* The limit that applies to `a`. */
int32_t connlimit_max(const struct connlimit *cl, const struct connlimit_addr *a);
/* Addresses with an open connection or an override (the table's size). */
size_t connlimit_entries(const struct connlimit *cl);

/* "1.2.3.4" or "::1" for a key (buf of at least 46 bytes). */
const char *connlimit_addr_str(const struct connlimit_addr *a, char *buf, size_t len);

#endif
