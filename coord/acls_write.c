/* acls_write.c — ACL writes (coord_acls_add, coord_acls_remove; contract in acls.h).
 *
 * Read the resource znode, merge, then create (parents first) / set / delete it conditional
 * on the version read; ZBADVERSION, ZNODEEXISTS and ZNONODE retry from the read up to
 * ACLS_WRITE_RETRIES times. Then the local copy (acls_apply), then the change notification
 * Kafka's brokers and tools read.
 */
#include "acls_int.h"

#include "../common/kerr.h"
#include "../common/limits.h"
#include "coord_int.h"
#include "topic_admin.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#define ACLS_WRITE_RETRIES 10

struct acl_write {
	struct coord *c;
	int8_t type, pattern;
	char *name;
	char path[ACLS_PATH_LEN];       /* full path of the resource znode */
	bool removing;
	struct acl_ace *aces;      /* adding: the entries to add */
	int naces;
	struct acl_filter *filters; /* removing (strings owned) */
	int nfilters;
	struct acl_ace *next;      /* the resource's entries once written */
	int nnext;
	struct acl_ace *removed;   /* removing: the entries taken out */
	int nremoved;
	int32_t version;           /* of the znode as read; -1: absent */
	int attempts;
	coord_acl_add_fn add_done;
	coord_acl_remove_fn remove_done;
	void *arg;
};

static void write_free(struct acl_write *w)
{
	kb_free(w->name);
	acl_aces_free(w->aces, w->naces);
	for (int i = 0; i < w->nfilters; i++) {
		kb_free((char *)w->filters[i].principal);
		kb_free((char *)w->filters[i].host);
	}
	kb_free(w->filters);
	acl_aces_free(w->next, w->nnext);
	acl_aces_free(w->removed, w->nremoved);
	kb_free(w);
}

static void write_end(struct acl_write *w, int16_t err, const char *msg)
{
	if (w->removing)
		w->remove_done(w->arg, err, msg, err ? NULL : w->removed, err ? 0 : w->nremoved);
	else
		w->add_done(w->arg, err, msg);
	write_free(w);
}

/* A ZooKeeper failure: shutdown, or an error with what failed. */
static void write_fail(struct acl_write *w, int rc, const char *what)
{
	if (rc == ZCLOSING && acls_is_stopping(w->c)) {
		write_end(w, TOPIC_ADMIN_CLOSING, "the ZooKeeper session is closing");
		return;
	}
	char m[256];
	snprintf(m, sizeof(m), "%s: %s", what, zerror(rc));
	write_end(w, KERR_UNKNOWN_SERVER_ERROR, m);
}

static void write_read(struct acl_write *w);

/* A conflict with another writer: read again, a bounded number of times. */
static void write_retry(struct acl_write *w, int rc)
{
	if (++w->attempts >= ACLS_WRITE_RETRIES) {
		write_fail(w, rc, "the ACL znode kept changing under concurrent writers");
		return;
	}
	acl_aces_free(w->next, w->nnext);
	acl_aces_free(w->removed, w->nremoved);
	w->next = w->removed = NULL;
	w->nnext = w->nremoved = 0;
	write_read(w);
}

static void noted(int rc, const char *value, const void *data)
{
	KB_UNUSED(value);
	struct acl_write *w = (struct acl_write *)data;
	if (rc != ZOK)
		write_fail(w, rc, "creating the ACL change notification");
	else
		write_end(w, KERR_NONE, NULL);
}

/* Written: the local copy, then the change notification Kafka's brokers and tools read. */
static void written(struct acl_write *w, int32_t version)
{
	struct coord *c = w->c;
	acls_apply(c, w->type, w->pattern, w->name, w->next, w->nnext, version);
	zhandle_t *zh = zk_handle(c->zk);
	char full[ACLS_PATH_LEN];
	int root = acls_root_of(w->pattern);
	char *note;
	if (root == ACLS_ROOT_LITERAL) {
		size_t n = strlen(acl_restype_zk(w->type)) + 1 + strlen(w->name) + 1;
		note = kb_malloc(n);
		snprintf(note, n, "%s:%s", acl_restype_zk(w->type), w->name);
	} else {
		json_t *o = json_object();
		json_object_set_new(o, "version", json_integer(1));
		json_object_set_new(o, "resourceType", json_string(acls_restype_enum(w->type)));
		json_object_set_new(o, "name", json_string(w->name));
		json_object_set_new(o, "patternType", json_string("PREFIXED"));
		note = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		KB_ASSERT(note);
	}
	/* The root may be missing when this broker's authorizer is off. */
	int sub = acls_create_path(c, acls_note_roots[root], NULL);
	if (sub == ZOK && !acls_full_path(c, full, acls_note_roots[root], ACLS_NOTE_PREFIX, NULL))
		sub = ZBADARGUMENTS;
	if (sub == ZOK)
		sub = zoo_acreate(zh, full, note, (int)strlen(note), &ZOO_OPEN_ACL_UNSAFE,
		                  ZOO_SEQUENCE, noted, w);
	kb_free(note);
	if (sub != ZOK)
		write_fail(w, sub, "ZooKeeper refused the change notification");
	else
		zk_kick(c->zk);
}

static void w_created(int rc, const char *value, const void *data)
{
	KB_UNUSED(value);
	struct acl_write *w = (struct acl_write *)data;
	if (rc == ZOK)
		written(w, 0);
	else if (rc == ZNODEEXISTS || rc == ZNONODE)
		write_retry(w, rc);
	else
		write_fail(w, rc, "creating the ACL znode");
}

static void w_set(int rc, const struct Stat *stat, const void *data)
{
	struct acl_write *w = (struct acl_write *)data;
	if (rc == ZOK)
		written(w, stat ? stat->version : w->version + 1);
	else if (rc == ZBADVERSION || rc == ZNONODE)
		write_retry(w, rc);
	else
		write_fail(w, rc, "writing the ACL znode");
}

static void w_deleted(int rc, const void *data)
{
	struct acl_write *w = (struct acl_write *)data;
	if (rc == ZOK)
		written(w, 0);
	else if (rc == ZBADVERSION || rc == ZNONODE)
		write_retry(w, rc);
	else
		write_fail(w, rc, "deleting the ACL znode");
}

/* The new entries from the current ones `cur` (taken): false when nothing changes. */
static bool merge(struct acl_write *w, struct acl_ace *cur, int ncur)
{
	if (w->removing) {
		w->next = kb_calloc((size_t)ncur + 1, sizeof(*w->next));
		w->removed = kb_calloc((size_t)ncur + 1, sizeof(*w->removed));
		for (int i = 0; i < ncur; i++) {
			bool hit = false;
			for (int f = 0; f < w->nfilters && !hit; f++)
				hit = acl_filter_matches_ace(&w->filters[f], &cur[i]);
			if (hit)
				w->removed[w->nremoved++] = cur[i];
			else
				w->next[w->nnext++] = cur[i];
		}
		kb_free(cur); /* its strings moved */
		return w->nremoved > 0;
	}
	w->next = kb_calloc((size_t)ncur + (size_t)w->naces + 1, sizeof(*w->next));
	if (ncur > 0)
		memcpy(w->next, cur, sizeof(*cur) * (size_t)ncur);
	w->nnext = ncur;
	kb_free(cur);
	for (int i = 0; i < w->naces; i++) {
		bool dup = false;
		for (int k = 0; k < w->nnext && !dup; k++)
			dup = acls_ace_eq(&w->next[k], &w->aces[i]);
		if (!dup)
			w->next[w->nnext++] = (struct acl_ace){kb_strdup(w->aces[i].principal),
			                                       kb_strdup(w->aces[i].host), w->aces[i].op,
			                                       w->aces[i].perm};
	}
	return w->nnext > ncur;
}

static void w_read(int rc, const char *value, int len, const struct Stat *stat, const void *data)
{
	struct acl_write *w = (struct acl_write *)data;
	struct acl_ace *cur = NULL;
	int ncur = 0;
	if (rc == ZNONODE) {
		w->version = -1;
	} else if (rc != ZOK) {
		write_fail(w, rc, "reading the ACL znode");
		return;
	} else if (acl_json_decode(value ? value : "", value && len > 0 ? (size_t)len : 0, INT_MAX,
	                           &cur, &ncur) != 0) {
		write_end(w, KERR_UNKNOWN_SERVER_ERROR, "the ACL znode holds malformed JSON");
		return;
	} else {
		w->version = stat ? stat->version : 0;
	}
	if (!merge(w, cur, ncur)) { /* nothing to add or remove: no write, as Kafka */
		write_end(w, KERR_NONE, NULL);
		return;
	}
	if (w->nnext > KB_ACLS_PER_RESOURCE_MAX) {
		char m[160];
		snprintf(m, sizeof(m), "a resource pattern holds at most %d ACL entries",
		         KB_ACLS_PER_RESOURCE_MAX);
		write_end(w, KERR_INVALID_REQUEST, m);
		return;
	}
	zhandle_t *zh = zk_handle(w->c->zk);
	int sub;
	if (w->nnext == 0) {
		sub = zoo_adelete(zh, w->path, w->version, w_deleted, w);
	} else {
		char *json = acl_json_encode(w->next, w->nnext);
		size_t n = strlen(json);
		if (n > KB_ZK_MAX_WRITE_BYTES) {
			kb_free(json);
			write_end(w, KERR_INVALID_REQUEST, "the resource pattern's ACLs would not fit "
			                                   "in one znode");
			return;
		}
		if (w->version < 0) { /* parents first (answered in order) */
			const char *parents[] = {"/kafka-acl", "/kafka-acl-extended",
			                         "/kafka-acl-extended/prefixed"};
			sub = ZOK;
			for (size_t i = 0; i < KB_ARRAY_LEN(parents) && sub == ZOK; i++)
				if (acls_root_of(w->pattern) == ACLS_ROOT_PREFIXED || i == 0)
					sub = acls_create_path(w->c, parents[i], NULL);
			if (sub == ZOK)
				sub = acls_create_path(w->c, acls_res_roots[acls_root_of(w->pattern)],
				                  acl_restype_zk(w->type));
			if (sub == ZOK)
				sub = zoo_acreate(zh, w->path, json, (int)n, &ZOO_OPEN_ACL_UNSAFE, 0,
				                  w_created, w);
		} else {
			sub = zoo_aset(zh, w->path, json, (int)n, w->version, w_set, w);
		}
		kb_free(json);
	}
	if (sub != ZOK)
		write_fail(w, sub, "ZooKeeper refused the request");
	else
		zk_kick(w->c->zk);
}

static void write_read(struct acl_write *w)
{
	int sub = zoo_aget(zk_handle(w->c->zk), w->path, 0, w_read, w);
	if (sub != ZOK)
		write_fail(w, sub, "ZooKeeper refused the request");
	else
		zk_kick(w->c->zk);
}

static struct acl_write *write_new(struct coord *c, int8_t type, int8_t pattern,
                                   const char *name)
{
	struct acl_write *w = kb_calloc(1, sizeof(*w));
	w->c = c;
	w->type = type;
	w->pattern = pattern;
	w->name = kb_strdup(name ? name : "");
	return w;
}

/* The resource pattern (and entries) can be written: else INVALID_REQUEST, ended. */
static bool write_check(struct acl_write *w, const struct acl_ace *aces, int naces)
{
	const char *why = acl_binding_invalid(w->type, w->pattern, w->name, "User:x", "*",
	                                      ACL_OP_ALL, ACL_PERM_ALLOW);
	for (int i = 0; i < naces && !why; i++)
		why = acl_binding_invalid(w->type, w->pattern, w->name, aces[i].principal,
		                          aces[i].host, aces[i].op, aces[i].perm);
	if (!why && naces > KB_ACLS_PER_RESOURCE_MAX)
		why = "too many ACL entries for one resource pattern";
	if (!why && !acls_resource_path(w->c, w->type, w->pattern, w->name, w->path))
		why = "the ZooKeeper path of the resource would be too long";
	if (why)
		write_end(w, KERR_INVALID_REQUEST, why);
	return !why;
}

void coord_acls_add(struct coord *c, int8_t type, int8_t pattern, const char *name,
                    const struct acl_ace *aces, int naces, coord_acl_add_fn done, void *arg)
{
	struct acl_write *w = write_new(c, type, pattern, name);
	w->add_done = done;
	w->arg = arg;
	if (!write_check(w, aces, naces))
		return;
	w->aces = acls_aces_dup(aces, naces);
	w->naces = naces;
	write_read(w);
}

void coord_acls_remove(struct coord *c, int8_t type, int8_t pattern, const char *name,
                       const struct acl_filter *filters, int nfilters,
                       coord_acl_remove_fn done, void *arg)
{
	struct acl_write *w = write_new(c, type, pattern, name);
	w->removing = true;
	w->filters = kb_calloc((size_t)nfilters + 1, sizeof(*w->filters));
	for (int i = 0; i < nfilters; i++) {
		w->filters[i] = filters[i];
		w->filters[i].name = NULL;
		w->filters[i].principal = filters[i].principal ? kb_strdup(filters[i].principal) : NULL;
		w->filters[i].host = filters[i].host ? kb_strdup(filters[i].host) : NULL;
	}
	w->nfilters = nfilters;
	w->remove_done = done;
	w->arg = arg;
	if (write_check(w, NULL, 0))
		write_read(w);
}
