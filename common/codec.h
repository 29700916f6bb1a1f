/*
** codec.h - integer codecs for postings: LEB128 varints and bit-packed blocks.
**
** A bit-packed block holds n <= TD_BLOCK values that all fit in w bits.  It
** is stored as one byte w (0..32) followed by ceil(n*w/8) bytes of packed
** values, least significant bits first.  Block decode is the innermost loop
** of every query, so decoders are unrolled per width and never read past END.
** Decoders return NULL on input that is truncated or impossible (w > 32,
** an overlong varint), which callers report as index corruption.
*/
#ifndef TD_CODEC_H
#define TD_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define TD_BLOCK 128          /* values per postings block */
#define TD_VARINT_MAX 10      /* bytes of the longest 64-bit varint */

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

/* Packs N (<= TD_BLOCK) values from IN at OUT with the smallest width that
** holds them all; returns bytes written (1 + ceil(n*w/8)). */
size_t td_bitpack_encode(const uint32_t *in, size_t n, uint8_t *out);

/* Unpacks N values from [P, END) into OUT; returns the byte after the block,
** or NULL when the block is truncated or its width byte is above 32. */
const uint8_t *td_bitpack_decode(const uint8_t *p, const uint8_t *end, size_t n,
                                 uint32_t *out);

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
