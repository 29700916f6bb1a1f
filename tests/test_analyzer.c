/*
** test_analyzer.c - tokenising, folding and stemming of common/analyzer.c.
**
** Expected terms are written out by hand from the rules in analyzer.h, or
** come from an independent oracle: utf8proc_map for folding, a separate
** libstemmer instance for stemming.
*/
#include "testutil.h"

#include <libstemmer.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "analyzer.h"

/* Every token handed to the callback, in order. */
typedef struct collected {
  size_t count;
  size_t cap;
  char (*terms)[TD_MAX_TERM + 1];
  uint32_t *pos;
  size_t stop_at; /* return STOP_RC at this token (1-based), 0: never */
} collected;

#define STOP_RC 7

static int collect(void *ctx, const char *term, size_t len, uint32_t pos) {
  collected *c = ctx;
  assert_true(len >= 1 && len <= TD_MAX_TERM);
  if (c->count == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 64;
    c->terms = realloc(c->terms, c->cap * sizeof *c->terms);
    c->pos = realloc(c->pos, c->cap * sizeof *c->pos);
    assert_non_null(c->terms);
    assert_non_null(c->pos);
  }
  memcpy(c->terms[c->count], term, len);
  c->terms[c->count][len] = '\0';
  c->pos[c->count] = pos;
  c->count++;
  return c->stop_at && c->count == c->stop_at ? STOP_RC : 0;
}

static void collected_free(collected *c) {
  free(c->terms);
  free(c->pos);
}

static td_analyzer *new_analyzer(const char *lang) {
  td_analyzer *a = NULL;
  td_error err;
  assert_int_equal(td_analyzer_new(lang, &a, &err), TD_OK);
  assert_non_null(a);
  return a;
}

/* Analyzes TEXT[0..LEN) from position 0 into OUT (space-separated terms),
** copying the text into a buffer of exactly LEN bytes so that the sanitizer
** catches any read past the end. */
static void analyze_to(td_analyzer *a, const char *text, size_t len, int stem,
                       char *out, size_t outsize) {
  char *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, text, len);
  collected c = {0};
  uint32_t next = 12345;
  assert_int_equal(td_analyze(a, copy, len, 0, stem, collect, &c, &next), 0);
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < c.count; i++) {
    used += (size_t)snprintf(out + used, outsize - used, "%s%s", i ? " " : "", c.terms[i]);
    assert_true(used < outsize);
  }
  collected_free(&c);
  free(copy);
}

/* Asserts that TEXT analyzes (as a C string) to the terms in WANT. */
static void expect_terms(td_analyzer *a, const char *text, int stem, const char *want) {
  char got[4096];
  analyze_to(a, text, strlen(text), stem, got, sizeof got);
  if (strcmp(got, want) != 0) {
    fail_msg("analyzing \"%s\": got \"%s\", want \"%s\"", text, got, want);
  }
}

static void test_ascii_words(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("none");
  expect_terms(a, "Hello, World!", 1, "hello world");
  expect_terms(a, "foo-bar baz_qux (QUUX) [x]{y}<z>", 1, "foo bar baz qux quux x y z");
  expect_terms(a, "  \t\nTabs\tand\r\nnewlines\n", 1, "tabs and newlines");
  expect_terms(a, "MixedCase mIxEd", 1, "mixedcase mixed");
  expect_terms(a, "e-mail@example.com #tag $5 50% a+b", 1,
               "e mail example com tag 5 50 a b");
  expect_terms(a, "", 1, "");
  expect_terms(a, "!?;:- --- ...", 1, "");
  td_analyzer_free(a);
}

static void test_positions(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("none");
  const char *text = "one, two; three... four";
  collected c = {0};
  uint32_t next = 0;
  assert_int_equal(td_analyze(a, text, strlen(text), 100, 1, collect, &c, &next), 0);
  assert_int_equal(c.count, 4);
  for (uint32_t i = 0; i < 4; i++) assert_int_equal(c.pos[i], 100 + i);
  assert_string_equal(c.terms[2], "three");
  assert_int_equal(next, 104);

  /* NEXT_POS may be NULL, and text without tokens leaves it at FIRST_POS. */
  c.count = 0;
  assert_int_equal(td_analyze(a, text, strlen(text), 0, 1, collect, &c, NULL), 0);
  assert_int_equal(c.count, 4);
  assert_int_equal(td_analyze(a, "", 0, 7, 1, collect, &c, &next), 0);
  assert_int_equal(next, 7);
  assert_int_equal(td_analyze(a, " - ", 3, 9, 1, collect, &c, &next), 0);
  assert_int_equal(next, 9);
  assert_int_equal(c.count, 4);

  /* Only LEN bytes are read: the rest of the string is not analyzed. */
  c.count = 0;
  assert_int_equal(td_analyze(a, "alpha beta", 7, 0, 1, collect, &c, &next), 0);
  assert_int_equal(c.count, 2);
  assert_string_equal(c.terms[1], "b");
  assert_int_equal(next, 2);
  collected_free(&c);
  td_analyzer_free(a);
}

static void test_unicode_folding(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("none");
  expect_terms(a, "Müller Ångström façade NAÏVE", 1, "muller angstrom facade naive");
  /* German sharp s case-folds to "ss", so both spellings meet. */
  expect_terms(a, "Straße STRASSE straße", 1, "strasse strasse strasse");
  /* Greek: capital and final sigma both fold to σ, the tonos goes. */
  expect_terms(a, "ΣΊΣΥΦΟΣ σίσυφος", 1, "σισυφοσ σισυφοσ");
  expect_terms(a, "Москва МОСКВА", 1, "москва москва");
  /* Compatibility forms: ligature, fullwidth, Roman numeral, superscript. */
  expect_terms(a, "ﬁle ＡＢＣ Ⅻ x²", 1, "file abc xii x2");
  /* Hangul is decomposed and composed again: unchanged. */
  expect_terms(a, "한국어", 1, "한국어");
  /* A combining mark on its own folds to nothing: no term. */
  expect_terms(a, "a \xcc\x81 b", 1, "a b");
  td_analyzer_free(a);
}

static void test_cjk_and_emoji(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("none");
  /* Han characters are letters; no word segmentation is attempted. */
  expect_terms(a, "東京 大学", 1, "東京 大学");
  expect_terms(a, "東京大学。日本", 1, "東京大学 日本");
  /* The voiced sound mark of kana is a mark too: が folds to か. */
  expect_terms(a, "ひらがな カタカナ", 1, "ひらかな カタカナ");
  /* Emoji and symbols separate tokens. */
  expect_terms(a, "a\xf0\x9f\x98\x80" "b", 1, "a b");
  expect_terms(a, "love\xe2\x9d\xa4\xef\xb8\x8fpeace \xe2\x82\xac" "5 \xc2\xa9" "2024", 1,
               "love peace 5 2024");
  td_analyzer_free(a);
}

static void test_apostrophes(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("none");
  expect_terms(a, "don't O'Brien rock\xe2\x80\x99n\xe2\x80\x99roll", 1, "dont obrien rocknroll");
  /* Not between two letters: a separator. */
  expect_terms(a, "'quoted' dogs' 'tis it''s", 1, "quoted dogs tis it s");
  expect_terms(a, "5'6 x'9 9'x", 1, "5 6 x 9 9 x");
  /* A mark belongs to the letter before it. */
  expect_terms(a, "cafe\xcc\x81's", 1, "cafes");
  expect_terms(a, "l'\xc3\xa9t\xc3\xa9", 1, "lete");
  td_analyzer_free(a);
}

static void test_numbers(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("none");
  expect_terms(a, "5.93 1,000 1,000.50 3.5.1", 1, "5.93 1,000 1,000.50 3.5.1");
  expect_terms(a, "end. 7, .5 5. 1..2 1,,2 1.,2", 1, "end 7 5 5 1 2 1 2 1 2");
  expect_terms(a, "x.y 2.x x.2 v1.2 1.2b", 1, "x y 2 x x 2 v1.2 1.2b");
  expect_terms(a, "$1,234.56 (12.5%)", 1, "1,234.56 12.5");
  /* Any decimal digits, not only ASCII ones. */
  expect_terms(a, "\xd9\xa3.\xd9\xa5", 1, "\xd9\xa3.\xd9\xa5");
  td_analyzer_free(a);
}

static void test_invalid_utf8(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("none");
  char got[256];
  static const struct {
    const char *text;
    size_t len;
    const char *want;
  } cases[] = {
    {"\xff" "abc", 4, "abc"},
    {"\x80\x80" "abc", 5, "abc"},
    {"ab\xff" "cd", 5, "ab cd"},
    {"ab\xc3" "cd", 5, "ab cd"},               /* lead byte, no continuation */
    {"ab\xc0\xaf" "cd", 6, "ab cd"},           /* overlong '/' */
    {"ab\xed\xa0\x80" "cd", 7, "ab cd"},       /* UTF-16 surrogate */
    {"ab\xf4\x90\x80\x80" "cd", 8, "ab cd"},   /* beyond U+10FFFF */
    {"caf\xc3", 4, "caf"},                     /* truncated at the end */
    {"caf\xe2\x82", 5, "caf"},
    {"caf\xf0\x9f\x98", 6, "caf"},
    {"\xc3", 1, ""},
    {"abc\0def", 7, "abc def"},
    {"\xc3\xa9\xff\xc3\xa9", 5, "e e"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    analyze_to(a, cases[i].text, cases[i].len, 1, got, sizeof got);
    if (strcmp(got, cases[i].want) != 0) {
      fail_msg("invalid UTF-8 case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
    }
  }
  td_analyzer_free(a);
}

/* Random bytes, many of them high: must never crash, overrun or give terms
** that are not valid UTF-8. */
static void test_random_bytes(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("english");
  uint64_t rng = 0x5eed;
  for (int round = 0; round < 2000; round++) {
    size_t len = td_test_rand(&rng) % 200;
    char *text = malloc(len ? len : 1);
    assert_non_null(text);
    for (size_t i = 0; i < len; i++) {
      uint64_t r = td_test_rand(&rng);
      text[i] = (char)(r % 3 == 0 ? 'a' + (r >> 8) % 26 : (r >> 16) & 0xff);
    }
    collected c = {0};
    uint32_t next = 0;
    assert_int_equal(td_analyze(a, text, len, 0, (int)(round & 1), collect, &c, &next), 0);
    assert_true(next >= c.count); /* tokens of marks alone are dropped */
    for (size_t t = 0; t < c.count; t++) {
      const uint8_t *p = (const uint8_t *)c.terms[t];
      size_t n = strlen(c.terms[t]), k = 0;
      while (k < n) {
        int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate(p + k, (utf8proc_ssize_t)(n - k), &cp);
        assert_true(r > 0);
        k += (size_t)r;
      }
    }
    collected_free(&c);
    free(text);
  }
  td_analyzer_free(a);
}

/* Analyzes "x " WORD " y": WORD is kept when its folded form fits. */
static void expect_word_kept(td_analyzer *a, const char *word, const char *folded, int kept) {
  collected c = {0};
  uint32_t next = 0;
  char *text = malloc(strlen(word) + 5);
  assert_non_null(text);
  sprintf(text, "x %s y", word);
  assert_int_equal(td_analyze(a, text, strlen(text), 0, 1, collect, &c, &next), 0);
  assert_int_equal(next, 3); /* a dropped word still takes its position */
  assert_int_equal(c.count, kept ? 3 : 2);
  assert_string_equal(c.terms[c.count - 1], "y");
  assert_int_equal(c.pos[c.count - 1], 2);
  if (kept) {
    assert_int_equal(c.pos[1], 1);
    assert_string_equal(c.terms[1], folded);
  }
  collected_free(&c);
  free(text);
}

static void test_max_term_length(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("none");
  char *w64 = td_test_repeat("a", TD_MAX_TERM, ""), *w65 = td_test_repeat("a", TD_MAX_TERM + 1, "");
  char *u64 = td_test_repeat("A", TD_MAX_TERM, "");
  expect_word_kept(a, w64, w64, 1);
  expect_word_kept(a, u64, w64, 1);
  expect_word_kept(a, w65, NULL, 0);
  /* Two-byte letters: 32 fit exactly, 33 do not. */
  char *zh32 = td_test_repeat("\xd0\xb6", TD_MAX_TERM / 2, "");
  char *zh33 = td_test_repeat("\xd0\xb6", TD_MAX_TERM / 2 + 1, "");
  char *ZH32 = td_test_repeat("\xd0\x96", TD_MAX_TERM / 2, "");
  expect_word_kept(a, zh32, zh32, 1);
  expect_word_kept(a, ZH32, zh32, 1);
  expect_word_kept(a, zh33, NULL, 0);
  /* The limit applies after folding: 64 "é" (128 bytes) fold to 64 "e". */
  char *e64 = td_test_repeat("\xc3\xa9", TD_MAX_TERM, "");
  char *e65 = td_test_repeat("\xc3\xa9", TD_MAX_TERM + 1, "");
  char *f64 = td_test_repeat("e", TD_MAX_TERM, "");
  expect_word_kept(a, e64, f64, 1);
  expect_word_kept(a, e65, NULL, 0);
  /* "ß" folds to two bytes: 32 fit, 33 do not. */
  char *ss32 = td_test_repeat("\xc3\x9f", TD_MAX_TERM / 2, "");
  char *ss33 = td_test_repeat("\xc3\x9f", TD_MAX_TERM / 2 + 1, "");
  char *s64 = td_test_repeat("s", TD_MAX_TERM, "");
  expect_word_kept(a, ss32, s64, 1);
  expect_word_kept(a, ss33, NULL, 0);
  /* A non-ASCII letter, then ASCII: the ASCII tail is counted too. */
  char *ea63 = malloc(TD_MAX_TERM + 4), *ea64 = malloc(TD_MAX_TERM + 4);
  assert_non_null(ea63);
  assert_non_null(ea64);
  sprintf(ea63, "\xc3\x89%s", w64 + 1);
  sprintf(ea64, "\xc3\x89%s", w64);
  char *fa63 = td_test_repeat("a", TD_MAX_TERM, "");
  fa63[0] = 'e';
  expect_word_kept(a, ea63, fa63, 1);
  expect_word_kept(a, ea64, NULL, 0);
  /* An ASCII prefix that is already too long, then a non-ASCII letter. */
  char *mixed = malloc(TD_MAX_TERM + 4);
  assert_non_null(mixed);
  sprintf(mixed, "%s\xc3\xa9", w65);
  expect_word_kept(a, mixed, NULL, 0);
  char *free_list[] = {w64, w65, u64, zh32, zh33, ZH32, e64, f64, e65,
                       ss32, ss33, s64, ea63, ea64, fa63, mixed};
  for (size_t i = 0; i < sizeof free_list / sizeof *free_list; i++) free(free_list[i]);
  td_analyzer_free(a);
}

static void test_huge_token(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("english");
  static const char *units[] = {"a", "Z9", "\xd0\xb6", "\xe6\x9d\xb1", "\xc3\xa9" "abcd"};
  for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
    size_t count = (8u << 20) / strlen(units[u]);
    char *word = td_test_repeat(units[u], count, "");
    size_t wlen = strlen(word);
    char *text = malloc(wlen + 16);
    assert_non_null(text);
    memcpy(text, "start ", 6);
    memcpy(text + 6, word, wlen);
    memcpy(text + 6 + wlen, " end", 4);
    collected c = {0};
    uint32_t next = 0;
    assert_int_equal(td_analyze(a, text, wlen + 10, 0, 1, collect, &c, &next), 0);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.terms[0], "start");
    assert_string_equal(c.terms[1], "end");
    assert_int_equal(c.pos[1], 2);
    assert_int_equal(next, 3);
    collected_free(&c);
    free(text);
    free(word);
  }
  /* A letter with a megabyte of combining marks folds to one letter. */
  char *marks = td_test_repeat("\xcc\x81", 1u << 19, "");
  char *text = malloc(strlen(marks) + 2);
  assert_non_null(text);
  sprintf(text, "e%s", marks);
  char got[64];
  analyze_to(a, text, strlen(text), 1, got, sizeof got);
  assert_string_equal(got, "e");
  free(text);
  free(marks);
  td_analyzer_free(a);
}

static void test_callback_stops(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("english");
  const char *text = "first second third fourth";
  collected c = {.stop_at = 2};
  uint32_t next = 0;
  assert_int_equal(td_analyze(a, text, strlen(text), 10, 1, collect, &c, &next), STOP_RC);
  assert_int_equal(c.count, 2);
  assert_string_equal(c.terms[1], "second");
  assert_int_equal(next, 12);
  /* The analyzer is usable again afterwards. */
  c.stop_at = 0;
  c.count = 0;
  assert_int_equal(td_analyze(a, text, strlen(text), 0, 1, collect, &c, &next), 0);
  assert_int_equal(c.count, 4);
  assert_int_equal(next, 4);
  collected_free(&c);
  td_analyzer_free(a);
}

static void test_stemming(void **state) {
  (void)state;
  td_analyzer *en = new_analyzer("english");
  td_analyzer *none = new_analyzer("none");
  assert_string_equal(td_analyzer_lang(en), "english");
  assert_string_equal(td_analyzer_lang(none), "none");
  expect_terms(en, "running Running RUNS ran", 1, "run run run ran");
  expect_terms(en, "running Running RUNS", 0, "running running runs");
  expect_terms(none, "running Running RUNS", 1, "running running runs");
  /* Twice over, so the second pass comes from the cache. */
  expect_terms(en, "connections connected connecting", 1, "connect connect connect");
  expect_terms(en, "connections connected connecting", 1, "connect connect connect");
  /* Numbers are left alone; tokens with letters are stemmed. */
  expect_terms(en, "1,000.50 1990 4wheels", 1, "1,000.50 1990 4wheel");
  td_analyzer *fr = new_analyzer("french");
  expect_terms(fr, "Continuellement continuelles", 1, "continuel continuel");
  td_analyzer *de = new_analyzer("german");
  expect_terms(de, "Häuser hauser", 1, "haus haus");
  td_analyzer_free(de);
  td_analyzer_free(fr);
  td_analyzer_free(none);
  td_analyzer_free(en);
}

static void test_unknown_language(void **state) {
  (void)state;
  static int not_an_analyzer;
  td_analyzer *a = (td_analyzer *)&not_an_analyzer; /* must be reset to NULL */
  td_error err;
  td_error_clear(&err);
  assert_int_equal(td_analyzer_new("klingon", &a, &err), TD_EINVAL);
  assert_null(a);
  assert_int_equal(err.code, TD_EINVAL);
  assert_non_null(strstr(err.msg, "klingon"));
  assert_non_null(strstr(err.msg, "english"));
  assert_non_null(strstr(err.msg, "none"));
  assert_non_null(strstr(err.msg, "swedish"));
  assert_int_equal(td_analyzer_new("", &a, &err), TD_EINVAL);
  assert_int_equal(td_analyzer_new(NULL, &a, &err), TD_EINVAL);
  assert_int_equal(td_analyzer_new("English", &a, NULL), TD_EINVAL);
}

/* Puts a combining acute accent after every ASCII letter and digit of SRC,
** which forces every token through the Unicode path while folding to the
** same terms. */
static char *accent_everything(const char *src) {
  char *out = malloc(3 * strlen(src) + 1), *o = out;
  assert_non_null(out);
  for (const char *p = src; *p; p++) {
    *o++ = *p;
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) {
      *o++ = '\xcc';
      *o++ = '\x81';
    }
  }
  *o = '\0';
  return out;
}

static void test_ascii_and_unicode_paths_agree(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("english");
  expect_terms(a, "Cafe Café CAFÉ Cafe\xcc\x81", 0, "cafe cafe cafe cafe");
  expect_terms(a, "cafes cafés CAFÉS", 1, "cafe cafe cafe");
  /* Random texts of letters, digits, apostrophes, dots, commas, spaces. */
  static const char alphabet[] = "abcXYZe019''..,, -";
  uint64_t rng = 42;
  char ascii_terms[8192], unicode_terms[8192];
  for (int round = 0; round < 500; round++) {
    char text[160];
    size_t len = td_test_rand(&rng) % (sizeof text - 1);
    for (size_t i = 0; i < len; i++) {
      uint64_t r = td_test_rand(&rng);
      /* Long runs of 'a' now and then, to cross TD_MAX_TERM. */
      text[i] = r % 7 == 0 ? 'a' : alphabet[(r >> 8) % (sizeof alphabet - 1)];
    }
    text[len] = '\0';
    char *accented = accent_everything(text);
    for (int stem = 0; stem <= 1; stem++) {
      analyze_to(a, text, len, stem, ascii_terms, sizeof ascii_terms);
      analyze_to(a, accented, strlen(accented), stem, unicode_terms, sizeof unicode_terms);
      if (strcmp(ascii_terms, unicode_terms) != 0) {
        fail_msg("\"%s\": ASCII path \"%s\", Unicode path \"%s\"", text, ascii_terms, unicode_terms);
      }
    }
    free(accented);
  }
  td_analyzer_free(a);
}

/* Words of every length to past TD_MAX_TERM, at every offset within
** sixteen bytes, ended by each kind of byte or by the end of the text: the
** scanner takes sixteen bytes at a time where it can, and must read them
** as the byte loop does. */
static void test_ascii_words_every_length(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("none");
  static const char *ends[] = {" tail", "-tail", "\xff tail", "\xc3\xa9 tail", ""};
  for (size_t n = 1; n <= TD_MAX_TERM + 20; n++) {
    char word[TD_MAX_TERM + 24], low[TD_MAX_TERM + 24];
    for (size_t i = 0; i < n; i++) {
      word[i] = "aZ9bY0cXm"[(i * 7 + n) % 9];
      low[i] = (char)(word[i] | 0x20);
    }
    for (int off = 0; off <= 16; off++)
      for (size_t e = 0; e < sizeof ends / sizeof *ends; e++) {
        char text[160], want[160];
        snprintf(text, sizeof text, "%*s%.*s%s", off, "", (int)n, word, ends[e]);
        int accent = e == 3; /* the é joins the word, folded to e */
        size_t kept = n + (size_t)accent <= TD_MAX_TERM;
        snprintf(want, sizeof want, "%.*s%s%s", kept ? (int)n : 0, low, kept && accent ? "e" : "",
                 ends[e][0] ? (kept ? " tail" : "tail") : "");
        expect_terms(a, text, 0, want);
      }
  }
  /* Every ASCII byte that only separates, in each place of the sixteen. */
  for (int c = 1; c < 0x80; c++) {
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') continue;
    if ((c >= '0' && c <= '9') || c == '\'' || c == '.' || c == ',') continue;
    for (size_t n = 1; n <= 40; n++) {
      char text[64], want[64];
      snprintf(text, sizeof text, "%.*s%ctail", (int)n, "Ab9Cd8Ef7Gh6Ij5Kl4Mn3Op2Qr1St0UvWxYzAbCd", c);
      snprintf(want, sizeof want, "%.*s tail", (int)n, "ab9cd8ef7gh6ij5kl4mn3op2qr1st0uvwxyzabcd");
      expect_terms(a, text, 0, want);
    }
  }
  td_analyzer_free(a);
  /* Long words are stemmed whichever path reads them. */
  a = new_analyzer("english");
  static const char *words[] = {"Internationalizations", "counterrevolutionaries",
                                "electroencephalographically", "12345678901234567890"};
  for (size_t w = 0; w < sizeof words / sizeof *words; w++)
    for (int off = 0; off <= 16; off++) {
      char text[80], ascii_terms[256], unicode_terms[256];
      snprintf(text, sizeof text, "%*s%s said", off, "", words[w]);
      char *accented = accent_everything(text);
      analyze_to(a, text, strlen(text), 1, ascii_terms, sizeof ascii_terms);
      analyze_to(a, accented, strlen(accented), 1, unicode_terms, sizeof unicode_terms);
      free(accented);
      if (strcmp(ascii_terms, unicode_terms) != 0)
        fail_msg("\"%s\": ASCII path \"%s\", Unicode path \"%s\"", text, ascii_terms,
                 unicode_terms);
    }
  td_analyzer_free(a);
}

/* Code points that make up tokens, ASCII and not, with marks, ligatures,
** Hangul syllables and jamo, and U+FDFA (the longest decomposition). */
static const char *const token_chars[] = {
  "a", "Z", "7", "\xc3\xa9", "\xc3\x84", "\xc3\x9f", "\xce\xa3", "\xcf\x82",
  "\xce\x8a", "\xd0\x96", "\xcc\x81", "\xcc\xa7", "\xef\xac\x81", "\xef\xbc\xa1",
  "\xe2\x85\xab", "\xc2\xb2", "\xed\x95\x9c", "\xe1\x84\x80", "\xe1\x85\xa1",
  "\xe1\x86\xa8", "\xe6\x9d\xb1", "\xef\xbe\x9e", "\xef\xb7\xba", "\xc4\xb0",
  "\xe1\xba\x9e", "\xc7\x85", "\xd9\xa3",
};

/* Folding agrees with utf8proc_map's NFKC case folding with marks stripped,
** on random tokens: the analyzer folds code point by code point and
** recomposes at the end, utf8proc_map works on the whole string. */
static void test_fold_matches_utf8proc(void **state) {
  (void)state;
  td_analyzer *a = new_analyzer("none");
  size_t nchars = sizeof token_chars / sizeof *token_chars;
  uint64_t rng = 7;
  for (int round = 0; round < 3000; round++) {
    char text[512] = "";
    size_t n = 1 + td_test_rand(&rng) % 40;
    for (size_t i = 0; i < n; i++) strcat(text, token_chars[td_test_rand(&rng) % nchars]);
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t mlen = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)strlen(text), &mapped,
                                         UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                         UTF8PROC_STRIPMARK | UTF8PROC_STABLE);
    assert_true(mlen >= 0);
    const char *want = mlen >= 1 && mlen <= TD_MAX_TERM ? (const char *)mapped : "";
    char got[256];
    analyze_to(a, text, strlen(text), 1, got, sizeof got);
    if (strcmp(got, want) != 0) fail_msg("\"%s\": got \"%s\", want \"%s\"", text, got, want);
    free(mapped);
  }
  td_analyzer_free(a);
}

/* Stems through the cache agree with the stemmer itself over a vocabulary
** larger than the cache, so that entries are found, added and evicted. */
static void test_stem_cache_matches_stemmer(void **state) {
  (void)state;
  enum { VOCAB = 150000, WORDS = 400000, WLEN = 12 };
  char (*vocab)[WLEN + 1] = malloc(VOCAB * sizeof *vocab);
  uint32_t *order = malloc(WORDS * sizeof *order);
  char *text = malloc(WORDS * (WLEN + 1));
  assert_non_null(vocab);
  assert_non_null(order);
  assert_non_null(text);
  static const char letters[] = "aeioustrnlcdmpgying";
  uint64_t rng = 99;
  for (size_t v = 0; v < VOCAB; v++) {
    size_t n = 3 + td_test_rand(&rng) % (WLEN - 2);
    for (size_t i = 0; i < n; i++) vocab[v][i] = letters[td_test_rand(&rng) % (sizeof letters - 1)];
    vocab[v][n] = '\0';
  }
  size_t len = 0;
  for (size_t w = 0; w < WORDS; w++) {
    /* Half the words from a small hot set, half from the whole vocabulary. */
    uint64_t r = td_test_rand(&rng);
    order[w] = (uint32_t)(r & 1 ? (r >> 1) % 500 : (r >> 1) % VOCAB);
    len += (size_t)sprintf(text + len, "%s ", vocab[order[w]]);
  }
  td_analyzer *a = new_analyzer("english");
  struct sb_stemmer *ref = sb_stemmer_new("english", "UTF_8");
  assert_non_null(ref);
  collected c = {0};
  assert_int_equal(td_analyze(a, text, len, 0, 1, collect, &c, NULL), 0);
  assert_int_equal(c.count, WORDS);
  for (size_t w = 0; w < WORDS; w++) {
    const char *word = vocab[order[w]];
    const sb_symbol *s = sb_stemmer_stem(ref, (const sb_symbol *)word, (int)strlen(word));
    assert_non_null(s);
    int slen = sb_stemmer_length(ref);
    if ((size_t)slen != strlen(c.terms[w]) || memcmp(s, c.terms[w], (size_t)slen) != 0) {
      fail_msg("word %zu \"%s\": got \"%s\", want \"%.*s\"", w, word, c.terms[w], slen, (const char *)s);
    }
  }
  collected_free(&c);
  sb_stemmer_delete(ref);
  td_analyzer_free(a);
  free(text);
  free(order);
  free(vocab);
}

/* Whether term T is made only of token characters, '.' and ','. */
static int term_is_wellformed(const char *t) {
  const uint8_t *p = (const uint8_t *)t;
  size_t n = strlen(t), k = 0;
  while (k < n) {
    int32_t cp;
    utf8proc_ssize_t r = utf8proc_iterate(p + k, (utf8proc_ssize_t)(n - k), &cp);
    if (r <= 0) return 0;
    k += (size_t)r;
    if (cp >= 'A' && cp <= 'Z') return 0;
    if (cp == '.' || cp == ',') continue;
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_NO) return 0;
  }
  return 1;
}

static void test_real_corpus(void **state) {
  (void)state;
  char path[1024];
  snprintf(path, sizeof path, "%s/reuters21578/reut2-000.trec", td_test_shared_corpus());
  FILE *f = fopen(path, "rb");
  if (!f) skip();
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long size = ftell(f);
  assert_true(size > 0);
  rewind(f);
  char *text = malloc((size_t)size);
  assert_non_null(text);
  assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
  fclose(f);

  td_analyzer *a = new_analyzer("english");
  collected stemmed = {0}, folded = {0};
  uint32_t next_stemmed = 0, next_folded = 0;
  assert_int_equal(td_analyze(a, text, (size_t)size, 1, 1, collect, &stemmed, &next_stemmed), 0);
  assert_int_equal(td_analyze(a, text, (size_t)size, 1, 0, collect, &folded, &next_folded), 0);
  /* About one token per six bytes of news text. */
  assert_true(stemmed.count > (size_t)size / 10);
  assert_int_equal(stemmed.count, folded.count);
  assert_int_equal(next_stemmed, next_folded);
  assert_true(next_stemmed >= 1 + stemmed.count);
  size_t changed = 0;
  for (size_t i = 0; i < stemmed.count; i++) {
    assert_int_equal(stemmed.pos[i], folded.pos[i]);
    assert_true(i == 0 || stemmed.pos[i] > stemmed.pos[i - 1]);
    if (!term_is_wellformed(folded.terms[i])) fail_msg("bad term \"%s\"", folded.terms[i]);
    assert_true(term_is_wellformed(stemmed.terms[i]));
    changed += strcmp(stemmed.terms[i], folded.terms[i]) != 0;
  }
  /* Stemming changes a good share of the tokens, but not most of them. */
  assert_true(changed > stemmed.count / 20 && changed < stemmed.count / 2);
  collected_free(&stemmed);
  collected_free(&folded);
  td_analyzer_free(a);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ascii_words),
    cmocka_unit_test(test_positions),
    cmocka_unit_test(test_unicode_folding),
    cmocka_unit_test(test_cjk_and_emoji),
    cmocka_unit_test(test_apostrophes),
    cmocka_unit_test(test_numbers),
    cmocka_unit_test(test_invalid_utf8),
    cmocka_unit_test(test_random_bytes),
    cmocka_unit_test(test_max_term_length),
    cmocka_unit_test(test_ascii_words_every_length),
    cmocka_unit_test(test_huge_token),
    cmocka_unit_test(test_callback_stops),
    cmocka_unit_test(test_stemming),
    cmocka_unit_test(test_unknown_language),
    cmocka_unit_test(test_ascii_and_unicode_paths_agree),
    cmocka_unit_test(test_fold_matches_utf8proc),
    cmocka_unit_test(test_stem_cache_matches_stemmer),
    cmocka_unit_test(test_real_corpus),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
