/*
** idmap.h - docid to external id (DOCNO, JSON id, path), front-coded.
**
** Result lines in trec form need only the external id, and relevance runs
** print a thousand per query, so ids live apart from the compressed stores:
** blocks of TD_IDS_PER_BLOCK ids, each id stored as the bytes it shares with
** the previous one and the rest ("reuters-1207", "reuters-1208" costs 3
** bytes), each block with a CRC checked the first time it is read.
*/
#ifndef TD_IDMAP_H
#define TD_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "article.h"
#include "buf.h"
#include "status.h"

#define TD_IDS_PER_BLOCK 32u

typedef struct td_idwriter {
  td_buf data;            /* IDS section so far */
  td_buf idx;             /* IDSIDX section so far: td_lexblk per block */
  td_buf prev;            /* the previous id of the block */
  uint64_t n;             /* ids added */
  size_t block_start;     /* offset of the open block in DATA */
} td_idwriter;

#define TD_IDWRITER_INIT {TD_BUF_INIT, TD_BUF_INIT, TD_BUF_INIT, 0, 0}

td_status td_idwriter_add(td_idwriter *w, const td_text *id);
/* Closes the last block; DATA and IDX are then the two sections. */
td_status td_idwriter_finish(td_idwriter *w);
void td_idwriter_free(td_idwriter *w);

typedef struct td_idmap {
  const uint8_t *data;
  size_t len;
  const uint8_t *idx;
  uint64_t nblocks, n;
  uint8_t *verified;      /* per block: CRC already checked */
  td_buf cur;             /* the id last looked up */
} td_idmap;

td_status td_idmap_init(td_idmap *m, const uint8_t *data, size_t len, const uint8_t *idx,
                        size_t idxlen, uint64_t n, td_error *err);
void td_idmap_free(td_idmap *m);

/* The id of DOCID, valid until the next call on M. */
td_status td_idmap_get(td_idmap *m, uint64_t docid, td_text *id, td_error *err);

#endif
