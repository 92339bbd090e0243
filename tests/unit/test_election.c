/* test_election.c — the controller's leader-election rules and replica placement. */
#include "../../coord/election.h"

#include <CUnit/CUnit.h>
#include <string.h>

static bool live_mask(int32_t id, void *arg)
{
	unsigned mask = *(unsigned *)arg;
	return id >= 0 && id < 32 && (mask & (1u << id));
}

#define LIVE(...) live_of((int32_t[]){__VA_ARGS__}, sizeof((int32_t[]){__VA_ARGS__}) / 4)
static unsigned live_of(const int32_t *ids, size_t n)
{
	unsigned m = 0;
	for (size_t i = 0; i < n; i++)
		m |= 1u << ids[i];
	return m;
}

static struct md_partition part(const int32_t *replicas, int nr, int32_t leader, int32_t epoch,
                                const int32_t *isr, int nisr)
{
	struct md_partition p = {.replicas = (int32_t *)replicas, .nreplicas = nr};
	if (leader == -2) {
		p.state_absent = true;
		return p;
	}
	p.has_state = true;
	p.state = (struct md_state){leader, epoch, 1, (int32_t *)isr, nisr};
	return p;
}

static enum decision run(struct md_partition p, unsigned live, bool unclean, bool preferred,
                         struct md_state *out)
{
	return decide_partition(&p, live_mask, &live, unclean, preferred, 9, out);
}

static void assert_state(const struct md_state *s, int32_t leader, int32_t epoch,
                         const int32_t *isr, int nisr)
{
	CU_ASSERT_EQUAL(s->leader, leader);
	CU_ASSERT_EQUAL(s->leader_epoch, epoch);
	CU_ASSERT_EQUAL(s->controller_epoch, 9);
	CU_ASSERT_EQUAL_FATAL(s->nisr, nisr);
	for (int i = 0; i < nisr; i++)
		CU_ASSERT_EQUAL(s->isr[i], isr[i]);
}

static const int32_t R123[] = {1, 2, 3};

static void test_create(void)
{
	struct md_state s;
	CU_ASSERT_EQUAL(run(part(R123, 3, -2, 0, NULL, 0), LIVE(1, 2, 3), false, false, &s),
	                DECIDE_CREATE);
	assert_state(&s, 1, 0, (int32_t[]){1, 2, 3}, 3);
	md_state_free(&s);
	CU_ASSERT_EQUAL(run(part(R123, 3, -2, 0, NULL, 0), LIVE(3, 2), false, false, &s),
	                DECIDE_CREATE);
	assert_state(&s, 2, 0, (int32_t[]){2, 3}, 2);
	md_state_free(&s);
	CU_ASSERT_EQUAL(run(part(R123, 3, -2, 0, NULL, 0), LIVE(4), false, false, &s), DECIDE_NONE);
	/* State not read yet (neither present nor known absent): never create blindly. */
	struct md_partition unknown = {.replicas = (int32_t *)R123, .nreplicas = 3};
	unsigned all = LIVE(1, 2, 3);
	CU_ASSERT_EQUAL(decide_partition(&unknown, live_mask, &all, false, false, 9, &s), DECIDE_NONE);
}

static void test_leader_dies(void)
{
	struct md_state s;
	const int32_t isr[] = {1, 2, 3};
	CU_ASSERT_EQUAL(run(part(R123, 3, 1, 4, isr, 3), LIVE(2, 3), false, false, &s), DECIDE_ELECT);
	assert_state(&s, 2, 5, (int32_t[]){2, 3}, 2);
	md_state_free(&s);
	/* Assignment order decides, not ISR order. */
	const int32_t isr2[] = {3, 1, 2};
	CU_ASSERT_EQUAL(run(part(R123, 3, 1, 4, isr2, 3), LIVE(2, 3), false, false, &s), DECIDE_ELECT);
	CU_ASSERT_EQUAL(s.leader, 2);
	md_state_free(&s);
}

static void test_no_eligible_leader(void)
{
	struct md_state s;
	const int32_t isr1[] = {1};
	/* Only out-of-sync replicas alive: offline, ISR keeps its last member. */
	CU_ASSERT_EQUAL(run(part(R123, 3, 1, 4, isr1, 1), LIVE(2, 3), false, false, &s),
	                DECIDE_OFFLINE);
	assert_state(&s, -1, 5, (int32_t[]){1}, 1);
	md_state_free(&s);
	/* Unclean election allowed: a live out-of-sync replica leads alone. */
	CU_ASSERT_EQUAL(run(part(R123, 3, 1, 4, isr1, 1), LIVE(2, 3), true, false, &s),
	                DECIDE_ELECT_UNCLEAN);
	assert_state(&s, 2, 5, (int32_t[]){2}, 1);
	md_state_free(&s);
	/* Already offline and still nobody: no write. */
	CU_ASSERT_EQUAL(run(part(R123, 3, -1, 5, isr1, 1), LIVE(2), false, false, &s), DECIDE_NONE);
	/* The last ISR member returns: it leads again. */
	CU_ASSERT_EQUAL(run(part(R123, 3, -1, 5, isr1, 1), LIVE(1, 2), false, false, &s),
	                DECIDE_ELECT);
	assert_state(&s, 1, 6, (int32_t[]){1}, 1);
	md_state_free(&s);
}

static void test_shrink_and_preferred(void)
{
	struct md_state s;
	const int32_t isr[] = {1, 2, 3};
	CU_ASSERT_EQUAL(run(part(R123, 3, 1, 2, isr, 3), LIVE(1, 3), false, true, &s), DECIDE_SHRINK);
	assert_state(&s, 1, 3, (int32_t[]){1, 3}, 2);
	md_state_free(&s);
	CU_ASSERT_EQUAL(run(part(R123, 3, 2, 2, isr, 3), LIVE(1, 2, 3), false, false, &s), DECIDE_NONE);
	CU_ASSERT_EQUAL(run(part(R123, 3, 2, 2, isr, 3), LIVE(1, 2, 3), false, true, &s),
	                DECIDE_PREFERRED);
	assert_state(&s, 1, 3, (int32_t[]){1, 2, 3}, 3);
	md_state_free(&s);
	/* The preferred replica out of the ISR, or dead: no move. */
	const int32_t isr23[] = {2, 3};
	CU_ASSERT_EQUAL(run(part(R123, 3, 2, 2, isr23, 2), LIVE(1, 2, 3), false, true, &s), DECIDE_NONE);
	CU_ASSERT_EQUAL(run(part(R123, 3, 2, 2, isr23, 2), LIVE(2, 3), false, true, &s), DECIDE_NONE);
}

static void check_assignment(struct md_partition *parts, int np, int rf, const int32_t *brokers,
                             int nb, int *leaders, int *replicas)
{
	memset(leaders, 0, sizeof(int) * 32);
	memset(replicas, 0, sizeof(int) * 32);
	for (int p = 0; p < np; p++) {
		CU_ASSERT_EQUAL_FATAL(parts[p].nreplicas, rf);
		CU_ASSERT_EQUAL(parts[p].id, p);
		for (int i = 0; i < rf; i++) {
			bool known = false;
			for (int b = 0; b < nb; b++)
				known |= parts[p].replicas[i] == brokers[b];
			CU_ASSERT(known);
			for (int j = 0; j < i; j++)
				CU_ASSERT(parts[p].replicas[i] != parts[p].replicas[j]);
			replicas[parts[p].replicas[i]]++;
		}
		leaders[parts[p].replicas[0]]++;
	}
}

static void free_parts(struct md_partition *parts, int n)
{
	for (int i = 0; i < n; i++)
		kb_free(parts[i].replicas);
	kb_free(parts);
}

static void test_assignment_spreads_evenly(void)
{
	const int32_t brokers[] = {1, 2, 3};
	int leaders[32], replicas[32];
	char err[128];
	for (int start = 0; start < 3; start++) {
		struct md_partition *parts;
		CU_ASSERT_EQUAL_FATAL(assign_replicas(brokers, NULL, 3, 12, 3, start, -1, 0, &parts, err,
		                                      sizeof(err)), 0);
		check_assignment(parts, 12, 3, brokers, 3, leaders, replicas);
		for (int b = 1; b <= 3; b++) {
			CU_ASSERT_EQUAL(leaders[b], 4);
			CU_ASSERT_EQUAL(replicas[b], 12);
		}
		free_parts(parts, 12);
	}
	/* 5 brokers, rf 2: leaders spread, followers not always the next broker. */
	const int32_t five[] = {0, 1, 2, 3, 4};
	struct md_partition *parts;
	CU_ASSERT_EQUAL_FATAL(assign_replicas(five, NULL, 5, 10, 2, 0, 0, 0, &parts, err, sizeof(err)), 0);
	check_assignment(parts, 10, 2, five, 5, leaders, replicas);
	for (int b = 0; b < 5; b++)
		CU_ASSERT_EQUAL(leaders[b], 2);
	CU_ASSERT(parts[0].replicas[1] != parts[5].replicas[1]); /* the shift moved */
	free_parts(parts, 10);
	CU_ASSERT_EQUAL(assign_replicas(brokers, NULL, 3, 1, 4, 0, 0, 0, &parts, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "replication factor"));
	CU_ASSERT_EQUAL(assign_replicas(brokers, NULL, 3, 0, 1, 0, 0, 0, &parts, err, sizeof(err)), -1);
}

static void test_assignment_rack_aware(void)
{
	const int32_t brokers[] = {1, 2, 3, 4, 5, 6};
	const char *racks[] = {"a", "a", "b", "b", "c", "c"};
	int leaders[32], replicas[32];
	char err[128];
	struct md_partition *parts;
	CU_ASSERT_EQUAL_FATAL(assign_replicas(brokers, racks, 6, 24, 3, -1, -1, 0, &parts, err,
	                                      sizeof(err)), 0);
	check_assignment(parts, 24, 3, brokers, 6, leaders, replicas);
	for (int p = 0; p < 24; p++) {
		const char *seen[3];
		for (int i = 0; i < 3; i++) {
			seen[i] = racks[parts[p].replicas[i] - 1];
			for (int j = 0; j < i; j++)
				CU_ASSERT(strcmp(seen[i], seen[j]) != 0); /* three racks, three replicas */
		}
	}
	for (int b = 1; b <= 6; b++)
		CU_ASSERT_EQUAL(leaders[b], 4);
	free_parts(parts, 24);
	/* More replicas than racks: racks repeat only once all are used. */
	CU_ASSERT_EQUAL_FATAL(assign_replicas(brokers, racks, 6, 6, 4, 0, 0, 0, &parts, err,
	                                      sizeof(err)), 0);
	check_assignment(parts, 6, 4, brokers, 6, leaders, replicas);
	free_parts(parts, 6);
}

void suite_election(void);
void suite_election(void)
{
	CU_pSuite s = CU_add_suite("election", NULL, NULL);
	CU_add_test(s, "new partitions", test_create);
	CU_add_test(s, "leader dies: next ISR member in assignment order", test_leader_dies);
	CU_add_test(s, "no eligible leader, unclean election, return", test_no_eligible_leader);
	CU_add_test(s, "ISR shrink and preferred leader", test_shrink_and_preferred);
	CU_add_test(s, "placement spreads leaders and replicas", test_assignment_spreads_evenly);
	CU_add_test(s, "rack-aware placement", test_assignment_rack_aware);
}
