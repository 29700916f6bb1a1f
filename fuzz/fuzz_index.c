/*
** fuzz_index.c - libFuzzer target for the index reader: opening, querying
** and checking a mutated index file.
**
** The first byte of an input is a mode, the rest an index file (the seeds
** are small real indexes built by bin/indexer from corpus/):
**   bit 0  re-seal the file before opening it: recompute every checksum
**          (store frames, id blocks, lexicon blocks, postings blocks,
**          sections, section table, header) so that the mutation reaches
**          the decoders behind the checksums instead of being stopped at
**          the first CRC.  This models a buggy writer or a crafted file.
**   bit 1  with bit 0: also set the header's file size to the real one,
**          so truncations and extensions get past the size check.
** Without bit 0 the bytes are opened as they are: any damage must be found
** by a checksum.
**
** The file is opened with td_index_open; if that succeeds, a fixed set of
** queries (terms, phrases, prefixes, OR, NOT, title:, both default
** operators) is run with td_count and td_search, td_index_id,
** td_index_summary and td_index_doc are called on every hit, and
** td_index_check verifies the whole file.  Any crash, hang,
** sanitizer report or unbounded allocation is a bug; an error status is the
** expected outcome for damage, and then its message must name the file.
** For triage, FUZZ_INDEX_VERBOSE=1 prints every error and FUZZ_INDEX_KEEP=F
** saves the file as opened (re-sealed) to F.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "codec.h"
#include "format.h"
#include "fuzz_util.h"
#include "lexicon.h"
#include "tidings.h"

static const char *const queries[] = {
    "harbour",  "storm OR strike", "\"central bank\"", "elect*", "s*",
    "NOT harbour", "title:storm", "(rain OR flood*) AND NOT wind",
    "\"the council\" title:\"bank\"", "a* OR b* OR c*", "the of and to in",
    "zzzzzz", "2024", "title:t*"};

static char path[512];
static int verbose;      /* FUZZ_INDEX_VERBOSE: print every error, for triage */

/* ---- re-sealing ---------------------------------------------------------- */

typedef struct region {
  uint8_t *p;
  size_t len;
} region;

static uint32_t crc(const uint8_t *p, size_t n) { return (uint32_t)crc32(0, p, (uInt)n); }

/* Recomputes the CRC of every entry of a block index (DOCIDX, LEXIDX) whose
** block lies inside DATA.  ENTRY is the entry size; each entry starts with a
** 64-bit offset, and LEN_AT and CRC_AT are where its 32-bit length and CRC
** are. */
static void seal_blocks(region idx, region data, size_t entry, size_t len_at, size_t crc_at) {
  for (size_t i = 0; i + entry <= idx.len; i += entry) {
    uint64_t off;
    uint32_t len;
    memcpy(&off, idx.p + i, 8);
    memcpy(&len, idx.p + i + len_at, 4);
    if (off > data.len || len > data.len - off) continue;
    uint32_t c = crc(data.p + off, len);
    memcpy(idx.p + i + crc_at, &c, 4);
  }
}

/* Mirrors td_postings_open and block_range to re-seal one term's
** checksums: the combined CRC of a one-block term, or the skip entries of a
** longer one.  Anything out of range is left for the reader to reject. */
static int seal_term(void *ctx, const char *term, size_t len, const td_terminfo *ti) {
  (void)term, (void)len;
  region *post = ctx;
  const uint8_t *end = post->p + post->len;
  uint64_t nb = (ti->df + TD_BLOCK - 1) / TD_BLOCK, doc_bytes, pos_bytes;
  if (ti->df == 0 || ti->postings >= post->len) return 0;
  const uint8_t *h = post->p + ti->postings;
  if (!(h = td_varint_get(h, end, &doc_bytes)) || !(h = td_varint_get(h, end, &pos_bytes))) return 0;
  uint8_t *q = post->p + (h - post->p);
  uint64_t room = (uint64_t)(end - q), skip_bytes = nb == 1 ? 4 : nb * sizeof(td_skip);
  if (nb > room / sizeof(td_skip) + 1 || skip_bytes > room || doc_bytes > room - skip_bytes ||
      pos_bytes > room - skip_bytes - doc_bytes)
    return 0;
  uint8_t *docs = q + skip_bytes, *pos = docs + doc_bytes;
  if (nb == 1) {
    uint32_t c = (uint32_t)crc32(crc(docs, doc_bytes), pos, (uInt)pos_bytes);
    memcpy(q, &c, 4);
    return 0;
  }
  for (uint64_t j = 0; j < nb; j++) {
    td_skip s, t;
    memcpy(&s, q + j * sizeof s, sizeof s);
    if (j + 1 < nb) memcpy(&t, q + (j + 1) * sizeof t, sizeof t);
    uint64_t dend = j + 1 < nb ? t.doc_off : doc_bytes, pend = j + 1 < nb ? t.pos_off : pos_bytes;
    if (s.doc_off <= dend && dend <= doc_bytes) s.doc_crc = crc(docs + s.doc_off, dend - s.doc_off);
    if (s.pos_off <= pend && pend <= pos_bytes) s.pos_crc = crc(pos + s.pos_off, pend - s.pos_off);
    memcpy(q + j * sizeof s, &s, sizeof s);
  }
  return 0;
}

static void reseal(uint8_t *d, size_t n, int fix_size) {
  if (n < TD_DATA_START) return;
  td_header h;
  td_section tab[TD_MAX_SECTIONS];
  memcpy(&h, d, sizeof h);
  memcpy(tab, d + sizeof h, sizeof tab);
  if (fix_size) h.file_size = n;
  region sec[TD_MAX_SECTIONS + 1];
  memset(sec, 0, sizeof sec);
  uint32_t ns = h.nsections < TD_MAX_SECTIONS ? h.nsections : TD_MAX_SECTIONS;
  for (uint32_t i = 0; i < ns; i++)
    if (tab[i].id >= 1 && tab[i].id <= TD_MAX_SECTIONS && tab[i].offset <= n &&
        tab[i].length <= n - tab[i].offset)
      sec[tab[i].id] = (region){d + tab[i].offset, (size_t)tab[i].length};
  /* Each block index with the section its blocks are in, and the size of
  ** its entries and where their length and CRC are. */
  static const struct { int idx, data; size_t size, len_at, crc_at; } stores[] = {
      {TD_SEC_BODYIDX, TD_SEC_BODIES, sizeof(td_docblk), offsetof(td_docblk, clen),
       offsetof(td_docblk, crc)},
      {TD_SEC_SUMIDX, TD_SEC_SUMMARIES, sizeof(td_docblk), offsetof(td_docblk, clen),
       offsetof(td_docblk, crc)},
      {TD_SEC_IDSIDX, TD_SEC_IDS, sizeof(td_lexblk), offsetof(td_lexblk, length),
       offsetof(td_lexblk, crc)},
      {TD_SEC_LEXIDX, TD_SEC_LEXICON, sizeof(td_lexblk), offsetof(td_lexblk, length),
       offsetof(td_lexblk, crc)}};
  for (size_t i = 0; i < sizeof stores / sizeof *stores; i++)
    if (sec[stores[i].idx].p && sec[stores[i].data].p)
      seal_blocks(sec[stores[i].idx], sec[stores[i].data], stores[i].size, stores[i].len_at,
                  stores[i].crc_at);
  td_lexicon lex;
  td_error err;
  if (sec[TD_SEC_LEXIDX].p && sec[TD_SEC_LEXICON].p && sec[TD_SEC_POSTINGS].p &&
      td_lexicon_init(&lex, sec[TD_SEC_LEXICON].p, sec[TD_SEC_LEXICON].len,
                      sec[TD_SEC_LEXIDX].p, sec[TD_SEC_LEXIDX].len, &err) == TD_OK) {
    td_lexicon_prefix(&lex, "", 0, seal_term, &sec[TD_SEC_POSTINGS], &err);
    td_lexicon_free(&lex);
  }
  for (uint32_t i = 0; i < ns; i++)
    if (tab[i].id >= 1 && tab[i].id <= TD_MAX_SECTIONS && sec[tab[i].id].p)
      tab[i].crc = crc(sec[tab[i].id].p, sec[tab[i].id].len);
  h.table_crc = crc((const uint8_t *)tab, sizeof tab);
  h.header_crc = 0;
  h.header_crc = crc((const uint8_t *)&h, sizeof h);
  memcpy(d, &h, sizeof h);
  memcpy(d + sizeof h, tab, sizeof tab);
}

/* ---- the target ---------------------------------------------------------- */

/* An error must be one a damaged index may cause, and say which file. */
static void check_error(td_status rc, const td_error *err) {
  int expected = rc == TD_ECORRUPT || rc == TD_EIO || rc == TD_EINVAL || rc == TD_ELIMIT;
  int named = rc != TD_ECORRUPT || strstr(err->msg, path) != NULL;
  if (!expected || !named || verbose) fprintf(stderr, "fuzz_index: status %d: %s\n", (int)rc, err->msg);
  FUZZ_ASSERT(expected && named);
  FUZZ_ASSERT(err->code == rc && err->msg[0]);
}

static void run_queries(td_index *ix) {
  td_index_info info;
  td_index_info_get(ix, &info);
  for (size_t i = 0; i < sizeof queries / sizeof *queries; i++)
    for (int op = TD_OP_AND; op <= TD_OP_OR; op++) {
      td_error err;
      uint64_t count;
      td_status rc = td_count(ix, queries[i], (td_default_op)op, &count, &err);
      if (rc) check_error(rc, &err);
      td_search_options so = {5, (td_default_op)op, 0};
      td_results r;
      rc = td_search(ix, queries[i], &so, &r, &err);
      if (rc) {
        check_error(rc, &err);
        continue;
      }
      FUZZ_ASSERT(r.nhits <= 5);
      for (size_t h = 0; h < r.nhits; h++) {
        td_article a;
        td_text id;
        FUZZ_ASSERT(r.hits[h].docid < info.ndocs);
        if ((rc = td_index_id(ix, r.hits[h].docid, &id, &err))) check_error(rc, &err);
        if ((rc = td_index_summary(ix, r.hits[h].docid, &a, &err))) check_error(rc, &err);
        if ((rc = td_index_doc(ix, r.hits[h].docid, &a, &err))) check_error(rc, &err);
      }
      td_results_free(&r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  if (!path[0]) {
    snprintf(path, sizeof path, "%s/fuzz.idx", fuzz_scratch());
    verbose = getenv("FUZZ_INDEX_VERBOSE") != NULL;
  }
  size_t n = size - 1;
  uint8_t *copy = malloc(n ? n : 1);
  if (!copy) abort();
  memcpy(copy, data + 1, n);
  if (data[0] & 1) reseal(copy, n, data[0] & 2);
  fuzz_write_file(path, copy, n);
  const char *keep = getenv("FUZZ_INDEX_KEEP");   /* triage: the file as opened */
  if (keep) fuzz_write_file(keep, copy, n);
  free(copy);

  td_index *ix;
  td_error err;
  td_error_clear(&err);
  td_status rc = td_index_open(path, &ix, &err);
  if (rc) {
    check_error(rc, &err);
    return 0;
  }
  run_queries(ix);
  rc = td_index_check(ix, &err);
  if (rc) check_error(rc, &err);
  td_index_close(ix);
  return 0;
}
