/*
** postings.h - a term's postings: documents, frequencies, positions.
**
** The writer encodes one term at a time (format.h, POSTINGS), computing each
** block's BM25 upper bound as it goes.  The cursor reads a term's postings
** from the mapped section, decoding one block of TD_BLOCK documents at a
** time, and uses the skip table to jump whole blocks: seek() and the block
** bounds are what make AND, phrase and top-k evaluation skip.
*/
#ifndef TD_POSTINGS_H
#define TD_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "codec.h"
#include "format.h"
#include "lexicon.h"
#include "status.h"

#define TD_END UINT32_MAX   /* docid of an exhausted cursor */

/* What the writer needs to compute BM25 bounds. */
typedef struct td_scoring {
  const td_docent *docs;  /* the document table, indexed by docid */
  uint64_t ndocs;
  float avgdl, k1, b;
  uint32_t title_weight;
} td_scoring;

typedef struct td_postwriter td_postwriter;

td_status td_postwriter_new(const td_scoring *sc, td_postwriter **out);
void td_postwriter_free(td_postwriter *w);

/* Starts a term that will have DF documents. */
void td_postwriter_begin(td_postwriter *w, uint64_t df);

/* Adds a document (ascending docids) with its TF positions, given as gaps:
** the first from 0, each other from the one before.  The positions below
** the document's title length are title occurrences. */
td_status td_postwriter_add(td_postwriter *w, uint32_t docid, const uint32_t *gaps,
                            uint32_t tf);

/* Appends the term's encoded postings to OUT; *MAX_SCORE receives the
** term's largest BM25 contribution. */
td_status td_postwriter_end(td_postwriter *w, td_buf *out, float *max_score);

typedef struct td_postings {
  const uint8_t *sec;         /* the POSTINGS section */
  uint8_t *verified;          /* bit per section byte: block CRC checked */
  td_skip one;                /* the skip entry of a one-block term */
  const uint8_t *skips;       /* td_skip[nblocks] */
  const uint8_t *docs;        /* start of the doc blocks */
  const uint8_t *pos;         /* start of the position blocks */
  const uint8_t *end;         /* end of the section */
  uint64_t df;
  uint64_t ndocs;             /* docids must be below it */
  uint32_t nblocks;
  uint32_t blk;               /* decoded block, nblocks when none */
  uint32_t n, i;              /* documents in the block, current index */
  uint32_t docid;             /* current document, TD_END when exhausted */
  uint32_t docids[TD_BLOCK + 8];  /* TD_END after the block's n, for seek */
  uint32_t tf[TD_BLOCK], ttf[TD_BLOCK];
  const uint8_t *freq_at, *freq_lim;  /* the block's undecoded tf and ttf */
  const uint8_t *ttf_at;      /* its ttf, once tf is decoded */
  int freq_ready;             /* 1: tf[] holds the block's, 2: ttf[] too */
  uint32_t *posbuf;           /* position gaps of block POS_BLK, as decoded;
                                 a document's become positions when asked for */
  size_t poscap;
  uint32_t pos_blk;
  uint32_t posstart[TD_BLOCK + 1];  /* where each document's gaps start */
  const uint8_t *pos_at, *pos_lim;  /* next undecoded run, end of the block */
  uint32_t pos_run;           /* runs of TD_BLOCK gaps decoded or skipped */
  uint64_t pos_summed[(TD_BLOCK + 63) / 64];  /* documents whose gaps are summed */
  td_status status;           /* TD_ECORRUPT once damage was found */
  td_error *err;
} td_postings;

/* Opens a cursor on the term described by TI in the POSTINGS section
** [SEC, SEC+LEN) of a collection of NDOCS documents.  VERIFIED (may be
** NULL) is a bitmap of LEN bits shared by the cursors of one index, so that
** each block's CRC is computed once.  The cursor is before its first
** document: call next() or seek(). */
td_status td_postings_open(td_postings *p, const uint8_t *sec, size_t len,
                           const td_terminfo *ti, uint64_t ndocs, uint8_t *verified,
                           td_error *err);
void td_postings_close(td_postings *p);

/* The steps of next() and seek() that leave the decoded block (or start
** the cursor), taken only once the inline steps below found the block
** cannot answer; not for callers. */
uint32_t td_postings_next_block(td_postings *p);
uint32_t td_postings_seek_block(td_postings *p, uint32_t target);

/* Moves to the first document of the decoded block >= TARGET, which its
** last document is.  Eight documents at a time are compared and counted,
** without a branch per document: a seek usually goes a few documents on,
** and a loop that stops after an unpredictable number of steps was
** mispredicted at nearly every exit.  The TD_END after the block's last
** document keeps a count from running past it. */
static inline uint32_t td_postings_seek_in_block(td_postings *p, uint32_t target) {
  const uint32_t *a = p->docids;
  uint32_t i = p->i, k;
  do {
    k = 0;
    for (uint32_t j = 0; j < 8; j++) k += a[i + j] < target;
    i += k;
  } while (k == 8);
  p->i = i;
  return p->docid = a[i];
}

/* Moves to the next document / the first document >= TARGET; returns its
** docid or TD_END.  On damage the cursor ends and p->status says so.  The
** steps inside the decoded block are inline: they are most steps of an
** AND or a phrase, and a call to each cost a tenth of a phrase count. */
static inline uint32_t td_postings_next(td_postings *p) {
  if (p->blk < p->nblocks && p->i + 1 < p->n) return p->docid = p->docids[++p->i];
  return td_postings_next_block(p);
}
static inline uint32_t td_postings_seek(td_postings *p, uint32_t target) {
  if (p->blk < p->nblocks) {
    if (p->docid >= target) return p->docid;
    if (p->docids[p->n - 1] >= target) return td_postings_seek_in_block(p, target);
  }
  return td_postings_seek_block(p, target);
}

/* Sets (SET) or clears the bit of every document from the current one on
** in BITS, one bit per docid, block by block, and leaves the cursor
** exhausted: a count of a union reads each list once this way, instead of
** asking every list for its next document at every step.  Returns 0 on
** damage (p->status says so). */
int td_postings_mark(td_postings *p, uint64_t *bits, int set);

/* Counts the documents from the current one on whose bit is set in IN,
** setting their bits in OUT too unless OUT is NULL, and leaves the cursor
** exhausted: an intersection of long lists, read once each.  On damage the
** count stops short and p->status says so. */
uint64_t td_postings_meet(td_postings *p, const uint64_t *in, uint64_t *out);

/* Decode the frequencies of the current block, which a cursor that only
** skips through a block never needs, and its title frequencies, which a
** phrase being counted (reading positions, not scoring) never needs;
** 0 on damage (p->status says so). */
int td_postings_freqs(td_postings *p);
int td_postings_title_freqs(td_postings *p);

/* Frequency and title frequency of the current document (0 on damage). */
static inline uint32_t td_postings_tf(td_postings *p) {
  return p->freq_ready || td_postings_freqs(p) ? p->tf[p->i] : 0;
}
static inline uint32_t td_postings_ttf(td_postings *p) {
  return p->freq_ready == 2 || td_postings_title_freqs(p) ? p->ttf[p->i] : 0;
}

/* The step of td_postings_gaps and td_postings_positions that decodes the
** current document's runs of gaps; 0 on damage (p->status says so).  Not
** for callers. */
int td_postings_decode_runs(td_postings *p);

/* The current document's gaps as td_postings_gaps gives them.  The call
** is made only when its runs are not decoded yet: most documents of a
** common word find theirs decoded, and a phrase count asks for two words'
** in every document they share, where the call was a tenth of its time. */
static inline uint32_t *td_postings_doc_gaps(td_postings *p, uint32_t *n, int *summed) {
  int decoded = p->pos_blk == p->blk && p->blk < p->nblocks && p->docid != TD_END &&
                p->posstart[p->i + 1] <= p->pos_run * TD_BLOCK;
  if (!decoded && !td_postings_decode_runs(p)) return NULL;
  uint32_t from = p->posstart[p->i];
  *summed = (p->pos_summed[p->i / 64] >> (p->i % 64)) & 1;
  *n = p->posstart[p->i + 1] - from;
  return p->posbuf + from;
}

/* Positions of the current document (ascending, *N = tf), or NULL on damage;
** valid while the cursor stays in its block.  Summed in place, once: a
** phrase asks again for a document that passed its first check, and
** nothing before it in the block is read again. */
static inline const uint32_t *td_postings_positions(td_postings *p, uint32_t *n) {
  int summed;
  uint32_t *v = td_postings_doc_gaps(p, n, &summed);
  if (v && !summed) {
    td_prefix_sum(v, *n, 0);
    p->pos_summed[p->i / 64] |= 1ull << (p->i % 64);
  }
  return v;
}

/* The same positions as they are stored, without summing them: *SUMMED is
** 1 when they are positions already (asked for before), else they are
** gaps, the first from 0.  For a check that reads each document once. */
static inline const uint32_t *td_postings_gaps(td_postings *p, uint32_t *n, int *summed) {
  return td_postings_doc_gaps(p, n, summed);
}

/* A BM25 floor a document must pass on its own frequency and length: with
** W its weighted frequency (td_wtf; TITLE_WEIGHT * ttf when TITLE_ONLY),
** it may pass when W > 0 and W * P - Q > R * len (search.c derives P, Q, R
** from the floor; the test errs towards passing). */
typedef struct td_freq_bound {
  const td_docent *docs;
  float p, q, r;
  uint32_t title_weight;
  int title_only;
} td_freq_bound;

/* Moves to the first document >= TARGET that passes B, scanning decoded
** blocks in place: a ranked phrase asks this of its rarest word for every
** posting, so the test costs a few instructions, not a call per document.
** Returns its docid or TD_END (also on damage, with p->status set). */
uint32_t td_postings_seek_passing(td_postings *p, uint32_t target, const td_freq_bound *b);

/* Block-max support: the last docid and the score bound of the block that
** would hold TARGET, without decoding it.  Returns 0 past the last block. */
int td_postings_block_bound(const td_postings *p, uint32_t target, uint32_t *last,
                            float *bound);

#endif
