/*
** test_search.c - end-to-end checks of building and searching: every kind
** of query against a brute-force scan of the same analysed tokens, the set
** identities that must hold between AND, OR, NOT and phrases, top-k against
** exhaustive ranking, spilled builds against in-memory ones, and damage.
*/
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "query.h"
#include "tidings.h"

/* ---- a brute-force model of the collection ------------------------------ */

typedef struct mdoc {
  char **tok;          /* analysed term at each position (NULL in the gap) */
  uint32_t ntok, title_len;
} mdoc;

typedef struct model {
  mdoc *docs;
  size_t n, cap;
  char **words;        /* folded surface words, for making queries */
  size_t nwords, wcap;
  char **titles;       /* each document's title as written, for title phrases */
  td_analyzer *an, *raw;
} model;

typedef struct tokctx {
  mdoc *d;
} tokctx;

static int add_tok(void *ctx, const char *t, size_t len, uint32_t pos) {
  mdoc *d = ((tokctx *)ctx)->d;
  if (pos >= d->ntok) {
    d->tok = realloc(d->tok, (pos + 1) * sizeof *d->tok);
    for (uint32_t i = d->ntok; i <= pos; i++) d->tok[i] = NULL;
    d->ntok = pos + 1;
  }
  d->tok[pos] = strndup(t, len);
  return 0;
}

static int add_word(void *ctx, const char *t, size_t len, uint32_t pos) {
  (void)pos;
  model *m = ctx;
  if (m->nwords == m->wcap) {
    m->wcap = m->wcap ? m->wcap * 2 : 1024;
    m->words = realloc(m->words, m->wcap * sizeof *m->words);
  }
  m->words[m->nwords++] = strndup(t, len);
  return 0;
}

static void model_add(model *m, const td_article *a) {
  if (m->n == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 256;
    m->docs = realloc(m->docs, m->cap * sizeof *m->docs);
    m->titles = realloc(m->titles, m->cap * sizeof *m->titles);
  }
  m->titles[m->n] = strndup(a->title.ptr, a->title.len);
  mdoc *d = &m->docs[m->n++];
  memset(d, 0, sizeof *d);
  tokctx c = {d};
  uint32_t tl = 0;
  td_analyze(m->an, a->title.ptr, a->title.len, 0, 1, add_tok, &c, &tl);
  d->title_len = tl;
  td_analyze(m->an, a->body.ptr, a->body.len, tl + 1, 1, add_tok, &c, NULL);
  if (m->nwords < 200000) td_analyze(m->raw, a->body.ptr, a->body.len, 0, 0, add_word, m, NULL);
}

static void model_free(model *m) {
  for (size_t i = 0; i < m->n; i++) {
    for (uint32_t j = 0; j < m->docs[i].ntok; j++) free(m->docs[i].tok[j]);
    free(m->docs[i].tok);
    free(m->titles[i]);
  }
  free(m->titles);
  for (size_t i = 0; i < m->nwords; i++) free(m->words[i]);
  free(m->docs);
  free(m->words);
  td_analyzer_free(m->an);
  td_analyzer_free(m->raw);
}

static int tok_is(const mdoc *d, uint32_t p, const td_qterm *t) {
  return p < d->ntok && d->tok[p] && strlen(d->tok[p]) == t->len &&
         memcmp(d->tok[p], t->text, t->len) == 0;
}

static int in_field(const mdoc *d, uint32_t p, td_field f) {
  return f == TD_FIELD_ANY || p < d->title_len;
}

/* Does document D match Q?  The definition the engine must agree with. */
static int matches(const mdoc *d, const td_qnode *q) {
  switch (q->kind) {
    case TD_Q_TERM:
      for (uint32_t p = 0; p < d->ntok; p++)
        if (tok_is(d, p, &q->terms[0]) && in_field(d, p, q->field)) return 1;
      return 0;
    case TD_Q_PREFIX:
      for (uint32_t p = 0; p < d->ntok; p++)
        if (d->tok[p] && strncmp(d->tok[p], q->terms[0].text, q->terms[0].len) == 0 &&
            in_field(d, p, q->field))
          return 1;
      return 0;
    case TD_Q_PHRASE:
      for (uint32_t p = 0; p < d->ntok; p++) {
        size_t i = 0;
        while (i < q->nterms && tok_is(d, p + q->terms[i].offset, &q->terms[i])) i++;
        if (i == q->nterms && in_field(d, p, q->field)) return 1;
      }
      return 0;
    case TD_Q_AND:
      for (size_t i = 0; i < q->nkids; i++)
        if (!matches(d, q->kids[i])) return 0;
      return 1;
    case TD_Q_OR:
      for (size_t i = 0; i < q->nkids; i++)
        if (matches(d, q->kids[i])) return 1;
      return 0;
    case TD_Q_NOT:
      return !matches(d, q->kids[0]);
  }
  return 0;
}

static uint64_t brute_count(model *m, const char *query, td_default_op op) {
  td_qnode *q;
  td_error err;
  assert_int_equal(td_query_parse(query, strlen(query), m->an, op, &q, &err), TD_OK);
  uint64_t n = 0;
  for (size_t i = 0; i < m->n; i++) n += matches(&m->docs[i], q);
  td_query_free(q);
  return n;
}

/* ---- fixtures ----------------------------------------------------------- */

typedef struct fixture {
  char dir[64];
  char path[128];
  model m;
  td_index *ix;
  unsigned runs;            /* spilled while building */
} fixture;

typedef struct feed {
  td_builder *b;
  model *m;
  size_t limit;
} feed;

static td_status feed_article(void *ctx, const td_article *a) {
  feed *f = ctx;
  if (f->limit && f->m->n >= f->limit) return TD_OK;
  td_error err;
  model_add(f->m, a);
  return td_builder_add(f->b, a, &err);
}

/* The fixture folders this run made: a failed assertion jumps past the
** test's drop_fixture, so the group's teardown removes what is left. */
static char made[32][64];
static size_t nmade;

static void made_dir(const char *dir) {
  if (nmade < sizeof made / sizeof *made) snprintf(made[nmade++], sizeof *made, "%s", dir);
}

static int remove_made(void **state) {
  (void)state;
  for (size_t i = 0; i < nmade; i++)
    if (access(made[i], F_OK) == 0) td_test_rm_tree(made[i]);
  return 0;
}

static void no_warn(void *ctx, const char *p, long l, const char *msg) {
  (void)ctx; (void)p; (void)l; (void)msg;
}

/* Builds an index of the Reuters files FIRST..LAST with MEMORY_MB and
** THREADS analysing threads. */
static int build_reuters_mt(fixture *fx, int first, int last, size_t memory_mb, unsigned threads) {
  char base[512];
  snprintf(base, sizeof base, "%s/reuters21578/reut2-000.trec", td_test_shared_corpus());
  if (access(base, R_OK) != 0) return 0;
  strcpy(fx->dir, "/tmp/td-search-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  made_dir(fx->dir);
  snprintf(fx->path, sizeof fx->path, "%s/r.idx", fx->dir);
  memset(&fx->m, 0, sizeof fx->m);
  td_error err;
  assert_int_equal(td_analyzer_new("english", &fx->m.an, &err), TD_OK);
  assert_int_equal(td_analyzer_new("english", &fx->m.raw, &err), TD_OK);
  td_build_options opt = {"english", memory_mb, threads};
  td_builder *b;
  assert_int_equal(td_builder_new(fx->path, &opt, &b, &err), TD_OK);
  feed f = {b, &fx->m, 0};
  for (int i = first; i <= last; i++) {
    char p[512];
    snprintf(p, sizeof p, "%s/reuters21578/reut2-%03d.trec", td_test_shared_corpus(), i);
    assert_int_equal(td_corpus_read_file(p, p, feed_article, no_warn, &f, NULL, &err), TD_OK);
  }
  td_build_stats st;
  assert_int_equal(td_builder_finish(b, &st, &err), TD_OK);
  assert_int_equal(st.articles, fx->m.n);
  fx->runs = st.runs;
  assert_int_equal(td_index_open(fx->path, &fx->ix, &err), TD_OK);
  return 1;
}

/* Builds an index of the BBC articles (one .txt each, in topic folders). */
static int build_bbc(fixture *fx) {
  char root[512];
  snprintf(root, sizeof root, "%s/bbc", td_test_shared_corpus());
  if (access(root, R_OK) != 0) return 0;
  strcpy(fx->dir, "/tmp/td-search-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  made_dir(fx->dir);
  snprintf(fx->path, sizeof fx->path, "%s/b.idx", fx->dir);
  memset(&fx->m, 0, sizeof fx->m);
  td_error err;
  assert_int_equal(td_analyzer_new("english", &fx->m.an, &err), TD_OK);
  assert_int_equal(td_analyzer_new("english", &fx->m.raw, &err), TD_OK);
  td_builder *b;
  assert_int_equal(td_builder_new(fx->path, NULL, &b, &err), TD_OK);
  feed f = {b, &fx->m, 0};
  static const char *topics[] = {"business", "entertainment", "politics", "sport", "tech"};
  for (int t = 0; t < 5; t++)
    for (int i = 1; i <= 120; i++) {
      char p[600], rel[64];
      snprintf(rel, sizeof rel, "%s/%03d.txt", topics[t], i);
      snprintf(p, sizeof p, "%s/%s", root, rel);
      assert_int_equal(td_corpus_read_file(p, rel, feed_article, no_warn, &f, NULL, &err), TD_OK);
    }
  td_build_stats st;
  assert_int_equal(td_builder_finish(b, &st, &err), TD_OK);
  assert_int_equal(st.articles, 600);
  assert_int_equal(td_index_open(fx->path, &fx->ix, &err), TD_OK);
  return 1;
}

static int build_reuters(fixture *fx, int first, int last, size_t memory_mb) {
  return build_reuters_mt(fx, first, last, memory_mb, 1);
}

static void drop_fixture(fixture *fx) {
  td_index_close(fx->ix);
  model_free(&fx->m);
  td_test_rm_tree(fx->dir);
}

static const char *word(model *m, uint64_t *rng) {
  return m->words[td_test_rand(rng) % m->nwords];
}

/* A random query of one of several shapes, from real words of the text. */
static void random_query(model *m, uint64_t *rng, char *q, size_t cap) {
  size_t at = td_test_rand(rng) % (m->nwords > 3 ? m->nwords - 3 : 1);
  switch (td_test_rand(rng) % 14) {
    case 0: snprintf(q, cap, "%s", word(m, rng)); break;
    case 1: snprintf(q, cap, "%s AND %s", word(m, rng), word(m, rng)); break;
    case 2: snprintf(q, cap, "%s OR %s", word(m, rng), word(m, rng)); break;
    case 3: snprintf(q, cap, "%s NOT %s", word(m, rng), word(m, rng)); break;
    case 4: snprintf(q, cap, "\"%s %s\"", m->words[at], m->words[at + 1]); break;
    case 5: snprintf(q, cap, "\"%s %s %s\"", m->words[at], m->words[at + 1], m->words[at + 2]); break;
    case 6: snprintf(q, cap, "(%s OR %s) AND NOT %s", word(m, rng), word(m, rng), word(m, rng)); break;
    case 7: {
      const char *w = word(m, rng);
      snprintf(q, cap, "%.*s* AND %s", (int)(strlen(w) > 3 ? 3 : strlen(w)), w, word(m, rng));
      break;
    }
    case 8: snprintf(q, cap, "%s AND %s AND %s", word(m, rng), word(m, rng), word(m, rng)); break;
    case 9: snprintf(q, cap, "%s AND %s NOT %s", word(m, rng), word(m, rng), word(m, rng)); break;
    case 10:
      snprintf(q, cap, "%s %s %s NOT %s", word(m, rng), word(m, rng), word(m, rng), word(m, rng));
      break;
    case 11:
      snprintf(q, cap, "(%s OR %s) NOT \"%s %s\"", word(m, rng), word(m, rng), m->words[at],
               m->words[at + 1]);
      break;
    case 12: snprintf(q, cap, "%s AND %s NOT title:%s", word(m, rng), word(m, rng), word(m, rng)); break;
    default: snprintf(q, cap, "title:%s OR \"%s %s\"", word(m, rng), m->words[at], m->words[at + 1]); break;
  }
}

static uint64_t count(fixture *fx, const char *q, td_default_op op) {
  uint64_t n;
  td_error err;
  td_status rc = td_count(fx->ix, q, op, &n, &err);
  if (rc) fail_msg("count '%s': %s", q, err.msg);
  return n;
}

/* ---- tests -------------------------------------------------------------- */

static void test_brute_force_agreement(void **state) {
  (void)state;
  fixture fx;
  if (!build_reuters(&fx, 0, 1, 0)) skip();
  uint64_t rng = 42;
  char q[512];
  for (int i = 0; i < 400; i++) {
    random_query(&fx.m, &rng, q, sizeof q);
    td_default_op op = i % 2 ? TD_OP_OR : TD_OP_AND;
    uint64_t want = brute_count(&fx.m, q, op), got = count(&fx, q, op);
    if (want != got) fail_msg("query '%s': engine counts %llu, brute force %llu", q,
                              (unsigned long long)got, (unsigned long long)want);
    /* Every match is a hit when k covers them all, with no duplicates. */
    td_search_options so = {fx.m.n, op, 0};
    td_results r;
    td_error err;
    assert_int_equal(td_search(fx.ix, q, &so, &r, &err), TD_OK);
    assert_int_equal(r.nhits, want);
    for (size_t h = 1; h < r.nhits; h++) assert_true(r.hits[h - 1].score >= r.hits[h].score);
    td_results_free(&r);
  }
  drop_fixture(&fx);
}

/* The same agreement on BBC text: UTF-8, pound signs, long paragraphs. */
static void test_brute_force_bbc(void **state) {
  (void)state;
  fixture fx;
  if (!build_bbc(&fx)) skip();
  td_error err;
  assert_int_equal(td_index_check(fx.ix, &err), TD_OK);
  uint64_t rng = 2024;
  char q[512];
  for (int i = 0; i < 300; i++) {
    random_query(&fx.m, &rng, q, sizeof q);
    td_default_op op = i % 3 ? TD_OP_AND : TD_OP_OR;
    uint64_t want = brute_count(&fx.m, q, op), got = count(&fx, q, op);
    if (want != got) fail_msg("query '%s': engine counts %llu, brute force %llu", q,
                              (unsigned long long)got, (unsigned long long)want);
  }
  drop_fixture(&fx);
}

static void test_set_identities(void **state) {
  (void)state;
  fixture fx;
  if (!build_reuters(&fx, 0, 0, 0)) skip();
  uint64_t rng = 7;
  char q[256];
  for (int i = 0; i < 300; i++) {
    const char *a = word(&fx.m, &rng), *b = word(&fx.m, &rng);
    snprintf(q, sizeof q, "%s", a);
    uint64_t na = count(&fx, q, TD_OP_AND);
    snprintf(q, sizeof q, "%s", b);
    uint64_t nb = count(&fx, q, TD_OP_AND);
    snprintf(q, sizeof q, "%s AND %s", a, b);
    uint64_t nand = count(&fx, q, TD_OP_AND);
    snprintf(q, sizeof q, "%s OR %s", a, b);
    uint64_t nor = count(&fx, q, TD_OP_AND);
    snprintf(q, sizeof q, "%s NOT %s", a, b);
    uint64_t nnot = count(&fx, q, TD_OP_OR);
    snprintf(q, sizeof q, "\"%s %s\"", a, b);
    uint64_t nphrase = count(&fx, q, TD_OP_AND);
    assert_int_equal(nor, na + nb - nand);
    assert_int_equal(nnot, na - nand);
    assert_true(nphrase <= nand);
  }
  drop_fixture(&fx);
}

/* Top-k must return the k best of the exhaustive ranking, whatever prunes
** it: MaxScore for OR (also under NOT), block bounds for AND of terms, the
** rarest word's frequency for phrases.  Returns how many documents match. */
/* Top-K of Q equals the first K of all its hits, KEEP as --keep-stopwords. */
static size_t check_topk_keep(fixture *fx, const char *q, td_default_op op, size_t k, int keep) {
  td_search_options all = {fx->m.n, op, keep}, top = {k, op, keep};
  td_results ra, rt;
  td_error err;
  assert_int_equal(td_search(fx->ix, q, &all, &ra, &err), TD_OK);
  assert_int_equal(td_search(fx->ix, q, &top, &rt, &err), TD_OK);
  assert_int_equal(rt.nhits, ra.nhits < k ? ra.nhits : k);
  for (size_t h = 0; h < rt.nhits; h++) {
    if (!td_test_score_close(rt.hits[h].score, ra.hits[h].score))
      fail_msg("'%s' top %zu, rank %zu: %f exhaustive, %f top-k", q, k, h, ra.hits[h].score,
               rt.hits[h].score);
  }
  size_t n = ra.nhits;
  td_results_free(&ra);
  td_results_free(&rt);
  return n;
}

static size_t check_topk(fixture *fx, const char *q, td_default_op op, size_t k) {
  return check_topk_keep(fx, q, op, k, 0);
}

static void test_topk_equals_exhaustive(void **state) {
  (void)state;
  fixture fx;
  if (!build_reuters(&fx, 0, 1, 0)) skip();
  uint64_t rng = 99;
  char q[512];
  for (int i = 0; i < 200; i++) {
    snprintf(q, sizeof q, "%s %s %s", word(&fx.m, &rng), word(&fx.m, &rng), word(&fx.m, &rng));
    check_topk(&fx, q, TD_OP_OR, 10);
  }
  static const size_t ks[] = {1, 3, 10, 50};
  for (int i = 0; i < 400; i++) {
    random_query(&fx.m, &rng, q, sizeof q);
    check_topk(&fx, q, i % 2 ? TD_OP_OR : TD_OP_AND, ks[(i / 2) % 4]);
  }
  /* Phrases from titles, ranked through the rarest word's scan, with the
  ** title: restriction and without. */
  int pruned = 0;
  for (int i = 0; i < 120; i++) {
    const char *title = fx.m.titles[td_test_rand(&rng) % fx.m.n];
    char w[3][64];
    int n = sscanf(title, "%63s %63s %63s", w[0], w[1], w[2]);
    if (n < 2) continue;
    if (n == 3 && i % 2) snprintf(q, sizeof q, "%s\"%s %s %s\"", i % 4 < 2 ? "title:" : "", w[0], w[1], w[2]);
    else snprintf(q, sizeof q, "%s\"%s %s\"", i % 4 < 2 ? "title:" : "", w[0], w[1]);
    if (strchr(w[0], '"') || strchr(w[1], '"') || (n == 3 && strchr(w[2], '"'))) continue;
    size_t k = i % 3 ? 1 : 3;
    pruned += check_topk(&fx, q, TD_OP_AND, k) > k;
  }
  assert_true(pruned >= 20);  /* enough of them had more hits than asked for */
  /* Muted stopwords score 0 while their block maxima say otherwise; kept,
  ** they weigh as any word. */
  static const char *const stops[] = {"the", "of", "after", "which"};
  for (int i = 0; i < 160; i++) {
    const char *s1 = stops[td_test_rand(&rng) % 4], *s2 = stops[td_test_rand(&rng) % 4];
    snprintf(q, sizeof q, "%s %s %s", s1, word(&fx.m, &rng), i % 3 ? s2 : word(&fx.m, &rng));
    check_topk_keep(&fx, q, i % 2 ? TD_OP_OR : TD_OP_AND, ks[(i / 2) % 4], (i / 8) % 2);
  }
  drop_fixture(&fx);
}

/* An index built with a small budget (spilled runs) answers the same.  The
** library takes budgets below the command line's 16 MB, which three files
** of Reuters would not fill.  A spill waits until the chunks fill half the
** budget: when the term table, which a spill keeps, counted as well, the
** spills came ever more often as it grew, 41 here. */
static void test_spilled_build_equals_in_memory(void **state) {
  (void)state;
  fixture a, b;
  if (!build_reuters(&a, 0, 2, 0)) skip();
  assert_true(build_reuters(&b, 0, 2, 1));
  assert_true(b.runs > 2 && b.runs < 16);
  td_index_info ia, ib;
  td_index_info_get(a.ix, &ia);
  td_index_info_get(b.ix, &ib);
  assert_int_equal(ia.nterms, ib.nterms);
  assert_int_equal(ia.npostings, ib.npostings);
  uint64_t rng = 5;
  char q[512];
  for (int i = 0; i < 100; i++) {
    random_query(&a.m, &rng, q, sizeof q);
    assert_int_equal(count(&a, q, TD_OP_AND), count(&b, q, TD_OP_AND));
  }
  drop_fixture(&a);
  drop_fixture(&b);
}

/* THREADS threads, spilling within MEMORY_MB, build an index that answers
** exactly like one thread's: same terms, postings, hits and scores, same
** stored fields.  Returns the runs they spilled. */
static unsigned check_parallel_equals_serial(size_t memory_mb, unsigned threads) {
  fixture a, b;
  if (!build_reuters(&a, 0, 3, 0)) skip();
  assert_true(build_reuters_mt(&b, 0, 3, memory_mb, threads));
  td_index_info ia, ib;
  td_index_info_get(a.ix, &ia);
  td_index_info_get(b.ix, &ib);
  assert_int_equal(ia.nterms, ib.nterms);
  assert_int_equal(ia.npostings, ib.npostings);
  assert_int_equal(ia.ndocs, ib.ndocs);
  uint64_t rng = 11;
  char q[512];
  for (int i = 0; i < 150; i++) {
    random_query(&a.m, &rng, q, sizeof q);
    td_search_options so = {20, i % 2 ? TD_OP_OR : TD_OP_AND, 0};
    td_results ra, rb;
    td_error err;
    assert_int_equal(td_search(a.ix, q, &so, &ra, &err), TD_OK);
    assert_int_equal(td_search(b.ix, q, &so, &rb, &err), TD_OK);
    assert_int_equal(ra.nhits, rb.nhits);
    for (size_t h = 0; h < ra.nhits; h++) {
      assert_int_equal(ra.hits[h].docid, rb.hits[h].docid);
      assert_true(ra.hits[h].score == rb.hits[h].score);
      td_article da, db;
      assert_int_equal(td_index_doc(a.ix, ra.hits[h].docid, &da, &err), TD_OK);
      char id[256];
      snprintf(id, sizeof id, "%.*s", (int)da.id.len, da.id.ptr);
      assert_int_equal(td_index_doc(b.ix, rb.hits[h].docid, &db, &err), TD_OK);
      assert_int_equal(db.id.len, strlen(id));
      assert_memory_equal(db.id.ptr, id, db.id.len);
    }
    td_results_free(&ra);
    td_results_free(&rb);
  }
  unsigned runs = b.runs;
  drop_fixture(&a);
  drop_fixture(&b);
  return runs;
}

static void test_parallel_build_equals_serial(void **state) {
  (void)state;
  assert_true(check_parallel_equals_serial(4, 3) > 0);
}

/* The command line's smallest budget over the most lanes, 2 MB each: a
** lane spills only once its memory is full (it once spilled after every
** article, counting memory it had only reserved). */
static void test_parallel_build_small_budget(void **state) {
  (void)state;
  assert_true(check_parallel_equals_serial(16, 8) < 16);
}

/* Score of DOCID in R, or -1 when R does not hold it. */
static float score_of(const td_results *r, uint32_t docid) {
  for (size_t i = 0; i < r->nhits; i++)
    if (r->hits[i].docid == docid) return r->hits[i].score;
  return -1;
}

/* Runs Q for every match, KEEP deciding whether stopwords weigh. */
static td_results search_all(fixture *fx, const char *q, td_default_op op, int keep) {
  td_search_options so = {fx->m.n, op, keep};
  td_results r;
  td_error err;
  assert_int_equal(td_search(fx->ix, q, &so, &r, &err), TD_OK);
  return r;
}

/* Stopwords still match but weigh nothing beside other words: "after
** cocoa" ranks as "cocoa" does, the documents with only "after" trail at 0;
** alone, or with --keep-stopwords, they weigh as any word. */
static void test_stopwords_weigh_nothing(void **state) {
  (void)state;
  fixture fx;
  if (!build_reuters(&fx, 0, 0, 0)) skip();
  td_results cocoa = search_all(&fx, "cocoa", TD_OP_OR, 0);
  td_results muted = search_all(&fx, "After cocoa", TD_OP_OR, 0);
  td_results kept = search_all(&fx, "After cocoa", TD_OP_OR, 1);
  uint64_t n, after;
  td_error err;
  assert_int_equal(td_count(fx.ix, "after OR cocoa", TD_OP_AND, &n, &err), TD_OK);
  assert_int_equal(td_count(fx.ix, "after", TD_OP_AND, &after, &err), TD_OK);
  assert_int_equal(muted.nhits, n);
  assert_int_equal(kept.nhits, n);
  assert_true(cocoa.nhits > 0 && cocoa.nhits < n);
  size_t raised = 0;
  for (size_t i = 0; i < muted.nhits; i++) {
    float want = score_of(&cocoa, muted.hits[i].docid);
    if (!td_test_score_close(muted.hits[i].score, want < 0 ? 0 : want))
      fail_msg("'after OR cocoa' doc %u: %f, 'cocoa' alone %f", muted.hits[i].docid,
               muted.hits[i].score, want);
    raised += score_of(&kept, muted.hits[i].docid) > muted.hits[i].score + 1e-4f;
  }
  assert_int_equal(raised, after);
  td_results_free(&cocoa);
  td_results_free(&muted);
  td_results_free(&kept);
  /* Nothing but stopwords, nothing else outside a NOT, or in a phrase:
  ** they weigh. */
  static const char *const alone[] = {"the", "of the", "the NOT cocoa", "\"of the\""};
  for (size_t q = 0; q < sizeof alone / sizeof *alone; q++) {
    td_results r = search_all(&fx, alone[q], TD_OP_OR, 0);
    assert_true(r.nhits > 0);
    for (size_t i = 0; i < r.nhits; i++)
      if (r.hits[i].score <= 0) fail_msg("'%s': hit %zu scores %f", alone[q], i, r.hits[i].score);
    td_results_free(&r);
  }
  drop_fixture(&fx);
}

/* A second builder of an index this process is building is refused, under
** the same or another spelling of the path, and leaves the first one's
** temporary files alone (both carry our PID). */
static void test_second_builder_refused(void **state) {
  (void)state;
  char dir[64] = "/tmp/td-search-XXXXXX", path[128], other[128];
  assert_non_null(mkdtemp(dir));
  made_dir(dir);
  snprintf(path, sizeof path, "%s/b.idx", dir);
  snprintf(other, sizeof other, "%s/./b.idx", dir);
  td_error err;
  td_builder *b, *again = NULL;
  assert_int_equal(td_builder_new(path, NULL, &b, &err), TD_OK);
  td_article a = {{"d1", 2}, {"Harbour wall", 12}, {"", 0}, {"", 0}, {"", 0},
                  {"The harbour wall reopened.", 26}};
  assert_int_equal(td_builder_add(b, &a, &err), TD_OK);
  for (int i = 0; i < 2; i++) {
    assert_int_equal(td_builder_new(i ? other : path, NULL, &again, &err), TD_EINVAL);
    assert_non_null(strstr(err.msg, "already being built"));
  }
  td_build_stats st;
  assert_int_equal(td_builder_finish(b, &st, &err), TD_OK);
  td_index *ix;
  assert_int_equal(td_index_open(path, &ix, &err), TD_OK);
  uint64_t n;
  assert_int_equal(td_count(ix, "harbour", TD_OP_AND, &n, &err), TD_OK);
  assert_int_equal(n, 1);
  td_index_close(ix);
  /* Once the first is done, the path is free again. */
  assert_int_equal(td_builder_new(path, NULL, &again, &err), TD_OK);
  td_builder_abort(again);
  /* A file where the runs folder goes is in the way, not a builder. */
  char runs[160];
  snprintf(runs, sizeof runs, "%s.runs-%ld", path, (long)getpid());
  FILE *f = fopen(runs, "w");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(td_builder_new(path, NULL, &again, &err), TD_EIO);
  if (!strstr(err.msg, "cannot create") || !strstr(err.msg, runs))
    fail_msg("a file in the runs folder's place: \"%s\"", err.msg);
  td_test_rm_tree(dir);
}

static void test_known_documents(void **state) {
  (void)state;
  fixture fx;
  if (!build_reuters(&fx, 0, 0, 0)) skip();
  td_search_options so = {5, TD_OP_AND, 0};
  td_results r;
  td_error err;
  assert_int_equal(td_search(fx.ix, "\"Comissaria Smith\" temporao", &so, &r, &err), TD_OK);
  assert_true(r.nhits >= 1);
  td_article a;
  assert_int_equal(td_index_doc(fx.ix, r.hits[0].docid, &a, &err), TD_OK);
  assert_int_equal(a.id.len, strlen("reuters-1"));
  assert_memory_equal(a.id.ptr, "reuters-1", a.id.len);
  assert_memory_equal(a.title.ptr, "BAHIA COCOA REVIEW", a.title.len);
  td_results_free(&r);
  assert_int_equal(td_search(fx.ix, "title:cocoa", &so, &r, &err), TD_OK);
  assert_true(r.nhits >= 1);
  td_results_free(&r);
  drop_fixture(&fx);
}

static void flip_byte(const char *path, long off) {
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  fseek(f, off, SEEK_SET);
  int c = getc(f);
  fseek(f, off, SEEK_SET);
  putc(c ^ 0x5a, f);
  fclose(f);
}

/* A flipped byte anywhere is found by --check, and never crashes a query. */
static void test_corruption_detected(void **state) {
  (void)state;
  fixture fx;
  if (!build_reuters(&fx, 0, 0, 0)) skip();
  td_index_close(fx.ix);
  fx.ix = NULL;
  struct stat st;
  assert_int_equal(stat(fx.path, &st), 0);
  uint64_t rng = 3;
  for (int i = 0; i < 60; i++) {
    /* A third of the flips land in the first 4 KB: header, table, padding. */
    uint64_t span = i % 3 ? (uint64_t)st.st_size : 4096;
    long off = (long)(td_test_rand(&rng) % span);
    flip_byte(fx.path, off);
    td_index *ix;
    td_error err;
    td_status rc = td_index_open(fx.path, &ix, &err);
    if (rc == TD_OK) {
      if (td_index_check(ix, &err) != TD_ECORRUPT) fail_msg("flipped byte at %ld not detected", off);
      uint64_t n;
      td_count(ix, "cocoa OR coffee OR oil", TD_OP_AND, &n, &err);
      td_index_close(ix);
    } else {
      assert_int_equal(rc, TD_ECORRUPT);
    }
    flip_byte(fx.path, off);
  }
  drop_fixture(&fx);
}

static void test_missing_and_truncated(void **state) {
  (void)state;
  td_index *ix;
  td_error err;
  assert_int_equal(td_index_open("/nonexistent/x.idx", &ix, &err), TD_EIO);
  assert_non_null(strstr(err.msg, "bin/indexer"));
  fixture fx;
  if (!build_reuters(&fx, 0, 0, 0)) skip();
  struct stat st;
  stat(fx.path, &st);
  assert_int_equal(truncate(fx.path, st.st_size - 100), 0);
  assert_int_equal(td_index_open(fx.path, &ix, &err), TD_ECORRUPT);
  assert_non_null(strstr(err.msg, "rebuild"));
  drop_fixture(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_brute_force_agreement),
      cmocka_unit_test(test_brute_force_bbc),
      cmocka_unit_test(test_set_identities),
      cmocka_unit_test(test_topk_equals_exhaustive),
      cmocka_unit_test(test_spilled_build_equals_in_memory),
      cmocka_unit_test(test_parallel_build_equals_serial),
      cmocka_unit_test(test_parallel_build_small_budget),
      cmocka_unit_test(test_stopwords_weigh_nothing),
      cmocka_unit_test(test_second_builder_refused),
      cmocka_unit_test(test_known_documents),
      cmocka_unit_test(test_corruption_detected),
      cmocka_unit_test(test_missing_and_truncated),
  };
  return cmocka_run_group_tests(tests, NULL, remove_made);
}
