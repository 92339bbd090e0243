/* sockread.c — large reads for the rest of a frame (see sockread.h). */
#include "sockread.h"

#include "../common/kb.h"

#include <errno.h>
#include <event2/buffer.h>
#include <stdint.h>
#include <sys/uio.h>

size_t sock_read_more(evutil_socket_t fd, struct evbuffer *in, size_t max)
{
	size_t total = 0, chunk = SOCK_READ_FIRST_CHUNK;
	evbuffer_unfreeze(in, 0); /* as libevent does around its own reads */
	while (total < max) {
		size_t want = KB_MIN(chunk, max - total);
		struct evbuffer_iovec v[2];
		int nv = evbuffer_reserve_space(in, (ev_ssize_t)want, v, 2);
		if (nv <= 0)
			break;
		/* The reservation may be larger than asked: read no more than `want`. */
		size_t room = want;
		for (int i = 0; i < nv; i++) {
			v[i].iov_len = KB_MIN(v[i].iov_len, room);
			room -= v[i].iov_len;
		}
		ssize_t k;
		do
			k = readv(fd, (struct iovec *)v, nv);
		while (k < 0 && errno == EINTR);
		size_t got = k > 0 ? (size_t)k : 0, left = got;
		for (int i = 0; i < nv; i++) {
			v[i].iov_len = KB_MIN(v[i].iov_len, left);
			left -= v[i].iov_len;
		}
		evbuffer_commit_space(in, v, nv);
		total += got;
		if (got < want) /* drained, EAGAIN, EOF or an error: the next read sees the rest */
			break;
		chunk = KB_MIN(chunk * 4, SOCK_READ_MAX_CHUNK);
	}
	evbuffer_freeze(in, 0);
	return total;
}

size_t sock_frame_missing(struct evbuffer *in, size_t min_size, size_t max_size)
{
	uint8_t h[4];
	size_t len = evbuffer_get_length(in);
	if (len < 4 || evbuffer_copyout(in, h, 4) != 4)
		return 0;
	size_t size = (size_t)((uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]);
	if (size < min_size || size > max_size || len >= 4 + size)
		return 0;
	return 4 + size - len;
}
