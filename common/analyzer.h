/*
** analyzer.h - text analysis: UTF-8 tokenising, Unicode case and accent
** folding, Snowball stemming.  The indexer and the query parser use the same
** analyzer, so a query word matches exactly the terms its text would produce.
**
** Tokens are maximal runs of letters, digits and combining marks (Unicode
** categories L*, N*, M*).  Inside a token an apostrophe (' or U+2019) between
** two letters is dropped and the parts joined ("don't" -> "dont"); a '.' or
** ',' between two digits is kept, so numbers stay whole ("5.93", "1,000").
** Invalid UTF-8
** bytes separate tokens like punctuation.  Each token then goes through case
** folding and accent stripping (NFKD, marks removed, "Müller" -> "muller"),
** and through the stemmer unless the language is "none".  A token longer than
** TD_MAX_TERM bytes after folding is dropped (it still takes a position).
** Positions count tokens from FIRST_POS, one per token.
*/
#ifndef TD_ANALYZER_H
#define TD_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define TD_MAX_TERM 64    /* longest indexed term, in bytes */

typedef struct td_analyzer td_analyzer;

/* Called once per token with its folded (and stemmed) bytes, not
** NUL-terminated, and its position.  A non-zero return stops analysis and is
** handed back by td_analyze. */
typedef int (*td_token_fn)(void *ctx, const char *term, size_t len, uint32_t pos);

/* Creates an analyzer for LANG: a Snowball language name ("english",
** "french", ...) or "none" for folding without stemming.  Fails with
** TD_EINVAL naming the languages libstemmer knows when LANG is unknown. */
td_status td_analyzer_new(const char *lang, td_analyzer **out, td_error *err);
void td_analyzer_free(td_analyzer *a);

/* The language the analyzer was created with. */
const char *td_analyzer_lang(const td_analyzer *a);

/* Tokenises TEXT[0..LEN), calling FN for every token.  *NEXT_POS (may be
** NULL) receives the position after the last token.  Returns 0, or the first
** non-zero value FN returned.  STEM = 0 folds without stemming (prefix
** queries).  Not thread-safe per analyzer: use one analyzer per thread. */
int td_analyze(td_analyzer *a, const char *text, size_t len, uint32_t first_pos,
               int stem, td_token_fn fn, void *ctx, uint32_t *next_pos);

/* During a token callback: a word kept with the token's entry in the
** analyzer's cache of stems, 0 when the entry is new, for the caller to
** remember what it derived from this spelling (the inverter keeps its term
** number there, saving a lookup).  NULL when the token has no entry
** (numbers, "none", prefix queries).  Entries are dropped when the cache
** fills, so a memo may vanish, never change under its caller. */
uint64_t *td_analyzer_memo(td_analyzer *a);

/* During a token callback of a stemming td_analyze: whether the token, as
** folded before stemming, is a stopword of the analyzer's language
** (stopwords.h).  0 for numbers, prefixes and the "none" language. */
int td_analyzer_stopword(const td_analyzer *a);

#endif
