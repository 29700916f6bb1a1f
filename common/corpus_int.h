/*
** corpus_int.h - what the corpus readers (corpus_txt.c, corpus_trec.c,
** corpus_jsonl.c) share with the dispatcher in corpus.c.  Not installed.
**
** A reader pulls the decompressed file as lines through td_cr_next(),
** collects each record's raw fields in capped buffers, and hands them to
** td_cr_emit(), which repairs, trims and normalises them and calls the
** user's callback.  Nothing here ever holds more than one record plus one
** read buffer, so memory stays bounded whatever the size of the file.
*/
#ifndef TD_CORPUS_INT_H
#define TD_CORPUS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "corpus.h"

/* Cap on each of the id, title, date, source and url of one record; the
** body has TD_MAX_ARTICLE_BYTES. */
#define TD_CR_META_MAX (64u << 10)

/* A growable buffer that silently stops growing at LIMIT bytes and
** remembers that it did (CUT), so a reader can go on scanning for the end
** of a record whose text it no longer keeps. */
typedef struct td_cr_acc {
  char *data;
  size_t len, alloc, limit;
  int cut;
} td_cr_acc;

#define TD_CR_ACC(limit) {NULL, 0, 0, (limit), 0}

/* Appends N bytes, or as many as fit under the limit without splitting a
** UTF-8 sequence; TD_ENOMEM only when memory runs out. */
td_status td_cr_put(td_cr_acc *a, const char *p, size_t n);
void td_cr_reset(td_cr_acc *a);
void td_cr_free(td_cr_acc *a);

/* One line of input, or a piece of one when the line is longer than the read
** buffer (MORE is then set and the line goes on in the next piece).  A
** trailing "\r\n" or "\n" is not included.  LINE is 1-based. */
typedef struct td_cr_piece {
  const char *p;
  size_t n;
  long line;
  int more;
} td_cr_piece;

/* The article fields, in the order td_cr_raw.cut numbers them. */
enum { TD_CR_ID, TD_CR_TITLE, TD_CR_DATE, TD_CR_SOURCE, TD_CR_URL, TD_CR_BODY, TD_CR_NFIELDS };

/* A record as a reader found it: raw bytes, possibly invalid UTF-8. */
typedef struct td_cr_raw {
  td_article a;
  long line;      /* where the record starts, for warnings */
  unsigned cut;   /* bit (1 << TD_CR_xxx) set for each field cut at its cap */
} td_cr_raw;

/* The state of reading one file. */
typedef struct td_cr_src {
  const char *path, *relname;
  td_article_fn on_article;
  td_warn_fn on_warn;
  void *ctx;
  td_error *err;
  td_corpus_counts counts;  /* this file alone; added to the caller's at the end */
  int fd;                   /* the file, read as it is unless GZ is set */
  gzFile gz;                /* zlib's reader on FD, for a gzip-compressed file */
  char *buf;                /* read buffer: unread input is buf[pos..end) */
  size_t pos, end, size;
  long line;                /* number of the line td_cr_next returns next */
  int eof;
  int zerr;                 /* zlib error that ended the input early, or Z_OK */
  char zmsg[256];
  int latin1_warned;
  td_cr_acc fix[TD_CR_NFIELDS];  /* repaired copies of the current record's fields */
  char date[11];
} td_cr_src;

/* Next line or piece of line; 0 at the end of the input (or where damage
** in a compressed file ends it early, which sets ZERR). */
int td_cr_next(td_cr_src *s, td_cr_piece *pc);

/* Repairs R's fields, caps them, trims the body's blank lines, collapses
** white space in the others (all one-line), normalises the date, warns about
** Latin-1 (once per file) and about cut fields, and calls the article
** callback; returns the callback's status or TD_ENOMEM. */
td_status td_cr_emit(td_cr_src *s, const td_cr_raw *r);

/* Sends a warning about LINE (0: the whole file) to the warning callback. */
void td_cr_warn(td_cr_src *s, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fails with TD_ENOMEM and a message naming the file. */
td_status td_cr_nomem(td_cr_src *s);

/* Length of the longest prefix of [P, P+N) that is valid UTF-8 without
** control characters (tab and newline allowed when KEEP_TABNL). */
size_t td_cr_clean_prefix(const char *p, size_t n, int keep_tabnl);

/* Appends a repaired copy of [P, P+N) to OUT: invalid UTF-8 bytes are read
** as Latin-1 (the first time in a file, with a warning naming LINE, where
** the record starts), control characters become spaces. */
td_status td_cr_repair(td_cr_src *s, long line, td_cr_acc *out, const char *p, size_t n,
                       int keep_tabnl);

/* 1 when [P, P+N) holds only white space and control characters (C1 ones
** included), which is to say it would be empty once repaired and trimmed. */
int td_cr_blank(const char *p, size_t n);

/* The readers, one per format, called with the file open and unread. */
td_status td_cr_read_txt(td_cr_src *s);
td_status td_cr_read_trec(td_cr_src *s);
td_status td_cr_read_jsonl(td_cr_src *s);

#endif
