/*
** peer_util.c - input walking and the batch query loop of the benchmark
** peers.  See peer_util.h.
*/
#include "peer_util.h"

#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct walk_ctx {
  td_article_fn on_article;
  void *ctx;
  td_corpus_counts counts;
  unsigned long files;
  unsigned long warnings;
  int failed;                /* the peer's own callback failed: stop */
  int said;                  /* walk_file stopped the walk and said why */
} walk_ctx;

/* Warnings are counted rather than printed: the peers run on corpora the
** project's indexer reports on already, and thousands of lines of stderr
** would only cost time inside the measured run. */
static void count_warning(void *ctx, const char *path, long line, const char *msg) {
  (void)path; (void)line; (void)msg;
  ((walk_ctx *)ctx)->warnings++;
}

/* The reader passes one context to both callbacks; this hands the article
** on to the peer's own callback and context. */
static td_status forward_article(void *ctx, const td_article *a) {
  walk_ctx *w = ctx;
  td_status st = w->on_article(w->ctx, a);
  if (st) w->failed = 1;
  return st;
}

/* Reads one file, as bin/indexer does: a file the reader cannot use is
** skipped (counted as a warning); running out of memory or the peer failing
** to add an article stops, so that no partial index is measured. */
static int walk_file(void *ctx, const char *path, const char *relname) {
  walk_ctx *w = ctx;
  td_error err;
  td_error_clear(&err);
  td_status st = td_corpus_read_file(path, relname, forward_article, count_warning, w,
                                     &w->counts, &err);
  if (st == TD_ENOMEM || w->failed) {
    fprintf(stderr, "peer: %s: %s\n", path, w->failed ? "the engine refused an article" : err.msg);
    w->said = 1;
    return -1;
  }
  if (st == TD_OK) w->files++;
  else if (st != TD_EINPUT) w->warnings++;
  return 0;
}

static void count_walk_warning(void *ctx, const char *path, const char *msg) {
  count_warning(ctx, path, 0, msg);
}

int pu_index_paths(char **paths, int n, td_article_fn on_article, void *ctx) {
  walk_ctx w;
  memset(&w, 0, sizeof w);
  w.on_article = on_article;
  w.ctx = ctx;
  for (int i = 0; i < n; i++) {
    if (access(paths[i], R_OK) != 0) {
      fprintf(stderr, "peer: %s: %s\n", paths[i], strerror(errno));
      return -1;
    }
    if (walk_path(paths[i], walk_file, count_walk_warning, &w) != 0) {
      if (!w.said) fprintf(stderr, "peer: out of memory walking %s\n", paths[i]);
      return -1;
    }
  }
  fprintf(stderr, "peer: %lu files, %lu articles, %llu bytes, %lu records skipped, %lu warnings\n",
          w.files, w.counts.articles, w.counts.bytes, w.counts.records_skipped, w.warnings);
  return 0;
}

/* fsyncs the file or folder at PATH; 0, or -1 after printing why. */
static int sync_one(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0 || fsync(fd) != 0) {
    fprintf(stderr, "peer: cannot sync %s: %s\n", path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  return close(fd);
}

int pu_sync_path(const char *path) {
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    int bad = 0;
    char f[4200];
    while (!bad && (e = readdir(d)))
      if (e->d_type == DT_REG) {
        snprintf(f, sizeof f, "%s/%s", path, e->d_name);
        bad = sync_one(f);
      }
    closedir(d);
    if (bad) return -1;
  }
  if (sync_one(path) != 0) return -1;
  char *parent = strdup(path), *slash = parent ? strrchr(parent, '/') : NULL;
  if (!parent) return -1;
  const char *dir = slash ? (slash == parent ? "/" : (*slash = '\0', parent)) : ".";
  int rc = sync_one(dir);
  free(parent);
  return rc;
}

int pu_parse_query_opts(int argc, char **argv, pu_query_opts *opts) {
  memset(opts, 0, sizeof *opts);
  opts->k = 10;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--count") == 0) {
      opts->count = 1;
    } else if (strcmp(a, "-k") == 0 && i + 1 < argc) {
      opts->k = atoi(argv[++i]);
      if (opts->k <= 0) {
        fprintf(stderr, "peer: -k wants a positive number, got '%s'\n", argv[i]);
        return -1;
      }
    } else if (strcmp(a, "--default-op") == 0 && i + 1 < argc) {
      const char *op = argv[++i];
      if (strcmp(op, "or") != 0 && strcmp(op, "and") != 0) {
        fprintf(stderr, "peer: --default-op wants 'and' or 'or', got '%s'\n", op);
        return -1;
      }
      opts->default_or = strcmp(op, "or") == 0;
    } else if (strcmp(a, "--latency-file") == 0 && i + 1 < argc) {
      opts->latency_file = argv[++i];
    } else {
      fprintf(stderr, "peer: unknown query option '%s' (know --count, -k N, "
                      "--default-op and|or, --latency-file FILE)\n", a);
      return -1;
    }
  }
  return 0;
}

typedef struct latency {
  char *qid;
  long usec;
} latency;

static double now_usec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int write_latencies(const char *path, const latency *lat, size_t n) {
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "peer: %s: %s\n", path, strerror(errno));
    return -1;
  }
  for (size_t i = 0; i < n; i++) fprintf(f, "%s\t%ld\n", lat[i].qid, lat[i].usec);
  if (fclose(f) != 0) {
    fprintf(stderr, "peer: %s: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

int pu_run_batch(FILE *in, FILE *out, const pu_query_opts *opts, pu_query_fn fn, void *ctx) {
  char *line = NULL;
  size_t cap = 0, n = 0, lcap = 0;
  latency *lat = NULL;
  int failed = 0;
  ssize_t len;
  while ((len = getline(&line, &cap, in)) >= 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (len == 0) continue;
    char *tab = strchr(line, '\t');
    const char *query = line;
    if (tab) {
      *tab = '\0';
      query = tab + 1;
    }
    double t0 = now_usec();
    if (fn(ctx, line, query, out) != 0) failed++;
    double t1 = now_usec();
    if (n == lcap) {
      lcap = lcap ? 2 * lcap : 256;
      latency *grown = realloc(lat, lcap * sizeof *lat);
      if (!grown) {
        fprintf(stderr, "peer: out of memory\n");
        exit(2);
      }
      lat = grown;
    }
    lat[n].qid = strdup(line);
    lat[n].usec = (long)(t1 - t0 + 0.5);
    if (!lat[n].qid) {
      fprintf(stderr, "peer: out of memory\n");
      exit(2);
    }
    n++;
  }
  free(line);
  fflush(out);
  int rc = failed;
  if (opts->latency_file && write_latencies(opts->latency_file, lat, n) != 0) rc = -1;
  for (size_t i = 0; i < n; i++) free(lat[i].qid);
  free(lat);
  return rc;
}
