/* sockread.h — reading the rest of a large frame from a socket in large reads.
 *
 * libevent 2.1 reads a socket at most 4096 bytes per loop turn (evbuffer_read caps each call
 * at EVBUFFER_MAX_READ, after an ioctl(FIONREAD), and a bufferevent reads once per turn): a
 * 1 MiB produce request or replica fetch response cost 256 turns of epoll_wait + ioctl +
 * readv. Callers that know how many bytes their current frame still needs pull them here, in
 * the same turn, into space reserved in the bufferevent's own input buffer.
 *
 * Reservations start at SOCK_READ_FIRST_CHUNK and grow fourfold, up to SOCK_READ_MAX_CHUNK,
 * only while each read fills its reservation: a peer that trickles bytes never gets more than
 * the first chunk reserved for it. A short read (the socket is drained), EAGAIN, EOF and
 * errors end the call; EOF and errors are left for the bufferevent's next read to report
 * (the socket stays readable), so connection handling keeps one path for them.
 *
 * @thread the caller's event loop.
 */
#ifndef KB_NET_SOCKREAD_H
#define KB_NET_SOCKREAD_H

#include <event2/util.h>
#include <stddef.h>

struct evbuffer;

/* Chain sizes a little under powers of two: libevent rounds a chain's allocation (data plus
 * its header) up to the next power of two. */
#define SOCK_READ_FIRST_CHUNK ((size_t)(16 << 10) - 256)
#define SOCK_READ_MAX_CHUNK ((size_t)(256 << 10) - 256)

/* Reads at most `max` bytes from fd into `in`, a bufferevent's input buffer (whose end
 * libevent keeps frozen outside its own reads: it is thawed for the call, then frozen again);
 * returns how many it read. */
size_t sock_read_more(evutil_socket_t fd, struct evbuffer *in, size_t max);

/* The bytes still missing from the frame at the head of `in` (4-byte big-endian size prefix,
 * then `size` bytes), or 0 when it is complete, has no whole prefix yet, or its size lies
 * outside [min_size, max_size] (the caller's parser rejects it). */
size_t sock_frame_missing(struct evbuffer *in, size_t min_size, size_t max_size);

#endif
