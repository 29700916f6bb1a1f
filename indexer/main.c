/*
** indexer - builds a tidings index from folders and files of news articles.
**
**   bin/indexer -o INDEX [--lang LANG] [--memory MB] [-q] [-v] PATH...
**
** A thin front end: it walks the paths, hands each file to the library's
** corpus readers and each article to the builder, reports warnings and
** progress on stderr, and prints a one-line summary.  The old INDEX stays
** in place until the new one is complete.
*/
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "tidings.h"
#include "walk.h"

typedef struct run {
  td_builder *b;
  td_error err;
  int quiet, verbose, progress;
  unsigned long files, skipped, records_skipped, warnings;
  unsigned long long text_bytes;   /* titles and bodies added, for the progress line */
  double started, last_progress;
} run;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Formats N bytes for people: "812 B", "45.2 KB", "20.0 MB", "1.3 GB". */
static const char *human(unsigned long long n, char *buf, size_t cap) {
  static const char *unit[] = {"B", "KB", "MB", "GB", "TB"};
  double v = (double)n;
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    u++;
  }
  snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
  return buf;
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

static void usage(FILE *f) {
  fputs("usage: indexer -o INDEX [options] PATH...\n"
        "Build a search index from news articles; PATH is a file or a folder (walked\n"
        "recursively).  Formats: *.txt (one article, title = first line), TREC SGML\n"
        "(*.trec *.sgml *.sgm, or files starting with <DOC>), *.jsonl (id, title, body,\n"
        "date, source, url), each optionally gzip-compressed (*.gz).\n"
        "\n"
        "  -o, --output INDEX   index file to write (replaced atomically when done)\n"
        "      --lang LANG      stemming language (default english; 'none' to disable)\n"
        "      --memory MB      memory for in-memory inversion before spilling (default "
        STRINGIFY(TD_DEFAULT_MEMORY_MB) ")\n"
        "  -j, --threads N      analysing threads (default: the number of processors, at most 8)\n"
        "  -q, --quiet          no warnings, no progress, no summary\n"
        "  -v, --verbose        also report files that are not articles\n"
        "  -h, --help           this help\n"
        "      --version        print the version\n"
        "\n"
        "Exit status: 0 index written, 2 error (nothing replaced).\n", f);
}

static void warn(void *ctx, const char *path, long line, const char *msg) {
  run *r = ctx;
  r->warnings++;
  if (r->quiet) return;
  if (r->progress) fputs("\r\033[K", stderr);
  if (!path) fprintf(stderr, "indexer: warning: %s\n", msg);  /* MSG names the file */
  else if (line > 0) fprintf(stderr, "indexer: warning: %s:%ld: %s\n", path, line, msg);
  else fprintf(stderr, "indexer: warning: %s: %s\n", path, msg);
}

static void walk_warn(void *ctx, const char *path, const char *msg) { warn(ctx, path, 0, msg); }

static void show_progress(run *r) {
  double t = now();
  if (!r->progress || t - r->last_progress < 0.2) return;
  r->last_progress = t;
  fprintf(stderr, "\r%llu articles, %.1f MB of text, %.1f s",
          (unsigned long long)td_builder_count(r->b), (double)r->text_bytes / 1e6, t - r->started);
}

static td_status on_article(void *ctx, const td_article *a) {
  run *r = ctx;
  if (interrupted) return td_fail(&r->err, TD_EINVAL, "interrupted");
  td_status rc = td_builder_add(r->b, a, &r->err);
  /* Counted per article, not per file: one large file is read for minutes. */
  r->text_bytes += a->title.len + a->body.len;
  if (!rc && (td_builder_count(r->b) & 255) == 0) show_progress(r);
  return rc;
}

static int on_file(void *ctx, const char *path, const char *relname) {
  run *r = ctx;
  if (interrupted) return 1;
  td_corpus_counts counts = {0, 0, 0};
  td_error ferr;
  td_error_clear(&ferr);
  td_error_clear(&r->err);
  td_status rc = td_corpus_read_file(path, relname, on_article, warn, r, &counts, &ferr);
  r->files++;
  r->records_skipped += counts.records_skipped;
  td_builder_note_input(r->b, counts.bytes);
  if (r->err.code) return 1;           /* the builder failed: stop everything */
  if (rc == TD_ENOMEM) {
    r->err = ferr;
    return 1;
  }
  if (rc) {
    r->skipped++;
    if (rc != TD_EINPUT || r->verbose || !strstr(ferr.msg, "not a recognised"))
      warn(r, NULL, 0, ferr.msg);
  }
  return 0;
}

int main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"output", required_argument, 0, 'o'}, {"lang", required_argument, 0, 'L'},
      {"memory", required_argument, 0, 'm'}, {"quiet", no_argument, 0, 'q'},
      {"verbose", no_argument, 0, 'v'},      {"help", no_argument, 0, 'h'},
      {"version", no_argument, 0, 'V'},      {"threads", required_argument, 0, 'j'},
      {0, 0, 0, 0}};
  const char *out = NULL;
  td_build_options opt = {NULL, 0, 0};
  run r;
  memset(&r, 0, sizeof r);
  int c;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  opt.threads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (unsigned)ncpu;
  while ((c = getopt_long(argc, argv, "o:j:qvh", longopts, NULL)) != -1) {
    switch (c) {
      case 'o': out = optarg; break;
      case 'L': opt.lang = optarg; break;
      case 'm': {
        char *end;
        long mb = strtol(optarg, &end, 10);
        if (*end || mb < 16 || mb > 1 << 20) {
          fprintf(stderr, "indexer: --memory takes megabytes, from 16 to 1048576 (got '%s')\n", optarg);
          return 2;
        }
        opt.memory_mb = (size_t)mb;
        break;
      }
      case 'j': {
        char *end;
        long j = strtol(optarg, &end, 10);
        if (*end || j < 1 || j > 64) {
          fprintf(stderr, "indexer: -j takes a number of threads from 1 to 64 (got '%s')\n", optarg);
          return 2;
        }
        opt.threads = (unsigned)j;
        break;
      }
      case 'q': r.quiet = 1; break;
      case 'v': r.verbose = 1; break;
      case 'h': usage(stdout); return 0;
      case 'V': printf("indexer (tidings) %s\n", TD_VERSION); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (!out || optind >= argc) {
    fprintf(stderr, "indexer: %s\n", !out ? "missing -o INDEX (the index file to write)"
                                          : "missing PATH (a corpus file or folder to index)");
    usage(stderr);
    return 2;
  }
  /* Each thread inverts in its share of the budget and spills a sorted run
  ** when it is full.  Measured on 200,000 articles with -j 8: 8 MB a thread
  ** took 9 s, 4 MB 14 s, 2 MB 37 s, spilling thousands of runs. */
  size_t budget = opt.memory_mb ? opt.memory_mb : TD_DEFAULT_MEMORY_MB;
  if (budget / opt.threads < 8 && !r.quiet)
    fprintf(stderr, "indexer: warning: --memory %zu over %u threads leaves %zu MB a thread; a "
            "large corpus then spills to disk again and again and indexes several times "
            "slower: give --memory %u or more, or fewer threads (-j)\n",
            budget, opt.threads, budget / opt.threads, 8 * opt.threads);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGHUP, on_signal);
  /* Every path is checked before any work: a mistyped last one must not
  ** cost the indexing of the others. */
  for (int i = optind; i < argc; i++)
    if (access(argv[i], F_OK) != 0) {
      fprintf(stderr, "indexer: %s: %s; check the path (%s was left as it was)\n", argv[i],
              strerror(errno), out);
      return 2;
    }
  /* glibc grows a thread's heap by the bytes asked for, mostly a page per
  ** mprotect, and every call stalls the other threads' page faults: with
  ** -j 2 on Reuters that was 2,400 calls and 6% of the wall time.  With a
  ** pad, each new thread heap starts with 16 MB usable, which costs address
  ** space only (a larger build still grows its heaps as before). */
  mallopt(M_TOP_PAD, 16 << 20);
  /* The final merge opens every spilled run at once: a large corpus on many
  ** threads may spill more runs than the usual soft limit of 1,024 files,
  ** which the hard limit, often far higher, lets a process raise itself.
  ** Failing to is harmless: the merge fits itself to the limit it has, and
  ** says so when even that is too low. */
  struct rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &files);
  }
  r.progress = !r.quiet && isatty(2);
  r.started = now();
  td_status rc = td_builder_new(out, &opt, &r.b, &r.err);
  if (rc) {
    fprintf(stderr, "indexer: %s\n", r.err.msg);
    return 2;
  }
  for (int i = optind; i < argc && !interrupted; i++) {
    int w = walk_path(argv[i], on_file, walk_warn, &r);
    if (w < 0 && !r.err.code) td_fail(&r.err, TD_ENOMEM, "out of memory walking %s", argv[i]);
    if (w) break;
  }
  if (r.progress) fputs("\r\033[K", stderr);
  if (interrupted || r.err.code) {
    td_builder_abort(r.b);
    fprintf(stderr, "indexer: %s; %s was left as it was\n",
            interrupted ? "interrupted" : r.err.msg, out);
    return interrupted ? 130 : 2;
  }
  /* An empty index is never what was meant (a mistyped or empty folder),
  ** and replacing a good index with one would lose it. */
  if (td_builder_count(r.b) == 0) {
    td_builder_abort(r.b);
    char why[96] = "";
    if (r.files == 0)
      snprintf(why, sizeof why, "; give files ending in .txt, .trec, .sgml, .jsonl (or .gz)");
    else if (r.skipped && !r.verbose)
      snprintf(why, sizeof why, " (%lu skipped: run with -v to see why)", r.skipped);
    int kept = access(out, F_OK) == 0;
    fprintf(stderr, "indexer: no articles found in %lu files read%s; nothing was written%s%s%s\n",
            r.files - r.skipped, why, kept ? " and " : "", kept ? out : "",
            kept ? " was left as it was" : "");
    return 2;
  }
  td_build_stats st;
  if ((rc = td_builder_finish(r.b, &st, &r.err))) {
    fprintf(stderr, "indexer: %s; %s was left as it was\n", r.err.msg, out);
    return 2;
  }
  char in[32], ib[32];
  if (!r.quiet)
    fprintf(stderr,
            "indexer: %llu articles, %llu terms, %s input -> %s %s (%.0f%%) in %.2f s; "
            "%lu files read, %lu skipped, %lu records skipped\n",
            (unsigned long long)st.articles, (unsigned long long)st.terms,
            human(st.input_bytes, in, sizeof in), out, human(st.index_bytes, ib, sizeof ib),
            st.input_bytes ? 100.0 * (double)st.index_bytes / (double)st.input_bytes : 0.0,
            now() - r.started, r.files - r.skipped, r.skipped, r.records_skipped);
  return 0;
}
