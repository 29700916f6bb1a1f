/*
** builder.c - building an index: analysis, inversion within a memory
** budget, spilled sorted runs, the final merge, and the atomic rename.
**
** Layout of the work (format.h has the file layout):
**   - each article is analysed (title from position 0, body after a gap),
**     inverted in memory, its body streamed to the BODIES section of
**     PATH.tmp-PID, which is therefore written first, and its other fields to
**     the summary store in PATH.runs-PID/summaries, copied in at the end;
**   - when the inverter passes the budget its chunks are spilled, sorted by
**     term, to PATH.runs-PID/run-N;
**   - finish writes the stores, merges the runs (and what is still in
**     memory) term by term (merge.c, in slices on as many threads as there
**     are lanes), re-encoding each term's postings into blocks, writes the
**     remaining sections and the header, fsyncs, and renames over PATH.
** A build that dies leaves only PATH.tmp-PID and PATH.runs-PID behind; the
** next build removes those of processes that no longer exist, and those with
** its own PID that none of its live builders owns.
*/
#include "tidings.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libdeflate.h>

#include "analyzer.h"
#include "builder_int.h"
#include "buf.h"
#include "codec.h"
#include "docstore.h"
#include "idmap.h"
#include "format.h"
#include "invert.h"
#include "lexicon.h"
#include "merge.h"
#include "postings.h"
#include "score.h"

/* Removes the folder DIR and the files in it (a runs folder holds no
** folders). */
static void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char f[4352];
    snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
    unlink(f);
  }
  if (d) closedir(d);
  rmdir(dir);
}

/* This process's builders, so that the files of one are never taken for a
** dead process's leftovers by a second builder of the same index (both carry
** our PID).  LIVE_MU is held from the leftovers' removal to the new files'
** registration. */
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static td_builder *live_builders;

static int owned_by_live_builder(const struct stat *st) {
  for (const td_builder *b = live_builders; b; b = b->next_live)
    for (int i = 0; i < 2; i++)
      if (b->files[i].dev == st->st_dev && b->files[i].ino == st->st_ino) return 1;
  return 0;
}

/* Removes PATH.tmp-PID files and PATH.runs-PID folders whose PID is gone,
** or is ours but no live builder's: a process that died with the PID this
** one now has (as in a container that always starts with the same PID) left
** them.  Called with LIVE_MU held. */
static void remove_dead_leftovers(const char *path) {
  char *dir = strdup(path);
  if (!dir) return;
  char *slash = strrchr(dir, '/');
  const char *base = slash ? slash + 1 : path;
  if (slash) *slash = '\0';
  DIR *d = opendir(slash ? (*dir ? dir : "/") : ".");
  size_t bl = strlen(base);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (strncmp(e->d_name, base, bl) != 0) continue;
    const char *rest = e->d_name + bl;
    const char *num = strncmp(rest, ".tmp-", 5) == 0 ? rest + 5
                      : strncmp(rest, ".runs-", 6) == 0 ? rest + 6 : NULL;
    if (!num || !*num) continue;
    char *endp;
    long pid = strtol(num, &endp, 10);
    if (*endp || pid <= 0) continue;
    if (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH)) continue;
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", slash ? (*dir ? dir : "") : ".", e->d_name);
    struct stat st;
    if (pid == (long)getpid() && lstat(full, &st) == 0 && owned_by_live_builder(&st)) continue;
    if (rest[1] == 'r') remove_tree(full);
    else unlink(full);
  }
  if (d) closedir(d);
  free(dir);
}

/* The runs folder holds the spilled runs, the summary store and the merge's
** slices: all of it goes. */
static void remove_runs(td_builder *b) { remove_tree(b->rundir); }

static void free_builder(td_builder *b) {
  if (b->live) {
    pthread_mutex_lock(&live_mu);
    td_builder **p = &live_builders;
    while (*p != b) p = &(*p)->next_live;
    *p = b->next_live;
    pthread_mutex_unlock(&live_mu);
  }
  if (b->out) fclose(b->out);
  for (unsigned i = 0; b->lanes && i < b->nlanes; i++) {
    td_analyzer_free(b->lanes[i].an);
    td_inverter_free(b->lanes[i].inv);
  }
  free(b->lanes);
  pthread_mutex_destroy(&b->lock);
  td_docwriter_free(b->bodies);
  td_docwriter_free(b->summaries);
  td_idwriter_free(&b->ids);
  if (b->sumfile) fclose(b->sumfile);
  td_buf_free(&b->doctab);
  free(b->path);
  free(b->tmppath);
  free(b->rundir);
  free(b);
}

void td_builder_abort(td_builder *b) {
  if (!b) return;
  td_pool_abort(b);
  unlink(b->tmppath);
  remove_runs(b);
  free_builder(b);
}

td_status td_builder_new(const char *path, const td_build_options *opt, td_builder **out,
                         td_error *err) {
  td_build_options def = {NULL, 0, 0};
  if (!opt) opt = &def;
  /* Said now, not by the final rename once the whole corpus is indexed. */
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return td_fail(err, TD_EINVAL, "%s exists and is not a file: give the path of the index "
                   "file to write (for example %s/news.idx)", path, path);
  td_builder *b = calloc(1, sizeof *b);
  if (!b) return td_fail(err, TD_ENOMEM, "out of memory");
  pthread_mutex_init(&b->lock, NULL);
  b->nlanes = opt->threads > 1 ? (opt->threads > 64 ? 64 : opt->threads) : 1;
  size_t n = strlen(path) + 32;
  b->path = strdup(path);
  b->tmppath = malloc(n);
  b->rundir = malloc(n);
  if (!b->path || !b->tmppath || !b->rundir) {
    free_builder(b);
    return td_fail(err, TD_ENOMEM, "out of memory");
  }
  snprintf(b->tmppath, n, "%s.tmp-%ld", path, (long)getpid());
  snprintf(b->rundir, n, "%s.runs-%ld", path, (long)getpid());
  b->budget = (opt->memory_mb ? opt->memory_mb : TD_DEFAULT_MEMORY_MB) * (size_t)1 << 20;
  td_status rc = TD_OK;
  if (!(b->lanes = calloc(b->nlanes, sizeof *b->lanes))) rc = td_fail(err, TD_ENOMEM, "out of memory");
  for (unsigned i = 0; i < b->nlanes && !rc; i++) {
    rc = td_analyzer_new(opt->lang ? opt->lang : "english", &b->lanes[i].an, err);
    if (!rc && td_inverter_new(&b->lanes[i].inv)) rc = td_fail(err, TD_ENOMEM, "out of memory");
  }
  if (!rc && strlen(td_analyzer_lang(b->lanes[0].an)) >= sizeof(((td_meta *)0)->lang))
    rc = td_fail(err, TD_EINVAL, "language name too long");
  if (rc) {
    free_builder(b);
    return rc;
  }
  char sum[4200];
  snprintf(sum, sizeof sum, "%s/summaries", b->rundir);
  pthread_mutex_lock(&live_mu);
  remove_dead_leftovers(path);
  int made = mkdir(b->rundir, 0700) == 0, mkerr = errno;
  /* Busy when another builder of ours owns the folder; anything else in the
  ** way (a file of that name, a folder the leftovers' removal could not
  ** empty) is reported as the failure to create it. */
  struct stat seen;
  int busy = !made && mkerr == EEXIST && lstat(b->rundir, &seen) == 0 &&
             owned_by_live_builder(&seen);
  if (!made) errno = mkerr;
  const char *failed = !made                                 ? b->rundir
                       : !(b->out = fopen(b->tmppath, "wb")) ? b->tmppath
                       : !(b->sumfile = fopen(sum, "w+b"))   ? sum
                                                             : NULL;
  struct stat runs, tmp;
  if (!failed && (stat(b->rundir, &runs) != 0 || fstat(fileno(b->out), &tmp) != 0))
    failed = b->rundir;
  if (!failed) {
    b->files[0].dev = tmp.st_dev, b->files[0].ino = tmp.st_ino;
    b->files[1].dev = runs.st_dev, b->files[1].ino = runs.st_ino;
    b->next_live = live_builders;
    live_builders = b;
    b->live = 1;
  }
  pthread_mutex_unlock(&live_mu);
  if (busy) {
    free_builder(b);
    return td_fail(err, TD_EINVAL, "%s is already being built by this process: finish or "
                   "abort that build first", path);
  }
  if (failed) {
    rc = td_fail(err, TD_EIO, "cannot create %s: %s (is the folder writable?)", failed,
                 strerror(errno));
    td_builder_abort(b);
    return rc;
  }
  static const uint8_t zeros[TD_DATA_START];
  if (fwrite(zeros, 1, sizeof zeros, b->out) != sizeof zeros) {
    rc = td_fail(err, TD_EIO, "cannot write %s: %s (is the disk full?)", b->tmppath,
                 strerror(errno));
    td_builder_abort(b);
    return rc;
  }
  if (td_docwriter_new(b->out, 1, TD_BODY_PER_BLOCK, TD_BODY_LEVEL, &b->bodies) ||
      td_docwriter_new(b->sumfile, 4, TD_SUMMARY_PER_BLOCK, TD_SUMMARY_LEVEL, &b->summaries)) {
    td_builder_abort(b);
    return td_fail(err, TD_ENOMEM, "out of memory starting the index file %s", path);
  }
  if (b->nlanes > 1 && (rc = td_pool_start(b, err))) {
    td_builder_abort(b);
    return rc;
  }
  *out = b;
  return TD_OK;
}

void td_builder_note_input(td_builder *b, uint64_t bytes) { b->input_bytes += bytes; }

uint64_t td_builder_count(const td_builder *b) { return b->ndocs; }

static int on_token(void *ctx, const char *term, size_t len, uint32_t pos) {
  td_lane *l = ctx;
  l->stopwords += (uint32_t)td_analyzer_stopword(l->an);
  l->tok_status = td_inverter_token(l->inv, term, len, pos, td_analyzer_memo(l->an));
  return l->tok_status != TD_OK;
}

/* Writes lane L's chunks, sorted, as the next run file. */
static td_status spill(td_builder *b, td_lane *l, td_error *err) {
  pthread_mutex_lock(&b->lock);
  unsigned n_run = b->nruns++;
  pthread_mutex_unlock(&b->lock);
  char f[4200];
  snprintf(f, sizeof f, "%s/run-%u", b->rundir, n_run);
  FILE *run = fopen(f, "wb");
  if (!run) return td_fail(err, TD_EIO, "cannot create %s: %s", f, strerror(errno));
  const td_chunk *c;
  size_t n;
  td_status rc = td_inverter_sorted(l->inv, &c, &n);
  td_buf head = TD_BUF_INIT;
  for (size_t i = 0; i < n && !rc; i++) {
    head.len = 0;
    if (td_buf_put_varint(&head, c[i].len) || td_buf_append(&head, c[i].term, c[i].len) ||
        td_buf_put_varint(&head, c[i].df) ||
        td_buf_put_varint(&head, c[i].size))
      rc = TD_ENOMEM;
    else if (fwrite(head.data, 1, head.len, run) != head.len ||
             fwrite(c[i].data, 1, c[i].size, run) != c[i].size)
      rc = TD_EIO;
  }
  td_buf_free(&head);
  uint8_t zero = 0;
  if (!rc && fwrite(&zero, 1, 1, run) != 1) rc = TD_EIO;
  if (fclose(run) != 0 && !rc) rc = TD_EIO;
  if (rc) return td_fail(err, rc, "cannot write the sorted run %s: %s", f, strerror(errno));
  td_inverter_reset(l->inv);
  return TD_OK;
}

td_status td_lane_index(td_builder *b, td_lane *l, uint32_t docid, const td_article *a,
                        td_docent *de, td_error *err) {
  l->tok_status = TD_OK;
  uint32_t title_len = 0, end = 0, title_stop;
  l->stopwords = 0;
  td_analyze(l->an, a->title.ptr, a->title.len, 0, 1, on_token, l, &title_len);
  title_stop = l->stopwords;
  l->stopwords = 0;
  if (!l->tok_status)
    td_analyze(l->an, a->body.ptr, a->body.len, title_len + 1, 1, on_token, l, &end);
  if (!l->tok_status) l->tok_status = td_inverter_end_doc(l->inv, docid);
  if (l->tok_status) return td_fail(err, l->tok_status, "out of memory while indexing");
  /* BM25's length counts the words a ranked query weighs, leaving out the
  ** stopwords it mutes, as it would in an index without them: padding of
  ** function words does not make an article look longer. */
  uint32_t body_len = end > title_len ? end - title_len - 1 : 0;
  *de = (td_docent){body_len - l->stopwords + TD_TITLE_WEIGHT * (title_len - title_stop),
                    title_len};
  /* The tables a spill keeps, grown to the vocabulary, may alone pass a
  ** small share (a 200,000-article corpus on 8 lanes of 2 MB): a spill
  ** then freed nothing and came after every batch, 2,166 runs.  It waits
  ** until the chunks fill half the share. */
  size_t share = b->budget / b->nlanes;
  if (td_inverter_memory(l->inv) > share && td_inverter_spillable(l->inv) > share / 2)
    return spill(b, l, err);
  return TD_OK;
}

td_status td_builder_store(td_builder *b, const td_article *a, const td_docent *de,
                           td_error *err) {
  td_text summary[4] = {a->title, a->date, a->source, a->url};
  td_status rc = td_buf_append(&b->doctab, de, sizeof *de);
  if (!rc) rc = td_docwriter_add(b->bodies, &a->body);
  if (!rc) rc = td_docwriter_add(b->summaries, summary);
  if (!rc) rc = td_idwriter_add(&b->ids, &a->id);
  if (rc == TD_EIO) return td_fail(err, rc, "cannot write %s: %s", b->tmppath, strerror(errno));
  if (rc) return td_fail(err, rc, "out of memory while indexing");
  b->total_len += de->len;
  return TD_OK;
}

td_status td_builder_add(td_builder *b, const td_article *a, td_error *err) {
  if (b->ndocs >= UINT32_MAX - 1)
    return td_fail(err, TD_ELIMIT, "an index holds at most %u articles", UINT32_MAX - 2);
  if (b->pool) return td_pool_add(b, a, err);
  td_docent de;
  td_status rc = td_lane_index(b, &b->lanes[0], (uint32_t)b->ndocs, a, &de, err);
  if (!rc) rc = td_builder_store(b, a, &de, err);
  if (!rc) b->ndocs++;
  return rc;
}

/* ---- writing the file ------------------------------------------------- */

typedef struct section_out {
  td_section sec[TD_MAX_SECTIONS];
  uint32_t n;
  uint64_t at;               /* current file offset */
} section_out;

static td_status align8(FILE *f, section_out *so) {
  static const uint8_t z[8];
  size_t pad = (size_t)((8 - so->at % 8) % 8);
  if (pad && fwrite(z, 1, pad, f) != pad) return TD_EIO;
  so->at += pad;
  return TD_OK;
}

static void add_section(section_out *so, uint32_t id, uint64_t off, uint64_t len, uint32_t crc) {
  so->sec[so->n++] = (td_section){id, crc, off, len};
}

static td_status write_section(FILE *f, section_out *so, uint32_t id, const void *p, size_t len) {
  if (align8(f, so)) return TD_EIO;
  if (len && fwrite(p, 1, len, f) != len) return TD_EIO;
  add_section(so, id, so->at, len, libdeflate_crc32(0, p, len));
  so->at += len;
  return TD_OK;
}

static td_status write_header(FILE *f, const section_out *so, uint64_t size) {
  td_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, TD_MAGIC, 8);
  h.version = TD_FORMAT_VERSION;
  h.nsections = so->n;
  h.file_size = size;
  td_section table[TD_MAX_SECTIONS];
  memset(table, 0, sizeof table);
  memcpy(table, so->sec, so->n * sizeof *table);
  h.table_crc = libdeflate_crc32(0, (const uint8_t *)table, sizeof table);
  h.header_crc = libdeflate_crc32(0, (const uint8_t *)&h, sizeof h);
  if (fseeko(f, 0, SEEK_SET) != 0 || fwrite(&h, 1, sizeof h, f) != sizeof h ||
      fwrite(table, 1, sizeof table, f) != sizeof table)
    return TD_EIO;
  return TD_OK;
}

/* Appends the summary store's frames, kept in the runs folder, to the index
** file, with the CRC of what was written there: a scratch file damaged in
** between gives a section that fails its check instead of one blessed. */
static td_status copy_frames(td_builder *b, section_out *so, uint32_t id, uint64_t bytes,
                             uint32_t crc) {
  if (align8(b->out, so) || td_file_append(b->out, b->sumfile, bytes)) return TD_EIO;
  add_section(so, id, so->at, bytes, crc);
  so->at += bytes;
  return TD_OK;
}

/* Finishes both document stores and writes their sections. */
static td_status write_stores(td_builder *b, section_out *so) {
  td_docstore_out body, sum;
  memset(&body, 0, sizeof body);
  memset(&sum, 0, sizeof sum);
  td_status rc = td_docwriter_finish(b->bodies, &body);
  if (!rc) rc = td_docwriter_finish(b->summaries, &sum);
  if (!rc) {
    add_section(so, TD_SEC_BODIES, TD_DATA_START, body.bytes, body.crc);
    so->at += body.bytes;
    rc = write_section(b->out, so, TD_SEC_BODYDICT, body.dict.data, body.dict.len);
  }
  if (!rc) rc = write_section(b->out, so, TD_SEC_BODYIDX, body.idx.data, body.idx.len);
  if (!rc) rc = copy_frames(b, so, TD_SEC_SUMMARIES, sum.bytes, sum.crc);
  if (!rc) rc = write_section(b->out, so, TD_SEC_SUMDICT, sum.dict.data, sum.dict.len);
  if (!rc) rc = write_section(b->out, so, TD_SEC_SUMIDX, sum.idx.data, sum.idx.len);
  if (!rc) rc = td_idwriter_finish(&b->ids);
  if (!rc) rc = write_section(b->out, so, TD_SEC_IDS, b->ids.data.data, b->ids.data.len);
  if (!rc) rc = write_section(b->out, so, TD_SEC_IDSIDX, b->ids.idx.data, b->ids.idx.len);
  td_buf_free(&body.idx);
  td_buf_free(&body.dict);
  td_buf_free(&sum.idx);
  td_buf_free(&sum.dict);
  return rc;
}

/* The stores and the document table, then the alignment POSTINGS starts at. */
static td_status write_documents(td_builder *b, section_out *so, td_error *err) {
  td_status rc = write_stores(b, so);
  if (!rc) rc = write_section(b->out, so, TD_SEC_DOCTAB, b->doctab.data, b->doctab.len);
  if (!rc) rc = align8(b->out, so);
  if (rc) return td_fail(err, rc, "cannot write the stored documents to %s: %s", b->tmppath,
                         rc == TD_EIO ? strerror(errno) : td_status_name(rc));
  return TD_OK;
}

/* The whole file after the builder's own streaming of the bodies: the
** documents' other sections, the merge, the lexicon, the header. */
static td_status write_index(td_builder *b, td_build_stats *st, td_error *err) {
  section_out so = {.n = 0, .at = TD_DATA_START};
  td_buf lex = TD_BUF_INIT, lexidx = TD_BUF_INIT;
  td_inverter *mem[64];
  for (unsigned i = 0; i < b->nlanes; i++) mem[i] = b->lanes[i].inv;
  td_merge_in in = {b->tmppath, b->rundir, b->nruns, mem, b->nlanes, {0}, b->nlanes};
  in.sc = (td_scoring){(const td_docent *)(void *)b->doctab.data, b->ndocs,
                       b->ndocs ? (float)b->total_len / (float)b->ndocs : 1.0f, TD_BM25_K1,
                       TD_BM25_B, TD_TITLE_WEIGHT};
  if (in.sc.avgdl <= 0) in.sc.avgdl = 1.0f;
  td_status rc = write_documents(b, &so, err);
  if (rc) return rc;
  td_lexwriter *lw = NULL;
  if (td_lexwriter_new(&lw)) return td_fail(err, TD_ENOMEM, "out of memory merging");
  td_merge_out mo;
  rc = td_merge(&in, b->out, lw, &mo, err);
  if (!rc) {
    add_section(&so, TD_SEC_POSTINGS, so.at, mo.bytes, mo.crc);
    so.at += mo.bytes;
  }
  if (!rc && td_lexwriter_finish(lw, &lex, &lexidx)) rc = td_fail(err, TD_ENOMEM, "out of memory");
  td_lexwriter_free(lw);
  if (rc) return rc;
  uint64_t nterms = mo.nterms, npostings = mo.npostings;

  td_meta m;
  memset(&m, 0, sizeof m);
  m.ndocs = b->ndocs;
  m.nterms = nterms;
  m.total_len = b->total_len;
  m.npostings = npostings;
  m.input_bytes = b->input_bytes;
  m.created = (int64_t)time(NULL);
  m.k1 = TD_BM25_K1;
  m.b = TD_BM25_B;
  m.title_weight = TD_TITLE_WEIGHT;
  m.body_per_block = TD_BODY_PER_BLOCK;
  m.summary_per_block = TD_SUMMARY_PER_BLOCK;
  snprintf(m.lang, sizeof m.lang, "%s", td_analyzer_lang(b->lanes[0].an));
  rc = write_section(b->out, &so, TD_SEC_LEXICON, lex.data, lex.len);
  if (!rc) rc = write_section(b->out, &so, TD_SEC_LEXIDX, lexidx.data, lexidx.len);
  if (!rc) rc = write_section(b->out, &so, TD_SEC_META, &m, sizeof m);
  td_buf_free(&lex);
  td_buf_free(&lexidx);
  uint64_t size = so.at;
  if (!rc) rc = fflush(b->out) ? TD_EIO : TD_OK;
  if (!rc) rc = write_header(b->out, &so, size);
  if (!rc && (fflush(b->out) || fsync(fileno(b->out)))) rc = TD_EIO;
  if (rc) return td_fail(err, rc, "cannot write %s: %s (is the disk full?)", b->tmppath,
                         strerror(errno));
  st->articles = b->ndocs;
  st->terms = nterms;
  st->postings = npostings;
  st->input_bytes = b->input_bytes;
  st->index_bytes = size;
  st->runs = b->nruns;
  return TD_OK;
}

/* Makes the rename durable: fsync the folder holding PATH. */
static void sync_parent(const char *path) {
  char *dir = strdup(path);
  if (!dir) return;
  char *slash = strrchr(dir, '/');
  const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
  int fd = open(d, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  free(dir);
}

td_status td_builder_finish(td_builder *b, td_build_stats *stats, td_error *err) {
  td_build_stats st;
  memset(&st, 0, sizeof st);
  td_status rc = b->pool ? td_pool_finish(b, err) : TD_OK;
  if (!rc) rc = write_index(b, &st, err);
  if (!rc) {
    int bad = fclose(b->out);
    b->out = NULL;
    if (bad) rc = td_fail(err, TD_EIO, "cannot close %s: %s", b->tmppath, strerror(errno));
  }
  if (!rc && rename(b->tmppath, b->path) != 0)
    rc = td_fail(err, TD_EIO, "cannot rename %s to %s: %s", b->tmppath, b->path, strerror(errno));
  if (rc) {
    td_builder_abort(b);
    return rc;
  }
  sync_parent(b->path);
  remove_runs(b);
  if (stats) *stats = st;
  free_builder(b);
  return TD_OK;
}
