/*
** docstore.h - stored article fields, compressed in blocks with zstd.
**
** A store holds one record of NFIELDS byte strings per document, PER_BLOCK
** records to a zstd frame.  An index has two: the summary store (id, title,
** date, source, url: what a result line shows, in small records many to a
** frame) and the body store (the text, few to a frame), so printing hits
** never decompresses article bodies.
**
** The writer holds back the first TD_DICT_SAMPLE bytes of records, trains a
** zstd dictionary on them, then streams frames to a file as the indexer
** goes, so stored text never accumulates in memory beyond the sample.  The
** reader decompresses the one frame a record lives in, after checking its
** CRC, and keeps the last frame for the next record.
*/
#ifndef TD_DOCSTORE_H
#define TD_DOCSTORE_H

#include <stdint.h>
#include <stdio.h>

#include "article.h"
#include "buf.h"
#include "status.h"

#define TD_MAX_FIELDS 8
#define TD_SUMMARY_PER_BLOCK 64u  /* title, date, source, url: read per hit */
/* Bodies are read only to fetch one whole article (about a millisecond to
** decompress a frame of 1024 news articles), so frames are large: on
** Reuters-21578, 1024 a frame store 5.71 MB without a dictionary where 256
** a frame with a 64 KB dictionary took 5.94 MB, in the same time. */
#define TD_BODY_PER_BLOCK 1024u
/* Bytes of records the dictionary learns from.  Until then nothing is
** written, so a small collection's store is compressed only when the build
** finishes: on Reuters-21578, 1 MB of summaries trains a dictionary as good
** as 2 MB did (+1.3 KB) and takes their compression off the final step. */
#define TD_DICT_SAMPLE (1u << 20)
#define TD_DICT_SIZE (64u << 10)  /* the dictionary's size */
/* zstd levels: bodies are most of the input, where level 3 is the best
** trade of speed for size (level 6: 0.3 MB smaller on Reuters-21578 for a
** fifth more indexing time); summaries are a few percent of it, where level
** 6 is 3% smaller than level 3 and level 9 only 0.3% smaller again. */
#define TD_BODY_LEVEL 3
#define TD_SUMMARY_LEVEL 6

typedef struct td_docwriter td_docwriter;

/* Writes frames of PER_BLOCK records of NFIELDS fields, compressed at
** zstd LEVEL, to OUT starting at its current position, which becomes offset
** 0 of the store's section. */
td_status td_docwriter_new(FILE *out, uint32_t nfields, uint32_t per_block, int level,
                           td_docwriter **w);
/* Adds the next record: FIELDS[0..nfields). */
td_status td_docwriter_add(td_docwriter *w, const td_text *fields);

/* The result of a finished docstore: its sections and their checksums. */
typedef struct td_docstore_out {
  uint64_t bytes;           /* the frames' length, written to the file */
  uint32_t crc;             /* CRC of those bytes */
  td_buf idx;               /* the index section: td_docblk per frame */
  td_buf dict;              /* the dictionary section */
} td_docstore_out;

/* Flushes the last block and hands over the sections (the caller frees
** the two buffers). */
td_status td_docwriter_finish(td_docwriter *w, td_docstore_out *out);
void td_docwriter_free(td_docwriter *w);

typedef struct td_docreader td_docreader;

td_status td_docreader_new(const uint8_t *data, size_t len, const uint8_t *idx, size_t idxlen,
                           const uint8_t *dict, size_t dictlen, uint64_t ndocs,
                           uint32_t docs_per_block, uint32_t nfields, td_docreader **out,
                           td_error *err);
void td_docreader_free(td_docreader *r);

/* Fills FIELDS[0..nfields) with record DOCID.  The pointers stay valid
** until the next call on R. */
td_status td_docreader_get(td_docreader *r, uint64_t docid, td_text *fields, td_error *err);

#endif
