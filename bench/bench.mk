# bench.mk - the benchmark against Xapian and SQLite FTS5 (issue 3).
# Included from the main Makefile, which defines CC, CFLAGS, WARN, STD,
# CPPFLAGS, B, BIN and the deps-bench target.
#
#   make bench          Reuters-21578, BBC, 20 Newsgroups, synthetic 200,000
#   make bench-large    the synthetic corpus at 1,000,000 articles
#   make bench-quick    Reuters only, 50 queries per set (report in BENCH_DIR)
#   make bench-peers    just build the two peer drivers
#
# BENCH_DIR is the scratch folder for generated corpora, indexes and runs
# (never the repository); BENCH_FLAGS passes more options to bench/run.py.
# The peers link the project's corpus reader so that they index exactly the
# articles bin/indexer does; they are built even when the rest of the
# engine is not, and the report then marks our rows as failed.

BENCH_DIR   ?= /tmp/tidings-bench
BENCH_FLAGS ?=
CXX         ?= c++

# The corpus reader and what it needs, compiled by the main pattern rule.
PEER_READER_OBJ := $(patsubst %.c,$(B)/%.o,common/status.c $(wildcard common/corpus*.c))
PEER_OBJ    := $(B)/bench/peers/peer_util.o $(B)/indexer/walk.o $(PEER_READER_OBJ)
PEER_LIBS   := -lyajl -lz
BENCH_PEERS := $(B)/bench/xapian_peer $(B)/bench/fts5_peer

.PHONY: bench bench-large bench-quick bench-peers bench-ours

bench-peers: $(BENCH_PEERS)

$(B)/bench/peers/peer_util.o: bench/peers/peer_util.h common/corpus.h indexer/walk.h
$(B)/bench/peers/peer_util.o: CPPFLAGS += -Iindexer

$(B)/bench/fts5_peer: $(B)/bench/peers/fts5_peer.o $(PEER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -lsqlite3 $(PEER_LIBS)

$(B)/bench/peers/fts5_peer.o: bench/peers/peer_util.h

$(B)/bench/xapian_peer: bench/peers/xapian_peer.cc bench/peers/peer_util.h $(PEER_OBJ)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(CFLAGS) -Wall -Wextra -Wshadow $(CPPFLAGS) -o $@ $< $(PEER_OBJ) \
	  -lxapian $(PEER_LIBS)

# Our engine is built if it can be; when it cannot, the benchmark still
# runs the peers and the report says what failed.
bench-ours:
	@$(MAKE) all || echo "bench: bin/indexer or bin/searcher did not build; the report will mark them failed"

BENCH_RUN = python3 bench/run.py --scratch $(BENCH_DIR) --ours-bin $(BIN) --peers-bin $(B)/bench

bench: deps-bench bench-peers bench-ours
	$(BENCH_RUN) $(BENCH_FLAGS)

bench-large: deps-bench bench-peers bench-ours
	$(BENCH_RUN) --large $(BENCH_FLAGS)

bench-quick: deps-bench bench-peers bench-ours
	$(BENCH_RUN) --quick $(BENCH_FLAGS)
