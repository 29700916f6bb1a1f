/*
** corpus.h - corpus readers: turn one input file into articles.
**
** Formats, chosen by the name with any ".gz" removed, else by content:
**   *.txt                 one article; title = first non-blank line, body = rest
**   *.trec *.sgml *.sgm   TREC SGML, many <DOC> per file (also any file whose
**                         first non-blank bytes are "<DOC>")
**   *.jsonl               one JSON object per line: id, title, body, and
**                         optional date, source, url
** Any of them may be gzip-compressed (by name *.gz or by the gzip magic).
** Other files are refused with TD_EINPUT and a message in ERR (the caller
** decides whether to warn).  Bad input never stops a file early when the
** rest can be read: a bad record is skipped with a warning naming the file
** and line, and the reader goes on.  Invalid UTF-8 is read as Windows-1252
** (bytes 0x80-0x9F) or Latin-1, with one warning per file.  The one-line
** fields (id, title, date, source, url) are cut at 64 KiB.
*/
#ifndef TD_CORPUS_H
#define TD_CORPUS_H

#include <stddef.h>

#include "article.h"
#include "status.h"

/* Upper bound on one article's text; longer articles are cut there with a
** warning, so one huge record cannot exhaust memory. */
#define TD_MAX_ARTICLE_BYTES (16u << 20)

/* Receives each article.  Return TD_OK to go on; any other status stops the
** reader, which returns that status (the callback keeps its own message). */
typedef td_status (*td_article_fn)(void *ctx, const td_article *a);

/* Receives each warning: the file, the line (0 when not about one line),
** and a sentence saying what was wrong and what was done about it. */
typedef void (*td_warn_fn)(void *ctx, const char *path, long line, const char *msg);

typedef struct td_corpus_counts {
  unsigned long articles;         /* handed to the callback */
  unsigned long records_skipped;  /* malformed records left out */
  unsigned long long bytes;       /* bytes of (uncompressed) input read */
} td_corpus_counts;

/* Reads the file at PATH and calls ON_ARTICLE for each article in it.
** RELNAME is the path below the corpus root, used as the id of .txt
** articles and in generated ids.  COUNTS (may be NULL) is added to.
** Returns TD_OK when the file was read (even if records were skipped),
** TD_EINPUT when the file as a whole was skipped (binary, unknown format,
** unreadable), TD_EIO for read errors, or the callback's failure. */
td_status td_corpus_read_file(const char *path, const char *relname,
                              td_article_fn on_article, td_warn_fn on_warn,
                              void *ctx, td_corpus_counts *counts, td_error *err);

/* Normalises a date written in a common form ("26-FEB-1987 15:01:01.79",
** "1987-02-26", "2018-07-27T10:00:00Z", "Feb 26, 1987", "26 February 1987",
** "Thu, 26 Feb 1987 ...") to "YYYY-MM-DD" in OUT[11]; returns 1 on success,
** 0 when the text is not a date it recognises. */
int td_date_normalize(const char *text, size_t len, char out[11]);

#endif
