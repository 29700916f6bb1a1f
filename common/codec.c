/*
** codec.c - LEB128 varints and bit-packed blocks of postings integers.
**
** Block layouts: codec.h.  Eight values of w bits fill exactly w bytes, so
** the decoder works in groups of eight: one unrolled routine per width,
** made by the TD_UNPACK macro, extracts each value with an unaligned 64-bit
** load at a byte offset and a shift that are both compile-time constants.
** Those loads reach up to 8 bytes beyond a value's first byte, so only
** groups that have that much slack before END are decoded in place; the
** last few are copied into a zero-padded stack buffer first.  No read ever
** touches END or beyond.
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
** Packs the low W bits of each of the N values at IN at OUT, back to back.
** Values enter a 64-bit accumulator above the bits already pending, which
** are flushed 32 at a time; the accumulator never holds more than 63 bits
** because fewer than 32 are pending when a value of at most 32 bits is
** added.  The last partial byte is padded with zero bits.  Returns bytes
** written, ceil(n*w/8).
*/
static size_t pack_bits(const uint32_t *in, size_t n, unsigned w, uint8_t *out) {
  uint64_t mask = (UINT64_C(1) << w) - 1, acc = 0;
  unsigned pending = 0;
  uint8_t *o = out;
  if (w == 0) return 0;
  for (size_t i = 0; i < n; i++) {
    acc |= (in[i] & mask) << pending;
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

/* Significant bits of V, without a branch: zeros and non-zeros mix at
** random in frequencies, and a test of each was mispredicted. */
static inline unsigned bits_of(uint32_t v) {
  return 63u - (unsigned)__builtin_clzll((uint64_t)v << 1 | 1);
}

/*
** Packs the N values at IN at OUT, plain or patched, whichever is shorter
** (plain on a tie: it decodes faster).  A patched block packs every value
** at a width B below the widest and keeps the high bits of the few that
** need more apart.  Position gaps need it most: a term's first position in
** each document is its offset into the text, far above the gaps between
** its repeats, and in a plain block one such value sets the width of all
** 128.  Trying every B costs one histogram of the values' widths.
*/
size_t td_bitpack_encode(const uint32_t *in, size_t n, uint8_t *out) {
  assert(n <= TD_BLOCK);
  unsigned w = td_bits_needed(in, n), best_b = w;
  size_t best = 1 + (n * w + 7) / 8;
  /* A patched block takes at least 4 bytes, and patching runs of under 8
  ** values saved 96 bytes of Reuters-21578's 13 MB: most runs are that
  ** short, so they are not tried.  The widths are counted in four
  ** histograms, so that runs of equal widths do not wait on one counter's
  ** increment after another. */
  if (best > 4 && n >= 8) {
    uint8_t count[4][33];
    memset(count, 0, sizeof count);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      count[0][bits_of(in[i])]++;
      count[1][bits_of(in[i + 1])]++;
      count[2][bits_of(in[i + 2])]++;
      count[3][bits_of(in[i + 3])]++;
    }
    for (; i < n; i++) count[0][bits_of(in[i])]++;
    size_t e = 0;
    for (unsigned b = w; b-- > 0;) {
      e += (size_t)count[0][b + 1] + count[1][b + 1] + count[2][b + 1] + count[3][b + 1];
      size_t cost = 2 + (n * b + 7) / 8 + e * (1 + (w - b + 7) / 8);
      if (cost < best) {
        best = cost;
        best_b = b;
      }
    }
  }
  if (best_b == w) {
    out[0] = (uint8_t)w;
    return 1 + pack_bits(in, n, w, out + 1);
  }
  /* Each exception is its index and its high bits in K bytes.  Every
  ** value is written to the next slot of EXC, which only an exception
  ** keeps, so that gathering them takes no branch. */
  unsigned b = best_b, k = (w - b + 7) / 8;
  uint8_t exc[TD_BLOCK * 5 + 5], *x = exc;
  if (k == 1) {
    for (size_t i = 0; i < n; i++) {
      uint32_t high = in[i] >> b;
      x[0] = (uint8_t)i;
      x[1] = (uint8_t)high;
      x += (high != 0) * 2;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      uint32_t high = in[i] >> b;
      x[0] = (uint8_t)i;
      for (unsigned j = 0; j < k; j++) x[1 + j] = (uint8_t)(high >> 8 * j);
      x += (high != 0) * (1 + k);
    }
  }
  size_t e = (size_t)(x - exc) / (1 + k);
  uint8_t *o = out;
  *o++ = (uint8_t)(TD_PATCHED | (k - 1) << 5 | b);
  *o++ = (uint8_t)e;
  o += pack_bits(in, n, b, o);
  memcpy(o, exc, e * (1 + k));
  return (size_t)(o - out) + e * (1 + k);
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
** Unpacks N values of W bits (0..32) from [P, END) into OUT.  Whole groups
** with at least 8 bytes of input after them are unpacked straight from P;
** the rest - the partial last group, and groups too close to END for 64-bit
** loads - are copied into a zero-padded buffer and unpacked from there, so
** nothing at or after END is read.  Returns the byte after the values, or
** NULL when they run past END.  Inline in both callers: as a call of its
** own, once per block of the plain path, it cost phrase counts 2%.
*/
static inline __attribute__((always_inline)) const uint8_t *
unpack_bits(const uint8_t *p, const uint8_t *end, size_t n, unsigned w, uint32_t *out) {
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

/*
** Decodes a block of N values from [P, END) into OUT (room for N values).
** Every length is checked against END before the bytes it counts are
** read, and every exception's index against N.  Returns the byte after
** the block, or NULL for a truncated or impossible block, or N above
** TD_BLOCK.
*/
const uint8_t *td_bitpack_decode(const uint8_t *p, const uint8_t *end, size_t n,
                                 uint32_t *out) {
  if (p >= end || n > TD_BLOCK) return NULL;
  unsigned h = *p++;
  if (h <= 32) return unpack_bits(p, end, n, h, out);
  unsigned b = h & 31, k = (h >> 5 & 3) + 1;
  if (!(h & TD_PATCHED) || p >= end) return NULL;
  size_t e = *p++;
  if (e == 0 || e > n || !(p = unpack_bits(p, end, n, b, out)) ||
      (size_t)(end - p) < e * (1 + k))
    return NULL;
  /* Nearly always one byte of high bits: that loop is kept apart. */
  if (k == 1) {
    for (size_t j = 0; j < e; j++, p += 2) {
      if (p[0] >= n) return NULL;
      out[p[0]] |= (uint32_t)p[1] << b;
    }
    return p;
  }
  for (size_t j = 0; j < e; j++, p += 1 + k) {
    uint32_t high = p[1];
    for (unsigned i = 1; i < k; i++) high |= (uint32_t)p[1 + i] << 8 * i;
    if (p[0] >= n) return NULL;
    out[p[0]] |= high << b;
  }
  return p;
}

/* The same checks of lengths as td_bitpack_decode; the exceptions' indexes
** are left for the decode. */
const uint8_t *td_bitpack_skip(const uint8_t *p, const uint8_t *end, size_t n) {
  if (p >= end || n > TD_BLOCK) return NULL;
  unsigned h = *p++;
  size_t len;
  if (h <= 32) {
    len = (n * h + 7) / 8;
  } else {
    if (!(h & TD_PATCHED) || p >= end) return NULL;
    size_t e = *p++;
    len = (n * (h & 31) + 7) / 8 + e * ((h >> 5 & 3) + 2);
  }
  return len <= (size_t)(end - p) ? p + len : NULL;
}
