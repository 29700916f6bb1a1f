/*
** docstore.h - stored article fields, zlib-compressed in blocks.
**
** The writer streams blocks of TD_DOCS_PER_BLOCK articles to a file as the
** indexer goes, so stored text never accumulates in memory; the reader
** decompresses the one block a hit lives in, after checking its CRC, and
** keeps the last block for the next hit.
*/
#ifndef TD_DOCSTORE_H
#define TD_DOCSTORE_H

#include <stdint.h>
#include <stdio.h>

#include "article.h"
#include "buf.h"
#include "status.h"

#define TD_DOCS_PER_BLOCK 32u
#define TD_NFIELDS 6          /* id, title, date, source, url, body */

typedef struct td_docwriter td_docwriter;

/* Writes blocks to OUT starting at its current position, which becomes
** offset 0 of the DOCSTORE section. */
td_status td_docwriter_new(FILE *out, td_docwriter **w);
td_status td_docwriter_add(td_docwriter *w, const td_article *a);
/* Flushes the last block; *IDX receives the DOCIDX section, *BYTES the
** DOCSTORE section's length. */
td_status td_docwriter_finish(td_docwriter *w, td_buf *idx, uint64_t *bytes);
void td_docwriter_free(td_docwriter *w);

typedef struct td_docreader {
  const uint8_t *data;        /* DOCSTORE section */
  size_t len;
  const uint8_t *idx;         /* DOCIDX: td_docblk[nblocks] */
  uint64_t nblocks, ndocs;
  uint32_t docs_per_block;
  uint8_t *cache;             /* the last block decompressed */
  size_t cachecap;
  uint64_t cached;            /* its number, or UINT64_MAX */
} td_docreader;

td_status td_docreader_init(td_docreader *r, const uint8_t *data, size_t len,
                            const uint8_t *idx, size_t idxlen, uint64_t ndocs,
                            uint32_t docs_per_block, td_error *err);
void td_docreader_free(td_docreader *r);

/* Fills the fields of DOC with the stored article DOCID.  The pointers stay
** valid until the next call on R. */
td_status td_docreader_get(td_docreader *r, uint64_t docid, td_article *doc, td_error *err);

#endif
