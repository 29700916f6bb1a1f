/*
** buf.c - growable byte buffer.
*/
#include "buf.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "codec.h"

td_status td_buf_reserve(td_buf *b, size_t n) {
  if (b->cap - b->len >= n) return TD_OK;
  size_t cap = b->cap ? b->cap : 64;
  while (cap - b->len < n) {
    if (cap > SIZE_MAX / 2) return TD_ENOMEM;
    cap *= 2;
  }
  uint8_t *p = realloc(b->data, cap);
  if (!p) return TD_ENOMEM;
  b->data = p;
  b->cap = cap;
  return TD_OK;
}

td_status td_buf_append(td_buf *b, const void *p, size_t n) {
  if (n == 0) return TD_OK;
  if (td_buf_reserve(b, n)) return TD_ENOMEM;
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return TD_OK;
}

td_status td_buf_put_varint(td_buf *b, uint64_t v) {
  if (td_buf_reserve(b, TD_VARINT_MAX)) return TD_ENOMEM;
  b->len += td_varint_put(b->data + b->len, v);
  return TD_OK;
}

td_status td_buf_put_u32(td_buf *b, uint32_t v) {
  uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  return td_buf_append(b, le, 4);
}

void td_buf_free(td_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

td_status td_file_append(FILE *dst, FILE *src, uint64_t n, uint32_t *crc) {
  if (fflush(src) || fseeko(src, 0, SEEK_SET)) return TD_EIO;
  uint8_t chunk[65536];
  for (uint64_t left = n; left;) {
    size_t k = left < sizeof chunk ? (size_t)left : sizeof chunk;
    if (fread(chunk, 1, k, src) != k || fwrite(chunk, 1, k, dst) != k) return TD_EIO;
    if (crc) *crc = (uint32_t)crc32(*crc, chunk, (uInt)k);
    left -= k;
  }
  return TD_OK;
}

td_status td_grow(void *arrp, size_t *cap, size_t need, size_t elem, size_t first) {
  if (need <= *cap) return TD_OK;
  void *old, *p;
  size_t n = *cap ? *cap : first;
  while (n < need) {
    if (n > SIZE_MAX / 2) return TD_ENOMEM;
    n *= 2;
  }
  if (n > SIZE_MAX / elem) return TD_ENOMEM;
  memcpy(&old, arrp, sizeof old);  /* ARRP points at a pointer of any type */
  if (!(p = realloc(old, n * elem))) return TD_ENOMEM;
  memcpy(arrp, &p, sizeof p);
  *cap = n;
  return TD_OK;
}
