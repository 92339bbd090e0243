/* checkpoint.c — Kafka's offset checkpoint files (recovery-point-offset-checkpoint,
 * log-start-offset-checkpoint, replication-offset-checkpoint):
 *
 *   line 1   version, "0"
 *   line 2   entry count n
 *   n lines  "<topic> <partition> <offset>" separated by single spaces
 *
 * Reading is strict (anything else is an error, never a crash): version 0, a count that
 * matches the lines, a non-empty topic without spaces, partition in [0, INT32_MAX], offset an
 * int64 >= -1, lines shorter than CKPT_MAX_LINE. Writing goes through "<path>.tmp", fsync,
 * rename, and an fsync of the directory, so a crash leaves the old or the new file.
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

static bool parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
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

static bool parse_entry(char *line, struct ckpt_entry *e)
{
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	int64_t part, off;
	if (!sp1 || !sp2 || sp1 == line || strchr(sp2 + 1, ' '))
		return false;
	*sp1 = *sp2 = '\0';
	if (!parse_i64(sp1 + 1, 0, INT32_MAX, &part) || !parse_i64(sp2 + 1, -1, INT64_MAX, &off))
		return false;
	e->topic = kb_strdup(line);
	e->partition = (int32_t)part;
	e->offset = off;
	return true;
}

static int parse_file(FILE *f, struct ckpt_entry **entries, int *n)
{
	char line[CKPT_MAX_LINE];
	int64_t count;
	if (read_line(f, line, sizeof(line)) != 1 || strcmp(line, "0") != 0 ||
	    read_line(f, line, sizeof(line)) != 1 || !parse_i64(line, 0, INT32_MAX, &count))
		return -1;
	int cap = 0;
	for (int64_t i = 0; i < count; i++) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*entries = kb_realloc(*entries, (size_t)cap * sizeof(**entries));
		}
		if (read_line(f, line, sizeof(line)) != 1 || !parse_entry(line, &(*entries)[*n]))
			return -1;
		(*n)++;
	}
	return read_line(f, line, sizeof(line)) == 0 && !ferror(f) ? 0 : -1;
}

int ckpt_read(const char *path, struct ckpt_entry **entries, int *n)
{
	*entries = NULL;
	*n = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	int rc = parse_file(f, entries, n);
	fclose(f);
	if (rc < 0) {
		say_warn("log", "%s: malformed checkpoint file", path);
		ckpt_free(*entries, *n);
		*entries = NULL;
		*n = 0;
	}
	return rc;
}

void ckpt_free(struct ckpt_entry *entries, int n)
{
	for (int i = 0; i < n; i++)
		kb_free(entries[i].topic);
	kb_free(entries);
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

int ckpt_write(const char *path, const struct ckpt_entry *entries, int n)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -1;
	bool ok = fprintf(f, "0\n%d\n", n) > 0;
	for (int i = 0; ok && i < n; i++)
		ok = fprintf(f, "%s %d %lld\n", entries[i].topic, entries[i].partition,
		             (long long)entries[i].offset) > 0;
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) < 0) {
		say_warn("log", "%s: write: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return fsync_parent(path);
}
