/*
** test_hostile.c - hostile queries and hostile corpus input, end to end
** through the library: files are read with td_corpus_read_file, indexed with
** td_builder_*, and searched with td_search and td_count.
**
** Every hostile query must get a clear error (TD_EQUERY or TD_ELIMIT with a
** message) or an answer, within a time that only a hang would exceed (2 s,
** measured with clock_gettime) and without the memory of the process growing
** by hundreds of megabytes (the peak is reset through /proc/self/clear_refs
** and read back from VmHWM when the kernel allows it).  Answers are checked
** for consistency: td_count equals the number of hits of an exhaustive
** td_search.
**
** The index holds the sample corpus (corpus/), one article of 5000 distinct
** made-up words ("zq0000" ... "zq4999") for prefixes that match many terms,
** and a folder of hostile files whose good articles must all be found.
**
** The last tests are the fuzzers' findings in the index reader, kept here
** in a form that survives format changes: a copy of the index is damaged
** through format.h (and its checksums recomputed where the finding needs
** a file that passes them), then read.
*/
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "format.h"
#include "tidings.h"

#define HANG_GUARD_S 2.0
#define MEMORY_GUARD_KB (512L << 10)

static char dir[64], path[128];
static td_index *ix;
static uint64_t ndocs;

/* ---- measuring ------------------------------------------------------------ */

/* Resets the kernel's peak-RSS mark; 0 when it cannot (then memory goes
** unchecked). */
static int reset_peak(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (!f) return 0;
  int ok = fputs("5", f) >= 0;
  return fclose(f) == 0 && ok;
}

/* A "Vm...:" figure of /proc/self/status in kB, or -1. */
static long kb_of(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  size_t n = strlen(field);
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, field, n) == 0) kb = atol(line + n);
  if (f) fclose(f);
  return kb;
}

/* ---- the index ------------------------------------------------------------ */

typedef struct feed {
  td_builder *b;
} feed;

static td_status on_article(void *ctx, const td_article *a) {
  td_error err;
  return td_builder_add(((feed *)ctx)->b, a, &err);
}

/* Warnings are expected here; each must at least say something. */
static void on_warn(void *ctx, const char *p, long l, const char *msg) {
  (void)ctx, (void)p, (void)l;
  assert_true(msg[0] != '\0');
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads every file below P (sorted, like the indexer) into the builder. */
static void feed_tree(feed *f, const char *p) {
  struct stat st;
  assert_int_equal(lstat(p, &st), 0);
  if (S_ISREG(st.st_mode)) {
    td_error err;
    td_status rc = td_corpus_read_file(p, p, on_article, on_warn, f, NULL, &err);
    if (rc != TD_OK && rc != TD_EINPUT && rc != TD_EIO) fail_msg("%s: %s", p, err.msg);
    return;
  }
  if (!S_ISDIR(st.st_mode)) return;
  DIR *d = opendir(p);
  assert_non_null(d);
  char *names[256];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256)
    if (e->d_name[0] != '.') assert_non_null(names[n++] = strdup(e->d_name));
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  for (size_t i = 0; i < n; i++) {
    char child[1024];
    snprintf(child, sizeof child, "%s/%s", p, names[i]);
    feed_tree(f, child);
    free(names[i]);
  }
}

static void write_file(const char *name, const void *data, size_t n) {
  char p[256];
  snprintf(p, sizeof p, "%s/in/%s", dir, name);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}

static void write_text(const char *name, const char *text) { write_file(name, text, strlen(text)); }

/* The hostile folder: each file holds good articles (marked by a word of
** their own) next to damage that must be skipped or repaired. */
static void make_hostile_files(void) {
  char p[256];
  snprintf(p, sizeof p, "%s/in", dir);
  assert_int_equal(mkdir(p, 0700), 0);
  /* A NUL byte after the first 8 KB (where it no longer means "binary"),
  ** and Latin-1 text: both repaired, the article kept. */
  static char nul[9000 + 64];
  memset(nul, 'x', sizeof nul);
  static const char head[] = "Title of the NUL article\n\n";
  memcpy(nul, head, strlen(head));
  for (size_t i = strlen(head); i + 6 <= 9000; i += 6) memcpy(nul + i, " word ", 6);
  memcpy(nul + 9000, "\0 quokka after the NUL byte\n", 28);
  write_file("nul.txt", nul, 9000 + 28);
  write_text("latin1.txt", "Caf\xe9 cr\xe8me in Z\xfcrich\n\nna\xefve wombat text in Latin-1\n");
  /* JSON Lines: malformed lines around good records; a record with an
  ** empty id. */
  write_text("mixed.jsonl",
             "{\"id\":\"j1\",\"title\":\"good\",\"body\":\"numbat one\"}\n"
             "{broken\n"
             "{\"id\":\"j-nobody\"}\n"
             "[\"not\",\"an\",\"object\"]\n"
             "{\"id\":\"j2\",\"body\":\"numbat two \\u0000 with a NUL escape\"}\n"
             "{\"id\":\"\",\"title\":\"empty id\",\"body\":\"bilby has no id\"}\n"
             "{\"id\":\"j3\",\"body\":\"numbat \xff\xfe three\"}\n");
  /* SGML: stray text, an unclosed DOC, an empty one. */
  write_text("mixed.trec",
             "junk before\n<DOC>\n<DOCNO> S1 </DOCNO>\n<TEXT>dingo one</TEXT>\n</DOC>\n"
             "</TEXT></DOC>\n<DOC><DOCNO>S2</DOCNO><TEXT>dingo two never closed\n"
             "<DOC><DOCNO>S3</DOCNO><HEADLINE>Dingo three</HEADLINE></DOC>\n<DOC></DOC>\n");
  /* A gzip file cut in the middle of its stream: the records before the
  ** damage are kept. */
  snprintf(p, sizeof p, "%s/in/cut.jsonl.gz", dir);
  gzFile gz = gzopen(p, "wb");
  assert_non_null(gz);
  for (int i = 0; i < 2000; i++) gzprintf(gz, "{\"id\":\"gz%d\",\"body\":\"echidna %d %x\"}\n", i, i, i * 2654435761u);
  assert_int_equal(gzclose(gz), Z_OK);
  struct stat st;
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(truncate(p, st.st_size / 2), 0);
  /* Binary data under an article name. */
  uint8_t bin[4096];
  uint64_t rng = 11;
  for (size_t i = 0; i < sizeof bin; i++) bin[i] = (uint8_t)td_test_rand(&rng);
  write_file("random.jsonl", bin, sizeof bin);
  write_file("random.txt", bin, sizeof bin);
}

static int setup(void **state) {
  (void)state;
  strcpy(dir, "/tmp/td-hostile-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  snprintf(path, sizeof path, "%s/h.idx", dir);
  make_hostile_files();
  td_error err;
  feed f = {NULL};
  if (td_builder_new(path, NULL, &f.b, &err)) return -1;
  feed_tree(&f, "corpus");
  char in[128];
  snprintf(in, sizeof in, "%s/in", dir);
  feed_tree(&f, in);
  /* 5000 distinct words, for prefixes that match many terms. */
  char *body = malloc(5000 * 7 + 1), *p = body;
  if (!body) return -1;
  for (int i = 0; i < 5000; i++) p += sprintf(p, "zq%04d ", i);
  td_article a = {{"many-words", 10}, {"Many words", 10}, {NULL, 0}, {NULL, 0}, {NULL, 0},
                  {body, strlen(body)}};
  td_status rc = td_builder_add(f.b, &a, &err);
  free(body);
  td_build_stats st;
  if (rc || td_builder_finish(f.b, &st, &err) || td_index_open(path, &ix, &err)) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  td_index_info info;
  td_index_info_get(ix, &info);
  ndocs = info.ndocs;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  td_index_close(ix);
  td_test_rm_tree(dir);
  return 0;
}

/* ---- running a query -------------------------------------------------------- */

enum { WANT_OK = 1, WANT_EQUERY = 2, WANT_ELIMIT = 4, WANT_ERROR = WANT_EQUERY | WANT_ELIMIT,
       WANT_ANY = 7 };

static int allowed(td_status rc, int want) {
  return (rc == TD_OK && (want & WANT_OK)) || (rc == TD_EQUERY && (want & WANT_EQUERY)) ||
         (rc == TD_ELIMIT && (want & WANT_ELIMIT));
}

/* Runs Q (LEN bytes shown in messages) with td_count and with td_search (10
** hits, then every document) under OP; asserts the outcome is one WANT
** allows, that errors explain themselves, that both agree, and that it all
** took bounded time and memory.  Returns the count (0 on an error). */
static uint64_t run(const char *q, td_default_op op, int want) {
  int memory = reset_peak();
  long rss0 = kb_of("VmRSS:");
  double t0 = td_test_now();
  td_error err;
  td_error_clear(&err);
  uint64_t count = 0;
  td_status rc = td_count(ix, q, op, &count, &err);
  double t1 = td_test_now();
  if (!allowed(rc, want))
    fail_msg("query \"%.80s\"%s (op %d): status %d (%s), not what was expected (%d)", q,
             strlen(q) > 80 ? "..." : "", op, rc, err.msg, want);
  if (rc) assert_true(err.code == rc && err.msg[0] != '\0');
  td_search_options top = {10, op, 0}, all = {ndocs, op, 0};
  td_results r10, rall;
  td_status rc10 = td_search(ix, q, &top, &r10, &err);
  td_status rcall = td_search(ix, q, &all, &rall, &err);
  double t2 = td_test_now();
  assert_int_equal(rc10, rc);
  assert_int_equal(rcall, rc);
  if (rc == TD_OK) {
    assert_int_equal(rall.nhits, count);
    assert_int_equal(r10.nhits, count < 10 ? count : 10);
    for (size_t i = 0; i < r10.nhits; i++) {
      assert_true(td_test_score_close(r10.hits[i].score, rall.hits[i].score));
    }
    td_results_free(&r10);
    td_results_free(&rall);
  }
  if (t1 - t0 > HANG_GUARD_S || t2 - t1 > 2 * HANG_GUARD_S)
    fail_msg("query \"%.80s\": count took %.2f s, searches %.2f s", q, t1 - t0, t2 - t1);
  long peak = kb_of("VmHWM:");
  if (memory && rss0 > 0 && peak > 0 && peak - rss0 > MEMORY_GUARD_KB)
    fail_msg("query \"%.80s\": memory grew by %ld MB", q, (peak - rss0) >> 10);
  return rc == TD_OK ? count : 0;
}

static uint64_t run_both(const char *q, int want) {
  uint64_t n = run(q, TD_OP_AND, want);
  run(q, TD_OP_OR, want);
  return n;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_malformed_queries(void **state) {
  (void)state;
  static const char *const bad[] = {
      "", " ", "\t\n", "(", ")", "()", "(()", "harbour)", "(harbour", "((harbour)",
      "\"", "\"harbour", "harbour\"", "\"\"", "\" \"", "AND", "OR", "NOT", "AND OR NOT",
      "harbour AND", "OR harbour", "harbour NOT", "harbour AND OR storm", "NOT NOT",
      "*", "**", "title:", "title:*", "title:\"\"", "harbour (", ") harbour (",
      "\"unterminated phrase AND (x", "!!!", "-- ... --", "\xff\xfe", "\xc3"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) run_both(bad[i], WANT_ERROR);
}

static void test_odd_but_valid_queries(void **state) {
  (void)state;
  uint64_t harbour = run_both("harbour", WANT_OK);
  assert_true(harbour > 0);
  assert_int_equal(run_both("NOT NOT harbour", WANT_OK), harbour);
  assert_int_equal(run_both("((((harbour))))", WANT_OK), harbour);
  assert_int_equal(run("NOT harbour", TD_OP_AND, WANT_OK), ndocs - harbour);
  assert_int_equal(run_both("harbour AND !", WANT_OK), harbour);
  assert_int_equal(run_both("Harbour's", WANT_OK), run_both("harbour", WANT_OK));
  run_both("foo:bar", WANT_OK);
  run_both("title:*harbour", WANT_ANY);
  run_both("harbour* storm*", WANT_OK);
  run_both("\"harbour harbour harbour harbour\"", WANT_OK);
  run_both("harbour AND NOT harbour", WANT_OK);
  /* Only exclusions: every document without either word. */
  assert_int_equal(run("NOT harbour NOT storm", TD_OP_AND, WANT_OK),
                   ndocs - run("harbour OR storm", TD_OP_AND, WANT_OK));
  assert_int_equal(run("harbour AND NOT harbour", TD_OP_AND, WANT_OK), 0);
}

static void test_long_queries(void **state) {
  (void)state;
  char *s = td_test_repeat("harbour ", 12500, "");      /* 100,000 characters */
  run_both(s, WANT_ELIMIT);
  free(s);
  s = td_test_repeat("x", 100000, "");
  run_both(s, WANT_ELIMIT);
  free(s);
  s = td_test_repeat(" ", TD_QUERY_MAX_BYTES - 7, "harbour");   /* exactly at the limit */
  assert_true(run_both(s, WANT_OK) > 0);
  free(s);
  s = td_test_repeat("\xe2\x80\x83", 33000, "harbour");   /* 99,000 bytes of em spaces */
  run_both(s, WANT_ELIMIT);
  free(s);
}

static void test_many_terms(void **state) {
  (void)state;
  char *s = td_test_repeat("storm ", 10000, "");
  run_both(s, WANT_ELIMIT);
  free(s);
  s = td_test_repeat("storm OR ", 9999, "harbour");
  run_both(s, WANT_ELIMIT);
  free(s);
  /* The most a query may hold, of common and rare words. */
  s = td_test_repeat("the ", TD_QUERY_MAX_TERMS, "");
  run_both(s, WANT_OK);
  free(s);
  s = td_test_repeat("zq1234 the ", TD_QUERY_MAX_TERMS / 2, "");
  run_both(s, WANT_OK);
  free(s);
  s = td_test_repeat("\"the harbour\" ", TD_QUERY_MAX_TERMS / 2, "");
  run_both(s, WANT_OK);
  free(s);
}

static void test_deep_nesting(void **state) {
  (void)state;
  char *s = malloc(2000 + 8);
  assert_non_null(s);
  memset(s, '(', 1000);
  memcpy(s + 1000, "harbour", 7);
  memset(s + 1007, ')', 1000);
  s[2007] = '\0';
  run_both(s, WANT_ELIMIT);            /* 1000 nested parentheses */
  s[1500] = '\0';
  run_both(s, WANT_ERROR);             /* and unbalanced */
  free(s);
  s = td_test_repeat("(", 1000, "");
  run_both(s, WANT_ERROR);
  free(s);
  s = td_test_repeat("(NOT ", 1000, "harbour");
  run_both(s, WANT_ERROR);
  free(s);
  s = td_test_repeat("NOT ", 10000, "harbour");  /* no parentheses: parity decides */
  assert_int_equal(run_both(s, WANT_OK), run_both("harbour", WANT_OK));
  free(s);
  char *closing = td_test_repeat(")", TD_QUERY_MAX_DEPTH, "");
  char *tail = malloc(strlen(closing) + 6);
  assert_non_null(tail);
  sprintf(tail, "storm%s", closing);
  s = td_test_repeat("(harbour OR ", TD_QUERY_MAX_DEPTH, tail);   /* as deep as allowed */
  free(tail);
  run_both(s, WANT_OK);
  free(s);
  free(closing);
}

static void test_invalid_utf8_queries(void **state) {
  (void)state;
  assert_true(run_both("caf\xe9 OR harbour", WANT_OK) > 0);
  run_both("\xed\xa0\x80 harbour", WANT_OK);          /* a surrogate */
  run_both("\xc0\xaf\xc0\xaf harbour", WANT_OK);      /* overlong '/' */
  run_both("\xf4\x90\x80\x80", WANT_ERROR);           /* above U+10FFFF */
  run_both("harbour \xe2\x80", WANT_OK);              /* cut short */
  /* Random bytes, and random bytes among words and operators. */
  static const char *const pieces[] = {"harbour", "AND", "OR", "NOT", "(", ")", "\"", "*",
                                       "title:", "storm", "\xff", "\xc3\xa9", " ", "zq1"};
  uint64_t rng = 2024;
  char q[256];
  for (int i = 0; i < 400; i++) {
    size_t n = 0;
    if (i % 2) {
      size_t len = td_test_rand(&rng) % 64;
      for (; n < len; n++) q[n] = (char)(td_test_rand(&rng) % 255 + 1);
    } else {
      for (int k = (int)(td_test_rand(&rng) % 12); k >= 0; k--) {
        const char *p = pieces[td_test_rand(&rng) % (sizeof pieces / sizeof *pieces)];
        size_t l = strlen(p);
        if (n + l + 1 >= sizeof q) break;
        memcpy(q + n, p, l);
        n += l;
        if (td_test_rand(&rng) % 2) q[n++] = ' ';
      }
    }
    q[n] = '\0';
    run(q, (td_default_op)(i % 3 == 0), WANT_ANY);
  }
}

static void test_prefixes(void **state) {
  (void)state;
  run_both("*", WANT_EQUERY);
  run_both("zq*", WANT_ELIMIT);                        /* 5000 terms */
  assert_int_equal(run_both("zq1*", WANT_OK), 1);     /* 1000 terms */
  assert_int_equal(run_both("title:zq1*", WANT_OK), 0);
  run_both("\"zq1* zq2\"", WANT_ANY);
  run_both("a*", WANT_ANY);
  run_both("t*", WANT_ANY);
  run_both("1*", WANT_ANY);
}

/* Many prefixes that each match many terms: the expansions of a query must
** be bounded as a whole, not only one prefix at a time. */
static void test_many_prefixes(void **state) {
  (void)state;
  char *s = td_test_repeat("zq1* ", 1000, "");
  run(s, TD_OP_OR, WANT_OK | WANT_ELIMIT);
  free(s);
  s = td_test_repeat("zq2* OR ", 200, "zq3*");
  run(s, TD_OP_AND, WANT_OK | WANT_ELIMIT);
  free(s);
}

static void test_long_phrases(void **state) {
  (void)state;
  char *s = td_test_repeat("zq0001 ", 64, "\"");
  s[0] = '"';
  run_both(s, WANT_OK);
  free(s);
  s = td_test_repeat("zq0001 ", 65, "\"");
  s[0] = '"';
  run_both(s, WANT_OK | WANT_ELIMIT);
  free(s);
  s = td_test_repeat("harbour ", 1000, "\"");
  s[0] = '"';
  run_both(s, WANT_ELIMIT);
  /* The message says what to do about it. */
  td_error err;
  uint64_t n;
  assert_int_equal(td_count(ix, s, TD_OP_AND, &n, &err), TD_ELIMIT);
  assert_non_null(strstr(err.msg, "split it into shorter phrases"));
  free(s);
}

/* The good articles of the hostile folder were all indexed, repaired. */
static void test_hostile_corpus_indexed(void **state) {
  (void)state;
  assert_int_equal(run("quokka", TD_OP_AND, WANT_OK), 1);    /* after a NUL byte */
  assert_int_equal(run("wombat", TD_OP_AND, WANT_OK), 1);    /* Latin-1 */
  assert_int_equal(run("café AND zurich AND crème", TD_OP_AND, WANT_OK), 1);
  assert_int_equal(run("numbat", TD_OP_AND, WANT_OK), 3);    /* around broken JSON */
  assert_int_equal(run("dingo", TD_OP_AND, WANT_OK), 3);     /* unclosed SGML */
  uint64_t echidna = run("echidna", TD_OP_AND, WANT_OK);    /* before gzip damage */
  assert_true(echidna > 0 && echidna < 2000);
  /* Every stored document of the index reads back. */
  for (uint32_t d = 0; d < ndocs; d++) {
    td_article a;
    td_error err;
    assert_int_equal(td_index_doc(ix, d, &a, &err), TD_OK);
  }
}

/* A JSON record whose id is empty must not become an article without an
** id (it is skipped, or given one, like a TREC document without DOCNO). */
static void test_jsonl_empty_id(void **state) {
  (void)state;
  td_search_options so = {10, TD_OP_AND, 0};
  td_results r;
  td_error err;
  assert_int_equal(td_search(ix, "bilby", &so, &r, &err), TD_OK);
  for (size_t i = 0; i < r.nhits; i++) {
    td_article a;
    assert_int_equal(td_index_doc(ix, r.hits[i].docid, &a, &err), TD_OK);
    if (a.id.len == 0) fail_msg("the JSON record with \"id\":\"\" was indexed with an empty id");
  }
  td_results_free(&r);
}

/* ---- crafted indexes (findings of fuzz/fuzz_index.c) ----------------------- */

typedef struct image {
  uint8_t *d;
  size_t n;
  char path[160];
} image;

/* Reads the test index into memory, to be damaged and written as a copy. */
static void image_load(image *im) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  struct stat st;
  assert_int_equal(fstat(fileno(f), &st), 0);
  im->n = (size_t)st.st_size;
  assert_non_null(im->d = malloc(im->n));
  assert_int_equal(fread(im->d, 1, im->n, f), im->n);
  fclose(f);
  snprintf(im->path, sizeof im->path, "%s/crafted.idx", dir);
}

/* The section table entry of section ID. */
static td_section *image_section(image *im, uint32_t id) {
  td_header h;
  memcpy(&h, im->d, sizeof h);
  for (uint32_t i = 0; i < h.nsections && i < TD_MAX_SECTIONS; i++) {
    td_section *s = (td_section *)(void *)(im->d + sizeof h + i * sizeof *s);
    if (s->id == id) return s;
  }
  fail_msg("section %u not in the index", id);
  return NULL;
}

/* Recomputes the CRC of section ID, of the table and of the header, as a
** writer would, so the damage passes every check made at open. */
static void image_reseal(image *im, uint32_t id) {
  td_section *s = image_section(im, id);
  s->crc = (uint32_t)crc32(0, im->d + s->offset, (uInt)s->length);
  td_header h;
  memcpy(&h, im->d, sizeof h);
  h.table_crc = (uint32_t)crc32(0, im->d + sizeof h, TD_MAX_SECTIONS * sizeof(td_section));
  h.header_crc = 0;
  h.header_crc = (uint32_t)crc32(0, (const uint8_t *)&h, sizeof h);
  memcpy(im->d, &h, sizeof h);
}

static void image_write(image *im) {
  FILE *f = fopen(im->path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(im->d, 1, im->n, f), im->n);
  assert_int_equal(fclose(f), 0);
  free(im->d);
}

/* Damage in the lexicon is found while a query looks terms up: the error
** must name the index and say to rebuild it, like any other damage (the
** searcher printed only "lexicon block 20 fails its checksum"). */
static void test_damaged_lexicon_names_the_index(void **state) {
  (void)state;
  image im;
  image_load(&im);
  td_section *lex = image_section(&im, TD_SEC_LEXICON), *idx = image_section(&im, TD_SEC_LEXIDX);
  for (uint64_t i = 0; i + sizeof(td_lexblk) <= idx->length; i += sizeof(td_lexblk)) {
    td_lexblk b;
    memcpy(&b, im.d + idx->offset + i, sizeof b);
    im.d[lex->offset + b.offset + b.length / 2] ^= 0x5a;   /* every block */
  }
  image_write(&im);
  td_index *bad;
  td_error err;
  assert_int_equal(td_index_open(im.path, &bad, &err), TD_OK);
  static const char *const queries[] = {"harbour", "\"central bank\"", "elect*", "NOT storm"};
  for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
    uint64_t n;
    td_status rc = td_count(bad, queries[i], TD_OP_AND, &n, &err);
    assert_int_equal(rc, TD_ECORRUPT);
    if (!strstr(err.msg, im.path)) fail_msg("query \"%s\": \"%s\" does not name %s", queries[i], err.msg, im.path);
    td_search_options so = {10, TD_OP_AND, 0};
    td_results r;
    assert_int_equal(td_search(bad, queries[i], &so, &r, &err), TD_ECORRUPT);
    assert_non_null(strstr(err.msg, im.path));
  }
  td_index_close(bad);
}

/* Reads stored document 0 of the crafted copy; returns the status. */
static td_status read_doc0(const char *p, td_error *err) {
  td_index *bad;
  td_status rc = td_index_open(p, &bad, err);
  if (rc) return rc;
  td_article a;
  rc = td_index_doc(bad, 0, &a, err);
  td_index_close(bad);
  return rc;
}

/* A frame whose index entry (checksums intact) claims 4 GB uncompressed:
** the reader must call that damage, not try to allocate it.  Run in a child
** limited to 1 GB of address space, where such an allocation fails (not
** under AddressSanitizer, which needs terabytes of address space). */
static void test_crafted_frame_size(void **state) {
  (void)state;
#if defined(__SANITIZE_ADDRESS__)
  skip();
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  skip();
#endif
#endif
  image im;
  image_load(&im);
  td_section *bi = image_section(&im, TD_SEC_BODYIDX);
  uint32_t huge = 0xFFFFFF00u;
  memcpy(im.d + bi->offset + offsetof(td_docblk, ulen), &huge, sizeof huge);
  image_reseal(&im, TD_SEC_BODYIDX);
  image_write(&im);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    struct rlimit rl = {1ul << 30, 1ul << 30};
    td_error err;
    if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(3);
    td_status rc = read_doc0(im.path, &err);
    if (rc != TD_ECORRUPT) fprintf(stderr, "frame claiming 4 GB: status %d: %s\n", rc, err.msg);
    _exit(rc == TD_ECORRUPT ? 0 : 1);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail_msg("a frame claiming 4 GB was not reported as damage (child status %d)", status);
}

/* A frame that really holds nothing: a valid zstd frame of 0 bytes, with
** its checksums right.  It is damage (a frame holds at least one length per
** document), and the reader did pointer arithmetic on its never-allocated
** buffer (NULL + 0, UBSan in docstore.c). */
static void test_crafted_empty_frame(void **state) {
  (void)state;
  image im;
  image_load(&im);
  td_section *bi = image_section(&im, TD_SEC_BODYIDX), *bodies = image_section(&im, TD_SEC_BODIES);
  td_docblk e;
  memcpy(&e, im.d + bi->offset, sizeof e);
  uint8_t frame[64];
  size_t n = ZSTD_compress(frame, sizeof frame, "", 0, 1);
  assert_false(ZSTD_isError(n));
  assert_true(n <= e.clen);
  memcpy(im.d + bodies->offset + e.offset, frame, n);
  e.clen = (uint32_t)n;
  e.ulen = 0;
  e.crc = (uint32_t)crc32(0, frame, (uInt)n);
  memcpy(im.d + bi->offset, &e, sizeof e);
  image_reseal(&im, TD_SEC_BODIES);
  image_reseal(&im, TD_SEC_BODYIDX);
  image_write(&im);
  td_error err;
  assert_int_equal(read_doc0(im.path, &err), TD_ECORRUPT);
  assert_non_null(strstr(err.msg, im.path));
}

/* Postings naming a document the index does not have: here the statistics
** (checksums right) count one document fewer than the postings use.  A
** query must report damage, never return a docid past the document table
** (which the evaluator also reads lengths from for scoring). */
static void test_crafted_docid_beyond_ndocs(void **state) {
  (void)state;
  image im;
  image_load(&im);
  td_section *meta = image_section(&im, TD_SEC_META), *tab = image_section(&im, TD_SEC_DOCTAB);
  td_meta m;
  memcpy(&m, im.d + meta->offset, sizeof m);
  assert_int_equal(m.ndocs, ndocs);
  /* The id index and the store frames are counted in blocks of documents:
  ** one fewer keeps their counts right unless it crosses a block. */
  if (ndocs % 32 == 1) skip();
  m.ndocs--;
  memcpy(im.d + meta->offset, &m, sizeof m);
  tab->length -= sizeof(td_docent);
  image_reseal(&im, TD_SEC_META);
  image_reseal(&im, TD_SEC_DOCTAB);
  image_write(&im);
  td_index *bad;
  td_error err;
  assert_int_equal(td_index_open(im.path, &bad, &err), TD_OK);
  /* The last document, now beyond the count, is the one of many words. */
  td_search_options so = {10, TD_OP_AND, 0};
  td_results r;
  td_status rc = td_search(bad, "zq0001", &so, &r, &err);
  if (rc == TD_OK) {
    for (size_t i = 0; i < r.nhits; i++)
      if (r.hits[i].docid >= m.ndocs)
        fail_msg("hit docid %u from an index of %llu documents", r.hits[i].docid,
                 (unsigned long long)m.ndocs);
    td_results_free(&r);
  } else {
    assert_int_equal(rc, TD_ECORRUPT);
    assert_non_null(strstr(err.msg, im.path));
  }
  /* A count of a union marks a bitmap sized by the document count: the
  ** document past it must be reported, not marked. */
  uint64_t n;
  assert_int_equal(td_count(bad, "zq0001 OR echidna", TD_OP_AND, &n, &err), TD_ECORRUPT);
  assert_non_null(strstr(err.msg, im.path));
  assert_int_equal(td_count(bad, "echidna NOT zq0001", TD_OP_AND, &n, &err), TD_ECORRUPT);
  td_index_close(bad);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_malformed_queries),
      cmocka_unit_test(test_odd_but_valid_queries),
      cmocka_unit_test(test_long_queries),
      cmocka_unit_test(test_many_terms),
      cmocka_unit_test(test_deep_nesting),
      cmocka_unit_test(test_invalid_utf8_queries),
      cmocka_unit_test(test_prefixes),
      cmocka_unit_test(test_many_prefixes),
      cmocka_unit_test(test_long_phrases),
      cmocka_unit_test(test_hostile_corpus_indexed),
      cmocka_unit_test(test_jsonl_empty_id),
      cmocka_unit_test(test_damaged_lexicon_names_the_index),
      cmocka_unit_test(test_crafted_frame_size),
      cmocka_unit_test(test_crafted_empty_frame),
      cmocka_unit_test(test_crafted_docid_beyond_ndocs),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
