/*
** format.h - the on-disk index format, version 3.
**
** An index is ONE file, built under a temporary name beside its final path
** and renamed over it only when complete, so a reader sees the old index or
** the new one, never a mix, and a killed build never costs the old index.
** All integers are little-endian.  docs/FORMAT.md is the prose version.
**
**   offset 0        td_header (64 bytes) + td_section[TD_MAX_SECTIONS]
**   TD_DATA_START   sections, each 8-byte aligned, in the order they are
**                   written: BODIES, BODYDICT, BODYIDX, SUMMARIES, SUMDICT,
**                   SUMIDX, IDS, IDSIDX, DOCTAB, POSTINGS, LEXICON, LEXIDX,
**                   META
**
** Checksums are CRC-32 (zlib's polynomial, computed with libdeflate).  The
** header and section table carry their own CRC; each section has a
** whole-section CRC in the table (verified at open for the small sections
** (all but BODIES, SUMMARIES, POSTINGS and LEXICON) and by --check for
** all); the big sections are also checked piece by piece when a piece is
** read: each lexicon block, each postings block (docs and positions
** separately) and each stored-document block carries its own CRC, so a
** damaged byte anywhere is reported when the damaged part is used.
*/
#ifndef TD_FORMAT_H
#define TD_FORMAT_H

#include <stdint.h>

#define TD_MAGIC "TIDINGS1"          /* 8 bytes, no NUL */
/* 2: term and block score maxima use the Robertson-Sparck Jones idf
**    (score.h); version 1 files had Lucene's, and are refused.
** 3: bit-packed runs may be patched (codec.h).  Version 2 files, whose
**    runs are all plain, are still read. */
#define TD_FORMAT_VERSION 3u
#define TD_FORMAT_OLDEST 2u          /* the oldest version a reader takes */
#define TD_MAX_SECTIONS 16u
#define TD_DATA_START 4096u

enum td_section_id {
  TD_SEC_META = 1,      /* td_meta: collection statistics and settings */
  TD_SEC_DOCTAB = 2,    /* td_docent[ndocs]: lengths for BM25 and title:  */
  TD_SEC_BODIES = 3,    /* body store: zstd frames of article texts */
  TD_SEC_BODYIDX = 4,   /* td_docblk[nframes]: where each body frame is */
  TD_SEC_POSTINGS = 5,  /* per term: skip table, doc blocks, position blocks */
  TD_SEC_LEXICON = 6,   /* front-coded blocks of terms, sorted bytewise */
  TD_SEC_LEXIDX = 7,    /* td_lexblk[nblocks]: where each lexicon block is */
  TD_SEC_BODYDICT = 8,  /* zstd dictionary of the body frames (may be empty) */
  TD_SEC_SUMMARIES = 9, /* summary store: frames of title, date, source, url */
  TD_SEC_SUMIDX = 10,   /* td_docblk[nframes] of the summary store */
  TD_SEC_SUMDICT = 11,  /* zstd dictionary of the summary frames (may be empty) */
  TD_SEC_IDS = 12,      /* external ids, front-coded (idmap.h) */
  TD_SEC_IDSIDX = 13    /* td_lexblk per block of ids */
};
#define TD_SEC_LAST TD_SEC_IDSIDX

typedef struct td_header {
  char magic[8];           /* TD_MAGIC */
  uint32_t version;        /* TD_FORMAT_VERSION */
  uint32_t nsections;      /* used entries of the section table */
  uint64_t file_size;      /* the whole file: a shorter file is truncated */
  uint32_t table_crc;      /* CRC of the section table (all TD_MAX_SECTIONS) */
  uint32_t header_crc;     /* CRC of the 64 header bytes with this field 0 */
  uint8_t reserved[32];
} td_header;

typedef struct td_section {
  uint32_t id;             /* td_section_id */
  uint32_t crc;            /* CRC of the section's bytes */
  uint64_t offset;         /* from the start of the file */
  uint64_t length;
} td_section;

/* META: fixed-size statistics and the settings queries must reproduce. */
typedef struct td_meta {
  uint64_t ndocs;
  uint64_t nterms;
  uint64_t total_len;      /* sum of td_docent.len: BM25's average length */
  uint64_t npostings;
  uint64_t input_bytes;    /* corpus bytes read, for the summary */
  int64_t created;         /* Unix time */
  float k1, b;             /* BM25 parameters the block maxima were computed with */
  uint32_t title_weight;   /* a title occurrence counts as this many body ones */
  uint32_t body_per_block;    /* articles per body frame */
  uint32_t summary_per_block; /* articles per summary frame */
  char lang[32];           /* analyzer language, NUL-terminated */
  uint8_t reserved[60];
} td_meta;

/* DOCTAB: one entry per document, indexed by docid (0-based, in input
** order).  Title tokens take positions [0, title_len); body tokens start at
** title_len + 1, so no phrase spans the title and the body. */
typedef struct td_docent {
  uint32_t len;            /* BM25 length: body tokens + title_weight * title
                              tokens, stopwords left out (stopwords.h) */
  uint32_t title_len;      /* title tokens */
} td_docent;

/* BODYIDX, SUMIDX: frame i of a store holds docids [i*per_block, ...). */
typedef struct td_docblk {
  uint64_t offset;         /* within DOCSTORE */
  uint32_t clen;           /* compressed bytes */
  uint32_t ulen;           /* uncompressed bytes */
  uint32_t crc;            /* CRC of the compressed bytes */
  uint32_t pad;
} td_docblk;
/* A store frame is a zstd frame, compressed with the store's dictionary
** section as dictionary when that section is not empty.  It decompresses
** to, per document, the varint lengths of the store's fields (summary:
** title, date, source, url; body: body) followed by the byte strings.  zstd rather than zlib: on news text it
** is several times faster to compress and, with a dictionary trained on the
** collection's first articles, 15-20% smaller in blocks small enough for
** quick random access (see docs/FORMAT.md). */

/* LEXIDX: lexicon block i; IDSIDX: id block i (TD_IDS_PER_BLOCK ids, each
** varint shared, varint suffix_len, suffix bytes). */
typedef struct td_lexblk {
  uint64_t offset;         /* within LEXICON */
  uint32_t length;
  uint32_t crc;
} td_lexblk;
/* A lexicon block holds up to TD_LEX_BLOCK_TERMS terms, sorted bytewise:
**   varint nterms, then per term:
**   varint shared (bytes in common with the previous term; 0 for the first)
**   varint suffix_len, suffix bytes,
**   varint df, varint postings offset (within POSTINGS, delta from the
**   previous term of the block; absolute for the first), uint16 max_score
**   (the largest BM25 contribution of the term as the top 16 bits of a
**   float32, rounded up so that it stays an upper bound). */
#define TD_LEX_BLOCK_TERMS 32

/* POSTINGS, per term at its offset (all reads use memcpy: no alignment):
**   varint doc_bytes        total bytes of the doc blocks
**   varint pos_bytes        total bytes of the position blocks
**   td_skip[nblocks]        nblocks = ceil(df / TD_BLOCK) when above 1;
**                           a one-block term (most terms) has instead a
**                           uint32 CRC of its doc and position bytes
**                           together, its bound being in the lexicon
**   doc blocks              block j holds n = min(TD_BLOCK, df - j*TD_BLOCK)
**                           documents: the first docid gap as a varint, the
**                           n-1 others bit-packed (none when n is 1),
**                           bit-packed tf-1, bit-packed title tf
**                           (occurrences in the title, part of tf).  The first gap of block j is
**                           docid - skip[j-1].last_docid - 1 (the term's very
**                           first: the docid itself); the others docid -
**                           previous - 1.
**   position blocks         block j: its documents' positions in order, each
**                           document's as gaps (the first from 0), bit-packed
**                           in runs of TD_BLOCK values.
*/
typedef struct td_skip {
  uint32_t last_docid;     /* the block's last document */
  uint32_t doc_off;        /* block start, from the end of the skip table */
  uint32_t pos_off;        /* positions start, from the end of the doc blocks */
  float max_score;         /* upper bound of the block's BM25 contributions */
  uint32_t doc_crc;        /* CRC of the doc block bytes */
  uint32_t pos_crc;        /* CRC of the position block bytes */
} td_skip;

#endif
