/* The CUnit runner: every suite file defines one `void suite_<name>(void)` that adds its
 * suite and tests. The list below is weak-linked so a suite can be added without touching
 * the others. Exit status is non-zero when any test fails. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#define SUITES(X) \
	X(codec) \
	X(codec_msgs) \
	X(codec_data) \
	X(codec_admin) \
	X(conf) \
	X(topic_conf) \
	X(dynconf) \
	X(kbuf) \
	X(conn) \
	X(connlimit) \
	X(server) \
	X(coord) \
	X(election) \
	X(log) \
	X(epoch) \
	X(crc) \
	X(records) \
	X(helpers) \
	X(outclient) \
	X(limits) \
	X(group) \
	X(codec_group) \
	X(replica) \
	X(pstate) \
	X(codec_producer) \
	X(kbench_hist) \
	X(kadmin_groups) \
	X(purgatory) \
	X(cleaner) \
	X(cleaner_txn) \
	X(txn) \
	X(codec_txn) \
	X(codec_acl) \
	X(tmarkers) \
	X(tmarkers_loop) \
	X(txnindex) \
	X(csvc) \
	X(txnverify) \
	X(acl) \
	X(acl_zk) \
	X(acl_any) \
	X(pcreate) \
	X(sockread) \
	/* end of suites */

#define DECLARE(name) __attribute__((weak)) void suite_##name(void);
SUITES(DECLARE)
#undef DECLARE

int main(int argc, char **argv)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
#define ADD(name)                                                                           \
	if (suite_##name && (argc < 2 || strcmp(argv[1], #name) == 0))                          \
		suite_##name();
	SUITES(ADD)
#undef ADD
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned ran = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (ran == 0) {
		fprintf(stderr, "unit-tests: no test ran\n");
		return 1;
	}
	return failed ? 1 : 0;
}
