/*
** fuzz_util.h - helpers shared by the libFuzzer targets: a checked
** assertion that survives -DNDEBUG, a strict UTF-8 validator, a private
** scratch folder, and building a small index from a corpus folder.
**
** Scratch files live in one mkdtemp folder under TMPDIR (default /tmp),
** removed at exit, so fuzzing never writes into the repository.
*/
#ifndef TD_FUZZ_UTIL_H
#define TD_FUZZ_UTIL_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tidings.h"

#define FUZZ_UNUSED __attribute__((unused))

/* The entry points libFuzzer (or fuzz/replay.c) calls. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A violated invariant is a finding: print it and abort so libFuzzer saves
** the input. */
#define FUZZ_ASSERT(c)                                                         \
  do {                                                                         \
    if (!(c)) {                                                                \
      fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* 1 when [P, P+N) is valid UTF-8 (no overlong forms, surrogates or values
** above U+10FFFF). */
static FUZZ_UNUSED int fuzz_utf8_valid(const char *p, size_t n) {
  const unsigned char *u = (const unsigned char *)p;
  for (size_t i = 0; i < n;) {
    unsigned c = u[i];
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c < 0xE0 ? 2 : c >= 0xE0 && c < 0xF0 ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (len == 0 || n - i < len) return 0;
    for (size_t k = 1; k < len; k++)
      if ((u[i + k] & 0xC0) != 0x80) return 0;
    if ((c == 0xE0 && u[i + 1] < 0xA0) || (c == 0xED && u[i + 1] >= 0xA0) ||
        (c == 0xF0 && u[i + 1] < 0x90) || (c == 0xF4 && u[i + 1] >= 0x90))
      return 0;
    i += len;
  }
  return 1;
}

static char fuzz_dir[256];

static void fuzz_rmdir(void) {
  DIR *d = opendir(fuzz_dir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char p[512];
    snprintf(p, sizeof p, "%s/%s", fuzz_dir, e->d_name);
    unlink(p);
  }
  if (d) closedir(d);
  rmdir(fuzz_dir);
}

/* The private scratch folder, created on first use. */
static FUZZ_UNUSED const char *fuzz_scratch(void) {
  if (!fuzz_dir[0]) {
    const char *t = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/td-fuzz-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(fuzz_dir)) {
      perror("fuzz: mkdtemp");
      abort();
    }
    atexit(fuzz_rmdir);
  }
  return fuzz_dir;
}

/* Writes DATA[0..SIZE) to the file PATH, replacing it. */
static FUZZ_UNUSED void fuzz_write_file(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    perror(path);
    abort();
  }
}

typedef struct fuzz_feed {
  td_builder *b;
  td_error *err;
} fuzz_feed;

static td_status fuzz_feed_article(void *ctx, const td_article *a) {
  fuzz_feed *f = ctx;
  return td_builder_add(f->b, a, f->err);
}

static void fuzz_no_warn(void *ctx, const char *p, long l, const char *m) {
  (void)ctx, (void)p, (void)l, (void)m;
}

static int fuzz_by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Feeds every file below PATH, in name order, to the builder. */
static td_status fuzz_feed_tree(const char *path, fuzz_feed *f) {
  struct stat st;
  if (stat(path, &st) != 0) return TD_EIO;
  if (S_ISREG(st.st_mode)) {
    td_error ferr;
    td_status rc = td_corpus_read_file(path, path, fuzz_feed_article, fuzz_no_warn, f, NULL, &ferr);
    return rc == TD_EINPUT ? TD_OK : rc;
  }
  if (!S_ISDIR(st.st_mode)) return TD_OK;
  DIR *d = opendir(path);
  if (!d) return TD_EIO;
  char *names[512];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 512) {
    if (e->d_name[0] == '.') continue;
    if (!(names[n++] = strdup(e->d_name))) abort();
  }
  closedir(d);
  qsort(names, n, sizeof *names, fuzz_by_name);
  td_status rc = TD_OK;
  for (size_t i = 0; i < n; i++) {
    char child[4096];
    snprintf(child, sizeof child, "%s/%s", path, names[i]);
    if (!rc) rc = fuzz_feed_tree(child, f);
    free(names[i]);
  }
  return rc;
}

/* Indexes the files below CORPUS into the scratch folder and opens the
** result in *IX; the file is unlinked at once (the mapping keeps it). */
static FUZZ_UNUSED td_status fuzz_build_index(const char *corpus, td_index **ix, td_error *err) {
  char path[512];
  snprintf(path, sizeof path, "%s/sample.idx", fuzz_scratch());
  td_builder *b;
  td_status rc = td_builder_new(path, NULL, &b, err);
  if (rc) return rc;
  fuzz_feed f = {b, err};
  if ((rc = fuzz_feed_tree(corpus, &f))) {
    td_builder_abort(b);
    return td_fail(err, rc, "cannot read the corpus %s", corpus);
  }
  td_build_stats st;
  if ((rc = td_builder_finish(b, &st, err))) return rc;
  if (st.articles == 0) return td_fail(err, TD_EINPUT, "no article in %s", corpus);
  rc = td_index_open(path, ix, err);
  unlink(path);
  return rc;
}

#endif
