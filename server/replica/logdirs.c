/* logdirs.c — see logdirs.h. meta.properties is Kafka's: "version=0", "broker.id=N",
 * "cluster.id=X" lines (written once the cluster id is known). */
#include "logdirs.h"

#include "../../common/say.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Reads "key=value" lines of meta.properties: broker.id and cluster.id. */
static int read_meta(const char *dir, int32_t *broker_id, char **cluster_id)
{
	char path[4200], line[512];
	snprintf(path, sizeof(path), "%s/meta.properties", dir);
	FILE *f = fopen(path, "r");
	*broker_id = -1;
	*cluster_id = NULL;
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		int64_t id;
		if (strncmp(line, "broker.id=", 10) == 0 && !kb_parse_i64(line + 10, 0, INT32_MAX, &id)) {
			say_error("server", "%s: broker.id is not a broker id: %.40s", path, line + 10);
			fclose(f);
			errno = EINVAL;
			return -1;
		}
		if (strncmp(line, "broker.id=", 10) == 0)
			*broker_id = (int32_t)id;
		else if (strncmp(line, "cluster.id=", 11) == 0 && !*cluster_id)
			*cluster_id = kb_strdup(line + 11);
	}
	fclose(f);
	return 0;
}

static int write_meta(const char *dir, int32_t broker_id, const char *cluster_id)
{
	char path[4200], tmp[4300];
	snprintf(path, sizeof(path), "%s/meta.properties", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "#\n#written by kbroker\nversion=0\nbroker.id=%d\ncluster.id=%s\n", broker_id,
	        cluster_id);
	int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
	fclose(f);
	return rc == 0 ? rename(tmp, path) : -1;
}

static void read_checkpoints(struct logdir *d)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/recovery-point-offset-checkpoint", d->path);
	if (ckpt_read(path, &d->rp, &d->nrp) < 0)
		say_warn("server", "%s unreadable: recovering every log in %s fully", path, d->path);
	snprintf(path, sizeof(path), "%s/log-start-offset-checkpoint", d->path);
	if (ckpt_read(path, &d->ls, &d->nls) < 0)
		say_warn("server", "%s unreadable", path);
	snprintf(path, sizeof(path), "%s/replication-offset-checkpoint", d->path);
	if (ckpt_read(path, &d->hw, &d->nhw) < 0)
		say_warn("server", "%s unreadable", path);
	snprintf(path, sizeof(path), "%s/cleaner-offset-checkpoint", d->path);
	if (ckpt_read(path, &d->cl, &d->ncl) < 0) /* logs are then cleaned from their start */
		say_warn("server", "%s unreadable", path);
}

static int open_one(struct logdir *d, int32_t broker_id, char *err, size_t errlen)
{
	if (mkdirs(d->path) < 0) {
		snprintf(err, errlen, "log dir %s: %s", d->path, strerror(errno));
		return -1;
	}
	char lock[4200];
	snprintf(lock, sizeof(lock), "%s/.lock", d->path);
	d->lock_fd = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
	if (d->lock_fd < 0 || flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errlen, "log dir %s is in use by another process (%s)", d->path,
		         strerror(errno));
		return -1;
	}
	int32_t id;
	if (read_meta(d->path, &id, &d->cluster_id) < 0) {
		snprintf(err, errlen, "%s/meta.properties: %s", d->path, strerror(errno));
		return -1;
	}
	if (id >= 0 && id != broker_id) {
		snprintf(err, errlen, "log dir %s belongs to broker.id %d, not %d (meta.properties)",
		         d->path, id, broker_id);
		return -1;
	}
	read_checkpoints(d);
	return 0;
}

int logdirs_open(struct logdir *dirs, int n, int32_t broker_id, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		dirs[i].lock_fd = -1;
		if (open_one(&dirs[i], broker_id, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void logdirs_close(struct logdir *dirs, int n)
{
	for (int i = 0; i < n; i++) {
		if (dirs[i].lock_fd >= 0)
			close(dirs[i].lock_fd); /* releases the flock */
		ckpt_free(dirs[i].rp, dirs[i].nrp);
		ckpt_free(dirs[i].ls, dirs[i].nls);
		ckpt_free(dirs[i].hw, dirs[i].nhw);
		ckpt_free(dirs[i].cl, dirs[i].ncl);
		kb_free(dirs[i].cluster_id);
		kb_free(dirs[i].path);
	}
}

int logdirs_cluster(struct logdir *dirs, int n, int32_t broker_id, const char *id, char *err,
                    size_t errlen)
{
	for (int i = 0; i < n; i++) {
		if (dirs[i].cluster_id && strcmp(dirs[i].cluster_id, id) != 0) {
			snprintf(err, errlen, "log dir %s belongs to cluster %s, but ZooKeeper's cluster "
			         "is %s (wrong zookeeper.connect or chroot?)", dirs[i].path,
			         dirs[i].cluster_id, id);
			return -1;
		}
		if (!dirs[i].cluster_id) {
			if (write_meta(dirs[i].path, broker_id, id) < 0) {
				snprintf(err, errlen, "writing %s/meta.properties: %s", dirs[i].path,
				         strerror(errno));
				return -1;
			}
			dirs[i].cluster_id = kb_strdup(id);
		}
	}
	return 0;
}

int64_t ckpt_lookup(const struct ckpt_entry *e, int n, const char *topic, int32_t partition,
                    int64_t fallback)
{
	for (int i = 0; i < n; i++)
		if (e[i].partition == partition && strcmp(e[i].topic, topic) == 0)
			return e[i].offset;
	return fallback;
}

/* "<topic>-<partition>": the partition number follows the last '-'. */
bool logdirs_parse_name(const char *name, char *topic, size_t tlen, int32_t *partition)
{
	const char *dash = strrchr(name, '-');
	if (!dash || dash == name || !dash[1] || (size_t)(dash - name) >= tlen)
		return false;
	int64_t p;
	if ((dash[1] == '0' && dash[2]) || !kb_parse_i64(dash + 1, 0, INT32_MAX, &p))
		return false; /* one spelling per partition: no sign, no leading zero */
	snprintf(topic, tlen, "%.*s", (int)(dash - name), name);
	*partition = (int32_t)p;
	return true;
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	rmdir(path);
}

void logdirs_scan(const struct logdir *d, logdir_visit_fn fn, void *arg)
{
	DIR *dir = opendir(d->path);
	struct dirent *de;
	while (dir && (de = readdir(dir)) != NULL) {
		char path[4200], topic[256];
		int32_t partition;
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", d->path, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		size_t len = strlen(de->d_name);
		if (len > 7 && strcmp(de->d_name + len - 7, "-delete") == 0) {
			say_info("server", "removing %s, left by a deletion before a restart", path);
			remove_tree(path);
		} else if (logdirs_parse_name(de->d_name, topic, sizeof(topic), &partition)) {
			fn(topic, partition, path, arg);
		}
	}
	if (dir)
		closedir(dir);
}
