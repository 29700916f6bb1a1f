/*
** invert.h - in-memory inversion: analysed tokens in, per-term postings out.
**
** The inverter gathers, for each term, its postings since the last spill as
** one varint stream (a "chunk"): per document, the docid gap (the first
** docid of the chunk as is, then docid - previous - 1), tf, then tf
** position gaps (the first from 0).  When its memory passes the budget the
** builder spills the chunks, sorted by term, into a run file and resets it.
*/
#ifndef TD_INVERT_H
#define TD_INVERT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "status.h"

typedef struct td_inverter td_inverter;

/* One term's chunk, as handed out by td_inverter_sorted. */
typedef struct td_chunk {
  const char *term;
  uint32_t len;
  uint32_t df;
  const uint8_t *data;
  size_t size;
} td_chunk;

td_status td_inverter_new(td_inverter **out);
void td_inverter_free(td_inverter *v);

/* Records TERM at POS in the document being added.  MEMO (may be NULL) is
** a word the caller keeps for this spelling of the term
** (td_analyzer_memo): the inverter notes the term's number there and, while
** it is current, uses it instead of looking the term up. */
td_status td_inverter_token(td_inverter *v, const char *term, size_t len, uint32_t pos,
                            uint64_t *memo);

/* Ends document DOCID: appends its postings to the chunks. */
td_status td_inverter_end_doc(td_inverter *v, uint32_t docid);

/* Bytes of memory in use, for the budget; of them, the bytes a reset
** frees (the chunks and the terms' spellings), the rest being the tables
** it keeps for the next terms. */
size_t td_inverter_memory(const td_inverter *v);
size_t td_inverter_spillable(const td_inverter *v);

/* Sorts the chunks by term; *OUT points at an array the inverter owns,
** valid until the next call that changes it.  Sorting again what has not
** changed since costs nothing, so threads can sort ahead of the merge. */
td_status td_inverter_sorted(td_inverter *v, const td_chunk **out, size_t *n);

/* Forgets every term and chunk, keeping allocations where cheap. */
void td_inverter_reset(td_inverter *v);

#endif
