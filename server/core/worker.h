/* worker.h — one background thread for work that must not block the event loop: fsync of
 * log segments, unlinking deleted segments, writing checkpoint files.
 *
 * A job is a `run` function (on the worker thread; it must touch only what it was handed)
 * and an optional `done` function (back on the loop thread, with run's result). Jobs run in
 * submission order. worker_stop() runs what is still queued, then joins the thread and
 * delivers the remaining `done` calls before returning. */
#ifndef KB_SERVER_WORKER_H
#define KB_SERVER_WORKER_H

#include "../../common/kb.h"

#include <event2/event.h>

struct worker;

typedef int (*worker_run_fn)(void *job);
typedef void (*worker_done_fn)(void *job, int rc, void *arg);

struct worker *worker_start(struct event_base *base);
void worker_submit(struct worker *w, worker_run_fn run, worker_done_fn done, void *job,
                   void *arg);
/* Jobs submitted and not yet completed (done not yet called). */
int worker_pending(const struct worker *w);
void worker_stop(struct worker *w);

#endif
