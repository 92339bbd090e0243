"""The parts of `make compat` (scripts/compat_sources.py, scripts/compat_run.py) that decide what
runs and how it is reported: the derived deb-src entries, the test list read from librdkafka's
test.c, quick or full mode, and the failure lines read from a test-runner log. The run itself
(~18 minutes against real clusters) is `make compat`, not part of `make test`."""

import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "scripts"))

import compat_run  # noqa: E402
import compat_sources  # noqa: E402


def test_deb_src_entries_are_derived_from_the_release_entries(tmp_path):
    one = tmp_path / "sources.list"
    one.write_text("deb [arch=amd64 signed-by=/k/a.gpg] http://m.example/debian bookworm main contrib\n"
                   "deb http://m.example/debian bookworm-updates main\n"
                   "# deb http://commented.example/debian bookworm main\n"
                   "deb-src http://m.example/debian bookworm main\n")
    d822 = tmp_path / "x.sources"
    d822.write_text("Types: deb\nURIs: http://n.example/debian\nSuites: bookworm bookworm-updates\n"
                    "Components: main\nSigned-By: /k/b.gpg\n\n"
                    "Types: deb\nURIs: http://s.example/debian-security\nSuites: bookworm-security\n"
                    "Components: main\n\n"
                    "Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\n"
                    "Components: main\nEnabled: no\n")
    out = compat_sources.derive("bookworm", [str(one), str(tmp_path / "missing.list")],
                                [str(d822)])
    assert out == [
        "Types: deb-src\nURIs: http://m.example/debian\nSuites: bookworm\n"
        "Components: main contrib\nSigned-By: /k/a.gpg",
        "Types: deb-src\nURIs: http://n.example/debian\nSuites: bookworm\n"
        "Components: main\nSigned-By: /k/b.gpg",
    ]
    assert compat_sources.derive("trixie", [str(one)], [str(d822)]) == []


TEST_C = """
struct test tests[] = {
    {.name = "<MAIN>", .flags = TEST_F_LOCAL},
    _TEST(0000_unittests, TEST_F_LOCAL, _THRES(.ucpu = 100.0, .scpu = 20.0)),
    _TEST(0001_multiobj, 0),
    _TEST(0011_produce_batch, 0, _THRES(.ucpu = 40.0, .scpu = 8.0)),
    _TEST(0028_long_topicnames, TEST_F_KNOWN_ISSUE, TEST_BRKVER(0, 9, 0, 0),
          .extra = "https://example/issues/529"),
    _TEST(0045_subscribe_update, 0, TEST_BRKVER(0, 9, 0, 0)),
    _TEST(0045_subscribe_update_topic_remove, 0, TEST_BRKVER(0, 9, 0, 0),
          .scenario = "noautocreate"),
    _TEST(0055_producer_latency, TEST_F_KNOWN_ISSUE_WIN32),
    _TEST(0103_transactions, 0, TEST_BRKVER(0, 11, 0, 0), .scenario = "default,ak23"),
    _TEST(8000_idle, TEST_F_MANUAL),
    {NULL}};
"""


def test_the_broker_test_list_and_modes_come_from_test_c(tmp_path):
    tdir = tmp_path / "tests"
    tdir.mkdir()
    (tdir / "test.c").write_text(TEST_C)
    (tdir / "0001-multiobj.c").write_text("int x = test_quick ? 2 : 5;\n")
    (tdir / "0011-produce_batch.c").write_text("SUB_TEST_QUICK();\n")
    (tdir / "0045-subscribe_update.c").write_text("SUB_TEST();\n")
    (tdir / "0055-producer_latency.c").write_text("if (test_quick) return 0;\n")
    tests = compat_run.read_tests(str(tmp_path))
    got = [(t["name"], t["scenario"], t["full"], t["known_issue"]) for t in tests]
    assert got == [
        ("0001_multiobj", "default", False, False),
        ("0011_produce_batch", "default", False, False),
        ("0028_long_topicnames", "default", False, True),
        ("0045_subscribe_update", "default", True, False),
        ("0045_subscribe_update_topic_remove", "noautocreate", True, False),
        ("0055_producer_latency", "default", True, False),
        ("0103_transactions", "default", False, False),
    ]
    g = compat_run.groups(tests)
    assert [e["name"] for e in g[("0045", "default")]] == ["0045_subscribe_update"]
    assert [e["name"] for e in g[("0045", "noautocreate")]] == [
        "0045_subscribe_update_topic_remove"]


LOG = """$ ./test-runner -p1 -L -s default 0081
\x1b[36m[0081_admin / 6.7s] WARN: ..Topics result: x: error: no such topic\x1b[0m
### Test "0081_admin (do_test_CreatePartitions:487: op timeout 0)" failed at 0081-admin.c:625:do_test_CreatePartitions() at Thu ###
Test assertion failed: "!err": CreatePartitions failed: Broker: Unknown topic or partition
### Test "0081_admin (do_test_Later:900)" failed at 0081-admin.c:900:later() at Thu ###
a later failure
### Test "<MAIN>" failed at test.c:1596:test_wait_exit() at Thu ###
5 thread(s) still active in librdkafka
|\x1b[36m 0028_long_topicnames                     |    SKIPPED |   0.000s \x1b[0m|\x1b[36m Filtered due to negative test flags\x1b[0m
"""


def test_failure_details_keep_the_first_failure_and_skip_reasons():
    d = compat_run.failure_details(LOG)
    assert d == {
        "0081_admin": "[do_test_CreatePartitions:487: op timeout 0] Test assertion failed: "
                      "\"!err\": CreatePartitions failed: Broker: Unknown topic or partition",
        "0028_long_topicnames": "Filtered due to negative test flags",
    }


def test_expected_failures_are_named_and_passes_are_not():
    # ACLs are served now: 0081's failures count like any other.
    row = {"num": "0081", "state": "FAILED", "detail": "CreateAcls failed"}
    assert compat_run.expected_failure(row) is None
    row = {"num": "0107", "state": "FAILED", "detail": "x"}
    assert "Apache Kafka" in compat_run.expected_failure(row)
    assert compat_run.expected_failure({"num": "0081", "state": "PASSED", "detail": ""}) is None


def test_transactions_and_fetch_from_follower_failures_count():
    """Both are served now: none of their tests' failures is an expected one."""
    for num, detail in [("0055", "[transactions] init_transactions failed"),
                        ("0103", "x"), ("0129", "x"), ("0101", ""),
                        ("0061", "[do_test_consumer_lag:176: Test consumer lag with "
                                 "transactions] timed out")]:
        assert compat_run.expected_failure({"num": num, "state": "FAILED",
                                            "detail": detail}) is None, num
