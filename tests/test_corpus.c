/*
** test_corpus.c - the corpus readers: each format on good input, gzip, and
** bad input (malformed records, unclosed tags, invalid UTF-8, NUL bytes,
** binary and empty files, damaged gzip, huge lines), date normalisation,
** and the real corpora in ../shared/corpus when they are there.
**
** Inputs are written at run time into a fresh temporary directory.
*/
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <ftw.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"

#include <utf8proc.h>

#include "corpus.h"
#include "corpus_int.h"

/* ------------------------------------------------------------- fixtures */

static char tmpdir[64];

static int group_setup(void **state) {
  (void)state;
  strcpy(tmpdir, "/tmp/td_corpus_test_XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state) {
  (void)state;
  return td_test_rm_tree(tmpdir);
}

/* The path of NAME in the temporary directory (a static buffer). */
static const char *tpath(const char *name) {
  static char buf[4][512];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof buf[i], "%s/%s", tmpdir, name);
  return buf[i];
}

static const char *write_file(const char *name, const void *data, size_t n) {
  const char *path = tpath(name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
  return path;
}

static const char *write_str(const char *name, const char *s) {
  return write_file(name, s, strlen(s));
}

static const char *write_gz(const char *name, const void *data, size_t n) {
  const char *path = tpath(name);
  gzFile g = gzopen(path, "wb");
  assert_non_null(g);
  assert_int_equal(gzwrite(g, data, (unsigned)n), (int)n);
  assert_int_equal(gzclose(g), Z_OK);
  return path;
}

static size_t file_size(const char *path) {
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  return (size_t)st.st_size;
}

/* Valid UTF-8 according to glibc's iconv, an oracle independent of the
** reader's own decoder. */
static int valid_utf8(const char *p, size_t n) {
  iconv_t cd = iconv_open("UTF-8", "UTF-8");
  assert_true(cd != (iconv_t)-1);
  char out[4096];
  char *in = (char *)p;
  int ok = 1;
  while (n && ok) {
    char *o = out;
    size_t room = sizeof out;
    if (iconv(cd, &in, &n, &o, &room) == (size_t)-1 && errno != E2BIG) ok = 0;
  }
  iconv_close(cd);
  return ok;
}

/* ------------------------------------------------------------- collector */

typedef struct art {
  char *f[6];  /* id, title, date, source, url, body */
  size_t len[6];
} art;

enum { ID, TITLE, DATE, SOURCE, URL, BODY };

typedef struct warn {
  long line;
  char msg[1024];
} warn;

typedef struct coll {
  art a[64];
  size_t n;           /* articles delivered (only the first 64 are kept) */
  warn w[64];
  size_t nw;
  size_t stop_at;     /* return STOP_WITH on that article (1-based), 0: never */
  td_status stop_with;
  int all_valid;      /* every field of every article was valid UTF-8 */
} coll;

static td_status on_article(void *ctx, const td_article *a) {
  coll *c = ctx;
  const td_text *t[6] = {&a->id, &a->title, &a->date, &a->source, &a->url, &a->body};
  for (int i = 0; i < 6; i++) {
    assert_non_null(t[i]->ptr);
    if (!valid_utf8(t[i]->ptr, t[i]->len) || memchr(t[i]->ptr, 0, t[i]->len)) c->all_valid = 0;
  }
  if (c->n < 64) {
    art *r = &c->a[c->n];
    for (int i = 0; i < 6; i++) {
      r->f[i] = strndup(t[i]->ptr, t[i]->len);
      r->len[i] = t[i]->len;
      assert_non_null(r->f[i]);
    }
  }
  c->n++;
  return c->stop_at && c->n == c->stop_at ? c->stop_with : TD_OK;
}

static void on_warn(void *ctx, const char *path, long line, const char *msg) {
  coll *c = ctx;
  assert_non_null(path);
  if (c->nw < 64) {
    c->w[c->nw].line = line;
    snprintf(c->w[c->nw].msg, sizeof c->w[c->nw].msg, "%s", msg);
  }
  c->nw++;
}

static void coll_init(coll *c) {
  memset(c, 0, sizeof *c);
  c->all_valid = 1;
}

static void coll_free(coll *c) {
  for (size_t k = 0; k < c->n && k < 64; k++)
    for (int i = 0; i < 6; i++) free(c->a[k].f[i]);
  coll_init(c);
}

/* Index of the first warning whose message contains WHAT, or -1. */
static int find_warn(const coll *c, const char *what) {
  for (size_t i = 0; i < c->nw && i < 64; i++)
    if (strstr(c->w[i].msg, what)) return (int)i;
  return -1;
}

static td_status read_into(const char *path, const char *relname, coll *c,
                           td_corpus_counts *counts, td_error *err) {
  coll_init(c);
  td_error_clear(err);
  return td_corpus_read_file(path, relname, on_article, on_warn, c, counts, err);
}

/* Writes TEXT to the scratch file NAME and reads it into C, which must go
** without an error. */
static void read_text(const char *name, const char *text, coll *c) {
  td_error err;
  assert_int_equal(read_into(write_str(name, text), name, c, NULL, &err), TD_OK);
}

static void assert_field(const art *a, int f, const char *want) {
  assert_string_equal(a->f[f], want);
  assert_int_equal(a->len[f], strlen(want));
}

/* ------------------------------------------------------------- plain text */

static const char txt_doc[] =
    "\n  \n  Quiet   harbour\tre-opens  \n\n"
    "   The harbour re-opened on Monday.\n"
    "\n"
    "Boats returned.\n\n\n";

static void check_txt_doc(const coll *c) {
  assert_int_equal(c->n, 1);
  assert_field(&c->a[0], ID, "local/harbour.txt");
  assert_field(&c->a[0], TITLE, "Quiet harbour re-opens");
  assert_field(&c->a[0], BODY, "   The harbour re-opened on Monday.\n\nBoats returned.");
  assert_field(&c->a[0], DATE, "");
  assert_field(&c->a[0], SOURCE, "");
  assert_field(&c->a[0], URL, "");
}

static void test_txt_good(void **state) {
  (void)state;
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  const char *path = write_str("harbour.txt", txt_doc);
  assert_int_equal(read_into(path, "local/harbour.txt", &c, &counts, &err), TD_OK);
  check_txt_doc(&c);
  assert_int_equal(c.nw, 0);
  assert_int_equal(counts.articles, 1);
  assert_int_equal(counts.records_skipped, 0);
  assert_int_equal(counts.bytes, strlen(txt_doc));
  coll_free(&c);
}

static void test_txt_crlf(void **state) {
  (void)state;
  coll c;
  read_text("crlf.txt", "Windows title\r\n\r\nLine one\r\nA lone\rCR\r\n", &c);
  assert_int_equal(c.n, 1);
  assert_field(&c.a[0], TITLE, "Windows title");
  assert_field(&c.a[0], BODY, "Line one\nA lone CR");
  coll_free(&c);
}

static void test_txt_title_only(void **state) {
  (void)state;
  coll c;
  read_text("brief.txt", "Only a headline", &c);
  assert_int_equal(c.n, 1);
  assert_field(&c.a[0], TITLE, "Only a headline");
  assert_field(&c.a[0], BODY, "");
  coll_free(&c);
}

/* ------------------------------------------------------------- TREC */

static const char trec_doc[] =
    "<DOC>\n"
    "<DOCNO>reuters-7</DOCNO>\n"
    "<DATE>26-FEB-1987 15:01:01.79</DATE>\n"
    "<HEADLINE>BROWN GROUP <BG> DEBT   DOWNGRADED</HEADLINE>\n"
    "<TEXT>\n"
    "NEW YORK, April 1 - <Brown Group Inc> said\n"
    "    a < b and c > d, <doc> and <DOCNOT> are text.\n"
    "</TEXT>\n"
    "</DOC>\n"
    "<DOC>\n"
    "<DOCNO> FT911-1 </DOCNO>\n"
    "<DATE>Thu, 14 May 1991 10:00:00 GMT</DATE>\n"
    "<TITLE>\n"
    "  Inline   title\n"
    "</TITLE>\n"
    "<TEXT>First section.</TEXT>\n"
    "<TEXT>\n"
    "Second section.\n"
    "</TEXT>\n"
    "</DOC>\n"
    "\n"
    "<DOC>\n"
    "<DOCNO>loose-1</DOCNO><DATE>not\ta\n  date</DATE>\n"
    "A body without TEXT tags.\n"
    "Second loose line.\n"
    "</DOC>\n";

static void check_trec_doc(const coll *c) {
  assert_int_equal(c->n, 3);
  assert_field(&c->a[0], ID, "reuters-7");
  assert_field(&c->a[0], DATE, "1987-02-26");
  assert_field(&c->a[0], TITLE, "BROWN GROUP <BG> DEBT DOWNGRADED");
  assert_field(&c->a[0], BODY,
               "NEW YORK, April 1 - <Brown Group Inc> said\n"
               "    a < b and c > d, <doc> and <DOCNOT> are text.");
  assert_field(&c->a[1], ID, "FT911-1");
  assert_field(&c->a[1], DATE, "1991-05-14");
  assert_field(&c->a[1], TITLE, "Inline title");
  assert_field(&c->a[1], BODY, "First section.\n\nSecond section.");
  assert_field(&c->a[2], ID, "loose-1");
  assert_field(&c->a[2], DATE, "not a date");
  assert_field(&c->a[2], TITLE, "");
  assert_field(&c->a[2], BODY, "A body without TEXT tags.\nSecond loose line.");
}

static void test_trec_good(void **state) {
  (void)state;
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  const char *path = write_str("good.trec", trec_doc);
  assert_int_equal(read_into(path, "good.trec", &c, &counts, &err), TD_OK);
  check_trec_doc(&c);
  assert_int_equal(c.nw, 0);
  assert_int_equal(counts.articles, 3);
  assert_int_equal(counts.bytes, strlen(trec_doc));
  coll_free(&c);
}

/* A name that says nothing: TREC is recognised by its first bytes. */
static void test_trec_sniffed(void **state) {
  (void)state;
  coll c;
  td_error err;
  char *doc = NULL;
  assert_true(asprintf(&doc, " \n\n%s", trec_doc) > 0);
  const char *path = write_str("DOCS_NO_EXTENSION", doc);
  assert_int_equal(read_into(path, "x", &c, NULL, &err), TD_OK);
  check_trec_doc(&c);
  coll_free(&c);
  path = write_str("notes.md", "# Notes\n<DOC> is mentioned later\n");
  assert_int_equal(read_into(path, "notes.md", &c, NULL, &err), TD_EINPUT);
  assert_non_null(strstr(err.msg, "not a recognised article format"));
  assert_non_null(strstr(err.msg, "notes.md"));
  assert_int_equal(c.n, 0);
  free(doc);
}

static void test_trec_unclosed_doc(void **state) {
  (void)state;
  coll c;
  td_error err;
  const char *path = write_str("unclosed.trec",
                               "<DOC>\n"                      /* 1 */
                               "<DOCNO>a</DOCNO>\n"           /* 2 */
                               "<TEXT>\n"                     /* 3 */
                               "alpha text\n"                 /* 4 */
                               "<DOC>\n"                      /* 5: a is not closed */
                               "<DOCNO>b</DOCNO>\n"           /* 6 */
                               "<TEXT>beta</TEXT>\n"          /* 7 */
                               "</DOC>\n"                     /* 8 */
                               "<DOC>\n"                      /* 9 */
                               "<DOCNO>c</DOCNO>\n"           /* 10 */
                               "<TEXT>gamma\n");              /* 11: ends inside c */
  assert_int_equal(read_into(path, "unclosed.trec", &c, NULL, &err), TD_OK);
  assert_int_equal(c.n, 3);
  assert_field(&c.a[0], ID, "a");
  assert_field(&c.a[0], BODY, "alpha text");
  assert_field(&c.a[1], ID, "b");
  assert_field(&c.a[1], BODY, "beta");
  assert_field(&c.a[2], ID, "c");
  assert_field(&c.a[2], BODY, "gamma");
  assert_int_equal(c.nw, 2);
  assert_int_equal(c.w[0].line, 1);
  assert_non_null(strstr(c.w[0].msg, "line 5"));
  assert_non_null(strstr(c.w[0].msg, "not closed"));
  assert_int_equal(c.w[1].line, 9);
  assert_non_null(strstr(c.w[1].msg, "end of the input (line 11)"));
  coll_free(&c);
}

static void test_trec_missing_docno(void **state) {
  (void)state;
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  const char *path = write_str("nodocno.trec",
                               "<DOC>\n<DOCNO>first</DOCNO>\n<TEXT>one</TEXT>\n</DOC>\n"   /* 1-4 */
                               "<DOC>\n<HEADLINE>No number</HEADLINE>\n"                  /* 5-6 */
                               "<TEXT>two</TEXT>\n</DOC>\n"                               /* 7-8 */
                               "<DOC>\n\n</DOC>\n"                                        /* 9-11 */
                               "<DOC><DOCNO> \x81\xc2\x85 </DOCNO><TEXT>four</TEXT></DOC>\n");       /* 12 */
  assert_int_equal(read_into(path, "dir/nodocno.trec", &c, &counts, &err), TD_OK);
  assert_int_equal(c.n, 3);
  assert_field(&c.a[0], ID, "first");
  assert_field(&c.a[1], ID, "dir/nodocno.trec#2");
  assert_field(&c.a[1], TITLE, "No number");
  assert_field(&c.a[1], BODY, "two");
  assert_field(&c.a[2], ID, "dir/nodocno.trec#4");
  assert_field(&c.a[2], BODY, "four");
  assert_int_equal(counts.records_skipped, 1);  /* the empty DOC */
  assert_int_equal(c.nw, 3);
  assert_int_equal(c.w[0].line, 5);
  assert_non_null(strstr(c.w[0].msg, "dir/nodocno.trec#2"));
  assert_int_equal(c.w[1].line, 9);
  assert_non_null(strstr(c.w[1].msg, "skipped"));
  assert_int_equal(c.w[2].line, 12);
  coll_free(&c);
}

/* A field tag without a DOC around it starts one; text between DOCs is
** reported once and ignored. */
static void test_trec_stray(void **state) {
  (void)state;
  coll c;
  read_text("stray.trec",
            "<DOCNO>x1</DOCNO>\n<TEXT>orphan</TEXT>\n</DOC>\n"
            "garbage between\nmore garbage\n"
            "<DOC><DOCNO>x2</DOCNO><TEXT>ok</TEXT></DOC>\n",
            &c);
  assert_int_equal(c.n, 2);
  assert_field(&c.a[0], ID, "x1");
  assert_field(&c.a[0], BODY, "orphan");
  assert_field(&c.a[1], ID, "x2");
  assert_int_equal(c.nw, 2);
  assert_int_equal(c.w[0].line, 1);
  assert_int_equal(c.w[1].line, 4);
  coll_free(&c);
}

/* A line longer than the read buffer arrives in pieces; a closing tag that
** falls across the edge of a piece must still be seen as a tag. */
static void test_trec_tag_across_pieces(void **state) {
  (void)state;
  const char head[] = "<DOC><DOCNO>long</DOCNO><TEXT>";
  const char tail[] = "</TEXT></DOC>\n<DOC><DOCNO>next</DOCNO><TEXT>after</TEXT></DOC>\n";
  size_t edge = 256u << 10;
  for (size_t at = edge - 12; at <= edge + 2; at++) {
    size_t fill = at - strlen(head);
    char *doc = malloc(at + sizeof tail);
    assert_non_null(doc);
    memcpy(doc, head, strlen(head));
    for (size_t i = 0; i < fill; i++) doc[strlen(head) + i] = "abc "[i % 4];
    doc[strlen(head)] = 'x';
    doc[at - 1] = 'z';
    memcpy(doc + at, tail, sizeof tail);
    coll c;
    td_error err;
    const char *path = write_str("pieces.trec", doc);
    assert_int_equal(read_into(path, "pieces.trec", &c, NULL, &err), TD_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.a[0].len[BODY], fill);
    assert_memory_equal(c.a[0].f[BODY], doc + strlen(head), fill);
    assert_field(&c.a[1], BODY, "after");
    assert_int_equal(c.nw, 0);
    coll_free(&c);
    free(doc);
  }
}

/* ------------------------------------------------------------- JSONL */

static const char jsonl_doc[] =
    "{\"id\": \"n-1\", \"title\": \"  Caf\\u00e9   opens \", \"date\": \"2018-07-27T10:00:00Z\", "
    "\"source\": \" Daily\\t\\n Gazette \", \"url\": \"http://x.test/1\", \"body\": \"Line one.\\nLine two.\"}\n"
    "\n"
    "   \n"
    "{\"id\": 42, \"body\": \"\", \"date\": \"February 26, 1987\"}\n"
    "{\"body\": \"tab\\there\", \"id\": \"n-3\", \"title\": null, \"extra\": [1, 2]}";

static void check_jsonl_doc(const coll *c) {
  assert_int_equal(c->n, 3);
  assert_field(&c->a[0], ID, "n-1");
  assert_field(&c->a[0], TITLE, "Caf\xc3\xa9 opens");
  assert_field(&c->a[0], DATE, "2018-07-27");
  assert_field(&c->a[0], SOURCE, "Daily Gazette");
  assert_field(&c->a[0], URL, "http://x.test/1");
  assert_field(&c->a[0], BODY, "Line one.\nLine two.");
  assert_field(&c->a[1], ID, "42");
  assert_field(&c->a[1], TITLE, "");
  assert_field(&c->a[1], DATE, "1987-02-26");
  assert_field(&c->a[1], BODY, "");
  assert_field(&c->a[2], ID, "n-3");
  assert_field(&c->a[2], TITLE, "");
  assert_field(&c->a[2], BODY, "tab\there");
}

static void test_jsonl_good(void **state) {
  (void)state;
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  const char *path = write_str("good.jsonl", jsonl_doc);
  assert_int_equal(read_into(path, "good.jsonl", &c, &counts, &err), TD_OK);
  check_jsonl_doc(&c);
  assert_int_equal(c.nw, 0);
  assert_int_equal(counts.articles, 3);
  assert_int_equal(counts.records_skipped, 0);
  coll_free(&c);
}

static void test_jsonl_bad_lines(void **state) {
  (void)state;
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  const char *path = write_str("bad.jsonl",
                               "{\"id\": \"g1\", \"body\": \"good one\"}\n"       /* 1 */
                               "{\"id\": \"b1\", \"body\": \"unterminated}\n"     /* 2 */
                               "[\"an\", \"array\"]\n"                             /* 3 */
                               "{\"title\": \"no id\", \"body\": \"x\"}\n"         /* 4 */
                               "{\"id\": \"b4\", \"body\": 17}\n"                  /* 5 */
                               "{\"id\": \"g2\", \"body\": \"good two\", \"title\": 5}\n" /* 6 */
                               "{\"id\": {\"n\": 1}, \"body\": \"x\"}\n"           /* 7 */
                               "{\"id\": \"b7\", \"body\": \"x\"} trailing\n"      /* 8 */
                               "{\"id\": \" \\u0085\\t\", \"body\": \"x\"}\n");      /* 9 */
  assert_int_equal(read_into(path, "bad.jsonl", &c, &counts, &err), TD_OK);
  assert_int_equal(c.n, 2);
  assert_field(&c.a[0], ID, "g1");
  assert_field(&c.a[1], ID, "g2");
  assert_field(&c.a[1], TITLE, "");
  assert_int_equal(counts.records_skipped, 7);
  assert_int_equal(c.nw, 8);
  const long lines[] = {2, 3, 4, 5, 6, 7, 8, 9};
  for (int i = 0; i < 8; i++) assert_int_equal(c.w[i].line, lines[i]);
  assert_non_null(strstr(c.w[0].msg, "not valid JSON"));
  assert_non_null(strstr(c.w[1].msg, "not a JSON object"));
  assert_non_null(strstr(c.w[2].msg, "\"id\""));
  assert_non_null(strstr(c.w[3].msg, "\"body\""));
  assert_non_null(strstr(c.w[4].msg, "\"title\" is not a string"));
  assert_non_null(strstr(c.w[5].msg, "\"id\""));
  assert_non_null(strstr(c.w[6].msg, "not valid JSON"));
  assert_non_null(strstr(c.w[7].msg, "empty \"id\""));
  coll_free(&c);
}

/* What the event parser must get right that the lines above do not show:
** the last of two equal keys counts, a number as "id" is printed as it
** always was, values nested in the object or under other keys are passed
** over, and a top-level value that is not an object is refused. */
static void test_jsonl_values(void **state) {
  (void)state;
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  const char *path = write_str(
      "values.jsonl",
      "{\"id\": \"first\", \"body\": \"one\", \"id\": \"last\", \"title\": \"t\", \"title\": null}\n"
      "{\"id\": -0, \"body\": \"b\"}\n"
      "{\"id\": 1.5e3, \"body\": \"b\"}\n"
      "{\"id\": 0.1, \"body\": \"b\"}\n"
      "{\"id\": 123456789012345678901234567890, \"body\": \"b\"}\n"
      "{\"meta\": {\"id\": \"inner\", \"body\": [\"x\"]}, \"id\": \"outer\", \"body\": \"kept\","
      " \"tags\": [{\"title\": \"no\"}], \"date\": true, \"source\": [\"s\"], \"url\": {}}\n"
      "\"just a string\"\n"
      "42\n"
      "null\n"
      "{\"id\": \"a\", \"body\": \"b\"}{\"id\": \"c\", \"body\": \"d\"}\n");
  assert_int_equal(read_into(path, "values.jsonl", &c, &counts, &err), TD_OK);
  assert_int_equal(c.n, 6);
  assert_field(&c.a[0], ID, "last");
  assert_field(&c.a[0], TITLE, "");
  assert_field(&c.a[0], BODY, "one");
  assert_field(&c.a[1], ID, "0");
  assert_field(&c.a[2], ID, "1500");
  assert_field(&c.a[3], ID, "0.10000000000000001");
  assert_field(&c.a[4], ID, "123456789012345678901234567890");
  assert_field(&c.a[5], ID, "outer");
  assert_field(&c.a[5], BODY, "kept");
  assert_field(&c.a[5], TITLE, "");
  assert_field(&c.a[5], DATE, "");
  assert_int_equal(counts.records_skipped, 4);
  assert_int_equal(c.nw, 7);
  assert_non_null(strstr(c.w[0].msg, "\"date\" is not a string"));
  assert_non_null(strstr(c.w[1].msg, "\"source\" is not a string"));
  assert_non_null(strstr(c.w[2].msg, "\"url\" is not a string"));
  for (int i = 3; i < 6; i++) assert_non_null(strstr(c.w[i].msg, "not a JSON object"));
  assert_non_null(strstr(c.w[6].msg, "not valid JSON"));
  assert_int_equal(c.w[6].line, 10);
  coll_free(&c);
}

/* A real id past the double range keeps its text, as a huge integer does,
** and a line that ends inside the object is reported at its end. */
static void test_jsonl_edges(void **state) {
  (void)state;
  coll c;
  read_text("edges.jsonl",
            "{\"id\": -1e400, \"body\": \"b\"}\n"
            "{\"id\": \"n\", \"body\": \"x\"\n",
            &c);
  assert_int_equal(c.n, 1);
  assert_field(&c.a[0], ID, "-1e400");
  assert_int_equal(c.nw, 1);
  assert_int_equal(c.w[0].line, 2);
  assert_non_null(strstr(c.w[0].msg, "at column 24"));
  coll_free(&c);
}

/* Fields other than the body are capped at 64 KiB whatever the format. */
static void test_jsonl_long_fields(void **state) {
  (void)state;
  size_t big = 100000;
  char *line = malloc(2 * big + 100);
  assert_non_null(line);
  size_t n = (size_t)sprintf(line, "{\"id\": \"long\", \"body\": \"b\", \"title\": \"");
  for (size_t i = 0; i < big; i++) line[n++] = "ab "[i % 3];
  n += (size_t)sprintf(line + n, "\", \"url\": \"");
  for (size_t i = 0; i < big; i++) line[n++] = 'u';
  n += (size_t)sprintf(line + n, "\"}\n");
  coll c;
  td_error err;
  const char *path = write_file("long.jsonl", line, n);
  assert_int_equal(read_into(path, "long.jsonl", &c, NULL, &err), TD_OK);
  assert_int_equal(c.n, 1);
  assert_true(c.a[0].len[TITLE] <= 64u << 10 && c.a[0].len[TITLE] > 60000);
  assert_int_equal(c.a[0].len[URL], 64u << 10);
  assert_field(&c.a[0], BODY, "b");
  assert_int_equal(c.nw, 2);
  assert_non_null(strstr(c.w[0].msg, "title of \"long\" is longer than 64 KiB"));
  assert_non_null(strstr(c.w[1].msg, "url of \"long\""));
  coll_free(&c);
  free(line);
}

static void test_jsonl_bom(void **state) {
  (void)state;
  coll c;
  read_text("bom.jsonl", "\xEF\xBB\xBF{\"id\": \"b\", \"body\": \"with BOM\"}\n", &c);
  assert_int_equal(c.n, 1);
  assert_field(&c.a[0], BODY, "with BOM");
  coll_free(&c);
}

/* ------------------------------------------------------------- gzip */

static void test_gzip_each_format(void **state) {
  (void)state;
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  const char *path = write_gz("harbour.txt.gz", txt_doc, strlen(txt_doc));
  assert_int_equal(read_into(path, "local/harbour.txt", &c, &counts, &err), TD_OK);
  check_txt_doc(&c);
  assert_int_equal(counts.bytes, strlen(txt_doc));  /* uncompressed bytes */
  coll_free(&c);

  path = write_gz("good.trec.GZ", trec_doc, strlen(trec_doc));
  assert_int_equal(read_into(path, "good.trec", &c, NULL, &err), TD_OK);
  check_trec_doc(&c);
  coll_free(&c);

  path = write_gz("good.jsonl.gz", jsonl_doc, strlen(jsonl_doc));
  assert_int_equal(read_into(path, "good.jsonl", &c, NULL, &err), TD_OK);
  check_jsonl_doc(&c);
  coll_free(&c);

  /* Compressed content under a plain name is found by its magic. */
  path = write_gz("secretly-compressed.sgml", trec_doc, strlen(trec_doc));
  assert_int_equal(read_into(path, "s.sgml", &c, NULL, &err), TD_OK);
  check_trec_doc(&c);
  assert_int_equal(c.nw, 0);
  coll_free(&c);
}

/* Text that compresses badly, so that a cut in the compressed file falls in
** the middle of the documents: N DOCs with ids d1..dN. */
static char *random_trec(int ndocs, size_t *len) {
  static const char *words[] = {"grain", "tonnes", "said", "bank", "rate", "oil",
                                "profit", "shares", "market", "dlrs", "year", "week"};
  uint64_t rng = 20240601;
  size_t cap = (size_t)ndocs * 4096, n = 0;
  char *s = malloc(cap);
  assert_non_null(s);
  for (int d = 1; d <= ndocs; d++) {
    n += (size_t)sprintf(s + n, "<DOC>\n<DOCNO>d%d</DOCNO>\n<TEXT>\n", d);
    for (int w = 0; w < 300; w++)
      n += (size_t)sprintf(s + n, "%s%u%c", words[td_test_rand(&rng) % 12],
                           (unsigned)(td_test_rand(&rng) % 1000), w % 12 == 11 ? '\n' : ' ');
    n += (size_t)sprintf(s + n, "\n</TEXT>\n</DOC>\n");
  }
  *len = n;
  return s;
}

static void test_gzip_truncated(void **state) {
  (void)state;
  size_t len;
  char *doc = random_trec(300, &len);
  const char *path = write_gz("cut.trec.gz", doc, len);
  size_t full = file_size(path);
  assert_int_equal(truncate(path, (off_t)(full * 6 / 10)), 0);
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  assert_int_equal(read_into(path, "cut.trec.gz", &c, &counts, &err), TD_OK);
  assert_true(c.n > 50 && c.n < 300);
  for (size_t i = 0; i < c.n && i < 64; i++) {
    char want[16];
    snprintf(want, sizeof want, "d%zu", i + 1);
    assert_string_equal(c.a[i].f[ID], want);
  }
  assert_true(counts.bytes < len);
  int w = find_warn(&c, "damaged or cut short");
  assert_true(w >= 0);
  /* zlib's own words, without the name zlib knows the file by. */
  assert_non_null(strstr(c.w[w].msg, "(zlib: unexpected end of file)"));
  coll_free(&c);

  /* Cut inside the gzip header: nothing at all can be read. */
  assert_int_equal(truncate(path, 12), 0);
  assert_int_equal(read_into(path, "cut.trec.gz", &c, NULL, &err), TD_EIO);
  assert_non_null(strstr(err.msg, "damaged"));
  assert_non_null(strstr(err.msg, "cut.trec.gz"));
  assert_null(strstr(err.msg, "<fd:"));
  assert_int_equal(c.n, 0);

  /* Garbage in the middle of the compressed stream. */
  path = write_gz("corrupt.trec.gz", doc, len);
  full = file_size(path);
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  assert_int_equal(fseek(f, (long)(full / 2), SEEK_SET), 0);
  for (int i = 0; i < 64; i++) fputc(0xFF, f);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(read_into(path, "corrupt.trec.gz", &c, NULL, &err), TD_OK);
  assert_true(c.n >= 1);
  assert_string_equal(c.a[0].f[ID], "d1");
  assert_true(find_warn(&c, "damaged or cut short") >= 0);
  coll_free(&c);
  free(doc);
}

/* ------------------------------------------------------------- repair */

static void test_invalid_utf8(void **state) {
  (void)state;
  coll c;
  td_error err;
  /* Latin-1 e-acute and y-umlaut, cp1252 curly quotes, a valid UTF-8
  ** e-acute, an overlong slash and a UTF-16 surrogate (whose last byte, 0x80,
  ** is the euro sign in cp1252). */
  const char *path = write_str("latin1.trec",
                               "<DOC>\n<DOCNO>l1</DOCNO>\n<HEADLINE>Caf\xe9 \x93news\x94</HEADLINE>\n"
                               "<TEXT>\nna\xefve caf\xc3\xa9 \xff \xc0\xaf \xed\xa0\x80.\n</TEXT>\n</DOC>\n"
                               "<DOC>\n<DOCNO>l2</DOCNO>\n<TEXT>\nd\xe9j\xe0 vu\n</TEXT>\n</DOC>\n");
  assert_int_equal(read_into(path, "latin1.trec", &c, NULL, &err), TD_OK);
  assert_int_equal(c.n, 2);
  assert_true(c.all_valid);
  assert_field(&c.a[0], TITLE, "Caf\xc3\xa9 \xe2\x80\x9cnews\xe2\x80\x9d");
  assert_field(&c.a[0], BODY, "na\xc3\xafve caf\xc3\xa9 \xc3\xbf \xc3\x80\xc2\xaf \xc3\xad\xc2\xa0\xe2\x82\xac.");
  assert_field(&c.a[1], BODY, "d\xc3\xa9j\xc3\xa0 vu");
  assert_int_equal(c.nw, 1);  /* one warning for the file, not one per byte */
  assert_int_equal(c.w[0].line, 1);
  assert_non_null(strstr(c.w[0].msg, "Latin-1"));
  coll_free(&c);

  /* Invalid UTF-8 in a JSON line: the line is repaired, then parsed. */
  path = write_str("latin1.jsonl",
                   "{\"id\": \"j1\", \"body\": \"ok\"}\n"
                   "{\"id\": \"j2\", \"title\": \"Se\xf1or\", \"body\": \"a\xe9\"}\n");
  assert_int_equal(read_into(path, "latin1.jsonl", &c, NULL, &err), TD_OK);
  assert_int_equal(c.n, 2);
  assert_true(c.all_valid);
  assert_field(&c.a[1], TITLE, "Se\xc3\xb1or");
  assert_field(&c.a[1], BODY, "a\xc3\xa9");
  assert_int_equal(c.nw, 1);
  assert_int_equal(c.w[0].line, 2);
  coll_free(&c);

  path = write_str("latin1.txt", "Z\xfcrich\n\nGr\xfc\xdf" "e\n");
  assert_int_equal(read_into(path, "latin1.txt", &c, NULL, &err), TD_OK);
  assert_field(&c.a[0], TITLE, "Z\xc3\xbcrich");
  assert_field(&c.a[0], BODY, "Gr\xc3\xbc\xc3\x9f" "e");
  assert_int_equal(c.nw, 1);
  coll_free(&c);
}

static void test_nul_and_controls(void **state) {
  (void)state;
  coll c;
  td_error err;
  static const char trec[] =
      "<DOC>\n<DOCNO>n\0001</DOCNO>\n<HEADLINE>Bell\007 and\001nul</HEADLINE>\n"
      "<TEXT>\na\000b\tc\033d\x7f" "e\xc2\x85" "f\n</TEXT>\n</DOC>\n";
  const char *path = write_file("nul.trec", trec, sizeof trec - 1);
  assert_int_equal(read_into(path, "nul.trec", &c, NULL, &err), TD_OK);
  assert_int_equal(c.n, 1);
  assert_true(c.all_valid);
  assert_field(&c.a[0], ID, "n 1");
  assert_field(&c.a[0], TITLE, "Bell and nul");
  assert_field(&c.a[0], BODY, "a b\tc d e f");
  assert_int_equal(c.nw, 0);
  coll_free(&c);

  /* Raw NUL and raw controls inside a JSON string, and an escaped NUL. */
  static const char jsonl[] = "{\"id\": \"j\", \"body\": \"x\0y\tz\\u0000w\\u0007v\"}\n";
  path = write_file("nul.jsonl", jsonl, sizeof jsonl - 1);
  assert_int_equal(read_into(path, "nul.jsonl", &c, NULL, &err), TD_OK);
  assert_int_equal(c.n, 1);
  assert_true(c.all_valid);
  assert_field(&c.a[0], BODY, "x y z w v");
  coll_free(&c);

  /* In a plain text file a NUL means binary data: the file is skipped. */
  static const char txt[] = "Title\n\nbody\0with a NUL\n";
  path = write_file("nul.txt", txt, sizeof txt - 1);
  assert_int_equal(read_into(path, "nul.txt", &c, NULL, &err), TD_EINPUT);
  assert_non_null(strstr(err.msg, "binary"));
  assert_non_null(strstr(err.msg, "NUL"));
  assert_int_equal(c.n, 0);
}

static void test_binary_file(void **state) {
  (void)state;
  unsigned char bin[20000];
  uint64_t rng = 7;
  for (size_t i = 0; i < sizeof bin; i++) bin[i] = (unsigned char)(td_test_rand(&rng) >> 56);
  for (size_t i = 0; i < sizeof bin; i++) bin[i] = bin[i] ? bin[i] : 1;  /* no NUL at all */
  coll c;
  td_error err;
  const char *names[] = {"photo.txt", "photo.jsonl", "photo.trec.gz"};
  for (int k = 0; k < 3; k++) {
    const char *path = write_file(names[k], bin, sizeof bin);
    assert_int_equal(read_into(path, names[k], &c, NULL, &err), TD_EINPUT);
    assert_non_null(strstr(err.msg, "binary"));
    assert_non_null(strstr(err.msg, names[k]));
    assert_int_equal(c.n, 0);
    assert_int_equal(c.nw, 0);
  }
}

static void test_empty_files(void **state) {
  (void)state;
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  const char *names[] = {"empty.txt", "blank.txt", "empty.trec", "blank.jsonl", "empty.txt.gz"};
  const char *data[] = {"", " \n\t\n\r\n", "", "\n\n   \n", ""};
  for (int k = 0; k < 5; k++) {
    const char *path = k == 4 ? write_gz(names[k], "", 0) : write_str(names[k], data[k]);
    assert_int_equal(read_into(path, names[k], &c, &counts, &err), TD_OK);
    assert_int_equal(c.n, 0);
    assert_int_equal(c.nw, 1);
    assert_non_null(strstr(c.w[0].msg, "no article"));
  }
  assert_int_equal(counts.articles, 0);
}

static void test_missing_file(void **state) {
  (void)state;
  coll c;
  td_error err;
  assert_int_equal(read_into(tpath("does-not-exist.txt"), "x", &c, NULL, &err), TD_EINPUT);
  assert_non_null(strstr(err.msg, "does-not-exist.txt"));
  assert_non_null(strstr(err.msg, "No such file"));
}

/* The clean prefix, one code point at a time, from utf8proc's decoding:
** printable ASCII, tab and newline when kept, and non-ASCII code points
** other than the C1 controls. */
static size_t clean_prefix_oracle(const char *p, size_t n, int keep_tabnl) {
  size_t i = 0;
  while (i < n) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)p + i,
                                          (utf8proc_ssize_t)(n - i), &cp);
    int ok = k > 0 && ((cp >= 0x20 && cp < 0x7F) || cp >= 0xA0 ||
                       (keep_tabnl && (cp == '\t' || cp == '\n')));
    if (!ok) break;
    i += (size_t)k;
  }
  return i;
}

/* The eight-bytes-at-a-time scan over printable runs stops exactly where
** the byte-by-byte one does, at every alignment, on text that mixes clean
** runs with each kind of byte that ends them. */
static void test_clean_prefix(void **state) {
  (void)state;
  static const char *const pieces[] = {
      "\t", "\n", "\r", "\x01", "\x1f", "\x7f", "\x80", "\xff", "\xc2\x85",
      "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xe2\x82", "\xed\xa0\x80",
      "\xc0\xaf", " ", "~"};
  uint64_t rng = 77;
  char buf[256];
  for (int round = 0; round < 20000; round++) {
    size_t n = 0;
    while (n < sizeof buf - 48) {
      uint64_t r = td_test_rand(&rng);
      if (r % 4) {  /* a printable run, often longer than a word */
        size_t len = (size_t)(r >> 8) % 40;
        for (size_t k = 0; k < len; k++) buf[n++] = (char)(0x20 + (td_test_rand(&rng) % 95));
      } else {
        const char *pc = pieces[(r >> 8) % (sizeof pieces / sizeof *pieces)];
        memcpy(buf + n, pc, strlen(pc));
        n += strlen(pc);
      }
    }
    for (size_t off = 0; off < 16; off++)
      for (int keep = 0; keep < 2; keep++) {
        size_t got = td_cr_clean_prefix(buf + off, n - off, keep);
        size_t want = clean_prefix_oracle(buf + off, n - off, keep);
        if (got != want)
          fail_msg("round %d offset %zu keep %d: clean prefix %zu, expected %zu", round, off,
                   keep, got, want);
      }
  }
}

/* ------------------------------------------------------------- limits */

/* Writes HEAD, N bytes repeating UNIT, then TAIL. */
static const char *write_big(const char *name, const char *head, const char *unit, size_t n,
                             const char *tail) {
  const char *path = tpath(name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(head, f);
  size_t ul = strlen(unit);
  char block[4096];
  for (size_t i = 0; i < sizeof block; i++) block[i] = unit[i % ul];
  size_t chunk = sizeof block - sizeof block % ul;
  for (size_t done = 0; done < n; done += chunk)
    fwrite(block, 1, n - done < chunk ? n - done : chunk, f);
  fputs(tail, f);
  assert_int_equal(fclose(f), 0);
  return path;
}

static void test_huge_line(void **state) {
  (void)state;
  const size_t big = 3 * (size_t)TD_MAX_ARTICLE_BYTES + 5;
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  double t0 = td_test_now();

  /* JSONL: the huge record is skipped, the lines around it are read. */
  const char *path = write_big("huge.jsonl", "{\"id\": \"small-1\", \"body\": \"a\"}\n"
                               "{\"id\": \"huge\", \"body\": \"", "word ", big,
                               "\"}\n{\"id\": \"small-2\", \"body\": \"b\"}\n");
  assert_int_equal(read_into(path, "huge.jsonl", &c, &counts, &err), TD_OK);
  assert_int_equal(c.n, 2);
  assert_field(&c.a[0], ID, "small-1");
  assert_field(&c.a[1], ID, "small-2");
  assert_int_equal(counts.records_skipped, 1);
  assert_int_equal(c.nw, 1);
  assert_int_equal(c.w[0].line, 2);
  coll_free(&c);

  /* TXT: the body is cut at the cap, on a character boundary. */
  path = write_big("huge.txt", "Huge\nX", "\xc3\xa9", big, "\n");
  assert_int_equal(read_into(path, "huge.txt", &c, NULL, &err), TD_OK);
  assert_int_equal(c.n, 1);
  assert_field(&c.a[0], TITLE, "Huge");
  assert_true(c.a[0].len[BODY] <= TD_MAX_ARTICLE_BYTES);
  assert_true(c.a[0].len[BODY] >= TD_MAX_ARTICLE_BYTES - 4);
  assert_true(c.all_valid);
  assert_int_equal(c.nw, 1);
  assert_non_null(strstr(c.w[0].msg, "cut"));
  coll_free(&c);

  /* TREC: the huge DOC is cut, the next one is whole. */
  path = write_big("huge.trec", "<DOC>\n<DOCNO>big</DOCNO>\n<TEXT>\n", "x", big,
                   "\n</TEXT>\n</DOC>\n<DOC>\n<DOCNO>after</DOCNO>\n<TEXT>\nfine\n</TEXT>\n</DOC>\n");
  assert_int_equal(read_into(path, "huge.trec", &c, NULL, &err), TD_OK);
  assert_int_equal(c.n, 2);
  assert_field(&c.a[0], ID, "big");
  assert_int_equal(c.a[0].len[BODY], TD_MAX_ARTICLE_BYTES);
  assert_field(&c.a[1], ID, "after");
  assert_field(&c.a[1], BODY, "fine");
  assert_int_equal(c.nw, 1);
  assert_int_equal(c.w[0].line, 1);
  assert_non_null(strstr(c.w[0].msg, "\"big\""));
  coll_free(&c);

  assert_true(td_test_now() - t0 < 60.0);
}

/* ------------------------------------------------------------- callback */

static void test_callback_stops(void **state) {
  (void)state;
  coll c;
  td_error err;
  td_corpus_counts counts = {0};
  const char *path = write_str("stop.trec", trec_doc);
  coll_init(&c);
  c.stop_at = 2;
  c.stop_with = TD_ELIMIT;
  td_error_clear(&err);
  assert_int_equal(td_corpus_read_file(path, "stop.trec", on_article, on_warn, &c, &counts, &err),
                   TD_ELIMIT);
  assert_int_equal(c.n, 2);
  assert_int_equal(counts.articles, 2);
  assert_int_equal(err.code, TD_OK);  /* the callback keeps its own message */
  coll_free(&c);

  path = write_str("stop.jsonl", jsonl_doc);
  c.stop_at = 1;
  c.stop_with = TD_EIO;
  assert_int_equal(td_corpus_read_file(path, "stop.jsonl", on_article, NULL, &c, NULL, NULL),
                   TD_EIO);
  assert_int_equal(c.n, 1);
  coll_free(&c);

  path = write_str("stop.txt", txt_doc);
  c.stop_at = 1;
  c.stop_with = TD_ENOMEM;
  assert_int_equal(td_corpus_read_file(path, "stop.txt", on_article, NULL, &c, NULL, NULL),
                   TD_ENOMEM);
  coll_free(&c);
}

static void test_bad_arguments(void **state) {
  (void)state;
  td_error err;
  assert_int_equal(td_corpus_read_file(NULL, "x", on_article, NULL, NULL, NULL, &err), TD_EINVAL);
  assert_int_equal(td_corpus_read_file("x.txt", "x", NULL, NULL, NULL, NULL, &err), TD_EINVAL);
}

/* ------------------------------------------------------------- dates */

static void test_date_normalize(void **state) {
  (void)state;
  static const struct { const char *in, *out; } ok[] = {
      {"26-FEB-1987 15:01:01.79", "1987-02-26"},
      {"  1-APR-1987 12:15:26.41  ", "1987-04-01"},
      {"27-MAR-1987 00:02:59.13&#5;&#5;RM", "1987-03-27"},
      {"1987-02-26", "1987-02-26"},
      {"2018-07-27T10:00:00Z", "2018-07-27"},
      {"2018-07-27 10:00:00+02:00", "2018-07-27"},
      {"2018/7/4", "2018-07-04"},
      {"Feb 26, 1987", "1987-02-26"},
      {"February 26, 1987", "1987-02-26"},
      {"Sept. 3rd 2001", "2001-09-03"},
      {"26 February 1987", "1987-02-26"},
      {"Thu, 26 Feb 1987 10:00:00 GMT", "1987-02-26"},
      {"Thursday, February 26, 1987", "1987-02-26"},
      {"29 Feb 2000", "2000-02-29"},
      {"31-dec-1999", "1999-12-31"},
  };
  static const char *bad[] = {
      "", "   ", "hello", "1987-13-01", "1987-02-30", "31 Apr 1987", "29 Feb 1900",
      "Feb 30, 1987", "910514", "26-FEB-87", "1987-2", "Ma 3 1987", "12 Monkeys 1995",
      "02/26/1987", "123-FEB-1987", "Feb 2, 19870",
  };
  char out[11];
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    memset(out, 'x', sizeof out);
    assert_int_equal(td_date_normalize(ok[i].in, strlen(ok[i].in), out), 1);
    assert_string_equal(out, ok[i].out);
  }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(td_date_normalize(bad[i], strlen(bad[i]), out), 0);
  /* The length bounds the text: no reading past it. */
  assert_int_equal(td_date_normalize("1987-02-26", 7, out), 0);
  assert_int_equal(td_date_normalize("Feb 26, 1987", 12, out), 1);
}

/* ------------------------------------------------------------- real data */

static const char *shared(const char *rel) {
  static char buf[1024];
  snprintf(buf, sizeof buf, "%s/%s", td_test_shared_corpus(), rel);
  if (access(buf, R_OK) != 0) return NULL;
  return buf;
}

typedef struct find {
  const char *id;     /* the article to capture */
  art a;
  int found;
  unsigned long n;
  int all_valid;
  unsigned long warnings;
  unsigned long dated_1987;  /* articles whose date came out as 1987-MM-DD */
} find;

static td_status find_article(void *ctx, const td_article *a) {
  find *f = ctx;
  f->n++;
  const char *d = a->date.ptr;
  if (a->date.len == 10 && memcmp(d, "1987-", 5) == 0 && d[7] == '-' &&
      strspn(d + 5, "0123456789") == 2 && d[8] >= '0' && d[8] <= '3' && d[9] >= '0' && d[9] <= '9')
    f->dated_1987++;
  if (!valid_utf8(a->body.ptr, a->body.len) || !valid_utf8(a->title.ptr, a->title.len)) f->all_valid = 0;
  if (a->id.len == strlen(f->id) && memcmp(a->id.ptr, f->id, a->id.len) == 0) {
    const td_text *t[6] = {&a->id, &a->title, &a->date, &a->source, &a->url, &a->body};
    for (int i = 0; i < 6; i++) {
      f->a.f[i] = strndup(t[i]->ptr, t[i]->len);
      f->a.len[i] = t[i]->len;
    }
    f->found++;
  }
  return TD_OK;
}

static void count_warning(void *ctx, const char *path, long line, const char *msg) {
  (void)path, (void)line;
  find *f = ctx;
  f->warnings++;
  print_message("warning: %s\n", msg);
}

/* Reads the shared file REL looking for ID; skips the test if it is absent. */
static int find_in(const char *rel, const char *id, find *f, td_corpus_counts *counts) {
  const char *path = shared(rel);
  if (!path) return 0;
  memset(f, 0, sizeof *f);
  f->id = id;
  f->all_valid = 1;
  td_error err;
  td_status st = td_corpus_read_file(path, rel, find_article, count_warning, f, counts, &err);
  if (st) print_message("%s\n", err.msg);
  assert_int_equal(st, TD_OK);
  assert_true(f->all_valid);
  assert_int_equal(f->warnings, 0);
  return 1;
}

static void find_free(find *f) {
  for (int i = 0; i < 6; i++) free(f->a.f[i]);
}

static void test_real_reuters(void **state) {
  (void)state;
  find f;
  td_corpus_counts counts = {0};
  if (!find_in("reuters21578/reut2-000.trec", "reuters-1", &f, &counts)) skip();
  assert_int_equal(f.n, 1000);
  assert_int_equal(counts.articles, 1000);
  assert_int_equal(counts.records_skipped, 0);
  assert_int_equal(f.found, 1);
  assert_int_equal(f.dated_1987, 1000);  /* every "26-FEB-1987 15:01:01.79" normalised */
  assert_field(&f.a, TITLE, "BAHIA COCOA REVIEW");
  assert_field(&f.a, DATE, "1987-02-26");
  assert_non_null(strstr(f.a.f[BODY], "Comissaria Smith"));
  assert_non_null(strstr(f.a.f[BODY], "temporao"));
  assert_memory_equal(f.a.f[BODY], "SALVADOR, Feb 26 - Showers", 26);
  assert_memory_equal(f.a.f[BODY] + f.a.len[BODY] - 6, "Reuter", 6);
  find_free(&f);

  assert_true(find_in("reuters21578/reut2-000.trec", "reuters-22", &f, NULL));
  assert_field(&f.a, TITLE, "MAGMA LOWERS COPPER 0.75 CENT TO 66 CTS");
  find_free(&f);
  assert_true(find_in("reuters21578/reut2-000.trec", "reuters-31", &f, NULL));
  assert_field(&f.a, TITLE, "U.S. TAX WRITERS SEEK ESTATE TAX CURBS, RAISING 6.7 BILLION DLRS THRU 1991");
  assert_field(&f.a, BODY, "");
  find_free(&f);
  if (find_in("reuters21578/reut2-012.trec", "reuters-12074", &f, NULL)) {
    assert_field(&f.a, TITLE, "BROWN GROUP <BG> DEBT DOWNGRADED BY S/P");
    assert_field(&f.a, DATE, "1987-04-01");
    find_free(&f);
  }
  if (find_in("reuters21578/reut2-021.trec", "reuters-21578", &f, NULL)) {
    assert_int_equal(f.n, 578);
    assert_field(&f.a, DATE, "1987-10-19");
    assert_field(&f.a, TITLE, "AMERICAN EXCHANGE INTRODUCES INSTITUTIONAL INDEX");
    find_free(&f);
  }
}

static void test_real_newsgroups(void **state) {
  (void)state;
  find f;
  td_corpus_counts counts = {0};
  if (!find_in("20newsgroups/test.jsonl", "none", &f, &counts)) skip();
  assert_int_equal(f.n, 7532);
  assert_int_equal(counts.records_skipped, 0);
  assert_int_equal(counts.bytes, 13732621);
  if (find_in("20newsgroups/train.jsonl", "sci.space/60804", &f, NULL)) {
    assert_int_equal(f.n, 11314);
    assert_field(&f.a, TITLE, "Big amateur rockets");
    assert_field(&f.a, SOURCE, "20 Newsgroups (sci.space)");
    assert_non_null(strstr(f.a.f[BODY], "Personal Missle, Inc."));
    find_free(&f);
  }
}

static void test_real_bbc(void **state) {
  (void)state;
  find f;
  if (!find_in("bbc/business/001.txt", "bbc/business/001.txt", &f, NULL)) skip();
  assert_int_equal(f.n, 1);
  assert_field(&f.a, TITLE, "Ad sales boost Time Warner profit");
  const char *start = "Quarterly profits at US media giant TimeWarner jumped 76% to "
                      "$1.13bn (\xc2\xa3" "600m)";
  assert_memory_equal(f.a.f[BODY], start, strlen(start));
  find_free(&f);
  if (find_in("bbc/sport/199.txt", "bbc/sport/199.txt", &f, NULL)) {
    assert_non_null(strstr(f.a.f[BODY], "a \xc2\xa3" "15.8m signing from Parma"));
    find_free(&f);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_txt_good),
      cmocka_unit_test(test_txt_crlf),
      cmocka_unit_test(test_txt_title_only),
      cmocka_unit_test(test_trec_good),
      cmocka_unit_test(test_trec_sniffed),
      cmocka_unit_test(test_trec_unclosed_doc),
      cmocka_unit_test(test_trec_missing_docno),
      cmocka_unit_test(test_trec_stray),
      cmocka_unit_test(test_trec_tag_across_pieces),
      cmocka_unit_test(test_jsonl_good),
      cmocka_unit_test(test_jsonl_bad_lines),
      cmocka_unit_test(test_jsonl_values),
      cmocka_unit_test(test_jsonl_edges),
      cmocka_unit_test(test_jsonl_long_fields),
      cmocka_unit_test(test_jsonl_bom),
      cmocka_unit_test(test_gzip_each_format),
      cmocka_unit_test(test_gzip_truncated),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_nul_and_controls),
      cmocka_unit_test(test_clean_prefix),
      cmocka_unit_test(test_binary_file),
      cmocka_unit_test(test_empty_files),
      cmocka_unit_test(test_missing_file),
      cmocka_unit_test(test_huge_line),
      cmocka_unit_test(test_callback_stops),
      cmocka_unit_test(test_bad_arguments),
      cmocka_unit_test(test_date_normalize),
      cmocka_unit_test(test_real_reuters),
      cmocka_unit_test(test_real_newsgroups),
      cmocka_unit_test(test_real_bbc),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
