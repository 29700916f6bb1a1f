/*
** pool.c - indexing on several threads.
**
** The caller's thread only copies articles into batches.  Each worker
** thread owns a lane (analyzer and inverter) and takes whole batches from a
** queue; docids are given out in input order when an article is added, so a
** batch is a run of consecutive docids.  Stored fields must reach the files
** in docid order, so a finished batch waits in a list sorted by sequence
** number, and whichever worker finds the next one ready stores it (one at
** a time: STORING).  At most INFLIGHT_PER_WORKER batches per worker are in
** flight, which bounds the memory held in copies.  Lanes interleave in docid
** order; the merge in builder.c puts their postings back in order.
*/
#include <stdlib.h>
#include <string.h>

#include "builder_int.h"

#define BATCH_ARTICLES 256

/* A batch is in flight until it is stored, and storing (compression) is
** one worker's at a time: with 2 per worker, the other worker waited for
** work 15-20% of the time on Reuters with -j 2, the reader having to wait
** for room; with 4, 7-10%, and the build took 4-7% less time. */
#define INFLIGHT_PER_WORKER 4

typedef struct batch {
  uint64_t seq;
  uint32_t first;              /* docid of the first article */
  uint32_t n;
  size_t off[BATCH_ARTICLES][6];
  size_t len[BATCH_ARTICLES][6];
  td_docent de[BATCH_ARTICLES];
  td_buf text;                 /* the articles' bytes */
  struct batch *next;
} batch;

struct td_pool {
  pthread_t *threads;
  unsigned nthreads;
  pthread_mutex_t mu;
  pthread_cond_t work, done;
  batch *queue, *queue_tail;   /* waiting for a worker */
  batch *ready;                /* analysed, by seq, waiting to be stored */
  batch *filling;              /* the caller's batch */
  uint64_t next_seq, next_store;
  unsigned inflight;
  int stop, storing;
  td_status failed;
  td_error err;
};

static void free_batches(batch *b) {
  while (b) {
    batch *n = b->next;
    td_buf_free(&b->text);
    free(b);
    b = n;
  }
}

/* The article I of batch B, pointing into its text. */
static td_article article_at(const batch *b, uint32_t i) {
  td_text f[6];
  for (int k = 0; k < 6; k++)
    f[k] = (td_text){(const char *)b->text.data + b->off[i][k], b->len[i][k]};
  return (td_article){f[0], f[1], f[2], f[3], f[4], f[5]};
}

/* Records the first failure (with the lock held) and wakes the caller,
** which may be waiting for room; it sees the failure on its next call. */
static void fail(td_pool *p, td_status rc, const td_error *err) {
  if (!p->failed) {
    p->failed = rc;
    p->err = *err;
  }
  pthread_cond_broadcast(&p->done);
}

/* Stores ready batches in docid order; called with the lock held. */
static void drain(td_builder *b, td_pool *p) {
  if (p->storing) return;
  p->storing = 1;
  while (p->ready && p->ready->seq == p->next_store && !p->failed) {
    batch *bt = p->ready;
    p->ready = bt->next;
    pthread_mutex_unlock(&p->mu);
    td_error err;
    td_status rc = TD_OK;
    for (uint32_t i = 0; i < bt->n && !rc; i++) {
      td_article a = article_at(bt, i);
      rc = td_builder_store(b, &a, &bt->de[i], &err);
    }
    td_buf_free(&bt->text);
    free(bt);
    pthread_mutex_lock(&p->mu);
    if (rc) fail(p, rc, &err);
    p->next_store++;
    p->inflight--;
    pthread_cond_broadcast(&p->done);
  }
  p->storing = 0;
}

typedef struct worker_arg {
  td_builder *b;
  td_lane *lane;
} worker_arg;

static void *worker(void *arg) {
  td_builder *b = ((worker_arg *)arg)->b;
  td_lane *lane = ((worker_arg *)arg)->lane;
  free(arg);
  td_pool *p = b->pool;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->queue && !p->stop) pthread_cond_wait(&p->work, &p->mu);
    if (!p->queue) break;
    batch *bt = p->queue;
    p->queue = bt->next;
    if (!p->queue) p->queue_tail = NULL;
    int skip = p->failed != TD_OK;
    pthread_mutex_unlock(&p->mu);
    td_error err;
    td_status rc = TD_OK;
    for (uint32_t i = 0; i < bt->n && !rc && !skip; i++) {
      td_article a = article_at(bt, i);
      rc = td_lane_index(b, lane, bt->first + i, &a, &bt->de[i], &err);
    }
    pthread_mutex_lock(&p->mu);
    if (rc) fail(p, rc, &err);
    batch **at = &p->ready;
    while (*at && (*at)->seq < bt->seq) at = &(*at)->next;
    bt->next = *at;
    *at = bt;
    drain(b, p);
  }
  int failed = p->failed != TD_OK;
  pthread_mutex_unlock(&p->mu);
  /* The lane's last chunks, sorted here on every thread at once rather
  ** than one lane after another by the merge. */
  const td_chunk *c;
  size_t n;
  if (!failed && td_inverter_sorted(lane->inv, &c, &n)) {
    td_error err;
    pthread_mutex_lock(&p->mu);
    fail(p, td_fail(&err, TD_ENOMEM, "out of memory sorting terms"), &err);
    pthread_mutex_unlock(&p->mu);
  }
  return NULL;
}

td_status td_pool_start(td_builder *b, td_error *err) {
  td_pool *p = calloc(1, sizeof *p);
  if (!p || !(p->threads = calloc(b->nlanes, sizeof *p->threads))) {
    free(p);
    return td_fail(err, TD_ENOMEM, "out of memory starting threads");
  }
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->work, NULL);
  pthread_cond_init(&p->done, NULL);
  b->pool = p;
  for (unsigned i = 0; i < b->nlanes; i++) {
    worker_arg *a = malloc(sizeof *a);
    if (a) *a = (worker_arg){b, &b->lanes[i]};
    if (!a || pthread_create(&p->threads[i], NULL, worker, a) != 0) {
      free(a);
      return td_fail(err, TD_ENOMEM, "cannot start indexing thread %u", i + 1);
    }
    p->nthreads++;
  }
  return TD_OK;
}

/* Hands the filling batch to the workers, waiting while too many are out. */
static td_status submit(td_builder *b, td_error *err) {
  td_pool *p = b->pool;
  batch *bt = p->filling;
  p->filling = NULL;
  pthread_mutex_lock(&p->mu);
  while (p->inflight >= INFLIGHT_PER_WORKER * p->nthreads && !p->failed)
    pthread_cond_wait(&p->done, &p->mu);
  td_status rc = p->failed;
  if (rc) {
    *err = p->err;
    free_batches(bt);
  } else {
    bt->seq = p->next_seq++;
    bt->next = NULL;
    if (p->queue_tail) p->queue_tail->next = bt;
    else p->queue = bt;
    p->queue_tail = bt;
    p->inflight++;
    pthread_cond_signal(&p->work);
  }
  pthread_mutex_unlock(&p->mu);
  return rc;
}

td_status td_pool_add(td_builder *b, const td_article *a, td_error *err) {
  td_pool *p = b->pool;
  if (!p->filling) {
    if (!(p->filling = calloc(1, sizeof *p->filling)))
      return td_fail(err, TD_ENOMEM, "out of memory while indexing");
    p->filling->first = (uint32_t)b->ndocs;
  }
  batch *bt = p->filling;
  const td_text *f[6] = {&a->id, &a->title, &a->date, &a->source, &a->url, &a->body};
  for (int k = 0; k < 6; k++) {
    bt->off[bt->n][k] = bt->text.len;
    bt->len[bt->n][k] = f[k]->len;
    if (td_buf_append(&bt->text, f[k]->ptr, f[k]->len))
      return td_fail(err, TD_ENOMEM, "out of memory while indexing");
  }
  bt->n++;
  b->ndocs++;
  if (bt->n == BATCH_ARTICLES || bt->text.len > (4u << 20)) return submit(b, err);
  return TD_OK;
}

/* Joins the threads after telling them to stop once the queue is empty. */
static void join(td_pool *p) {
  pthread_mutex_lock(&p->mu);
  p->stop = 1;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->mu);
  for (unsigned i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
  p->nthreads = 0;
}

static void free_pool(td_builder *b) {
  td_pool *p = b->pool;
  free_batches(p->queue);
  free_batches(p->ready);
  free_batches(p->filling);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->work);
  pthread_cond_destroy(&p->done);
  free(p->threads);
  free(p);
  b->pool = NULL;
}

td_status td_pool_finish(td_builder *b, td_error *err) {
  td_pool *p = b->pool;
  td_status rc = p->filling ? submit(b, err) : TD_OK;
  pthread_mutex_lock(&p->mu);
  while (p->inflight && !p->failed) pthread_cond_wait(&p->done, &p->mu);
  pthread_mutex_unlock(&p->mu);
  join(p);
  /* The threads are gone: a failure while sorting is seen here too. */
  if (!rc && p->failed) {
    rc = p->failed;
    *err = p->err;
  }
  free_pool(b);
  return rc;
}

void td_pool_abort(td_builder *b) {
  if (!b->pool) return;
  td_error err;
  pthread_mutex_lock(&b->pool->mu);
  fail(b->pool, TD_EINVAL, (td_error *)memset(&err, 0, sizeof err));
  pthread_mutex_unlock(&b->pool->mu);
  join(b->pool);
  free_pool(b);
}
