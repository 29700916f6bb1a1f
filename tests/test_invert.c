/*
** test_invert.c - the inverter (common/invert.c): the order its chunks come
** out in, which the merge and the lexicon rely on, and their bytes.
*/
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
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

enum { VOCAB = 600 };

/* Adds NDOCS documents from DOC0 on, of skewed random terms "tN" and, in
** one document, a term "big" many thousand times, writing each term's chunk
** as the documented format has it (docid, then docid gaps less one; tf;
** position gaps) into WANT, indexed by N (VOCAB for "big"). */
static void add_docs(td_inverter *v, uint32_t doc0, uint32_t ndocs, uint64_t *rng, td_buf *want) {
  uint32_t last[VOCAB + 1], tf[VOCAB + 1], prev[VOCAB + 1];
  uint32_t pos[VOCAB + 1][64];
  for (uint32_t d = doc0; d < doc0 + ndocs; d++) {
    memset(tf, 0, sizeof tf);
    uint32_t ntok = d == doc0 + 7 ? 6000 : 40;
    for (uint32_t p = 0; p < ntok; p++) {
      unsigned t = d == doc0 + 7 ? VOCAB
                   : td_test_rand(rng) % 4 == 0
                       ? 0
                       : (unsigned)(td_test_rand(rng) % (1 + td_test_rand(rng) % VOCAB));
      char term[16];
      int len = t == VOCAB ? snprintf(term, sizeof term, "big") : snprintf(term, sizeof term, "t%u", t);
      assert_int_equal(td_inverter_token(v, term, (size_t)len, p, NULL), TD_OK);
      if (tf[t] < 64) pos[t][tf[t]] = p;
      tf[t]++;
    }
    assert_int_equal(td_inverter_end_doc(v, d), TD_OK);
    for (unsigned t = 0; t <= VOCAB; t++) {
      if (!tf[t]) continue;
      assert_int_equal(td_buf_put_varint(&want[t], want[t].len ? d - last[t] - 1 : d), TD_OK);
      assert_int_equal(td_buf_put_varint(&want[t], tf[t]), TD_OK);
      prev[t] = 0;
      for (uint32_t k = 0; k < tf[t]; k++) {
        uint32_t p = t == VOCAB ? k : pos[t][k];
        assert_int_equal(td_buf_put_varint(&want[t], p - prev[t]), TD_OK);
        prev[t] = p;
      }
      last[t] = d;
    }
  }
}

/* Checks that the sorted chunks of V are exactly WANT's non-empty buffers,
** then empties those. */
static void check_chunks(td_inverter *v, td_buf *want) {
  const td_chunk *c;
  size_t n, nonempty = 0;
  assert_int_equal(td_inverter_sorted(v, &c, &n), TD_OK);
  for (unsigned t = 0; t <= VOCAB; t++) nonempty += want[t].len > 0;
  assert_int_equal(n, nonempty);
  for (size_t i = 0; i < n; i++) {
    char term[16];
    assert_true(c[i].len < sizeof term);
    memcpy(term, c[i].term, c[i].len);
    term[c[i].len] = '\0';
    unsigned t = strcmp(term, "big") == 0 ? VOCAB : (unsigned)atoi(term + 1);
    assert_int_equal(c[i].size, want[t].len);
    assert_memory_equal(c[i].data, want[t].data, want[t].len);
  }
  for (unsigned t = 0; t <= VOCAB; t++) want[t].len = 0;
}

/* Chunks of every size, from a rare term's first 64 bytes to a common
** term's tens of kilobytes, grown side by side so that the blocks one
** term grows out of are reused by others, then again after a reset (a
** spill), which keeps the memory for the next chunks: every byte must be
** the term's own. */
static void test_chunks_exact(void **state) {
  (void)state;
  td_inverter *v;
  static td_buf want[VOCAB + 1];
  uint64_t rng = 7;
  assert_int_equal(td_inverter_new(&v), TD_OK);
  add_docs(v, 0, 3000, &rng, want);
  size_t before = td_inverter_memory(v);
  assert_true(want[0].len > 8 * 4096 && want[VOCAB].len > 4096);
  check_chunks(v, want);
  td_inverter_reset(v);
  assert_true(td_inverter_memory(v) < before);
  add_docs(v, 3000, 2000, &rng, want);
  check_chunks(v, want);
  for (unsigned t = 0; t <= VOCAB; t++) td_buf_free(&want[t]);
  td_inverter_free(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sorted_known),
      cmocka_unit_test(test_sorted_random),
      cmocka_unit_test(test_chunks_exact),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
