/*
** treceval.h - relevance measures of a TREC run against TREC qrels.
**
** A small re-implementation of the four trec_eval (9.x) measures the
** project reports, so that `make eval` needs no outside tool:
**
**   map          AP over every retrieved document (no depth cut, as
**                trec_eval without -M), divided by all relevant documents
**   P_10         relevant documents in the top 10, divided by 10
**   ndcg_cut_10  sum over the top 10 of rel / log2(rank + 1), divided by
**                the same sum over the qrels' own best ordering of its
**                rel > 0 judgements (trec_eval's ndcg_cut.10: gain = rel)
**   recall_1000  relevant documents in the top 1000 / relevant documents
**
** Files.  Qrels lines are `qid iter docno rel`: rel > 0 is relevant and is
** the nDCG gain; rel <= 0 (0, or -1 "unjudged") is not relevant.  Run lines
** are `qid Q0 docno rank score tag`, any further field ignored.  Fields are
** separated by blanks or tabs; blank lines and lines starting with '#' are
** skipped.  The rank column is ignored: as in trec_eval, a query's documents
** are ranked by score descending, ties broken by docno in descending strcmp
** order ("9" before "10" before "1"), whatever order the file lists them in.
**
** Which queries count (trec_eval -c): every query that has at least one
** rel > 0 judgement is evaluated, and the averages divide by their number.
** Such a query missing from the run scores 0 on every measure.  Run queries
** without a relevant judgement are ignored (counted in td_eval.nignored).
** Unlike trec_eval -c, a query judged only with rel <= 0 is left out rather
** than averaged in as 0 (none of the collections in ../shared/corpus/ir has
** one).
**
** Duplicates are errors, as in trec_eval: a run that lists the same docno
** twice for one query, or qrels that judge it twice, fail with TD_EINPUT
** naming both lines, because any silent choice (first, best score) would
** score a broken engine as if it were sound.
*/
#ifndef TD_TRECEVAL_H
#define TD_TRECEVAL_H

#include <stddef.h>

#include "status.h"

typedef struct td_qrels td_qrels;
typedef struct td_run td_run;

/* Measures of one query, or (qid "all") their means over the evaluated
** queries with the counts summed. */
typedef struct td_eval_q {
  const char *qid;     /* owned by the qrels (or static "all") */
  size_t num_rel;      /* rel > 0 judgements */
  size_t num_ret;      /* documents the run lists */
  size_t num_rel_ret;  /* relevant documents among them, at any depth */
  double map;          /* average precision (mean AP for "all") */
  double p10;
  double ndcg10;
  double recall1000;
} td_eval_q;

typedef struct td_eval {
  td_eval_q *q;        /* evaluated queries in strcmp order of qid */
  size_t nq;
  td_eval_q all;
  size_t nignored;     /* run queries with no relevant judgement */
} td_eval;

/* Parses qrels from TEXT[0..LEN); NAME (a path) only labels error messages.
** The text is copied, so the caller keeps ownership of TEXT.  On success
** *OUT is a new object the caller frees with td_qrels_free. */
td_status td_qrels_parse(const char *name, const char *text, size_t len,
                         td_qrels **out, td_error *err);

/* Reads the qrels file PATH whole and parses it as td_qrels_parse. */
td_status td_qrels_load(const char *path, td_qrels **out, td_error *err);

void td_qrels_free(td_qrels *qrels);

/* Parses a TREC run from TEXT[0..LEN), as td_qrels_parse does for qrels. */
td_status td_run_parse(const char *name, const char *text, size_t len,
                       td_run **out, td_error *err);

/* Reads the run file PATH whole and parses it as td_run_parse. */
td_status td_run_load(const char *path, td_run **out, td_error *err);

void td_run_free(td_run *run);

/* Evaluates RUN against QRELS into *OUT, which the caller releases with
** td_eval_free; OUT's qids point into QRELS, which must outlive it.
** Fails with TD_EINPUT when no query of QRELS has a relevant judgement. */
td_status td_eval_run(const td_qrels *qrels, const td_run *run, td_eval *out,
                      td_error *err);

void td_eval_free(td_eval *ev);

#endif
