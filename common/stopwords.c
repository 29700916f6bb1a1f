/*
** stopwords.c - stop lists, one sorted array per language (see stopwords.h
** for what they are for and where the English one comes from).
*/
#include "stopwords.h"

#include <stdlib.h>
#include <string.h>

#include "lexicon.h"

/* Sorted by strcmp, for bsearch. */
static const char *const english[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any",
    "are", "arent", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "cannot", "could", "couldnt", "did", "didnt", "do",
    "does", "doesnt", "doing", "dont", "down", "during", "each", "few", "for", "from",
    "further", "had", "hadnt", "has", "hasnt", "have", "havent", "having", "he", "her",
    "here", "heres", "hers", "herself", "hes", "him", "himself", "his", "how", "hows",
    "i", "if", "im", "in", "into", "is", "isnt", "it", "its", "itself", "ive", "me",
    "more", "most", "mustnt", "my", "myself", "no", "nor", "not", "of", "off", "on",
    "once", "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over",
    "own", "same", "shant", "she", "shes", "should", "shouldnt", "so", "some", "such",
    "than", "that", "thats", "the", "their", "theirs", "them", "themselves", "then",
    "there", "theres", "these", "they", "theyd", "theyll", "theyre", "theyve", "this",
    "those", "through", "to", "too", "under", "until", "up", "very", "was", "wasnt",
    "we", "were", "werent", "weve", "what", "whats", "when", "whens", "where", "wheres",
    "which", "while", "who", "whom", "whos", "why", "whys", "with", "would", "wouldnt",
    "you", "youd", "youll", "your", "youre", "yours", "yourself", "yourselves", "youve",
};

typedef struct key {
  const char *word;
  size_t len;
} key;

/* The list is in strcmp order, which is the terms' order (td_term_cmp). */
static int by_word(const void *k, const void *elem) {
  const key *a = k;
  const char *b = *(const char *const *)elem;
  return td_term_cmp(a->word, a->len, b, strlen(b));
}

int td_stopword(const char *lang, const char *word, size_t len) {
  if (!lang || strcmp(lang, "english") != 0) return 0;
  key k = {word, len};
  return bsearch(&k, english, sizeof english / sizeof *english, sizeof *english, by_word) != NULL;
}
