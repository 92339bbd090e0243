/* checkpoint.c — Kafka's checkpoint text files:
 *
 *   line 1   version, "0"
 *   line 2   entry count n
 *   n lines  one entry each, fields separated by single spaces
 *
 * The offset checkpoints (recovery-point-offset-checkpoint, log-start-offset-checkpoint,
 * replication-offset-checkpoint) have "<topic> <partition> <offset>" entries; the per-partition
 * leader-epoch-checkpoint has "<epoch> <start offset>" (epoch.c). The framing is shared here:
 * the callers parse and print their own entry lines.
 *
 * Reading is strict (anything else is an error, never a crash): version 0, a count that
 * matches the lines, lines shorter than CKPT_MAX_LINE; for offset entries a non-empty topic
 * without spaces, partition in [0, INT32_MAX], offset an int64 >= -1. Writing goes through
 * "<path>.tmp" and a rename, so a reader sees the old or the new file; a durable write also
 * fsyncs the file before the rename and the directory after it, so a crash does too.
 */
#include "log_int.h"

#include "../common/say.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CKPT_MAX_LINE 1024 /* topic names are at most 249 characters */

/* ---- The common format -------------------------------------------------------------------- */

/* Reads one line without its newline; 1 ok, 0 end of file, -1 too long or no newline. */
static int read_line(FILE *f, char *buf, size_t n)
{
	if (!fgets(buf, (int)n, f))
		return 0;
	size_t len = strlen(buf);
	if (len == 0 || buf[len - 1] != '\n')
		return -1;
	buf[len - 1] = '\0';
	return 1;
}

bool ckpt_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	if (*s == '\0' || *s == ' ' || *s == '+')
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int parse_file(FILE *f, ckpt_parse_fn parse, void *ctx)
{
	char line[CKPT_MAX_LINE];
	int64_t count;
	if (read_line(f, line, sizeof(line)) != 1 || strcmp(line, "0") != 0 ||
	    read_line(f, line, sizeof(line)) != 1 || !ckpt_parse_i64(line, 0, INT32_MAX, &count))
		return -1;
	for (int64_t i = 0; i < count; i++)
		if (read_line(f, line, sizeof(line)) != 1 || !parse(ctx, line))
			return -1;
	return read_line(f, line, sizeof(line)) == 0 && !ferror(f) ? 0 : -1;
}

int ckpt_read_file(const char *path, ckpt_parse_fn parse, void *ctx)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		say_warn("log", "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = parse_file(f, parse, ctx);
	fclose(f);
	if (rc < 0)
		say_warn("log", "%s: malformed checkpoint file", path);
	return rc;
}

static int fsync_parent(const char *path)
{
	char *copy = kb_strdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	kb_free(copy);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int ckpt_write_file(const char *path, size_t n, ckpt_print_fn print, const void *ctx,
                    bool durable)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f) {
		say_warn("log", "%s: create: %s", tmp, strerror(errno));
		return -1;
	}
	bool ok = fprintf(f, "0\n%zu\n", n) > 0;
	for (size_t i = 0; ok && i < n; i++)
		ok = print(f, ctx, i) && fputc('\n', f) != EOF;
	ok = ok && fflush(f) == 0 && (!durable || fsync(fileno(f)) == 0);
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) < 0) {
		say_warn("log", "%s: write: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return durable ? fsync_parent(path) : 0;
}

/* ---- Offset checkpoints: "<topic> <partition> <offset>" ---------------------------------- */

struct ckpt_list {
	struct ckpt_entry *e;
	int n, cap;
};

static bool parse_entry(void *ctx, char *line)
{
	struct ckpt_list *l = ctx;
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	int64_t part, off;
	if (!sp1 || !sp2 || sp1 == line || strchr(sp2 + 1, ' '))
		return false;
	*sp1 = *sp2 = '\0';
	if (!ckpt_parse_i64(sp1 + 1, 0, INT32_MAX, &part) ||
	    !ckpt_parse_i64(sp2 + 1, -1, INT64_MAX, &off))
		return false;
	KB_GROW(l->e, l->cap, l->n + 1, 16);
	l->e[l->n++] = (struct ckpt_entry){kb_strdup(line), (int32_t)part, off};
	return true;
}

int ckpt_read(const char *path, struct ckpt_entry **entries, int *n)
{
	struct ckpt_list l = {NULL, 0, 0};
	int rc = ckpt_read_file(path, parse_entry, &l);
	if (rc < 0) {
		ckpt_free(l.e, l.n);
		l.e = NULL;
		l.n = 0;
	}
	*entries = l.e;
	*n = l.n;
	return rc < 0 ? -1 : 0;
}

void ckpt_free(struct ckpt_entry *entries, int n)
{
	for (int i = 0; i < n; i++)
		kb_free(entries[i].topic);
	kb_free(entries);
}

static bool print_entry(FILE *f, const void *ctx, size_t i)
{
	const struct ckpt_entry *e = (const struct ckpt_entry *)ctx + i;
	return fprintf(f, "%s %d %lld", e->topic, e->partition, (long long)e->offset) > 0;
}

int ckpt_write(const char *path, const struct ckpt_entry *entries, int n)
{
	return ckpt_write_file(path, (size_t)KB_MAX(n, 0), print_entry, entries, true);
}
