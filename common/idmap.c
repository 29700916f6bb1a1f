/*
** idmap.c - front-coded external ids (format.h: IDS, IDSIDX).
*/
#include "idmap.h"

#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

#include "codec.h"
#include "format.h"

static td_status close_block(td_idwriter *w) {
  if (w->data.len == w->block_start) return TD_OK;
  td_lexblk e = {w->block_start, (uint32_t)(w->data.len - w->block_start),
                 libdeflate_crc32(0, w->data.data + w->block_start,
                                  w->data.len - w->block_start)};
  if (td_buf_append(&w->idx, &e, sizeof e)) return TD_ENOMEM;
  w->block_start = w->data.len;
  w->prev.len = 0;
  return TD_OK;
}

td_status td_idwriter_add(td_idwriter *w, const td_text *id) {
  size_t shared = 0;
  while (shared < id->len && shared < w->prev.len && id->ptr[shared] == (char)w->prev.data[shared])
    shared++;
  if (td_buf_put_varint(&w->data, shared) || td_buf_put_varint(&w->data, id->len - shared) ||
      td_buf_append(&w->data, id->ptr + shared, id->len - shared))
    return TD_ENOMEM;
  w->prev.len = 0;
  if (td_buf_append(&w->prev, id->ptr, id->len)) return TD_ENOMEM;
  if (++w->n % TD_IDS_PER_BLOCK == 0) return close_block(w);
  return TD_OK;
}

td_status td_idwriter_finish(td_idwriter *w) { return close_block(w); }

void td_idwriter_free(td_idwriter *w) {
  td_buf_free(&w->data);
  td_buf_free(&w->idx);
  td_buf_free(&w->prev);
}

td_status td_idmap_init(td_idmap *m, const uint8_t *data, size_t len, const uint8_t *idx,
                        size_t idxlen, uint64_t n, td_error *err) {
  memset(m, 0, sizeof *m);
  uint64_t nb = (n + TD_IDS_PER_BLOCK - 1) / TD_IDS_PER_BLOCK;
  if (idxlen != nb * sizeof(td_lexblk))
    return td_fail(err, TD_ECORRUPT, "id index does not match the document count");
  m->data = data;
  m->len = len;
  m->idx = idx;
  m->nblocks = nb;
  m->n = n;
  if (!(m->verified = calloc(nb ? nb : 1, 1)))
    return td_fail(err, TD_ENOMEM, "out of memory opening the id map");
  return TD_OK;
}

void td_idmap_free(td_idmap *m) {
  free(m->verified);
  m->verified = NULL;
  td_buf_free(&m->cur);
}

td_status td_idmap_get(td_idmap *m, uint64_t docid, td_text *id, td_error *err) {
  if (docid >= m->n) return td_fail(err, TD_EINVAL, "no document %llu", (unsigned long long)docid);
  uint64_t b = docid / TD_IDS_PER_BLOCK;
  td_lexblk e;
  memcpy(&e, m->idx + b * sizeof e, sizeof e);
  if (e.offset > m->len || e.length > m->len - e.offset)
    return td_fail(err, TD_ECORRUPT, "id block %llu lies outside its section", (unsigned long long)b);
  const uint8_t *p = m->data + e.offset, *end = p + e.length;
  if (!m->verified[b]) {
    if (libdeflate_crc32(0, p, e.length) != e.crc)
      return td_fail(err, TD_ECORRUPT, "id block %llu fails its checksum", (unsigned long long)b);
    m->verified[b] = 1;
  }
  m->cur.len = 0;
  for (uint64_t k = 0; k <= docid % TD_IDS_PER_BLOCK; k++) {
    uint64_t shared, slen;
    if (!(p = td_varint_get(p, end, &shared)) || !(p = td_varint_get(p, end, &slen)) ||
        shared > m->cur.len || slen > (uint64_t)(end - p))
      return td_fail(err, TD_ECORRUPT, "id block %llu is damaged", (unsigned long long)b);
    m->cur.len = shared;
    if (td_buf_append(&m->cur, p, slen)) return td_fail(err, TD_ENOMEM, "out of memory");
    p += slen;
  }
  id->ptr = m->cur.data ? (const char *)m->cur.data : "";
  id->len = m->cur.len;
  return TD_OK;
}
