/*
** searcher - answers queries against a tidings index.
**
**   bin/searcher -i INDEX [-k N] [--format text|json|tsv|trec] [--count]
**                [--default-op and|or] [--keep-stopwords] [QUERY...]
**
** With a QUERY it answers that one; without, it reads queries from standard
** input, one per line, either bare or as qid<TAB>query (batch mode: one
** process, one index open, many queries).  Exit status as grep: 0 when some
** query matched, 1 when none did, 2 on any error.
*/
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "tidings.h"

enum { EXIT_HIT = 0, EXIT_NOHIT = 1, EXIT_ERROR = 2 };

typedef struct opts {
  const char *index;
  size_t k;
  int count, check, keep_stopwords;
  td_default_op op;
  out_opts out;
  FILE *latency;            /* --latency-file: qid<TAB>microseconds per query */
} opts;

static void usage(FILE *f) {
  fputs("usage: searcher -i INDEX [options] [QUERY...]\n"
        "Search an index built by bin/indexer.  Without QUERY, read queries from\n"
        "standard input, one per line, optionally as qid<TAB>query.\n"
        "\n"
        "  -i, --index INDEX       the index file\n"
        "  -k N                    hits per query (default 10)\n"
        "      --format FMT        text (default), json, tsv or trec\n"
        "      --count             print qid<TAB>number-of-matches instead of hits\n"
        "      --default-op OP     how bare words combine: and (default) or or\n"
        "      --keep-stopwords    let words like the, of, what weigh in the ranking\n"
        "                          (by default they only match, unless the query has\n"
        "                          nothing else)\n"
        "      --tag TAG           run tag for --format trec (default tidings)\n"
        "      --check             verify every checksum of the index and exit\n"
        "      --latency-file F    write qid<TAB>microseconds for every query to F\n"
        "  -h, --help              this help\n"
        "      --version           print the version\n"
        "\n"
        "Query syntax: words; AND, OR, NOT (upper case), a NOT b; ( ); \"exact phrase\";\n"
        "prefix*; title:word, title:\"phrase\".  NOT binds tighter than AND, AND\n"
        "tighter than OR.  Example: '\"armistice agreement\" AND (remains OR soldiers) NOT Pompeo'\n"
        "\n"
        "Exit status: 0 some query matched, 1 none did, 2 error.\n", f);
}

/* Answers one query; returns EXIT_HIT, EXIT_NOHIT or EXIT_ERROR. */
static int answer(td_index *ix, const opts *o, const char *qid, const char *query, long line) {
  td_error err;
  td_error_clear(&err);
  if (o->count) {
    uint64_t n;
    if (td_count(ix, query, o->op, &n, &err)) goto fail;
    printf("%s\t%llu\n", qid, (unsigned long long)n);
    return n ? EXIT_HIT : EXIT_NOHIT;
  }
  td_search_options so = {o->k, o->op, o->keep_stopwords};
  td_results res;
  if (td_search(ix, query, &so, &res, &err)) goto fail;
  for (size_t i = 0; i < res.nhits; i++) {
    td_article doc;
    memset(&doc, 0, sizeof doc);
    td_status rc = o->out.format == OUT_TREC ? td_index_id(ix, res.hits[i].docid, &doc.id, &err)
                                             : td_index_summary(ix, res.hits[i].docid, &doc, &err);
    if (rc) {
      td_results_free(&res);
      goto fail;
    }
    output_hit(stdout, &o->out, qid, i + 1, &res.hits[i], &doc);
  }
  int rc = res.nhits ? EXIT_HIT : EXIT_NOHIT;
  td_results_free(&res);
  return rc;
fail:
  fflush(stdout);
  if (line > 0) fprintf(stderr, "searcher: query %s (line %ld): %s\n", qid, line, err.msg);
  else fprintf(stderr, "searcher: %s\n", err.msg);
  return EXIT_ERROR;
}

/* Answers one query, timing it (parse, evaluation and output) when asked. */
static int timed_answer(td_index *ix, const opts *o, const char *qid, const char *query,
                        long line) {
  if (!o->latency) return answer(ix, o, qid, query, line);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = answer(ix, o, qid, query, line);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long us = (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
  fprintf(o->latency, "%s\t%lld\n", qid, us);
  return rc;
}

/* Combines per-query outcomes: any error wins, then any hit. */
static int combine(int acc, int rc) {
  if (acc == EXIT_ERROR || rc == EXIT_ERROR) return EXIT_ERROR;
  return acc == EXIT_HIT || rc == EXIT_HIT ? EXIT_HIT : EXIT_NOHIT;
}

static int batch(td_index *ix, const opts *o) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  long lineno = 0;
  int status = EXIT_NOHIT;
  while ((n = getline(&line, &cap, stdin)) != -1) {
    lineno++;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    if (strspn(line, " \t") == (size_t)n) continue;  /* blank lines separate, as in a file */
    char qidbuf[32], *qid = qidbuf, *query = line, *tab = strchr(line, '\t');
    if (tab) {
      *tab = '\0';
      qid = line;
      query = tab + 1;
    } else {
      snprintf(qidbuf, sizeof qidbuf, "%ld", lineno);
    }
    status = combine(status, timed_answer(ix, o, qid, query, lineno));
  }
  free(line);
  if (ferror(stdin)) {
    fprintf(stderr, "searcher: error reading queries from standard input\n");
    return EXIT_ERROR;
  }
  return status;
}

static int parse_args(int argc, char **argv, opts *o, int *done) {
  static const struct option longopts[] = {
      {"index", required_argument, 0, 'i'},  {"format", required_argument, 0, 'f'},
      {"count", no_argument, 0, 'c'},        {"default-op", required_argument, 0, 'd'},
      {"tag", required_argument, 0, 't'},    {"check", no_argument, 0, 'C'},
      {"latency-file", required_argument, 0, 'L'},
      {"keep-stopwords", no_argument, 0, 'S'},
      {"help", no_argument, 0, 'h'},         {"version", no_argument, 0, 'V'},
      {0, 0, 0, 0}};
  int c;
  *done = 0;
  while ((c = getopt_long(argc, argv, "i:k:h", longopts, NULL)) != -1) {
    switch (c) {
      case 'i': o->index = optarg; break;
      case 'k': {
        char *end;
        long k = strtol(optarg, &end, 10);
        if (*end || k < 1 || k > 1000000) {
          fprintf(stderr, "searcher: -k takes a number of hits from 1 to 1000000 (got '%s')\n", optarg);
          return EXIT_ERROR;
        }
        o->k = (size_t)k;
        break;
      }
      case 'f':
        if (!output_parse_format(optarg, &o->out.format)) {
          fprintf(stderr, "searcher: unknown format '%s'; use text, json, tsv or trec\n", optarg);
          return EXIT_ERROR;
        }
        break;
      case 'c': o->count = 1; break;
      case 'd':
        if (strcmp(optarg, "and") == 0) o->op = TD_OP_AND;
        else if (strcmp(optarg, "or") == 0) o->op = TD_OP_OR;
        else {
          fprintf(stderr, "searcher: --default-op takes 'and' or 'or' (got '%s')\n", optarg);
          return EXIT_ERROR;
        }
        break;
      case 't': o->out.tag = optarg; break;
      case 'C': o->check = 1; break;
      case 'S': o->keep_stopwords = 1; break;
      case 'L':
        if (o->latency) fclose(o->latency);
        if (!(o->latency = fopen(optarg, "w"))) {
          fprintf(stderr, "searcher: cannot write --latency-file %s: %s\n", optarg, strerror(errno));
          return EXIT_ERROR;
        }
        break;
      case 'h': usage(stdout); *done = 1; return EXIT_HIT;
      case 'V': printf("searcher (tidings) %s\n", TD_VERSION); *done = 1; return EXIT_HIT;
      default: usage(stderr); return EXIT_ERROR;
    }
  }
  if (!o->index) {
    fprintf(stderr, "searcher: missing -i INDEX (an index file built by bin/indexer)\n");
    return EXIT_ERROR;
  }
  return EXIT_HIT;
}

/* Joins the remaining arguments with spaces: `searcher -i x remains AND Osan`. */
static char *join_args(int argc, char **argv) {
  size_t len = 1;
  for (int i = optind; i < argc; i++) len += strlen(argv[i]) + 1;
  char *q = malloc(len);
  if (!q) return NULL;
  q[0] = '\0';
  for (int i = optind; i < argc; i++) {
    if (i > optind) strcat(q, " ");
    strcat(q, argv[i]);
  }
  return q;
}

int main(int argc, char **argv) {
  opts o = {NULL, 10, 0, 0, 0, TD_OP_AND, {OUT_TEXT, 0, "tidings"}, NULL};
  int done, rc = parse_args(argc, argv, &o, &done);
  if (rc != EXIT_HIT || done) {
    if (o.latency) fclose(o.latency);
    return rc;
  }
  o.out.color = o.out.format == OUT_TEXT && isatty(1) && !getenv("NO_COLOR");
  td_index *ix = NULL;
  td_error err;
  td_error_clear(&err);
  if (td_index_open(o.index, &ix, &err)) {
    fprintf(stderr, "searcher: %s\n", err.msg);
    if (o.latency) fclose(o.latency);
    return EXIT_ERROR;
  }
  if (o.check) {
    rc = td_index_check(ix, &err) ? EXIT_ERROR : EXIT_HIT;
    if (rc) fprintf(stderr, "searcher: %s\n", err.msg);
    else printf("%s: ok\n", o.index);
  } else if (optind < argc) {
    char *q = join_args(argc, argv);
    rc = q ? timed_answer(ix, &o, "1", q, 0) : EXIT_ERROR;
    free(q);
  } else {
    rc = batch(ix, &o);
  }
  td_index_close(ix);
  if (o.latency && fclose(o.latency) != 0) {
    fprintf(stderr, "searcher: error writing the latency file\n");
    rc = EXIT_ERROR;
  }
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "searcher: error writing results\n");
    return EXIT_ERROR;
  }
  return rc;
}
