/*
** test_invert.c - the inverter (common/invert.c): the order its chunks come
** out in, which the merge and the lexicon rely on.
*/
#include "testutil.h"

#include <string.h>

#include "invert.h"
#include "lexicon.h"

/* Adds each of the N terms once, as document 0, and checks that the sorted
** chunks are the N terms in td_term_cmp order, each with df 1. */
static void check_sorted(char terms[][40], const size_t *lens, size_t n) {
  td_inverter *v;
  assert_int_equal(td_inverter_new(&v), TD_OK);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(td_inverter_token(v, terms[i], lens[i], (uint32_t)i, NULL), TD_OK);
  assert_int_equal(td_inverter_end_doc(v, 0), TD_OK);
  const td_chunk *c;
  size_t got;
  assert_int_equal(td_inverter_sorted(v, &c, &got), TD_OK);
  assert_int_equal(got, n);
  for (size_t i = 0; i < got; i++) {
    assert_int_equal(c[i].df, 1);
    if (i > 0) assert_true(td_term_cmp(c[i - 1].term, c[i - 1].len, c[i].term, c[i].len) < 0);
  }
  td_inverter_free(v);
}

/* Terms that the first eight bytes do not tell apart, prefixes of each
** other, and bytes above 0x7F, which must sort after ASCII. */
static void test_sorted_known(void **state) {
  (void)state;
  static const char *words[] = {"internationalisation", "internationalise", "internat", "interna",
                                "intern", "b", "a", "\xc3\xa9t\xc3\xa9", "zz", "internationally",
                                "abcdefgh", "abcdefghi", "abcdefg", "0", "9lives"};
  size_t n = sizeof words / sizeof words[0];
  char terms[sizeof words / sizeof words[0]][40];
  size_t lens[sizeof words / sizeof words[0]];
  for (size_t i = 0; i < n; i++) {
    lens[i] = strlen(words[i]);
    memcpy(terms[i], words[i], lens[i]);
  }
  check_sorted(terms, lens, n);
}

/* Random terms from a small alphabet, so that many share long prefixes. */
static void test_sorted_random(void **state) {
  (void)state;
  enum { N = 3000 };
  static char terms[N][40];
  static size_t lens[N];
  uint64_t rng = 99;
  size_t n = 0;
  while (n < N) {
    size_t len = 1 + td_test_rand(&rng) % 20;
    for (size_t k = 0; k < len; k++) terms[n][k] = "ab\xc3\xa9"[td_test_rand(&rng) % 4];
    int dup = 0;
    for (size_t j = 0; j < n && !dup; j++)
      dup = lens[j] == len && memcmp(terms[j], terms[n], len) == 0;
    if (dup) continue;
    lens[n++] = len;
  }
  check_sorted(terms, lens, n);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sorted_known),
      cmocka_unit_test(test_sorted_random),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
