/* worker.c — see worker.h. The queue is guarded by a mutex; completions travel back through
 * a pipe whose read end is an event on the loop. */
#include "worker.h"

#include "../../common/say.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

struct wjob {
	worker_run_fn run;
	worker_done_fn done;
	void *job;
	void *arg;
	int rc;
	struct wjob *next;
};

struct worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wjob *head, *tail;      /* to run */
	struct wjob *done_head, *done_tail; /* ran, waiting for the loop */
	bool stopping;
	int pending;                   /* submitted, done not yet called (loop thread only) */
	int pipe_rd, pipe_wr;
	struct event *ev;
};

static void push(struct wjob **head, struct wjob **tail, struct wjob *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static void *thread_main(void *arg)
{
	struct worker *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		struct wjob *j = w->head;
		if (!j)
			break; /* stopping and nothing left */
		w->head = j->next;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->mu);
		j->rc = j->run(j->job);
		pthread_mutex_lock(&w->mu);
		push(&w->done_head, &w->done_tail, j);
		char one = 1;
		while (write(w->pipe_wr, &one, 1) < 0 && errno == EINTR)
			;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Loop side: deliver every finished job's done callback. */
static void deliver(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	struct wjob *j = w->done_head;
	w->done_head = w->done_tail = NULL;
	pthread_mutex_unlock(&w->mu);
	while (j) {
		struct wjob *next = j->next;
		w->pending--;
		if (j->done)
			j->done(j->job, j->rc, j->arg);
		kb_free(j);
		j = next;
	}
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(what);
	char buf[256];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	deliver(arg);
}

struct worker *worker_start(struct event_base *base)
{
	struct worker *w = kb_calloc(1, sizeof(*w));
	int fds[2];
	KB_ASSERT(pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
	w->pipe_rd = fds[0];
	w->pipe_wr = fds[1];
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->ev = event_new(base, w->pipe_rd, EV_READ | EV_PERSIST, wake_cb, w);
	event_add(w->ev, NULL);
	KB_ASSERT(pthread_create(&w->thread, NULL, thread_main, w) == 0);
	return w;
}

void worker_submit(struct worker *w, worker_run_fn run, worker_done_fn done, void *job,
                   void *arg)
{
	struct wjob *j = kb_calloc(1, sizeof(*j));
	*j = (struct wjob){.run = run, .done = done, .job = job, .arg = arg};
	w->pending++;
	pthread_mutex_lock(&w->mu);
	push(&w->head, &w->tail, j);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int worker_pending(const struct worker *w)
{
	return w->pending;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	deliver(w);
	event_free(w->ev);
	close(w->pipe_rd);
	close(w->pipe_wr);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	kb_free(w);
}
