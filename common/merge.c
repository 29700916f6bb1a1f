/*
** merge.c - the final merge of an index build (merge.h).
**
** Every source (a run file, or an inverter's sorted chunks) yields chunks in
** term order; a term's chunks from all sources are replayed in docid order
** into the postings writer.  A slice is the run of terms from its low key
** (included) to its high key (excluded); each slice reads every source from
** its low key on, so slices need nothing from one another until they are
** appended.
*/
#include "merge.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <libdeflate.h>
#include <zlib.h>

#include "analyzer.h"
#include "codec.h"

#define MAX_SLICES 8

/* Open files the merge leaves to the rest of the process (the index, the
** scratch files, a library user's own). */
#define FD_SPARE 64

/* A source of sorted chunks: a run file, or an inverter's chunks; either
** ends before the slice's high key. */
typedef struct source {
  FILE *f;                   /* NULL: the in-memory chunks below */
  const td_chunk *hi;        /* the slice's high key, NULL for none */
  const td_chunk *mem;
  size_t nmem, at;           /* NMEM: the chunks below HI */
  td_chunk cur;              /* current chunk; cur.term NULL when done */
  td_buf term, data;
} source;

static int chunk_cmp(const td_chunk *x, const td_chunk *y) {
  return td_term_cmp(x->term, x->len, y->term, y->len);
}

/* The index of the first of the N sorted chunks C that is not below KEY. */
static size_t lower_bound(const td_chunk *c, size_t n, const td_chunk *key) {
  size_t a = 0, z = n;
  while (a < z) {
    size_t m = a + (z - a) / 2;
    if (chunk_cmp(&c[m], key) < 0) a = m + 1;
    else z = m;
  }
  return a;
}

static td_status read_varint(FILE *f, uint64_t *v) {
  uint64_t x = 0;
  int shift = 0, c;
  do {
    if ((c = getc(f)) == EOF || shift > 63) return TD_EIO;
    x |= (uint64_t)(c & 0x7f) << shift;
    shift += 7;
  } while (c & 0x80);
  *v = x;
  return TD_OK;
}

/* Moves S to its next chunk, or with LO to its first chunk at or after LO.
** Run records: varint length, term, varint df, varint size, data; a zero
** length ends the run.  Chunks before LO are skipped without reading, and a
** chunk at or after S->hi ends the source. */
static td_status source_next(source *s, const td_chunk *lo) {
  if (!s->f) {
    if (lo) s->at += lower_bound(s->mem + s->at, s->nmem - s->at, lo);
    if (s->at < s->nmem) s->cur = s->mem[s->at++];
    else s->cur.term = NULL;
    return TD_OK;
  }
  for (;;) {
    uint64_t len, df, size;
    if (read_varint(s->f, &len)) return TD_EIO;
    if (len == 0) {
      s->cur.term = NULL;
      return TD_OK;
    }
    s->term.len = 0;
    if (len > TD_MAX_TERM || td_buf_reserve(&s->term, len) ||
        fread(s->term.data, 1, len, s->f) != len || read_varint(s->f, &df) ||
        read_varint(s->f, &size) || df > UINT32_MAX)
      return TD_EIO;
    s->cur = (td_chunk){(const char *)s->term.data, (uint32_t)len, (uint32_t)df, NULL, size};
    if (s->hi && chunk_cmp(&s->cur, s->hi) >= 0) {
      s->cur.term = NULL;
      return TD_OK;
    }
    if (lo && chunk_cmp(&s->cur, lo) < 0) {
      if (fseeko(s->f, (off_t)size, SEEK_CUR) != 0) return TD_EIO;
      continue;
    }
    s->data.len = 0;
    if (td_buf_reserve(&s->data, size) || fread(s->data.data, 1, size, s->f) != size)
      return TD_EIO;
    s->cur.data = s->data.data;
    return TD_OK;
  }
}

/* Reads the postings of one chunk in docid order.  After cursor_next, P
** points at the current posting's TF position gaps, which the reader must
** consume before the next call. */
typedef struct chunk_cursor {
  const uint8_t *p, *end;
  uint32_t left;             /* postings not yet read */
  uint64_t doc;              /* the current posting's docid */
  uint64_t tf;
  int started;
} chunk_cursor;

static int cursor_next(chunk_cursor *c) {
  if (c->left == 0) return 0;
  uint64_t gap;
  if (!(c->p = td_varint_get(c->p, c->end, &gap)) || !(c->p = td_varint_get(c->p, c->end, &c->tf)))
    return -1;
  c->doc = c->started ? c->doc + gap + 1 : gap;
  c->started = 1;
  c->left--;
  return 1;
}

/* Feeds the postings of the chunks C[0..N) to the postings writer in docid
** order.  Chunks of one lane come in docid order, but lanes interleave. */
static td_status replay_chunks(chunk_cursor *c, unsigned n, td_postwriter *pw, td_buf *pos) {
  unsigned live = 0;
  for (unsigned i = 0; i < n; i++) {
    int r = cursor_next(&c[i]);
    if (r < 0) return TD_EIO;
    if (r) c[live++] = c[i];
  }
  while (live) {
    unsigned m = 0;
    for (unsigned i = 1; i < live; i++)
      if (c[i].doc < c[m].doc) m = i;
    pos->len = 0;
    if (c[m].tf > UINT32_MAX / sizeof(uint32_t) || td_buf_reserve(pos, c[m].tf * sizeof(uint32_t)))
      return TD_ENOMEM;
    uint32_t *pv = (uint32_t *)(void *)pos->data;
    for (uint64_t i = 0; i < c[m].tf; i++) {
      uint64_t g;
      if (!(c[m].p = td_varint_get(c[m].p, c[m].end, &g))) return TD_EIO;
      pv[i] = (uint32_t)g;
    }
    td_status rc = td_postwriter_add(pw, (uint32_t)c[m].doc, pv, (uint32_t)c[m].tf);
    if (rc) return rc;
    int r = cursor_next(&c[m]);
    if (r < 0) return TD_EIO;
    if (!r) c[m] = c[--live];
  }
  return TD_OK;
}

/* One slice of the term space and what merging it produced. */
typedef struct slice {
  const td_merge_in *in;
  const td_chunk *const *mem;  /* each inverter's sorted chunks */
  const size_t *nmem;
  const td_chunk *lo, *hi;     /* NULL: from the first term, to the last */
  FILE *out;
  td_lexwriter *lw;            /* NULL: lexicon entries go to LEX */
  td_buf lex;                  /* varint len, term, varint df, varint offset, u32 bound */
  uint64_t bytes, nterms, npostings;
  uint32_t crc;
  int *stop;                   /* set when another part failed */
  td_status rc;
  td_error err;
  pthread_t thread;
} slice;

/* Records one term of a slice for the lexicon. */
static td_status note_term(slice *s, const char *term, size_t len, const td_terminfo *ti) {
  if (s->lw) return td_lexwriter_add(s->lw, term, len, ti);
  uint32_t bits;
  memcpy(&bits, &ti->max_score, sizeof bits);
  if (td_buf_put_varint(&s->lex, len) || td_buf_append(&s->lex, term, len) ||
      td_buf_put_varint(&s->lex, ti->df) || td_buf_put_varint(&s->lex, ti->postings) ||
      td_buf_put_u32(&s->lex, bits))
    return TD_ENOMEM;
  return TD_OK;
}

/* Merges the terms of slice S from SRC[0..NSRC) into S->out.  A term's
** chunks are those of the sources in TIE, found in one pass that compares
** each source once with the least so far. */
static td_status merge_terms(slice *s, source *src, unsigned nsrc, unsigned *tie,
                             chunk_cursor *cur, td_postwriter *pw) {
  td_buf out = TD_BUF_INIT, pos = TD_BUF_INIT;
  td_status rc = TD_OK;
  while (!rc && !__atomic_load_n(s->stop, __ATOMIC_RELAXED)) {
    unsigned nt = 0;
    for (unsigned i = 0; i < nsrc; i++) {
      if (!src[i].cur.term) continue;
      int c = nt ? chunk_cmp(&src[i].cur, &src[tie[0]].cur) : -1;
      if (c < 0) nt = 0;
      if (c <= 0) tie[nt++] = i;
    }
    if (!nt) break;
    uint64_t df = 0;
    for (unsigned j = 0; j < nt; j++) {
      const td_chunk *k = &src[tie[j]].cur;
      df += k->df;
      cur[j] = (chunk_cursor){k->data, k->data + k->size, k->df, 0, 0, 0};
    }
    td_postwriter_begin(pw, df);
    rc = replay_chunks(cur, nt, pw, &pos);
    td_terminfo ti = {df, s->bytes, 0};
    out.len = 0;
    if (!rc) rc = td_postwriter_end(pw, &out, &ti.max_score);
    if (!rc && fwrite(out.data, 1, out.len, s->out) != out.len) rc = TD_EIO;
    const td_chunk *key = &src[tie[0]].cur;
    if (!rc) rc = note_term(s, key->term, key->len, &ti);
    /* Only now move on: the term and the cursors point into the sources. */
    for (unsigned j = 0; j < nt && !rc; j++) rc = source_next(&src[tie[j]], NULL);
    s->crc = libdeflate_crc32(s->crc, out.data, out.len);
    s->bytes += out.len;
    s->nterms++;
    s->npostings += df;
  }
  td_buf_free(&out);
  td_buf_free(&pos);
  return rc;
}

/* Opens the sources of slice S, merges it, and closes them; the outcome
** goes to S->rc and S->err. */
static void merge_slice(slice *s) {
  const td_merge_in *in = s->in;
  unsigned nsrc = in->nruns + in->nmem;
  source *src = calloc(nsrc ? nsrc : 1, sizeof *src);
  chunk_cursor *cur = calloc(nsrc ? nsrc : 1, sizeof *cur);
  unsigned *tie = calloc(nsrc ? nsrc : 1, sizeof *tie);
  td_postwriter *pw = NULL;
  td_status rc = !src || !cur || !tie || td_postwriter_new(&in->sc, &pw) ? TD_ENOMEM : TD_OK;
  char f[4200];
  int too_many = 0;
  for (unsigned i = 0; i < in->nruns && !rc; i++) {
    snprintf(f, sizeof f, "%s/run-%u", in->rundir, i);
    src[i].hi = s->hi;
    if (!(src[i].f = fopen(f, "rb"))) {
      too_many = errno == EMFILE || errno == ENFILE;
      rc = TD_EIO;
    } else {
      rc = source_next(&src[i], s->lo);
    }
  }
  for (unsigned i = 0; i < in->nmem && !rc; i++) {
    source *m = &src[in->nruns + i];
    m->mem = s->mem[i];
    m->nmem = s->hi ? lower_bound(s->mem[i], s->nmem[i], s->hi) : s->nmem[i];
    rc = source_next(m, s->lo);
  }
  if (!rc) rc = merge_terms(s, src, nsrc, tie, cur, pw);
  for (unsigned i = 0; src && i < nsrc; i++) {
    if (src[i].f) fclose(src[i].f);
    td_buf_free(&src[i].term);
    td_buf_free(&src[i].data);
  }
  free(src);
  free(cur);
  free(tie);
  td_postwriter_free(pw);
  s->rc = rc;
  if (too_many)
    td_fail(&s->err, rc,
            "merging postings into %s needs its %u sorted runs open at once, more files "
            "than this process may open: raise the limit (ulimit -n) or give the build more "
            "memory so that it spills fewer runs",
            in->target, in->nruns);
  else if (rc)
    td_fail(&s->err, rc, "merging postings into %s failed (%s%s%s)", in->target,
            td_status_name(rc), rc == TD_EIO ? ": " : "", rc == TD_EIO ? strerror(errno) : "");
  if (rc) __atomic_store_n(s->stop, 1, __ATOMIC_RELAXED);
}

static void *slice_thread(void *arg) {
  merge_slice(arg);
  return NULL;
}

/* A term's fixed cost in the merge (its lexicon entry, the postings
** writer's start and end, a skip or CRC, a write), in postings bytes: cut
** at equal bytes alone, the slice of the numbers and other rare terms took
** 20% longer than the other on Reuters-21578 and 20 Newsgroups with -j 2,
** and the whole merge waited for it; with this weight they end together. */
#define TERM_COST 48

/* Chooses up to WANT-1 cut terms from the largest set of in-memory chunks,
** at equal shares of its merging cost; returns the number of slices. */
static unsigned choose_cuts(const td_chunk *const *mem, const size_t *nmem, unsigned n,
                            unsigned want, const td_chunk **cut) {
  unsigned big = 0;
  for (unsigned i = 1; i < n; i++)
    if (nmem[i] > nmem[big]) big = i;
  if (n == 0 || want < 2 || nmem[big] < 64 * want) return 1;
  const td_chunk *c = mem[big];
  uint64_t total = 0, acc = 0;
  for (size_t i = 0; i < nmem[big]; i++) total += c[i].size + c[i].len + TERM_COST;
  unsigned k = 1;
  for (size_t i = 0; i < nmem[big] && k < want; i++) {
    acc += c[i].size + c[i].len + TERM_COST;
    if (acc * want >= total * k && i + 1 < nmem[big]) cut[k++ - 1] = &c[i + 1];
  }
  return k;
}

/* At most WANT slices, and no more than the open-file limit leaves room
** for when each opens all NRUNS runs (and a file of its own): a build that
** spilled hundreds of runs on 8 lanes would otherwise fail at the end, at
** the usual limit of 1,024. */
static unsigned slices_within_open_limit(unsigned want, unsigned nruns) {
  struct rlimit rl;
  if (nruns == 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
    return want;
  rlim_t room = rl.rlim_cur > FD_SPARE ? rl.rlim_cur - FD_SPARE : 0;
  rlim_t fit = room / (nruns + 1);
  return fit < 1 ? 1 : fit < want ? (unsigned)fit : want;
}

/* The path of slice I's file in RUNDIR, into BUF of SIZE bytes. */
static void slice_path(const char *rundir, unsigned i, char *buf, size_t size) {
  snprintf(buf, size, "%s/postings-%u", rundir, i);
}

/* Hands slice S's lexicon entries to LW, their offsets moved by BASE. */
static td_status replay_lexicon(const slice *s, uint64_t base, td_lexwriter *lw) {
  const uint8_t *p = s->lex.data, *end = p + s->lex.len;
  while (p < end) {
    uint64_t len, df, off;
    uint32_t bits;
    if (!(p = td_varint_get(p, end, &len)) || (size_t)(end - p) < len) return TD_EIO;
    const char *term = (const char *)p;
    p += len;
    if (!(p = td_varint_get(p, end, &df)) || !(p = td_varint_get(p, end, &off)) ||
        end - p < 4)
      return TD_EIO;
    memcpy(&bits, p, 4);
    p += 4;
    td_terminfo ti = {df, base + off, 0};
    memcpy(&ti.max_score, &bits, sizeof bits);
    td_status rc = td_lexwriter_add(lw, term, len, &ti);
    if (rc) return rc;
  }
  return TD_OK;
}

/* Runs slices 1..N-1 on threads of their own, each into its own file,
** while this thread merges slice 0 straight into OUT and LW; then appends
** the others' postings and lexicon entries in term order. */
static td_status merge_slices(slice *sl, unsigned n, const td_merge_in *in, FILE *out,
                              td_lexwriter *lw, td_error *err) {
  char f[4200];
  unsigned started = 1;
  td_status rc = TD_OK;
  for (unsigned i = 1; i < n && !rc; i++) {
    slice_path(in->rundir, i, f, sizeof f);
    if (!(sl[i].out = fopen(f, "w+b")))
      rc = td_fail(err, TD_EIO, "cannot create %s: %s", f, strerror(errno));
    else if (pthread_create(&sl[i].thread, NULL, slice_thread, &sl[i]) != 0)
      rc = td_fail(err, TD_ENOMEM, "cannot start a merging thread");
    else
      started++;
  }
  if (rc) {
    __atomic_store_n(sl[0].stop, 1, __ATOMIC_RELAXED);
  } else {
    sl[0].out = out;
    sl[0].lw = lw;
    merge_slice(&sl[0]);
    sl[0].out = NULL;  /* the caller's, not to be closed */
  }
  for (unsigned i = 1; i < started; i++) pthread_join(sl[i].thread, NULL);
  if (rc) return rc;
  for (unsigned i = 0; i < n; i++)
    if (sl[i].rc) {
      *err = sl[i].err;
      return sl[i].rc;
    }
  uint64_t base = sl[0].bytes;
  for (unsigned i = 1; i < n && !rc; i++) {
    if (td_file_append(out, sl[i].out, sl[i].bytes))
      rc = td_fail(err, TD_EIO, "cannot write %s: %s (is the disk full?)", in->target,
                   strerror(errno));
    else if ((rc = replay_lexicon(&sl[i], base, lw)))
      rc = td_fail(err, rc, "cannot write the lexicon of %s (%s)", in->target,
                   td_status_name(rc));
    base += sl[i].bytes;
  }
  return rc;
}

td_status td_merge(const td_merge_in *in, FILE *out, td_lexwriter *lw, td_merge_out *res,
                   td_error *err) {
  memset(res, 0, sizeof *res);
  const td_chunk *mem[64];
  size_t nmem[64];
  if (in->nmem > 64) return td_fail(err, TD_EINVAL, "too many lanes to merge");
  for (unsigned i = 0; i < in->nmem; i++)
    if (td_inverter_sorted(in->mem[i], &mem[i], &nmem[i]))
      return td_fail(err, TD_ENOMEM, "out of memory merging");
  const td_chunk *cut[MAX_SLICES - 1];
  unsigned want = slices_within_open_limit(in->nparts < MAX_SLICES ? in->nparts : MAX_SLICES,
                                           in->nruns);
  unsigned n = choose_cuts(mem, nmem, in->nmem, want, cut);
  slice sl[MAX_SLICES];
  int stop = 0;
  memset(sl, 0, sizeof sl);
  for (unsigned i = 0; i < n; i++) {
    sl[i] = (slice){.in = in, .mem = mem, .nmem = nmem, .stop = &stop};
    sl[i].lo = i ? cut[i - 1] : NULL;
    sl[i].hi = i + 1 < n ? cut[i] : NULL;
  }
  td_status rc = merge_slices(sl, n, in, out, lw, err);
  for (unsigned i = 0; i < n; i++) {
    if (!rc) {
      res->crc = i ? (uint32_t)crc32_combine(res->crc, sl[i].crc, (z_off_t)sl[i].bytes) : sl[i].crc;
      res->bytes += sl[i].bytes;
      res->nterms += sl[i].nterms;
      res->npostings += sl[i].npostings;
    }
    /* A slice file that fails to close says the device is failing. */
    if (sl[i].out && fclose(sl[i].out) != 0 && !rc)
      rc = td_fail(err, TD_EIO, "cannot write a merged slice of %s: %s", in->target,
                   strerror(errno));
    td_buf_free(&sl[i].lex);
  }
  return rc;
}
