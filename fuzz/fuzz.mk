# fuzz.mk - the libFuzzer targets, included by the main Makefile.
#
#   make fuzz                      every target for FUZZ_SECONDS (default 60)
#   make fuzz FUZZ_SECONDS=1800    the 30 minutes per target of a release
#   make fuzz FUZZ_TARGETS=query   only some targets (query corpus index)
#   make fuzz-build                only build them, in build/fuzz/
#   make fuzz-regress              replay tests/data/fuzz-regressions/TARGET-*
#                                  with gcc, ASan and UBSan (no libFuzzer), for
#                                  the ordinary test suite
#
# Each target is built with clang from the library sources themselves
# (common/*.c, not build/libtidings.a, so the whole library is instrumented
# for coverage and both sanitizers).  Each run copies the seeds of
# fuzz/seeds/TARGET into a scratch folder under FUZZ_WORK (a fresh mktemp
# folder by default), adds index seeds freshly built by bin/indexer so they
# match the current format, and fuzzes there: new inputs, crash files and
# logs go to the scratch folder, never into the repository.  A crash stops
# `make fuzz` with the path of the reproducer: copy it to
# tests/data/fuzz-regressions/TARGET-what-it-shows, where `make fuzz-regress`
# replays it from then on.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= query corpus index
FUZZ_WORK    ?=
FUZZ_B       := build/fuzz
FUZZ_FLAGS   := -std=gnu11 -O1 -g -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# The main Makefile's LIBS (stemmer, utf8proc, jansson, zstd, zlib...).
FUZZ_LIBS     = $(LIBS)
# Per target: the largest input worth trying, and the time that counts as
# a hang.  Index seeds are small real indexes of 10-20 KB.
FUZZ_OPTS_query  := -max_len=4096 -timeout=10
FUZZ_OPTS_corpus := -max_len=65536 -timeout=20
FUZZ_OPTS_index  := -max_len=32768 -timeout=20

FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-regress
fuzz-build: $(FUZZ_BINS)

$(FUZZ_B)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_util.h $(wildcard common/*.c common/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -D_GNU_SOURCE -Icommon -Ifuzz -o $@ $< $(wildcard common/*.c) $(FUZZ_LIBS)

fuzz: $(FUZZ_BINS) $(BIN)/indexer
	@set -e; work="$(FUZZ_WORK)"; [ -n "$$work" ] || work=$$(mktemp -d /tmp/tidings-fuzz-XXXXXX); \
	mkdir -p "$$work"; echo "fuzz: working in $$work"; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p "$$work/$$t/corpus" "$$work/$$t/crashes"; \
	  cp fuzz/seeds/$$t/* "$$work/$$t/corpus/"; \
	  if [ $$t = index ]; then INDEXER=$(BIN)/indexer fuzz/make-seeds.sh "$$work/fresh" index && \
	    for f in "$$work"/fresh/index/*; do cp "$$f" "$$work/$$t/corpus/fresh-$${f##*/}"; done; fi; \
	done; \
	for t in $(FUZZ_TARGETS); do \
	  opts="$(FUZZ_OPTS_query)"; [ $$t = corpus ] && opts="$(FUZZ_OPTS_corpus)"; \
	  [ $$t = index ] && opts="$(FUZZ_OPTS_index)"; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  if ! TD_FUZZ_CORPUS=corpus $(FUZZ_B)/fuzz_$$t $$opts -max_total_time=$(FUZZ_SECONDS) \
	       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$$work/$$t/crashes/" \
	       "$$work/$$t/corpus" >"$$work/$$t/log" 2>&1; then \
	    tail -40 "$$work/$$t/log"; echo "fuzz: $$t FOUND A BUG; reproducer: $$(ls "$$work/$$t/crashes"/* 2>/dev/null)"; exit 1; \
	  fi; \
	  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$$work/$$t/log" | tr '\n' ' '; echo; \
	done; \
	echo "fuzz: no crash; inputs and logs in $$work"

# Replaying the reproducers of past findings: the targets linked with
# fuzz/replay.c instead of libFuzzer.  An allocation above 2 GB counts as a
# finding, as it does for libFuzzer's -malloc_limit_mb.
FUZZ_REGRESS := tests/data/fuzz-regressions
FUZZ_REPLAY_FLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                     -fno-sanitize-recover=undefined

$(FUZZ_B)/replay_%: fuzz/fuzz_%.c fuzz/replay.c fuzz/fuzz_util.h $(wildcard common/*.c common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_REPLAY_FLAGS) -D_GNU_SOURCE -Icommon -Ifuzz -o $@ $< fuzz/replay.c $(wildcard common/*.c) $(FUZZ_LIBS)

fuzz-regress: $(FUZZ_TARGETS:%=$(FUZZ_B)/replay_%)
	@n=0; for t in $(FUZZ_TARGETS); do \
	  set -- $(FUZZ_REGRESS)/$$t-*; [ -e "$$1" ] || continue; \
	  ASAN_OPTIONS=max_allocation_size_mb=2048:allocator_may_return_null=0 TD_FUZZ_CORPUS=corpus \
	    $(FUZZ_B)/replay_$$t "$$@" >/dev/null || { echo "fuzz-regress: $$t: a reproducer fails again"; exit 1; }; \
	  n=$$((n + $$#)); \
	done; echo "fuzz-regress: $$n reproducers replayed, no finding"
