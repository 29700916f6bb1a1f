/*
** corpus_jsonl.c - JSON Lines: one object per line with "id" (string or
** number) and "body" (string) required, and "title", "date", "source" and
** "url" (strings) optional.
**
** Lines are parsed with yajl's event parser: the fields are picked out of
** the top-level object as the parser meets them, and nothing else of the
** line is built.  jansson, which built each line as a tree of objects
** first, took a quarter of the time of indexing a JSON Lines corpus; yajl
** reads the same lines about nine times as fast.  As before, a line holding
** invalid UTF-8 or raw control characters is repaired first (invalid bytes
** read as Latin-1, control characters made spaces), which keeps its record
** instead of losing it, and a line longer than TD_MAX_ARTICLE_BYTES is
** skipped without ever being held whole.  Where a key comes twice, the last
** value counts.
*/
#include "corpus_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* How one field of the record was given. */
enum { JL_ABSENT, JL_STRING, JL_OTHER };

/* The record being parsed: what the top-level object holds so far. */
typedef struct jl_record {
  int depth;                  /* of nesting: 1 inside the top-level object */
  int seen;                   /* the top-level value has begun */
  int not_object;             /* ... and it is not an object */
  int key;                    /* the TD_CR_xxx field the next value is for, or -1 */
  int how[TD_CR_NFIELDS];     /* JL_ABSENT, JL_STRING or JL_OTHER */
  td_cr_acc val[TD_CR_NFIELDS];
  td_status rc;               /* out of memory while copying a value */
} jl_record;

static const char *const jl_keys[TD_CR_NFIELDS] = {"id", "title", "date", "source", "url",
                                                    "body"};

/* Notes that a value begins, a map when MAP; returns the field it is for,
** or -1 when it is not a field of the top-level object. */
static int jl_value(jl_record *r, int map) {
  int f = r->depth == 1 ? r->key : -1;
  r->key = -1;
  if (r->depth == 0) {
    r->seen = 1;
    if (!map) r->not_object = 1;
  }
  return f;
}

/* A value that is not a string (nor, for "id", a number) in field F. */
static void jl_other(jl_record *r, int f) {
  if (f >= 0) r->how[f] = JL_OTHER;
}

static int jl_set(jl_record *r, int f, const char *p, size_t n) {
  td_cr_reset(&r->val[f]);
  if (n && td_cr_put(&r->val[f], p, n)) {
    r->rc = TD_ENOMEM;
    return 0;
  }
  r->how[f] = JL_STRING;
  return 1;
}

static int jl_null(void *ctx) {
  jl_record *r = ctx;
  int f = jl_value(r, 0);
  if (f >= 0) r->how[f] = JL_ABSENT;
  return 1;
}

static int jl_boolean(void *ctx, int b) {
  (void)b;
  jl_record *r = ctx;
  jl_other(r, jl_value(r, 0));
  return 1;
}

/* An "id" number is kept as jansson, the parser before, printed it, so ids
** stay what they were: an integer in decimal, any other number with 17
** significant digits.  A number too large for that (an integer past 64 bits,
** a real past the double range), which jansson refused, keeps its text. */
static int jl_number(void *ctx, const char *p, size_t n) {
  jl_record *r = ctx;
  int f = jl_value(r, 0);
  if (f != TD_CR_ID) {
    jl_other(r, f);
    return 1;
  }
  char text[64], num[64];
  int len = -1;
  if (n < sizeof text) {
    memcpy(text, p, n);
    text[n] = '\0';
    errno = 0;
    if (!strpbrk(text, ".eE")) {
      long long v = strtoll(text, NULL, 10);
      if (errno != ERANGE) len = snprintf(num, sizeof num, "%lld", v);
    } else {
      double d = strtod(text, NULL);
      if (!isinf(d)) len = snprintf(num, sizeof num, "%.17g", d);
    }
  }
  return len < 0 ? jl_set(r, f, p, n) : jl_set(r, f, num, (size_t)len);
}

static int jl_string(void *ctx, const unsigned char *p, size_t n) {
  jl_record *r = ctx;
  int f = jl_value(r, 0);
  return f >= 0 ? jl_set(r, f, (const char *)p, n) : 1;
}

static int jl_start_map(void *ctx) {
  jl_record *r = ctx;
  jl_other(r, jl_value(r, 1));
  r->depth++;
  return 1;
}

static int jl_start_array(void *ctx) {
  jl_record *r = ctx;
  jl_other(r, jl_value(r, 0));
  r->depth++;
  return 1;
}

static int jl_key(void *ctx, const unsigned char *p, size_t n) {
  jl_record *r = ctx;
  r->key = -1;
  if (r->depth != 1) return 1;
  for (int f = 0; f < TD_CR_NFIELDS; f++)
    if (strlen(jl_keys[f]) == n && memcmp(jl_keys[f], p, n) == 0) r->key = f;
  return 1;
}

static int jl_end(void *ctx) {
  ((jl_record *)ctx)->depth--;
  return 1;
}

static const yajl_callbacks jl_callbacks = {
    jl_null,      jl_boolean, NULL,   NULL,           jl_number, jl_string,
    jl_start_map, jl_key,     jl_end, jl_start_array, jl_end};

static void jl_clear(jl_record *r) {
  r->depth = r->seen = r->not_object = 0;
  r->key = -1;
  r->rc = TD_OK;
  for (int f = 0; f < TD_CR_NFIELDS; f++) {
    r->how[f] = JL_ABSENT;
    td_cr_reset(&r->val[f]);
  }
}

/* Parses [P, P+N) into R; on invalid JSON writes yajl's reason into WHY
** (trailing newline and full stop dropped) and the column into *COL and
** returns 0. */
static int jl_parse(jl_record *r, const char *p, size_t n, char *why, size_t whysize,
                    size_t *col) {
  jl_clear(r);
  yajl_handle h = yajl_alloc(&jl_callbacks, NULL, r);
  if (!h) {
    r->rc = TD_ENOMEM;
    return 1;
  }
  yajl_status st = yajl_parse(h, (const unsigned char *)p, n);
  /* A line that ends too early fails only in the final call, whose byte
  ** count is 0: the place to name is then the end of the line. */
  size_t at = yajl_get_bytes_consumed(h);
  if (st == yajl_status_ok) {
    st = yajl_complete_parse(h);
    at = n;
  }
  int ok = st == yajl_status_ok || r->rc;
  if (!ok) {
    unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
    size_t len = msg ? strcspn((const char *)msg, "\n") : 0;
    while (len && (msg[len - 1] == '.' || msg[len - 1] == ' ')) len--;
    snprintf(why, whysize, "%.*s", (int)len, msg ? (const char *)msg : "invalid");
    if (msg) yajl_free_error(h, msg);
    *col = at + 1;
  }
  yajl_free(h);
  return ok;
}

/* Turns one line into an article, or warns and counts it skipped. */
static td_status record(td_cr_src *s, jl_record *jr, td_cr_acc *fixed, const char *p, size_t n,
                        long line) {
  if (td_cr_blank(p, n)) return TD_OK;
  if (td_cr_clean_prefix(p, n, 0) != n) {
    td_cr_reset(fixed);
    if (td_cr_repair(s, line, fixed, p, n, 0)) return td_cr_nomem(s);
    p = fixed->data;
    n = fixed->len;
  }
  char reason[160];
  size_t col = 0;
  int parsed = jl_parse(jr, p, n, reason, sizeof reason, &col);
  if (jr->rc) return td_cr_nomem(s);
  td_cr_raw r = {.line = line};
  td_text *slot[TD_CR_NFIELDS] = {&r.a.id, &r.a.title, &r.a.date, &r.a.source, &r.a.url, &r.a.body};
  for (int f = 0; f < TD_CR_NFIELDS; f++)
    if (jr->how[f] == JL_STRING) *slot[f] = (td_text){jr->val[f].data ? jr->val[f].data : "",
                                                       jr->val[f].len};
  const char *why = NULL;
  if (!parsed) {
    td_cr_warn(s, line, "not valid JSON (%s, at column %zu); line skipped", reason, col);
  } else if (jr->not_object || !jr->seen) {
    why = "is not a JSON object";
  } else if (jr->how[TD_CR_ID] != JL_STRING) {
    why = "has no \"id\" string or number";
  } else if (td_cr_blank(r.a.id.ptr, r.a.id.len)) {
    why = "has an empty \"id\"";
  } else if (jr->how[TD_CR_BODY] != JL_STRING) {
    why = "has no \"body\" string";
  }
  if (why) td_cr_warn(s, line, "the record %s; line skipped", why);
  if (!parsed || why) {
    s->counts.records_skipped++;
    return TD_OK;
  }
  static const int optional[] = {TD_CR_TITLE, TD_CR_DATE, TD_CR_SOURCE, TD_CR_URL};
  for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
    if (jr->how[optional[i]] == JL_OTHER)
      td_cr_warn(s, line, "\"%s\" is not a string; it was left out", jl_keys[optional[i]]);
  return td_cr_emit(s, &r);
}

/*
** Reads the file line by line.  A line that fits the read buffer is parsed
** where it lies; a longer one is gathered in LINE, up to the article cap.
*/
td_status td_cr_read_jsonl(td_cr_src *s) {
  td_cr_acc line = TD_CR_ACC(TD_MAX_ARTICLE_BYTES), fixed = TD_CR_ACC(SIZE_MAX);
  jl_record jr;
  memset(&jr, 0, sizeof jr);
  for (int f = 0; f < TD_CR_NFIELDS; f++) jr.val[f] = (td_cr_acc)TD_CR_ACC(SIZE_MAX);
  td_cr_piece pc;
  td_status st = TD_OK;
  while (st == TD_OK && td_cr_next(s, &pc)) {
    if (!pc.more && line.len == 0 && !line.cut) {
      st = record(s, &jr, &fixed, pc.p, pc.n, pc.line);
      continue;
    }
    if (td_cr_put(&line, pc.p, pc.n)) {
      st = td_cr_nomem(s);
    } else if (!pc.more) {
      if (line.cut) {
        td_cr_warn(s, pc.line, "line longer than %u MiB; skipped", TD_MAX_ARTICLE_BYTES >> 20);
        s->counts.records_skipped++;
      } else {
        st = record(s, &jr, &fixed, line.data, line.len, pc.line);
      }
      td_cr_reset(&line);
    }
  }
  td_cr_free(&line);
  td_cr_free(&fixed);
  for (int f = 0; f < TD_CR_NFIELDS; f++) td_cr_free(&jr.val[f]);
  return st;
}
