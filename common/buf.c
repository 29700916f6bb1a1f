/*
** buf.c - growable byte buffer.
*/
#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "codec.h"

td_status td_buf_grow(td_buf *b, size_t n) {
  if (b->cap - b->len >= n) return TD_OK;
  if (n > SIZE_MAX - b->len) return TD_ENOMEM;
  return td_grow(&b->data, &b->cap, b->len + n, 1, 64);
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

/* Copies the first N bytes of SRC to DST's position inside the kernel
** (both flushed), so that they never pass through this process.  Returns 1
** when done, 0 when the kernel or the file system cannot and nothing was
** copied, -1 on an error. */
static int kernel_copy(FILE *dst, FILE *src, uint64_t n) {
  off_t from = 0, to = lseek(fileno(dst), 0, SEEK_CUR);
  if (to < 0) return 0;
  for (uint64_t left = n; left;) {
    ssize_t k = copy_file_range(fileno(src), &from, fileno(dst), &to, left, 0);
    if (k < 0 && left == n &&
        (errno == ENOSYS || errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP ||
         errno == EPERM))
      return 0;
    if (k == 0) errno = EIO;  /* SRC is shorter than N */
    if (k <= 0) return -1;
    left -= (uint64_t)k;
  }
  return fseeko(dst, to, SEEK_SET) ? -1 : 1;
}

td_status td_file_append(FILE *dst, FILE *src, uint64_t n) {
  if (fflush(src) || fflush(dst)) return TD_EIO;
  int done = kernel_copy(dst, src, n);
  if (done) return done > 0 ? TD_OK : TD_EIO;
  if (fseeko(src, 0, SEEK_SET)) return TD_EIO;
  uint8_t chunk[65536];
  for (uint64_t left = n; left;) {
    size_t k = left < sizeof chunk ? (size_t)left : sizeof chunk;
    if (fread(chunk, 1, k, src) != k) {
      if (!ferror(src)) errno = EIO;  /* SRC is shorter than N */
      return TD_EIO;
    }
    if (fwrite(chunk, 1, k, dst) != k) return TD_EIO;
    left -= k;
  }
  return TD_OK;
}

td_status td_grow(void *arrp, size_t *cap, size_t need, size_t elem, size_t first) {
  if (need <= *cap) return TD_OK;
  void *old, *p;
  size_t n = *cap ? *cap : first ? first : 1;
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
