/* coord.c — registration, cluster id and the live-broker / controller watches (coord.h).
 *
 * Every ZooKeeper request here is asynchronous; completions run on the loop. Requests on one
 * session are answered in the order they were sent, which is why the persistent paths can
 * all be created in one burst, parents first. Completions that arrive with ZCLOSING (the
 * handle was closed: shutdown or session replacement) are ignored.
 *
 * A call the client refuses at once (an expired or failed handle, an invalid path) never
 * completes: whatever its completion would undo (the `pending` count, its context) is
 * undone where the call is made — else coord_loaded() would stay false for good.
 */
#include "coord_int.h"
#include "controller.h"

#include "../common/limits.h"
#include "../common/say.h"

#include <stdio.h>
#include <string.h>

/* Kafka's ZkData.PersistentZkPaths, parents first. */
static const char *const persistent_paths[] = {
	"/consumers", "/brokers", "/brokers/ids", "/brokers/topics", "/brokers/seqid",
	"/config", "/config/changes", "/config/topics", "/config/clients", "/config/users",
	"/config/brokers", "/config/ips", "/admin", "/admin/delete_topics",
	"/isr_change_notification", "/latest_producer_id_block", "/log_dir_event_notification",
	"/cluster",
};

/* How long past the session timeout we wait for a stale registration of our id to vanish. */
#define REGISTRATION_WAIT_MARGIN_MS 2000


static void register_broker(struct coord *c);
static void watch_brokers(struct coord *c);
static void watch_controller(struct coord *c);

const struct md_cache *coord_metadata(const struct coord *c)
{
	return &c->md;
}

const char *coord_path(struct coord *c, const char *path, char *buf, size_t len)
{
	return zk_path(c->zk, path, buf, len);
}

#define P coord_path

static void changed_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct coord *c = arg;
	ctl_on_change(c->ctl);
	c->fn(COORD_METADATA_CHANGED, NULL, c->arg);
}

void coord_changed(struct coord *c)
{
	c->md.generation++;
	event_active(c->changed, 0, 0);
}

const struct md_topic *md_find_topic(const struct md_cache *md, const char *name)
{
	return topics_find((struct md_cache *)md, name);
}

bool md_broker_live(const struct md_cache *md, int32_t id)
{
	for (int i = 0; i < md->nbrokers; i++)
		if (md->brokers[i].id == id)
			return true;
	return false;
}

/* rc of an asynchronous call: true (and logged) when the client refused it. */
static bool refused(int rc, const char *what)
{
	if (rc == ZOK)
		return false;
	say_warn("coord", "ZooKeeper refused %s: %s", what, zerror(rc));
	return true;
}

static void fatal(struct coord *c, const char *msg)
{
	c->fn(COORD_FATAL, msg, c->arg);
}

/* ---- Persistent paths and cluster id ------------------------------------------------- */

static void create_done(int rc, const char *value, const void *data)
{
	KB_UNUSED(value);
	KB_UNUSED(data);
	if (rc != ZOK && rc != ZNODEEXISTS && rc != ZCLOSING)
		say_warn("coord", "creating a persistent path failed: %s", zerror(rc));
}

static void create_chroot_and_paths(struct coord *c)
{
	zhandle_t *zh = zk_handle(c->zk);
	const char *chroot = zk_chroot(c->zk);
	char part[1024];
	/* Each component of the chroot, then Kafka's paths under it. */
	for (const char *p = chroot; *p;) {
		const char *next = strchr(p + 1, '/');
		size_t n = next ? (size_t)(next - chroot) : strlen(chroot);
		snprintf(part, sizeof(part), "%.*s", (int)n, chroot);
		refused(zoo_acreate(zh, part, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, create_done, c),
		        "creating the chroot");
		p = next ? next : p + strlen(p);
	}
	for (size_t i = 0; i < KB_ARRAY_LEN(persistent_paths); i++) {
		char buf[1024];
		refused(zoo_acreate(zh, P(c, persistent_paths[i], buf, sizeof(buf)), "", 0,
		                    &ZOO_OPEN_ACL_UNSAFE, 0, create_done, c),
		        "creating a persistent path");
	}
}

static void read_cluster_id(struct coord *c);

static void cluster_id_created(int rc, const char *value, const void *data)
{
	KB_UNUSED(value);
	struct coord *c = (struct coord *)data;
	if (rc == ZCLOSING)
		return;
	if (rc != ZOK && rc != ZNODEEXISTS)
		say_warn("coord", "creating /cluster/id failed: %s", zerror(rc));
	read_cluster_id(c); /* read back whichever id won */
}

static void cluster_id_read(int rc, const char *value, int len, const struct Stat *st,
                            const void *data)
{
	KB_UNUSED(st);
	struct coord *c = (struct coord *)data;
	c->pending--;
	if (rc == ZCLOSING)
		return;
	if (rc == ZNONODE && c->cfg.broker_id < 0)
		return; /* an observer (a tool) never creates the cluster */
	if (rc == ZNONODE) {
		char id[23], json[96], buf[1024];
		cluster_id_generate(id);
		snprintf(json, sizeof(json), "{\"version\":\"1\",\"id\":\"%s\"}", id);
		refused(zoo_acreate(zk_handle(c->zk), P(c, "/cluster/id", buf, sizeof(buf)), json,
		                    (int)strlen(json), &ZOO_OPEN_ACL_UNSAFE, 0, cluster_id_created, c),
		        "creating /cluster/id");
		zk_kick(c->zk);
		return;
	}
	if (rc != ZOK) {
		say_warn("coord", "reading /cluster/id failed: %s", zerror(rc));
		return;
	}
	char tmp[64];
	/* {"version":"1","id":"..."}: a malformed value is reported, never trusted. */
	const char *k = value ? memmem(value, (size_t)len, "\"id\":\"", 6) : NULL;
	if (!k) {
		say_error("coord", "/cluster/id holds no id: %.*s", len, value ? value : "");
		return;
	}
	k += 6;
	const char *e = memchr(k, '"', (size_t)(value + len - k));
	if (!e || (size_t)(e - k) >= sizeof(tmp)) {
		say_error("coord", "/cluster/id is malformed");
		return;
	}
	kb_free(c->md.cluster_id);
	c->md.cluster_id = kb_strndup(k, (size_t)(e - k));
	say_info("coord", "cluster id %s", c->md.cluster_id);
}

static void read_cluster_id(struct coord *c)
{
	char buf[1024];
	c->pending++;
	if (refused(zoo_aget(zk_handle(c->zk), P(c, "/cluster/id", buf, sizeof(buf)), 0,
	                     cluster_id_read, c), "reading /cluster/id"))
		c->pending--;
	zk_kick(c->zk);
}

/* ---- Registration ------------------------------------------------------------------------ */

static void ids_path(struct coord *c, char *buf, size_t len)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "/brokers/ids/%d", c->cfg.broker_id);
	const char *full = P(c, rel, buf, len);
	if (full != buf)
		snprintf(buf, len, "%s", full);
}

static void registered(struct coord *c)
{
	c->registered = true;
	event_del(c->reg_deadline);
	say_info("coord", "registered /brokers/ids/%d", c->cfg.broker_id);
	c->fn(COORD_REGISTERED, NULL, c->arg);
	ctl_maybe_elect(c->ctl); /* fails harmlessly when a controller exists */
}

static void reg_watch(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	KB_UNUSED(zh);
	KB_UNUSED(state);
	KB_UNUSED(path);
	struct coord *c = ctx;
	if (type == ZOO_DELETED_EVENT && !c->registered)
		register_broker(c);
}

static void reg_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct coord *c = arg;
	if (c->registered)
		return;
	char msg[256];
	snprintf(msg, sizeof(msg),
	         "broker.id %d is registered in ZooKeeper by another live broker (session 0x%llx); "
	         "refusing to start with the same id",
	         c->cfg.broker_id, (unsigned long long)c->holder_session);
	fatal(c, msg);
}

static void existing_checked(int rc, const struct Stat *st, const void *data)
{
	struct coord *c = (struct coord *)data;
	if (rc == ZCLOSING || c->registered)
		return;
	if (rc == ZNONODE) { /* vanished between our create and this check */
		register_broker(c);
		return;
	}
	if (rc != ZOK) {
		say_warn("coord", "checking /brokers/ids/%d failed: %s", c->cfg.broker_id, zerror(rc));
		return;
	}
	if (st->ephemeralOwner == zk_session_id(c->zk)) {
		registered(c); /* our own create went through before a connection loss */
		return;
	}
	if (!evtimer_pending(c->reg_deadline, NULL)) {
		c->holder_session = st->ephemeralOwner;
		int ms = c->cfg.session_timeout_ms + REGISTRATION_WAIT_MARGIN_MS;
		say_warn("coord", "/brokers/ids/%d is held by session 0x%llx; waiting up to %d ms "
		         "for it to expire", c->cfg.broker_id, (unsigned long long)st->ephemeralOwner, ms);
		struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
		evtimer_add(c->reg_deadline, &tv);
	}
}

static void reg_created(int rc, const char *value, const void *data)
{
	KB_UNUSED(value);
	struct coord *c = (struct coord *)data;
	if (rc == ZCLOSING)
		return;
	if (rc == ZOK) {
		registered(c);
		return;
	}
	char path[1024];
	ids_path(c, path, sizeof(path));
	if (rc == ZNODEEXISTS) {
		refused(zoo_awexists(zk_handle(c->zk), path, reg_watch, c, existing_checked, c),
		        "watching our registration"); /* a new session registers again */
		zk_kick(c->zk);
		return;
	}
	say_warn("coord", "registering %s failed: %s; retrying on reconnect", path, zerror(rc));
}

static void register_broker(struct coord *c)
{
	char path[1024];
	ids_path(c, path, sizeof(path));
	kb_free(c->reg_json);
	c->reg_json = broker_json_encode(&c->cfg, kb_wall_ms());
	refused(zoo_acreate(zk_handle(c->zk), path, c->reg_json, (int)strlen(c->reg_json),
	                    &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, reg_created, c),
	        "registering the broker"); /* a new session registers again */
	zk_kick(c->zk);
}

/* ---- Live brokers -------------------------------------------------------------------------- */

static bool is_live(const struct coord *c, int32_t id)
{
	for (int i = 0; i < c->nlive; i++)
		if (c->live_ids[i] == id)
			return true;
	return false;
}

static int find_broker(const struct md_cache *md, int32_t id)
{
	for (int i = 0; i < md->nbrokers; i++)
		if (md->brokers[i].id == id)
			return i;
	return -1;
}

static void remove_broker(struct md_cache *md, int i)
{
	say_info("coord", "broker %d left", md->brokers[i].id);
	md_broker_free(&md->brokers[i]);
	memmove(&md->brokers[i], &md->brokers[i + 1],
	        (size_t)(md->nbrokers - i - 1) * sizeof(*md->brokers));
	md->nbrokers--;
}

static void insert_broker(struct md_cache *md, struct md_broker *b)
{
	int i = find_broker(md, b->id);
	if (i >= 0) {
		md_broker_free(&md->brokers[i]);
		md->brokers[i] = *b;
		return;
	}
	md->brokers = kb_realloc(md->brokers, (size_t)(md->nbrokers + 1) * sizeof(*md->brokers));
	for (i = md->nbrokers; i > 0 && md->brokers[i - 1].id > b->id; i--)
		md->brokers[i] = md->brokers[i - 1];
	md->brokers[i] = *b;
	md->nbrokers++;
	say_info("coord", "broker %d joined", b->id);
}

struct broker_read {
	struct coord *c;
	int32_t id;
};

static void broker_data(int rc, const char *value, int len, const struct Stat *st,
                        const void *data)
{
	KB_UNUSED(st);
	struct broker_read *br = (struct broker_read *)data;
	struct coord *c = br->c;
	c->pending--;
	int32_t id = br->id;
	kb_free(br);
	if (rc != ZOK || !is_live(c, id))
		return; /* closing, gone meanwhile, or not ours to add any more */
	struct md_broker b;
	if (!value || broker_json_decode(id, value, len, &b) < 0) {
		say_ratelimited(SAY_WARN, "coord", "/brokers/ids/%d holds unreadable JSON", id);
		return;
	}
	insert_broker(&c->md, &b);
	coord_changed(c);
}

static bool parse_id(const char *s, int32_t *out)
{
	int64_t v;
	if (!kb_parse_i64(s, 0, INT32_MAX, &v))
		return false;
	*out = (int32_t)v;
	return true;
}

static void brokers_listed(int rc, const struct String_vector *names, const void *data)
{
	struct coord *c = (struct coord *)data;
	c->pending--;
	if (rc != ZOK) {
		if (rc != ZCLOSING)
			say_warn("coord", "listing /brokers/ids failed: %s", zerror(rc));
		return;
	}
	c->nlive = 0;
	c->live_ids = kb_realloc(c->live_ids, (size_t)(names->count + 1) * sizeof(int32_t));
	for (int i = 0; i < names->count; i++) {
		int32_t id;
		if (parse_id(names->data[i], &id))
			c->live_ids[c->nlive++] = id;
	}
	c->brokers_known = true;
	coord_changed(c); /* the live set itself drives the controller */
	for (int i = c->md.nbrokers - 1; i >= 0; i--)
		if (!is_live(c, c->md.brokers[i].id)) {
			remove_broker(&c->md, i);
			coord_changed(c);
		}
	for (int i = 0; i < c->nlive; i++) {
		if (find_broker(&c->md, c->live_ids[i]) >= 0)
			continue;
		char rel[64], buf[1024];
		snprintf(rel, sizeof(rel), "/brokers/ids/%d", c->live_ids[i]);
		struct broker_read *br = kb_malloc(sizeof(*br));
		*br = (struct broker_read){c, c->live_ids[i]};
		c->pending++;
		if (refused(zoo_aget(zk_handle(c->zk), P(c, rel, buf, sizeof(buf)), 0, broker_data, br),
		            "reading a broker registration")) {
			c->pending--;
			kb_free(br);
		}
	}
	zk_kick(c->zk);
}

static void brokers_changed(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	KB_UNUSED(zh);
	KB_UNUSED(state);
	KB_UNUSED(path);
	if (type == ZOO_CHILD_EVENT)
		watch_brokers(ctx);
}

static void watch_brokers(struct coord *c)
{
	char buf[1024];
	c->pending++;
	if (refused(zoo_awget_children(zk_handle(c->zk), P(c, "/brokers/ids", buf, sizeof(buf)),
	                               brokers_changed, c, brokers_listed, c),
	            "listing /brokers/ids"))
		c->pending--;
	zk_kick(c->zk);
}

/* ---- Controller ------------------------------------------------------------------------- */

static void controller_changed(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	KB_UNUSED(zh);
	KB_UNUSED(state);
	KB_UNUSED(path);
	if (type == ZOO_CREATED_EVENT || type == ZOO_DELETED_EVENT || type == ZOO_CHANGED_EVENT)
		watch_controller(ctx);
}

static void controller_exists(int rc, const struct Stat *st, const void *data)
{
	KB_UNUSED(st);
	struct coord *c = (struct coord *)data;
	c->pending--;
	if (rc == ZOK) /* created between our get and this exists: read it */
		watch_controller(c);
}

static void ignore_void(int rc, const void *data)
{
	KB_UNUSED(rc);
	KB_UNUSED(data);
}

static void controller_read(int rc, const char *value, int len, const struct Stat *st,
                            const void *data)
{
	struct coord *c = (struct coord *)data;
	c->pending--;
	if (rc == ZCLOSING)
		return;
	if (rc == ZNONODE) {
		c->md.controller_id = -1;
		coord_changed(c);
		ctl_maybe_elect(c->ctl);
		char buf[1024];
		c->pending++;
		if (refused(zoo_awexists(zk_handle(c->zk), P(c, "/controller", buf, sizeof(buf)),
		                         controller_changed, c, controller_exists, c),
		            "watching /controller"))
			c->pending--;
		zk_kick(c->zk);
		return;
	}
	if (rc != ZOK || !value)
		return;
	/* {"version":1,"brokerid":1,"timestamp":"..."} */
	const char *k = memmem(value, (size_t)len, "\"brokerid\":", 11);
	char num[16] = "";
	if (k) {
		k += 11;
		size_t n = 0;
		while (k + n < value + len && n < sizeof(num) - 1 &&
		       (k[n] == '-' || (k[n] >= '0' && k[n] <= '9')))
			n++;
		memcpy(num, k, n);
		num[n] = '\0';
	}
	int32_t id;
	c->md.controller_id = parse_id(num, &id) ? id : -1;
	coord_changed(c);
	if (c->md.controller_id == c->cfg.broker_id && !ctl_active(c->ctl) && st &&
	    st->ephemeralOwner == zk_session_id(c->zk)) {
		/* Our election went through but its answer was lost (connection loss): we hold
		 * /controller without knowing our epoch. Give it up so the election runs again. */
		char buf[1024];
		say_warn("controller", "holding /controller without a known epoch: re-electing");
		refused(zoo_adelete(zk_handle(c->zk), P(c, "/controller", buf, sizeof(buf)), -1,
		                    ignore_void, NULL),
		        "giving /controller up"); /* the session's end frees it anyway */
		zk_kick(c->zk);
	}
}

static void watch_controller(struct coord *c)
{
	char buf[1024];
	c->pending++;
	if (refused(zoo_awget(zk_handle(c->zk), P(c, "/controller", buf, sizeof(buf)),
	                      controller_changed, c, controller_read, c),
	            "reading /controller"))
		c->pending--;
	zk_kick(c->zk);
}

/* ---- Session lifecycle ------------------------------------------------------------------- */

static void on_session(struct zk *z, enum zk_state st, bool new_session, void *arg)
{
	KB_UNUSED(z);
	struct coord *c = arg;
	if (st == ZK_FATAL) {
		fatal(c, "cannot use ZooKeeper (see the messages above)");
		return;
	}
	if (st != ZK_CONNECTED || !new_session)
		return;
	coord_session_begin(c);
}

void coord_session_begin(struct coord *c)
{
	c->registered = false;
	c->brokers_known = false;
	c->topics_known = false;
	ctl_session_reset(c->ctl);
	bool observer = c->cfg.broker_id < 0;
	if (!observer)
		create_chroot_and_paths(c);
	read_cluster_id(c);
	if (!observer)
		register_broker(c);
	watch_brokers(c);
	watch_controller(c);
	topics_watch(c);
	brokerconf_watch(c);
	acls_session_begin(c);
}

struct coord *coord_start(struct event_base *base, const struct coord_config *cfg,
                          coord_event_fn fn, void *arg)
{
	struct coord *c = kb_calloc(1, sizeof(*c));
	c->base = base;
	c->fn = fn;
	c->arg = arg;
	c->cfg = *cfg;
	c->eps = kb_calloc((size_t)cfg->nendpoints + 1, sizeof(*c->eps));
	for (int i = 0; i < cfg->nendpoints; i++)
		c->eps[i] = (struct md_endpoint){kb_strdup(cfg->endpoints[i].listener),
		                                 kb_strdup(cfg->endpoints[i].host),
		                                 cfg->endpoints[i].port};
	c->cfg.endpoints = c->eps;
	c->cfg.rack = cfg->rack ? kb_strdup(cfg->rack) : NULL;
	c->cfg.protocol_map = kb_strdup(cfg->protocol_map ? cfg->protocol_map : "");
	c->cfg.zookeeper_connect = kb_strdup(cfg->zookeeper_connect);
	c->md.controller_id = -1;
	c->reg_deadline = evtimer_new(base, reg_deadline_cb, c);
	c->changed = event_new(base, -1, 0, changed_cb, c);
	c->ctl = ctl_new(c);
	acls_init(c);
	c->zk = zk_new(base, cfg->zookeeper_connect, cfg->session_timeout_ms,
	               cfg->connection_timeout_ms, on_session, c);
	return c;
}

void coord_stop(struct coord *c)
{
	if (!c)
		return;
	acls_stopping(c);
	zk_free(c->zk); /* closes the session: our ephemeral znodes go at once */
	acls_free(c);   /* after the completions the close ran */
	ctl_free(c->ctl);
	event_free(c->reg_deadline);
	event_free(c->changed);
	topics_free(&c->md);
	brokerconf_free(&c->md);
	for (int i = 0; i < c->md.nbrokers; i++)
		md_broker_free(&c->md.brokers[i]);
	kb_free(c->md.brokers);
	kb_free(c->md.cluster_id);
	for (int i = 0; i < c->cfg.nendpoints; i++) {
		kb_free(c->eps[i].listener);
		kb_free(c->eps[i].host);
	}
	kb_free(c->eps);
	kb_free((char *)c->cfg.rack);
	kb_free((char *)c->cfg.protocol_map);
	kb_free((char *)c->cfg.zookeeper_connect);
	kb_free(c->reg_json);
	kb_free(c->live_ids);
	kb_free(c);
}

/* ---- What the server's admin handlers use ------------------------------------------------ */

bool coord_is_controller(const struct coord *c)
{
	return ctl_active(c->ctl);
}

int32_t coord_fence_version(const struct coord *c)
{
	return ctl_epoch_version(c->ctl);
}

struct zk *coord_zk(struct coord *c)
{
	return c->zk;
}

void coord_request_preferred(struct coord *c, const char *topic, int32_t partition)
{
	ctl_request_preferred(c->ctl, topic, partition);
}

void coord_set_unclean_leader_election(struct coord *c, bool enable)
{
	if (c->cfg.policy.unclean_leader_election == enable)
		return;
	c->cfg.policy.unclean_leader_election = enable;
	coord_changed(c); /* a controller pass: offline partitions may now be electable */
}

const int32_t *coord_live_ids(const struct coord *c, int *n)
{
	*n = c->nlive;
	return c->live_ids;
}

int32_t coord_broker_id(const struct coord *c)
{
	return c->cfg.broker_id;
}

bool coord_loaded(const struct coord *c)
{
	return c->brokers_known && c->topics_known && c->pending == 0;
}
