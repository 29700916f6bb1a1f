/*
** testutil.h - small helpers shared by the cmocka test programs.
*/
#ifndef TD_TESTUTIL_H
#define TD_TESTUTIL_H

#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* N copies of UNIT followed by TAIL, in a malloc'd string (hostile queries). */
static inline char *td_test_repeat(const char *unit, size_t n, const char *tail) {
  size_t u = strlen(unit), t = strlen(tail);
  char *s = malloc(u * n + t + 1);
  assert_non_null(s);
  for (size_t i = 0; i < n; i++) memcpy(s + i * u, unit, u);
  memcpy(s + u * n, tail, t + 1);
  return s;
}

/* Whether scores A and B agree up to rounding: two evaluation paths (top-k
** and exhaustive) add the same terms in different orders, so the error
** grows with the score. */
static inline int td_test_score_close(float a, float b) {
  float d = a - b, tol = 1e-5f * (1.0f + (b < 0 ? -b : b));
  return d <= tol && d >= -tol;
}

/* Seconds on a monotonic clock. */
static inline double td_test_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int td_test_rm_entry(const char *path, const struct stat *sb, int flag,
                                   struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

/* Removes PATH and everything below it, links not followed; 0 or -1. */
static inline int td_test_rm_tree(const char *path) {
  return nftw(path, td_test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
