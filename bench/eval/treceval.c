/*
** treceval.c - trec_eval's map, P_10, ndcg_cut_10 and recall_1000.
**
** Both files are read whole into one owned buffer that is cut into
** NUL-terminated fields in place, so every qid and docno is a pointer into
** it and nothing is copied per line.  Qrels are sorted by (qid, docno),
** which groups each query and lets a retrieved docno be found by binary
** search.  A run is sorted twice: by (qid, docno) to find duplicates next
** to each other, then into its evaluation order (qid, score descending,
** docno descending), which is trec_eval's ranking.  The measures follow
** trec_eval 9.x (m_map.c, m_P.c, m_ndcg_cut.c, m_recall.c); see treceval.h.
*/
#include "treceval.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P_DEPTH 10
#define NDCG_DEPTH 10
#define RECALL_DEPTH 1000

/* Fields a line may be cut into; run lines beyond this many are ignored. */
#define MAX_FIELDS 6

/* What judgements and retrieved documents have in common, first in both
** structs so that one comparator and one grouping loop serve both arrays. */
typedef struct entry {
  const char *qid;
  const char *docno;
  size_t line;
} entry;

typedef struct judgement {
  entry key;
  int rel;
} judgement;

struct td_qrels {
  char *text;
  judgement *j;
  size_t n;
};

typedef struct retrieved {
  entry key;
  double score;
} retrieved;

struct td_run {
  char *text;
  retrieved *r;
  size_t n;
};

/* Reads the whole file at PATH into a new NUL-terminated buffer *OUT (the
** caller frees it) of *LEN bytes.  Reads in chunks rather than asking for
** the size first, so that pipes and /dev/stdin work too. */
static td_status read_whole(const char *path, char **out, size_t *len,
                            td_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return td_fail(err, TD_EIO, "%s: cannot open: %s; check the path",
                   path, strerror(errno));
  char *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (cap - n < 65536 + 1) {
      size_t ncap = cap ? cap * 2 : 65536 * 4;
      char *p = realloc(buf, ncap);
      if (!p) {
        free(buf);
        fclose(f);
        return td_fail(err, TD_ENOMEM, "%s: out of memory after %zu bytes",
                       path, n);
      }
      buf = p;
      cap = ncap;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  int failed = ferror(f);
  int saved = errno;
  fclose(f);
  if (failed) {
    free(buf);
    return td_fail(err, TD_EIO, "%s: read error after %zu bytes: %s", path, n,
                   strerror(saved));
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return TD_OK;
}

/* Upper bound on the number of lines in TEXT[0..LEN): newlines plus one. */
static size_t count_lines(const char *text, size_t len) {
  size_t n = 1;
  for (const char *p = text; (p = memchr(p, '\n', len - (size_t)(p - text)));
       p++)
    n++;
  return n;
}

static int is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Cuts LINE in place into blank-separated fields, storing the first
** MAX_FIELDS in F; returns how many fields the line has in all. */
static size_t split_fields(char *line, char *f[MAX_FIELDS]) {
  size_t n = 0;
  char *p = line;
  for (;;) {
    while (is_blank(*p)) p++;
    if (!*p) return n;
    if (n < MAX_FIELDS) f[n] = p;
    n++;
    while (*p && !is_blank(*p)) p++;
    if (*p) *p++ = '\0';
  }
}

/* Walks the lines of the owned buffer TEXT[0..LEN) one call at a time:
** NUL-terminates the line starting at *POS, advances *POS and *LINENO past
** it, and splits it into F.  Returns the field count, 0 for a line to skip
** (blank or '#' comment), or -1 at the end of the text.  A NUL byte inside
** a line is an error, because the fields would silently end there. */
static long next_record(const char *name, char *text, size_t len, size_t *pos,
                        size_t *lineno, char *f[MAX_FIELDS], td_status *st,
                        td_error *err) {
  if (*pos >= len) return -1;
  char *line = text + *pos;
  char *nl = memchr(line, '\n', len - *pos);
  size_t linelen = nl ? (size_t)(nl - line) : len - *pos;
  line[linelen] = '\0';
  *pos += linelen + 1;
  ++*lineno;
  if (strlen(line) != linelen) {
    *st = td_fail(err, TD_EINPUT, "%s:%zu: the line contains a NUL byte; "
                  "a TREC file must be plain text", name, *lineno);
    return -1;
  }
  size_t n = split_fields(line, f);
  if (n > 0 && f[0][0] == '#') return 0;
  return (long)n;
}

/* Entry I of an array of SIZE-byte structs that start with an entry. */
static const entry *entry_at(const void *base, size_t size, size_t i) {
  return (const entry *)((const char *)base + i * size);
}

/* Compares by qid, then docno, then line: the order in which duplicates
** (same qid and docno) end up next to each other, first line first. */
static int cmp_entry(const void *a, const void *b) {
  const entry *x = a, *y = b;
  int c = strcmp(x->qid, y->qid);
  if (!c) c = strcmp(x->docno, y->docno);
  if (!c) c = (x->line > y->line) - (x->line < y->line);
  return c;
}

/* End of the run of entries that share the qid of entry I. */
static size_t group_end(const void *base, size_t size, size_t n, size_t i) {
  const char *qid = entry_at(base, size, i)->qid;
  size_t e = i + 1;
  while (e < n && !strcmp(entry_at(base, size, e)->qid, qid)) e++;
  return e;
}

/* Sorts the N SIZE-byte entries at BASE by cmp_entry and fails when one
** query has a docno twice, naming both lines; ADVICE says what to do. */
static td_status check_duplicates(const char *name, void *base, size_t size,
                                  size_t n, const char *advice, td_error *err) {
  qsort(base, n, size, cmp_entry);
  for (size_t i = 1; i < n; i++) {
    const entry *first = entry_at(base, size, i - 1);
    const entry *again = entry_at(base, size, i);
    if (!strcmp(first->qid, again->qid) && !strcmp(first->docno, again->docno))
      return td_fail(err, TD_EINPUT, "%s:%zu: query %s: document \"%s\" "
                     "appears a second time (first at line %zu); %s", name, again->line,
                     again->qid, again->docno, first->line, advice);
  }
  return TD_OK;
}

/* trec_eval's ranking inside a query (form_res_rels.c, comp_sim_docno):
** higher score first, equal scores by docno in descending strcmp order. */
static int cmp_rank(const void *a, const void *b) {
  const retrieved *x = a, *y = b;
  int c = strcmp(x->key.qid, y->key.qid);
  if (c) return c;
  if (x->score > y->score) return -1;
  if (x->score < y->score) return 1;
  return strcmp(y->key.docno, x->key.docno);
}

/* Parses one qrels relevance value: a whole decimal number, sign allowed,
** kept within a range where gains cannot overflow an int. */
static int parse_rel(const char *s, int *rel) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (end == s || *end || errno || v < -1000000 || v > 1000000) return 0;
  *rel = (int)v;
  return 1;
}

/* Parses a run score: any strtod number but NaN, which has no place in a
** ranking and would make the sort order undefined. */
static int parse_score(const char *s, double *score) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end || isnan(v)) return 0;
  *score = v;
  return 1;
}

/* Cuts the owned buffer TEXT[0..LEN) into judgements and checks them.  On
** success the new *OUT owns TEXT; on failure TEXT is freed. */
static td_status qrels_from_text(const char *name, char *text, size_t len,
                                 td_qrels **out, td_error *err) {
  td_qrels *q = calloc(1, sizeof *q);
  judgement *j = calloc(count_lines(text, len), sizeof *j);
  if (!q || !j) {
    free(q);
    free(j);
    free(text);
    return td_fail(err, TD_ENOMEM, "%s: out of memory for the qrels", name);
  }
  q->text = text;
  q->j = j;
  td_status st = TD_OK;
  size_t pos = 0, lineno = 0;
  char *f[MAX_FIELDS];
  long nf;
  while (!st && (nf = next_record(name, text, len, &pos, &lineno, f, &st, err)) >= 0) {
    if (nf == 0) continue;
    if (nf != 4) {
      st = td_fail(err, TD_EINPUT, "%s:%zu: expected 4 fields `qid iter docno "
                   "rel`, found %ld; is this a run file given as qrels?",
                   name, lineno, nf);
      break;
    }
    judgement *e = &j[q->n++];
    e->key = (entry){f[0], f[2], lineno};
    if (!parse_rel(f[3], &e->rel))
      st = td_fail(err, TD_EINPUT, "%s:%zu: relevance \"%s\" is not a whole "
                   "number; qrels relevance is an integer such as 0, 1 or 2",
                   name, lineno, f[3]);
  }
  if (!st)
    st = check_duplicates(name, j, sizeof *j, q->n,
                          "keep one judgement per query and document", err);
  if (st) {
    td_qrels_free(q);
    return st;
  }
  *out = q;
  return TD_OK;
}

/* Cuts the owned buffer TEXT[0..LEN) into retrieved documents, rejects
** duplicates and sorts them into trec_eval's ranking.  On success the new
** *OUT owns TEXT; on failure TEXT is freed. */
static td_status run_from_text(const char *name, char *text, size_t len,
                               td_run **out, td_error *err) {
  td_run *run = calloc(1, sizeof *run);
  retrieved *r = calloc(count_lines(text, len), sizeof *r);
  if (!run || !r) {
    free(run);
    free(r);
    free(text);
    return td_fail(err, TD_ENOMEM, "%s: out of memory for the run", name);
  }
  run->text = text;
  run->r = r;
  td_status st = TD_OK;
  size_t pos = 0, lineno = 0;
  char *f[MAX_FIELDS];
  long nf;
  while (!st && (nf = next_record(name, text, len, &pos, &lineno, f, &st, err)) >= 0) {
    if (nf == 0) continue;
    if (nf < 6) {
      st = td_fail(err, TD_EINPUT, "%s:%zu: expected 6 fields `qid Q0 docno "
                   "rank score tag`, found %ld; is this a qrels file given as "
                   "the run?", name, lineno, nf);
      break;
    }
    retrieved *e = &r[run->n++];
    e->key = (entry){f[0], f[2], lineno};
    if (!parse_score(f[4], &e->score))
      st = td_fail(err, TD_EINPUT, "%s:%zu: score \"%s\" (field 5) is not a "
                   "number; the program that wrote the run must print one",
                   name, lineno, f[4]);
  }
  if (!st)
    st = check_duplicates(name, r, sizeof *r, run->n, "a ranking lists each "
                          "document once, so fix the program that wrote the run",
                          err);
  if (st) {
    td_run_free(run);
    return st;
  }
  qsort(r, run->n, sizeof *r, cmp_rank);
  *out = run;
  return TD_OK;
}

/* Copies TEXT[0..LEN) into a new NUL-terminated buffer. */
static char *copy_text(const char *text, size_t len) {
  char *p = malloc(len + 1);
  if (p) {
    if (len) memcpy(p, text, len);
    p[len] = '\0';
  }
  return p;
}

td_status td_qrels_parse(const char *name, const char *text, size_t len,
                         td_qrels **out, td_error *err) {
  char *copy = copy_text(text, len);
  if (!copy) return td_fail(err, TD_ENOMEM, "%s: out of memory", name);
  return qrels_from_text(name, copy, len, out, err);
}

td_status td_qrels_load(const char *path, td_qrels **out, td_error *err) {
  char *text;
  size_t len;
  td_status st = read_whole(path, &text, &len, err);
  if (st) return st;
  return qrels_from_text(path, text, len, out, err);
}

void td_qrels_free(td_qrels *qrels) {
  if (!qrels) return;
  free(qrels->text);
  free(qrels->j);
  free(qrels);
}

td_status td_run_parse(const char *name, const char *text, size_t len,
                       td_run **out, td_error *err) {
  char *copy = copy_text(text, len);
  if (!copy) return td_fail(err, TD_ENOMEM, "%s: out of memory", name);
  return run_from_text(name, copy, len, out, err);
}

td_status td_run_load(const char *path, td_run **out, td_error *err) {
  char *text;
  size_t len;
  td_status st = read_whole(path, &text, &len, err);
  if (st) return st;
  return run_from_text(path, text, len, out, err);
}

void td_run_free(td_run *run) {
  if (!run) return;
  free(run->text);
  free(run->r);
  free(run);
}

static int cmp_docno_key(const void *key, const void *elem) {
  return strcmp(key, ((const judgement *)elem)->key.docno);
}

/* Relevance of DOCNO among one query's judgements J[0..N) (sorted by
** docno); 0 when it was not judged. */
static int relevance(const judgement *j, size_t n, const char *docno) {
  const judgement *hit = bsearch(docno, j, n, sizeof *j, cmp_docno_key);
  return hit ? hit->rel : 0;
}

/* The log2(rank + 1) discount of 0-based position I (trec_eval: i + 2). */
static double discount(size_t i) {
  return log2((double)i + 2.0);
}

static int cmp_int_desc(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x < y) - (x > y);
}

/* Scores one query: judgements J[0..NJ), its ranked retrieved documents
** R[0..NR) (NR may be 0), GAINS scratch room for NJ ints.  The query has at
** least one relevant judgement, so the divisions are by nonzero numbers. */
static void score_query(const judgement *j, size_t nj, const retrieved *r,
                        size_t nr, int *gains, td_eval_q *q) {
  size_t ng = 0;
  for (size_t i = 0; i < nj; i++)
    if (j[i].rel > 0) gains[ng++] = j[i].rel;
  qsort(gains, ng, sizeof *gains, cmp_int_desc);
  double idcg = 0;
  for (size_t i = 0; i < ng && i < NDCG_DEPTH; i++) idcg += gains[i] / discount(i);

  size_t rel_ret = 0, in_p = 0, in_recall = 0;
  double sum_prec = 0, dcg = 0;
  for (size_t i = 0; i < nr; i++) {
    int rel = relevance(j, nj, r[i].key.docno);
    if (rel <= 0) continue;
    rel_ret++;
    sum_prec += (double)rel_ret / (double)(i + 1);
    if (i < P_DEPTH) in_p++;
    if (i < NDCG_DEPTH) dcg += rel / discount(i);
    if (i < RECALL_DEPTH) in_recall++;
  }
  q->qid = j[0].key.qid;
  q->num_rel = ng;
  q->num_ret = nr;
  q->num_rel_ret = rel_ret;
  q->map = sum_prec / (double)ng;
  q->p10 = (double)in_p / P_DEPTH;
  q->ndcg10 = dcg / idcg;
  q->recall1000 = (double)in_recall / (double)ng;
}

static int has_relevant(const judgement *j, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (j[i].rel > 0) return 1;
  return 0;
}

/* Sums the counts of EV's queries into EV->all and averages the measures. */
static void average(td_eval *ev) {
  td_eval_q *a = &ev->all;
  memset(a, 0, sizeof *a);
  a->qid = "all";
  for (size_t i = 0; i < ev->nq; i++) {
    const td_eval_q *q = &ev->q[i];
    a->num_rel += q->num_rel;
    a->num_ret += q->num_ret;
    a->num_rel_ret += q->num_rel_ret;
    a->map += q->map;
    a->p10 += q->p10;
    a->ndcg10 += q->ndcg10;
    a->recall1000 += q->recall1000;
  }
  a->map /= (double)ev->nq;
  a->p10 /= (double)ev->nq;
  a->ndcg10 /= (double)ev->nq;
  a->recall1000 /= (double)ev->nq;
}

td_status td_eval_run(const td_qrels *qrels, const td_run *run, td_eval *out,
                      td_error *err) {
  memset(out, 0, sizeof *out);
  const judgement *j = qrels->j;
  size_t nq = 0, widest = 0;
  for (size_t i = 0, e; i < qrels->n; i = e) {
    e = group_end(j, sizeof *j, qrels->n, i);
    if (has_relevant(j + i, e - i)) nq++;
    if (e - i > widest) widest = e - i;
  }
  if (nq == 0)
    return td_fail(err, TD_EINPUT, "the qrels have no judgement with "
                   "relevance > 0, so no query can be evaluated; check that "
                   "the right qrels file was given");
  out->q = calloc(nq, sizeof *out->q);
  int *gains = calloc(widest, sizeof *gains);
  if (!out->q || !gains) {
    free(gains);
    td_eval_free(out);
    return td_fail(err, TD_ENOMEM, "out of memory for %zu queries", nq);
  }

  /* Both sides are sorted by qid, so one merge pass pairs them. */
  const retrieved *r = run->r;
  size_t ri = 0, run_groups = 0, run_groups_used = 0;
  for (size_t i = 0; i < run->n; i = group_end(r, sizeof *r, run->n, i)) run_groups++;
  for (size_t i = 0, e; i < qrels->n; i = e) {
    e = group_end(j, sizeof *j, qrels->n, i);
    if (!has_relevant(j + i, e - i)) continue;
    while (ri < run->n && strcmp(r[ri].key.qid, j[i].key.qid) < 0) ri++;
    size_t rend = ri;
    if (ri < run->n && !strcmp(r[ri].key.qid, j[i].key.qid)) {
      rend = group_end(r, sizeof *r, run->n, ri);
      run_groups_used++;
    }
    score_query(j + i, e - i, r + ri, rend - ri, gains, &out->q[out->nq++]);
    ri = rend;
  }
  free(gains);
  out->nignored = run_groups - run_groups_used;
  average(out);
  return TD_OK;
}

void td_eval_free(td_eval *ev) {
  free(ev->q);
  memset(ev, 0, sizeof *ev);
}
