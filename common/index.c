/*
** index.c - opening an index: map the file, check what must be right before
** anything is trusted (magic, version, sizes, the header and section-table
** checksums, the small sections' checksums), and set up the readers.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>

#include "index_int.h"
#include "postings.h"

/* WHAT may be err->msg itself, so it is copied before ERR is rewritten. */
static td_status corrupt(td_error *err, const char *path, const char *what) {
  char w[sizeof err->msg];
  snprintf(w, sizeof w, "%s", what);
  return td_fail(err, TD_ECORRUPT,
                 "%s: %s; the index is damaged: rebuild it with bin/indexer", path, w);
}

td_status td_index_damage(const td_index *ix, td_status rc, td_error *err) {
  if (rc != TD_ECORRUPT) return rc;
  return corrupt(err, ix->path, err ? err->msg : "damaged data");
}

/* Checks the header and section table, filling ix->sec. */
static td_status read_header(td_index *ix, td_error *err) {
  td_header h;
  if (ix->size < TD_DATA_START) return corrupt(err, ix->path, "file too short to be an index");
  memcpy(&h, ix->map, sizeof h);
  if (memcmp(h.magic, TD_MAGIC, 8) != 0) {
    if (memcmp(h.magic, "TIDINGS", 7) == 0)
      return td_fail(err, TD_ECORRUPT, "%s: index format version not supported by this "
                     "searcher; rebuild it with this version's bin/indexer", ix->path);
    return td_fail(err, TD_ECORRUPT, "%s: not a tidings index (bad magic number); build one "
                   "with: bin/indexer -o %s CORPUS", ix->path, ix->path);
  }
  uint32_t want = h.header_crc;
  h.header_crc = 0;
  if (libdeflate_crc32(0, (const uint8_t *)&h, sizeof h) != want)
    return corrupt(err, ix->path, "header checksum mismatch");
  if (h.version < TD_FORMAT_OLDEST || h.version > TD_FORMAT_VERSION)
    return td_fail(err, TD_ECORRUPT, "%s: index format version %u, this program reads %u to "
                   "%u; rebuild it with this version's bin/indexer", ix->path, h.version,
                   TD_FORMAT_OLDEST, TD_FORMAT_VERSION);
  if (h.file_size != ix->size) return corrupt(err, ix->path, "file size differs from the header (truncated?)");
  const uint8_t *table = ix->map + sizeof h;
  if (libdeflate_crc32(0, table, TD_MAX_SECTIONS * sizeof(td_section)) != h.table_crc)
    return corrupt(err, ix->path, "section table checksum mismatch");
  if (h.nsections > TD_MAX_SECTIONS) return corrupt(err, ix->path, "too many sections");
  for (uint32_t i = 0; i < h.nsections; i++) {
    td_section s;
    memcpy(&s, table + i * sizeof s, sizeof s);
    if (s.id == 0 || s.id > TD_SEC_LAST || s.offset > ix->size ||
        s.length > ix->size - s.offset || s.offset % 8 || ix->sec[s.id].p)
      return corrupt(err, ix->path, "section table entry out of range");
    ix->sec[s.id] = (td_region){ix->map + s.offset, (size_t)s.length};
    ix->sec_crc[s.id] = s.crc;
  }
  for (uint32_t id = TD_SEC_META; id <= TD_SEC_LAST; id++)
    if (!ix->sec[id].p) return corrupt(err, ix->path, "a section is missing");
  return TD_OK;
}

/* What each section is called in messages. */
static const char *const section_names[TD_SEC_LAST + 1] = {
    "", "statistics", "document table", "stored bodies", "body frame index", "postings",
    "lexicon", "lexicon index", "body dictionary", "stored summaries", "summary frame index",
    "summary dictionary", "ids", "id index"};

/* The sections small enough to verify at every open. */
static const uint32_t small_sections[] = {TD_SEC_META, TD_SEC_DOCTAB, TD_SEC_BODYIDX,
                                          TD_SEC_LEXIDX, TD_SEC_BODYDICT, TD_SEC_SUMIDX,
                                          TD_SEC_SUMDICT, TD_SEC_IDSIDX};

static td_status check_section(td_index *ix, uint32_t id, td_error *err) {
  td_region r = ix->sec[id];
  if (libdeflate_crc32(0, r.p, r.len) != ix->sec_crc[id]) {
    char what[128];
    snprintf(what, sizeof what, "%s section checksum mismatch", section_names[id]);
    return corrupt(err, ix->path, what);
  }
  return TD_OK;
}

static td_status setup(td_index *ix, td_error *err) {
  td_status rc = read_header(ix, err);
  for (size_t i = 0; !rc && i < sizeof small_sections / sizeof *small_sections; i++)
    rc = check_section(ix, small_sections[i], err);
  if (rc) return rc;
  if (ix->sec[TD_SEC_META].len != sizeof(td_meta)) return corrupt(err, ix->path, "statistics section has the wrong size");
  memcpy(&ix->meta, ix->sec[TD_SEC_META].p, sizeof ix->meta);
  ix->meta.lang[sizeof ix->meta.lang - 1] = '\0';
  if (ix->sec[TD_SEC_DOCTAB].len != ix->meta.ndocs * sizeof(td_docent))
    return corrupt(err, ix->path, "document table does not match the document count");
  ix->docs = (const td_docent *)(const void *)ix->sec[TD_SEC_DOCTAB].p;
  ix->avgdl = ix->meta.ndocs ? (float)ix->meta.total_len / (float)ix->meta.ndocs : 1.0f;
  if (ix->avgdl <= 0) ix->avgdl = 1.0f;
  const td_region *s = ix->sec;
  rc = td_lexicon_init(&ix->lex, s[TD_SEC_LEXICON].p, s[TD_SEC_LEXICON].len,
                       s[TD_SEC_LEXIDX].p, s[TD_SEC_LEXIDX].len, err);
  if (!rc) rc = td_docreader_new(s[TD_SEC_BODIES].p, s[TD_SEC_BODIES].len,
                                 s[TD_SEC_BODYIDX].p, s[TD_SEC_BODYIDX].len,
                                 s[TD_SEC_BODYDICT].p, s[TD_SEC_BODYDICT].len, ix->meta.ndocs,
                                 ix->meta.body_per_block, 1, &ix->bodies, err);
  if (!rc) rc = td_docreader_new(s[TD_SEC_SUMMARIES].p, s[TD_SEC_SUMMARIES].len,
                                 s[TD_SEC_SUMIDX].p, s[TD_SEC_SUMIDX].len,
                                 s[TD_SEC_SUMDICT].p, s[TD_SEC_SUMDICT].len, ix->meta.ndocs,
                                 ix->meta.summary_per_block, 4, &ix->summaries, err);
  if (!rc && !(ix->pverified = calloc(s[TD_SEC_POSTINGS].len / 8 + 1, 1)))
    rc = td_fail(err, TD_ENOMEM, "out of memory opening the postings");
  if (!rc) rc = td_idmap_init(&ix->ids, s[TD_SEC_IDS].p, s[TD_SEC_IDS].len, s[TD_SEC_IDSIDX].p,
                              s[TD_SEC_IDSIDX].len, ix->meta.ndocs, err);
  if (rc) return td_index_damage(ix, rc, err);
  return td_analyzer_new(ix->meta.lang, &ix->an, err);
}

td_status td_index_open(const char *path, td_index **out, td_error *err) {
  td_index *ix = calloc(1, sizeof *ix);
  if (!ix || !(ix->path = strdup(path))) {
    free(ix);
    return td_fail(err, TD_ENOMEM, "out of memory");
  }
  int fd = open(path, O_RDONLY);
  struct stat st;
  td_status rc = TD_OK;
  if (fd < 0)
    rc = td_fail(err, TD_EIO, "cannot open index %s: %s%s", path, strerror(errno),
                 errno == ENOENT ? " (build it first: bin/indexer -o INDEX CORPUS)" : "");
  else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    rc = td_fail(err, TD_EIO, "%s is not a regular file; give the index file made by bin/indexer", path);
  else {
    ix->size = (size_t)st.st_size;
    if (ix->size >= TD_DATA_START) {
      void *m = mmap(NULL, ix->size, PROT_READ, MAP_SHARED, fd, 0);
      if (m == MAP_FAILED) rc = td_fail(err, TD_EIO, "cannot map %s: %s", path, strerror(errno));
      else ix->map = m;
    }
  }
  if (fd >= 0) close(fd);
  if (!rc) rc = setup(ix, err);
  if (rc) {
    td_index_close(ix);
    return rc;
  }
  *out = ix;
  return TD_OK;
}

void td_index_close(td_index *ix) {
  if (!ix) return;
  if (ix->map) munmap((void *)ix->map, ix->size);
  td_lexicon_free(&ix->lex);
  td_idmap_free(&ix->ids);
  free(ix->pverified);
  td_docreader_free(ix->bodies);
  td_docreader_free(ix->summaries);
  td_analyzer_free(ix->an);
  free(ix->path);
  free(ix);
}

void td_index_info_get(const td_index *ix, td_index_info *info) {
  info->ndocs = ix->meta.ndocs;
  info->nterms = ix->meta.nterms;
  info->npostings = ix->meta.npostings;
  info->input_bytes = ix->meta.input_bytes;
  info->file_bytes = ix->size;
  info->avgdl = ix->avgdl;
  info->lang = ix->meta.lang;
}

static td_status read_store(td_index *ix, td_docreader *r, uint32_t docid, td_text *f,
                            td_error *err) {
  return td_index_damage(ix, td_docreader_get(r, docid, f, err), err);
}

td_status td_index_id(td_index *ix, uint32_t docid, td_text *id, td_error *err) {
  return td_index_damage(ix, td_idmap_get(&ix->ids, docid, id, err), err);
}

td_status td_index_summary(td_index *ix, uint32_t docid, td_article *doc, td_error *err) {
  td_text f[4];
  td_status rc = read_store(ix, ix->summaries, docid, f, err);
  if (!rc) rc = td_index_id(ix, docid, &doc->id, err);
  if (rc) return rc;
  doc->title = f[0];
  doc->date = f[1];
  doc->source = f[2];
  doc->url = f[3];
  doc->body = (td_text){"", 0};
  return TD_OK;
}

td_status td_index_doc(td_index *ix, uint32_t docid, td_article *doc, td_error *err) {
  td_status rc = td_index_summary(ix, docid, doc, err);
  if (!rc) rc = read_store(ix, ix->bodies, docid, &doc->body, err);
  return rc;
}

/* Reads every postings block of one term, verifying its checksums. */
static int check_term(void *ctx, const char *term, size_t len, const td_terminfo *ti) {
  (void)term;
  (void)len;
  td_index *ix = ((void **)ctx)[0];
  td_error *err = ((void **)ctx)[1];
  td_postings p;
  if (td_postings_open(&p, ix->sec[TD_SEC_POSTINGS].p, ix->sec[TD_SEC_POSTINGS].len, ti,
                       ix->meta.ndocs, NULL, err))
    return 1;
  uint64_t n = 0;
  uint32_t np;
  while (td_postings_next(&p) != TD_END) {
    n++;
    if (!td_postings_positions(&p, &np)) break;
  }
  int bad = p.status != TD_OK || n != ti->df;
  if (!p.status && bad) td_fail(err, TD_ECORRUPT, "postings hold %llu documents, the lexicon says %llu",
                                (unsigned long long)n, (unsigned long long)ti->df);
  td_postings_close(&p);
  return bad;
}

/* Bytes that belong to no section (after the section table, alignment
** padding) must be zero: then every byte of the file is checked by
** something, and a flipped byte anywhere is found. */
static td_status check_gaps(td_index *ix, td_error *err) {
  td_region order[TD_SEC_LAST];
  size_t n = 0;
  for (uint32_t id = TD_SEC_META; id <= TD_SEC_LAST; id++) {
    size_t j = n++;
    while (j > 0 && order[j - 1].p > ix->sec[id].p) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = ix->sec[id];
  }
  const uint8_t *at = ix->map + sizeof(td_header) + TD_MAX_SECTIONS * sizeof(td_section);
  for (size_t i = 0; i <= n; i++) {
    const uint8_t *next = i < n ? order[i].p : ix->map + ix->size;
    for (; at < next; at++)
      if (*at) {
        char what[96];
        snprintf(what, sizeof what, "unused byte at offset %zu is not zero",
                 (size_t)(at - ix->map));
        return corrupt(err, ix->path, what);
      }
    if (i < n && order[i].p + order[i].len > at) at = order[i].p + order[i].len;
  }
  return TD_OK;
}

td_status td_index_check(td_index *ix, td_error *err) {
  for (uint32_t id = TD_SEC_META; id <= TD_SEC_LAST; id++) {
    td_status rc = check_section(ix, id, err);
    if (rc) return rc;
  }
  td_status gap = check_gaps(ix, err);
  if (gap) return gap;
  void *ctx[2] = {ix, err};
  td_status rc = td_lexicon_prefix(&ix->lex, "", 0, check_term, ctx, err);
  if (rc == TD_ELIMIT) rc = TD_ECORRUPT;
  if (rc) return td_index_damage(ix, rc, err);
  uint32_t step = ix->meta.body_per_block < ix->meta.summary_per_block ? ix->meta.body_per_block
                                                                      : ix->meta.summary_per_block;
  for (uint64_t d = 0; d < ix->meta.ndocs; d += step) {
    td_article a;
    if ((rc = td_index_doc(ix, (uint32_t)d, &a, err))) return rc;
  }
  return TD_OK;
}
