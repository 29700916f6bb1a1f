/*
** output.h - the searcher's result formats: text, json, tsv, trec.
*/
#ifndef TD_OUTPUT_H
#define TD_OUTPUT_H

#include <stdio.h>

#include "tidings.h"

typedef enum { OUT_TEXT, OUT_JSON, OUT_TSV, OUT_TREC } out_format;

typedef struct out_opts {
  out_format format;
  int color;                /* text: ANSI colours (only on a terminal) */
  const char *tag;          /* trec: the run tag */
} out_opts;

/* Parses a --format name; returns 0 when unknown. */
int output_parse_format(const char *name, out_format *f);

/* Prints one hit of query QID at RANK (1-based) with its stored DOC. */
void output_hit(FILE *f, const out_opts *o, const char *qid, size_t rank, const td_hit *h,
                const td_article *doc);

#endif
