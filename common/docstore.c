/*
** docstore.c - blocks of stored articles (format.h: DOCSTORE, DOCIDX).
*/
#include "docstore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "codec.h"
#include "format.h"

struct td_docwriter {
  FILE *out;
  uint64_t written;
  uint32_t ndocs;             /* in the open block */
  td_buf block;               /* the open block, uncompressed */
  td_buf packed;              /* scratch for compression */
  td_buf idx;
};

td_status td_docwriter_new(FILE *out, td_docwriter **w) {
  *w = calloc(1, sizeof **w);
  if (!*w) return TD_ENOMEM;
  (*w)->out = out;
  return TD_OK;
}

static td_status flush_block(td_docwriter *w) {
  if (w->ndocs == 0) return TD_OK;
  uLongf clen = compressBound((uLong)w->block.len);
  w->packed.len = 0;
  if (td_buf_reserve(&w->packed, clen)) return TD_ENOMEM;
  if (compress2(w->packed.data, &clen, w->block.data, (uLong)w->block.len, 6) != Z_OK)
    return TD_ENOMEM;
  td_docblk e = {w->written, (uint32_t)clen, (uint32_t)w->block.len,
                 (uint32_t)crc32(0, w->packed.data, (uInt)clen), 0};
  if (fwrite(w->packed.data, 1, clen, w->out) != clen) return TD_EIO;
  if (td_buf_append(&w->idx, &e, sizeof e)) return TD_ENOMEM;
  w->written += clen;
  w->block.len = 0;
  w->ndocs = 0;
  return TD_OK;
}

td_status td_docwriter_add(td_docwriter *w, const td_article *a) {
  const td_text *f[TD_NFIELDS] = {&a->id, &a->title, &a->date, &a->source, &a->url, &a->body};
  for (int i = 0; i < TD_NFIELDS; i++)
    if (td_buf_put_varint(&w->block, f[i]->len)) return TD_ENOMEM;
  for (int i = 0; i < TD_NFIELDS; i++)
    if (td_buf_append(&w->block, f[i]->ptr, f[i]->len)) return TD_ENOMEM;
  if (++w->ndocs == TD_DOCS_PER_BLOCK) return flush_block(w);
  return TD_OK;
}

td_status td_docwriter_finish(td_docwriter *w, td_buf *idx, uint64_t *bytes) {
  td_status rc = flush_block(w);
  if (rc) return rc;
  *idx = w->idx;
  memset(&w->idx, 0, sizeof w->idx);
  *bytes = w->written;
  return TD_OK;
}

void td_docwriter_free(td_docwriter *w) {
  if (!w) return;
  td_buf_free(&w->block);
  td_buf_free(&w->packed);
  td_buf_free(&w->idx);
  free(w);
}

td_status td_docreader_init(td_docreader *r, const uint8_t *data, size_t len,
                            const uint8_t *idx, size_t idxlen, uint64_t ndocs,
                            uint32_t docs_per_block, td_error *err) {
  memset(r, 0, sizeof *r);
  if (docs_per_block == 0 || idxlen % sizeof(td_docblk) ||
      idxlen / sizeof(td_docblk) != (ndocs + docs_per_block - 1) / docs_per_block)
    return td_fail(err, TD_ECORRUPT, "document index does not match the document count");
  r->data = data;
  r->len = len;
  r->idx = idx;
  r->nblocks = idxlen / sizeof(td_docblk);
  r->ndocs = ndocs;
  r->docs_per_block = docs_per_block;
  r->cached = UINT64_MAX;
  return TD_OK;
}

void td_docreader_free(td_docreader *r) {
  free(r->cache);
  r->cache = NULL;
}

static td_status load_block(td_docreader *r, uint64_t b, td_error *err) {
  td_docblk e;
  memcpy(&e, r->idx + b * sizeof e, sizeof e);
  if (e.offset > r->len || e.clen > r->len - e.offset)
    return td_fail(err, TD_ECORRUPT, "stored-document block %llu lies outside its section",
                   (unsigned long long)b);
  const uint8_t *src = r->data + e.offset;
  if ((uint32_t)crc32(0, src, e.clen) != e.crc)
    return td_fail(err, TD_ECORRUPT, "stored-document block %llu fails its checksum",
                   (unsigned long long)b);
  if (e.ulen > r->cachecap) {
    uint8_t *p = realloc(r->cache, e.ulen);
    if (!p) return td_fail(err, TD_ENOMEM, "out of memory reading stored documents");
    r->cache = p;
    r->cachecap = e.ulen;
  }
  uLongf ulen = e.ulen;
  if (uncompress(r->cache, &ulen, src, e.clen) != Z_OK || ulen != e.ulen)
    return td_fail(err, TD_ECORRUPT, "stored-document block %llu does not decompress",
                   (unsigned long long)b);
  r->cached = b;
  return TD_OK;
}

td_status td_docreader_get(td_docreader *r, uint64_t docid, td_article *doc, td_error *err) {
  if (docid >= r->ndocs) return td_fail(err, TD_EINVAL, "no document %llu", (unsigned long long)docid);
  uint64_t b = docid / r->docs_per_block;
  if (r->cached != b) {
    r->cached = UINT64_MAX;
    td_status rc = load_block(r, b, err);
    if (rc) return rc;
  }
  td_docblk e;
  memcpy(&e, r->idx + b * sizeof e, sizeof e);
  const uint8_t *p = r->cache, *end = r->cache + e.ulen;
  td_text *f[TD_NFIELDS] = {&doc->id, &doc->title, &doc->date, &doc->source, &doc->url, &doc->body};
  for (uint64_t k = 0; k <= docid % r->docs_per_block; k++) {
    uint64_t len[TD_NFIELDS];
    for (int i = 0; i < TD_NFIELDS && p; i++) p = td_varint_get(p, end, &len[i]);
    for (int i = 0; i < TD_NFIELDS && p; i++) {
      if (len[i] > (uint64_t)(end - p)) p = NULL;
      else {
        f[i]->ptr = (const char *)p;
        f[i]->len = len[i];
        p += len[i];
      }
    }
    if (!p) return td_fail(err, TD_ECORRUPT, "stored document %llu is damaged", (unsigned long long)docid);
  }
  return TD_OK;
}
