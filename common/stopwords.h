/*
** stopwords.h - the function words a ranked query does not weigh.
**
** A stopword ("the", "of", "what", "which") says little about what an
** article is about, yet the rarer ones ("after", "such", "there") keep a
** small idf and add noise to long natural-language queries: left in, they
** cost CISI 0.014 and CACM 0.014 of MAP (bench/RESULTS-eval.md).  The
** evaluator gives them no weight when the query has other words, and a
** document's BM25 length does not count them (builder.c), as if the index
** had none: a long run of function words does not make an article look
** longer.  They are never removed from the index, so phrases ("the who")
** and counts are exactly what the text holds.
**
** The English list is Snowball's (snowballstem.org, BSD licence), written as
** the analyzer folds it: "don't" is "dont".  Contractions whose folded form
** is a content word ("we'll" = "well", "she'll" = "shell", "i'd" = "id")
** are left out.  Other languages have no list yet: every word weighs.
*/
#ifndef TD_STOPWORDS_H
#define TD_STOPWORDS_H

#include <stddef.h>

/* Whether WORD[0..LEN), folded but not stemmed, is a stopword of the
** Snowball language LANG ("english"; any other language has none). */
int td_stopword(const char *lang, const char *word, size_t len);

#endif
