/* replica_rules.c — the replication rules as pure functions (see replica_rules.h). */
#include "replica_rules.h"

#include "../../common/kb.h"

static bool has(const int32_t *v, int n, int32_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

const struct follower *rr_find(const struct follower *f, int n, int32_t id)
{
	for (int i = 0; i < n; i++)
		if (f[i].id == id)
			return &f[i];
	return NULL;
}

void rr_follower_fetched(struct follower *f, int64_t offset, int64_t leader_leo, int64_t now_ms)
{
	if (offset >= leader_leo)
		f->last_caught_up_ms = now_ms;
	else if (f->last_fetch_leo >= 0 && offset >= f->last_fetch_leo)
		f->last_caught_up_ms = KB_MAX(f->last_caught_up_ms, f->last_fetch_ms);
	f->last_fetch_leo = leader_leo;
	f->last_fetch_ms = now_ms;
	f->leo = offset;
}

int64_t rr_high_watermark(int64_t hw, int64_t leader_leo, int32_t self, const int32_t *isr,
                          int nisr, int32_t adding, const struct follower *f, int nf)
{
	int64_t min = leader_leo;
	for (int i = 0; i <= nisr; i++) {
		int32_t id = i < nisr ? isr[i] : adding;
		if (id < 0 || id == self || (i == nisr && has(isr, nisr, id)))
			continue;
		const struct follower *m = rr_find(f, nf, id);
		if (!m || m->leo < 0)
			return hw; /* progress unknown: hold */
		min = KB_MIN(min, m->leo);
	}
	return KB_MAX(hw, min);
}

bool rr_may_join_isr(int64_t follower_leo, int64_t hw, int64_t epoch_start)
{
	return follower_leo >= hw && follower_leo >= epoch_start;
}

int rr_isr_keep(const int32_t *isr, int nisr, int32_t leader, const struct follower *f, int nf,
                int64_t now_ms, int64_t lag_max_ms, int32_t *keep)
{
	int n = 0;
	for (int i = 0; i < nisr; i++) {
		const struct follower *m = rr_find(f, nf, isr[i]);
		if (isr[i] == leader || (m && now_ms - m->last_caught_up_ms <= lag_max_ms))
			keep[n++] = isr[i];
	}
	return n;
}

int64_t rr_truncation_offset(int64_t leo, int64_t hw, int32_t latest_epoch,
                             const struct rr_epoch_answer *answer, int64_t own_end)
{
	if (latest_epoch < 0 || !answer || answer->end_offset < 0)
		return KB_MIN(leo, hw);
	int64_t to = KB_MIN(leo, answer->end_offset);
	/* The leader's last epoch at or below ours is older: our log for that epoch may end
	 * earlier than the leader's does (KIP-279). */
	if (answer->epoch < latest_epoch && own_end >= 0)
		to = KB_MIN(to, own_end);
	return to;
}
