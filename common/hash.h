/*
** hash.h - the hash of a term, shared by the stem cache and the inverter.
**
** Nothing hashed is ever stored on disk, so the function may change freely.
** Terms are short (TD_MAX_TERM bytes at most, most under 8), so the tail is
** read with at most two overlapping loads instead of a byte loop: a byte
** loop into a word on the stack, read back whole, stalled store-to-load
** forwarding on nearly every token.  The length is mixed in first, so
** overlapping reads cannot make two terms of different lengths collide
** more often than any pair.
*/
#ifndef TD_HASH_H
#define TD_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t td_hash_read64(const char *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

static inline uint64_t td_hash_read32(const char *p) {
  uint32_t w;
  memcpy(&w, p, 4);
  return w;
}

/* The last 1-8 bytes of a string of N >= 1 bytes ending at P + N. */
static inline uint64_t td_hash_tail(const char *p, size_t n) {
  if (n >= 8) return td_hash_read64(p + n - 8);
  if (n >= 4) return td_hash_read32(p) << 32 | td_hash_read32(p + n - 4);
  return (uint64_t)(unsigned char)p[0] << 16 | (uint64_t)(unsigned char)p[n / 2] << 8 |
         (unsigned char)p[n - 1];
}

static inline uint32_t td_hash_bytes(const char *p, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w = 0;
  size_t left = n;
  for (; left > 8; p += 8, left -= 8) {
    h = (h ^ td_hash_read64(p)) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (left) w = td_hash_tail(p, left);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  return (uint32_t)(h ^ (h >> 29));
}

#endif
