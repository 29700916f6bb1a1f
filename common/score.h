/*
** score.h - BM25 with the title folded into the term frequency (BM25F with
** one combined field): a title occurrence counts TITLE_WEIGHT times, and the
** document length counts title tokens the same way (td_docent.len, where
** stopwords are not counted: stopwords.h).  The
** indexer stores per-block and per-term maxima computed with these very
** functions, so the bounds the evaluator skips by are exact.
*/
#ifndef TD_SCORE_H
#define TD_SCORE_H

#include <math.h>
#include <stdint.h>

#define TD_BM25_K1 1.2f
#define TD_BM25_B 0.75f
#define TD_TITLE_WEIGHT 3u

/* Robertson-Sparck Jones idf, log((N - df + 0.5) / (df + 0.5)), floored
** just above zero as SQLite FTS5 does: a word in most documents adds next
** to nothing.  Lucene's log(1 + ...) leaves a word in half the documents
** worth log 2 of a match, which costs long natural-language queries full of
** common words: on the classic collections (bench/RESULTS-eval.md) this idf
** raised MAP on all five (MED 0.5264 -> 0.5336, CISI 0.2122 -> 0.2148).
** Index format 2 stores block maxima computed with it. */
static inline float td_idf(uint64_t ndocs, uint64_t df) {
  double r = log(((double)ndocs - (double)df + 0.5) / ((double)df + 0.5));
  return (float)(r > 1e-6 ? r : 1e-6);
}
/* BM25 length normaliser k1 * (1 - b + b * len / avgdl) for one document. */
static inline float td_norm(float k1, float b, uint32_t len, float avgdl) {
  return k1 * (1.0f - b + b * (float)len / avgdl);
}

/* One term's contribution, given its weighted frequency WTF in the document. */
static inline float td_bm25(float idf, float k1, uint32_t wtf, float norm) {
  float tf = (float)wtf;
  return idf * tf * (k1 + 1.0f) / (tf + norm);
}

/* Weighted frequency of a term occurring TF times, TTF of them in the title. */
static inline uint32_t td_wtf(uint32_t tf, uint32_t ttf, uint32_t title_weight) {
  return tf + (title_weight - 1u) * ttf;
}

#endif
