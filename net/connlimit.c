/* connlimit.c — per-address connection counts (see connlimit.h).
 *
 * An open-addressing hash table with linear probing; deletion shifts the following entries
 * back (no tombstones), so lookups stay short however many connections come and go. The
 * table doubles when it is more than half full and never shrinks below its initial size. */
#include "connlimit.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#define CL_INIT_SLOTS 64u
#define CL_NO_OVERRIDE (-1)

struct cl_entry {
	struct connlimit_addr addr;
	int32_t count;     /* open connections */
	int32_t max;       /* override, or CL_NO_OVERRIDE */
	bool used;
};

struct connlimit {
	struct cl_entry *slots;
	size_t nslots;     /* a power of two */
	size_t used;
	int32_t per_ip;
};

static uint64_t addr_hash(const struct connlimit_addr *a)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < sizeof(a->bytes); i++) {
		h ^= a->bytes[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

struct connlimit *connlimit_new(int32_t per_ip)
{
	struct connlimit *cl = kb_calloc(1, sizeof(*cl));
	cl->nslots = CL_INIT_SLOTS;
	cl->slots = kb_calloc(cl->nslots, sizeof(*cl->slots));
	cl->per_ip = per_ip;
	return cl;
}

void connlimit_set_default(struct connlimit *cl, int32_t per_ip)
{
	cl->per_ip = per_ip;
}

void connlimit_free(struct connlimit *cl)
{
	if (!cl)
		return;
	kb_free(cl->slots);
	kb_free(cl);
}

static size_t find_slot(const struct connlimit *cl, const struct connlimit_addr *a)
{
	size_t mask = cl->nslots - 1;
	size_t i = (size_t)addr_hash(a) & mask;
	while (cl->slots[i].used && memcmp(&cl->slots[i].addr, a, sizeof(*a)) != 0)
		i = (i + 1) & mask;
	return i;
}

static void grow(struct connlimit *cl)
{
	struct cl_entry *old = cl->slots;
	size_t n = cl->nslots;
	cl->nslots = n * 2;
	cl->slots = kb_calloc(cl->nslots, sizeof(*cl->slots));
	for (size_t i = 0; i < n; i++)
		if (old[i].used)
			cl->slots[find_slot(cl, &old[i].addr)] = old[i];
	kb_free(old);
}

static struct cl_entry *lookup(const struct connlimit *cl, const struct connlimit_addr *a)
{
	struct cl_entry *e = &cl->slots[find_slot(cl, a)];
	return e->used ? e : NULL;
}

static struct cl_entry *insert(struct connlimit *cl, const struct connlimit_addr *a)
{
	if ((cl->used + 1) * 2 > cl->nslots)
		grow(cl);
	struct cl_entry *e = &cl->slots[find_slot(cl, a)];
	if (!e->used) {
		*e = (struct cl_entry){.addr = *a, .max = CL_NO_OVERRIDE, .used = true};
		cl->used++;
	}
	return e;
}

/* Removes slot i and shifts back the entries of its probe run that may move. */
static void remove_slot(struct connlimit *cl, size_t i)
{
	size_t mask = cl->nslots - 1;
	cl->slots[i].used = false;
	cl->used--;
	for (size_t j = (i + 1) & mask; cl->slots[j].used; j = (j + 1) & mask) {
		size_t home = (size_t)addr_hash(&cl->slots[j].addr) & mask;
		/* Entry j may fill the hole at i unless its home lies cyclically in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		cl->slots[i] = cl->slots[j];
		cl->slots[j].used = false;
		i = j;
	}
}

bool connlimit_addr_of(const struct sockaddr *sa, struct connlimit_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		out->bytes[10] = 0xff;
		out->bytes[11] = 0xff;
		memcpy(out->bytes + 12, &s4->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		memcpy(out->bytes, &s6->sin6_addr, 16); /* a mapped v4 address is already ::ffff:x */
		return true;
	}
	return false;
}

int connlimit_override(struct connlimit *cl, const char *host, int32_t max, char *err,
                       size_t errlen)
{
	char h[256];
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		snprintf(h, sizeof(h), "%.*s", (int)(n - 2), host + 1);
	else
		snprintf(h, sizeof(h), "%s", host);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(h, NULL, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		struct connlimit_addr a;
		if (connlimit_addr_of(ai->ai_addr, &a))
			insert(cl, &a)->max = max;
	}
	freeaddrinfo(res);
	return 0;
}

int32_t connlimit_max(const struct connlimit *cl, const struct connlimit_addr *a)
{
	const struct cl_entry *e = lookup(cl, a);
	return e && e->max != CL_NO_OVERRIDE ? e->max : cl->per_ip;
}

int32_t connlimit_count(const struct connlimit *cl, const struct connlimit_addr *a)
{
	const struct cl_entry *e = lookup(cl, a);
	return e ? e->count : 0;
}

size_t connlimit_entries(const struct connlimit *cl)
{
	return cl->used;
}

bool connlimit_acquire(struct connlimit *cl, const struct connlimit_addr *a)
{
	if (connlimit_count(cl, a) >= connlimit_max(cl, a))
		return false;
	insert(cl, a)->count++;
	return true;
}

void connlimit_release(struct connlimit *cl, const struct connlimit_addr *a)
{
	size_t i = find_slot(cl, a);
	struct cl_entry *e = &cl->slots[i];
	KB_ASSERT(e->used && e->count > 0);
	if (--e->count == 0 && e->max == CL_NO_OVERRIDE)
		remove_slot(cl, i);
}

const char *connlimit_addr_str(const struct connlimit_addr *a, char *buf, size_t len)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	bool v4 = memcmp(a->bytes, mapped, sizeof(mapped)) == 0;
	if (!inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? a->bytes + 12 : a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}
