/*
** builder_int.h - the builder's state, shared by builder.c (one thread) and
** pool.c (worker threads).  Not part of the public interface.
*/
#ifndef TD_BUILDER_INT_H
#define TD_BUILDER_INT_H

#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>

#include "analyzer.h"
#include "buf.h"
#include "docstore.h"
#include "format.h"
#include "idmap.h"
#include "invert.h"
#include "tidings.h"

/* What one analysing thread owns: its analyzer and its inverter, so that
** lanes never share a hash table.  Lanes sit in one array and each is
** written on every token: the padding keeps two lanes off one cache line
** (and off the adjacent line the prefetcher pairs with it), which cost -j 2
** a fifth more CPU. */
typedef struct td_lane {
  td_analyzer *an;
  td_inverter *inv;
  uint32_t stopwords;          /* of the field being analysed */
  td_status tok_status;
  char pad[128 - 2 * sizeof(void *) - sizeof(uint32_t) - sizeof(td_status)];
} td_lane;
_Static_assert(sizeof(td_lane) == 128, "a lane has its cache lines to itself");

typedef struct td_pool td_pool;

struct td_builder {
  char *path, *tmppath, *rundir;
  FILE *out;
  td_lane *lanes;            /* one per analysing thread */
  unsigned nlanes;
  td_pool *pool;             /* NULL when indexing in the caller's thread */
  pthread_mutex_t lock;      /* guards nruns */
  td_docwriter *bodies, *summaries;
  FILE *sumfile;             /* PATH.runs-PID/summaries */
  td_idwriter ids;
  td_buf doctab;             /* td_docent per document */
  uint64_t ndocs, input_bytes, total_len;
  size_t budget;
  unsigned nruns;
  struct { dev_t dev; ino_t ino; } files[2];  /* TMPPATH and RUNDIR, once made */
  struct td_builder *next_live;  /* builder.c's list of this process's builders */
  int live;                  /* on that list */
};

/* Analyses and inverts article A as DOCID in lane L, filling its lengths;
** spills the lane's chunks to a run when the lane passes its share of the
** budget. */
td_status td_lane_index(td_builder *b, td_lane *l, uint32_t docid, const td_article *a,
                        td_docent *de, td_error *err);

/* Stores article A (bodies, summaries, id, lengths); articles must come in
** docid order. */
td_status td_builder_store(td_builder *b, const td_article *a, const td_docent *de,
                           td_error *err);

/* The worker pool (pool.c): started when more than one lane is asked for. */
td_status td_pool_start(td_builder *b, td_error *err);
td_status td_pool_add(td_builder *b, const td_article *a, td_error *err);
/* Waits for every article to be indexed and stored, and stops the threads. */
td_status td_pool_finish(td_builder *b, td_error *err);
/* Stops the threads, dropping unfinished work; safe without a pool. */
void td_pool_abort(td_builder *b);

#endif
