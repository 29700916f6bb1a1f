/*
** test_codec.c - varints, bit-packed blocks and gap coding (common/codec.c).
**
** Inputs the decoders read are copied into heap buffers of exactly their
** length, so that under AddressSanitizer a read at or past END is reported
** rather than silently landing in neighbouring bytes.
*/
#include "testutil.h"

#include <string.h>

#include "codec.h"

/* A heap copy of the LEN bytes at SRC, in a buffer of exactly LEN bytes. */
static uint8_t *exact_copy(const void *src, size_t len) {
  uint8_t *buf = malloc(len);
  assert_non_null(buf);
  if (len > 0) memcpy(buf, src, len);
  return buf;
}

/* Number of significant bits in V, counted one bit at a time. */
static unsigned bit_length(uint64_t v) {
  unsigned n = 0;
  while (v) {
    n++;
    v >>= 1;
  }
  return n;
}

/* Value J of a block payload, assembled bit by bit from the documented
** layout (LSB-first, W bits per value) rather than by the decoder. */
static uint32_t ref_value(const uint8_t *payload, unsigned w, size_t j) {
  uint32_t v = 0;
  for (unsigned b = 0; b < w; b++) {
    size_t bit = j * w + b;
    v |= (uint32_t)((payload[bit / 8] >> (bit % 8)) & 1) << b;
  }
  return v;
}

/* Fills OUT with N random values that need exactly W bits between them. */
static void random_values(uint64_t *rng, uint32_t *out, size_t n, unsigned w) {
  uint32_t mask = w == 32 ? UINT32_MAX : (UINT32_C(1) << w) - 1;
  for (size_t i = 0; i < n; i++) out[i] = (uint32_t)td_test_rand(rng) & mask;
  if (n > 0 && w > 0) out[td_test_rand(rng) % n] |= UINT32_C(1) << (w - 1);
}

/* Asserts that varint V encodes to EXPECT (LEN bytes) and decodes back. */
static void check_varint_bytes(uint64_t v, const uint8_t *expect, size_t len) {
  uint8_t enc[TD_VARINT_MAX];
  assert_int_equal(td_varint_put(enc, v), len);
  assert_memory_equal(enc, expect, len);
  uint8_t *buf = exact_copy(enc, len);
  uint64_t got = 0;
  assert_ptr_equal(td_varint_get(buf, buf + len, &got), buf + len);
  assert_true(got == v);
  free(buf);
}

static void test_varint_known_bytes(void **state) {
  (void)state;
  check_varint_bytes(0, (const uint8_t[]){0x00}, 1);
  check_varint_bytes(1, (const uint8_t[]){0x01}, 1);
  check_varint_bytes(127, (const uint8_t[]){0x7f}, 1);
  check_varint_bytes(128, (const uint8_t[]){0x80, 0x01}, 2);
  check_varint_bytes(300, (const uint8_t[]){0xac, 0x02}, 2);
  check_varint_bytes(16383, (const uint8_t[]){0xff, 0x7f}, 2);
  check_varint_bytes(16384, (const uint8_t[]){0x80, 0x80, 0x01}, 3);
  check_varint_bytes(UINT32_MAX, (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0x0f}, 5);
  check_varint_bytes(UINT64_C(1) << 63,
                     (const uint8_t[]){0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                       0x80, 0x80, 0x01}, 10);
  check_varint_bytes(UINT64_MAX,
                     (const uint8_t[]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0x01}, 10);
}

/* Each edge value round-trips, takes ceil(bits/7) bytes (at least one), and
** every proper prefix of its encoding is rejected. */
static void test_varint_edges_and_truncation(void **state) {
  (void)state;
  static const uint64_t edges[] = {
      0, 1, 127, 128, 255, 256, 16383, 16384, (1u << 21) - 1, 1u << 21,
      (1u << 28) - 1, 1u << 28, UINT32_MAX - 1, UINT32_MAX,
      UINT64_C(1) << 32, (UINT64_C(1) << 35) - 1, UINT64_C(1) << 35,
      UINT64_C(1) << 56, (UINT64_C(1) << 63) - 1, UINT64_C(1) << 63,
      UINT64_MAX - 1, UINT64_MAX};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    uint8_t enc[TD_VARINT_MAX];
    size_t len = td_varint_put(enc, edges[i]);
    unsigned bits = bit_length(edges[i]);
    assert_int_equal(len, bits ? (bits + 6) / 7 : 1);

    uint8_t *buf = exact_copy(enc, len);
    uint64_t got = 0;
    assert_ptr_equal(td_varint_get(buf, buf + len, &got), buf + len);
    assert_true(got == edges[i]);
    free(buf);

    for (size_t t = 0; t < len; t++) {
      uint8_t *cut = exact_copy(enc, t);
      got = 42;
      assert_null(td_varint_get(cut, cut + t, &got));
      assert_true(got == 42);
      free(cut);
    }
  }
}

/* A long stream of varints of every length decodes in order and ends
** exactly at END. */
static void test_varint_random_stream(void **state) {
  (void)state;
  enum { N = 20000 };
  uint64_t rng = 0x9e3779b97f4a7c15u;
  uint64_t *vals = malloc(N * sizeof *vals);
  uint8_t *enc = malloc(N * TD_VARINT_MAX);
  assert_non_null(vals);
  assert_non_null(enc);
  size_t len = 0;
  for (size_t i = 0; i < N; i++) {
    unsigned bits = (unsigned)(td_test_rand(&rng) % 65);
    uint64_t r = td_test_rand(&rng);
    vals[i] = bits == 64 ? r : r & ((UINT64_C(1) << bits) - 1);
    len += td_varint_put(enc + len, vals[i]);
  }
  uint8_t *buf = exact_copy(enc, len);
  const uint8_t *p = buf, *end = buf + len;
  for (size_t i = 0; i < N; i++) {
    uint64_t got;
    p = td_varint_get(p, end, &got);
    assert_non_null(p);
    assert_true(got == vals[i]);
  }
  assert_ptr_equal(p, end);
  assert_null(td_varint_get(p, end, &(uint64_t){0}));
  free(buf);
  free(enc);
  free(vals);
}

/* Encodings no writer produces: more than ten bytes, or a tenth byte with
** bits above bit 63.  Redundant zero groups are documented as accepted. */
static void test_varint_overlong(void **state) {
  (void)state;
  uint8_t bytes[11];
  uint64_t got = 7;

  memset(bytes, 0x80, 10);
  bytes[10] = 0x00;
  uint8_t *buf = exact_copy(bytes, 11);
  assert_null(td_varint_get(buf, buf + 11, &got));
  assert_null(td_varint_get(buf, buf + 10, &got));
  free(buf);

  memset(bytes, 0xff, 10);
  bytes[10] = 0x01;
  buf = exact_copy(bytes, 11);
  assert_null(td_varint_get(buf, buf + 11, &got));
  free(buf);

  for (unsigned last = 0x02; last < 0x80; last++) {
    memset(bytes, 0xff, 9);
    bytes[9] = (uint8_t)last;
    buf = exact_copy(bytes, 10);
    assert_null(td_varint_get(buf, buf + 10, &got));
    free(buf);
  }
  assert_true(got == 7);

  buf = exact_copy((const uint8_t[]){0x80, 0x00}, 2);
  assert_ptr_equal(td_varint_get(buf, buf + 2, &got), buf + 2);
  assert_true(got == 0);
  free(buf);
}

static void test_bits_needed(void **state) {
  (void)state;
  uint32_t v[TD_BLOCK] = {0};
  assert_int_equal(td_bits_needed(v, 0), 0);
  assert_int_equal(td_bits_needed(v, TD_BLOCK), 0);
  for (unsigned k = 0; k < 32; k++) {
    v[5] = UINT32_C(1) << k;
    assert_int_equal(td_bits_needed(v, TD_BLOCK), k + 1);
    v[5] = (UINT32_C(1) << k) - 1;
    assert_int_equal(td_bits_needed(v, TD_BLOCK), k);
  }
  v[5] = 0;
  v[TD_BLOCK - 1] = UINT32_MAX;
  assert_int_equal(td_bits_needed(v, TD_BLOCK), 32);
  assert_int_equal(td_bits_needed(v, TD_BLOCK - 1), 0);

  uint64_t rng = 17;
  for (int round = 0; round < 1000; round++) {
    size_t n = 1 + td_test_rand(&rng) % TD_BLOCK;
    unsigned shift = (unsigned)(td_test_rand(&rng) % 32);
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++) {
      v[i] = (uint32_t)td_test_rand(&rng) >> shift;
      if (v[i] > max) max = v[i];
    }
    assert_int_equal(td_bits_needed(v, n), bit_length(max));
  }
}

/* A block worked out by hand: 1,2,3,4 in 3 bits is 001 010 011 100 read
** from the low end, i.e. bytes 0xd1 0x08 after the width byte. */
static void test_bitpack_known_bytes(void **state) {
  (void)state;
  uint8_t enc[32];
  assert_int_equal(td_bitpack_encode((const uint32_t[]){1, 2, 3, 4}, 4, enc), 3);
  assert_memory_equal(enc, ((const uint8_t[]){0x03, 0xd1, 0x08}), 3);

  assert_int_equal(td_bitpack_encode((const uint32_t[]){1, 1}, 2, enc), 2);
  assert_memory_equal(enc, ((const uint8_t[]){0x01, 0x03}), 2);

  assert_int_equal(td_bitpack_encode((const uint32_t[]){0, 0, 0}, 3, enc), 1);
  assert_int_equal(enc[0], 0);
}

/* Patched blocks worked out by hand.  Sixteen 1s and a 300 (9 bits): a
** plain block takes 21 bytes; packed at 1 bit, the 300 keeps its high
** bits 150 apart, at index 16.  UINT32_MAX and seven 1s: packed at 1 bit,
** with the high 31 bits of the first in four bytes, 8 bytes against 33.
** Two values would stay plain: runs of under 8 are not tried. */
static void test_bitpack_patched_known_bytes(void **state) {
  (void)state;
  uint32_t in[17], out[17];
  for (int i = 0; i < 16; i++) in[i] = 1;
  in[16] = 300;
  uint8_t enc[1 + 4 * 17];
  assert_int_equal(td_bitpack_encode(in, 17, enc), 7);
  assert_memory_equal(enc, ((const uint8_t[]){0x81, 1, 0xff, 0xff, 0x00, 16, 150}), 7);
  uint8_t *buf = exact_copy(enc, 7);
  assert_ptr_equal(td_bitpack_decode(buf, buf + 7, 17, out), buf + 7);
  assert_memory_equal(out, in, sizeof in);
  assert_ptr_equal(td_bitpack_skip(buf, buf + 7, 17), buf + 7);
  free(buf);

  const uint32_t wide[8] = {UINT32_MAX, 1, 1, 1, 1, 1, 1, 1};
  assert_int_equal(td_bitpack_encode(wide, 8, enc), 8);
  assert_memory_equal(enc, ((const uint8_t[]){0xe1, 1, 0xff, 0, 0xff, 0xff, 0xff, 0x7f}), 8);
  assert_int_equal(td_bitpack_encode(wide, 2, enc), 9);
  assert_int_equal(enc[0], 32);
}

/* The block ENC of LEN bytes must give back the N values IN, decoded from
** an exact-size buffer and from one with trailing bytes; skipping it must
** end where decoding does; and every truncation must fail both.  OUT holds
** exactly N values, so that AddressSanitizer sees a write past them. */
static void check_decodes(const uint8_t *enc, size_t len, const uint32_t *in, size_t n) {
  uint32_t *out = malloc(n * sizeof *out + (n == 0));
  assert_non_null(out);
  uint8_t *buf = exact_copy(enc, len);
  assert_ptr_equal(td_bitpack_decode(buf, buf + len, n, out), buf + len);
  assert_memory_equal(out, in, n * sizeof *out);
  assert_ptr_equal(td_bitpack_skip(buf, buf + len, n), buf + len);
  free(buf);

  uint8_t slack[1 + 4 * TD_BLOCK + 64];
  memcpy(slack, enc, len);
  memset(slack + len, 0xa5, 64);
  memset(out, 0, n * sizeof *out);
  assert_ptr_equal(td_bitpack_decode(slack, slack + len + 64, n, out), slack + len);
  assert_memory_equal(out, in, n * sizeof *out);

  for (size_t t = 0; t < len; t++) {
    uint8_t *cut = exact_copy(enc, t);
    assert_null(td_bitpack_decode(cut, cut + t, n, out));
    assert_null(td_bitpack_skip(cut, cut + t, n));
    free(cut);
  }
  free(out);
}

/* Checks one block of N random W-bit values: its size and width byte, its
** layout against ref_value, decoding from an exact-size buffer and from one
** with trailing bytes, and rejection of every truncation. */
static void check_block(uint64_t *rng, size_t n, unsigned w) {
  uint32_t in[TD_BLOCK];
  random_values(rng, in, n, w);

  size_t bound = td_bitpack_bound(n);
  uint8_t *enc = malloc(bound);
  assert_non_null(enc);
  size_t len = td_bitpack_encode(in, n, enc);
  assert_int_equal(len, 1 + (n * w + 7) / 8);
  assert_true(len <= bound);
  assert_int_equal(enc[0], w);
  for (size_t j = 0; j < n; j++) assert_int_equal(ref_value(enc + 1, w, j), in[j]);
  if ((n * w) % 8) assert_int_equal(enc[len - 1] >> ((n * w) % 8), 0);

  check_decodes(enc, len, in, n);
  free(enc);
}

/* N values of BASE bits or fewer with OUTLIERS of them, at random places,
** W bits wide: the shape of position gaps, where each document's first
** position is its offset into the text.  The block must be no longer than
** a plain one, patched once that saves bytes, decode and skip to the same
** end from exact and slack buffers, and every truncation must fail both. */
static int check_patched(uint64_t *rng, size_t n, unsigned base, unsigned w, size_t outliers) {
  uint32_t in[TD_BLOCK];
  random_values(rng, in, n, base);
  for (size_t k = 0; k < outliers; k++) {
    uint32_t v = (uint32_t)td_test_rand(rng) | UINT32_C(1) << 31;
    in[td_test_rand(rng) % n] = v >> (32 - w);
  }
  unsigned need = td_bits_needed(in, n);
  uint8_t enc[1 + 4 * TD_BLOCK];
  size_t len = td_bitpack_encode(in, n, enc), plain = 1 + (n * need + 7) / 8;
  assert_true(len <= plain);
  assert_true((enc[0] & TD_PATCHED) == (len < plain ? TD_PATCHED : 0));
  check_decodes(enc, len, in, n);
  return len < plain;
}

static void test_bitpack_patched_round_trip(void **state) {
  (void)state;
  uint64_t rng = 0xfeed;
  size_t blocks = 0, patched = 0;
  for (size_t n = 1; n <= TD_BLOCK; n += n < 20 ? 1 : 9)
    for (unsigned base = 0; base <= 12; base += 3)
      for (unsigned w = base + 1; w <= 32; w += 3)
        for (size_t outliers = 1; outliers <= 5; outliers += 2) {
          patched += (size_t)check_patched(&rng, n, base, w, outliers);
          blocks++;
        }
  /* Most of these blocks are worth patching; the rest check the choice. */
  assert_true(patched > blocks / 2 && patched < blocks);
}

static void test_bitpack_every_width_and_length(void **state) {
  (void)state;
  uint64_t rng = 0x1234567;
  for (unsigned w = 0; w <= 32; w++) {
    for (size_t n = w ? 1 : 0; n <= TD_BLOCK; n++) check_block(&rng, n, w);
  }
}

/* Blocks whose values are all at the top of their width, every other one
** with its lowest bit clear, the case where a masking or shifting mistake
** would spill into the next value.  All as wide, they stay plain. */
static void test_bitpack_all_ones(void **state) {
  (void)state;
  for (unsigned w = 1; w <= 32; w++) {
    uint32_t in[TD_BLOCK], out[TD_BLOCK];
    uint32_t top = w == 32 ? UINT32_MAX : (UINT32_C(1) << w) - 1;
    for (size_t i = 0; i < TD_BLOCK; i++) in[i] = i % 2 ? top : top ^ 1;
    uint8_t enc[1 + 4 * TD_BLOCK];
    size_t len = td_bitpack_encode(in, TD_BLOCK, enc);
    assert_int_equal(len, 1 + 16 * w);
    uint8_t *buf = exact_copy(enc, len);
    assert_ptr_equal(td_bitpack_decode(buf, buf + len, TD_BLOCK, out), buf + len);
    assert_memory_equal(out, in, sizeof in);
    free(buf);
  }
}

/* A width byte from 33 to 127 is corruption whatever follows and whatever
** N is; so is a patched one (128 and up) with no exceptions, as the zeros
** after it say, and a request for more than TD_BLOCK values. */
static void test_bitpack_rejects_bad_width_and_count(void **state) {
  (void)state;
  uint8_t block[1 + 4 * TD_BLOCK + 64] = {0};
  uint32_t out[TD_BLOCK + 1];
  for (unsigned w = 33; w <= 255; w++) {
    block[0] = (uint8_t)w;
    assert_null(td_bitpack_decode(block, block + sizeof block, 0, out));
    assert_null(td_bitpack_decode(block, block + sizeof block, 1, out));
    assert_null(td_bitpack_decode(block, block + sizeof block, TD_BLOCK, out));
  }
  block[0] = 1;
  assert_null(td_bitpack_decode(block, block + sizeof block, TD_BLOCK + 1, out));
}

/* A patched block whose exceptions are more than its values, or name a
** value past N, is corruption: the decoder must not write outside OUT. */
static void test_bitpack_rejects_bad_exceptions(void **state) {
  (void)state;
  uint32_t out[TD_BLOCK + 8];
  /* Four values at 1 bit (one byte), then E exceptions of one byte each. */
  uint8_t good[] = {0x81, 1, 0x0f, 3, 7};
  uint8_t *buf = exact_copy(good, sizeof good);
  assert_ptr_equal(td_bitpack_decode(buf, buf + sizeof good, 4, out), buf + sizeof good);
  assert_memory_equal(out, ((const uint32_t[]){1, 1, 1, 15}), 4 * sizeof *out);
  free(buf);
  uint8_t past[] = {0x81, 1, 0x0f, 4, 7};
  buf = exact_copy(past, sizeof past);
  assert_null(td_bitpack_decode(buf, buf + sizeof past, 4, out));
  free(buf);
  uint8_t many[] = {0x81, 5, 0x0f, 0, 1, 1, 1, 2, 1, 3, 1, 0, 1};
  buf = exact_copy(many, sizeof many);
  assert_null(td_bitpack_decode(buf, buf + sizeof many, 4, out));
  free(buf);
}

/* With N = 0 the width byte is all there is, whatever its value. */
static void test_bitpack_empty_block(void **state) {
  (void)state;
  uint32_t out[1] = {99};
  for (unsigned w = 0; w <= 32; w++) {
    uint8_t *buf = exact_copy(&(uint8_t){(uint8_t)w}, 1);
    assert_ptr_equal(td_bitpack_decode(buf, buf + 1, 0, out), buf + 1);
    assert_null(td_bitpack_decode(buf, buf, 0, out));
    free(buf);
  }
  assert_int_equal(out[0], 99);
}

/* A postings-like stream - a varint count, then a block of that many
** values - decoded back to back from one exact-size buffer, so that most
** blocks have slack after them and the last has none. */
static void test_bitpack_stream(void **state) {
  (void)state;
  enum { BLOCKS = 500 };
  uint64_t rng = 99;
  uint32_t (*vals)[TD_BLOCK] = malloc(BLOCKS * sizeof *vals);
  size_t *counts = malloc(BLOCKS * sizeof *counts);
  uint8_t *enc = malloc(BLOCKS * (TD_VARINT_MAX + td_bitpack_bound(TD_BLOCK)));
  assert_non_null(vals);
  assert_non_null(counts);
  assert_non_null(enc);
  size_t len = 0;
  for (size_t b = 0; b < BLOCKS; b++) {
    counts[b] = td_test_rand(&rng) % 3 ? TD_BLOCK : td_test_rand(&rng) % (TD_BLOCK + 1);
    random_values(&rng, vals[b], counts[b], (unsigned)(td_test_rand(&rng) % 33));
    len += td_varint_put(enc + len, counts[b]);
    len += td_bitpack_encode(vals[b], counts[b], enc + len);
  }
  uint8_t *buf = exact_copy(enc, len);
  const uint8_t *p = buf, *end = buf + len;
  for (size_t b = 0; b < BLOCKS; b++) {
    uint64_t n;
    uint32_t out[TD_BLOCK];
    p = td_varint_get(p, end, &n);
    assert_non_null(p);
    assert_true(n == counts[b]);
    p = td_bitpack_decode(p, end, (size_t)n, out);
    assert_non_null(p);
    assert_memory_equal(out, vals[b], n * sizeof *out);
  }
  assert_ptr_equal(p, end);
  free(buf);
  free(enc);
  free(counts);
  free(vals);
}

static void test_prefix_sum_known(void **state) {
  (void)state;
  uint32_t v[] = {0, 0, 1, 999994};
  td_prefix_sum(v, 4, 5);
  assert_memory_equal(v, ((const uint32_t[]){5, 5, 6, 1000000}), sizeof v);

  uint32_t one = 77;
  td_prefix_sum(&one, 0, 3);
  assert_int_equal(one, 77);
}

/* Gaps as wide as the document id space survive packing and prefix sums,
** whose arithmetic wraps modulo 2^32. */
static void test_prefix_sum_huge_gaps(void **state) {
  (void)state;
  uint32_t docs[] = {1, 2, UINT32_MAX - 1, UINT32_MAX};
  uint32_t gaps[] = {1, 1, UINT32_MAX - 3, 1}, out[4];
  uint8_t enc[1 + 4 * 4];
  size_t len = td_bitpack_encode(gaps, 4, enc);
  assert_true(len <= 1 + 16);
  uint8_t *buf = exact_copy(enc, len);
  assert_ptr_equal(td_bitpack_decode(buf, buf + len, 4, out), buf + len);
  td_prefix_sum(out, 4, 0);
  assert_memory_equal(out, docs, sizeof docs);
  free(buf);

  uint32_t wrap[] = {UINT32_MAX, 2};
  td_prefix_sum(wrap, 2, 0);
  assert_memory_equal(wrap, ((const uint32_t[]){UINT32_MAX, 1}), sizeof wrap);
}

/* Ascending ids built from random gaps: packing, unpacking and prefix sums
** from the same base must give back the ids. */
static void test_prefix_sum_random_pipeline(void **state) {
  (void)state;
  uint64_t rng = 4242;
  for (int round = 0; round < 2000; round++) {
    size_t n = 1 + td_test_rand(&rng) % TD_BLOCK;
    unsigned gap_bits = (unsigned)(td_test_rand(&rng) % 25);
    uint32_t base = (uint32_t)(td_test_rand(&rng) % 1000000);
    uint32_t gaps[TD_BLOCK], docs[TD_BLOCK], out[TD_BLOCK];
    uint32_t doc = base;
    for (size_t i = 0; i < n; i++) {
      gaps[i] = (uint32_t)(td_test_rand(&rng) & ((UINT64_C(1) << gap_bits) - 1));
      if (i > 0 && gaps[i] == 0) gaps[i] = 1;
      doc += gaps[i];
      docs[i] = doc;
    }
    uint8_t enc[1 + 4 * TD_BLOCK];
    size_t len = td_bitpack_encode(gaps, n, enc);
    uint8_t *buf = exact_copy(enc, len);
    assert_ptr_equal(td_bitpack_decode(buf, buf + len, n, out), buf + len);
    td_prefix_sum(out, n, base);
    assert_memory_equal(out, docs, n * sizeof *docs);
    free(buf);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_varint_known_bytes),
      cmocka_unit_test(test_varint_edges_and_truncation),
      cmocka_unit_test(test_varint_random_stream),
      cmocka_unit_test(test_varint_overlong),
      cmocka_unit_test(test_bits_needed),
      cmocka_unit_test(test_bitpack_known_bytes),
      cmocka_unit_test(test_bitpack_patched_known_bytes),
      cmocka_unit_test(test_bitpack_patched_round_trip),
      cmocka_unit_test(test_bitpack_every_width_and_length),
      cmocka_unit_test(test_bitpack_all_ones),
      cmocka_unit_test(test_bitpack_rejects_bad_width_and_count),
      cmocka_unit_test(test_bitpack_rejects_bad_exceptions),
      cmocka_unit_test(test_bitpack_empty_block),
      cmocka_unit_test(test_bitpack_stream),
      cmocka_unit_test(test_prefix_sum_known),
      cmocka_unit_test(test_prefix_sum_huge_gaps),
      cmocka_unit_test(test_prefix_sum_random_pipeline),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
