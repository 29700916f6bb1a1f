/*
** testutil.h - small helpers shared by the cmocka test programs.
*/
#ifndef TD_TESTUTIL_H
#define TD_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

/* The shared real corpora live beside the checkout: ../shared/corpus, or
** wherever TD_SHARED_CORPUS points. */
static inline const char *td_test_shared_corpus(void) {
  const char *env = getenv("TD_SHARED_CORPUS");
  return env ? env : "../shared/corpus";
}

/* A deterministic pseudo-random generator (xorshift64*), so failures replay. */
static inline uint64_t td_test_rand(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  *state = x;
  return x * 2685821657736338717ULL;
}

#endif
