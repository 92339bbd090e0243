"""pytest glue for the kbroker integration tests.

* `zk_server` (session): one real ZooKeeper shared by all modules; each module's cluster
  lives under its own chroot (or the root for test_bootstrap), so modules do not see each other.
* `start_cluster(...)`: used by module fixtures; starts a Cluster, and at teardown stops it and
  FAILS the test run if a broker exited non-zero, had to be SIGKILLed, crashed, or left a
  sanitizer report in its log.
* On any test failure the tails of every active broker/ZooKeeper log are attached to the report.
* Measured figures (harness.FIGURES) are printed in the terminal summary, also for passing runs.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import harness  # noqa: E402

_ACTIVE_LOGS = {}   # name -> path, for failure reports


def register_logs(pairs):
    for name, path in pairs:
        _ACTIVE_LOGS[name] = path


def unregister_logs(pairs):
    for name, _ in pairs:
        _ACTIVE_LOGS.pop(name, None)


def own_zookeeper(tmp_path_factory, name, **kw):
    """Generator for fixtures: a ZooKeeper of its own (e.g. a short tick for failover tests),
    `yield from own_zookeeper(tmp_path_factory, "zk-repl", tick_ms=500)`."""
    zk = harness.ZooKeeper(tmp_path_factory.mktemp(name), **kw)
    register_logs([(name, zk.log_path)])
    zk.start()
    yield zk
    zk.stop()
    unregister_logs([(name, zk.log_path)])


@pytest.fixture(scope="session")
def zk_server(tmp_path_factory):
    yield from own_zookeeper(tmp_path_factory, "zookeeper")


def start_cluster(workdir, **kw):
    """Generator for module fixtures: `yield from start_cluster(tmp, zk=zk_server, ...)`."""
    c = harness.Cluster(workdir, **kw)
    register_logs(c.log_paths())
    try:
        c.start()
    except BaseException:
        problems = c.stop()
        unregister_logs(c.log_paths())
        if problems:
            print("problems while stopping a cluster that failed to start:\n" +
                  "\n".join(problems))
        raise
    yield c
    register_logs(c.log_paths())  # extra brokers added by tests
    problems = c.stop()
    unregister_logs(c.log_paths())
    if problems:
        details = "\n\n".join(problems)
        tails = "\n\n".join("---- %s (%s) ----\n%s" % (n, p, harness.tail(p, 40))
                            for n, p in c.log_paths())
        pytest.fail("broker problems found at teardown:\n%s\n\n%s" % (details, tails),
                    pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for name, path in sorted(_ACTIVE_LOGS.items()):
            rep.sections.append(("log tail: %s (%s)" % (name, path), harness.tail(path, 60)))


def pytest_terminal_summary(terminalreporter):
    if harness.FIGURES:
        terminalreporter.section("kbroker measured figures")
        for line in harness.FIGURES:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session, exitstatus):
    harness.kill_all_children()
