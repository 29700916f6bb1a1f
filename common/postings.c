/*
** postings.c - block-coded postings with skip data (format.h: POSTINGS).
*/
#include "postings.h"

#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

#include "score.h"

struct td_postwriter {
  td_scoring sc;
  float idf;
  uint64_t df, added;
  uint32_t prev_last;          /* last docid of the previous block */
  int any_block;
  uint32_t n;                  /* documents in the open block */
  uint32_t docids[TD_BLOCK], tf[TD_BLOCK], ttf[TD_BLOCK];
  float block_max, term_max;
  uint32_t max_wtf, max_len;   /* the document that gave BLOCK_MAX; wtf 0: none */
  uint32_t *pos;               /* gap-coded positions of the open block */
  size_t npos, poscap;
  td_buf skips, docs, posdata;
};

td_status td_postwriter_new(const td_scoring *sc, td_postwriter **out) {
  td_postwriter *w = calloc(1, sizeof *w);
  if (!w) return TD_ENOMEM;
  w->sc = *sc;
  *out = w;
  return TD_OK;
}

void td_postwriter_free(td_postwriter *w) {
  if (!w) return;
  free(w->pos);
  td_buf_free(&w->skips);
  td_buf_free(&w->docs);
  td_buf_free(&w->posdata);
  free(w);
}

void td_postwriter_begin(td_postwriter *w, uint64_t df) {
  w->df = df;
  w->added = 0;
  w->idf = td_idf(w->sc.ndocs, df);
  w->any_block = 0;
  w->n = 0;
  w->npos = 0;
  w->term_max = w->block_max = 0;
  w->max_wtf = 0;
  w->skips.len = w->docs.len = w->posdata.len = 0;
}

/* Bit-packs N values in runs of TD_BLOCK onto B. */
static td_status pack_runs(td_buf *b, const uint32_t *v, size_t n) {
  for (size_t i = 0; i < n; i += TD_BLOCK) {
    size_t k = n - i < TD_BLOCK ? n - i : TD_BLOCK;
    if (td_buf_reserve(b, td_bitpack_bound(k))) return TD_ENOMEM;
    b->len += td_bitpack_encode(v + i, k, b->data + b->len);
  }
  return TD_OK;
}

/* Encodes the open block and its skip entry. */
static td_status flush_block(td_postwriter *w) {
  uint32_t gaps[TD_BLOCK], tfm1[TD_BLOCK];
  uint32_t prev = w->prev_last;
  for (uint32_t i = 0; i < w->n; i++) {
    gaps[i] = (i == 0 && !w->any_block) ? w->docids[0] : w->docids[i] - prev - 1;
    prev = w->docids[i];
    tfm1[i] = w->tf[i] - 1;
  }
  td_skip s;
  s.last_docid = w->docids[w->n - 1];
  s.doc_off = (uint32_t)w->docs.len;
  s.pos_off = (uint32_t)w->posdata.len;
  s.max_score = w->block_max;
  size_t d0 = w->docs.len, p0 = w->posdata.len;
  /* The first gap (for a term's first block, the docid itself) is large
  ** and would set the bit width of all the others: it goes as a varint. */
  if (td_buf_put_varint(&w->docs, gaps[0]) || pack_runs(&w->docs, gaps + 1, w->n - 1) ||
      pack_runs(&w->docs, tfm1, w->n) ||
      pack_runs(&w->docs, w->ttf, w->n) || pack_runs(&w->posdata, w->pos, w->npos))
    return TD_ENOMEM;
  s.doc_crc = libdeflate_crc32(0, w->docs.data + d0, w->docs.len - d0);
  s.pos_crc = libdeflate_crc32(0, w->posdata.data + p0, w->posdata.len - p0);
  if (td_buf_append(&w->skips, &s, sizeof s)) return TD_ENOMEM;
  w->prev_last = s.last_docid;
  w->any_block = 1;
  if (w->block_max > w->term_max) w->term_max = w->block_max;
  w->n = 0;
  w->npos = 0;
  w->block_max = 0;
  w->max_wtf = 0;
  return TD_OK;
}

td_status td_postwriter_add(td_postwriter *w, uint32_t docid, const uint32_t *gaps,
                            uint32_t tf) {
  if (w->npos + tf > w->poscap && td_grow(&w->pos, &w->poscap, w->npos + tf, sizeof *w->pos, 1024))
    return TD_ENOMEM;
  const td_docent *d = &w->sc.docs[docid];
  uint32_t ttf = 0;  /* positions ascend: the title's come first */
  for (uint32_t at = 0; ttf < tf && (at += gaps[ttf]) < d->title_len;) ttf++;
  memcpy(w->pos + w->npos, gaps, tf * sizeof *gaps);
  w->npos += tf;
  w->docids[w->n] = docid;
  w->tf[w->n] = tf;
  w->ttf[w->n] = ttf;
  /* A document as frequent as the block's best so far, and no shorter,
  ** scores no higher: every step of the float formula is monotonic in the
  ** length.  Most documents of a block are passed so, without the two
  ** divisions, which took half the time of adding a posting. */
  uint32_t wtf = td_wtf(tf, ttf, w->sc.title_weight);
  if (wtf != w->max_wtf || d->len < w->max_len) {
    float s = td_bm25(w->idf, w->sc.k1, wtf, td_norm(w->sc.k1, w->sc.b, d->len, w->sc.avgdl));
    if (s > w->block_max) {
      w->block_max = s;
      w->max_wtf = wtf;
      w->max_len = d->len;
    }
  }
  w->added++;
  if (++w->n == TD_BLOCK) return flush_block(w);
  return TD_OK;
}

td_status td_postwriter_end(td_postwriter *w, td_buf *out, float *max_score) {
  if (w->n && flush_block(w)) return TD_ENOMEM;
  if (w->df == 0 || w->added != w->df) return TD_EINVAL;
  if (td_buf_put_varint(out, w->docs.len) || td_buf_put_varint(out, w->posdata.len))
    return TD_ENOMEM;
  if (w->df <= TD_BLOCK) {
    /* Most terms have one block: the lexicon has its bound, so only a CRC
    ** of its bytes is kept instead of a skip entry: the document bytes' CRC
    ** continued over the positions. */
    td_skip s;
    memcpy(&s, w->skips.data, sizeof s);
    uint32_t crc = libdeflate_crc32(s.doc_crc, w->posdata.data, w->posdata.len);
    if (td_buf_put_u32(out, crc)) return TD_ENOMEM;
  } else if (td_buf_append(out, w->skips.data, w->skips.len)) {
    return TD_ENOMEM;
  }
  if (td_buf_append(out, w->docs.data, w->docs.len) ||
      td_buf_append(out, w->posdata.data, w->posdata.len))
    return TD_ENOMEM;
  *max_score = w->term_max;
  return TD_OK;
}

static uint32_t fail(td_postings *p, const char *what) {
  p->status = td_fail(p->err, TD_ECORRUPT, "postings damaged: %s", what);
  p->docid = TD_END;
  p->blk = p->nblocks;
  return TD_END;
}

td_status td_postings_open(td_postings *p, const uint8_t *sec, size_t len,
                           const td_terminfo *ti, uint64_t ndocs, uint8_t *verified,
                           td_error *err) {
  memset(p, 0, offsetof(td_postings, docids));
  p->posbuf = NULL;
  p->poscap = 0;
  p->err = err;
  p->sec = sec;
  p->verified = verified;
  p->ndocs = ndocs;
  p->end = sec + len;
  p->df = ti->df;
  uint64_t nb = (ti->df + TD_BLOCK - 1) / TD_BLOCK;
  if (ti->df == 0 || nb > UINT32_MAX || ti->postings >= len)
    return td_fail(err, TD_ECORRUPT, "postings offset or count out of range");
  const uint8_t *q = sec + ti->postings;
  uint64_t doc_bytes, pos_bytes;
  if (!(q = td_varint_get(q, p->end, &doc_bytes)) || !(q = td_varint_get(q, p->end, &pos_bytes)))
    return td_fail(err, TD_ECORRUPT, "postings header damaged");
  size_t skip_bytes = nb == 1 ? 4 : nb * sizeof(td_skip);
  uint64_t room = (uint64_t)(p->end - q);
  if (skip_bytes > room || doc_bytes > room - skip_bytes ||
      pos_bytes > room - skip_bytes - doc_bytes)
    return td_fail(err, TD_ECORRUPT, "postings run past the end of the section");
  p->nblocks = (uint32_t)nb;
  if (nb == 1) {
    /* A lone block: its skip entry is made up; the CRC covers docs and
    ** positions together. */
    p->one = (td_skip){TD_END - 1, 0, 0, ti->max_score, 0, 0};
    memcpy(&p->one.doc_crc, q, 4);
    p->skips = (const uint8_t *)&p->one;
  } else {
    p->skips = q;
  }
  p->docs = q + skip_bytes;
  p->pos = p->docs + doc_bytes;
  p->end = p->pos + pos_bytes;
  p->blk = p->pos_blk = p->nblocks;
  p->docid = 0;
  p->i = p->n = 0;
  p->status = TD_OK;
  return TD_OK;
}

void td_postings_close(td_postings *p) {
  free(p->posbuf);
  p->posbuf = NULL;
  p->poscap = 0;
}

/* The verified bitmap has one bit per byte of the section: the bit of a
** block's first byte says its CRC was checked already. */
static inline int is_verified(const td_postings *p, const uint8_t *at) {
  size_t o = (size_t)(at - p->sec);
  return p->verified && (p->verified[o >> 3] >> (o & 7)) & 1;
}

static inline void set_verified(td_postings *p, const uint8_t *at) {
  size_t o = (size_t)(at - p->sec);
  if (p->verified) p->verified[o >> 3] |= (uint8_t)(1u << (o & 7));
}

static inline void get_skip(const td_postings *p, uint32_t j, td_skip *s) {
  memcpy(s, p->skips + (size_t)j * sizeof *s, sizeof *s);
}

/* Byte range [*A, *B) of doc block J or position block J. */
static int block_range(const td_postings *p, uint32_t j, int positions,
                       const uint8_t **a, const uint8_t **b) {
  td_skip s, t;
  get_skip(p, j, &s);
  const uint8_t *base = positions ? p->pos : p->docs;
  const uint8_t *lim = positions ? p->end : p->pos;
  uint32_t off = positions ? s.pos_off : s.doc_off;
  const uint8_t *e = lim;
  if (j + 1 < p->nblocks) {
    get_skip(p, j + 1, &t);
    e = base + (positions ? t.pos_off : t.doc_off);
  }
  *a = base + off;
  *b = e;
  return off <= (size_t)(lim - base) && e >= *a && e <= lim;
}

/* Decodes doc block J into the cursor arrays. */
static int decode_block(td_postings *p, uint32_t j) {
  const uint8_t *a, *b;
  td_skip s;
  get_skip(p, j, &s);
  if (!block_range(p, j, 0, &a, &b)) return fail(p, "doc block out of range"), 0;
  if (!is_verified(p, a)) {
    uint32_t crc = libdeflate_crc32(0, a, b - a);
    if (p->nblocks == 1) crc = libdeflate_crc32(crc, p->pos, p->end - p->pos);
    if (crc != s.doc_crc) return fail(p, "doc block checksum mismatch"), 0;
    set_verified(p, a);
  }
  uint32_t n = j + 1 < p->nblocks ? TD_BLOCK : (uint32_t)(p->df - (uint64_t)j * TD_BLOCK);
  uint64_t first = 0;
  a = td_varint_get(a, b, &first);
  if (a && first > UINT32_MAX) a = NULL;
  p->docids[0] = (uint32_t)first;
  if (a && n > 1) a = td_bitpack_decode(a, b, n - 1, p->docids + 1);
  if (!a) return fail(p, "doc block truncated"), 0;
  p->freq_at = a;
  p->freq_lim = b;
  p->freq_ready = 0;
  /* In 64 bits, so that gaps from a damaged (or forged, checksums
  ** recomputed) block cannot wrap around and step outside the collection. */
  uint64_t prev = p->docids[0];
  if (j > 0) {
    td_skip ps;
    get_skip(p, j - 1, &ps);
    prev += (uint64_t)ps.last_docid + 1;
  }
  p->docids[0] = (uint32_t)prev;
  for (uint32_t i = 1; i < n; i++) {
    prev += (uint64_t)p->docids[i] + 1;
    p->docids[i] = (uint32_t)prev;
  }
  /* Each step adds at least 1 and TD_BLOCK gaps cannot carry a 64-bit sum
  ** over, so the docids ascend and the last is the largest. */
  if (prev >= p->ndocs) return fail(p, "docid beyond the collection"), 0;
  if (p->nblocks == 1) p->one.last_docid = (uint32_t)prev;
  else if (prev != s.last_docid) return fail(p, "doc block disagrees with its skip entry"), 0;
  for (uint32_t i = n; i < n + 8; i++) p->docids[i] = TD_END;
  p->blk = j;
  p->n = n;
  return 1;
}

/* Decodes the block's tf - 1 into tf[], leaving the 1 to be added. */
static int decode_tf_less_one(td_postings *p) {
  if (p->blk >= p->nblocks) return 0;
  const uint8_t *a = td_bitpack_decode(p->freq_at, p->freq_lim, p->n, p->tf);
  if (!a) return fail(p, "doc block truncated"), 0;
  p->ttf_at = a;
  return 1;
}

int td_postings_freqs(td_postings *p) {
  if (!decode_tf_less_one(p)) return 0;
  for (uint32_t i = 0; i < p->n; i++) p->tf[i] += 1;
  p->freq_ready = 1;
  return 1;
}

int td_postings_title_freqs(td_postings *p) {
  if (!p->freq_ready && !td_postings_freqs(p)) return 0;
  if (!td_bitpack_decode(p->ttf_at, p->freq_lim, p->n, p->ttf))
    return fail(p, "doc block truncated"), 0;
  p->freq_ready = 2;
  return 1;
}

/* Decodes block J and stands on its first document. */
static uint32_t enter_block(td_postings *p, uint32_t j) {
  if (j >= p->nblocks) {
    p->blk = p->nblocks;
    return p->docid = TD_END;
  }
  if (!decode_block(p, j)) return TD_END;
  p->i = 0;
  return p->docid = p->docids[0];
}

/* Reached from td_postings_next once the decoded block, if any, is used up. */
uint32_t td_postings_next_block(td_postings *p) {
  if (p->docid == TD_END) return TD_END;
  return enter_block(p, p->blk == p->nblocks ? 0 : p->blk + 1);
}

/* A cursor not started yet stands on its first document. */
static void start_cursor(td_postings *p) {
  if (p->blk == p->nblocks && p->docid != TD_END) enter_block(p, 0);
}

int td_postings_mark(td_postings *p, uint64_t *bits, int set) {
  start_cursor(p);
  while (p->docid != TD_END) {
    for (uint32_t i = p->i; i < p->n; i++) {
      uint64_t bit = 1ull << (p->docids[i] % 64);
      if (set) bits[p->docids[i] / 64] |= bit;
      else bits[p->docids[i] / 64] &= ~bit;
    }
    enter_block(p, p->blk + 1);
  }
  return p->status == TD_OK;
}

uint64_t td_postings_meet(td_postings *p, const uint64_t *in, uint64_t *out) {
  uint64_t n = 0;
  start_cursor(p);
  while (p->docid != TD_END) {
    for (uint32_t i = p->i; i < p->n; i++) {
      uint32_t d = p->docids[i];
      uint64_t hit = in[d / 64] >> (d % 64) & 1;
      n += hit;
      if (out) out[d / 64] |= hit << (d % 64);
    }
    enter_block(p, p->blk + 1);
  }
  return n;
}

/* The first block from FROM on whose last docid is at least TARGET, or
** nblocks.  Galloping, then halving: a seek usually lands a block or two
** on, but a bound asked for a far document (without moving the cursor,
** td_postings_block_bound) must not walk the table there entry by entry. */
static uint32_t find_block(const td_postings *p, uint32_t from, uint32_t target) {
  td_skip s;
  uint32_t lo = from, step = 1, hi = from;
  for (;;) {
    if (hi >= p->nblocks) {
      hi = p->nblocks;
      break;
    }
    get_skip(p, hi, &s);
    if (s.last_docid >= target) break;
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  while (lo < hi) {  /* the answer is in [lo, hi] */
    uint32_t mid = lo + (hi - lo) / 2;
    get_skip(p, mid, &s);
    if (s.last_docid >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/* Reached from td_postings_seek once TARGET lies past the decoded block,
** if any. */
uint32_t td_postings_seek_block(td_postings *p, uint32_t target) {
  if (p->docid == TD_END) return TD_END;
  uint32_t j = p->blk < p->nblocks ? p->blk + 1 : 0;
  if (enter_block(p, find_block(p, j, target)) == TD_END) return TD_END;
  return td_postings_seek_in_block(p, target);
}

uint32_t td_postings_seek_passing(td_postings *p, uint32_t target, const td_freq_bound *b) {
  uint32_t w1 = b->title_only ? 0 : 1, w2 = b->title_only ? b->title_weight : b->title_weight - 1;
  for (;;) {
    if (td_postings_seek(p, target) == TD_END) return TD_END;
    if (p->freq_ready < 2 && !td_postings_title_freqs(p)) return p->docid = TD_END;
    for (uint32_t i = p->i; i < p->n; i++) {
      uint32_t w = w1 * p->tf[i] + w2 * p->ttf[i];
      if (w && (float)w * b->p - b->q > b->r * (float)b->docs[p->docids[i]].len) {
        p->i = i;
        return p->docid = p->docids[i];
      }
    }
    target = p->docids[p->n - 1] + 1;
  }
}

/* Grows *BUF to hold N values. */
static int reserve_u32(td_postings *p, uint32_t **buf, size_t *cap, size_t n) {
  if (n <= *cap) return 1;
  uint32_t *nb = realloc(*buf, (n + TD_BLOCK) * sizeof *nb);
  if (!nb) {
    p->status = td_fail(p->err, TD_ENOMEM, "out of memory decoding positions");
    return 0;
  }
  *buf = nb;
  *cap = n + TD_BLOCK;
  return 1;
}

/* Starts reading the positions of the current block: checks its CRC and
** finds where each document's positions start; decodes nothing yet. */
static int enter_positions(td_postings *p) {
  td_skip s;
  const uint8_t *a, *b;
  /* Frequencies decoded here get their 1 added in the loop that sums
  ** them, not in a pass of their own. */
  uint32_t fresh = !p->freq_ready;
  if (fresh && !decode_tf_less_one(p)) return 0;
  get_skip(p, p->blk, &s);
  if (!block_range(p, p->blk, 1, &a, &b)) return fail(p, "position block out of range"), 0;
  /* A one-block term's positions were checked with its documents. */
  if (p->nblocks > 1 && !is_verified(p, a)) {
    if (libdeflate_crc32(0, a, b - a) != s.pos_crc)
      return fail(p, "position block checksum mismatch"), 0;
    set_verified(p, a);
  }
  size_t total = 0;
  for (uint32_t i = 0; i < p->n; i++) {
    p->tf[i] += fresh;
    p->posstart[i] = (uint32_t)total;
    total += p->tf[i];
  }
  if (fresh) p->freq_ready = 1;
  p->posstart[p->n] = (uint32_t)total;
  if (!reserve_u32(p, &p->posbuf, &p->poscap, total)) return 0;
  memset(p->pos_summed, 0, sizeof p->pos_summed);
  p->pos_blk = p->blk;
  p->pos_at = a;
  p->pos_lim = b;
  p->pos_run = 0;
  return 1;
}

/* Decodes the position runs up to the one holding value END - 1, skipping
** (without decoding) the runs that end before value START: a common term's
** block holds thousands of positions and a phrase needs a few documents'. */
static int decode_runs(td_postings *p, uint32_t start, uint32_t end) {
  uint32_t total = p->posstart[p->n];
  while ((size_t)p->pos_run * TD_BLOCK < end) {
    uint32_t first = p->pos_run * TD_BLOCK;
    uint32_t count = total - first < TD_BLOCK ? total - first : TD_BLOCK;
    const uint8_t *next =
        first + count <= start ? td_bitpack_skip(p->pos_at, p->pos_lim, count)
                               : td_bitpack_decode(p->pos_at, p->pos_lim, count, p->posbuf + first);
    if (!next) return 0;
    p->pos_at = next;
    p->pos_run++;
  }
  return 1;
}

int td_postings_decode_runs(td_postings *p) {
  if (p->docid == TD_END || p->blk >= p->nblocks) return 0;
  if (p->pos_blk != p->blk && !enter_positions(p)) return 0;
  if (!decode_runs(p, p->posstart[p->i], p->posstart[p->i + 1]))
    return fail(p, "position block truncated"), 0;
  return 1;
}

int td_postings_block_bound(const td_postings *p, uint32_t target, uint32_t *last,
                            float *bound) {
  uint32_t j = find_block(p, p->blk < p->nblocks ? p->blk : 0, target);
  if (j == p->nblocks) return 0;
  td_skip s;
  get_skip(p, j, &s);
  *last = s.last_docid;
  *bound = s.max_score;
  return 1;
}
