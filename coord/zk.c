/* zk.c — ZooKeeper session on the libevent loop (see zk.h). */
#include "zk.h"

#include "../common/say.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Routine re-resolution of zookeeper.connect's host names at most this often (open_session). */
#define ZK_RESOLVE_DELAY_MS 30000

struct zk {
	struct event_base *base;
	zhandle_t *zh;
	struct event *io;      /* the fd/timeout zookeeper_interest asked for */
	struct event *restart; /* deferred: replace an expired session */
	struct event *connect_deadline;
	char *hosts;
	char *chroot;          /* "" or "/something" */
	int session_timeout_ms;
	int connection_timeout_ms;
	zk_state_fn fn;
	void *arg;
	enum zk_state state;
	bool ever_connected;
	bool new_session;
};

static void open_session(struct zk *z);

zhandle_t *zk_handle(struct zk *z)
{
	return z->zh;
}

const char *zk_chroot(const struct zk *z)
{
	return z->chroot;
}

const char *zk_path(struct zk *z, const char *path, char *buf, size_t len)
{
	/* Always into buf: a caller may use buf after ignoring the result. */
	snprintf(buf, len, "%s%s", z->chroot, z->chroot[0] && strcmp(path, "/") == 0 ? "" : path);
	return buf;
}

const char *zk_unpath(struct zk *z, const char *full)
{
	size_t n = strlen(z->chroot);
	if (n && strncmp(full, z->chroot, n) == 0)
		return full[n] ? full + n : "/";
	return full;
}

int64_t zk_session_id(struct zk *z)
{
	const clientid_t *id = z->zh ? zoo_client_id(z->zh) : NULL;
	return id ? id->client_id : 0;
}

static void io_cb(evutil_socket_t fd, short what, void *arg);

void zk_kick(struct zk *z)
{
	if (!z->zh)
		return;
	int fd = -1, interest = 0;
	struct timeval tv = {1, 0};
	int rc = zookeeper_interest(z->zh, &fd, &interest, &tv);
	if (rc != ZOK && rc != ZCONNECTIONLOSS && rc != ZOPERATIONTIMEOUT && rc != ZNOTHING)
		say_debug("coord", "zookeeper_interest: %s", zerror(rc));
	short what = 0;
	if (fd >= 0) {
		if (interest & ZOOKEEPER_READ)
			what |= EV_READ;
		if (interest & ZOOKEEPER_WRITE)
			what |= EV_WRITE;
	}
	event_del(z->io);
	event_assign(z->io, z->base, what ? fd : -1, what, io_cb, z);
	event_add(z->io, &tv);
}

static void io_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	struct zk *z = arg;
	int events = 0;
	if (what & EV_READ)
		events |= ZOOKEEPER_READ;
	if (what & EV_WRITE)
		events |= ZOOKEEPER_WRITE;
	if (z->zh)
		zookeeper_process(z->zh, events);
	if (z->zh)
		zk_kick(z);
}

static void set_state(struct zk *z, enum zk_state st)
{
	bool fresh = false;
	if (st == ZK_CONNECTED) {
		fresh = z->new_session;
		z->new_session = false;
		if (!z->ever_connected) {
			z->ever_connected = true;
			event_del(z->connect_deadline);
		}
	}
	z->state = st;
	z->fn(z, st, fresh, z->arg);
}

static void session_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	KB_UNUSED(zh);
	KB_UNUSED(path);
	struct zk *z = ctx;
	if (type != ZOO_SESSION_EVENT)
		return;
	if (state == ZOO_CONNECTED_STATE) {
		say_info("coord", "ZooKeeper session 0x%llx connected",
		         (unsigned long long)zk_session_id(z));
		set_state(z, ZK_CONNECTED);
	} else if (state == ZOO_CONNECTING_STATE || state == ZOO_ASSOCIATING_STATE) {
		if (z->state == ZK_CONNECTED) {
			say_warn("coord", "ZooKeeper connection lost; reconnecting within the session");
			set_state(z, ZK_DISCONNECTED);
		}
	} else if (state == ZOO_EXPIRED_SESSION_STATE) {
		say_warn("coord", "ZooKeeper session expired; opening a new session");
		event_active(z->restart, 0, 0);
	} else if (state == ZOO_AUTH_FAILED_STATE) {
		say_error("coord", "ZooKeeper authentication failed");
		set_state(z, ZK_FATAL);
	}
}

static void restart_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct zk *z = arg;
	if (z->zh) {
		zookeeper_close(z->zh);
		z->zh = NULL;
	}
	set_state(z, ZK_DISCONNECTED);
	open_session(z);
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct zk *z = arg;
	if (z->ever_connected)
		return;
	say_error("coord", "timed out after %d ms waiting to connect to ZooKeeper at %s "
	          "(zookeeper.connection.timeout.ms)", z->connection_timeout_ms, z->hosts);
	set_state(z, ZK_FATAL);
}

static void open_session(struct zk *z)
{
	z->new_session = true;
	z->state = ZK_CONNECTING;
	z->zh = zookeeper_init(z->hosts, session_watcher, z->session_timeout_ms, NULL, z, 0);
	if (!z->zh) {
		say_error("coord", "zookeeper_init(%s) failed; retrying", z->hosts);
		struct timeval tv = {1, 0};
		event_add(z->restart, &tv);
		return;
	}
	/* The client re-resolves zookeeper.connect's host names each time it is asked what to
	 * poll for, i.e. on every ZooKeeper event (a getaddrinfo with a netlink round trip and a
	 * /dev/urandom read, on the loop): a burst of metadata changes paid that hundreds of
	 * times. Routine re-resolution at most once per window; a lost connection still
	 * resolves at once. */
	if (zoo_set_servers_resolution_delay(z->zh, ZK_RESOLVE_DELAY_MS) != ZOK)
		say_warn("coord", "could not set the ZooKeeper host resolution delay");
	zk_kick(z);
}

struct zk *zk_new(struct event_base *base, const char *connect, int session_timeout_ms,
                  int connection_timeout_ms, zk_state_fn fn, void *arg)
{
	struct zk *z = kb_calloc(1, sizeof(*z));
	z->base = base;
	const char *slash = strchr(connect, '/');
	z->hosts = slash ? kb_strndup(connect, (size_t)(slash - connect)) : kb_strdup(connect);
	z->chroot = kb_strdup(slash ? slash : "");
	z->session_timeout_ms = session_timeout_ms;
	z->connection_timeout_ms = connection_timeout_ms;
	z->fn = fn;
	z->arg = arg;
	z->io = event_new(base, -1, 0, io_cb, z);
	z->restart = event_new(base, -1, 0, restart_cb, z);
	z->connect_deadline = evtimer_new(base, deadline_cb, z);
	struct timeval tv = {connection_timeout_ms / 1000, (connection_timeout_ms % 1000) * 1000};
	event_add(z->connect_deadline, &tv);
	zoo_set_debug_level(getenv("KB_DEBUG_ZK") ? ZOO_LOG_LEVEL_DEBUG : ZOO_LOG_LEVEL_ERROR);
	open_session(z);
	return z;
}

void zk_free(struct zk *z)
{
	if (!z)
		return;
	if (z->zh)
		zookeeper_close(z->zh);
	event_free(z->io);
	event_free(z->restart);
	event_free(z->connect_deadline);
	kb_free(z->hosts);
	kb_free(z->chroot);
	kb_free(z);
}

struct zk_purge {
	struct zk *z;
	int64_t ttl_ms;
	char *path;
};

static void zk_purge_free(struct zk_purge *p)
{
	kb_free(p->path);
	kb_free(p);
}

static void zk_purge_deleted(int rc, const void *data)
{
	KB_UNUSED(rc); /* gone either way, or left for a later pass */
	zk_purge_free((struct zk_purge *)data);
}

static void zk_purge_stat(int rc, const struct Stat *st, const void *data)
{
	struct zk_purge *p = (struct zk_purge *)data;
	if (rc == ZOK && st && st->ctime < kb_wall_ms() - p->ttl_ms &&
	    zoo_adelete(p->z->zh, p->path, -1, zk_purge_deleted, p) == ZOK) {
		zk_kick(p->z);
		return;
	}
	zk_purge_free(p);
}

void zk_delete_if_older(struct zk *z, const char *full, int64_t ttl_ms)
{
	struct zk_purge *p = kb_malloc(sizeof(*p));
	*p = (struct zk_purge){z, ttl_ms, kb_strdup(full)};
	if (!z->zh || zoo_aexists(z->zh, p->path, 0, zk_purge_stat, p) != ZOK) {
		zk_purge_free(p);
		return;
	}
	zk_kick(z);
}
