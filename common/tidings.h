/*
** tidings.h - the public interface of the tidings library.
**
** Everything bin/indexer and bin/searcher do goes through these functions,
** so a C program can build and search news indexes the same way:
**
**   td_builder *b;  td_builder_new("news.idx", NULL, &b, &err);
**   td_builder_add(b, &article, &err);     ... once per article
**   td_builder_finish(b, &stats, &err);    atomically replaces news.idx
**
**   td_index *ix;   td_index_open("news.idx", &ix, &err);
**   td_results r;   td_search(ix, "\"armistice agreement\" NOT Pompeo", &opts, &r, &err);
**   td_index_doc(ix, r.hits[0].docid, &article, &err);
**
** Handles are opaque.  Every function that can fail returns a td_status and
** explains itself in the td_error it is given.  A td_index may be used by one
** thread at a time; open it once per thread to search in parallel.
*/
#ifndef TIDINGS_H
#define TIDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "article.h"
#include "corpus.h"
#include "query.h"
#include "status.h"

#define TD_VERSION "0.1.0"

/* ---- building ---------------------------------------------------------- */

typedef struct td_builder td_builder;

#define TD_DEFAULT_MEMORY_MB 512  /* the inversion budget when none is given */

typedef struct td_build_options {
  const char *lang;         /* Snowball language or "none"; NULL = "english" */
  size_t memory_mb;         /* in-memory inversion budget; 0 = TD_DEFAULT_MEMORY_MB */
  unsigned threads;         /* analysis threads; 0 or 1 = in the caller's thread */
} td_build_options;

typedef struct td_build_stats {
  uint64_t articles;
  uint64_t terms;
  uint64_t postings;
  uint64_t input_bytes;     /* as reported with td_builder_note_input */
  uint64_t index_bytes;
  unsigned runs;            /* sorted runs spilled to disk */
} td_build_stats;

/* Starts building an index that will replace PATH when finished.  Work
** happens in PATH.tmp-PID (and a PATH.runs-PID folder for spilled runs);
** leftovers of builds that died are removed first. */
td_status td_builder_new(const char *path, const td_build_options *opt,
                         td_builder **out, td_error *err);

/* Analyses, inverts and stores one article.  Articles get docids in the
** order they are added. */
td_status td_builder_add(td_builder *b, const td_article *a, td_error *err);

/* Counts input bytes for the statistics (the corpus readers know them). */
void td_builder_note_input(td_builder *b, uint64_t bytes);

/* Articles added so far. */
uint64_t td_builder_count(const td_builder *b);

/* Merges, writes, syncs and renames the index into place, then frees B
** whatever the outcome; on failure the previous index is untouched. */
td_status td_builder_finish(td_builder *b, td_build_stats *stats, td_error *err);

/* Abandons the build, removing its temporary files, and frees B. */
void td_builder_abort(td_builder *b);

/* ---- searching --------------------------------------------------------- */

typedef struct td_index td_index;

typedef struct td_index_info {
  uint64_t ndocs, nterms, npostings, input_bytes, file_bytes;
  double avgdl;
  const char *lang;
} td_index_info;

/* Maps the index at PATH and checks its header and small sections.  A
** missing, truncated or damaged file is TD_EIO or TD_ECORRUPT with a
** message saying what to do. */
td_status td_index_open(const char *path, td_index **out, td_error *err);
void td_index_close(td_index *ix);
void td_index_info_get(const td_index *ix, td_index_info *info);

typedef struct td_search_options {
  size_t k;                 /* hits wanted; 0 = 10 */
  td_default_op op;         /* how bare words are joined */
  int keep_stopwords;       /* 0: words like "the", "of", "what" weigh nothing
                               when the query has other words (they still
                               match); 1: they weigh as any word */
} td_search_options;

typedef struct td_hit {
  uint32_t docid;
  float score;
} td_hit;

typedef struct td_results {
  td_hit *hits;             /* best first; ties by ascending docid */
  size_t nhits;
} td_results;

/* Runs QUERY and returns its K best hits by BM25. */
td_status td_search(td_index *ix, const char *query, const td_search_options *opt,
                    td_results *res, td_error *err);
void td_results_free(td_results *res);

/* Counts every document QUERY matches. */
td_status td_count(td_index *ix, const char *query, td_default_op op, uint64_t *count,
                   td_error *err);

/* The stored fields of DOCID; valid until the next call on IX. */
td_status td_index_doc(td_index *ix, uint32_t docid, td_article *doc, td_error *err);

/* The same without the body (which is then empty): what a result line
** shows, much cheaper than td_index_doc. */
td_status td_index_summary(td_index *ix, uint32_t docid, td_article *doc, td_error *err);

/* Only the external id: cheaper still (trec output, relevance runs). */
td_status td_index_id(td_index *ix, uint32_t docid, td_text *id, td_error *err);

/* Verifies every checksum of the index; TD_ECORRUPT names the first damage. */
td_status td_index_check(td_index *ix, td_error *err);

#endif
