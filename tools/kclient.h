/* kclient.h — a small blocking Kafka client for the command-line tools, on the shared codec.
 * It connects to the first reachable bootstrap server, asks ApiVersions, and then sends
 * requests at the highest version both sides support. Not for the broker's event loop. */
#ifndef KB_TOOLS_KCLIENT_H
#define KB_TOOLS_KCLIENT_H

#include "../net/kp.h"

struct kclient {
	int fd;
	int timeout_ms;
	int32_t next_correlation_id;
	char peer[300];
	int16_t max_version[128]; /* broker's max per api key, -1 when not served */
};

/* bootstrap: "host:port[,host:port...]". Returns 0 or -1 with err. */
int kclient_connect(struct kclient *k, const char *bootstrap, int timeout_ms, char *err,
                    size_t errlen);
void kclient_close(struct kclient *k);
/* Highest version of `key` both sides support, or -1. */
int16_t kclient_version(const struct kclient *k, int16_t key);
/* Sends one request and decodes the response into resp (api->response layout). Strings in
 * resp point into *frame, which the caller frees. Returns 0 or -1 with err. */
int kclient_call(struct kclient *k, int16_t key, int16_t version, const void *req, void *resp,
                 struct arena *a, uint8_t **frame, char *err, size_t errlen);

#endif
