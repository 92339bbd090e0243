/* fuzz_props — the server.properties reader and the whole load/validate path: an input is a
 * properties file (escapes, continuations, long lines, unknown keys, bad values); loading
 * it either succeeds or fails with a message, never crashes or leaks. The file lives in a
 * memfd so the run needs no disk. */
#include "conf/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("props", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	struct kb_config cfg;
	char err[512];
	if (conf_load(&cfg, path, 0, NULL, err, sizeof err) == 0)
		conf_free(&cfg);
	return 0;
}
