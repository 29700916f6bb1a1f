/*
** codec.h - integer codecs for postings: LEB128 varints and bit-packed blocks.
**
** A bit-packed block holds n <= TD_BLOCK values.  A plain block is one
** byte w (0..32) followed by ceil(n*w/8) bytes of the values packed in w
** bits each, least significant bits first.  A patched block packs the
** values at a width b below what the widest needs and keeps the rest of
** the few wider ones (the exceptions) apart: a byte TD_PATCHED | (k-1) << 5
** | b, a byte e (1..n), the n values' low b bits packed, then e times the
** index of an exception (one byte) and its bits above b in k bytes (1..4),
** little-endian.  Block decode is the innermost loop of every query, so
** decoders are unrolled per width and never read past END.  Decoders
** return NULL on input that is truncated or impossible (a bad width byte,
** more exceptions than values or one past the n-th, an overlong varint),
** which callers report as index corruption.
*/
#ifndef TD_CODEC_H
#define TD_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define TD_BLOCK 128          /* values per postings block */
#define TD_VARINT_MAX 10      /* bytes of the longest 64-bit varint */
#define TD_PATCHED 0x80u      /* width byte flag of a patched block */

/* Writes V as a varint at OUT (room for TD_VARINT_MAX bytes); returns bytes
** written.  Inline: the inverter writes one per token. */
static inline size_t td_varint_put(uint8_t *out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

/* td_varint_get for varints of two bytes or more. */
const uint8_t *td_varint_get_long(const uint8_t *p, const uint8_t *end, uint64_t *v);

/* Reads a varint from [P, END) into *V; returns the byte after it, or NULL
** when the input ends inside the varint or it is longer than 10 bytes.  The
** one-byte case, most gaps and counts, is inline. */
static inline const uint8_t *td_varint_get(const uint8_t *p, const uint8_t *end,
                                           uint64_t *v) {
  if (p < end && *p < 0x80) {
    *v = *p;
    return p + 1;
  }
  return td_varint_get_long(p, end, v);
}

/* Smallest bit width that holds every one of the N values in IN. */
unsigned td_bits_needed(const uint32_t *in, size_t n);

/* Largest number of bytes td_bitpack_encode writes for N values. */
size_t td_bitpack_bound(size_t n);

/* Packs N (<= TD_BLOCK) values from IN at OUT as the shorter of a plain
** and a patched block; returns bytes written, at most td_bitpack_bound(N). */
size_t td_bitpack_encode(const uint32_t *in, size_t n, uint8_t *out);

/* Unpacks N values from [P, END) into OUT; returns the byte after the block,
** or NULL when the block is truncated or impossible. */
const uint8_t *td_bitpack_decode(const uint8_t *p, const uint8_t *end, size_t n,
                                 uint32_t *out);

/* The byte after the block of N values at [P, END), read from its header
** bytes without decoding it, or NULL when it is truncated or impossible. */
const uint8_t *td_bitpack_skip(const uint8_t *p, const uint8_t *end, size_t n);

/* Replaces the N gaps at V by running sums from BASE: v[i] = base + gaps up to i
** (modulo 2^32).
** Inline: a phrase sums a few positions per document, and the call showed
** as a tenth of counting a phrase (about 2% of it once inline). */
static inline void td_prefix_sum(uint32_t *v, size_t n, uint32_t base) {
  uint32_t acc = base;
  for (size_t i = 0; i < n; i++) {
    acc += v[i];
    v[i] = acc;
  }
}

#endif
