/* conf_int.h — what the files of conf/ share and nothing outside conf/ may use: the error
 * formatter, trimming, message buffer sizes, and the .properties reader (props.c).
 */
#ifndef KB_CONF_INT_H
#define KB_CONF_INT_H

#include "conf.h"

#include <stdio.h>

#define REASON_MAX 512  /* one reason in a message */
#define WHERE_MAX 1024  /* "file:line" of a message */

/* Formats a message into err (truncated to errlen) and returns -1. */
int conf_fail(char *err, size_t errlen, const char *fmt, ...) KB_PRINTF(3, 4);

/* A heap copy of [s, s + n) without leading and trailing white space (isspace). */
char *conf_trimmed_dup(const char *s, size_t n);

/* conf_check.c: a ZooKeeper connect string "host:port[,host:port...][/chroot]". */
int conf_check_zk_connect(const char *v, char *err, size_t errlen);

/* ---- The Java .properties reader (props.c) -------------------------------------------------
 * Yields the key=value entries of one file in order, with the line each starts on; syntax and
 * limits in props.c. Messages are "<path>:<line>: <reason>" (or "<path>: <reason>"). */
struct props_reader {
	FILE *f;
	const char *path;
	int lineno;    /* physical line number of the line last read */
	char *phys;    /* one physical line, KB_CONF_MAX_LINE + 1 bytes */
	char *logical; /* the joined logical line, KB_CONF_MAX_LINE + 1 bytes */
	size_t len;    /* length of the logical line */
	int start;     /* line number where the logical line starts */
	char *key;     /* the entry last returned, KB_CONF_MAX_LINE + 1 bytes each */
	char *val;
};
/* Opens path. Returns 0, or -1 with err ("<path>: cannot open: <why>"). */
int props_open(struct props_reader *r, const char *path, char *err, size_t errlen);
/* The next entry: returns 1 with r->key, r->val (unescaped; the value without trailing
 * blanks) and r->start (its first line), 0 at the end of the file, or -1 with err (a line
 * too long, a malformed \uXXXX escape, a read error). */
int props_next(struct props_reader *r, char *err, size_t errlen);
void props_close(struct props_reader *r);

#endif
