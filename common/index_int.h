/*
** index_int.h - the opened index, shared by index.c and the evaluator.
*/
#ifndef TD_INDEX_INT_H
#define TD_INDEX_INT_H

#include "analyzer.h"
#include "docstore.h"
#include "format.h"
#include "idmap.h"
#include "lexicon.h"
#include "tidings.h"

typedef struct td_region {
  const uint8_t *p;
  size_t len;
} td_region;

struct td_index {
  char *path;
  const uint8_t *map;
  size_t size;
  td_meta meta;
  td_region sec[TD_SEC_LAST + 1];       /* by td_section_id */
  uint32_t sec_crc[TD_SEC_LAST + 1];
  const td_docent *docs;                /* DOCTAB, 4-aligned in the map */
  float avgdl;
  td_lexicon lex;
  uint8_t *pverified;                   /* postings blocks whose CRC was checked */
  td_docreader *bodies, *summaries;
  td_idmap ids;
  td_analyzer *an;
};

/* RC as it is, unless it is TD_ECORRUPT: then ERR's message is prefixed
** with the index's path and ends telling the user to rebuild it. */
td_status td_index_damage(const td_index *ix, td_status rc, td_error *err);

#endif
