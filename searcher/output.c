/*
** output.c - printing hits.  Every format writes whole lines so that batch
** output can be split per query by its first field.
*/
#include "output.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int output_parse_format(const char *name, out_format *f) {
  static const struct { const char *name; out_format f; } names[] = {
      {"text", OUT_TEXT}, {"json", OUT_JSON}, {"tsv", OUT_TSV}, {"trec", OUT_TREC}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(name, names[i].name) == 0) {
      *f = names[i].f;
      return 1;
    }
  return 0;
}

/* Writes T with tabs, newlines and other control bytes as spaces, so a
** field never breaks a tsv or text line. */
static void put_flat(FILE *f, const td_text *t, size_t max) {
  size_t n = t->len < max ? t->len : max;
  /* A cut falls back to a character boundary, never inside a UTF-8 sequence. */
  while (n < t->len && n > 0 && ((unsigned char)t->ptr[n] & 0xC0) == 0x80) n--;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)t->ptr[i];
    putc(ch < 0x20 || ch == 0x7f ? ' ' : ch, f);
  }
  if (n < t->len) fputs("...", f);
}

/* An id with a space would split the trec line: print it with underscores. */
static void put_token(FILE *f, const td_text *t) {
  if (t->len == 0) {
    putc('-', f);
    return;
  }
  for (size_t i = 0; i < t->len; i++) {
    unsigned char ch = (unsigned char)t->ptr[i];
    putc(ch <= 0x20 || ch == 0x7f ? '_' : ch, f);
  }
}

/* A JSON string of the N bytes at P, each byte that is not UTF-8 replaced
** by U+FFFD: a query id typed in another encoding, or a damaged stored
** field, still comes out, and still tells one query's lines from another's. */
static json_t *json_text(const char *p, size_t n) {
  json_t *s = json_stringn(p ? p : "", n);
  if (s || !p) return s;
  char *fixed = malloc(3 * n + 1);
  if (!fixed) return NULL;
  size_t out = 0;
  for (size_t i = 0; i < n;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)p + i,
                                          (utf8proc_ssize_t)(n - i), &cp);
    if (k <= 0) {
      cp = 0xFFFD;
      k = 1;
    }
    out += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)fixed + out);
    i += (size_t)k;
  }
  s = json_stringn(fixed, out);
  free(fixed);
  return s;
}

static void put_json(FILE *f, const char *qid, size_t rank, const td_hit *h,
                     const td_article *d) {
  json_t *o = json_object();
  if (!o) return;
  json_object_set_new(o, "qid", json_text(qid, strlen(qid)));
  json_object_set_new(o, "rank", json_integer((json_int_t)rank));
  json_object_set_new(o, "score", json_real((double)h->score));
  const struct { const char *k; const td_text *v; } fields[] = {
      {"id", &d->id}, {"title", &d->title}, {"date", &d->date},
      {"source", &d->source}, {"url", &d->url}};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    /* Stored text is valid UTF-8 (the readers repair it); a damaged field
    ** is repaired here. */
    json_object_set_new(o, fields[i].k, json_text(fields[i].v->ptr, fields[i].v->len));
  }
  char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
  if (line) {
    fputs(line, f);
    putc('\n', f);
    free(line);
  }
  json_decref(o);
}

void output_hit(FILE *f, const out_opts *o, const char *qid, size_t rank, const td_hit *h,
                const td_article *d) {
  switch (o->format) {
    case OUT_TREC:
      put_token(f, &(td_text){qid, strlen(qid)});
      fputs(" Q0 ", f);
      put_token(f, &d->id);
      fprintf(f, " %zu %.6f %s\n", rank, (double)h->score, o->tag);
      break;
    case OUT_TSV:
      fprintf(f, "%s\t%zu\t%.4f\t", qid, rank, (double)h->score);
      put_flat(f, &d->id, SIZE_MAX);
      putc('\t', f);
      put_flat(f, &d->date, SIZE_MAX);
      putc('\t', f);
      put_flat(f, &d->title, SIZE_MAX);
      putc('\t', f);
      put_flat(f, &d->source, SIZE_MAX);
      putc('\t', f);
      put_flat(f, &d->url, SIZE_MAX);
      putc('\n', f);
      break;
    case OUT_JSON:
      put_json(f, qid, rank, h, d);
      break;
    case OUT_TEXT: {
      const char *bold = o->color ? "\033[1m" : "", *dim = o->color ? "\033[2m" : "",
                 *off = o->color ? "\033[0m" : "";
      fprintf(f, "%3zu. %7.3f  %-10.*s  %s", rank, (double)h->score, (int)d->date.len,
              d->date.len ? d->date.ptr : "", bold);
      if (d->title.len) put_flat(f, &d->title, 100);
      else fputs("(no title)", f);
      fprintf(f, "%s  %s[", off, dim);
      put_flat(f, &d->id, 200);
      putc(']', f);
      if (d->source.len) {
        fputs(" ", f);
        put_flat(f, &d->source, 60);
      }
      fprintf(f, "%s\n", off);
      break;
    }
  }
}
