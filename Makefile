# kbroker — build, test and tooling. See README.md.
#
#   make                 bin/kbroker, bin/kadmin, bin/unit-tests (optimised, debug info)
#   make test            every test suite, built with ASan + UBSan (build/san/)
#   make unit            CUnit suites only (sanitizer build)
#   make integration     integration tests only (real ZooKeeper, brokers, clients)
#   make layers          print the module layering and check every #include against it
#   make SAN=1           the sanitizer build of everything, into build/san/bin
#   make valgrind        unit suites under valgrind (plain build)
#   make fuzz            every libFuzzer target for FUZZ_SECONDS each (clang; build/fuzz/)
#   make bench           kbroker vs Apache Kafka, standard scenarios (~15 min), report under
#                        bench/results/<date>/ (BENCH_ARGS passes options to bench/run_bench.py)
#   make bench-groups    consumer-group figures (~5 min, 2 runs): offsets replay, heartbeats,
#                        commit throughput, coordinator failover; bench/results/<date>/groups.*
#                        (BENCH_GROUPS_ARGS passes options to bench/groups_bench.py)
#   make bench-txn       transactional (1,000 records per transaction) vs idempotent produce,
#                        same run, 3 kbroker brokers (~3 min); bench/results/<date>/txn-kbroker.*
#                        (BENCH_TXN_ARGS passes options to bench/txn_bench.py; --broker kafka
#                        runs it on Apache Kafka 3.9.1)
#   make clean

CC      ?= cc
SAN     ?= 0
PYTHON  ?= /usr/bin/python3
# Separate trees let several builds run side by side: make BUILDROOT=build/x BINDIR=build/x/bin
BUILDROOT ?= build

FUZZ    ?= 0
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := request batch legacy decompress json props recover group txn

ifeq ($(FUZZ),1)
  # libFuzzer build: every object instrumented for coverage, ASan and UBSan.
  CC      := clang
  MODE    := fuzz
  OPT     := -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
  LDSAN   := -fsanitize=address,undefined
  BINDIR  ?= $(BUILDROOT)/fuzz/bin
else ifeq ($(SAN),1)
  MODE    := san
  # KB_DEBUG_CHECKS: the run-time invariants of common/kb.h's KB_DCHECK
  OPT     := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
             -DKB_DEBUG_CHECKS=1
  LDSAN   := -fsanitize=address,undefined
  BINDIR  ?= $(BUILDROOT)/san/bin
else
  MODE    := rel
  OPT     := -O2
  LDSAN   :=
  BINDIR  ?= bin
endif

OBJDIR  := $(BUILDROOT)/$(MODE)/obj
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wvla -Wformat=2 -Wundef -Wno-missing-field-initializers
CFLAGS  += -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) -MMD -MP -I.
LDLIBS  := -levent -lzookeeper_st -ljansson -lsnappy -llz4 -lzstd -lz -lm -lpthread

LIB_SRCS    := $(wildcard common/*.c conf/*.c net/*.c auth/*.c coord/*.c log/*.c group/*.c txn/*.c)
BROKER_SRCS := $(wildcard server/*/*.c)
KADMIN_SRCS := $(wildcard tools/kadmin*.c)
KBENCH_SRCS := $(wildcard tools/kbench*.c)
UNIT_SRCS   := $(wildcard tests/unit/*.c)

obj = $(patsubst %.c,$(OBJDIR)/%.o,$(1))
LIB_OBJS    := $(call obj,$(LIB_SRCS))
BROKER_OBJS := $(call obj,$(BROKER_SRCS))
KADMIN_OBJS := $(call obj,$(KADMIN_SRCS))
KBENCH_OBJS := $(call obj,$(KBENCH_SRCS))
UNIT_OBJS   := $(call obj,$(UNIT_SRCS))
# The unit tests link the broker's server/ objects too (all but main.c).
SERVER_LIB_OBJS := $(filter-out $(OBJDIR)/server/core/main.o,$(BROKER_OBJS))

.PHONY: all test unit integration layers valgrind clean deps cluster fuzz fuzz-bins fuzz-seeds bench compat
all: $(BINDIR)/kbroker $(BINDIR)/kadmin $(BINDIR)/kbench $(BINDIR)/unit-tests $(BINDIR)/kb-mutgen

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BINDIR)/kbroker: $(BROKER_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

$(BINDIR)/kadmin: $(KADMIN_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

# kbench drives brokers through librdkafka, so every broker sees the same client.
$(BINDIR)/kbench: $(KBENCH_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) -o $@ $^ -lrdkafka $(LDLIBS)

$(BINDIR)/unit-tests: $(UNIT_OBJS) $(SERVER_LIB_OBJS) $(OBJDIR)/tools/kbench_hist.o \
                      $(OBJDIR)/tools/kadmin_groups_util.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) -o $@ $^ -lcunit $(LDLIBS)

# Mutated requests for tests/integration/test_hostile.py, from the codec's descriptor tables.
$(BINDIR)/kb-mutgen: $(OBJDIR)/tests/hostile/mutgen.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

# Tests always run the sanitizer build: a recursive make keeps the two builds apart.
test: deps layers
	$(MAKE) --no-print-directory SAN=1 all
	$(MAKE) --no-print-directory SAN=1 unit integration

unit: $(BINDIR)/unit-tests
	ASAN_OPTIONS=detect_leaks=1 $(BINDIR)/unit-tests

integration: $(BINDIR)/kbroker $(BINDIR)/kadmin
	KB_BIN_DIR=$(abspath $(BINDIR)) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

# The allowed dependencies between modules live in scripts/check_layers.py (printed here).
layers:
	@$(PYTHON) scripts/check_layers.py --print
	@$(PYTHON) scripts/check_layers.py --self-test
	@$(PYTHON) scripts/check_layers.py

valgrind: bin/unit-tests
	valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite bin/unit-tests

# ---- Fuzzing (libFuzzer). Seeds are committed under tests/fuzz/corpus/<target>; inputs the
# fuzzer finds go to build/fuzz/corpus/<target>; crashes to build/fuzz/artifacts/. Every
# input under tests/fuzz/regress/<target> (reproducers of fixed crashes) is replayed first.
FUZZ_BINS := $(patsubst %,$(BINDIR)/fuzz-%,$(FUZZ_TARGETS))

$(BINDIR)/fuzz-%: $(OBJDIR)/tests/fuzz/fuzz_%.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer $(LDSAN) -o $@ $^ $(LDLIBS)

$(BINDIR)/fuzz-seeds: $(OBJDIR)/tests/fuzz/seeds.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

fuzz-bins: $(FUZZ_BINS) $(BINDIR)/fuzz-seeds

fuzz:
	$(MAKE) --no-print-directory FUZZ=1 fuzz-bins
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh $(FUZZ_TARGETS)

# Rewrites the committed seed corpora from the project's own encoders.
fuzz-seeds:
	$(MAKE) --no-print-directory FUZZ=1 fuzz-bins
	$(BUILDROOT)/fuzz/bin/fuzz-seeds tests/fuzz/corpus
	cp config/server.properties tests/fuzz/corpus/props/server.properties

deps:
	@bash scripts/install-deps.sh

# Plain build only: the sanitizers would measure themselves. Kafka's jars are fetched into
# ~/.cache/kbroker by scripts/fetch-kafka.sh (Maven Central) on first use.
BENCH_ARGS ?=
bench: deps
	$(MAKE) --no-print-directory SAN=0 FUZZ=0 BINDIR=bin all
	bash scripts/fetch-kafka.sh >/dev/null
	$(PYTHON) bench/run_bench.py --bin-dir bin $(BENCH_ARGS)

# Plain build only, as for bench; ZooKeeper, brokers and consumers are started through
# tests/integration/harness.py and stopped by PID.
BENCH_GROUPS_ARGS ?=
.PHONY: bench-groups
bench-groups:
	$(MAKE) --no-print-directory SAN=0 FUZZ=0 BINDIR=bin all
	$(PYTHON) bench/groups_bench.py --bin-dir bin $(BENCH_GROUPS_ARGS)

# Plain build only, as for bench; ZooKeeper and brokers are started through
# tests/integration/harness.py (or bench/peer/kafka.py) and stopped by PID.
BENCH_TXN_ARGS ?=
.PHONY: bench-txn
bench-txn:
	$(MAKE) --no-print-directory SAN=0 FUZZ=0 BINDIR=bin all
	$(PYTHON) bench/txn_bench.py --bin-dir bin $(BENCH_TXN_ARGS)

cluster: all
	bash scripts/run-cluster.sh

# librdkafka 2.0.2's own broker tests against kbroker clusters (docs/compat.md); ~20 minutes,
# not part of `make test`. Plain build (bin/).
compat: all
	bash scripts/compat.sh

clean:
	rm -rf build bin

-include $(shell find $(BUILDROOT) -name '*.d' 2>/dev/null)
