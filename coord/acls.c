/* acls.c — ACLs in ZooKeeper and the broker's watched copy (contract in acls.h).
 *
 * Reading. A "restart" (every new session, and after any failed read) creates Kafka's ACL
 * paths, lists both change-notification roots with a child watch — the highest sequence
 * number listed becomes the baseline — and then starts a load: every resource znode under
 * both roots read into a fresh store, swapped in as a whole once every read is back. Anything
 * that changed after the baseline listing has a newer notification, so it is re-read when the
 * watch fires. Requests of one session are answered in order, so a read's completion always
 * reflects everything completed before it: re-reads and local writes go into the live copy
 * and into the fresh store of a load in progress, and the newest completion wins (a znode
 * deleted and created again starts over at version 0, so a read replaces a higher version).
 *
 * Counting: every read of the view counts in c->pending (coord_loaded); a call the client
 * refuses is undone where it is made. Any failed read (not ZCLOSING: the session is being
 * replaced and the next one restarts anyway) schedules a restart ACLS_RETRY_MS later, so a
 * connection loss inside a session cannot leave the copy stale.
 * Writes are acls_write.c.
 */
#include "acls_int.h"

#include "../common/kerr.h"
#include "../common/limits.h"
#include "../common/say.h"
#include "coord_int.h"
#include "topic_admin.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ACLS_NOTE_TTL_MS (15 * 60 * 1000) /* Kafka's changeExpirationMs */
#define ACLS_PURGE_BATCH 64               /* old notifications checked per listing */
#define ACLS_RETRY_MS 1000

const char *const acls_res_roots[2] = {"/kafka-acl", "/kafka-acl-extended/prefixed"};
const char *const acls_note_roots[2] = {"/kafka-acl-changes", "/kafka-acl-extended-changes"};
static const int8_t root_pattern[2] = {ACL_PAT_LITERAL, ACL_PAT_PREFIXED};

/* One full read of both resource roots. */
struct acl_load {
	struct coord_acls *st;
	struct acl_store fresh;
	int out;        /* requests in flight */
	bool failed;    /* some read failed: restart instead of swapping */
	bool abandoned; /* a newer load replaced it: drop everything it reads */
};

struct coord_acls {
	struct coord *c;
	bool enabled;
	bool stopping;     /* coord_stop: ZCLOSING means shutdown, not a new session */
	bool loaded;       /* a load completed in this session */
	uint64_t epoch;    /* bumped by every restart; older listings are ignored */
	bool based[2];     /* per root: the baseline listing of this restart is done */
	int64_t last[2];   /* per root: the highest notification processed */
	struct acl_store store;
	struct acl_load *load;
	struct event *retry;
};

static const struct acl_store empty_store;

static void restart(struct coord_acls *st);

int acls_root_of(int8_t pattern)
{
	return pattern == ACL_PAT_PREFIXED ? ACLS_ROOT_PREFIXED : ACLS_ROOT_LITERAL;
}

static const char *pattern_name(int8_t pattern)
{
	return pattern == ACL_PAT_PREFIXED ? "PREFIXED" : "LITERAL";
}

/* The full path (chroot prefixed) of "<a>[/<b>[/<c>]]" in out[ACLS_PATH_LEN]; false when it does
 * not fit (a name over KB_ACL_NAME_MAX_BYTES, or a very long chroot). */
bool acls_full_path(struct coord *c, char out[ACLS_PATH_LEN], const char *a, const char *b,
                      const char *d)
{
	int n = snprintf(out, ACLS_PATH_LEN, "%s%s%s%s%s%s", zk_chroot(c->zk), a, b ? "/" : "",
	                 b ? b : "", d ? "/" : "", d ? d : "");
	return n > 0 && n < ACLS_PATH_LEN;
}

bool acls_resource_path(struct coord *c, int8_t type, int8_t pattern, const char *name,
                          char out[ACLS_PATH_LEN])
{
	return acls_full_path(c, out, acls_res_roots[acls_root_of(pattern)], acl_restype_zk(type), name);
}

struct acl_ace *acls_aces_dup(const struct acl_ace *a, int n)
{
	struct acl_ace *d = n ? kb_calloc((size_t)n, sizeof(*d)) : NULL;
	for (int i = 0; i < n; i++)
		d[i] = (struct acl_ace){kb_strdup(a[i].principal), kb_strdup(a[i].host), a[i].op,
		                        a[i].perm};
	return d;
}

bool acls_ace_eq(const struct acl_ace *a, const struct acl_ace *b)
{
	return a->op == b->op && a->perm == b->perm && strcmp(a->principal, b->principal) == 0 &&
	       strcmp(a->host, b->host) == 0;
}

/* Puts a completed read (or local write) into one store: the newest completion wins. Takes
 * `aces`. Returns whether the store changed. */
static bool store_set(struct acl_store *s, int8_t type, int8_t pattern, const char *name,
                      struct acl_ace *aces, int n, int32_t version)
{
	const struct acl_resource *old = acl_store_get(s, type, pattern, name);
	bool changed = false;
	if (n > 0 && old && old->zk_version > version) /* deleted and created again */
		changed = acl_store_put(s, type, pattern, name, NULL, 0, 0);
	return acl_store_put(s, type, pattern, name, aces, n, version) || changed;
}

/* A resource's current entries are known: the live copy, and a load in progress. */
static void apply_st(struct coord_acls *st, int8_t type, int8_t pattern, const char *name,
                  const struct acl_ace *aces, int n, int32_t version)
{
	if (!st->enabled)
		return;
	if (st->load && !st->load->abandoned)
		KB_IGNORED(store_set(&st->load->fresh, type, pattern, name, acls_aces_dup(aces, n), n,
		                     version)); /* the swap reports it */
	if (store_set(&st->store, type, pattern, name, acls_aces_dup(aces, n), n, version)) {
		say_info("acls", "%s:%s:%s now %d entries", acl_restype_zk(type), pattern_name(pattern),
		         name, n);
		coord_changed(st->c);
	}
}

static void schedule_retry(struct coord_acls *st, const char *what, int rc)
{
	say_warn("acls", "%s failed: %s; reading every ACL again in %d ms", what, zerror(rc),
	         ACLS_RETRY_MS);
	struct timeval tv = {ACLS_RETRY_MS / 1000, (ACLS_RETRY_MS % 1000) * 1000};
	if (!evtimer_pending(st->retry, NULL))
		evtimer_add(st->retry, &tv);
}

void acls_apply(struct coord *c, int8_t type, int8_t pattern, const char *name,
                const struct acl_ace *aces, int n, int32_t version)
{
	apply_st(c->acls, type, pattern, name, aces, n, version);
}

/* ---- The load ------------------------------------------------------------------------------ */

struct lreq {
	struct acl_load *l;
	int root;
	int8_t type;  /* ACL_RES_UNKNOWN while listing the root's types */
	char *name;   /* the resource (data read), NULL for a listing */
};

static void load_issue(struct acl_load *l, int root, int8_t type, const char *name);

static void load_free(struct acl_load *l)
{
	acl_store_free(&l->fresh);
	kb_free(l);
}

static void load_end(struct acl_load *l)
{
	struct coord_acls *st = l->st;
	if (l->abandoned) {
		if (l->out == 0)
			load_free(l);
		return;
	}
	if (l->out > 0)
		return;
	st->load = NULL;
	if (l->failed) { /* schedule_retry was called */
		load_free(l);
		return;
	}
	int n = 0;
	for (int i = 0; i < l->fresh.nres; i++)
		n += l->fresh.res[i].naces;
	say_info("acls", "loaded %d ACL entries on %d resource patterns", n, l->fresh.nres);
	uint64_t gen = st->store.gen;
	acl_store_free(&st->store);
	st->store = l->fresh;
	st->store.gen = gen + 1;
	kb_free(l);
	st->loaded = true;
	coord_changed(st->c);
}

/* Every completion of a load request: the counters, then the request itself. */
static struct acl_load *lreq_done(struct lreq *r, int rc, const char *what)
{
	struct acl_load *l = r->l;
	l->out--;
	l->st->c->pending--;
	if (rc != ZOK && rc != ZNONODE && !l->abandoned) {
		l->failed = true;
		if (rc != ZCLOSING)
			schedule_retry(l->st, what, rc);
	}
	return l;
}

static void lreq_free(struct lreq *r)
{
	kb_free(r->name);
	kb_free(r);
}

static void load_listed(int rc, const struct String_vector *names, const void *data)
{
	struct lreq *r = (struct lreq *)data;
	struct acl_load *l = lreq_done(r, rc, "listing ACLs");
	if (rc == ZOK && names && !l->abandoned && !l->failed) {
		for (int i = 0; i < names->count; i++) {
			if (r->type == ACL_RES_UNKNOWN) { /* the root's type directories */
				int8_t t = acl_restype_from_zk(names->data[i]);
				if (t != ACL_RES_UNKNOWN)
					load_issue(l, r->root, t, NULL);
				else
					say_warn("acls", "%s/%s: unknown resource type ignored",
					         acls_res_roots[r->root], names->data[i]);
			} else {
				load_issue(l, r->root, r->type, names->data[i]);
			}
		}
	}
	lreq_free(r);
	load_end(l);
}

static void load_read(int rc, const char *value, int len, const struct Stat *stat,
                      const void *data)
{
	struct lreq *r = (struct lreq *)data;
	struct acl_load *l = lreq_done(r, rc, "reading an ACL znode");
	if (rc == ZOK && !l->abandoned && !l->failed) {
		struct acl_ace *aces = NULL;
		int n = 0;
		if (acl_json_decode(value ? value : "", value && len > 0 ? (size_t)len : 0,
		                    KB_ACLS_PER_RESOURCE_MAX, &aces, &n) != 0)
			say_warn("acls", "%s/%s/%s: malformed ACL znode (or more than %d entries) ignored",
			         acls_res_roots[r->root], acl_restype_zk(r->type), r->name,
			         KB_ACLS_PER_RESOURCE_MAX);
		else
			KB_IGNORED(store_set(&l->fresh, r->type, root_pattern[r->root], r->name, aces, n,
			                     stat ? stat->version : 0)); /* reported at the swap */
	}
	lreq_free(r);
	load_end(l);
}

static void load_issue(struct acl_load *l, int root, int8_t type, const char *name)
{
	struct coord *c = l->st->c;
	char full[ACLS_PATH_LEN];
	if (!acls_full_path(c, full, acls_res_roots[root], type ? acl_restype_zk(type) : NULL, name)) {
		say_warn("acls", "%s/%s: a resource name over %d bytes ignored", acls_res_roots[root],
		         acl_restype_zk(type), KB_ACL_NAME_MAX_BYTES);
		return;
	}
	struct lreq *r = kb_malloc(sizeof(*r));
	*r = (struct lreq){l, root, type, name ? kb_strdup(name) : NULL};
	l->out++;
	c->pending++;
	zhandle_t *zh = zk_handle(c->zk);
	int sub = name ? zoo_aget(zh, full, 0, load_read, r)
	               : zoo_aget_children(zh, full, 0, load_listed, r);
	if (sub != ZOK) {
		l->out--;
		c->pending--;
		lreq_free(r);
		l->failed = true;
		schedule_retry(l->st, "an ACL read", sub);
		return; /* load_end runs from the completions still in flight (or just below) */
	}
	zk_kick(c->zk);
}

static void load_start(struct coord_acls *st)
{
	if (st->load) {
		st->load->abandoned = true;
		if (st->load->out == 0)
			load_free(st->load);
	}
	struct acl_load *l = kb_calloc(1, sizeof(*l));
	l->st = st;
	acl_store_init(&l->fresh);
	st->load = l;
	l->out++; /* held while issuing, so a synchronous failure cannot end it early */
	for (int root = 0; root < 2; root++)
		load_issue(l, root, ACL_RES_UNKNOWN, NULL);
	l->out--;
	load_end(l);
}

/* ---- Change notifications ------------------------------------------------------------------ */

struct nreq {
	struct coord_acls *st;
	uint64_t epoch;
	int root;
	char *path; /* full path of a notification (reads, purges) */
};

static void nreq_free(struct nreq *r)
{
	kb_free(r->path);
	kb_free(r);
}

static bool note_seq(const char *name, int64_t *seq)
{
	size_t n = strlen(ACLS_NOTE_PREFIX);
	return strncmp(name, ACLS_NOTE_PREFIX, n) == 0 && kb_parse_i64(name + n, 0, INT64_MAX, seq);
}

struct rreq {
	struct coord_acls *st;
	int8_t type, pattern;
	char *name;
};

static void reread_done(int rc, const char *value, int len, const struct Stat *stat,
                        const void *data)
{
	struct rreq *r = (struct rreq *)data;
	struct coord_acls *st = r->st;
	st->c->pending--;
	if (rc == ZNONODE) {
		apply_st(st, r->type, r->pattern, r->name, NULL, 0, 0);
	} else if (rc == ZOK) {
		struct acl_ace *aces = NULL;
		int n = 0;
		if (acl_json_decode(value ? value : "", value && len > 0 ? (size_t)len : 0,
		                    KB_ACLS_PER_RESOURCE_MAX, &aces, &n) != 0) {
			say_warn("acls", "%s:%s:%s: malformed ACL znode (or more than %d entries) ignored",
			         acl_restype_zk(r->type), pattern_name(r->pattern), r->name,
			         KB_ACLS_PER_RESOURCE_MAX);
		} else {
			apply_st(st, r->type, r->pattern, r->name, aces, n, stat ? stat->version : 0);
			acl_aces_free(aces, n);
		}
	} else if (rc != ZCLOSING) {
		schedule_retry(st, "re-reading a changed ACL", rc);
	}
	kb_free(r->name);
	kb_free(r);
}

static void reread(struct coord_acls *st, int8_t type, int8_t pattern, const char *name)
{
	struct coord *c = st->c;
	char full[ACLS_PATH_LEN];
	if (!acls_resource_path(c, type, pattern, name, full))
		return; /* note_parse bounds the name */
	struct rreq *r = kb_malloc(sizeof(*r));
	*r = (struct rreq){st, type, pattern, kb_strdup(name)};
	c->pending++;
	int sub = zoo_aget(zk_handle(c->zk), full, 0, reread_done, r);
	if (sub != ZOK) {
		c->pending--;
		kb_free(r->name);
		kb_free(r);
		schedule_retry(st, "re-reading a changed ACL", sub);
		return;
	}
	zk_kick(c->zk);
}

static int8_t restype_any_case(const char *s, size_t n)
{
	for (int8_t t = ACL_RES_TOPIC; t <= ACL_RES_USER; t++)
		if (strlen(acl_restype_zk(t)) == n && strncasecmp(acl_restype_zk(t), s, n) == 0)
			return t;
	return ACL_RES_UNKNOWN;
}

/* Kafka's ResourceType enum names in the extended notification ("TRANSACTIONAL_ID"). */
static const char *const enum_names[] = {
	[ACL_RES_TOPIC] = "TOPIC", [ACL_RES_GROUP] = "GROUP", [ACL_RES_CLUSTER] = "CLUSTER",
	[ACL_RES_TXN_ID] = "TRANSACTIONAL_ID", [ACL_RES_TOKEN] = "DELEGATION_TOKEN",
	[ACL_RES_USER] = "USER",
};

const char *acls_restype_enum(int8_t type)
{
	return type >= 0 && (size_t)type < KB_ARRAY_LEN(enum_names) ? enum_names[type] : NULL;
}

static int8_t restype_enum_name(const char *s)
{
	for (size_t t = 0; s && t < KB_ARRAY_LEN(enum_names); t++)
		if (enum_names[t] && strcasecmp(enum_names[t], s) == 0)
			return (int8_t)t;
	return ACL_RES_UNKNOWN;
}

/* The resource a notification names; false when it names none we know. */
static bool note_parse(int root, const char *value, int len, int8_t *type, int8_t *pattern,
                       char *name, size_t namelen)
{
	if (!value || len <= 0)
		return false;
	if (root == ACLS_ROOT_LITERAL) { /* "Topic:name" */
		const char *colon = memchr(value, ':', (size_t)len);
		if (!colon)
			return false;
		*type = restype_any_case(value, (size_t)(colon - value));
		*pattern = ACL_PAT_LITERAL;
		size_t n = (size_t)(value + len - colon - 1);
		if (n == 0 || n >= namelen || memchr(colon + 1, 0, n))
			return false;
		memcpy(name, colon + 1, n);
		name[n] = 0;
		return *type != ACL_RES_UNKNOWN;
	}
	json_error_t jerr;
	json_t *o = json_loadb(value, (size_t)len, 0, &jerr);
	json_t *t = json_object_get(o, "resourceType"), *nm = json_object_get(o, "name");
	json_t *pt = json_object_get(o, "patternType");
	bool ok = json_is_string(t) && json_is_string(nm) && json_is_string(pt) &&
	          json_string_length(nm) > 0 && json_string_length(nm) < namelen &&
	          strlen(json_string_value(nm)) == json_string_length(nm);
	if (ok) {
		*type = restype_enum_name(json_string_value(t));
		const char *p = json_string_value(pt);
		*pattern = strcasecmp(p, "PREFIXED") == 0  ? ACL_PAT_PREFIXED
		           : strcasecmp(p, "LITERAL") == 0 ? ACL_PAT_LITERAL
		                                           : ACL_PAT_UNKNOWN;
		snprintf(name, namelen, "%s", json_string_value(nm));
		ok = *type != ACL_RES_UNKNOWN && *pattern != ACL_PAT_UNKNOWN;
	}
	json_decref(o);
	return ok;
}

static void note_read(int rc, const char *value, int len, const struct Stat *stat,
                      const void *data)
{
	struct nreq *r = (struct nreq *)data;
	struct coord_acls *st = r->st;
	st->c->pending--;
	if (rc == ZOK && r->epoch == st->epoch) {
		int8_t type, pattern;
		char name[KB_ACL_NAME_MAX_BYTES + 1];
		if (note_parse(r->root, value, len, &type, &pattern, name, sizeof(name)))
			reread(st, type, pattern, name);
		else
			say_warn("acls", "%s: malformed ACL change notification ignored",
			         zk_unpath(st->c->zk, r->path));
		if (stat && stat->ctime < kb_wall_ms() - ACLS_NOTE_TTL_MS)
			zk_delete_if_older(st->c->zk, r->path, ACLS_NOTE_TTL_MS);
	} else if (rc != ZOK && rc != ZNONODE && rc != ZCLOSING) {
		schedule_retry(st, "reading an ACL change notification", rc);
	}
	nreq_free(r);
}

static void list_notes(struct coord_acls *st, int root);

static void note_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	KB_UNUSED(zh);
	KB_UNUSED(state);
	struct coord_acls *st = ctx;
	if (type != ZOO_CHILD_EVENT || !path)
		return;
	const char *rel = zk_unpath(st->c->zk, path);
	for (int root = 0; root < 2; root++)
		if (strcmp(rel, acls_note_roots[root]) == 0)
			list_notes(st, root);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void note_issue(struct coord_acls *st, int root, int64_t seq, bool purge_only)
{
	char leaf[64], full[ACLS_PATH_LEN];
	snprintf(leaf, sizeof(leaf), ACLS_NOTE_PREFIX "%010lld", (long long)seq);
	if (!acls_full_path(st->c, full, acls_note_roots[root], leaf, NULL))
		return;
	if (purge_only) {
		zk_delete_if_older(st->c->zk, full, ACLS_NOTE_TTL_MS);
		return;
	}
	struct nreq *r = kb_malloc(sizeof(*r));
	*r = (struct nreq){st, st->epoch, root, kb_strdup(full)};
	zhandle_t *zh = zk_handle(st->c->zk);
	st->c->pending++;
	int sub = zoo_aget(zh, r->path, 0, note_read, r);
	if (sub != ZOK) {
		st->c->pending--;
		nreq_free(r);
		schedule_retry(st, "reading an ACL change notification", sub);
	}
}

static void notes_listed(int rc, const struct String_vector *names, const void *data)
{
	struct nreq *r = (struct nreq *)data;
	struct coord_acls *st = r->st;
	st->c->pending--;
	if (rc != ZOK) {
		if (rc != ZCLOSING && r->epoch == st->epoch)
			schedule_retry(st, "listing ACL change notifications", rc);
		nreq_free(r);
		return;
	}
	if (r->epoch != st->epoch || !names) {
		nreq_free(r);
		return;
	}
	int root = r->root;
	nreq_free(r);
	int64_t *seqs = kb_calloc((size_t)names->count + 1, sizeof(*seqs));
	int n = 0;
	for (int i = 0; i < names->count; i++)
		if (note_seq(names->data[i], &seqs[n]))
			n++;
	qsort(seqs, (size_t)n, sizeof(*seqs), cmp_i64);
	/* The first listing of a restart is the baseline: what it lists the load covers. */
	bool baseline = !st->based[root];
	int purged = 0;
	for (int i = 0; i < n; i++) {
		if (!baseline && seqs[i] > st->last[root])
			note_issue(st, root, seqs[i], false); /* new: re-read what it names */
		else if (i < n - 1 && purged++ < ACLS_PURGE_BATCH)
			note_issue(st, root, seqs[i], true); /* processed: delete once old */
	}
	st->based[root] = true;
	if (n > 0 && seqs[n - 1] > st->last[root])
		st->last[root] = seqs[n - 1];
	kb_free(seqs);
	zk_kick(st->c->zk);
}

static void list_notes(struct coord_acls *st, int root)
{
	struct coord *c = st->c;
	char full[ACLS_PATH_LEN];
	if (!acls_full_path(c, full, acls_note_roots[root], NULL, NULL))
		return;
	struct nreq *r = kb_malloc(sizeof(*r));
	*r = (struct nreq){st, st->epoch, root, NULL};
	c->pending++;
	int sub = zoo_awget_children(zk_handle(c->zk), full, note_watcher, st, notes_listed, r);
	if (sub != ZOK) {
		c->pending--;
		nreq_free(r);
		schedule_retry(st, "listing ACL change notifications", sub);
		return;
	}
	zk_kick(c->zk);
}

/* ---- Restarts, sessions, the API ----------------------------------------------------------- */

void acls_ignore_created(int rc, const char *value, const void *data)
{
	KB_UNUSED(value);
	KB_UNUSED(data);
	if (rc != ZOK && rc != ZNODEEXISTS && rc != ZCLOSING)
		say_warn("acls", "creating an ACL path failed: %s", zerror(rc));
}

/* Creates an empty persistent znode, ignoring the answer (it usually exists). */
int acls_create_path(struct coord *c, const char *a, const char *b)
{
	char full[ACLS_PATH_LEN];
	if (!acls_full_path(c, full, a, b, NULL))
		return ZBADARGUMENTS;
	return zoo_acreate(zk_handle(c->zk), full, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, acls_ignore_created,
	                   NULL);
}

/* Kafka's ZkAclStore paths: both roots with a directory per resource type, both change
 * roots. Requests are answered in order, so everything sent after these finds them. */
static void create_paths(struct coord *c)
{
	const char *const top[] = {"/kafka-acl", "/kafka-acl-extended",
	                           "/kafka-acl-extended/prefixed", "/kafka-acl-changes",
	                           "/kafka-acl-extended-changes"};
	for (size_t i = 0; i < KB_ARRAY_LEN(top); i++)
		if (acls_create_path(c, top[i], NULL) != ZOK)
			return; /* the handle is unusable: the reads below fail and retry */
	for (int root = 0; root < 2; root++)
		for (int8_t t = ACL_RES_TOPIC; t <= ACL_RES_USER; t++)
			if (acls_create_path(c, acls_res_roots[root], acl_restype_zk(t)) != ZOK)
				return;
}

static void restart(struct coord_acls *st)
{
	if (!st->enabled || st->stopping)
		return;
	evtimer_del(st->retry);
	st->epoch++;
	for (int root = 0; root < 2; root++) {
		st->based[root] = false;
		st->last[root] = -1;
	}
	if (st->c->cfg.broker_id >= 0)
		create_paths(st->c);
	for (int root = 0; root < 2; root++)
		list_notes(st, root);
	load_start(st);
	zk_kick(st->c->zk);
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	restart(arg);
}

void acls_init(struct coord *c)
{
	struct coord_acls *st = kb_calloc(1, sizeof(*st));
	st->c = c;
	acl_store_init(&st->store);
	st->retry = evtimer_new(c->base, retry_cb, st);
	c->acls = st;
}

void acls_session_begin(struct coord *c)
{
	c->acls->loaded = false;
	restart(c->acls);
}

void acls_stopping(struct coord *c)
{
	c->acls->stopping = true;
	evtimer_del(c->acls->retry);
}

void acls_free(struct coord *c)
{
	struct coord_acls *st = c->acls;
	if (!st)
		return;
	if (st->load) { /* every completion ran (ZCLOSING) when the handle was closed */
		KB_ASSERT(st->load->out == 0);
		load_free(st->load);
	}
	acl_store_free(&st->store);
	event_free(st->retry);
	kb_free(st);
	c->acls = NULL;
}

void coord_acls_enable(struct coord *c)
{
	struct coord_acls *st = c->acls;
	if (st->enabled)
		return;
	st->enabled = true;
	zhandle_t *zh = zk_handle(c->zk);
	if (zh && zoo_state(zh) == ZOO_CONNECTED_STATE)
		restart(st); /* else the session's start does it */
}

bool acls_is_stopping(const struct coord *c)
{
	return c->acls->stopping;
}

bool coord_acls_loaded(const struct coord *c)
{
	return c->acls->enabled && c->acls->loaded;
}

const struct acl_store *coord_acls(const struct coord *c)
{
	return c->acls->enabled ? &c->acls->store : &empty_store;
}

