/*
** test_postings.c - a term's postings (common/postings.c) written by the
** postings writer and read back through a cursor: documents, frequencies,
** positions and gaps, next() and seek() inside a block and across blocks.
*/
#include "testutil.h"

#include <string.h>

#include "postings.h"

#define NDOCS 1000

/* The term is in every third document (3 blocks of TD_BLOCK and a short
** one); document D holds it 1 + D % 4 times, 7 apart from position D % 5. */
static int holds(uint32_t d) { return d % 3 == 0; }
static uint32_t tf_of(uint32_t d) { return 1 + d % 4; }
static uint32_t pos_of(uint32_t d, uint32_t k) { return d % 5 + 7 * k; }

typedef struct list {
  td_docent docs[NDOCS];
  td_buf bytes;
  td_terminfo ti;
} list;

static void write_list(list *l) {
  for (uint32_t d = 0; d < NDOCS; d++) l->docs[d] = (td_docent){40 + d % 50, 0};
  td_scoring sc = {l->docs, NDOCS, 64.0f, 1.2f, 0.75f, 1};
  td_postwriter *w;
  assert_int_equal(td_postwriter_new(&sc, &w), TD_OK);
  uint64_t df = 0;
  for (uint32_t d = 0; d < NDOCS; d++) df += holds(d);
  td_postwriter_begin(w, df);
  for (uint32_t d = 0; d < NDOCS; d++) {
    if (!holds(d)) continue;
    uint32_t gaps[4];
    for (uint32_t k = 0; k < tf_of(d); k++) gaps[k] = k ? 7 : pos_of(d, 0);
    assert_int_equal(td_postwriter_add(w, d, gaps, tf_of(d)), TD_OK);
  }
  l->bytes = (td_buf)TD_BUF_INIT;
  assert_int_equal(td_postwriter_end(w, &l->bytes, &l->ti.max_score), TD_OK);
  td_postwriter_free(w);
  l->ti.df = df;
  l->ti.postings = 0;
}

static void open_list(list *l, td_postings *p) {
  td_error err;
  assert_int_equal(td_postings_open(p, l->bytes.data, l->bytes.len, &l->ti, NDOCS, NULL, &err),
                   TD_OK);
}

/* Every document in order, with its frequency and positions; every other
** one is first asked for its gaps, which are gaps until its positions have
** been asked for and positions after. */
static void test_walk(void **state) {
  (void)state;
  list l;
  write_list(&l);
  td_postings p;
  open_list(&l, &p);
  uint64_t seen = 0;
  for (uint32_t d = 0; d < NDOCS; d++) {
    if (!holds(d)) continue;
    assert_int_equal(td_postings_next(&p), d);
    assert_int_equal(td_postings_tf(&p), tf_of(d));
    uint32_t n;
    int summed;
    const uint32_t *v;
    if (seen % 2 == 0) {
      assert_non_null(v = td_postings_gaps(&p, &n, &summed));
      assert_int_equal(n, tf_of(d));
      assert_int_equal(summed, 0);
      for (uint32_t k = 0; k < n; k++) assert_int_equal(v[k], k ? 7 : pos_of(d, 0));
    }
    assert_non_null(v = td_postings_positions(&p, &n));
    assert_int_equal(n, tf_of(d));
    for (uint32_t k = 0; k < n; k++) assert_int_equal(v[k], pos_of(d, k));
    assert_non_null(v = td_postings_gaps(&p, &n, &summed));
    assert_int_equal(summed, 1);
    for (uint32_t k = 0; k < n; k++) assert_int_equal(v[k], pos_of(d, k));
    seen++;
  }
  assert_int_equal(seen, l.ti.df);
  assert_int_equal(td_postings_next(&p), TD_END);
  assert_null(td_postings_positions(&p, &(uint32_t){0}));
  assert_int_equal(p.status, TD_OK);
  td_postings_close(&p);
  td_buf_free(&l.bytes);
}

/* seek() lands on the first document at or after its target, from a cursor
** not started yet, inside the decoded block, across blocks and past the
** end; positions read after a seek belong to the document it landed on. */
static void test_seek(void **state) {
  (void)state;
  list l;
  write_list(&l);
  static const uint32_t targets[] = {0, 1, 2, 3, 4, 5, 200, 383, 384, 385, 386, 700, 998, 999};
  td_postings p;
  open_list(&l, &p);
  for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
    uint32_t want = (targets[t] + 2) / 3 * 3;
    uint32_t got = td_postings_seek(&p, targets[t]);
    if (want >= NDOCS) {
      assert_int_equal(got, TD_END);
      continue;
    }
    assert_int_equal(got, want);
    uint32_t n;
    const uint32_t *v = td_postings_positions(&p, &n);
    assert_non_null(v);
    assert_int_equal(n, tf_of(want));
    assert_int_equal(v[n - 1], pos_of(want, n - 1));
    /* Seeking backwards or to where it stands leaves the cursor there. */
    assert_int_equal(td_postings_seek(&p, targets[t] / 2), want);
  }
  td_postings_close(&p);
  /* A cursor that seeks far first, then steps. */
  open_list(&l, &p);
  assert_int_equal(td_postings_seek(&p, 640), 642);
  assert_int_equal(td_postings_next(&p), 645);
  assert_int_equal(td_postings_seek(&p, NDOCS), TD_END);
  assert_int_equal(td_postings_next(&p), TD_END);
  td_postings_close(&p);
  td_buf_free(&l.bytes);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_walk),
      cmocka_unit_test(test_seek),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
