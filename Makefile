# tidings - offline full-text search for news archives.
#
#   make demo    install missing packages, build, index corpus/, run a query
#   make test    the whole test suite, plain and under ASan+UBSan
#   make bench   speed and size side by side with Xapian and SQLite FTS5
#   make eval    relevance (MAP, P@10, nDCG@10) on the classic IR collections
#   make fuzz    libFuzzer on the query parser, the corpus readers, the index
#
# Objects live in build/ (build/san/ for the sanitizer build); the two
# programs in bin/.

CC      ?= cc
CFLAGS  ?= -O2 -g
# Link-time optimisation lets GCC inline across the library's modules (the
# analyzer's token callback into the inverter, the codec into the
# postings): indexing took 2% less time, most query sets 1-2% less.  The
# objects are fat, with ordinary code beside GCC's own, so
# build/libtidings.a still links into a program built without LTO; clang
# cannot make fat objects, so it gets none.
CC_IS_GCC := $(shell $(CC) -v 2>&1 | grep '^gcc version')
LTO     ?= $(if $(CC_IS_GCC),-flto=auto -ffat-lto-objects)
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS += -Icommon -D_GNU_SOURCE
STD     := -std=gnu11
# The library reads JSON Lines with yajl's event parser (common/corpus_jsonl.c
# says why); the searcher writes --format json with jansson.
LIBS    := -lstemmer -lutf8proc -lyajl -ljansson -lzstd -ldeflate -lz -lpthread -lm
TESTLIBS := -lcmocka
# bin/searcher is linked statically (static-pie, which keeps address
# randomisation): a script that runs one query per call pays for the process
# start, and loading the seven shared libraries was about a quarter of an
# empty batch on Reuters-21578 (1.35 ms dynamic, 1.0 ms static-pie).  The indexer
# runs long enough not to care, and static it built 5% slower with -j 2.
# SEARCHER_LIBS="$(LIBS)" links it dynamically, as the copy in build/dyn/ is
# for the tests that interpose on the C library (valgrind's malloc).  yajl's
# static archive is libyajl_s.a.
SEARCHER_LIBS ?= -static-pie $(subst -lyajl,-lyajl_s,$(LIBS))

# Debian packages the build, the tests and the benchmarks need.
PKGS_BUILD := build-essential zlib1g-dev libdeflate-dev libzstd-dev libstemmer-dev libutf8proc-dev libyajl-dev libjansson-dev
PKGS_TEST  := libcmocka-dev python3 valgrind time
PKGS_BENCH := libxapian-dev libsqlite3-dev

LIB_SRC := $(wildcard common/*.c)
IDX_SRC := $(wildcard indexer/*.c)
SRC_SRC := $(wildcard searcher/*.c)
TEST_SRC := $(wildcard tests/test_*.c)

B := build
BIN := bin
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
LIB     := $(B)/libtidings.a
TESTS   := $(TEST_SRC:tests/%.c=$(B)/tests/%)

.PHONY: all deps deps-test deps-bench demo test test-unit test-cli test-faults test-valgrind test-sanitize clean
all: $(BIN)/indexer $(BIN)/searcher

$(B)/%.o: %.c $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(LTO) $(WARN) $(CPPFLAGS) -MMD -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/indexer: $(IDX_SRC:%.c=$(B)/%.o) $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LTO) $(WARN) -o $@ $^ $(LIBS)

$(BIN)/searcher: $(SRC_SRC:%.c=$(B)/%.o) $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LTO) $(WARN) -o $@ $^ $(SEARCHER_LIBS)

DYN := $(B)/dyn
$(DYN)/searcher: $(SRC_SRC:%.c=$(B)/%.o) $(LIB)
	@mkdir -p $(DYN)
	$(CC) $(CFLAGS) $(LTO) $(WARN) -o $@ $^ $(LIBS)

$(B)/tests/%: tests/%.c tests/testutil.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(WARN) $(CPPFLAGS) -Itests -o $@ $< $(LIB) $(LIBS) $(TESTLIBS)

# The relevance evaluator lives in bench/eval, beside the scripts that use it.
$(B)/tests/test_treceval: tests/test_treceval.c tests/testutil.h bench/eval/treceval.c bench/eval/treceval.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(WARN) $(CPPFLAGS) -Ibench/eval -Itests -o $@ $< bench/eval/treceval.c $(LIB) $(TESTLIBS) -lm

# deps: installs what is missing with apt-get when run as root, otherwise
# prints the exact command to run.
define ensure_pkgs
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages:$$missing"; \
	    echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

deps:
	$(call ensure_pkgs,$(PKGS_BUILD))
deps-test: deps
	$(call ensure_pkgs,$(PKGS_TEST))
deps-bench: deps
	$(call ensure_pkgs,$(PKGS_BENCH))

demo: deps
	$(MAKE) all
	bin/indexer -o demo.idx corpus/
	bin/searcher -i demo.idx 'remains AND Osan'

test: deps-test
	$(MAKE) test-unit test-cli test-faults test-valgrind fuzz-regress eval-check
	$(MAKE) test-sanitize

test-unit: $(TESTS) all
	@tests/run-unit.sh $(TESTS)

test-cli: all
	@BIN=$(BIN) tests/cli.sh

# Crashes, full disks, damaged indexes, concurrent rebuilds, hostile input.
# Plain build only: the fault shim is an LD_PRELOAD library, which ASan
# refuses to run behind.
test-faults: all
	@BIN=$(BIN) CC="$(CC)" tests/faults.sh

# Memcheck replaces malloc in shared libraries only: the dynamic searcher.
test-valgrind: all $(DYN)/searcher
	@BIN=$(BIN) SEARCHER=$(DYN)/searcher tests/valgrind.sh

# The same suite, rebuilt with AddressSanitizer and UBSan in build/san.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test-sanitize:
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) B=build/san BIN=build/san/bin CFLAGS="$(SAN_FLAGS)" LTO= SEARCHER_LIBS="$(LIBS)" test-unit test-cli

clean:
	rm -rf build bin demo.idx

include bench/bench.mk
include bench/eval/eval.mk
include fuzz/fuzz.mk

-include $(shell find build -name '*.d' 2>/dev/null)
