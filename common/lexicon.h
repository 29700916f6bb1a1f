/*
** lexicon.h - the term dictionary: sorted, front-coded, block-searchable.
**
** The writer takes terms in bytewise order and produces the LEXICON and
** LEXIDX sections (format.h).  The reader works straight on the mapped
** sections: a lookup binary-searches the block index on each block's first
** term, then scans one block, verifying each block's CRC before trusting it,
** so opening an index never reads the dictionary whole.
*/
#ifndef TD_LEXICON_H
#define TD_LEXICON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "status.h"

/* The lexicon's order, which every sorted list of terms follows: bytewise,
** a prefix before its extensions.  <0, 0 or >0 as memcmp. */
static inline int td_term_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  int r = memcmp(a, b, alen < blen ? alen : blen);
  if (r) return r;
  return (alen > blen) - (alen < blen);
}

typedef struct td_terminfo {
  uint64_t df;            /* documents containing the term */
  uint64_t postings;      /* offset of the term's postings in POSTINGS */
  float max_score;        /* largest BM25 contribution of the term (rounded up
                          ** to bfloat16 precision when stored) */
} td_terminfo;

typedef struct td_lexwriter td_lexwriter;

td_status td_lexwriter_new(td_lexwriter **out);
/* Appends TERM, which must sort after the previous one. */
td_status td_lexwriter_add(td_lexwriter *w, const char *term, size_t len,
                           const td_terminfo *ti);
/* Flushes the last block; LEXICON and LEXIDX receive the two sections. */
td_status td_lexwriter_finish(td_lexwriter *w, td_buf *lexicon, td_buf *lexidx);
void td_lexwriter_free(td_lexwriter *w);

typedef struct td_lexicon {
  const uint8_t *data;    /* LEXICON section */
  size_t len;
  const uint8_t *idx;     /* LEXIDX section: td_lexblk[nblocks] */
  size_t nblocks;
  uint8_t *verified;      /* per block: its CRC was checked once already */
} td_lexicon;

/* Points LEX at the mapped sections; checks only their sizes.  Blocks are
** verified on first use, once per td_lexicon: a batch of queries pays for
** each block's CRC once. */
td_status td_lexicon_init(td_lexicon *lex, const uint8_t *data, size_t len,
                          const uint8_t *idx, size_t idxlen, td_error *err);
void td_lexicon_free(td_lexicon *lex);

/* Looks TERM up: *FOUND = 1 and *TI filled when present. */
td_status td_lexicon_find(const td_lexicon *lex, const char *term, size_t len,
                          td_terminfo *ti, int *found, td_error *err);

/* Calls FN for every term that starts with PREFIX (every term when LEN is
** 0), in order; a non-zero return from FN stops the walk and is returned as
** TD_ELIMIT. */
typedef int (*td_lex_fn)(void *ctx, const char *term, size_t len, const td_terminfo *ti);
td_status td_lexicon_prefix(const td_lexicon *lex, const char *prefix, size_t len,
                            td_lex_fn fn, void *ctx, td_error *err);

#endif
