/* acl_json.c — the JSON of an ACL resource znode, as Kafka's AclEntry writes and reads it:
 *   {"version":1,"acls":[{"principal":"User:a","permissionType":"Allow","operation":"Read",
 *    "host":"*"}]}
 * Empty data reads as no entries (Kafka does the same). Anything else that is not exactly this
 * shape, with a known operation and permission and a "Type:name" principal, is refused. */
#include "acl.h"

#include "../common/kb.h"

#include <jansson.h>
#include <string.h>

static const char *get_str(json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);
	return json_is_string(x) ? json_string_value(x) : NULL;
}

int acl_json_decode(const char *buf, size_t len, int max, struct acl_ace **out, int *n)
{
	*out = NULL;
	*n = 0;
	if (len == 0)
		return 0;
	json_error_t jerr;
	json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *v = json_object_get(o, "version");
	json_t *acls = json_object_get(o, "acls");
	if (!json_is_object(o) || !json_is_integer(v) || json_integer_value(v) != 1 ||
	    !json_is_array(acls) || max < 0 || json_array_size(acls) > (size_t)max) {
		json_decref(o);
		return -1;
	}
	size_t cnt = json_array_size(acls);
	struct acl_ace *aces = cnt ? kb_calloc(cnt, sizeof(*aces)) : NULL;
	for (size_t i = 0; i < cnt; i++) {
		json_t *e = json_array_get(acls, i);
		const char *principal = get_str(e, "principal");
		const char *host = get_str(e, "host");
		int8_t op = acl_op_from_zk(get_str(e, "operation"));
		int8_t perm = acl_perm_from_zk(get_str(e, "permissionType"));
		const char *colon = principal ? strchr(principal, ':') : NULL;
		/* jansson allows NUL inside strings; a stored string must be a C string. */
		if (!json_is_object(e) || !colon || colon == principal || !host ||
		    strlen(principal) != json_string_length(json_object_get(e, "principal")) ||
		    strlen(host) != json_string_length(json_object_get(e, "host")) ||
		    op == ACL_OP_UNKNOWN || perm == ACL_PERM_UNKNOWN) {
			acl_aces_free(aces, (int)i);
			json_decref(o);
			return -1;
		}
		aces[i] = (struct acl_ace){.principal = kb_strdup(principal), .host = kb_strdup(host),
		                           .op = op, .perm = perm};
	}
	json_decref(o);
	*out = aces;
	*n = (int)cnt;
	return 0;
}

/* acl_binding_invalid refuses strings that are not UTF-8; should one reach here anyway, its
 * bytes above 0x7F are written as '?' (jansson can neither hold nor dump invalid UTF-8). */
static json_t *jstr(const char *s)
{
	json_t *x = json_string(s);
	if (x)
		return x;
	char *copy = kb_strdup(s);
	for (char *c = copy; *c; c++)
		if ((unsigned char)*c >= 0x80)
			*c = '?';
	x = json_string(copy);
	kb_free(copy);
	KB_ASSERT(x);
	return x;
}

char *acl_json_encode(const struct acl_ace *aces, int n)
{
	json_t *o = json_object();
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		json_t *e = json_object();
		const char *perm = acl_perm_zk(aces[i].perm), *op = acl_op_zk(aces[i].op);
		KB_ASSERT(perm && op);
		json_object_set_new(e, "principal", jstr(aces[i].principal));
		json_object_set_new(e, "permissionType", json_string(perm));
		json_object_set_new(e, "operation", json_string(op));
		json_object_set_new(e, "host", jstr(aces[i].host));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "acls", arr);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	KB_ASSERT(s);
	return s;
}
