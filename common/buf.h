/*
** buf.h - a growable byte buffer, the writer side of every encoder.
**
** Appends never fail silently: they return TD_ENOMEM and leave the buffer as
** it was, so encoders can check once per record.
*/
#ifndef TD_BUF_H
#define TD_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

typedef struct td_buf {
  uint8_t *data;
  size_t len;
  size_t cap;
} td_buf;

#define TD_BUF_INIT {NULL, 0, 0}

/* Makes room for at least N more bytes; td_buf_grow is the part that
** allocates.  Inline, since the room is nearly always there: the inverter
** asks once per term of every document. */
td_status td_buf_grow(td_buf *b, size_t n);
static inline td_status td_buf_reserve(td_buf *b, size_t n) {
  return b->cap - b->len >= n ? TD_OK : td_buf_grow(b, n);
}
td_status td_buf_append(td_buf *b, const void *p, size_t n);
td_status td_buf_put_varint(td_buf *b, uint64_t v);
td_status td_buf_put_u32(td_buf *b, uint32_t v);
void td_buf_free(td_buf *b);

/* Makes room for NEED elements of ELEM bytes in the array whose pointer is
** at ARRP and whose capacity is *CAP, doubling it (from FIRST when it has
** none yet).  On TD_ENOMEM the array and *CAP are as they were. */
td_status td_grow(void *arrp, size_t *cap, size_t need, size_t elem, size_t first);

/* Appends the first N bytes of the scratch file SRC (read back from its
** start) to DST: inside the kernel where it can (copy_file_range), else
** through a buffer.  TD_EIO on a short read or write. */
td_status td_file_append(FILE *dst, FILE *src, uint64_t n);

#endif
