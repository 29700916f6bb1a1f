/*
** test_treceval.c - the trec_eval measures of bench/eval/treceval.c,
** checked against values worked out by hand from the definitions:
**
**   AP      = sum over relevant retrieved docs of (relevant so far / rank),
**             divided by the number of relevant docs in the qrels
**   P@10    = relevant docs in the top 10 / 10
**   nDCG@10 = sum_{rank<=10} rel / log2(rank + 1), divided by the same sum
**             over the qrels' rel > 0 values sorted descending (top 10)
**   R@1000  = relevant docs in the top 1000 / relevant docs
**
** with the ranking by score descending, ties by docno descending (strcmp).
*/
#include "testutil.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "treceval.h"

#define EPS 1e-9

/* Fails the test unless GOT is within EPS of WANT, printing both. */
#define assert_near(got, want) check_near((got), (want), #got, __FILE__, __LINE__)
static void check_near(double got, double want, const char *what,
                       const char *file, int line) {
  if (fabs(got - want) > EPS) {
    print_error("%s:%d: %s = %.12f, expected %.12f\n", file, line, what, got, want);
    fail();
  }
}

static td_qrels *qrels_of(const char *text) {
  td_qrels *q = NULL;
  td_error err;
  td_error_clear(&err);
  td_status st = td_qrels_parse("test.qrels", text, strlen(text), &q, &err);
  if (st) print_error("%s\n", err.msg);
  assert_int_equal(st, TD_OK);
  return q;
}

static td_run *run_of(const char *text) {
  td_run *r = NULL;
  td_error err;
  td_error_clear(&err);
  td_status st = td_run_parse("test.run", text, strlen(text), &r, &err);
  if (st) print_error("%s\n", err.msg);
  assert_int_equal(st, TD_OK);
  return r;
}

/* Everything one evaluation owns, so tests free it in one call. */
typedef struct fixture {
  td_qrels *qrels;
  td_run *run;
  td_eval ev;
} fixture;

static void evaluate(fixture *fx, const char *qrels, const char *run) {
  td_error err;
  td_error_clear(&err);
  fx->qrels = qrels_of(qrels);
  fx->run = run_of(run);
  td_status st = td_eval_run(fx->qrels, fx->run, &fx->ev, &err);
  if (st) print_error("%s\n", err.msg);
  assert_int_equal(st, TD_OK);
}

static void release(fixture *fx) {
  td_eval_free(&fx->ev);
  td_run_free(fx->run);
  td_qrels_free(fx->qrels);
}

static const td_eval_q *query(const td_eval *ev, const char *qid) {
  for (size_t i = 0; i < ev->nq; i++)
    if (!strcmp(ev->q[i].qid, qid)) return &ev->q[i];
  fail_msg("query %s was not evaluated", qid);
  return NULL;
}

/* Four relevant docs (d1..d4; d5 judged non-relevant), retrieved at ranks
** 1, 3 and 6; d4 never.  The lines are shuffled and the rank column lies,
** so only the scores can give this order:
**   rank: 1  2  3  4  5  6  7  8  9  10
**   doc:  d1 d5 d2 x2 x3 d3 x4 x5 x6 x7
**   AP   = (1/1 + 2/3 + 3/6) / 4 = 13/24 = 0.541666...
**   P@10 = 3/10,  R@1000 = 3/4
**   DCG  = 1/log2(2) + 1/log2(4) + 1/log2(7) = 1 + 0.5 + 0.356207 = 1.856207
**   IDCG = 1/log2(2) + 1/log2(3) + 1/log2(4) + 1/log2(5)
**        = 1 + 0.630930 + 0.5 + 0.430677 = 2.561606
**   nDCG = 0.724626254 */
static void test_binary_measures(void **state) {
  (void)state;
  fixture fx;
  evaluate(&fx,
           "q1 0 d1 1\nq1 0 d2 1\nq1 0 d3 1\nq1 0 d4 1\nq1 0 d5 0\n",
           "q1 Q0 x7 1 1.0 t\n"
           "q1 Q0 d3 2 5.0 t\n"
           "q1 Q0 d1 3 10.0 t\n"
           "q1 Q0 x4 4 4.0 t\n"
           "q1 Q0 d5 5 9.0 t\n"
           "q1 Q0 x6 6 2.0 t\n"
           "q1 Q0 d2 7 8.0 t\n"
           "q1 Q0 x2 8 7.0 t\n"
           "q1 Q0 x5 9 3.0 t\n"
           "q1 Q0 x3 10 6.0 t\n");
  const td_eval_q *q = query(&fx.ev, "q1");
  assert_int_equal(fx.ev.nq, 1);
  assert_int_equal(q->num_rel, 4);
  assert_int_equal(q->num_ret, 10);
  assert_int_equal(q->num_rel_ret, 3);
  assert_near(q->map, 13.0 / 24.0);
  assert_near(q->p10, 0.3);
  assert_near(q->recall1000, 0.75);
  assert_near(q->ndcg10, 0.7246262544989281);
  assert_near(fx.ev.all.map, q->map);
  assert_string_equal(fx.ev.all.qid, "all");
  release(&fx);
}

/* Equal scores are ranked by docno in descending strcmp order, as
** trec_eval does: "9" > "10" > "1".  With only "9" relevant:
**   descending strcmp: 9, 10, 1  -> rank 1, AP = 1
**   (ascending would give rank 3, numeric descending rank 2.)
** Scores compare as numbers: "2e0" beats "1.0" and "1.0" ties "1".  In q2
** a (2e0) comes first, then the tie c, b: relevant b is at rank 3,
** AP = (1/3) / 1 = 1/3, P@10 = 1/10, nDCG = (1/log2(4)) / 1 = 0.5. */
static void test_ties_break_by_docno_descending(void **state) {
  (void)state;
  fixture fx;
  evaluate(&fx, "q1 0 9 1\nq2 0 b 1\n",
           "q1 Q0 1 1 1.5 t\nq1 Q0 9 2 1.5 t\nq1 Q0 10 3 1.5 t\n"
           "q2 Q0 b 1 1.0 t\nq2 Q0 a 2 2e0 t\nq2 Q0 c 3 1 t\n");
  assert_near(query(&fx.ev, "q1")->map, 1.0);
  const td_eval_q *q2 = query(&fx.ev, "q2");
  assert_near(q2->map, 1.0 / 3.0);
  assert_near(q2->p10, 0.1);
  assert_near(q2->ndcg10, 0.5);
  release(&fx);
}

/* Which queries count (trec_eval -c):
**   q1: relevant a, b; run retrieves a at rank 1, x at 2 -> AP = 1/2,
**       P@10 = 1/10, R = 1/2, nDCG = 1 / (1 + 1/log2(3)) = 0.613147
**   q2: relevant c; absent from the run -> every measure 0, still counted
**   q3: judged, but only rel 0 -> not evaluated; its run lines ignored
**   q4: in the run only -> ignored
** Means over the two evaluated queries: map = (0.5 + 0) / 2 = 0.25,
** P@10 = 0.05, R@1000 = 0.25, nDCG = 0.306574; num_ret counts q1's 2 docs. */
static void test_query_set_is_judged_queries(void **state) {
  (void)state;
  fixture fx;
  evaluate(&fx, "q1 0 a 1\nq1 0 b 1\nq2 0 c 1\nq3 0 d 0\n",
           "q1 Q0 a 1 2 t\nq1 Q0 x 2 1 t\n"
           "q3 Q0 d 1 1 t\nq4 Q0 a 1 1 t\n");
  assert_int_equal(fx.ev.nq, 2);
  assert_int_equal(fx.ev.nignored, 2);
  const td_eval_q *q2 = query(&fx.ev, "q2");
  assert_int_equal(q2->num_ret, 0);
  assert_near(q2->map, 0);
  assert_near(q2->ndcg10, 0);
  assert_near(fx.ev.all.map, 0.25);
  assert_near(fx.ev.all.p10, 0.05);
  assert_near(fx.ev.all.recall1000, 0.25);
  assert_near(fx.ev.all.ndcg10, 0.6131471927654584 / 2);
  assert_int_equal(fx.ev.all.num_ret, 2);
  assert_int_equal(fx.ev.all.num_rel, 3);
  assert_int_equal(fx.ev.all.num_rel_ret, 1);
  release(&fx);
}

/* A query whose retrieved documents are all unjudged or judged rel 0 (or
** negative, trec_eval's "unjudged in pool") scores 0 everywhere but keeps
** its place in the mean: with q2 perfect (AP 1), map = (0 + 1) / 2. */
static void test_no_relevant_retrieved(void **state) {
  (void)state;
  fixture fx;
  evaluate(&fx, "q1 0 r 1\nq1 0 n -1\nq1 0 z 0\nq2 0 s 1\n",
           "q1 Q0 n 1 3 t\nq1 Q0 z 2 2 t\nq1 Q0 u 3 1 t\nq2 Q0 s 1 1 t\n");
  const td_eval_q *q1 = query(&fx.ev, "q1");
  assert_int_equal(q1->num_ret, 3);
  assert_int_equal(q1->num_rel_ret, 0);
  assert_int_equal(q1->num_rel, 1);
  assert_near(q1->map, 0);
  assert_near(q1->p10, 0);
  assert_near(q1->ndcg10, 0);
  assert_near(q1->recall1000, 0);
  assert_near(fx.ev.all.map, 0.5);
  release(&fx);
}

/* Graded relevance: a=3, b=2, c=1, e=2 relevant, d=0.  Run d c a x b:
**   gains by rank 0 1 3 0 2, e not retrieved
**   DCG  = 1/log2(3) + 3/log2(4) + 2/log2(6) = 0.630930 + 1.5 + 0.773706
**        = 2.904635
**   IDCG = 3/log2(2) + 2/log2(3) + 2/log2(4) + 1/log2(5)  (gains 3 2 2 1)
**        = 3 + 1.261860 + 1 + 0.430677 = 5.692536
**   nDCG = 0.510253310
** AP and P count any rel > 0 as relevant, ranks 2, 3, 5 of 4:
**   AP = (1/2 + 2/3 + 3/5) / 4 = 0.441666..., P@10 = 0.3, R = 0.75 */
static void test_graded_ndcg(void **state) {
  (void)state;
  fixture fx;
  evaluate(&fx, "7 0 a 3\n7 0 b 2\n7 0 c 1\n7 0 d 0\n7 0 e 2\n",
           "7 Q0 d 1 5 t\n7 Q0 c 2 4 t\n7 Q0 a 3 3 t\n7 Q0 x 4 2 t\n7 Q0 b 5 1 t\n");
  const td_eval_q *q = query(&fx.ev, "7");
  assert_near(q->ndcg10, 0.5102533097311469);
  assert_near(q->map, 0.44166666666666665);
  assert_near(q->p10, 0.3);
  assert_near(q->recall1000, 0.75);
  release(&fx);
}

/* A growing text that test runs and qrels are written into. */
typedef struct text {
  char *p;
  size_t len, cap;
} growbuf;

/* Appends printf-style text to T, growing it as needed. */
__attribute__((format(printf, 2, 3)))
static void put(growbuf *t, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = t->p ? vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap) : -1;
    va_end(ap);
    if (n >= 0 && (size_t)n < t->cap - t->len) {
      t->len += (size_t)n;
      return;
    }
    t->cap = t->cap ? t->cap * 2 : 4096;
    t->p = realloc(t->p, t->cap);
    assert_non_null(t->p);
  }
}

/* The ideal ranking is cut at 10 too: twelve relevant docs (rel 1)
** retrieved at ranks 1..12 give DCG@10 = IDCG@10, nDCG = 1 (an ideal over
** all twelve would make it 0.89), AP = 1, P@10 = 1, R = 1. */
static void test_ideal_cut_at_ten(void **state) {
  (void)state;
  growbuf qrels = {0}, run = {0};
  for (int i = 0; i < 12; i++) {
    put(&qrels, "1 0 r%02d 1\n", i);
    put(&run, "1 Q0 r%02d %d %d t\n", i, i + 1, 100 - i);
  }
  fixture fx;
  evaluate(&fx, qrels.p, run.p);
  free(qrels.p);
  free(run.p);
  const td_eval_q *q = query(&fx.ev, "1");
  assert_near(q->ndcg10, 1.0);
  assert_near(q->map, 1.0);
  assert_near(q->p10, 1.0);
  assert_near(q->recall1000, 1.0);
  release(&fx);
}

/* 1500 retrieved docs, relevant r1 at rank 1 and r2 at rank 1200.  MAP
** looks at the whole ranking (trec_eval has no depth cut by default),
** recall stops at 1000:
**   AP = (1/1 + 2/1200) / 2 = 0.500833..., R@1000 = 1/2, P@10 = 1/10
**   nDCG = 1 / (1 + 1/log2(3)) = 0.613147 */
static void test_runs_longer_than_1000(void **state) {
  (void)state;
  growbuf run = {0};
  for (int rank = 1; rank <= 1500; rank++) {
    if (rank == 1) put(&run, "5 Q0 r1");
    else if (rank == 1200) put(&run, "5 Q0 r2");
    else put(&run, "5 Q0 n%d", rank);
    put(&run, " %d %d t\n", rank, 2000 - rank);
  }
  fixture fx;
  evaluate(&fx, "5 0 r1 1\n5 0 r2 1\n", run.p);
  free(run.p);
  const td_eval_q *q = query(&fx.ev, "5");
  assert_int_equal(q->num_ret, 1500);
  assert_int_equal(q->num_rel_ret, 2);
  assert_near(q->map, (1.0 + 2.0 / 1200.0) / 2.0);
  assert_near(q->recall1000, 0.5);
  assert_near(q->p10, 0.1);
  assert_near(q->ndcg10, 0.6131471927654584);
  release(&fx);
}

/* Blank lines, '#' comments, tabs, CRLF line ends and trailing fields
** after the run tag are all accepted. */
static void test_layout_tolerated(void **state) {
  (void)state;
  fixture fx;
  evaluate(&fx, "# judgements\r\n\r\n1\t0\ta\t1\r\n",
           "\n# run\n1 Q0 a 1 1.0 tag extra fields\r\n1 Q0 b 2 0.5 tag");
  assert_int_equal(query(&fx.ev, "1")->num_ret, 2);
  assert_near(fx.ev.all.map, 1.0);
  release(&fx);
}

/* Checks that parsing TEXT as a run (or qrels) fails with TD_EINPUT and a
** message containing every string of NEEDLES (NULL-terminated). */
static void expect_bad(int is_run, const char *text, size_t len,
                       const char *const *needles) {
  td_error err;
  td_error_clear(&err);
  td_status st;
  if (is_run) {
    td_run *r = NULL;
    st = td_run_parse("bad.run", text, len, &r, &err);
    assert_null(r);
  } else {
    td_qrels *q = NULL;
    st = td_qrels_parse("bad.qrels", text, len, &q, &err);
    assert_null(q);
  }
  assert_int_equal(st, TD_EINPUT);
  for (; *needles; needles++) {
    if (!strstr(err.msg, *needles)) {
      print_error("message \"%s\" lacks \"%s\"\n", err.msg, *needles);
      fail();
    }
  }
}

#define BAD_RUN(text, ...) \
  expect_bad(1, text, strlen(text), (const char *const[]){__VA_ARGS__, NULL})
#define BAD_QRELS(text, ...) \
  expect_bad(0, text, strlen(text), (const char *const[]){__VA_ARGS__, NULL})

/* A run that lists a docno twice for one query is rejected, as trec_eval
** rejects it, naming both lines; the same docno under two queries is fine. */
static void test_duplicates_rejected(void **state) {
  (void)state;
  BAD_RUN("1 Q0 a 1 3 t\n1 Q0 b 2 2 t\n1 Q0 a 3 1 t\n",
          "bad.run:3:", "query 1: document \"a\"", "line 1");
  BAD_QRELS("1 0 a 1\n2 0 a 1\n\n1 0 a 0\n", "bad.qrels:4:", "query 1:", "line 1");
  td_run_free(run_of("1 Q0 a 1 3 t\n2 Q0 a 1 3 t\n"));
}

static void test_malformed_lines(void **state) {
  (void)state;
  BAD_RUN("1 Q0 a 1 3 t\n1 Q0 b 2 2\n", "bad.run:2:", "found 5");
  BAD_RUN("1 Q0 a 1 high t\n", "bad.run:1:", "\"high\"");
  BAD_RUN("1 Q0 a 1 nan t\n", "bad.run:1:", "\"nan\"");
  BAD_RUN("1 Q0 a 1 2.5x t\n", "bad.run:1:");
  BAD_QRELS("1 0 a 1 extra\n", "bad.qrels:1:", "found 5");
  BAD_QRELS("1 0 a\n", "bad.qrels:1:", "found 3");
  BAD_QRELS("1 0 a 1.5\n", "bad.qrels:1:", "\"1.5\"");
  static const char nul[] = "1 0 a 1\n1 0 b\0 1\n";
  expect_bad(0, nul, sizeof nul - 1, (const char *const[]){"bad.qrels:2:", "NUL", NULL});
}

/* Qrels without one relevant judgement cannot be averaged: an error, not
** a division by zero. */
static void test_qrels_without_relevant(void **state) {
  (void)state;
  td_qrels *q = qrels_of("1 0 a 0\n2 0 b -1\n");
  td_run *r = run_of("");
  td_eval ev;
  td_error err;
  td_error_clear(&err);
  assert_int_equal(td_eval_run(q, r, &ev, &err), TD_EINPUT);
  assert_non_null(strstr(err.msg, "relevance > 0"));
  td_run_free(r);
  td_qrels_free(q);
}

/* An empty run scores 0 on every judged query. */
static void test_empty_run(void **state) {
  (void)state;
  fixture fx;
  evaluate(&fx, "1 0 a 1\n2 0 b 2\n", "");
  assert_int_equal(fx.ev.nq, 2);
  assert_int_equal(fx.ev.all.num_ret, 0);
  assert_near(fx.ev.all.map, 0);
  assert_near(fx.ev.all.ndcg10, 0);
  release(&fx);
}

/* Files: the loaders read what the parsers parse; a missing file is an
** I/O error that names the path. */
static void test_load_files(void **state) {
  (void)state;
  char qpath[] = "/tmp/test_treceval_qXXXXXX", rpath[] = "/tmp/test_treceval_rXXXXXX";
  int qfd = mkstemp(qpath), rfd = mkstemp(rpath);
  assert_true(qfd >= 0 && rfd >= 0);
  static const char qtext[] = "1 0 a 1\n1 0 b 1\n";
  static const char rtext[] = "1 Q0 b 1 2 t\n1 Q0 c 2 1 t\n";
  assert_int_equal(write(qfd, qtext, sizeof qtext - 1), (ssize_t)(sizeof qtext - 1));
  assert_int_equal(write(rfd, rtext, sizeof rtext - 1), (ssize_t)(sizeof rtext - 1));
  close(qfd);
  close(rfd);

  td_error err;
  td_error_clear(&err);
  td_qrels *q = NULL;
  td_run *r = NULL;
  td_eval ev;
  assert_int_equal(td_qrels_load(qpath, &q, &err), TD_OK);
  assert_int_equal(td_run_load(rpath, &r, &err), TD_OK);
  assert_int_equal(td_eval_run(q, r, &ev, &err), TD_OK);
  assert_near(ev.all.map, 0.5);  /* b at rank 1 of 2 relevant: (1/1)/2 */
  td_eval_free(&ev);
  td_run_free(r);
  td_qrels_free(q);
  unlink(qpath);
  unlink(rpath);

  assert_int_equal(td_run_load(rpath, &r, &err), TD_EIO);
  assert_non_null(strstr(err.msg, rpath));
}

/* Reads a whole file for the corpus test; NULL when it is absent. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  size_t got;
  while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (cap - len < 2) {
      cap *= 2;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
  }
  fclose(f);
  buf[len] = '\0';
  return buf;
}

/* Writes a run built from the CACM qrels: each query's relevant documents
** ranked first (best grade first) when GOOD, or pushed below 1000 filler
** documents that are not judged relevant when not.  The caller frees it. */
static char *run_from_qrels(const char *qrels, int good) {
  growbuf run = {0};
  char qid[32], docno[64], lastq[32] = "";
  int rel;
  for (const char *p = qrels; *p;) {
    assert_int_equal(sscanf(p, "%31s %*s %63s %d", qid, docno, &rel), 3);
    if (!good && strcmp(qid, lastq)) {
      for (int i = 0; i < 1000; i++)
        put(&run, "%s Q0 filler%d %d %d t\n", qid, i, i + 1, 1000000 - i);
      snprintf(lastq, sizeof lastq, "%s", qid);
    }
    if (rel > 0) put(&run, "%s Q0 %s 0 %d t\n", qid, docno, good ? 100 + rel : rel);
    const char *nl = strchr(p, '\n');
    p = nl ? nl + 1 : p + strlen(p);
  }
  return run.p;
}

/* The real CACM judgements (52 judged queries, per its README): a run
** that puts every relevant document first is perfect on MAP, nDCG and
** recall; one that buries them under 1000 others gets no P@10 or recall
** but a small positive MAP. */
static void test_cacm_extremes(void **state) {
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s/ir/cacm/qrels.txt", td_test_shared_corpus());
  char *qtext = slurp(path);
  if (!qtext) skip();
  td_qrels *q = qrels_of(qtext);
  for (int good = 1; good >= 0; good--) {
    char *rtext = run_from_qrels(qtext, good);
    td_run *r = run_of(rtext);
    td_eval ev;
    td_error err;
    td_error_clear(&err);
    assert_int_equal(td_eval_run(q, r, &ev, &err), TD_OK);
    assert_int_equal(ev.nq, 52);
    assert_int_equal(ev.all.num_rel, 796);
    assert_int_equal(ev.all.num_rel_ret, 796);
    if (good) {
      assert_near(ev.all.map, 1.0);
      assert_near(ev.all.ndcg10, 1.0);
      assert_near(ev.all.recall1000, 1.0);
    } else {
      assert_near(ev.all.p10, 0.0);
      assert_near(ev.all.recall1000, 0.0);
      assert_true(ev.all.map > 0.0 && ev.all.map < 0.05);
    }
    td_eval_free(&ev);
    td_run_free(r);
    free(rtext);
  }
  td_qrels_free(q);
  free(qtext);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_binary_measures),
      cmocka_unit_test(test_ties_break_by_docno_descending),
      cmocka_unit_test(test_query_set_is_judged_queries),
      cmocka_unit_test(test_no_relevant_retrieved),
      cmocka_unit_test(test_graded_ndcg),
      cmocka_unit_test(test_ideal_cut_at_ten),
      cmocka_unit_test(test_runs_longer_than_1000),
      cmocka_unit_test(test_layout_tolerated),
      cmocka_unit_test(test_duplicates_rejected),
      cmocka_unit_test(test_malformed_lines),
      cmocka_unit_test(test_qrels_without_relevant),
      cmocka_unit_test(test_empty_run),
      cmocka_unit_test(test_load_files),
      cmocka_unit_test(test_cacm_extremes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
