/*
** lexicon.c - front-coded term dictionary (format.h: LEXICON, LEXIDX).
*/
#include "lexicon.h"

#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

#include "codec.h"
#include "format.h"

struct td_lexwriter {
  td_buf data;            /* LEXICON so far */
  td_buf idx;             /* LEXIDX so far */
  td_buf block;           /* the block being filled, without its count */
  size_t nterms;          /* terms in BLOCK */
  char prev[256];         /* previous term of the block (terms are short) */
  size_t prev_len;
  uint64_t prev_off;
};

/* A score bound in 16 bits: the top half of the float, rounded up, so that
** it stays a bound (scores are never negative). */
static uint16_t bound16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  uint32_t hi = u >> 16;
  if ((u & 0xFFFF) && hi < 0x7F80) hi++;
  return (uint16_t)hi;
}

static float unbound16(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

td_status td_lexwriter_new(td_lexwriter **out) {
  *out = calloc(1, sizeof **out);
  return *out ? TD_OK : TD_ENOMEM;
}

/* Writes the current block with its count in front, and its index entry. */
static td_status flush_block(td_lexwriter *w) {
  if (w->nterms == 0) return TD_OK;
  uint8_t head[TD_VARINT_MAX];
  size_t hn = td_varint_put(head, w->nterms);
  uint32_t crc = libdeflate_crc32(0, head, hn);
  crc = libdeflate_crc32(crc, w->block.data, w->block.len);
  td_lexblk e = {w->data.len, (uint32_t)(hn + w->block.len), crc};
  if (td_buf_append(&w->data, head, hn) || td_buf_append(&w->data, w->block.data, w->block.len) ||
      td_buf_append(&w->idx, &e, sizeof e))
    return TD_ENOMEM;
  w->block.len = 0;
  w->nterms = 0;
  w->prev_len = 0;
  w->prev_off = 0;
  return TD_OK;
}

td_status td_lexwriter_add(td_lexwriter *w, const char *term, size_t len,
                           const td_terminfo *ti) {
  if (len >= sizeof w->prev) return TD_EINVAL;
  size_t shared = 0;
  while (shared < len && shared < w->prev_len && term[shared] == w->prev[shared]) shared++;
  uint64_t off = w->nterms ? ti->postings - w->prev_off : ti->postings;
  if (td_buf_put_varint(&w->block, shared) || td_buf_put_varint(&w->block, len - shared) ||
      td_buf_append(&w->block, term + shared, len - shared) ||
      td_buf_put_varint(&w->block, ti->df) || td_buf_put_varint(&w->block, off) ||
      td_buf_append(&w->block, (uint16_t[]){bound16(ti->max_score)}, 2))
    return TD_ENOMEM;
  memcpy(w->prev, term, len);
  w->prev_len = len;
  w->prev_off = ti->postings;
  if (++w->nterms == TD_LEX_BLOCK_TERMS) return flush_block(w);
  return TD_OK;
}

td_status td_lexwriter_finish(td_lexwriter *w, td_buf *lexicon, td_buf *lexidx) {
  td_status rc = flush_block(w);
  if (rc) return rc;
  *lexicon = w->data;
  *lexidx = w->idx;
  memset(&w->data, 0, sizeof w->data);
  memset(&w->idx, 0, sizeof w->idx);
  return TD_OK;
}

void td_lexwriter_free(td_lexwriter *w) {
  if (!w) return;
  td_buf_free(&w->data);
  td_buf_free(&w->idx);
  td_buf_free(&w->block);
  free(w);
}

td_status td_lexicon_init(td_lexicon *lex, const uint8_t *data, size_t len,
                          const uint8_t *idx, size_t idxlen, td_error *err) {
  if (idxlen % sizeof(td_lexblk))
    return td_fail(err, TD_ECORRUPT, "lexicon index has a partial entry");
  lex->data = data;
  lex->len = len;
  lex->idx = idx;
  lex->nblocks = idxlen / sizeof(td_lexblk);
  lex->verified = calloc(lex->nblocks ? lex->nblocks : 1, 1);
  if (!lex->verified) return td_fail(err, TD_ENOMEM, "out of memory opening the lexicon");
  return TD_OK;
}

void td_lexicon_free(td_lexicon *lex) {
  free(lex->verified);
  lex->verified = NULL;
}

/* A cursor over one verified block. */
typedef struct lexcur {
  const uint8_t *p, *end;
  uint64_t left;          /* terms not yet decoded */
  int started;            /* a term was decoded: offsets are deltas now */
  char term[256];
  size_t len;
  td_terminfo ti;
} lexcur;

/* Verifies block I and positions C before its first term. */
static td_status open_block(const td_lexicon *lex, size_t i, lexcur *c, td_error *err) {
  td_lexblk e;
  memcpy(&e, lex->idx + i * sizeof e, sizeof e);
  if (e.offset > lex->len || e.length > lex->len - e.offset)
    return td_fail(err, TD_ECORRUPT, "lexicon block %zu lies outside the lexicon", i);
  const uint8_t *p = lex->data + e.offset;
  if (!lex->verified[i]) {
    if (libdeflate_crc32(0, p, e.length) != e.crc)
      return td_fail(err, TD_ECORRUPT, "lexicon block %zu fails its checksum", i);
    lex->verified[i] = 1;
  }
  c->end = p + e.length;
  c->p = td_varint_get(p, c->end, &c->left);
  c->len = 0;
  c->started = 0;
  if (!c->p || c->left == 0 || c->left > TD_LEX_BLOCK_TERMS)
    return td_fail(err, TD_ECORRUPT, "lexicon block %zu has a bad term count", i);
  return TD_OK;
}

/* Decodes the next term of C's block; returns 0 at the block's end. */
static int next_term(lexcur *c, int *bad) {
  if (c->left == 0) return 0;
  uint64_t shared, slen, off;
  const uint8_t *p = td_varint_get(c->p, c->end, &shared);
  if (p) p = td_varint_get(p, c->end, &slen);
  if (!p || shared > c->len || slen > sizeof c->term - 1 - shared ||
      slen > (size_t)(c->end - p)) {
    *bad = 1;
    return 0;
  }
  memcpy(c->term + shared, p, slen);
  c->len = shared + slen;
  p += slen;
  p = td_varint_get(p, c->end, &c->ti.df);
  if (p) p = td_varint_get(p, c->end, &off);
  if (!p || (size_t)(c->end - p) < 2) {
    *bad = 1;
    return 0;
  }
  uint16_t h;
  memcpy(&h, p, 2);
  c->ti.max_score = unbound16(h);
  c->p = p + 2;
  c->ti.postings = c->started ? c->ti.postings + off : off;
  c->started = 1;
  c->left--;
  return 1;
}

/* Index of the last block whose first term is <= TERM (0 if none is). */
static td_status find_block(const td_lexicon *lex, const char *term, size_t len,
                            size_t *out, td_error *err) {
  size_t lo = 0, hi = lex->nblocks;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    lexcur c;
    int bad = 0;
    td_status rc = open_block(lex, mid, &c, err);
    if (rc) return rc;
    if (!next_term(&c, &bad))
      return td_fail(err, TD_ECORRUPT, "lexicon block %zu is damaged", mid);
    if (td_term_cmp(c.term, c.len, term, len) <= 0) lo = mid;
    else hi = mid;
  }
  *out = lo;
  return TD_OK;
}

td_status td_lexicon_find(const td_lexicon *lex, const char *term, size_t len,
                          td_terminfo *ti, int *found, td_error *err) {
  *found = 0;
  if (lex->nblocks == 0) return TD_OK;
  size_t b;
  lexcur c;
  td_status rc = find_block(lex, term, len, &b, err);
  if (!rc) rc = open_block(lex, b, &c, err);
  if (rc) return rc;
  int bad = 0;
  while (next_term(&c, &bad)) {
    int cmp = td_term_cmp(c.term, c.len, term, len);
    if (cmp == 0) {
      *ti = c.ti;
      *found = 1;
      return TD_OK;
    }
    if (cmp > 0) return TD_OK;
  }
  return bad ? td_fail(err, TD_ECORRUPT, "lexicon block %zu is damaged", b) : TD_OK;
}

td_status td_lexicon_prefix(const td_lexicon *lex, const char *prefix, size_t len,
                            td_lex_fn fn, void *ctx, td_error *err) {
  if (lex->nblocks == 0) return TD_OK;
  size_t b;
  td_status rc = find_block(lex, prefix, len, &b, err);
  if (rc) return rc;
  for (; b < lex->nblocks; b++) {
    lexcur c;
    int bad = 0;
    if ((rc = open_block(lex, b, &c, err))) return rc;
    while (next_term(&c, &bad)) {
      int cmp = memcmp(c.term, prefix, c.len < len ? c.len : len);
      if (cmp < 0 || (cmp == 0 && c.len < len)) continue;
      if (cmp > 0) return TD_OK;
      if (fn(ctx, c.term, c.len, &c.ti)) return TD_ELIMIT;
    }
    if (bad) return td_fail(err, TD_ECORRUPT, "lexicon block %zu is damaged", b);
  }
  return TD_OK;
}
