/*
** corpus_txt.c - plain-text articles, one per file: the first non-blank line
** is the title, the lines after it the body, and the id is the file's path
** below the corpus root.
*/
#include "corpus_int.h"

#include <string.h>

/*
** Reads the whole file as one article.  The body stops at
** TD_MAX_ARTICLE_BYTES: the rest of the file is not read at all, since it
** could only be thrown away.  A file without a non-blank line yields nothing
** (the dispatcher then warns that it held no article).
*/
td_status td_cr_read_txt(td_cr_src *s) {
  td_cr_acc title = TD_CR_ACC(TD_CR_META_MAX), body = TD_CR_ACC(TD_MAX_ARTICLE_BYTES);
  enum { BEFORE, IN_TITLE, IN_BODY } where = BEFORE;
  long first = 0;
  td_cr_piece pc;
  td_status st = TD_OK;
  while (!body.cut && td_cr_next(s, &pc)) {
    if (where == BEFORE) {
      if (td_cr_blank(pc.p, pc.n)) continue;
      where = IN_TITLE;
      first = pc.line;
    }
    td_cr_acc *a = where == IN_TITLE ? &title : &body;
    if (td_cr_put(a, pc.p, pc.n) || (a == &body && !pc.more && td_cr_put(a, "\n", 1))) {
      st = td_cr_nomem(s);
      break;
    }
    if (where == IN_TITLE && !pc.more) where = IN_BODY;
  }
  if (st == TD_OK && where != BEFORE) {
    td_cr_raw r = {.line = first,
                   .cut = (unsigned)title.cut << TD_CR_TITLE | (unsigned)body.cut << TD_CR_BODY};
    r.a.id = (td_text){s->relname, strlen(s->relname)};
    r.a.title = (td_text){title.data, title.len};
    r.a.body = (td_text){body.data, body.len};
    st = td_cr_emit(s, &r);
  }
  td_cr_free(&title);
  td_cr_free(&body);
  return st;
}
