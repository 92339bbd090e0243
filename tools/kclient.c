/* kclient.c — blocking request/response over one TCP connection (see kclient.h). */
#include "kclient.h"

#include "../common/limits.h"
#include "../net/kp_msgs.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Largest response the tools accept (a response from a non-Kafka port is not trusted). */
#define KCLIENT_MAX_RESPONSE (64 * 1024 * 1024)

static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	int rc = poll(&p, 1, timeout_ms);
	return rc > 0 ? 0 : -1;
}

static int io_all(struct kclient *k, void *buf, size_t len, bool writing)
{
	uint8_t *p = buf;
	while (len > 0) {
		if (wait_fd(k->fd, writing ? POLLOUT : POLLIN, k->timeout_ms) < 0)
			return -1;
		ssize_t n = writing ? send(k->fd, p, len, MSG_NOSIGNAL) : recv(k->fd, p, len, 0);
		if (n <= 0) {
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int connect_one(const char *hostport, int timeout_ms)
{
	char host[256], port[16];
	const char *colon = strrchr(hostport, ':');
	if (!colon || colon == hostport)
		return -1;
	const char *h = hostport;
	size_t hl = (size_t)(colon - hostport);
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	snprintf(host, sizeof(host), "%.*s", (int)hl, h);
	snprintf(port, sizeof(port), "%s", colon + 1);
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (rc < 0 && (errno != EINPROGRESS || wait_fd(fd, POLLOUT, timeout_ms) < 0 ||
		               getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

int16_t kclient_version(const struct kclient *k, int16_t key)
{
	const struct kp_api *api = kp_api_find(key);
	if (!api || key < 0 || key >= 128 || k->max_version[key] < 0)
		return -1;
	return KB_MIN(api->vmax, k->max_version[key]);
}

int kclient_call(struct kclient *k, int16_t key, int16_t version, const void *req, void *resp,
                 struct arena *a, uint8_t **frame, char *err, size_t errlen)
{
	const struct kp_api *api = kp_api_find(key);
	*frame = NULL;
	bool flex = kp_api_flexible(api, version);
	struct kp_request_header h = {key, version, k->next_correlation_id++, KP_STR_LIT("kadmin")};
	struct kbuf b;
	kbuf_init(&b, KB_RESPONSE_MAX_BYTES);
	kp_put_i32(&b, 0);
	kp_request_header_write(&b, &h, flex);
	int erc = kp_encode(api->request, version, flex, req, &b);
	if (erc != KP_OK || b.err) {
		snprintf(err, errlen, "cannot encode %s v%d: %s", api->name, version, kp_err_str(erc));
		kbuf_free(&b);
		return -1;
	}
	kp_patch_i32(&b, 0, (int32_t)(b.len - 4));
	int rc = io_all(k, b.data, b.len, true);
	kbuf_free(&b);
	uint8_t sz[4];
	if (rc < 0 || io_all(k, sz, 4, false) < 0) {
		snprintf(err, errlen, "%s: connection failed or timed out", k->peer);
		return -1;
	}
	int32_t n = (int32_t)((uint32_t)sz[0] << 24 | (uint32_t)sz[1] << 16 | sz[2] << 8 | sz[3]);
	if (n < 4 || n > KCLIENT_MAX_RESPONSE) {
		snprintf(err, errlen, "%s: bad response size %d (is this a Kafka port?)", k->peer, n);
		return -1;
	}
	*frame = kb_malloc((size_t)n);
	if (io_all(k, *frame, (size_t)n, false) < 0) {
		snprintf(err, errlen, "%s: connection closed mid-response", k->peer);
		return -1;
	}
	struct kp_reader r;
	kp_reader_init(&r, *frame, (size_t)n);
	int32_t corr;
	kp_response_header_read(&r, &corr, flex && key != KP_API_API_VERSIONS);
	if (r.err || corr != h.CorrelationId ||
	    kp_decode(api->response, version, flex, &r, a, resp) != KP_OK) {
		snprintf(err, errlen, "%s: unreadable %s v%d response", k->peer, api->name, version);
		return -1;
	}
	return 0;
}

/* ApiVersions at our highest version, stepping down as KIP-511 describes. */
static int negotiate(struct kclient *k, char *err, size_t errlen)
{
	int16_t v = kp_api_find(KP_API_API_VERSIONS)->vmax;
	for (int attempt = 0; attempt < 3; attempt++) {
		struct ApiVersionsRequest req = {KP_STR_LIT("kbroker-kadmin"), KP_STR_LIT("0.1.0")};
		struct ApiVersionsResponse resp;
		struct arena a;
		arena_init(&a, 1 << 20);
		uint8_t *frame;
		int rc = kclient_call(k, KP_API_API_VERSIONS, v, &req, &resp, &a, &frame, err, errlen);
		int16_t retry = -1;
		if (rc == 0 && resp.ErrorCode == 0) {
			const struct ApiVersion *e = resp.ApiKeys.elems;
			for (int32_t i = 0; i < resp.ApiKeys.count; i++)
				if (e[i].ApiKey >= 0 && e[i].ApiKey < 128)
					k->max_version[e[i].ApiKey] = e[i].MaxVersion;
		} else if (rc == 0 && resp.ErrorCode == 35) {
			const struct ApiVersion *e = resp.ApiKeys.elems;
			retry = 0;
			for (int32_t i = 0; i < resp.ApiKeys.count; i++)
				if (e[i].ApiKey == KP_API_API_VERSIONS)
					retry = KB_MIN(e[i].MaxVersion, v - 1);
		} else if (rc == 0) {
			snprintf(err, errlen, "%s: ApiVersions error %d", k->peer, resp.ErrorCode);
			rc = -1;
		}
		kb_free(frame);
		arena_destroy(&a);
		if (rc < 0 || retry < 0)
			return rc;
		v = retry;
	}
	snprintf(err, errlen, "%s: no common ApiVersions version", k->peer);
	return -1;
}

int kclient_connect(struct kclient *k, const char *bootstrap, int timeout_ms, char *err,
                    size_t errlen)
{
	memset(k, 0, sizeof(*k));
	memset(k->max_version, 0xff, sizeof(k->max_version));
	k->timeout_ms = timeout_ms;
	k->next_correlation_id = 1;
	k->fd = -1;
	char *list = kb_strdup(bootstrap), *save = NULL;
	for (char *hp = strtok_r(list, ",", &save); hp && k->fd < 0; hp = strtok_r(NULL, ",", &save)) {
		k->fd = connect_one(hp, timeout_ms);
		snprintf(k->peer, sizeof(k->peer), "%s", hp);
	}
	kb_free(list);
	if (k->fd < 0) {
		snprintf(err, errlen, "cannot connect to any of %s", bootstrap);
		return -1;
	}
	if (negotiate(k, err, errlen) < 0) {
		kclient_close(k);
		return -1;
	}
	return 0;
}

void kclient_close(struct kclient *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
