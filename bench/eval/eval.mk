# bench/eval/eval.mk - relevance evaluation; included by the top Makefile
# after B, STD, CFLAGS, WARN, CPPFLAGS, LIB, LIBS and TESTLIBS are set.
#
#   make eval        index every collection of ../shared/corpus/ir with
#                    tidings and the peers that are built, score the runs,
#                    write bench/RESULTS-eval.md
#   make eval-check  tidings only; fails when its MAP on a collection drops
#                    below bench/eval/baseline.tsv (the regression guard)
#
# The evaluator needs only common/status.c, so it builds even when the rest
# of the library does not.  EVAL_PEERS lists the peer binaries `make eval`
# should build first (e.g. build/bench/xapian_peer build/bench/fts5_peer);
# a peer that is not built is reported as such in the table.

EVAL_PEERS ?=
TRECEVAL := build/bench/treceval
TRECEVAL_SRC := bench/eval/treceval.c bench/eval/main.c common/status.c

$(TRECEVAL): $(TRECEVAL_SRC) bench/eval/treceval.h common/status.h
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(WARN) $(CPPFLAGS) -Ibench/eval -o $@ $(TRECEVAL_SRC) -lm

# The unit test compiles the evaluator in; an explicit rule, so it takes
# precedence over the generic $(B)/tests/% one.
$(B)/tests/test_treceval: tests/test_treceval.c tests/testutil.h bench/eval/treceval.c \
                          bench/eval/treceval.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(CFLAGS) $(WARN) $(CPPFLAGS) -Ibench/eval -Itests -o $@ \
	  tests/test_treceval.c bench/eval/treceval.c $(LIB) $(LIBS) $(TESTLIBS)

.PHONY: eval eval-check
eval: all $(TRECEVAL) $(EVAL_PEERS)
	python3 bench/eval/run_eval.py

eval-check: all $(TRECEVAL)
	python3 bench/eval/run_eval.py --engines tidings --out '' --check
