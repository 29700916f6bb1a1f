/*
** codec.c - LEB128 varints and bit-packed blocks of postings integers.
**
** Block layout (see codec.h): a width byte w in 0..32, then the n values
** packed back to back in w bits each, least significant bit first, in
** ceil(n*w/8) bytes.  Eight values of w bits fill exactly w bytes, so the
** decoder works in groups of eight: one unrolled routine per width, made by
** the TD_UNPACK macro, extracts each value with an unaligned 64-bit load at a
** byte offset and a shift that are both compile-time constants.  Those loads
** reach up to 8 bytes beyond a value's first byte, so only groups that have
** that much slack before END are decoded in place; the last few are copied
** into a zero-padded stack buffer first.  No read ever touches END or beyond.
*/
#include "codec.h"

#include <assert.h>
#include <string.h>

/*
** Varints (td_varint_put in codec.h) hold seven bits a byte, low bits first,
** with the top bit of each byte set when another byte follows.
**
** Reads one varint from [P, END) into *V and returns the byte after it.
** Returns NULL, leaving *V untouched, when END comes first, when the varint
** runs past TD_VARINT_MAX bytes, or when its tenth byte carries bits above
** bit 63 - none of which td_varint_put produces, so they mean corruption.
** Redundant trailing zero groups (0x80 0x00) are accepted as written.
*/
const uint8_t *td_varint_get_long(const uint8_t *p, const uint8_t *end, uint64_t *v) {
  uint64_t x = 0;
  for (unsigned shift = 0; shift < 7 * TD_VARINT_MAX; shift += 7) {
    if (p >= end) return NULL;
    uint8_t b = *p++;
    x |= (uint64_t)(b & 0x7f) << shift;
    if (b < 0x80) {
      if (shift == 63 && b > 1) return NULL;
      *v = x;
      return p;
    }
  }
  return NULL;
}

/*
** Returns the number of significant bits in the largest of the N values at
** IN: 0 when all are zero (or N is 0), 32 when any has its top bit set.
*/
unsigned td_bits_needed(const uint32_t *in, size_t n) {
  uint32_t all = 0;
  for (size_t i = 0; i < n; i++) all |= in[i];
  return all ? 32u - (unsigned)__builtin_clz(all) : 0;
}

/*
** The size of a block of N 32-bit values: the width byte plus 4 bytes each.
*/
size_t td_bitpack_bound(size_t n) {
  return 1 + 4 * n;
}

/* Stores the low 32 bits of X at P in little-endian order. */
static void td_store32le(uint8_t *p, uint64_t x) {
  p[0] = (uint8_t)x;
  p[1] = (uint8_t)(x >> 8);
  p[2] = (uint8_t)(x >> 16);
  p[3] = (uint8_t)(x >> 24);
}

/*
** Packs the N values at IN into OUT at the smallest width that holds them.
** Values enter a 64-bit accumulator above the bits already pending, which
** are flushed 32 at a time; the accumulator never holds more than 63 bits
** because fewer than 32 are pending when a value of at most 32 is added.
** The last partial byte is padded with zero bits.  Returns bytes written.
*/
size_t td_bitpack_encode(const uint32_t *in, size_t n, uint8_t *out) {
  assert(n <= TD_BLOCK);
  unsigned w = td_bits_needed(in, n);
  uint8_t *o = out;
  uint64_t acc = 0;
  unsigned pending = 0;

  *o++ = (uint8_t)w;
  if (w == 0) return 1;
  for (size_t i = 0; i < n; i++) {
    acc |= (uint64_t)in[i] << pending;
    pending += w;
    if (pending >= 32) {
      td_store32le(o, acc);
      o += 4;
      acc >>= 32;
      pending -= 32;
    }
  }
  for (unsigned b = 0; b < pending; b += 8) {
    *o++ = (uint8_t)acc;
    acc >>= 8;
  }
  return (size_t)(o - out);
}

/* Reads 8 bytes at P as a little-endian integer, at any alignment. */
static inline uint64_t td_load64le(const uint8_t *p) {
  uint64_t x;
  memcpy(&x, p, sizeof x);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  x = __builtin_bswap64(x);
#endif
  return x;
}

/*
** Value number I of a group of eight W-bit values starting at IN.  It lies
** within the 8 bytes at its first byte, since a 7-bit shift plus 32 bits of
** value is under 64.  Called with constant I and W, this is one load, one
** shift and one mask.
*/
static inline uint32_t td_extract(const uint8_t *in, unsigned i, unsigned w) {
  unsigned bit = i * w;
  uint64_t word = td_load64le(in + bit / 8) >> (bit % 8);
  return (uint32_t)(word & ((UINT64_C(1) << w) - 1));
}

/* Decodes GROUPS groups of eight W-bit values; each reads [in, in+W+8). */
typedef void td_unpack_fn(const uint8_t *in, uint32_t *out, size_t groups);

#define TD_UNPACK(W)                                                       \
  static void td_unpack##W(const uint8_t *in, uint32_t *out, size_t groups) { \
    for (; groups > 0; groups--, in += W, out += 8) {                      \
      out[0] = td_extract(in, 0, W);                                       \
      out[1] = td_extract(in, 1, W);                                       \
      out[2] = td_extract(in, 2, W);                                       \
      out[3] = td_extract(in, 3, W);                                       \
      out[4] = td_extract(in, 4, W);                                       \
      out[5] = td_extract(in, 5, W);                                       \
      out[6] = td_extract(in, 6, W);                                       \
      out[7] = td_extract(in, 7, W);                                       \
    }                                                                      \
  }
#define TD_UNPACK_REF(W) td_unpack##W,
#define TD_WIDTHS(X)                                                         \
  X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)       \
  X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25)    \
  X(26) X(27) X(28) X(29) X(30) X(31) X(32)

TD_WIDTHS(TD_UNPACK)

/* td_unpackers[w-1] decodes width w. */
static td_unpack_fn *const td_unpackers[32] = { TD_WIDTHS(TD_UNPACK_REF) };

/*
** Decodes a block of N values from [P, END) into OUT (room for N values).
** Checks the width byte and the payload length against END before touching
** the payload.  Whole groups with at least 8 bytes of input after them are
** unpacked straight from P; the rest - the partial last group, and groups
** too close to END for 64-bit loads - are copied into a zero-padded buffer
** and unpacked from there, so nothing at or after END is read.  Returns the
** byte after the block, or NULL for a truncated block, a width above 32,
** or N above TD_BLOCK.
*/
const uint8_t *td_bitpack_decode(const uint8_t *p, const uint8_t *end, size_t n,
                                 uint32_t *out) {
  if (p >= end || n > TD_BLOCK) return NULL;
  unsigned w = *p++;
  if (w > 32) return NULL;
  size_t len = (n * w + 7) / 8;
  size_t avail = (size_t)(end - p);
  if (avail < len) return NULL;
  if (w == 0) {
    memset(out, 0, n * sizeof *out);
    return p;
  }

  td_unpack_fn *unpack = td_unpackers[w - 1];
  size_t direct = avail >= 8 ? (avail - 8) / w : 0;
  if (direct > n / 8) direct = n / 8;
  unpack(p, out, direct);

  size_t rest = n - 8 * direct;
  if (rest > 0) {
    uint8_t pad[TD_BLOCK / 8 * 32 + 8];
    uint32_t vals[TD_BLOCK];
    size_t groups = (rest + 7) / 8;
    size_t have = len - direct * w;
    memcpy(pad, p + direct * w, have);
    memset(pad + have, 0, groups * w + 8 - have);
    unpack(pad, vals, groups);
    memcpy(out + 8 * direct, vals, rest * sizeof *out);
  }
  return p + len;
}
