/* fuzz_json — every ZooKeeper payload the brokers read: topic assignments, partition states,
 * topic configs, broker registrations, endpoints and topic ids. A znode written by anyone
 * (another tool, a corrupt ZooKeeper) must be refused, never trusted or crashed on.
 * ACL resource znodes (auth/acl.h) too: a decoded one must encode to JSON that decodes to
 * the same entries.
 * A decoded assignment/state/config must encode and decode again to the same values. */
#include "auth/acl.h"
#include "common/limits.h"
#include "coord/coord.h"
#include "coord/md.h"

#include <stdlib.h>
#include <string.h>

static void parts_free(struct md_partition *parts, int n)
{
	for (int i = 0; i < n; i++)
		kb_free(parts[i].replicas);
	kb_free(parts);
}

static void assignment(const char *s, size_t n)
{
	struct md_partition *parts = NULL;
	int np = 0;
	uint8_t id[16];
	if (md_assignment_decode(s, n, &parts, &np, id) != 0)
		return;
	char *again = md_assignment_encode(parts, np, id);
	struct md_partition *parts2 = NULL;
	int np2 = 0;
	uint8_t id2[16];
	KB_ASSERT(md_assignment_decode(again, strlen(again), &parts2, &np2, id2) == 0);
	KB_ASSERT(np2 == np && memcmp(id, id2, 16) == 0);
	for (int i = 0; i < np; i++) {
		KB_ASSERT(parts[i].nreplicas == parts2[i].nreplicas);
		KB_ASSERT(memcmp(parts[i].replicas, parts2[i].replicas,
		                 sizeof(int32_t) * (size_t)parts[i].nreplicas) == 0);
	}
	parts_free(parts, np);
	parts_free(parts2, np2);
	free(again);
}

static void state(const char *s, size_t n)
{
	struct md_state st, st2;
	if (md_state_decode(s, n, &st) != 0)
		return;
	char *again = md_state_encode(&st);
	KB_ASSERT(md_state_decode(again, strlen(again), &st2) == 0);
	KB_ASSERT(st.leader == st2.leader && st.leader_epoch == st2.leader_epoch &&
	          st.nisr == st2.nisr);
	md_state_free(&st);
	md_state_free(&st2);
	free(again);
}

static void config(const char *s, size_t n)
{
	struct md_config_entry *c = NULL;
	int nc = 0;
	if (md_config_decode(s, n, &c, &nc) != 0)
		return;
	char *again = md_config_encode(c, nc);
	struct md_config_entry *c2 = NULL;
	int nc2 = 0;
	KB_ASSERT(md_config_decode(again, strlen(again), &c2, &nc2) == 0 && nc2 == nc);
	md_configs_free(c, nc);
	md_configs_free(c2, nc2);
	free(again);
}

static void acls(const char *s, size_t n)
{
	struct acl_ace *a = NULL, *a2 = NULL;
	int na = 0, na2 = 0;
	if (acl_json_decode(s, n, KB_ACLS_PER_RESOURCE_MAX, &a, &na) != 0)
		return;
	char *again = acl_json_encode(a, na);
	KB_ASSERT(acl_json_decode(again, strlen(again), KB_ACLS_PER_RESOURCE_MAX, &a2, &na2) == 0);
	KB_ASSERT(na2 == na);
	for (int i = 0; i < na; i++)
		KB_ASSERT(a[i].op == a2[i].op && a[i].perm == a2[i].perm &&
		          strcmp(a[i].principal, a2[i].principal) == 0 &&
		          strcmp(a[i].host, a2[i].host) == 0);
	acl_aces_free(a, na);
	acl_aces_free(a2, na2);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* A NUL-terminated copy: some readers get C strings (endpoints, uuids). */
	char *s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;
	size_t n = size - 1;
	switch (data[0] % 7) {
	case 0: assignment(s, n); break;
	case 1: state(s, n); break;
	case 2: config(s, n); break;
	case 3: {
		struct md_broker b;
		memset(&b, 0, sizeof b);
		if (broker_json_decode(7, s, n, &b) == 0)
			md_broker_free(&b);
		break;
	}
	case 4: {
		struct md_endpoint e;
		memset(&e, 0, sizeof e);
		if (endpoint_parse(s, &e) == 0) {
			kb_free(e.listener);
			kb_free(e.host);
		}
		break;
	}
	case 6: acls(s, n); break;
	default: {
		uint8_t id[16];
		char enc[23];
		if (md_uuid_decode(s, id) == 0) {
			md_uuid_encode(id, enc);
			uint8_t id2[16];
			KB_ASSERT(md_uuid_decode(enc, id2) == 0 && memcmp(id, id2, 16) == 0);
		}
		break;
	}
	}
	free(s);
	return 0;
}
