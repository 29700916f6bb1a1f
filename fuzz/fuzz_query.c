/*
** fuzz_query.c - libFuzzer target for the query parser and evaluator.
**
** Each input is one query.  It is parsed with the english analyzer under
** both default operators, and every tree that comes out is checked against
** the promises of query.h (flattened AND/OR with two or more kids, NOT with
** one kid that is not itself a NOT, leaves with terms no longer than
** TD_MAX_TERM, no more than TD_QUERY_MAX_TERMS terms, an error always
** leaving *OUT NULL with a message), then printed with td_query_format into
** a buffer too small and one large enough, which must agree.
**
** When the sample corpus can be found (TD_FUZZ_CORPUS, default "corpus")
** the target also indexes it once at start-up, in a temporary folder, and
** runs every accepted query against it: td_count must equal the number of
** hits of an exhaustive td_search, the top 3 must score as the first 3 of
** the exhaustive ranking (up to float rounding: the two paths sum in
** different orders), and every hit must have a stored document.  So the
** evaluator is fuzzed for wrong answers as well as for crashes and hangs.
*/
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "query.h"
#include "tidings.h"

static td_analyzer *english;
static td_index *ix;
static uint64_t ndocs;

/* Checks the invariants of query.h over the tree Q, at nesting DEPTH;
** returns the number of terms below Q. */
static size_t check_tree(const td_qnode *q, int depth) {
  FUZZ_ASSERT(q != NULL);
  FUZZ_ASSERT(depth <= 4 * TD_QUERY_MAX_DEPTH + 4);
  switch (q->kind) {
    case TD_Q_TERM:
    case TD_Q_PREFIX:
    case TD_Q_PHRASE: {
      FUZZ_ASSERT(q->nkids == 0 && q->nterms >= 1);
      FUZZ_ASSERT(q->kind == TD_Q_PHRASE ? q->nterms >= 2 : q->nterms == 1);
      FUZZ_ASSERT(q->field == TD_FIELD_ANY || q->field == TD_FIELD_TITLE);
      for (size_t i = 0; i < q->nterms; i++) {
        const td_qterm *t = &q->terms[i];
        FUZZ_ASSERT(t->len >= 1 && t->len <= TD_MAX_TERM && strlen(t->text) == t->len);
        FUZZ_ASSERT(fuzz_utf8_valid(t->text, t->len));
        FUZZ_ASSERT(i == 0 ? t->offset == 0 : t->offset > q->terms[i - 1].offset);
      }
      return q->nterms;
    }
    case TD_Q_AND:
    case TD_Q_OR: {
      FUZZ_ASSERT(q->nkids >= 2 && q->nterms == 0);
      size_t n = 0;
      for (size_t i = 0; i < q->nkids; i++) {
        FUZZ_ASSERT(q->kids[i]->kind != q->kind);   /* flattened */
        n += check_tree(q->kids[i], depth + 1);
      }
      return n;
    }
    case TD_Q_NOT:
      FUZZ_ASSERT(q->nkids == 1 && q->kids[0]->kind != TD_Q_NOT);
      return check_tree(q->kids[0], depth + 1);
  }
  FUZZ_ASSERT(!"unknown node kind");
  return 0;
}

/* td_query_format must behave like snprintf: same length whatever the
** room, the truncated text a NUL-terminated prefix of the whole. */
static void check_format(const td_qnode *q) {
  char small[16], big[1 << 16];
  size_t n = td_query_format(q, big, sizeof big);
  size_t m = td_query_format(q, small, sizeof small);
  FUZZ_ASSERT(n == m && n > 0);
  if (n < sizeof big) FUZZ_ASSERT(strlen(big) == n && big[0] == '(' && big[n - 1] == ')');
  FUZZ_ASSERT(strlen(small) == (n < sizeof small ? n : sizeof small - 1));
  FUZZ_ASSERT(memcmp(small, big, strlen(small)) == 0);
  FUZZ_ASSERT(td_query_format(q, NULL, 0) == n);
}

/* Runs QUERY against the sample index and cross-checks the answers. */
static void check_search(const char *query, td_default_op op) {
  td_error err;
  uint64_t count;
  td_status rc = td_count(ix, query, op, &count, &err);
  if (rc) {
    FUZZ_ASSERT(rc == TD_EQUERY || rc == TD_ELIMIT);
    FUZZ_ASSERT(err.code == rc && err.msg[0]);
    return;
  }
  td_search_options all = {ndocs, op, 0}, top = {3, op, 0};
  td_results ra, rt;
  FUZZ_ASSERT(td_search(ix, query, &all, &ra, &err) == TD_OK);
  FUZZ_ASSERT(ra.nhits == count);
  FUZZ_ASSERT(td_search(ix, query, &top, &rt, &err) == TD_OK);
  FUZZ_ASSERT(rt.nhits == (count < 3 ? count : 3));
  for (size_t i = 0; i < ra.nhits; i++) {
    FUZZ_ASSERT(ra.hits[i].docid < ndocs);
    FUZZ_ASSERT(ra.hits[i].score == ra.hits[i].score && ra.hits[i].score >= 0);
    if (i) FUZZ_ASSERT(ra.hits[i - 1].score >= ra.hits[i].score);
  }
  for (size_t i = 0; i < rt.nhits; i++) {
    /* The two paths add the same contributions in different orders. */
    float d = fabsf(ra.hits[i].score - rt.hits[i].score);
    FUZZ_ASSERT(d <= 1e-5f * fmaxf(1.0f, ra.hits[i].score));
    td_article a;
    FUZZ_ASSERT(td_index_doc(ix, rt.hits[i].docid, &a, &err) == TD_OK);
  }
  td_results_free(&ra);
  td_results_free(&rt);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  td_error err;
  if (td_analyzer_new("english", &english, &err)) abort();
  const char *corpus = getenv("TD_FUZZ_CORPUS");
  if (fuzz_build_index(corpus ? corpus : "corpus", &ix, &err) == TD_OK) {
    td_index_info info;
    td_index_info_get(ix, &info);
    ndocs = info.ndocs;
  } else {
    fprintf(stderr, "fuzz_query: no sample index (%s); parsing only\n", err.msg);
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (int op = TD_OP_AND; op <= TD_OP_OR; op++) {
    td_qnode *q = (td_qnode *)&q;     /* must be reset to NULL on failure */
    td_error err;
    td_error_clear(&err);
    td_status rc = td_query_parse((const char *)data, size, english, (td_default_op)op, &q, &err);
    if (rc) {
      FUZZ_ASSERT(q == NULL);
      FUZZ_ASSERT(rc == TD_EQUERY || rc == TD_ELIMIT);
      FUZZ_ASSERT(err.code == rc && err.msg[0]);
      continue;
    }
    FUZZ_ASSERT(check_tree(q, 0) <= TD_QUERY_MAX_TERMS);
    check_format(q);
    td_query_free(q);
    /* td_search takes a C string: the query up to its first NUL. */
    if (ix && !memchr(data, 0, size)) {
      char *s = strndup((const char *)data, size);
      if (!s) abort();
      check_search(s, (td_default_op)op);
      free(s);
    }
  }
  return 0;
}
