/*
** fuzz_corpus.c - libFuzzer target for every corpus reader.
**
** The first byte of an input chooses how the rest is presented to
** td_corpus_read_file:
**   bits 0-2  the file name, so the format: .txt, .trec, .jsonl, .sgml,
**             .txt.gz, .trec.gz, .jsonl.gz, or no extension (sniffed)
**   bit 3     gzip-compress the payload first (otherwise a ".gz" name holds
**             the payload as it is: raw, or a damaged gzip stream from a seed)
**   bits 4-5  both set: repeat the payload to more than 300 KB, so that lines
**             longer than the 256 KB read buffer reach the readers in pieces
**             (two bits, so that the slow case is a quarter of the mutations)
** The payload is written to a file in a private scratch folder and read.
**
** Each article handed over must keep the promises of article.h and
** corpus.h: every field valid UTF-8 without control characters but tab and
** newline, the title on one line, fields within their caps, the status one
** of those documented, and the article count equal to the callbacks.  Each
** title and body is also run through the english analyzer, whose terms must
** be non-empty valid UTF-8 of at most TD_MAX_TERM bytes.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "analyzer.h"
#include "fuzz_util.h"
#include "tidings.h"

static const char *const names[8] = {"a.txt", "a.trec", "a.jsonl", "a.sgml",
                                     "a.txt.gz", "a.trec.gz", "a.jsonl.gz", "noext"};

#define REPEAT_TO (300u << 10)

static td_analyzer *english;

typedef struct seen {
  unsigned long articles;
  size_t name_len;
} seen;

static int check_token(void *ctx, const char *t, size_t len, uint32_t pos) {
  (void)ctx, (void)pos;
  FUZZ_ASSERT(len >= 1 && len <= TD_MAX_TERM && fuzz_utf8_valid(t, len));
  return 0;
}

/* Valid UTF-8 with no control character except (when ALLOW_TABNL) tab and
** newline, which article.h allows in every field but the (collapsed) title. */
static void check_text(const td_text *t, int allow_tabnl, size_t cap) {
  FUZZ_ASSERT(t->len == 0 || t->ptr != NULL);
  FUZZ_ASSERT(t->len <= cap);
  FUZZ_ASSERT(fuzz_utf8_valid(t->ptr, t->len));
  for (size_t i = 0; i < t->len; i++) {
    unsigned char c = (unsigned char)t->ptr[i];
    if (c < 0x20 || c == 0x7F) FUZZ_ASSERT(allow_tabnl && (c == '\t' || c == '\n'));
    if (c == 0xC2 && i + 1 < t->len) FUZZ_ASSERT((unsigned char)t->ptr[i + 1] >= 0xA0);
  }
}

static td_status on_article(void *ctx, const td_article *a) {
  seen *s = ctx;
  s->articles++;
  /* Caps apply to the raw bytes; repair may triple them (Windows-1252). */
  check_text(&a->id, 1, 3 * TD_MAX_ARTICLE_BYTES);
  check_text(&a->title, 0, 3 * TD_MAX_ARTICLE_BYTES);
  check_text(&a->date, 1, 3 * TD_MAX_ARTICLE_BYTES);
  check_text(&a->source, 1, 3 * TD_MAX_ARTICLE_BYTES);
  check_text(&a->url, 1, 3 * TD_MAX_ARTICLE_BYTES);
  check_text(&a->body, 1, 3 * TD_MAX_ARTICLE_BYTES);
  FUZZ_ASSERT(a->id.len > 0);
  /* Titles are collapsed to single spaces and trimmed. */
  for (size_t i = 0; i < a->title.len; i++) FUZZ_ASSERT(a->title.ptr[i] != '\t' && a->title.ptr[i] != '\n');
  if (a->title.len) FUZZ_ASSERT(a->title.ptr[0] != ' ' && a->title.ptr[a->title.len - 1] != ' ');
  td_analyze(english, a->title.ptr, a->title.len, 0, 1, check_token, NULL, NULL);
  td_analyze(english, a->body.ptr, a->body.len, 0, 1, check_token, NULL, NULL);
  return TD_OK;
}

static void on_warn(void *ctx, const char *path, long line, const char *msg) {
  (void)ctx;
  FUZZ_ASSERT(path && line >= 0 && msg && msg[0]);
}

/* The payload, gzip-compressed, in a malloc'd buffer of *N bytes. */
static uint8_t *gzip(const uint8_t *p, size_t n, size_t *out) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
  size_t cap = deflateBound(&z, (uLong)n);
  uint8_t *buf = malloc(cap ? cap : 1);
  if (!buf) abort();
  z.next_in = (Bytef *)(uintptr_t)p;
  z.avail_in = (uInt)n;
  z.next_out = buf;
  z.avail_out = (uInt)cap;
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
  *out = z.total_out;
  deflateEnd(&z);
  return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  td_error err;
  if (td_analyzer_new("english", &english, &err)) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  unsigned mode = data[0];
  const uint8_t *payload = data + 1;
  size_t n = size - 1;
  uint8_t *owned = NULL;
  if ((mode & 0x30) == 0x30 && n > 0) {
    size_t times = REPEAT_TO / n + 1, total = times * n;
    owned = malloc(total);
    if (!owned) abort();
    for (size_t i = 0; i < times; i++) memcpy(owned + i * n, payload, n);
    payload = owned;
    n = total;
  }
  if (mode & 8) {
    uint8_t *z = gzip(payload, n, &n);
    free(owned);
    payload = owned = z;
  }
  char path[512];
  snprintf(path, sizeof path, "%s/%s", fuzz_scratch(), names[mode & 7]);
  fuzz_write_file(path, payload, n);
  free(owned);

  seen s = {0, 0};
  td_corpus_counts counts = {0, 0, 0};
  td_error err;
  td_error_clear(&err);
  td_status rc = td_corpus_read_file(path, "rel/name", on_article, on_warn, &s, &counts, &err);
  FUZZ_ASSERT(rc == TD_OK || rc == TD_EINPUT || rc == TD_EIO);
  if (rc) FUZZ_ASSERT(err.code == rc && err.msg[0]);
  FUZZ_ASSERT(counts.articles == s.articles);
  int gz_magic = size >= 3 && data[1] == 0x1f && data[2] == 0x8b;
  if (!(mode & 8) && !gz_magic) FUZZ_ASSERT(counts.bytes <= n);
  unlink(path);
  return 0;
}
