/*
** peer_util.h - what the two benchmark peers (Xapian, SQLite FTS5) share:
** walking the input paths exactly as bin/indexer does and handing every
** article to the peer through the project's own corpus reader, and the
** batch query loop with its command line, per-query clock and latency file.
**
** The peers are programs, not library code: these helpers print to stderr.
*/
#ifndef PEER_UTIL_H
#define PEER_UTIL_H

#include <stdio.h>

#include "corpus.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Calls ON_ARTICLE for every article in PATHS[0..N), walked by
** bin/indexer's own walk_path (indexer/walk.c), so the peers see the same
** articles under the same ids.  Files the reader cannot use are skipped;
** warnings are counted, not printed.  Prints a one-line summary to stderr.
** Returns 0, or -1 after printing why. */
int pu_index_paths(char **paths, int n, td_article_fn on_article, void *ctx);

/* Makes a finished index durable as bin/indexer makes its own: fsyncs the
** file at PATH (or every file of the folder PATH, and the folder), then the
** folder holding it.  The peers load without syncing, a failed build being
** simply run again, and call this once at the end, so that each engine's
** build time includes putting its index safely on disk.  Returns 0, or -1
** after printing why. */
int pu_sync_path(const char *path);

/* Options of the `query` mode, shared by both peers. */
typedef struct pu_query_opts {
  int count;                 /* --count: print qid<TAB>count */
  int k;                     /* -k N: results per query (default 10) */
  int default_or;            /* --default-op or */
  const char *latency_file;  /* --latency-file FILE: qid<TAB>microseconds */
} pu_query_opts;

/* Parses ARGV[0..ARGC) (the words after `query DBPATH`) into OPTS.
** Returns 0, or -1 after printing the usage error. */
int pu_parse_query_opts(int argc, char **argv, pu_query_opts *opts);

/* Answers one query: prints its result lines to OUT and returns 0, or
** prints the reason to stderr and returns -1 (the batch goes on). */
typedef int (*pu_query_fn)(void *ctx, const char *qid, const char *query, FILE *out);

/* Reads `qid<TAB>query` lines from IN (a line without a tab is its own qid
** and query), calls FN for each with the wall clock running around it, and
** writes the latencies to OPTS->latency_file when set, after the last query
** so that the file costs no query any time.  Returns the number of queries
** that failed, or -1 when the latency file cannot be written. */
int pu_run_batch(FILE *in, FILE *out, const pu_query_opts *opts, pu_query_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
