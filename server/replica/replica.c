/* replica.c — the leader's side of replication: follower progress, ISR changes and the high
 * watermark (see replica.h). */
#include "replica.h"

#include "../../common/say.h"
#include "../core/broker.h"

#include <string.h>

/* An ISR write that has not been answered for this long is forgotten (the state is re-read
 * and the next check may write again). */
#define ISR_WRITE_STALE_MS 30000

static bool has(const int32_t *v, int n, int32_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

static struct follower *find_follower(struct partition *p, int32_t id)
{
	return (struct follower *)rr_find(p->lead.followers, p->lead.nfollowers, id);
}

void replica_free(struct partition *p)
{
	kb_free(p->lead.followers);
	p->lead.followers = NULL;
	p->lead.nfollowers = 0;
	kb_free(p->state.isr);
	p->state.isr = NULL;
	p->state.nisr = 0;
}

/* A new leadership: nothing is known of the followers yet, and all count as caught up now
 * (Kafka does the same, so an election does not shrink the ISR at once). */
static void become_leader(struct partition *p, const struct md_partition *mp, int32_t self)
{
	int64_t now = kb_mono_ms();
	kb_free(p->lead.followers);
	p->lead.followers = kb_calloc((size_t)mp->nreplicas + 1, sizeof(*p->lead.followers));
	p->lead.nfollowers = 0;
	for (int i = 0; i < mp->nreplicas; i++)
		if (mp->replicas[i] != self)
			p->lead.followers[p->lead.nfollowers++] =
			        (struct follower){.id = mp->replicas[i], .leo = -1,
			                                 .last_caught_up_ms = now, .last_fetch_leo = -1,
			                                 .last_fetch_ms = now, .log_start = -1};
	p->lead.isr_inflight = false;
	p->lead.isr_adding = -1;
	p->lead.epoch_start = plog_end_offset(p->log);
	p->lead.hw_published = p->hw;
	plog_assign_epoch(p->log, p->leader_epoch);
}

/* Debug checks of a state applied as leader: the controller elects leaders from the ISR and
 * leaders only shrink the ISR to members of the assignment, keeping themselves. */
static void check_leader_state(const struct partition *p, const struct md_partition *mp,
                               int32_t leader)
{
	KB_DCHECK(has(p->state.isr, p->state.nisr, leader),
	          "%s-%d: leader %d not in its ISR (%d members)", p->topic, p->id, leader,
	          p->state.nisr);
	for (int i = 0; i < p->state.nisr; i++)
		KB_DCHECK(has(mp->replicas, mp->nreplicas, p->state.isr[i]), "%s-%d: ISR member %d is not "
		          "a replica", p->topic, p->id, p->state.isr[i]);
	KB_UNUSED(p);
	KB_UNUSED(mp);
	KB_UNUSED(leader);
}

bool replica_apply_state(struct partition *p, const struct md_partition *mp, int32_t self)
{
	int32_t leader_id = mp->has_state ? mp->state.leader : -1;
	int32_t epoch = mp->has_state ? mp->state.leader_epoch : -1;
	kb_free(p->state.isr);
	p->state.nisr = mp->has_state ? mp->state.nisr : 0;
	p->state.isr = kb_malloc(sizeof(int32_t) * (size_t)(p->state.nisr + 1));
	if (p->state.nisr)
		memcpy(p->state.isr, mp->state.isr, sizeof(int32_t) * (size_t)p->state.nisr);
	if (leader_id == self)
		check_leader_state(p, mp, leader_id);
	if (leader_id == p->state.leader_id && epoch == p->leader_epoch)
		return false;
	p->state.leader_id = leader_id;
	p->leader_epoch = epoch;
	p->leader = leader_id == self;
	if (p->leader) {
		say_info("server", "%s-%d: leader (epoch %d), log end %lld, hw %lld", p->topic, p->id,
		         epoch, (long long)plog_end_offset(p->log), (long long)p->hw);
		become_leader(p, mp, self);
	} else {
		kb_free(p->lead.followers);
		p->lead.followers = NULL;
		p->lead.nfollowers = 0;
		if (leader_id >= 0)
			say_info("server", "%s-%d: follower of %d (epoch %d), log end %lld", p->topic,
			         p->id, leader_id, epoch, (long long)plog_end_offset(p->log));
	}
	partition_wake(p); /* parked requests must see NOT_LEADER or the new role */
	return true;
}

int64_t replica_leader_hw(const struct partition *p)
{
	return rr_high_watermark(p->hw, plog_end_offset(p->log), p->state.leader_id, p->state.isr,
	                         p->state.nisr, p->lead.isr_adding, p->lead.followers,
	                         p->lead.nfollowers);
}

static void isr_written(void *arg, const char *topic, int32_t partition, bool ok)
{
	struct broker *b = arg;
	struct partition *p = pm_find(b, kp_str_c(topic), partition);
	if (!p)
		return;
	p->lead.isr_inflight = false;
	p->lead.isr_adding = -1;
	if (!ok)
		say_info("server", "%s-%d: ISR change refused; the newer state will be applied",
		         topic, partition);
	/* ok: the cache already shows the new ISR and pm_sync applies it this loop turn. */
}

static void write_isr(struct partition *p, const int32_t *isr, int n, int32_t adding,
                      const char *why)
{
	struct broker *b = partition_broker(p);
	if (coord_alter_isr(b->coord, p->topic, p->id, isr, n, isr_written, b) < 0)
		return;
	char list[256] = "";
	for (int i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d", i ? "," : "",
		         isr[i]);
	say_info("server", "%s-%d: ISR -> [%s] (%s)", p->topic, p->id, list, why);
	p->lead.isr_inflight = true;
	p->lead.isr_adding = adding;
	p->lead.isr_write_ms = kb_mono_ms();
}

static bool isr_busy(struct partition *p, int64_t now)
{
	if (p->lead.isr_inflight && now - p->lead.isr_write_ms > ISR_WRITE_STALE_MS) {
		p->lead.isr_inflight = false;
		p->lead.isr_adding = -1;
	}
	return p->lead.isr_inflight;
}

static void maybe_expand(struct partition *p, const struct follower *f)
{
	if (has(p->state.isr, p->state.nisr, f->id) || isr_busy(p, kb_mono_ms()))
		return;
	if (!rr_may_join_isr(f->leo, p->hw, p->lead.epoch_start))
		return;
	int32_t *isr = kb_malloc(sizeof(int32_t) * (size_t)(p->state.nisr + 1));
	memcpy(isr, p->state.isr, sizeof(int32_t) * (size_t)p->state.nisr);
	isr[p->state.nisr] = f->id;
	write_isr(p, isr, p->state.nisr + 1, f->id, "a follower caught up");
	kb_free(isr);
}

void replica_follower_fetch(struct partition *p, int32_t follower, int64_t offset,
                            int64_t log_start)
{
	struct follower *f = p->leader ? find_follower(p, follower) : NULL;
	if (!f)
		return;
	f->log_start = log_start;
	rr_follower_fetched(f, offset, plog_end_offset(p->log), kb_mono_ms());
	maybe_expand(p, f);
	partition_update_hw(p);
}

bool replica_in_isr(const struct partition *p, int32_t id)
{
	return has(p->state.isr, p->state.nisr, id);
}

const struct follower *replica_followers(const struct partition *p, int *n)
{
	*n = p->leader ? p->lead.nfollowers : 0;
	return p->lead.followers;
}

void replica_check_isr(struct partition *p, int64_t now_ms)
{
	if (!p->leader || p->state.nisr <= 1 || isr_busy(p, now_ms))
		return;
	int64_t lag_max = partition_broker(p)->cfg.replica_lag_time_max_ms;
	int32_t *keep = kb_malloc(sizeof(int32_t) * (size_t)p->state.nisr);
	int n = rr_isr_keep(p->state.isr, p->state.nisr, p->state.leader_id, p->lead.followers,
	                    p->lead.nfollowers, now_ms, lag_max, keep);
	if (n < p->state.nisr)
		write_isr(p, keep, n, -1, "followers out of sync");
	kb_free(keep);
}
