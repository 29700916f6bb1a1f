# bench/eval/eval.mk - relevance evaluation; included by the top Makefile
# after B, BIN, STD, CFLAGS, WARN and CPPFLAGS are set (and after
# bench/bench.mk, whose BENCH_PEERS it reuses when present).
#
#   make eval        index every collection of ../shared/corpus/ir with
#                    tidings, Xapian and SQLite FTS5, score the runs, write
#                    bench/RESULTS-eval.md
#   make eval-check  tidings only; fails when its MAP on a collection drops
#                    below bench/eval/baseline.tsv (the regression guard)
#
# The evaluator needs only common/status.c, so it builds even when the rest
# of the library does not.  Its unit test, tests/test_treceval.c, is built
# by the top Makefile.  EVAL_FLAGS passes more options to run_eval.py
# (e.g. --collections cacm,npl); scratch files go to $(B)/eval.

TRECEVAL     := $(B)/bench/treceval
TRECEVAL_SRC := bench/eval/treceval.c bench/eval/main.c common/status.c
EVAL_FLAGS   ?=
EVAL_RUN     := python3 bench/eval/run_eval.py --treceval $(TRECEVAL) \
                --bin-dir $(BIN) --peer-dir $(B)/bench --work $(B)/eval

$(TRECEVAL): $(TRECEVAL_SRC) bench/eval/treceval.h common/status.h
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(WARN) $(CPPFLAGS) -Ibench/eval -o $@ $(TRECEVAL_SRC) -lm

.PHONY: eval eval-check
eval: deps-bench all $(TRECEVAL) $(BENCH_PEERS)
	$(EVAL_RUN) $(EVAL_FLAGS)

eval-check: all $(TRECEVAL)
	$(EVAL_RUN) --engines tidings --out '' --check $(EVAL_FLAGS)
