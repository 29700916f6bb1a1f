/*
** corpus_jsonl.c - JSON Lines: one object per line with "id" (string or
** number) and "body" (string) required, and "title", "date", "source" and
** "url" (strings) optional.
**
** Lines are parsed with jansson.  jansson rejects invalid UTF-8 and raw
** control characters inside strings, so a line holding either is repaired
** first (invalid bytes read as Latin-1, control characters made spaces),
** which keeps its records instead of losing them.  A line longer than
** TD_MAX_ARTICLE_BYTES is skipped without ever being held whole.
*/
#include "corpus_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* The string or (for "id") number under KEY in OBJ, into *OUT; 0 when the
** key is absent or null, -1 when it holds something else. */
static int field(json_t *obj, const char *key, td_text *out, char *num, size_t numsize) {
  json_t *v = json_object_get(obj, key);
  if (json_is_string(v)) {
    *out = (td_text){json_string_value(v), json_string_length(v)};
    return 1;
  }
  if (num && json_is_integer(v)) {
    snprintf(num, numsize, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  } else if (num && json_is_real(v)) {
    snprintf(num, numsize, "%.17g", json_real_value(v));
  } else {
    return !v || json_is_null(v) ? 0 : -1;
  }
  *out = (td_text){num, strlen(num)};
  return 1;
}

/* Turns one line into an article, or warns and counts it skipped. */
static td_status record(td_cr_src *s, td_cr_acc *fixed, const char *p, size_t n, long line) {
  if (td_cr_blank(p, n)) return TD_OK;
  if (td_cr_clean_prefix(p, n, 0) != n) {
    td_cr_reset(fixed);
    if (td_cr_repair(s, line, fixed, p, n, 0)) return td_cr_nomem(s);
    p = fixed->data;
    n = fixed->len;
  }
  json_error_t je;
  json_t *obj = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
  const char *why = NULL;
  td_cr_raw r = {.line = line};
  char num[64];
  if (!obj) {
    td_cr_warn(s, line, "not valid JSON (%s, at column %d); line skipped", je.text, je.column);
  } else if (!json_is_object(obj)) {
    why = "is not a JSON object";
  } else if (field(obj, "id", &r.a.id, num, sizeof num) != 1) {
    why = "has no \"id\" string or number";
  } else if (td_cr_blank(r.a.id.ptr, r.a.id.len)) {
    why = "has an empty \"id\"";
  } else if (field(obj, "body", &r.a.body, NULL, 0) != 1) {
    why = "has no \"body\" string";
  }
  if (why) td_cr_warn(s, line, "the record %s; line skipped", why);
  if (!obj || why) {
    s->counts.records_skipped++;
    json_decref(obj);
    return TD_OK;
  }
  static const struct { const char *key; int f; } opt[] = {
      {"title", TD_CR_TITLE}, {"date", TD_CR_DATE}, {"source", TD_CR_SOURCE}, {"url", TD_CR_URL}};
  td_text *slot[TD_CR_NFIELDS] = {&r.a.id, &r.a.title, &r.a.date, &r.a.source, &r.a.url, &r.a.body};
  for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
    if (field(obj, opt[i].key, slot[opt[i].f], NULL, 0) < 0)
      td_cr_warn(s, line, "\"%s\" is not a string; it was left out", opt[i].key);
  td_status st = td_cr_emit(s, &r);
  json_decref(obj);
  return st;
}

/*
** Reads the file line by line.  A line that fits the read buffer is parsed
** where it lies; a longer one is gathered in LINE, up to the article cap.
*/
td_status td_cr_read_jsonl(td_cr_src *s) {
  td_cr_acc line = TD_CR_ACC(TD_MAX_ARTICLE_BYTES), fixed = TD_CR_ACC(SIZE_MAX);
  td_cr_piece pc;
  td_status st = TD_OK;
  while (st == TD_OK && td_cr_next(s, &pc)) {
    if (!pc.more && line.len == 0 && !line.cut) {
      st = record(s, &fixed, pc.p, pc.n, pc.line);
      continue;
    }
    if (td_cr_put(&line, pc.p, pc.n)) {
      st = td_cr_nomem(s);
    } else if (!pc.more) {
      if (line.cut) {
        td_cr_warn(s, pc.line, "line longer than %u MiB; skipped", TD_MAX_ARTICLE_BYTES >> 20);
        s->counts.records_skipped++;
      } else {
        st = record(s, &fixed, line.data, line.len, pc.line);
      }
      td_cr_reset(&line);
    }
  }
  td_cr_free(&line);
  td_cr_free(&fixed);
  return st;
}
