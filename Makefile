# kbroker — build, test and tooling. See README.md.
#
#   make                 bin/kbroker, bin/kadmin, bin/unit-tests (optimised, debug info)
#   make test            every test suite, built with ASan + UBSan (build/san/)
#   make unit            CUnit suites only (sanitizer build)
#   make integration     integration tests only (real ZooKeeper, brokers, clients)
#   make SAN=1           the sanitizer build of everything, into build/san/bin
#   make valgrind        unit suites under valgrind (plain build)
#   make clean

CC      ?= cc
SAN     ?= 0
PYTHON  ?= /usr/bin/python3
# Separate trees let several builds run side by side: make BUILDROOT=build/x BINDIR=build/x/bin
BUILDROOT ?= build

ifeq ($(SAN),1)
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

LIB_SRCS    := $(wildcard common/*.c conf/*.c net/*.c coord/*.c log/*.c)
BROKER_SRCS := $(wildcard server/*/*.c)
KADMIN_SRCS := $(wildcard tools/kadmin*.c tools/kclient.c)
UNIT_SRCS   := $(wildcard tests/unit/*.c)

obj = $(patsubst %.c,$(OBJDIR)/%.o,$(1))
LIB_OBJS    := $(call obj,$(LIB_SRCS))
BROKER_OBJS := $(call obj,$(BROKER_SRCS))
KADMIN_OBJS := $(call obj,$(KADMIN_SRCS))
UNIT_OBJS   := $(call obj,$(UNIT_SRCS))
# The unit tests link the broker's server/ objects too (all but main.c).
SERVER_LIB_OBJS := $(filter-out $(OBJDIR)/server/core/main.o,$(BROKER_OBJS))

.PHONY: all test unit integration valgrind clean deps cluster
all: $(BINDIR)/kbroker $(BINDIR)/kadmin $(BINDIR)/unit-tests

$(OBJDIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BINDIR)/kbroker: $(BROKER_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

$(BINDIR)/kadmin: $(KADMIN_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

$(BINDIR)/unit-tests: $(UNIT_OBJS) $(SERVER_LIB_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDSAN) -o $@ $^ -lcunit $(LDLIBS)

# Tests always run the sanitizer build: a recursive make keeps the two builds apart.
test: deps
	$(MAKE) --no-print-directory SAN=1 all
	$(MAKE) --no-print-directory SAN=1 unit integration

unit: $(BINDIR)/unit-tests
	ASAN_OPTIONS=detect_leaks=1 $(BINDIR)/unit-tests

integration: $(BINDIR)/kbroker $(BINDIR)/kadmin
	KB_BIN_DIR=$(abspath $(BINDIR)) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

valgrind: bin/unit-tests
	valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite bin/unit-tests

deps:
	@bash scripts/install-deps.sh

cluster: all
	bash scripts/run-cluster.sh

clean:
	rm -rf build bin

-include $(shell find $(BUILDROOT) -name '*.d' 2>/dev/null)
