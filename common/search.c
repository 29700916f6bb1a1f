/*
** search.c - query evaluation: a tree of document iterators built from the
** parse tree, driven document-at-a-time, with MaxScore for ranked ORs.
**
** Every iterator stands on a document (doc, TD_END when exhausted) and can
** move to the first document >= a target; it knows an upper bound (max) of
** the score it can contribute, which is what lets top-k skip: an OR whose
** cheap lists cannot lift a document above the current k-th score is only
** probed, never walked (MaxScore, Turtle and Flood 1995).  Exclusions (NOT)
** filter documents and never add to a score.  A count of a union or an AND
** of words is taken on a bitmap of the collection instead, each list read
** once straight through (count_union, count_meet).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index_int.h"
#include "postings.h"
#include "query.h"
#include "score.h"

#define MAX_EXPANSION 1024     /* terms a prefix may stand for */
#define MAX_CURSORS 4096       /* postings lists one query may open */
#define MAX_PHRASE 64          /* words in one phrase */

typedef enum { IT_EMPTY, IT_ALL, IT_TERM, IT_PHRASE, IT_AND, IT_OR, IT_NOT } it_kind;

typedef struct it {
  it_kind kind;
  uint32_t doc;
  float max;                   /* upper bound of score() */
  uint64_t est;                /* estimated matches, to order AND kids */
  int title_only;              /* TERM, PHRASE: match inside titles only */
  /* TERM */
  td_postings post;
  float idf;                   /* 0 for a muted stopword */
  /* PHRASE: kids are TERM iterators, offs their relative positions */
  uint32_t *offs;
  uint32_t freq, tfreq;        /* matches in the current document, in its title */
  /* AND, OR, PHRASE, NOT */
  struct it **kids;
  size_t nkids;
  struct it **excl;            /* AND: documents to leave out */
  size_t nexcl;
} it;

typedef struct evalctx {
  td_index *ix;
  td_error *err;
  td_status status;            /* first damage seen while iterating */
  size_t nterms;
  it *ranked;                  /* a PHRASE root being ranked for top-k, or NULL */
  float floor;                 /* the score its next hit must beat (-1: any) */
  int mute_stopwords;          /* stopword TERMs score nothing (has_content) */
  int counting;                /* only whether documents match is asked, so a
                               ** phrase stops at its first occurrence */
} evalctx;

static inline uint32_t advance(evalctx *c, it *x, uint32_t target);
static uint32_t seek(evalctx *c, it *x, uint32_t target);

static inline float doc_norm(const td_index *ix, uint32_t d) {
  return td_norm(ix->meta.k1, ix->meta.b, ix->docs[d].len, ix->avgdl);
}

/* BM25 of TF occurrences, TTF of them in the title, weighted by IDF; a
** title: search counts the title ones only.  Terms, phrases and the bounds
** of phrases all score through it. */
static float weighted_bm25(const td_index *ix, float idf, uint32_t tf, uint32_t ttf,
                           int title_only, float norm) {
  if (title_only) tf = ttf;
  return td_bm25(idf, ix->meta.k1, td_wtf(tf, ttf, ix->meta.title_weight), norm);
}

/* X's score on its current document, whose BM25 normaliser is NORM
** (computed once per document by the caller, not once per term). */
static float score(evalctx *c, it *x, float norm) {
  switch (x->kind) {
    case IT_TERM:
      /* A muted stopword's frequencies are not worth decoding to weigh 0. */
      if (x->idf == 0) return 0;
      return weighted_bm25(c->ix, x->idf, td_postings_tf(&x->post), td_postings_ttf(&x->post),
                           x->title_only, norm);
    case IT_PHRASE:
      return weighted_bm25(c->ix, x->idf, x->freq, x->tfreq, x->title_only, norm);
    case IT_AND: {
      float s = 0;
      for (size_t i = 0; i < x->nkids; i++) s += score(c, x->kids[i], norm);
      return s;
    }
    case IT_OR: {
      float s = 0;
      for (size_t i = 0; i < x->nkids; i++)
        if (x->kids[i]->doc == x->doc) s += score(c, x->kids[i], norm);
      return s;
    }
    default:
      return 0;
  }
}

/* P, what a TERM kid's cursor gave for its current document, or NULL with
** the cursor's damage recorded in C. */
static const uint32_t *kid_checked(evalctx *c, it *k, const uint32_t *p) {
  if (!p && !c->status) c->status = k->post.status ? k->post.status : TD_ECORRUPT;
  return p;
}

/* Positions of a TERM kid's current document. */
static const uint32_t *kid_positions(evalctx *c, it *k, uint32_t *n) {
  return kid_checked(c, k, td_postings_positions(&k->post, n));
}

/* Counts the phrase's occurrences in the document its kids stand on; when
** only counting, only says whether it occurs.  The rarest kid comes first
** (build_phrase) and anchors each candidate start; a kid's positions are
** decoded only once a candidate gets as far as it. */
static int phrase_matches(evalctx *c, it *x) {
  const uint32_t *pos[MAX_PHRASE];
  uint32_t n[MAX_PHRASE], at[MAX_PHRASE];
  size_t m = x->nkids;
  if (!(pos[0] = kid_positions(c, x->kids[0], &n[0]))) return 0;
  for (size_t i = 1; i < m; i++) pos[i] = NULL;
  /* A count without title: never asks where the title ends, a cache miss
  ** on the document table per candidate of a large collection. */
  uint32_t title_len = x->title_only || !c->counting ? c->ix->docs[x->doc].title_len : 0;
  x->freq = x->tfreq = 0;
  for (uint32_t j = 0; j < n[0]; j++) {
    if (pos[0][j] < x->offs[0]) continue;
    uint32_t start = pos[0][j] - x->offs[0];
    size_t i = 1;
    for (; i < m; i++) {
      uint32_t want = start + x->offs[i];
      if (!pos[i]) {
        if (!(pos[i] = kid_positions(c, x->kids[i], &n[i]))) return 0;
        at[i] = 0;
      }
      while (at[i] < n[i] && pos[i][at[i]] < want) at[i]++;
      if (at[i] == n[i]) return x->freq > 0;
      if (pos[i][at[i]] != want) break;
    }
    if (i < m) continue;
    int in_title = start < title_len;
    if (x->title_only && !in_title) continue;
    if (c->counting) return 1;
    x->freq++;
    x->tfreq += in_title;
  }
  return x->freq > 0;
}

/* Whether the first two kids of phrase X (its two rarest words) line up
** somewhere in the document they stand on: the test a candidate passes
** before the other words are sought.  One merge that sums the positions as
** it reads them, where phrase_matches() sums each list in place first. */
static int pair_matches(evalctx *c, it *x) {
  uint32_t na, nb;
  int sa, sb;
  const uint32_t *a = kid_checked(c, x->kids[0], td_postings_gaps(&x->kids[0]->post, &na, &sa));
  if (!a) return 0;
  const uint32_t *b = kid_checked(c, x->kids[1], td_postings_gaps(&x->kids[1]->post, &nb, &sb));
  if (!b) return 0;
  /* a - offs[0] == b - offs[1] for a phrase that starts at 0 or later,
  ** without subtracting below zero; positions are sums of 32-bit gaps,
  ** so they are summed modulo 2^32 as td_prefix_sum does. */
  uint64_t oa = x->offs[0], ob = x->offs[1];
  uint32_t pa = a[0], pb = b[0];
  for (uint32_t j = 0, k = 0;;) {
    uint64_t u = pa + ob, v = pb + oa;
    if (u == v && pa >= oa) return 1;
    if (u <= v) {
      if (++j == na) return 0;
      pa = sa ? a[j] : pa + a[j];
    }
    if (u >= v) {
      if (++k == nb) return 0;
      pb = sb ? b[k] : pb + b[k];
    }
  }
}

/* Whether phrase X, its first M kids standing on document D, may score
** above C->floor there: the phrase occurs at most as often as its rarest
** word, in the title at most as often as that word's title count. */
static int phrase_may_rank(evalctx *c, it *x, size_t m, uint32_t d) {
  if (x != c->ranked || c->floor < 0) return 1;
  uint32_t tf = UINT32_MAX, ttf = UINT32_MAX;
  for (size_t i = 0; i < m; i++) {
    uint32_t a = td_postings_tf(&x->kids[i]->post), b = td_postings_ttf(&x->kids[i]->post);
    tf = a < tf ? a : tf;
    ttf = b < ttf ? b : ttf;
  }
  return weighted_bm25(c->ix, x->idf, tf, ttf, x->title_only, doc_norm(c->ix, d)) > c->floor;
}

/* Moves the rarest word of phrase X to its first document >= D; while X is
** ranked, to the first whose frequency could lift X above the floor.
** Solving idf * w * (k1 + 1) / (w + k1 * (1 - b + b * len / avgdl)) > floor
** for the length gives w * P - Q > R * len, checked without a division;
** P is raised a little so that rounding never drops a document. */
static uint32_t lead_candidate(evalctx *c, it *x, uint32_t d) {
  it *lead = x->kids[0];
  if (x != c->ranked || c->floor < 0) return advance(c, lead, d);
  const td_meta *m = &c->ix->meta;
  float f = c->floor;
  td_freq_bound b = {c->ix->docs, (x->idf * (m->k1 + 1.0f) - f) * (1.0f + 1e-5f),
                     f * m->k1 * (1.0f - m->b), f * m->k1 * m->b / c->ix->avgdl,
                     m->title_weight, x->title_only};
  return lead->doc = td_postings_seek_passing(&lead->post, d, &b);
}

/* Moves the first N kids of an AND-like node to a common document >= D. */
static uint32_t align_kids(evalctx *c, it *x, uint32_t d, size_t n) {
  size_t i = 0, agreed = 0;
  while (agreed < n) {
    it *k = x->kids[i];
    uint32_t kd = advance(c, k, d);
    if (kd == TD_END) return TD_END;
    if (kd > d) {
      d = kd;
      agreed = 1;
    } else {
      agreed++;
    }
    if (++i == n) i = 0;
  }
  return d;
}

static int excluded(evalctx *c, it *x, uint32_t d) {
  for (size_t i = 0; i < x->nexcl; i++)
    if (advance(c, x->excl[i], d) == d) return 1;
  return 0;
}

/* Moves X to its first document >= TARGET, whatever it stands on now. */
static uint32_t seek(evalctx *c, it *x, uint32_t target) {
  switch (x->kind) {
    case IT_EMPTY:
      return x->doc = TD_END;
    case IT_ALL:
      return x->doc = target < c->ix->meta.ndocs ? target : TD_END;
    case IT_TERM:
      for (;;) {
        uint32_t d = td_postings_seek(&x->post, target);
        if (d == TD_END || !x->title_only || td_postings_ttf(&x->post) > 0) return x->doc = d;
        target = d + 1;
      }
    case IT_PHRASE:
      /* The rarest word leads; while ranking, a document its frequency
      ** cannot bring above the K-th score is left at once.  The two rarest
      ** words are aligned and matched first: the others, often common
      ** words, are sought only where those two line up. */
      for (uint32_t d = target;; d++) {
        size_t m = x->nkids > 2 ? 2 : x->nkids;
        if ((d = lead_candidate(c, x, d)) == TD_END) return x->doc = TD_END;
        /* The second word is sought only for the lead's candidates; where
        ** it lands further on, the lead's next candidate from there. */
        uint32_t e = x->nkids > 1 ? advance(c, x->kids[1], d) : d;
        if (e == TD_END) return x->doc = TD_END;
        if (e != d) {
          d = e - 1;
          continue;
        }
        x->doc = d;
        if (!phrase_may_rank(c, x, m, d)) continue;
        if (x->nkids > 1 && !pair_matches(c, x)) {
          if (c->status) return x->doc = TD_END;
          continue;
        }
        if (m < x->nkids) {
          if ((e = align_kids(c, x, d, x->nkids)) == TD_END) return x->doc = TD_END;
          if (e != d) {
            d = e - 1;
            continue;
          }
        }
        if (phrase_matches(c, x)) return d;
        if (c->status) return x->doc = TD_END;
      }
    case IT_AND:
      for (uint32_t d = target;; d++) {
        if ((d = align_kids(c, x, d, x->nkids)) == TD_END) return x->doc = TD_END;
        if (!excluded(c, x, d)) return x->doc = d;
      }
    case IT_OR: {
      uint32_t m = TD_END;
      for (size_t i = 0; i < x->nkids; i++) {
        uint32_t kd = advance(c, x->kids[i], target);
        if (kd < m) m = kd;
      }
      return x->doc = m;
    }
    case IT_NOT:
      /* The first document >= TARGET that the kid does not match. */
      for (uint32_t d = target; d < c->ix->meta.ndocs; d++)
        if (advance(c, x->kids[0], d) != d) return x->doc = d;
      return x->doc = TD_END;
  }
  return x->doc = TD_END;
}

/* Moves X forward to its first document >= TARGET; never backwards. */
static inline uint32_t advance(evalctx *c, it *x, uint32_t target) {
  if (x->doc == TD_END || x->doc >= target) return x->doc;
  /* Plain words are most steps of every evaluation: straight to the cursor,
  ** whose next document is cheaper to step to than to seek. */
  if (x->kind == IT_TERM && !x->title_only)
    return x->doc = target == x->doc + 1 ? td_postings_next(&x->post)
                                         : td_postings_seek(&x->post, target);
  return seek(c, x, target);
}

/* ---- building the iterator tree --------------------------------------- */

static void free_it(it *x) {
  if (!x) return;
  for (size_t i = 0; i < x->nkids; i++) free_it(x->kids[i]);
  for (size_t i = 0; i < x->nexcl; i++) free_it(x->excl[i]);
  if (x->kind == IT_TERM) td_postings_close(&x->post);
  free(x->kids);
  free(x->excl);
  free(x->offs);
  free(x);
}

static it *new_it(it_kind kind) {
  it *x = calloc(1, sizeof *x);
  if (x) x->kind = kind;
  return x;
}

static td_status add_kid(it ***arr, size_t *n, it *k) {
  it **a = realloc(*arr, (*n + 1) * sizeof *a);
  if (!a) {
    free_it(k);
    return TD_ENOMEM;
  }
  a[(*n)++] = k;
  *arr = a;
  return TD_OK;
}

static td_status term_it(evalctx *c, const td_terminfo *ti, int title_only, it **out) {
  if (++c->nterms > MAX_CURSORS)
    return td_fail(c->err, TD_ELIMIT, "the query reads more than %d term lists (prefixes "
                   "expand to every matching term); use fewer or longer prefixes", MAX_CURSORS);
  it *x = new_it(IT_TERM);
  if (!x) return TD_ENOMEM;
  td_region ps = c->ix->sec[TD_SEC_POSTINGS];
  td_status rc = td_postings_open(&x->post, ps.p, ps.len, ti, c->ix->meta.ndocs,
                                  c->ix->pverified, c->err);
  if (rc) {
    free(x);
    return rc;
  }
  x->title_only = title_only;
  x->idf = td_idf(c->ix->meta.ndocs, ti->df);
  x->max = ti->max_score;
  x->est = ti->df;
  if (title_only) x->max = x->idf * (c->ix->meta.k1 + 1.0f);
  *out = x;
  return TD_OK;
}

static td_status lookup(evalctx *c, const td_qterm *t, td_terminfo *ti, int *found) {
  return td_lexicon_find(&c->ix->lex, t->text, t->len, ti, found, c->err);
}

typedef struct expand_ctx {
  evalctx *c;
  it *or;
  int title_only;
  td_status rc;
} expand_ctx;

static int expand_one(void *ctx, const char *term, size_t len, const td_terminfo *ti) {
  (void)term;
  (void)len;
  expand_ctx *e = ctx;
  if (e->or->nkids >= MAX_EXPANSION) return 1;
  it *k;
  if ((e->rc = term_it(e->c, ti, e->title_only, &k))) return 1;
  if ((e->rc = add_kid(&e->or->kids, &e->or->nkids, k))) return 1;
  /* The sum of the kids' maxima bounds the OR (the largest alone would be
  ** too optimistic when several expansions occur in one document). */
  e->or->max += k->max;
  e->or->est += k->est;
  return 0;
}

static td_status build(evalctx *c, const td_qnode *q, it **out);

static td_status build_prefix(evalctx *c, const td_qnode *q, it **out) {
  it *x = new_it(IT_OR);
  if (!x) return TD_ENOMEM;
  expand_ctx e = {c, x, q->field == TD_FIELD_TITLE, TD_OK};
  td_status rc = td_lexicon_prefix(&c->ix->lex, q->terms[0].text, q->terms[0].len,
                                   expand_one, &e, c->err);
  if (rc == TD_ELIMIT && !e.rc)
    rc = td_fail(c->err, TD_ELIMIT, "prefix '%s*' at column %d matches more than %d terms; "
                 "make it longer", q->terms[0].text, q->column, MAX_EXPANSION);
  else if (e.rc)
    rc = e.rc;
  if (rc) {
    free_it(x);
    return rc;
  }
  *out = x;
  return TD_OK;
}

static td_status build_phrase(evalctx *c, const td_qnode *q, it **out) {
  if (q->nterms > MAX_PHRASE)
    return td_fail(c->err, TD_ELIMIT,
                   "phrase at column %d has more than %d words: split it into shorter phrases "
                   "joined by AND, or drop the quotes", q->column, MAX_PHRASE);
  it *x = new_it(IT_PHRASE);
  if (!x || !(x->offs = malloc(q->nterms * sizeof *x->offs))) {
    free(x);
    return TD_ENOMEM;
  }
  x->title_only = q->field == TD_FIELD_TITLE;
  float idf = 0;
  for (size_t i = 0; i < q->nterms; i++) {
    td_terminfo ti;
    int found;
    td_status rc = lookup(c, &q->terms[i], &ti, &found);
    if (rc) {
      free_it(x);
      return rc;
    }
    if (!found) {
      free_it(x);
      *out = new_it(IT_EMPTY);
      return *out ? TD_OK : TD_ENOMEM;
    }
    it *k;
    if ((rc = term_it(c, &ti, 0, &k)) || (rc = add_kid(&x->kids, &x->nkids, k))) {
      free_it(x);
      return rc;
    }
    x->offs[i] = q->terms[i].offset;
    idf += k->idf;
  }
  x->idf = idf;
  x->max = idf * (c->ix->meta.k1 + 1.0f);
  /* Rarest first, each kid keeping its offset: the rarest leads the
  ** leapfrog and anchors the position check. */
  for (size_t i = 1; i < x->nkids; i++)
    for (size_t j = i; j > 0 && x->kids[j]->est < x->kids[j - 1]->est; j--) {
      it *k = x->kids[j];
      uint32_t o = x->offs[j];
      x->kids[j] = x->kids[j - 1];
      x->offs[j] = x->offs[j - 1];
      x->kids[j - 1] = k;
      x->offs[j - 1] = o;
    }
  x->est = x->kids[0]->est;
  *out = x;
  return TD_OK;
}

static int by_est(const void *a, const void *b) {
  uint64_t x = (*(it *const *)a)->est, y = (*(it *const *)b)->est;
  return (x > y) - (x < y);
}

static td_status build_bool(evalctx *c, const td_qnode *q, it **out) {
  it *x = new_it(q->kind == TD_Q_AND ? IT_AND : IT_OR);
  if (!x) return TD_ENOMEM;
  for (size_t i = 0; i < q->nkids; i++) {
    const td_qnode *kq = q->kids[i];
    int exclude = x->kind == IT_AND && kq->kind == TD_Q_NOT;
    it *k;
    td_status rc = build(c, exclude ? kq->kids[0] : kq, &k);
    if (!rc) rc = exclude ? add_kid(&x->excl, &x->nexcl, k) : add_kid(&x->kids, &x->nkids, k);
    if (rc) {
      free_it(x);
      return rc;
    }
    if (x->kind == IT_AND) x->max += k->max * !exclude;
    else x->max += k->max;
  }
  /* The rarest kid leads the leapfrog: every other kid only seeks to its
  ** candidates. */
  if (x->kind == IT_AND && x->nkids > 1) qsort(x->kids, x->nkids, sizeof *x->kids, by_est);
  x->est = x->kind == IT_AND ? UINT64_MAX : 0;
  for (size_t i = 0; i < x->nkids; i++) {
    uint64_t e = x->kids[i]->est;
    if (x->kind == IT_AND) x->est = e < x->est ? e : x->est;
    else x->est = x->est + e < x->est ? UINT64_MAX : x->est + e;
  }
  if (x->kind == IT_AND && x->nkids == 0) {
    it *all = new_it(IT_ALL);
    if (!all || add_kid(&x->kids, &x->nkids, all)) {
      free_it(x);
      return TD_ENOMEM;
    }
    all->est = c->ix->meta.ndocs;
    x->est = all->est;
  }
  *out = x;
  return TD_OK;
}

static td_status build(evalctx *c, const td_qnode *q, it **out) {
  td_terminfo ti;
  int found;
  td_status rc;
  switch (q->kind) {
    case TD_Q_TERM:
      if ((rc = lookup(c, &q->terms[0], &ti, &found))) return rc;
      if (!found) {
        *out = new_it(IT_EMPTY);
        return *out ? TD_OK : TD_ENOMEM;
      }
      if ((rc = term_it(c, &ti, q->field == TD_FIELD_TITLE, out))) return rc;
      if (q->stopword && c->mute_stopwords) (*out)->idf = (*out)->max = 0;
      return TD_OK;
    case TD_Q_PREFIX:
      return build_prefix(c, q, out);
    case TD_Q_PHRASE:
      return build_phrase(c, q, out);
    case TD_Q_AND:
    case TD_Q_OR:
      return build_bool(c, q, out);
    case TD_Q_NOT: {
      it *x = new_it(IT_NOT), *k;
      if (!x) return TD_ENOMEM;
      x->est = c->ix->meta.ndocs;
      if ((rc = build(c, q->kids[0], &k)) || (rc = add_kid(&x->kids, &x->nkids, k))) {
        free_it(x);
        return rc;
      }
      *out = x;
      return TD_OK;
    }
  }
  return TD_EINVAL;
}

/* Whether X is a phrase that count_phrase() counts: two or more words,
** not restricted to titles (title:). */
static int plain_phrase(const it *x) {
  return x->kind == IT_PHRASE && !x->title_only && x->nkids > 1;
}

/* Positions every iterator of the tree on its first document; when
** counting, a plain phrase at the root only its words' cursors, since
** count_phrase() reads them from their first documents. */
static void start(evalctx *c, it *x, int root) {
  for (size_t i = 0; i < x->nkids; i++) start(c, x->kids[i], 0);
  for (size_t i = 0; i < x->nexcl; i++) start(c, x->excl[i], 0);
  if (root && c->counting && plain_phrase(x)) return;
  x->doc = seek(c, x, 0);
}

/* The first damage any TERM cursor ran into, if any. */
static td_status tree_status(const it *x) {
  if (x->kind == IT_TERM && x->post.status) return x->post.status;
  for (size_t i = 0; i < x->nkids; i++) {
    td_status rc = tree_status(x->kids[i]);
    if (rc) return rc;
  }
  for (size_t i = 0; i < x->nexcl; i++) {
    td_status rc = tree_status(x->excl[i]);
    if (rc) return rc;
  }
  return TD_OK;
}

/* ---- top-k -------------------------------------------------------------- */

typedef struct topk {
  td_hit *h;                   /* min-heap on (score, -docid) */
  size_t n, k;
} topk;

static int worse(const td_hit *a, const td_hit *b) {
  return a->score < b->score || (a->score == b->score && a->docid > b->docid);
}

static void heap_down(topk *t, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, m = i;
    if (l < t->n && worse(&t->h[l], &t->h[m])) m = l;
    if (l + 1 < t->n && worse(&t->h[l + 1], &t->h[m])) m = l + 1;
    if (m == i) return;
    td_hit tmp = t->h[i];
    t->h[i] = t->h[m];
    t->h[m] = tmp;
    i = m;
  }
}

static void topk_push(topk *t, uint32_t doc, float s) {
  td_hit e = {doc, s};
  if (t->n < t->k) {
    size_t i = t->n++;
    t->h[i] = e;
    while (i && worse(&t->h[i], &t->h[(i - 1) / 2])) {
      td_hit tmp = t->h[i];
      t->h[i] = t->h[(i - 1) / 2];
      t->h[(i - 1) / 2] = tmp;
      i = (i - 1) / 2;
    }
  } else if (worse(&t->h[0], &e)) {
    t->h[0] = e;
    heap_down(t, 0);
  }
}

/* The score a new document must beat, or -1 while the heap is not full. */
static inline float threshold(const topk *t) { return t->n < t->k ? -1.0f : t->h[0].score; }

/* An upper bound of X's score on every document from D up to *LIMIT
** (exclusive), which it lowers to where a term's block ends: block-max
** bounds are much tighter than whole-list ones (Ding and Suel 2011). */
static float block_bound(const it *x, uint32_t d, uint32_t *limit) {
  switch (x->kind) {
    case IT_TERM: {
      uint32_t last;
      float bmax;
      /* The stored block maxima are a muted stopword's unmuted scores. */
      if (x->title_only || x->idf == 0 || !td_postings_block_bound(&x->post, d, &last, &bmax))
        return x->max;
      if (last + 1 < *limit) *limit = last + 1;
      return bmax;
    }
    case IT_AND:
    case IT_OR: {
      float s = 0;
      for (size_t i = 0; i < x->nkids; i++) s += block_bound(x->kids[i], d, limit);
      return s;
    }
    default:
      return x->max;
  }
}

/* Every match in document order; once K hits are held, stretches of
** documents whose block bounds cannot beat the K-th score are jumped. */
static void exhaustive(evalctx *c, it *root, topk *t) {
  uint32_t d = root->doc;
  /* A phrase has no block bounds, but a bound per candidate document. */
  if (root->kind == IT_PHRASE) c->ranked = root;
  c->floor = threshold(t);
  while (d != TD_END && !c->status) {
    if (t->n == t->k) {
      /* Walk the skip data, not the postings, to the next stretch that
      ** could hold a better document. */
      uint32_t target = d;
      for (;;) {
        uint32_t limit = TD_END;
        if (block_bound(root, target, &limit) > threshold(t)) break;
        target = limit;
        if (target == TD_END) break;
      }
      if (target != d) {
        d = target == TD_END ? TD_END : advance(c, root, target);
        continue;
      }
    }
    topk_push(t, d, score(c, root, doc_norm(c->ix, d)));
    c->floor = threshold(t);
    d = advance(c, root, d + 1);
  }
}

/* Whether X is an AND of two or more plain terms, none of them title:
** (exclusions aside). */
static int terms_only_and(const it *x) {
  if (x->kind != IT_AND || x->nkids < 2) return 0;
  for (size_t i = 0; i < x->nkids; i++)
    if (x->kids[i]->kind != IT_TERM || x->kids[i]->title_only) return 0;
  return 1;
}

/* Top-k of an AND of terms, rarest first.  Each candidate of the rarest
** term is scored on that term alone plus the block bounds of the others,
** read from their skip data: a candidate that cannot beat the K-th score
** is passed over before the other lists decode a block for it. */
static void ranked_and(evalctx *c, it *root, topk *t) {
  it *lead = root->kids[0];
  uint32_t d = root->doc;
  while (d != TD_END && !c->status) {
    topk_push(t, d, score(c, root, doc_norm(c->ix, d)));
    d = advance(c, lead, d + 1);
    while (d != TD_END && !c->status) {
      if (t->n == t->k) {
        float bound = score(c, lead, doc_norm(c->ix, d));
        for (size_t i = 1; i < root->nkids; i++) {
          uint32_t limit = TD_END;
          bound += block_bound(root->kids[i], d, &limit);
        }
        if (bound <= threshold(t)) {
          d = advance(c, lead, d + 1);
          continue;
        }
      }
      uint32_t e = d;
      for (size_t i = 1; i < root->nkids && e == d; i++) e = advance(c, root->kids[i], d);
      if (e == TD_END) d = TD_END;
      else if (e != d) d = advance(c, lead, e);
      else if (excluded(c, root, d)) d = advance(c, lead, d + 1);
      else break;
    }
    root->doc = d;
  }
}

static int by_max(const void *a, const void *b) {
  float x = (*(it *const *)a)->max, y = (*(it *const *)b)->max;
  return (x > y) - (x < y);
}

/* MaxScore over the kids of an OR: kids sorted by bound; those whose summed
** bounds cannot beat the threshold are only probed for documents the others
** found.  EXCL (may be NULL) is an AND over ROOT alone whose exclusions a
** document must also pass, checked only for one good enough to keep. */
static td_status maxscore(evalctx *c, it *root, it *excl, topk *t) {
  size_t n = root->nkids;
  it **k = malloc(n * sizeof *k);
  float *ub = malloc(n * sizeof *ub);
  if (!k || !ub) {
    free(k);
    free(ub);
    return TD_ENOMEM;
  }
  memcpy(k, root->kids, n * sizeof *k);
  qsort(k, n, sizeof *k, by_max);
  float acc = 0;
  for (size_t i = 0; i < n; i++) ub[i] = acc += k[i]->max;
  size_t first = 0;
  while (!c->status) {
    float th = threshold(t);
    while (first < n && ub[first] <= th) first++;
    if (first == n) break;
    uint32_t d = TD_END;
    for (size_t i = first; i < n; i++)
      if (k[i]->doc < d) d = k[i]->doc;
    if (d == TD_END) break;
    float s = 0, norm = doc_norm(c->ix, d);
    for (size_t i = first; i < n; i++)
      if (k[i]->doc == d) {
        s += score(c, k[i], norm);
        advance(c, k[i], d + 1);
      }
    for (size_t i = first; i-- > 0;) {
      if (s + ub[i] <= th) break;
      if (advance(c, k[i], d) == d) s += score(c, k[i], norm);
    }
    if (s > th && !(excl && excluded(c, excl, d))) topk_push(t, d, s);
  }
  free(k);
  free(ub);
  return TD_OK;
}

static int by_rank(const void *a, const void *b) {
  const td_hit *x = a, *y = b;
  if (x->score != y->score) return x->score < y->score ? 1 : -1;
  return (x->docid > y->docid) - (x->docid < y->docid);
}

/* Whether Q has a scoring part that is not a stopword: a word, a prefix or
** a phrase outside NOT.  Only then are stopwords muted, so that a query of
** nothing but stopwords ("the who") still ranks by them. */
static int has_content(const td_qnode *q) {
  switch (q->kind) {
    case TD_Q_TERM:
      return !q->stopword;
    case TD_Q_PREFIX:
    case TD_Q_PHRASE:
      return 1;
    case TD_Q_AND:
    case TD_Q_OR:
      for (size_t i = 0; i < q->nkids; i++)
        if (has_content(q->kids[i])) return 1;
      return 0;
    case TD_Q_NOT:
      return 0;
  }
  return 0;
}

/* Parses QUERY and builds its iterators on their first documents.  With
** MUTE, stopwords weigh nothing when the query has other words to rank by;
** with COUNTING, matches are only counted (evalctx.counting), also while
** the iterators find their first documents.
** Damage reported deep down (a lexicon block, a postings block) gets the
** index's name and what to do in front of it. */
static td_status prepare(td_index *ix, const char *query, td_default_op op, int mute,
                         int counting, evalctx *c, it **root, td_error *err) {
  memset(c, 0, sizeof *c);
  c->ix = ix;
  c->err = err;
  c->counting = counting;
  td_qnode *q;
  td_status rc = td_query_parse(query, strlen(query), ix->an, op, &q, err);
  if (rc) return rc;
  c->mute_stopwords = mute && has_content(q);
  rc = build(c, q, root);
  td_query_free(q);
  if (rc == TD_ENOMEM) return td_fail(err, rc, "out of memory evaluating the query");
  if (rc) return td_index_damage(ix, rc, err);
  start(c, *root, 1);
  return TD_OK;
}

static td_status finish(evalctx *c, it *root, td_error *err) {
  td_status rc = c->status ? c->status : tree_status(root);
  free_it(root);
  return td_index_damage(c->ix, rc, err);
}

td_status td_search(td_index *ix, const char *query, const td_search_options *opt,
                    td_results *res, td_error *err) {
  memset(res, 0, sizeof *res);
  size_t k = opt && opt->k ? opt->k : 10;
  evalctx c;
  it *root;
  td_status rc = prepare(ix, query, opt ? opt->op : TD_OP_AND, !(opt && opt->keep_stopwords), 0,
                         &c, &root, err);
  if (rc) return rc;
  if (k > ix->meta.ndocs) k = ix->meta.ndocs ? ix->meta.ndocs : 1;
  topk t = {malloc(k * sizeof(td_hit)), 0, k};
  if (!t.h) {
    free_it(root);
    return td_fail(err, TD_ENOMEM, "out of memory for %zu hits", k);
  }
  /* "(a OR b) NOT c" ranks as "a OR b" does, less the excluded. */
  it *ranked = root, *excl = NULL;
  if (root->kind == IT_AND && root->nkids == 1 && root->nexcl && root->kids[0]->kind == IT_OR) {
    ranked = root->kids[0];
    excl = root;
  }
  if (ranked->kind == IT_OR && ranked->nkids > 1) rc = maxscore(&c, ranked, excl, &t);
  else if (terms_only_and(root)) ranked_and(&c, root, &t);
  else exhaustive(&c, root, &t);
  if (!rc) rc = finish(&c, root, err);
  else free_it(root);
  if (rc) {
    free(t.h);
    return rc;
  }
  qsort(t.h, t.n, sizeof *t.h, by_rank);
  res->hits = t.h;
  res->nhits = t.n;
  return TD_OK;
}

void td_results_free(td_results *res) {
  free(res->hits);
  res->hits = NULL;
  res->nhits = 0;
}

/* The matches of an AND of plain terms (rarest first), counted straight on
** the postings cursors: the rarest proposes, the others confirm or push it
** on, without the iterator tree's dispatch per step. */
static uint64_t count_and(evalctx *c, it *root) {
  td_postings *lead = &root->kids[0]->post;
  uint64_t n = 0;
  uint32_t d = root->doc;
  while (d != TD_END) {
    uint32_t e = d;
    for (size_t i = 1; i < root->nkids && e == d; i++) e = td_postings_seek(&root->kids[i]->post, d);
    if (e == TD_END) break;
    if (e != d) {
      d = td_postings_seek(lead, e);
      continue;
    }
    n += !excluded(c, root, d);
    d = td_postings_next(lead);
  }
  return n;
}

/* Whether X's documents can be marked in a bitmap list by list: a plain
** term, a word the index does not have, or an OR of such. */
static int markable(const it *x) {
  if (x->kind == IT_EMPTY) return 1;  /* a word not in the index marks nothing */
  if (x->kind == IT_TERM) return !x->title_only;
  if (x->kind != IT_OR) return 0;
  for (size_t i = 0; i < x->nkids; i++)
    if (!markable(x->kids[i])) return 0;
  return 1;
}

static uint64_t postings_under(const it *x) {
  uint64_t n = x->kind == IT_TERM ? x->post.df : 0;
  for (size_t i = 0; i < x->nkids; i++) n += postings_under(x->kids[i]);
  return n;
}

static void mark(evalctx *c, it *x, uint64_t *bits) {
  if (x->kind == IT_TERM) {
    if (!td_postings_mark(&x->post, bits, 1) && !c->status) c->status = x->post.status;
    return;
  }
  for (size_t i = 0; i < x->nkids; i++) mark(c, x->kids[i], bits);
}

/* The documents set in BITS (of WORDS words) less ROOT's exclusions, which
** are cleared from BITS. */
static uint64_t count_bits(evalctx *c, it *root, uint64_t *bits, uint64_t words) {
  for (size_t i = 0; i < root->nexcl; i++) {
    it *x = root->excl[i];
    if (x->kind == IT_TERM && !x->title_only) {
      if (!td_postings_mark(&x->post, bits, 0) && !c->status) c->status = x->post.status;
      continue;
    }
    for (uint32_t d = x->doc; d != TD_END && !c->status; d = advance(c, x, d + 1))
      bits[d / 64] &= ~(1ull << (d % 64));
  }
  uint64_t n = 0;
  for (uint64_t w = 0; w < words; w++) n += (uint64_t)__builtin_popcountll(bits[w]);
  return n;
}

/* Counts the documents of a union of terms (ROOT, or ROOT's only kid less
** its exclusions) in a bitmap of the collection: each list is read once,
** block by block, where an iterator would ask every list for its next
** document at every step.  Worth it once the lists hold about a posting
** for each word of the bitmap.  Returns whether it counted, into *N. */
static int count_union(evalctx *c, it *root, uint64_t *n) {
  it *u = root->kind == IT_AND && root->nkids == 1 ? root->kids[0] : root;
  uint64_t words = (c->ix->meta.ndocs + 63) / 64;
  if (!markable(u) || postings_under(u) < words) return 0;
  uint64_t *bits = calloc(words ? words : 1, sizeof *bits);
  if (!bits) return 0;  /* the iterators count it instead */
  mark(c, u, bits);
  *n = count_bits(c, root, bits, words);
  free(bits);
  return 1;
}

/* Counts an AND of plain terms (rarest first) by marking the rarest list
** in a bitmap and reading each other list once against it, where the
** iterators would leapfrog, seeking one document at a time.  Measured on
** the benchmark's AND sets this is faster unless the rarest list is short
** beside the bitmap (under a posting per four words) or the next list is
** over 32 times longer.  Returns whether it counted, into *N. */
static int count_meet(evalctx *c, it *root, uint64_t *n) {
  uint64_t words = (c->ix->meta.ndocs + 63) / 64, lead = root->kids[0]->post.df;
  if (lead * 4 < words || root->kids[1]->post.df / 32 > lead) return 0;
  /* Both bitmaps are taken before any list is read, so that running out
  ** of memory leaves the iterators to count instead. */
  int two = root->nkids > 2 || root->nexcl;
  uint64_t *bits = calloc(words ? words : 1, sizeof *bits);
  uint64_t *next = two ? calloc(words ? words : 1, sizeof *next) : NULL;
  if (!bits || (two && !next)) {
    free(bits);
    free(next);
    return 0;
  }
  mark(c, root->kids[0], bits);
  for (size_t i = 1; i < root->nkids; i++) {
    td_postings *p = &root->kids[i]->post;
    if (i + 1 == root->nkids && !root->nexcl) {
      *n = td_postings_meet(p, bits, NULL);
      break;
    }
    memset(next, 0, words * sizeof *next);
    td_postings_meet(p, bits, next);
    uint64_t *t = bits;
    bits = next;
    next = t;
  }
  if (root->nexcl) *n = count_bits(c, root, bits, words);
  free(bits);
  free(next);
  return 1;
}

/* Counts the documents of plain phrase X on its words' cursors, which
** stand on their first documents (start): the two rarest leapfrog as
** count_and does and their positions are checked where they meet, without
** going through seek()'s dispatch at every step. */
static uint64_t count_phrase(evalctx *c, it *x) {
  td_postings *lead = &x->kids[0]->post, *second = &x->kids[1]->post;
  uint64_t n = 0;
  uint32_t d = x->kids[0]->doc;
  while (d != TD_END && !c->status) {
    uint32_t e = td_postings_seek(second, d);
    if (e == TD_END) break;
    if (e != d) {
      d = td_postings_seek(lead, e);
      continue;
    }
    if (pair_matches(c, x)) {
      /* The other words are sought only where the two rarest line up. */
      for (size_t i = 2; i < x->nkids && e == d; i++) e = td_postings_seek(&x->kids[i]->post, d);
      if (e == TD_END) break;
      if (e != d) {
        d = td_postings_seek(lead, e);
        continue;
      }
      n += x->nkids == 2 || phrase_matches(c, x);
    }
    d = td_postings_next(lead);
  }
  x->doc = TD_END;
  return n;
}

static uint64_t count_matches(evalctx *c, it *root) {
  uint64_t n = 0;
  if (root->kind == IT_TERM && !root->title_only)
    return root->post.df;  /* the lexicon's count, whose block was checked */
  if (count_union(c, root, &n)) return n;
  if (terms_only_and(root)) return count_meet(c, root, &n) ? n : count_and(c, root);
  if (plain_phrase(root)) return count_phrase(c, root);
  for (uint32_t d = root->doc; d != TD_END && !c->status; d = advance(c, root, d + 1)) n++;
  return n;
}

td_status td_count(td_index *ix, const char *query, td_default_op op, uint64_t *count,
                   td_error *err) {
  evalctx c;
  it *root;
  *count = 0;
  td_status rc = prepare(ix, query, op, 0, 1, &c, &root, err);
  if (rc) return rc;
  uint64_t n = count_matches(&c, root);
  rc = finish(&c, root, err);
  if (!rc) *count = n;
  return rc;
}
