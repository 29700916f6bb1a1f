/*
** docstore.h - stored article fields, compressed in blocks with zstd.
**
** The writer holds back the first TD_DICT_SAMPLE bytes of articles, trains
** a zstd dictionary on them, then streams blocks of TD_DOCS_PER_BLOCK
** articles to a file as the indexer goes, so stored text never accumulates
** in memory beyond the sample.  The reader decompresses the one block a hit
** lives in, after checking its CRC, and keeps the last block for the next
** hit.
*/
#ifndef TD_DOCSTORE_H
#define TD_DOCSTORE_H

#include <stdint.h>
#include <stdio.h>

#include "article.h"
#include "buf.h"
#include "status.h"

#define TD_DOCS_PER_BLOCK 32u
#define TD_NFIELDS 6              /* id, title, date, source, url, body */
#define TD_DICT_SAMPLE (2u << 20) /* bytes of articles the dictionary learns from */
#define TD_DICT_SIZE (64u << 10)  /* the dictionary's size */
#define TD_ZSTD_LEVEL 3

typedef struct td_docwriter td_docwriter;

/* Writes blocks to OUT starting at its current position, which becomes
** offset 0 of the DOCSTORE section. */
td_status td_docwriter_new(FILE *out, td_docwriter **w);
td_status td_docwriter_add(td_docwriter *w, const td_article *a);

/* The result of a finished docstore: its sections and their checksums. */
typedef struct td_docstore_out {
  uint64_t bytes;           /* DOCSTORE length, written to the file */
  uint32_t crc;             /* CRC of those bytes */
  td_buf idx;               /* DOCIDX section */
  td_buf dict;              /* DICT section */
} td_docstore_out;

/* Flushes the last block and hands over the sections (the caller frees
** the two buffers). */
td_status td_docwriter_finish(td_docwriter *w, td_docstore_out *out);
void td_docwriter_free(td_docwriter *w);

typedef struct td_docreader td_docreader;

td_status td_docreader_new(const uint8_t *data, size_t len, const uint8_t *idx, size_t idxlen,
                           const uint8_t *dict, size_t dictlen, uint64_t ndocs,
                           uint32_t docs_per_block, td_docreader **out, td_error *err);
void td_docreader_free(td_docreader *r);

/* Fills the fields of DOC with the stored article DOCID.  The pointers stay
** valid until the next call on R. */
td_status td_docreader_get(td_docreader *r, uint64_t docid, td_article *doc, td_error *err);

#endif
