/*
** main.c - treceval, the command-line front end of treceval.c.
**
**   treceval [-q] QRELS RUN
**
** Prints trec_eval-style lines, "measure<TAB>qid<TAB>value" with the
** measure name padded to 22 columns, first per query with -q, then "all":
** num_q num_ret num_rel num_rel_ret map P_10 ndcg_cut_10 recall_1000.
** The numbers are those of `trec_eval -c -m num_q -m map -m P.10
** -m ndcg_cut.10 -m recall.1000` (see treceval.h for the exact rules).
** Exit status: 0 on success, 1 when a file cannot be read or evaluated,
** 2 on a usage error.
*/
#include <stdio.h>
#include <string.h>

#include "treceval.h"

static const char usage[] =
    "usage: treceval [-q] QRELS RUN\n"
    "  QRELS  TREC qrels, lines `qid 0 docno rel` (rel > 0 is relevant)\n"
    "  RUN    TREC run, lines `qid Q0 docno rank score tag`\n"
    "  -q     also print the measures of each query\n"
    "Prints map, P_10, ndcg_cut_10 and recall_1000 as trec_eval -c does.\n";

/* Prints the measures of Q, whose qid column reads Q->qid. */
static void print_query(const td_eval_q *q, int with_num_q, size_t num_q) {
  if (with_num_q) printf("%-22s\t%s\t%zu\n", "num_q", q->qid, num_q);
  printf("%-22s\t%s\t%zu\n", "num_ret", q->qid, q->num_ret);
  printf("%-22s\t%s\t%zu\n", "num_rel", q->qid, q->num_rel);
  printf("%-22s\t%s\t%zu\n", "num_rel_ret", q->qid, q->num_rel_ret);
  printf("%-22s\t%s\t%.4f\n", "map", q->qid, q->map);
  printf("%-22s\t%s\t%.4f\n", "P_10", q->qid, q->p10);
  printf("%-22s\t%s\t%.4f\n", "ndcg_cut_10", q->qid, q->ndcg10);
  printf("%-22s\t%s\t%.4f\n", "recall_1000", q->qid, q->recall1000);
}

/* Loads both files and evaluates; prints the error and returns 1 on
** failure.  Owns everything it loads. */
static int evaluate(const char *qrels_path, const char *run_path, int per_query) {
  td_error err;
  td_error_clear(&err);
  td_qrels *qrels = NULL;
  td_run *run = NULL;
  td_eval ev;
  td_status st = td_qrels_load(qrels_path, &qrels, &err);
  if (!st) st = td_run_load(run_path, &run, &err);
  if (!st) st = td_eval_run(qrels, run, &ev, &err);
  if (st) {
    fprintf(stderr, "treceval: %s: %s\n", td_status_name(st), err.msg);
    td_run_free(run);
    td_qrels_free(qrels);
    return 1;
  }
  if (per_query)
    for (size_t i = 0; i < ev.nq; i++) print_query(&ev.q[i], 0, 0);
  print_query(&ev.all, 1, ev.nq);
  if (ev.all.num_ret == 0)
    fprintf(stderr, "treceval: warning: %s retrieves nothing for any of the "
            "%zu judged queries; was the run written with other query ids?\n",
            run_path, ev.nq);
  if (ev.nignored)
    fprintf(stderr, "treceval: note: %zu queries of %s have no relevant "
            "judgement in %s and are not evaluated\n", ev.nignored, run_path,
            qrels_path);
  td_eval_free(&ev);
  td_run_free(run);
  td_qrels_free(qrels);
  return 0;
}

int main(int argc, char **argv) {
  int per_query = 0;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (!strcmp(argv[i], "-q")) {
      per_query = 1;
    } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(usage, stdout);
      return 0;
    } else {
      fprintf(stderr, "treceval: unknown option %s\n%s", argv[i], usage);
      return 2;
    }
  }
  if (argc - i != 2) {
    fputs(usage, stderr);
    return 2;
  }
  return evaluate(argv[i], argv[i + 1], per_query);
}
