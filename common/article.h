/*
** article.h - one news article as the corpus readers hand it to the indexer.
**
** Every field is a byte range in UTF-8 that the reader owns and keeps valid
** only for the duration of the callback it is passed to.  Absent fields have
** len 0.  Readers repair text before handing it over: invalid UTF-8 bytes are
** decoded as Latin-1, NUL and other control characters except tab and newline
** become spaces, so every field is valid UTF-8.
*/
#ifndef TD_ARTICLE_H
#define TD_ARTICLE_H

#include <stddef.h>

typedef struct td_text {
  const char *ptr;
  size_t len;
} td_text;

typedef struct td_article {
  td_text id;      /* external id: DOCNO, JSON "id", or path below the corpus root */
  td_text title;
  td_text date;    /* YYYY-MM-DD when the input's date could be parsed, else as written */
  td_text source;
  td_text url;
  td_text body;
} td_article;

#endif
