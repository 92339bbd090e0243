/* acls_int.h — what coord/acls.c (reading, watching) and coord/acls_write.c share. */
#ifndef KB_COORD_ACLS_INT_H
#define KB_COORD_ACLS_INT_H

#include "../common/limits.h"
#include "acls.h"
#include "coord_int.h"

#define ACLS_NOTE_PREFIX "acl_changes_"
#define ACLS_PATH_LEN (KB_ACL_NAME_MAX_BYTES + 1024)

enum { ACLS_ROOT_LITERAL = 0, ACLS_ROOT_PREFIXED = 1 };
extern const char *const acls_res_roots[2];  /* "/kafka-acl", ".../prefixed" */
extern const char *const acls_note_roots[2]; /* "/kafka-acl-changes", "...-extended-changes" */

int acls_root_of(int8_t pattern);
/* The full path (chroot prefixed) of "a[/b[/d]]"; false when it does not fit. */
bool acls_full_path(struct coord *c, char out[ACLS_PATH_LEN], const char *a, const char *b,
                    const char *d);
bool acls_resource_path(struct coord *c, int8_t type, int8_t pattern, const char *name,
                        char out[ACLS_PATH_LEN]);
/* Creates an empty persistent znode, ignoring the answer; the call's rc. */
int acls_create_path(struct coord *c, const char *a, const char *b);
void acls_ignore_created(int rc, const char *value, const void *data);
struct acl_ace *acls_aces_dup(const struct acl_ace *a, int n);
bool acls_ace_eq(const struct acl_ace *a, const struct acl_ace *b);
/* Kafka's ResourceType enum name ("TRANSACTIONAL_ID"), for extended notifications. */
const char *acls_restype_enum(int8_t type);
/* A resource's entries as just read or written (copied): the live copy and any load. */
void acls_apply(struct coord *c, int8_t type, int8_t pattern, const char *name,
                const struct acl_ace *aces, int n, int32_t version);
/* coord_stop has begun (ZCLOSING then means shutdown). */
bool acls_is_stopping(const struct coord *c);

#endif
