/* kadmin_groups_offsets.c — `kadmin groups reset-offsets` and `groups delete-offsets`, after
 * kafka-consumer-groups.sh --reset-offsets / --delete-offsets: the plan is computed from
 * ListOffsets on the partition leaders (and the group's commits for --shift-by), printed,
 * and committed with OffsetCommit (generation -1, member "", as the admin client does) only
 * with --execute and only while the group has no members. */
#include "kadmin_groups.h"

#include "../common/kerr.h"
#include "../net/kp_msgs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int kg_expand_specs(const struct md_cache *md, const struct kg_topic_spec *specs, int nspecs,
                    struct kg_part **parts, int *nparts)
{
	for (int i = 0; i < nspecs; i++) {
		const struct kg_topic_spec *s = &specs[i];
		const struct md_topic *t = md_find_topic(md, s->topic);
		if (!t) {
			fprintf(stderr, "kadmin: topic '%s' does not exist\n", s->topic);
			return -1;
		}
		for (int k = 0; k < s->nparts; k++)
			if (s->parts[k] >= t->npartitions) {
				fprintf(stderr, "kadmin: topic '%s' has no partition %d (it has %d)\n",
				        s->topic, s->parts[k], t->npartitions);
				return -1;
			}
		int n = s->nparts ? s->nparts : t->npartitions;
		for (int k = 0; k < n; k++)
			kg_part_add(parts, nparts, s->topic, s->nparts ? s->parts[k] : k);
	}
	kg_parts_sort_unique(*parts, nparts);
	return 0;
}

/* ---- Options ----------------------------------------------------------------------------- */

struct offsets_opts {
	const char *group;
	struct kg_topic_spec *specs;
	int nspecs;
	int nmodes;
	enum kg_reset_mode mode;
	int64_t arg;       /* --to-offset, --shift-by, --to-datetime (ms) */
	bool execute;
};

static void opts_free(struct offsets_opts *o)
{
	for (int i = 0; i < o->nspecs; i++)
		kg_topic_spec_free(&o->specs[i]);
	kb_free(o->specs);
}

static int add_spec(struct offsets_opts *o, const char *arg)
{
	char err[256];
	if (o->nspecs >= KG_MAX_TOPIC_SPECS) {
		fprintf(stderr, "kadmin: at most %d --topic options\n", KG_MAX_TOPIC_SPECS);
		return -1;
	}
	o->specs = kb_realloc(o->specs, (size_t)(o->nspecs + 1) * sizeof(*o->specs));
	if (kg_parse_topic_spec(arg, &o->specs[o->nspecs], err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		return -1;
	}
	o->nspecs++;
	return 0;
}

static int set_mode(struct offsets_opts *o, enum kg_reset_mode m, const char *opt,
                    const char *val)
{
	o->mode = m;
	o->nmodes++;
	if (m == KG_TO_OFFSET)
		return parse_int_arg(opt, val, 0, INT64_MAX, &o->arg);
	if (m == KG_SHIFT_BY)
		return parse_int_arg(opt, val, INT64_MIN, INT64_MAX, &o->arg);
	if (m == KG_TO_DATETIME && kg_parse_datetime(val, &o->arg) < 0) {
		fprintf(stderr, "kadmin: --to-datetime takes YYYY-MM-DDTHH:MM:SS[.sss][Z|+HH:MM], "
		        "got '%s'\n", val);
		return -1;
	}
	return 0;
}

/* reset (true): GROUP --topic... one mode [--execute|--dry-run]; else GROUP --topic... */
static int parse_opts(int argc, char **argv, bool reset, struct offsets_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;
		if (a[0] != '-' && !o->group)
			o->group = a;
		else if (strcmp(a, "--topic") == 0 && val && ++i)
			rc = add_spec(o, val);
		else if (reset && strcmp(a, "--to-earliest") == 0)
			rc = set_mode(o, KG_TO_EARLIEST, a, NULL);
		else if (reset && strcmp(a, "--to-latest") == 0)
			rc = set_mode(o, KG_TO_LATEST, a, NULL);
		else if (reset && strcmp(a, "--to-offset") == 0 && val && ++i)
			rc = set_mode(o, KG_TO_OFFSET, a, val);
		else if (reset && strcmp(a, "--shift-by") == 0 && val && ++i)
			rc = set_mode(o, KG_SHIFT_BY, a, val);
		else if (reset && strcmp(a, "--to-datetime") == 0 && val && ++i)
			rc = set_mode(o, KG_TO_DATETIME, a, val);
		else if (reset && strcmp(a, "--execute") == 0)
			o->execute = true;
		else if (reset && strcmp(a, "--dry-run") == 0)
			o->execute = false;
		else {
			fprintf(stderr, "kadmin: unexpected or incomplete argument '%s'\n", a);
			rc = -1;
		}
		if (rc < 0)
			return -1;
	}
	if (!o->group || o->nspecs == 0) {
		fprintf(stderr, "kadmin: give a GROUP and at least one --topic T[:P,P...]\n");
		return -1;
	}
	if (reset && o->nmodes != 1) {
		fprintf(stderr, "kadmin: give exactly one of --to-earliest, --to-latest, --to-offset, "
		        "--to-datetime, --shift-by\n");
		return -1;
	}
	return 0;
}

/* ---- reset-offsets ----------------------------------------------------------------------- */

/* The group must have no members (Empty, or Dead: never existed or deleted). */
static int check_inactive(const struct kadmin *ka, struct view *v, const char *group)
{
	char err[512];
	struct kg_group g;
	if (kg_describe_group(ka, v, group, &g, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		return -1;
	}
	int rc = 0;
	bool idle = g.state && (strcmp(g.state, "Empty") == 0 || strcmp(g.state, "Dead") == 0);
	if (!idle || g.nmembers > 0) {
		fprintf(stderr, "kadmin: offsets of group '%s' can only be reset while it has no "
		        "members (Empty or Dead), but it is %s with %d member(s); stop its consumers "
		        "first\n", group, g.state ? g.state : "?", g.nmembers);
		rc = -1;
	}
	kg_group_free(&g);
	return rc;
}

static int plan(const struct kadmin *ka, struct view *v, const struct offsets_opts *o,
                struct kg_part *parts, int n)
{
	char err[512];
	if (o->mode == KG_SHIFT_BY) {
		struct kg_part *committed = NULL;
		int nc = 0;
		if (kg_fetch_offsets(ka, v, o->group, &committed, &nc, err, sizeof(err)) < 0) {
			fprintf(stderr, "kadmin: %s\n", err);
			return -1;
		}
		for (int i = 0; i < nc; i++) {
			struct kg_part *p = kg_part_find(parts, n, kp_str_c(committed[i].topic),
			                                 committed[i].partition);
			if (p)
				p->committed = committed[i].committed;
		}
		kg_parts_free(committed, nc);
	}
	kg_list_offsets(ka, v, parts, n, -2);
	kg_list_offsets(ka, v, parts, n, -1);
	if (o->mode == KG_TO_DATETIME)
		kg_list_offsets(ka, v, parts, n, o->arg);
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct kg_part *p = &parts[i];
		if (p->error != KERR_NONE || p->start < 0 || p->end < 0) {
			fprintf(stderr, "kadmin: %s-%d: cannot read its offsets: %s\n", p->topic,
			        p->partition, kerr_name(p->error));
			rc = -1;
		} else if (kg_new_offset(o->mode, o->arg, p->committed, p->start, p->end, p->by_time,
		                         &p->new_offset) < 0) {
			fprintf(stderr, "kadmin: cannot shift %s-%d: the group has no committed offset "
			        "there\n", p->topic, p->partition);
			rc = -1;
		}
	}
	return rc;
}

static int16_t commit_error(const void *resp, int16_t version)
{
	KB_UNUSED(version);
	const struct OffsetCommitResponse *r = resp;
	const struct OffsetCommitResponseTopic *t = r->Topics.elems;
	for (int i = 0; i < r->Topics.count; i++) {
		const struct OffsetCommitResponsePartition *p = t[i].Partitions.elems;
		for (int k = 0; k < t[i].Partitions.count; k++)
			if (p[k].ErrorCode != KERR_NONE)
				return p[k].ErrorCode;
	}
	return KERR_NONE;
}

static int commit(const struct kadmin *ka, struct view *v, const char *group,
                  const struct kg_part *parts, int n)
{
	struct OffsetCommitRequestTopic *topics = kb_calloc((size_t)n + 1, sizeof(*topics));
	struct OffsetCommitRequestPartition *cp = kb_calloc((size_t)n + 1, sizeof(*cp));
	int nt = 0;
	for (int i = 0; i < n; i++) { /* parts are sorted: one topic entry per run */
		if (nt == 0 || !kp_str_eq_c(topics[nt - 1].Name, parts[i].topic))
			topics[nt++] = (struct OffsetCommitRequestTopic){kp_str_c(parts[i].topic), {&cp[i], 0}};
		cp[i] = (struct OffsetCommitRequestPartition){parts[i].partition, parts[i].new_offset, -1,
		                                              -1, KP_STR_LIT("")};
		topics[nt - 1].Partitions.count++;
	}
	struct OffsetCommitRequest req;
	kp_set_defaults(&kp_OffsetCommitRequest, &req);
	req.GroupId = kp_str_c(group);
	req.GenerationIdOrMemberEpoch = -1;
	req.MemberId = KP_STR_LIT("");
	req.GroupInstanceId = KP_STR_NULL;
	req.RetentionTimeMs = -1;
	req.Topics = (struct kp_array){topics, nt};
	struct OffsetCommitResponse resp;
	struct outclient_reply *reply = NULL;
	int16_t ver;
	char err[512];
	int rc = kg_coord_call(ka, v, group, KP_API_OFFSET_COMMIT, 1, &req, &resp, &reply, &ver,
	                       NULL, commit_error, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "kadmin: OffsetCommit for group '%s': %s\n", group, err);
	} else {
		const struct OffsetCommitResponseTopic *t = resp.Topics.elems;
		for (int i = 0; i < resp.Topics.count; i++) {
			const struct OffsetCommitResponsePartition *p = t[i].Partitions.elems;
			for (int k = 0; k < t[i].Partitions.count; k++)
				if (p[k].ErrorCode != KERR_NONE) {
					fprintf(stderr, "kadmin: commit of %.*s-%d: %s\n", t[i].Name.len,
					        t[i].Name.ptr, p[k].PartitionIndex, kerr_name(p[k].ErrorCode));
					rc = -1;
				}
		}
	}
	outclient_reply_free(reply);
	kb_free(topics);
	kb_free(cp);
	return rc;
}

static void print_plan(const struct kg_part *parts, int n)
{
	struct kg_table t;
	kg_table_init(&t, 3);
	kg_table_row(&t, (const char *[]){"TOPIC", "PARTITION", "NEW-OFFSET"});
	for (int i = 0; i < n; i++) {
		char part[16], off[24];
		snprintf(part, sizeof(part), "%" PRId32, parts[i].partition);
		snprintf(off, sizeof(off), "%" PRId64, parts[i].new_offset);
		kg_table_row(&t, (const char *[]){parts[i].topic, part, off});
	}
	kg_table_print(&t, stdout);
	kg_table_free(&t);
}

int groups_reset_offsets(const struct kadmin *ka, int argc, char **argv)
{
	struct offsets_opts o;
	if (parse_opts(argc, argv, true, &o) < 0) {
		opts_free(&o);
		return KADMIN_USAGE;
	}
	struct view v;
	char err[512];
	struct kg_part *parts = NULL;
	int n = 0, rc = -1;
	if (view_open(ka, &v, err, sizeof(err)) < 0)
		fprintf(stderr, "kadmin: %s\n", err);
	else if (kg_expand_specs(v.md, o.specs, o.nspecs, &parts, &n) == 0 &&
	         check_inactive(ka, &v, o.group) == 0 && plan(ka, &v, &o, parts, n) == 0)
		rc = 0;
	if (rc == 0) {
		print_plan(parts, n);
		if (o.execute)
			rc = commit(ka, &v, o.group, parts, n);
		else
			fprintf(stderr, "Dry run: nothing was committed (add --execute to commit).\n");
	}
	kg_parts_free(parts, n);
	view_close(&v);
	opts_free(&o);
	return rc == 0 ? KADMIN_OK : KADMIN_FAILED;
}

/* ---- delete-offsets ---------------------------------------------------------------------- */

static int16_t offset_delete_error(const void *resp, int16_t version)
{
	KB_UNUSED(version);
	return ((const struct OffsetDeleteResponse *)resp)->ErrorCode;
}

static int delete_offsets(const struct kadmin *ka, struct view *v, const char *group,
                          const struct kg_part *parts, int n)
{
	struct OffsetDeleteRequestTopic *topics = kb_calloc((size_t)n + 1, sizeof(*topics));
	struct OffsetDeleteRequestPartition *dp = kb_calloc((size_t)n + 1, sizeof(*dp));
	int nt = 0;
	for (int i = 0; i < n; i++) {
		if (nt == 0 || !kp_str_eq_c(topics[nt - 1].Name, parts[i].topic))
			topics[nt++] = (struct OffsetDeleteRequestTopic){kp_str_c(parts[i].topic), {&dp[i], 0}};
		dp[i].PartitionIndex = parts[i].partition;
		topics[nt - 1].Partitions.count++;
	}
	struct OffsetDeleteRequest req = {kp_str_c(group), {topics, nt}};
	struct OffsetDeleteResponse resp;
	struct outclient_reply *reply = NULL;
	int16_t ver;
	char err[512];
	int rc = kg_coord_call(ka, v, group, KP_API_OFFSET_DELETE, 0, &req, &resp, &reply, &ver,
	                       NULL, offset_delete_error, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "kadmin: OffsetDelete for group '%s': %s\n", group, err);
	} else if (resp.ErrorCode != KERR_NONE) {
		fprintf(stderr, "kadmin: group '%s': %s\n", group, kerr_name(resp.ErrorCode));
		rc = -1;
	} else {
		struct kg_table t;
		kg_table_init(&t, 3);
		kg_table_row(&t, (const char *[]){"TOPIC", "PARTITION", "STATUS"});
		const struct OffsetDeleteResponseTopic *rt = resp.Topics.elems;
		for (int i = 0; i < resp.Topics.count; i++) {
			const struct OffsetDeleteResponsePartition *p = rt[i].Partitions.elems;
			char *name = kb_strndup(rt[i].Name.ptr, rt[i].Name.len > 0 ? (size_t)rt[i].Name.len : 0);
			for (int k = 0; k < rt[i].Partitions.count; k++) {
				char part[16];
				snprintf(part, sizeof(part), "%" PRId32, p[k].PartitionIndex);
				bool ok = p[k].ErrorCode == KERR_NONE;
				kg_table_row(&t, (const char *[]){name, part,
				                                  ok ? "Successful" : kerr_name(p[k].ErrorCode)});
				if (!ok)
					rc = -1;
			}
			kb_free(name);
		}
		kg_table_print(&t, stdout);
		kg_table_free(&t);
	}
	outclient_reply_free(reply);
	kb_free(topics);
	kb_free(dp);
	return rc;
}

int groups_delete_offsets(const struct kadmin *ka, int argc, char **argv)
{
	struct offsets_opts o;
	if (parse_opts(argc, argv, false, &o) < 0) {
		opts_free(&o);
		return KADMIN_USAGE;
	}
	struct view v;
	char err[512];
	struct kg_part *parts = NULL;
	int n = 0, rc = -1;
	if (view_open(ka, &v, err, sizeof(err)) < 0)
		fprintf(stderr, "kadmin: %s\n", err);
	else if (kg_expand_specs(v.md, o.specs, o.nspecs, &parts, &n) == 0)
		rc = delete_offsets(ka, &v, o.group, parts, n);
	kg_parts_free(parts, n);
	view_close(&v);
	opts_free(&o);
	return rc == 0 ? KADMIN_OK : KADMIN_FAILED;
}
