/*
** analyzer.c - UTF-8 tokenising, case and accent folding, cached stemming.
**
** The scanner walks the text once.  ASCII bytes are classified and lower-cased
** through 256-entry tables, so the common case (English news) never calls
** utf8proc; only bytes >= 0x80 are decoded and looked up in the Unicode
** tables.  A token is folded while it is scanned, into a buffer of bounded
** size: pure-ASCII tokens as bytes, and a token that meets its first
** non-ASCII code point switches to a code point buffer that holds its NFKD
** case-folded, mark-stripped form, to be recomposed when the token ends.
** Because the buffers never grow, a token of many megabytes costs time in
** proportion to its size and no memory; it is simply marked overlong.
**
** Snowball stemming costs about a microsecond a word, while a corpus repeats
** a small vocabulary millions of times, so stems are remembered in a per-
** analyzer hash table that is emptied whenever it fills up.
*/
#include "analyzer.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "hash.h"
#include "stopwords.h"

/* Code point classes seen by the scanner.  LETTER, DIGIT, NUMBER (the other
** N* categories: Roman numerals, superscripts, fractions) and MARK make
** tokens; APOS and NUMSEP join the token characters around them under the
** rules in analyzer.h; everything else (and every invalid byte) separates. */
enum {
  TD_C_SEP,
  TD_C_LETTER,
  TD_C_DIGIT,
  TD_C_NUMBER,
  TD_C_MARK,
  TD_C_APOS,
  TD_C_NUMSEP
};

/* The folding of a non-ASCII code point: compatibility decomposition, case
** folding, marks dropped.  Canonical reordering is not needed afterwards,
** since every code point with a non-zero combining class is a mark. */
#define TD_FOLD_OPTS \
  (UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK)

/* Code points kept for a non-ASCII token before it is declared overlong.
** Once marks are stripped, recomposition only merges Hangul jamo, at most
** three code points into one, so a token that decomposes to more than
** 4 * TD_MAX_TERM code points cannot fit in TD_MAX_TERM bytes. */
#define TD_FOLD_CAP (4 * TD_MAX_TERM)
#define TD_DECOMP_MAX 32 /* longest folding of one code point (U+FDFA: 18) */

/* The stem cache: open addressing over TD_STEM_SLOTS slots, at most half
** full, with keys and values in one arena; everything is dropped at once
** when either is full.  About 2 MB, enough for the whole vocabulary of a
** typical news collection once numbers (never stemmed) are left out. */
#define TD_STEM_SLOTS (1u << 17)
#define TD_STEM_MAX (TD_STEM_SLOTS / 2)
#define TD_STEM_ARENA (1u << 20)

typedef struct td_stem_slot {
  uint32_t hash; /* of the key */
  uint32_t off;  /* of the entry in the arena, 0 when the slot is empty */
  uint64_t memo; /* the caller's (td_analyzer_memo), 0 for a new entry */
} td_stem_slot;

typedef struct td_stem_cache {
  td_stem_slot *slots;
  uint8_t *arena; /* entries: key length, value length, stopword, key, value */
  uint32_t used;   /* arena bytes in use; offset 0 is never an entry */
  uint32_t count;  /* entries */
} td_stem_cache;

/* The token being scanned.  It stays in TERM as lower-cased bytes while it
** is pure ASCII (NBYTES counts every byte, also past the buffer), and moves
** to CPS as folded code points at its first non-ASCII code point. */
typedef struct td_token {
  size_t nbytes;
  size_t ncps;
  int unicode;
  int overlong;
  int has_letter;
  char term[TD_MAX_TERM + 4];
  int32_t cps[TD_FOLD_CAP + TD_DECOMP_MAX];
} td_token;

/* Tokens are scanned TD_PENDING ahead of being stemmed and handed on: the
** stem cache is larger than the processor's nearer caches, and a word seen
** rarely misses there, so each token's slot is prefetched when it is
** scanned and read when the tokens before it are done, the misses of a
** batch overlapping instead of following one another. */
#define TD_PENDING 16

typedef struct td_pending {
  uint32_t pos;
  uint32_t hash;              /* of term, when stem */
  uint8_t len;
  uint8_t stem;               /* to be looked up in the stem cache */
  char term[TD_MAX_TERM];
} td_pending;

struct td_analyzer {
  char *lang;
  struct sb_stemmer *stemmer; /* NULL for "none" */
  td_stem_cache cache;
  uint64_t *memo;             /* the current token's, or NULL */
  int stop;                   /* the current token is a stopword */
  td_token tok;
  td_pending pend[TD_PENDING];
  unsigned npend;
};

/* Class of each byte when read as a code point; bytes >= 0x80 start a
** multi-byte sequence and are classified after decoding. */
static unsigned char td_ascii_class[128];

/* Lower-cased byte for ASCII letters and digits, 0 for every other byte:
** the one-lookup test-and-fold of the scanner's inner loop. */
static unsigned char td_ascii_word[256];

/* Fills the two ASCII tables, once per process (analyzers are created by
** several threads). */
static void td_tables_fill(void) {
  for (int c = 0; c < 128; c++) {
    unsigned char cls = TD_C_SEP, word = 0;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      cls = TD_C_LETTER;
      word = (unsigned char)(c | 0x20);
    } else if (c >= '0' && c <= '9') {
      cls = TD_C_DIGIT;
      word = (unsigned char)c;
    } else if (c == '\'') {
      cls = TD_C_APOS;
    } else if (c == '.' || c == ',') {
      cls = TD_C_NUMSEP;
    }
    td_ascii_class[c] = cls;
    td_ascii_word[c] = word;
  }
}

/* Class of a decoded non-ASCII code point from its Unicode category.  The
** right single quotation mark is the apostrophe of typeset text. */
static int td_unicode_class(int32_t cp) {
  if (cp == 0x2019) return TD_C_APOS;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: return TD_C_LETTER;
    case UTF8PROC_CATEGORY_ND: return TD_C_DIGIT;
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return TD_C_NUMBER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME: return TD_C_MARK;
    default: return TD_C_SEP;
  }
}

/* Decodes the code point at S[I] (I < LEN) into *CP and its byte length
** into *N, and returns its class.  A byte that does not start a valid UTF-8
** sequence within LEN (overlong forms and surrogates included) reads as a
** one-byte separator, so no input makes the scanner stop or overrun. */
static inline int td_class_at(const uint8_t *s, size_t i, size_t len,
                              int32_t *cp, size_t *n) {
  if (s[i] < 0x80) {
    *cp = s[i];
    *n = 1;
    return td_ascii_class[s[i]];
  }
  size_t avail = len - i < 4 ? len - i : 4;
  utf8proc_ssize_t r = utf8proc_iterate(s + i, (utf8proc_ssize_t)avail, cp);
  if (r < 0) {
    *n = 1;
    return TD_C_SEP;
  }
  *n = (size_t)r;
  return td_unicode_class(*cp);
}

static int td_is_token_class(int cls) {
  return cls == TD_C_LETTER || cls == TD_C_DIGIT || cls == TD_C_NUMBER ||
         cls == TD_C_MARK;
}

static void td_token_reset(td_token *t) {
  t->nbytes = t->ncps = 0;
  t->unicode = t->overlong = t->has_letter = 0;
}

/* Moves the ASCII prefix of T into the code point buffer.  Every ASCII
** character of a token survives folding as one byte, so a prefix already
** over TD_MAX_TERM makes the whole token overlong. */
static void td_token_to_unicode(td_token *t) {
  t->unicode = 1;
  if (t->nbytes > TD_MAX_TERM) {
    t->overlong = 1;
    return;
  }
  for (size_t k = 0; k < t->nbytes; k++) t->cps[k] = (unsigned char)t->term[k];
  t->ncps = t->nbytes;
}

/* Appends code point CP of class CLS, folded, to T.  ASCII is folded by
** table ('.' and ',' stay as they are); other code points go through
** utf8proc unless they are marks, which folding drops anyway.  Once T is
** overlong nothing more is stored, which also keeps CPS in bounds. */
static void td_token_add(td_token *t, int32_t cp, int cls) {
  if (cls == TD_C_LETTER) t->has_letter = 1;
  if (cp < 0x80) {
    char low = (char)(td_ascii_word[cp] ? td_ascii_word[cp] : cp);
    if (!t->unicode) {
      if (t->nbytes < TD_MAX_TERM) t->term[t->nbytes] = low;
      t->nbytes++;
    } else if (!t->overlong) {
      t->cps[t->ncps++] = low;
    }
  } else {
    if (!t->unicode) td_token_to_unicode(t);
    if (t->overlong || cls == TD_C_MARK) return;
    utf8proc_ssize_t room = (utf8proc_ssize_t)(TD_FOLD_CAP + TD_DECOMP_MAX - t->ncps);
    utf8proc_ssize_t r = utf8proc_decompose_char(cp, t->cps + t->ncps, room, TD_FOLD_OPTS, NULL);
    if (r > room) t->overlong = 1;
    else if (r > 0) t->ncps += (size_t)r;
  }
  if (t->ncps > TD_FOLD_CAP) t->overlong = 1;
}

/* The inner loop: consumes the run of ASCII letters and digits at S[I],
** folding it into the ASCII buffer of T, and returns the index after it.
** *LAST gets the class of the run's last character if the run is not empty.
** With SSE2, sixteen bytes at a time while they fit in the buffer: a word's
** end is found by one compare, not by a branch per byte that was
** mispredicted at the end of nearly every word.  A letter or digit with
** 0x20 set is its folded self ('A' | 0x20 == 'a', digits have it). */
static size_t td_ascii_run(td_token *t, const uint8_t *s, size_t i, size_t len,
                           int *last) {
  size_t k = t->nbytes, start = i;
  unsigned acc = 0;
#ifdef __SSE2__
  while (len - i >= 16 && k + 16 <= TD_MAX_TERM) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
    __m128i low = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(low, _mm_set1_epi8('a' - 1)),
                                  _mm_cmplt_epi8(low, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    unsigned word = (unsigned)_mm_movemask_epi8(_mm_or_si128(alpha, digit));
    unsigned n = word == 0xFFFF ? 16 : (unsigned)__builtin_ctz(~word);
    _mm_storeu_si128((__m128i *)(void *)(t->term + k), low);
    if ((unsigned)_mm_movemask_epi8(alpha) & ((1u << n) - 1)) acc = 0x40;
    k += n;
    i += n;
    if (n < 16) goto ended;
  }
#endif
  for (; i < len; i++) {
    unsigned char ch = td_ascii_word[s[i]];
    if (!ch) break;
    if (k < TD_MAX_TERM) t->term[k] = (char)ch;
    k++;
    acc |= ch;
  }
#ifdef __SSE2__
ended:
#endif
  if (i > start) {
    *last = s[i - 1] <= '9' ? TD_C_DIGIT : TD_C_LETTER;
    t->nbytes = k;
    if (acc & 0x40) t->has_letter = 1; /* set in letters, not in digits */
  }
  return i;
}

/* Scans the token starting at S[I], which holds a token character, into
** the analyzer's token buffer and returns the index after the token.  LAST
** is the class of the latest non-mark code point, because a mark belongs to
** the letter before it: "é'" still ends in a letter for the apostrophe rule. */
static size_t td_scan_token(td_token *t, const uint8_t *s, size_t i, size_t len) {
  int last = TD_C_SEP;
  td_token_reset(t);
  while (i < len) {
    if (!t->unicode) i = td_ascii_run(t, s, i, len, &last);
    if (i >= len) break;
    int32_t cp, cp2;
    size_t n, n2;
    int cls = td_class_at(s, i, len, &cp, &n);
    if (td_is_token_class(cls)) {
      td_token_add(t, cp, cls);
      if (cls != TD_C_MARK) last = cls;
      i += n;
      continue;
    }
    int joins = (cls == TD_C_APOS && last == TD_C_LETTER) ||
                (cls == TD_C_NUMSEP && last == TD_C_DIGIT);
    if (!joins || i + n >= len || td_class_at(s, i + n, len, &cp2, &n2) != last) break;
    if (cls == TD_C_NUMSEP) td_token_add(t, cp, cls);
    td_token_add(t, cp2, last);
    i += n + n2;
  }
  return i;
}

/* Finishes the scanned token: recomposes and encodes a Unicode token into
** TERM.  Returns its length, or 0 when the token is dropped because it is
** longer than TD_MAX_TERM bytes or folded to nothing (a run of marks). */
static size_t td_token_finish(td_token *t) {
  if (!t->unicode) return t->nbytes > TD_MAX_TERM ? 0 : t->nbytes;
  if (t->overlong) return 0;
  utf8proc_ssize_t n = utf8proc_normalize_utf32(t->cps, (utf8proc_ssize_t)t->ncps,
                                                UTF8PROC_COMPOSE | UTF8PROC_STABLE);
  size_t len = 0;
  for (utf8proc_ssize_t k = 0; k < n; k++) {
    len += (size_t)utf8proc_encode_char(t->cps[k], (utf8proc_uint8_t *)t->term + len);
    if (len > TD_MAX_TERM) return 0;
  }
  return len;
}

static void td_stem_cache_clear(td_stem_cache *c) {
  memset(c->slots, 0, TD_STEM_SLOTS * sizeof *c->slots);
  c->used = 1;
  c->count = 0;
}

/* Allocates the cache up front, so that analysing never allocates. */
static td_status td_stem_cache_init(td_stem_cache *c) {
  c->slots = malloc(TD_STEM_SLOTS * sizeof *c->slots);
  c->arena = malloc(TD_STEM_ARENA);
  if (!c->slots || !c->arena) return TD_ENOMEM;
  td_stem_cache_clear(c);
  return TD_OK;
}

static void td_stem_cache_free(td_stem_cache *c) {
  free(c->slots);
  free(c->arena);
}

/* Finds KEY of LEN bytes (hash H) in C.  Returns its slot: the entry's, or
** the empty slot where it belongs. */
static uint32_t td_stem_cache_find(const td_stem_cache *c, uint32_t h,
                                   const char *key, size_t len) {
  uint32_t slot = h & (TD_STEM_SLOTS - 1);
  for (; c->slots[slot].off; slot = (slot + 1) & (TD_STEM_SLOTS - 1)) {
    const uint8_t *e = c->arena + c->slots[slot].off;
    if (c->slots[slot].hash == h && e[0] == len && memcmp(e + 3, key, len) == 0) break;
  }
  return slot;
}

/* Stores KEY -> VAL (both at most TD_MAX_TERM bytes) and whether KEY is a
** stopword in C, first emptying C when it is full, and returns the new
** entry's slot. */
static uint32_t td_stem_cache_put(td_stem_cache *c, uint32_t h, const char *key,
                                  size_t klen, const char *val, size_t vlen, int stop) {
  size_t need = 3 + klen + vlen;
  if (c->count == TD_STEM_MAX || TD_STEM_ARENA - c->used < need) td_stem_cache_clear(c);
  uint32_t slot = td_stem_cache_find(c, h, key, klen);
  uint8_t *e = c->arena + c->used;
  e[0] = (uint8_t)klen;
  e[1] = (uint8_t)vlen;
  e[2] = (uint8_t)stop;
  memcpy(e + 3, key, klen);
  memcpy(e + 3 + klen, val, vlen);
  c->slots[slot].hash = h;
  c->slots[slot].off = c->used;
  c->slots[slot].memo = 0;
  c->used += (uint32_t)need;
  c->count++;
  return slot;
}

/* Stems the folded term *TERM of *LEN bytes in place: on return they point
** at its stem, which lives in the cache until the next call, A->memo at the
** cache entry's memo and A->stop says whether the term is a stopword (the
** list is looked up once per cache entry, not once per token).  Should the
** stemmer fail (out of memory) or return a stem that is empty or too long,
** the folded term is kept unchanged, which is still a valid term, and has
** no memo.  H is the term's td_hash_bytes. */
static void td_stem(td_analyzer *a, uint32_t h, const char **term, size_t *len) {
  td_stem_cache *c = &a->cache;
  uint32_t slot = td_stem_cache_find(c, h, *term, *len);
  if (!c->slots[slot].off) {
    const sb_symbol *s = sb_stemmer_stem(a->stemmer, (const sb_symbol *)*term, (int)*len);
    int slen = s ? sb_stemmer_length(a->stemmer) : 0;
    if (slen <= 0 || slen > TD_MAX_TERM) return;
    slot = td_stem_cache_put(c, h, *term, *len, (const char *)s, (size_t)slen,
                             td_stopword(a->lang, *term, *len));
  }
  const uint8_t *e = c->arena + c->slots[slot].off;
  *term = (const char *)e + 3 + e[0];
  *len = e[1];
  a->stop = e[2];
  a->memo = &c->slots[slot].memo;
}

/* Writes into BUF the languages libstemmer knows, comma-separated. */
static void td_list_languages(char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (const char **l = sb_stemmer_list(); *l && used < size; l++) {
    int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", *l);
    if (w < 0) break;
    used += (size_t)w;
  }
}

/* Whether libstemmer lists LANG (as opposed to accepting it as an alias). */
static int td_language_listed(const char *lang) {
  for (const char **l = sb_stemmer_list(); *l; l++) {
    if (strcmp(*l, lang) == 0) return 1;
  }
  return 0;
}

/* Opens the Snowball stemmer for LANG in A.  sb_stemmer_new returns NULL
** both for an unknown language and when out of memory; a listed language
** tells them apart.  One word of TD_MAX_TERM bytes is stemmed at once so
** the stemmer's buffer has its full size and later calls do not allocate. */
static td_status td_open_stemmer(td_analyzer *a, const char *lang, td_error *err) {
  char widest[TD_MAX_TERM];
  memset(widest, 'a', sizeof widest);
  a->stemmer = sb_stemmer_new(lang, "UTF_8");
  if (!a->stemmer && td_language_listed(lang)) {
    return td_fail(err, TD_ENOMEM, "out of memory opening the \"%s\" stemmer", lang);
  }
  if (!a->stemmer) {
    char list[768];
    td_list_languages(list, sizeof list);
    return td_fail(err, TD_EINVAL,
                   "unknown stemming language \"%s\": use \"none\" or one of %s",
                   lang, list);
  }
  if (!sb_stemmer_stem(a->stemmer, (const sb_symbol *)widest, TD_MAX_TERM)) {
    return td_fail(err, TD_ENOMEM, "out of memory opening the \"%s\" stemmer", lang);
  }
  if (td_stem_cache_init(&a->cache)) {
    return td_fail(err, TD_ENOMEM, "out of memory allocating the stem cache");
  }
  return TD_OK;
}

/* Creates an analyzer owning a copy of LANG, its stemmer and its stem
** cache (none of the latter two for "none").  On failure *OUT is NULL. */
td_status td_analyzer_new(const char *lang, td_analyzer **out, td_error *err) {
  *out = NULL;
  if (!lang) {
    return td_fail(err, TD_EINVAL, "no analyzer language given: use \"none\" or "
                   "a Snowball language such as \"english\"");
  }
  static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
  pthread_once(&tables_once, td_tables_fill);
  td_analyzer *a = calloc(1, sizeof *a);
  if (!a || !(a->lang = strdup(lang))) {
    free(a);
    return td_fail(err, TD_ENOMEM, "out of memory creating the \"%s\" analyzer", lang);
  }
  if (strcmp(lang, "none") != 0) {
    td_status st = td_open_stemmer(a, lang, err);
    if (st) {
      td_analyzer_free(a);
      return st;
    }
  }
  *out = a;
  return TD_OK;
}

void td_analyzer_free(td_analyzer *a) {
  if (!a) return;
  if (a->stemmer) sb_stemmer_delete(a->stemmer);
  td_stem_cache_free(&a->cache);
  free(a->lang);
  free(a);
}

const char *td_analyzer_lang(const td_analyzer *a) {
  return a->lang;
}

uint64_t *td_analyzer_memo(td_analyzer *a) { return a->memo; }

int td_analyzer_stopword(const td_analyzer *a) { return a->stop; }

/* Queues the scanned token at POS, unless it is dropped, and starts
** fetching its stem cache slot when it is to be stemmed (when asked to and
** when it has letters: numbers are left alone). */
static void td_queue(td_analyzer *a, int stem, uint32_t pos) {
  size_t len = td_token_finish(&a->tok);
  if (len == 0) return;
  td_pending *p = &a->pend[a->npend++];
  p->pos = pos;
  p->len = (uint8_t)len;
  p->stem = stem && a->stemmer && a->tok.has_letter;
  memcpy(p->term, a->tok.term, len);
  if (p->stem) {
    p->hash = td_hash_bytes(p->term, len);
    __builtin_prefetch(&a->cache.slots[p->hash & (TD_STEM_SLOTS - 1)]);
  }
}

/* Stems the queued tokens and hands them to FN in order, emptying the
** queue.  Returns what FN returned when it stopped (its token's position
** in *AT), else 0. */
static int td_drain(td_analyzer *a, td_token_fn fn, void *ctx, uint32_t *at) {
  int rc = 0;
  for (unsigned k = 0; k < a->npend && !rc; k++) {
    td_pending *p = &a->pend[k];
    const char *term = p->term;
    size_t len = p->len;
    a->memo = NULL;
    a->stop = 0;
    if (p->stem) td_stem(a, p->hash, &term, &len);
    rc = fn(ctx, term, len, p->pos);
    *at = p->pos;
  }
  a->npend = 0;
  return rc;
}

/* Scans TEXT for tokens, skipping separators, and hands each to FN through
** the queue.  A token that is dropped still advances the position, so
** phrase distances stay true to the text.  When FN stops the scan,
** *NEXT_POS is the position after the token it stopped at. */
int td_analyze(td_analyzer *a, const char *text, size_t len, uint32_t first_pos,
               int stem, td_token_fn fn, void *ctx, uint32_t *next_pos) {
  const uint8_t *s = (const uint8_t *)text;
  uint32_t pos = first_pos, at = 0;
  size_t i = 0;
  int rc = 0;
  while (i < len && !rc) {
    int32_t cp;
    size_t n;
    if (td_ascii_word[s[i]] == 0 && !td_is_token_class(td_class_at(s, i, len, &cp, &n))) {
      i += n;
      continue;
    }
    i = td_scan_token(&a->tok, s, i, len);
    td_queue(a, stem, pos++);
    if (a->npend == TD_PENDING) rc = td_drain(a, fn, ctx, &at);
  }
  if (!rc) rc = td_drain(a, fn, ctx, &at);
  if (next_pos) *next_pos = rc ? at + 1 : pos;
  return rc;
}
