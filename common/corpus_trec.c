/*
** corpus_trec.c - TREC SGML: many <DOC> ... </DOC> per file, each with a
** <DOCNO> and optionally <DATE>, <HEADLINE> or <TITLE>, and <TEXT>.
**
** Only those tags (upper case, no attributes, opening or closing) are
** markup, wherever they stand on a line; any other '<', as in Reuters'
** "<BG>" or "<Brown Group Inc>", is text.  The input is scanned line by line
** and each stretch of text goes to the field whose tag was opened last.  Text
** inside a DOC but in no field is kept aside as the body of a DOC that turns
** out to have no <TEXT>.
*/
#include "corpus_int.h"

#include <stdio.h>
#include <string.h>

/* Where text goes (T_LOOSE: inside a DOC, in no field), and the DOC tag. */
enum { T_LOOSE, T_DOCNO, T_DATE, T_TITLE, T_TEXT, T_NTARGETS, K_DOC = T_NTARGETS };

typedef struct trec {
  td_cr_src *s;
  td_cr_acc f[T_NTARGETS];
  int in_doc, target, has_text;
  int line_tag, after_tag;   /* this line has had a tag; text came after the last one */
  int stray_warned;          /* text outside any DOC was reported */
  long start;                /* line of the current <DOC> */
  unsigned long ordinal;     /* DOCs begun so far */
} trec;

/* Length of the markup tag at P ("<DOCNO>", "</TEXT>"...) with its kind and
** whether it closes, or 0 when the '<' at P is plain text. */
static size_t match_tag(const char *p, size_t n, int *kind, int *closing) {
  static const struct { const char *name; int kind; } tag[] = {
      {"DOC", K_DOC}, {"DOCNO", T_DOCNO}, {"DATE", T_DATE},
      {"HEADLINE", T_TITLE}, {"TITLE", T_TITLE}, {"TEXT", T_TEXT}};
  size_t i = 1;
  *closing = i < n && p[i] == '/';
  i += (size_t)*closing;
  size_t name = i;
  while (i < n && i - name < 9 && p[i] >= 'A' && p[i] <= 'Z') i++;
  if (i >= n || p[i] != '>') return 0;
  for (size_t k = 0; k < sizeof tag / sizeof tag[0]; k++)
    if (strlen(tag[k].name) == i - name && memcmp(p + name, tag[k].name, i - name) == 0) {
      *kind = tag[k].kind;
      return i + 1;
    }
  return 0;
}

static td_status put(trec *t, int target, const char *p, size_t n) {
  return td_cr_put(&t->f[target], p, n) ? td_cr_nomem(t->s) : TD_OK;
}

static void begin_doc(trec *t, long line) {
  for (int i = 0; i < T_NTARGETS; i++) td_cr_reset(&t->f[i]);
  t->in_doc = 1;
  t->target = T_LOOSE;
  t->has_text = 0;
  t->start = line;
  t->ordinal++;
}

/* Hands the current DOC over.  Without a DOCNO it gets the id RELNAME#N (N
** counting DOCs from 1); without a DOCNO, a title or any text it is dropped
** as a skipped record. */
static td_status end_doc(trec *t) {
  td_cr_src *s = t->s;
  td_cr_acc *id = &t->f[T_DOCNO], *title = &t->f[T_TITLE], *date = &t->f[T_DATE];
  td_cr_acc *body = &t->f[t->has_text ? T_TEXT : T_LOOSE];
  t->in_doc = 0;
  if (td_cr_blank(id->data, id->len)) {
    if (td_cr_blank(title->data, title->len) && td_cr_blank(body->data, body->len)) {
      td_cr_warn(s, t->start, "<DOC> number %lu has no DOCNO, title or text; skipped", t->ordinal);
      s->counts.records_skipped++;
      return TD_OK;
    }
    char num[32];
    snprintf(num, sizeof num, "#%lu", t->ordinal);
    td_cr_reset(id);
    if (put(t, T_DOCNO, s->relname, strlen(s->relname)) || put(t, T_DOCNO, num, strlen(num)))
      return TD_ENOMEM;
    td_cr_warn(s, t->start, "<DOC> number %lu has no <DOCNO>; it was given the id %s%s",
               t->ordinal, s->relname, num);
  }
  td_cr_raw r = {.line = t->start,
                 .cut = (unsigned)id->cut << TD_CR_ID | (unsigned)title->cut << TD_CR_TITLE |
                        (unsigned)date->cut << TD_CR_DATE | (unsigned)body->cut << TD_CR_BODY};
  r.a.id = (td_text){id->data, id->len};
  r.a.title = (td_text){title->data, title->len};
  r.a.date = (td_text){date->data, date->len};
  r.a.body = (td_text){body->data, body->len};
  return td_cr_emit(s, &r);
}

/* Acts on the tag [P, P+LEN) of KIND found on LINE.  An unclosed DOC is
** ended by the next <DOC>; a field tag outside any DOC starts one. */
static td_status on_tag(trec *t, const char *p, size_t len, int kind, int closing, long line) {
  td_status st;
  if (kind == K_DOC) {
    if (closing) return t->in_doc ? end_doc(t) : TD_OK;
    if (t->in_doc) {
      td_cr_warn(t->s, t->start, "<DOC> not closed before the next <DOC> on line %ld; "
                 "the document was kept as if closed there", line);
      if ((st = end_doc(t))) return st;
    }
    begin_doc(t, line);
    return TD_OK;
  }
  if (closing) {
    if (t->in_doc && t->target == kind) t->target = T_LOOSE;
    return TD_OK;
  }
  if (!t->in_doc) {
    td_cr_warn(t->s, line, "%.*s outside any <DOC>; a document was started there", (int)len, p);
    begin_doc(t, line);
  }
  /* A field seen again is continued: TEXT sections become paragraphs. */
  td_cr_acc *f = &t->f[kind];
  if (f->len) {
    const char *sep = kind != T_TEXT ? " " : f->data[f->len - 1] == '\n' ? "\n" : "\n\n";
    if ((st = put(t, kind, sep, strlen(sep)))) return st;
  }
  t->has_text |= kind == T_TEXT;
  t->target = kind;
  return TD_OK;
}

static td_status on_text(trec *t, const char *p, size_t n, long line) {
  if (!n) return TD_OK;
  if (!t->in_doc) {
    if (!t->stray_warned && !td_cr_blank(p, n)) {
      t->stray_warned = 1;
      td_cr_warn(t->s, line, "text outside any <DOC> ignored (here and wherever else it "
                 "occurs in this file)");
    }
    return TD_OK;
  }
  t->after_tag = 1;
  return put(t, t->target, p, n);
}

/* Splits a line (or piece of one) into text and tags.  The line break goes
** to the current field unless the line ended with a tag, so "<TEXT>" and
** "</DOCNO>" lines add no blank lines. */
static td_status on_piece(trec *t, const td_cr_piece *pc) {
  const char *seg = pc->p, *q = pc->p, *end = pc->p + pc->n;
  td_status st;
  while ((q = memchr(q, '<', (size_t)(end - q)))) {
    int kind, closing;
    size_t len = match_tag(q, (size_t)(end - q), &kind, &closing);
    if (!len) {
      q++;
      continue;
    }
    if ((st = on_text(t, seg, (size_t)(q - seg), pc->line)) ||
        (st = on_tag(t, q, len, kind, closing, pc->line)))
      return st;
    q += len;
    seg = q;
    t->line_tag = 1;
    t->after_tag = 0;
  }
  if ((st = on_text(t, seg, (size_t)(end - seg), pc->line))) return st;
  if (pc->more) return TD_OK;
  int newline = t->in_doc && (!t->line_tag || t->after_tag);
  t->line_tag = t->after_tag = 0;
  return newline ? put(t, t->target, "\n", 1) : TD_OK;
}

/*
** Reads every DOC of the file.  The text of a DOC is capped at
** TD_MAX_ARTICLE_BYTES (its DOCNO, DATE and title at TD_CR_META_MAX), but the
** reader goes on through the rest of it to find where the next DOC starts.
** A DOC still open at the end of the input is kept, with a warning.
*/
td_status td_cr_read_trec(td_cr_src *s) {
  trec t = {.s = s};
  for (int i = 0; i < T_NTARGETS; i++) {
    size_t cap = i == T_TEXT || i == T_LOOSE ? TD_MAX_ARTICLE_BYTES : TD_CR_META_MAX;
    t.f[i] = (td_cr_acc)TD_CR_ACC(cap);
  }
  td_cr_piece pc;
  td_status st = TD_OK;
  while (st == TD_OK && td_cr_next(s, &pc)) st = on_piece(&t, &pc);
  if (st == TD_OK && t.in_doc) {
    td_cr_warn(s, t.start, "<DOC> not closed at the end of the input (line %ld); "
               "the document was kept as if closed there", s->line - 1);
    st = end_doc(&t);
  }
  for (int i = 0; i < T_NTARGETS; i++) td_cr_free(&t.f[i]);
  return st;
}
