/*
** invert.c - in-memory inversion with an open-addressing term table.
**
** The tokens of the document being added are noted in order (occ[]) and, at
** the end of the document, chained per term, so that each term's positions
** come out in order without sorting; the table maps a term to its slot with
** one hash probe sequence.
*/
#include "invert.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "codec.h"
#include "hash.h"
#include "lexicon.h"

typedef struct term {
  char *str;               /* in the arena */
  uint32_t len;
  uint32_t df;
  uint32_t hash;
  uint32_t stamp;          /* docid + 1 of the last document seen */
  uint32_t last_doc;       /* last docid written to the chunk */
  int32_t head, tail;      /* occurrence chain in the current document */
  uint32_t tf;             /* its length */
  td_buf chunk;            /* grown by chunk_reserve only: up to BLOCK_MAX
                              it is a slab block, never malloc's */
} term;

/* A table slot keeps the hash beside the index, so that a probe touches
** the term itself only when the hashes agree. */
typedef struct slot {
  uint32_t hash;
  uint32_t idx;            /* term index + 1 */
} slot;

typedef struct occ {
  uint32_t pos;
  uint32_t term;           /* its index */
  int32_t next;            /* the term's next occurrence in the document */
} occ;

/* Chunk memory.  Every term's chunk grows by doubling, and most terms are
** rare: through malloc, each of the many small growths was a call, and
** fresh heap came 4 KB per page fault.  Chunks of up to 2^CLASS_MAX bytes
** are instead cut from slabs of SLAB_BYTES, which the kernel is asked to
** back with huge pages (one fault for 512), and the block a chunk grows out
** of waits on a free list of its size for another term.  Larger chunks stay
** with malloc, where the unwritten end of a chunk's capacity is never
** touched; in a slab it would be, and with 128 KB blocks instead of 4 KB
** the synthetic corpus' -j 2 build took 31 MB more (of 291).  A reset
** keeps the slabs for the next chunks. */
#define SLAB_BYTES ((size_t)2 << 20)
#define CLASS_MIN 6               /* a chunk's first block: 64 bytes */
#define CLASS_MAX 12              /* 4 KB */
#define BLOCK_MAX ((size_t)1 << CLASS_MAX)

typedef struct arena_block {
  struct arena_block *next;
  size_t used, cap;
  char data[];
} arena_block;

struct td_inverter {
  term *terms;
  size_t nterms, termcap;
  slot *slots;             /* open addressing; idx 0 = empty */
  size_t nslots;
  arena_block *arena;
  size_t arena_bytes;
  uint8_t **slabs;         /* SLAB_BYTES each, 2 MB aligned */
  size_t nslabs, slabcap;
  size_t live_slabs;       /* slabs cut since the last reset */
  size_t slab_at;          /* bytes cut from slabs[live_slabs - 1] */
  void *free_blocks[CLASS_MAX + 1];  /* by size class, linked through them */
  size_t large_bytes;      /* capacity of the chunks above BLOCK_MAX */
  occ *occs;
  size_t nocc, occcap;
  uint32_t *doc_terms;     /* terms of the current document, first-seen order */
  size_t ndoc_terms, doc_termcap;
  uint32_t generation;     /* of term numbers: a memo of another is stale */
  td_chunk *sorted;
  size_t sortedcap;
  int sorted_fresh;        /* SORTED matches the chunks (nothing added since) */
};

td_status td_inverter_new(td_inverter **out) {
  td_inverter *v = calloc(1, sizeof *v);
  if (!v) return TD_ENOMEM;
  v->nslots = 1 << 16;
  v->generation = 1;
  v->slots = calloc(v->nslots, sizeof *v->slots);
  if (!v->slots) {
    free(v);
    return TD_ENOMEM;
  }
  *out = v;
  return TD_OK;
}

static void free_arena(td_inverter *v) {
  while (v->arena) {
    arena_block *n = v->arena->next;
    free(v->arena);
    v->arena = n;
  }
  v->arena_bytes = 0;
}

void td_inverter_reset(td_inverter *v) {
  v->sorted_fresh = 0;
  v->generation++;
  for (size_t i = 0; i < v->nterms; i++)
    if (v->terms[i].chunk.cap > BLOCK_MAX) free(v->terms[i].chunk.data);
  v->nterms = 0;
  v->live_slabs = 0;
  v->large_bytes = 0;
  memset(v->free_blocks, 0, sizeof v->free_blocks);
  memset(v->slots, 0, v->nslots * sizeof *v->slots);
  free_arena(v);
}

void td_inverter_free(td_inverter *v) {
  if (!v) return;
  td_inverter_reset(v);
  for (size_t i = 0; i < v->nslabs; i++) free(v->slabs[i]);
  free(v->slabs);
  free(v->terms);
  free(v->slots);
  free(v->occs);
  free(v->doc_terms);
  free(v->sorted);
  free(v);
}

static char *arena_copy(td_inverter *v, const char *s, size_t n) {
  if (!v->arena || v->arena->cap - v->arena->used < n) {
    size_t cap = n > 65536 ? n : 65536;
    arena_block *b = malloc(sizeof *b + cap);
    if (!b) return NULL;
    b->next = v->arena;
    b->used = 0;
    b->cap = cap;
    v->arena = b;
    v->arena_bytes += sizeof *b + cap;
  }
  char *p = v->arena->data + v->arena->used;
  memcpy(p, s, n);
  v->arena->used += n;
  return p;
}

/* Starts cutting the next slab, allocating it if no reset left one. */
static int next_slab(td_inverter *v) {
  if (v->live_slabs == v->nslabs) {
    if (td_grow(&v->slabs, &v->slabcap, v->nslabs + 1, sizeof *v->slabs, 16)) return 0;
    uint8_t *p = aligned_alloc(SLAB_BYTES, SLAB_BYTES);
    if (!p) return 0;
#ifdef MADV_HUGEPAGE
    /* Only advice: where huge pages are off, the slab works the same. */
    (void)madvise(p, SLAB_BYTES, MADV_HUGEPAGE);
#endif
    v->slabs[v->nslabs++] = p;
  }
  v->live_slabs++;
  v->slab_at = 0;
  return 1;
}

static void block_put(td_inverter *v, uint8_t *p, unsigned k) {
  memcpy(p, &v->free_blocks[k], sizeof(void *));
  v->free_blocks[k] = p;
}

/* A block of 2^K bytes (K <= CLASS_MAX), or NULL when out of memory. */
static uint8_t *block_get(td_inverter *v, unsigned k) {
  uint8_t *p = v->free_blocks[k];
  if (p) {
    memcpy(&v->free_blocks[k], p, sizeof(void *));
    return p;
  }
  size_t n = (size_t)1 << k;
  if ((!v->live_slabs || SLAB_BYTES - v->slab_at < n) && !next_slab(v)) return NULL;
  p = v->slabs[v->live_slabs - 1] + v->slab_at;
  v->slab_at += n;
  return p;
}

/* Makes room for NEED more bytes in T's chunk, doubling its capacity from
** 2^CLASS_MIN; blocks up to BLOCK_MAX come from the slabs. */
static td_status chunk_reserve(td_inverter *v, term *t, size_t need) {
  td_buf *c = &t->chunk;
  if (c->cap - c->len >= need) return TD_OK;
  size_t cap = c->cap ? c->cap : (size_t)1 << CLASS_MIN;
  while (cap - c->len < need) cap *= 2;
  uint8_t *p;
  if (c->cap > BLOCK_MAX) {
    if (!(p = realloc(c->data, cap))) return TD_ENOMEM;
    v->large_bytes += cap - c->cap;
  } else {
    p = cap <= BLOCK_MAX ? block_get(v, (unsigned)__builtin_ctzll(cap)) : malloc(cap);
    if (!p) return TD_ENOMEM;
    if (cap > BLOCK_MAX) v->large_bytes += cap;
    if (c->len) memcpy(p, c->data, c->len);
    if (c->cap) block_put(v, c->data, (unsigned)__builtin_ctzll(c->cap));
  }
  c->data = p;
  c->cap = cap;
  return TD_OK;
}

static td_status grow_slots(td_inverter *v) {
  size_t n = v->nslots * 2;
  slot *s = calloc(n, sizeof *s);
  if (!s) return TD_ENOMEM;
  for (size_t i = 0; i < v->nterms; i++) {
    size_t j = v->terms[i].hash & (n - 1);
    while (s[j].idx) j = (j + 1) & (n - 1);
    s[j] = (slot){v->terms[i].hash, (uint32_t)i + 1};
  }
  free(v->slots);
  v->slots = s;
  v->nslots = n;
  return TD_OK;
}

/* Finds TERM's index, adding it when new; -1 when out of memory. */
static int64_t lookup(td_inverter *v, const char *s, size_t n) {
  uint32_t h = td_hash_bytes(s, n);
  size_t j = h & (v->nslots - 1);
  for (; v->slots[j].idx; j = (j + 1) & (v->nslots - 1)) {
    if (v->slots[j].hash != h) continue;
    term *t = &v->terms[v->slots[j].idx - 1];
    if (t->len == n && memcmp(t->str, s, n) == 0) return v->slots[j].idx - 1;
  }
  if (td_grow(&v->terms, &v->termcap, v->nterms + 1, sizeof *v->terms, 4096)) return -1;
  term *t = &v->terms[v->nterms];
  memset(t, 0, sizeof *t);
  if (!(t->str = arena_copy(v, s, n))) return -1;
  t->len = (uint32_t)n;
  t->hash = h;
  v->slots[j] = (slot){h, (uint32_t)++v->nterms};
  if (v->nterms * 2 > v->nslots && grow_slots(v)) return -1;
  return (int64_t)v->nterms - 1;
}

/* A token only notes its term and position, and starts fetching the term:
** a rare word's entry is a cache miss, and by the end of the document the
** entries of all its words have been on their way at once. */
td_status td_inverter_token(td_inverter *v, const char *s, size_t len, uint32_t pos,
                            uint64_t *memo) {
  int64_t ti;
  if (memo && *memo >> 32 == v->generation) {
    ti = (uint32_t)*memo;
  } else {
    if ((ti = lookup(v, s, len)) < 0) return TD_ENOMEM;
    if (memo) *memo = (uint64_t)v->generation << 32 | (uint64_t)ti;
  }
  if (v->nocc == v->occcap && td_grow(&v->occs, &v->occcap, v->nocc + 1, sizeof *v->occs, 4096))
    return TD_ENOMEM;
  __builtin_prefetch(&v->terms[ti], 1);
  v->occs[v->nocc++] = (occ){pos, (uint32_t)ti, -1};
  return TD_OK;
}

/* Chains the document's occurrences per term, in position order, and lists
** its terms in first-seen order. */
static td_status chain_occurrences(td_inverter *v, uint32_t docid) {
  for (size_t k = 0; k < v->nocc; k++) {
    term *t = &v->terms[v->occs[k].term];
    if (t->stamp != docid + 1) {
      if (v->ndoc_terms == v->doc_termcap &&
          td_grow(&v->doc_terms, &v->doc_termcap, v->ndoc_terms + 1,
                  sizeof *v->doc_terms, 1024))
        return TD_ENOMEM;
      v->doc_terms[v->ndoc_terms++] = v->occs[k].term;
      t->stamp = docid + 1;
      t->head = t->tail = (int32_t)k;
      t->tf = 1;
    } else {
      v->occs[t->tail].next = (int32_t)k;
      t->tail = (int32_t)k;
      t->tf++;
    }
  }
  return TD_OK;
}

td_status td_inverter_end_doc(td_inverter *v, uint32_t docid) {
  v->sorted_fresh = 0;
  td_status rc = chain_occurrences(v, docid);
  if (rc) return rc;
  for (size_t i = 0; i < v->ndoc_terms; i++) {
    term *t = &v->terms[v->doc_terms[i]];
    uint32_t tf = t->tf;
    if (chunk_reserve(v, t, (size_t)(tf + 2) * TD_VARINT_MAX)) return TD_ENOMEM;
    uint8_t *p = t->chunk.data + t->chunk.len;
    p += td_varint_put(p, t->df ? docid - t->last_doc - 1 : docid);
    p += td_varint_put(p, tf);
    uint32_t prev = 0;
    for (int32_t k = t->head; k >= 0; k = v->occs[k].next) {
      p += td_varint_put(p, v->occs[k].pos - prev);
      prev = v->occs[k].pos;
    }
    t->chunk.len = (size_t)(p - t->chunk.data);
    t->df++;
    t->last_doc = docid;
  }
  v->ndoc_terms = 0;
  v->nocc = 0;
  return TD_OK;
}

size_t td_inverter_spillable(const td_inverter *v) {
  size_t cut = v->live_slabs ? (v->live_slabs - 1) * SLAB_BYTES + v->slab_at : 0;
  return cut + v->large_bytes + v->arena_bytes;
}

/* Slab memory counts as it is cut, not a whole slab at once: with a small
** budget over many lanes (2 MB each for --memory 16 with -j 8), a lane
** that counted its first slab whole would spill after every document. */
size_t td_inverter_memory(const td_inverter *v) {
  return td_inverter_spillable(v) + v->termcap * sizeof(term) + v->nslots * sizeof(slot) +
         v->occcap * sizeof(occ);
}

static int compare_chunks(const void *a, const void *b) {
  const td_chunk *x = a, *y = b;
  return td_term_cmp(x->term, x->len, y->term, y->len);
}

/* A term's place in the sort: its first 8 bytes as a big-endian number,
** zero-padded, and its number.  A term before another never has the larger
** key; terms with equal keys are then ordered by comparison. */
typedef struct keyed {
  uint64_t key;
  uint32_t idx;
} keyed;

static uint64_t prefix_key(const char *s, size_t n) {
  uint64_t k = 0;
  for (size_t i = 0; i < 8; i++) k = k << 8 | (i < n ? (unsigned char)s[i] : 0u);
  return k;
}

/* Sorts A[0..N) by key, a byte at a time from the lowest, using TMP as
** much room again; a byte that all keys share is passed over.  Returns
** whichever of the two arrays holds the result. */
static keyed *radix_sort(keyed *a, keyed *tmp, size_t n) {
  for (unsigned shift = 0; shift < 64; shift += 8) {
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++) count[(a[i].key >> shift & 0xff) + 1]++;
    if (count[(a[0].key >> shift & 0xff) + 1] == n) continue;
    for (int d = 0; d < 256; d++) count[d + 1] += count[d];
    for (size_t i = 0; i < n; i++) tmp[count[a[i].key >> shift & 0xff]++] = a[i];
    keyed *t = a;
    a = tmp;
    tmp = t;
  }
  return a;
}

/* The terms in td_term_cmp order: by their first 8 bytes with a radix
** sort, then, among the few that share those, by comparison.  qsort
** comparing whole terms took 3% of indexing 20 Newsgroups single-threaded
** and, at the end of each lane of a threaded build, 20 ms. */
td_status td_inverter_sorted(td_inverter *v, const td_chunk **out, size_t *n) {
  *out = v->sorted;
  *n = v->nterms;
  if (v->sorted_fresh) return TD_OK;
  if (v->nterms > v->sortedcap) {
    td_chunk *s = realloc(v->sorted, v->nterms * sizeof *s);
    if (!s) return TD_ENOMEM;
    v->sorted = s;
    v->sortedcap = v->nterms;
  }
  keyed *keys = malloc((2 * v->nterms + 1) * sizeof *keys);
  if (!keys) return TD_ENOMEM;
  for (size_t i = 0; i < v->nterms; i++)
    keys[i] = (keyed){prefix_key(v->terms[i].str, v->terms[i].len), (uint32_t)i};
  const keyed *order = v->nterms ? radix_sort(keys, keys + v->nterms, v->nterms) : keys;
  for (size_t j = 0; j < v->nterms; j++) {
    term *t = &v->terms[order[j].idx];
    v->sorted[j] = (td_chunk){t->str, t->len, t->df, t->chunk.data, t->chunk.len};
  }
  for (size_t j = 0; j < v->nterms;) {
    size_t e = j + 1;
    while (e < v->nterms && order[e].key == order[j].key) e++;
    if (e - j > 1) qsort(v->sorted + j, e - j, sizeof *v->sorted, compare_chunks);
    j = e;
  }
  free(keys);
  v->sorted_fresh = 1;
  *out = v->sorted;
  *n = v->nterms;
  return TD_OK;
}
