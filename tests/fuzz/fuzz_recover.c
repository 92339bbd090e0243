/* fuzz_recover — segment recovery on crafted files, as after a crash or a damaged disk: the
 * input becomes a partition directory holding one segment (.log, .index, .timeindex). The
 * first four bytes give the index and time-index sizes; the rest is the log (the index bytes
 * also serve as the .txnindex, whose entries recovery drops and rebuilds from the log's
 * markers). plog_open()
 * must recover it (cutting whatever is torn or corrupt, rebuilding suspect indexes) or
 * refuse it, and a recovered log must pass plog_check(): contiguous offsets, valid batches,
 * indexes consistent with the data. */
#include "log/log.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void put(const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n))
		abort();
	close(fd);
}

static void empty_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(dir, sizeof dir, "%s/fuzz-recover-%d", base, (int)getpid());
		mkdir(dir, 0755);
	}
	if (size < 4)
		return 0;
	size_t ni = ((size_t)data[0] << 8 | data[1]) % 4096;
	size_t nt = ((size_t)data[2] << 8 | data[3]) % 4096;
	data += 4, size -= 4;
	ni = ni < size ? ni : size;
	nt = nt < size - ni ? nt : size - ni;
	empty_dir();
	put("00000000000000000000.index", data, ni);
	put("00000000000000000000.txnindex", data, ni);
	put("00000000000000000000.timeindex", data + ni, nt);
	put("00000000000000000000.log", data + ni + nt, size - ni - nt);

	struct log_config cfg;
	log_config_defaults(&cfg);
	cfg.index_interval_bytes = 64; /* index often, so indexes matter */
	struct plog *l = NULL;
	char err[256];
	if (plog_open(dir, &cfg, 0, -1, &l, err, sizeof err) == 0) {
		char cerr[256];
		if (plog_check(l, cerr, sizeof cerr) != 0) {
			fprintf(stderr, "recovered log fails its check: %s\n", cerr);
			abort();
		}
		plog_close(l);
	}
	return 0;
}
