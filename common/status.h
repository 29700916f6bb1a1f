/*
** status.h - error values shared by every module of the tidings library.
**
** Errors are values: a function that can fail returns a td_status and, when
** it fails, fills a caller-owned td_error with a sentence that names the file,
** the line or the query column involved and says what the user can do.  The
** library never prints and never exits; the front ends decide what to show.
*/
#ifndef TD_STATUS_H
#define TD_STATUS_H

#include <stddef.h>

typedef enum td_status {
  TD_OK = 0,
  TD_ENOMEM,      /* an allocation failed */
  TD_EIO,         /* a read, write, rename or open failed (errno in message) */
  TD_ECORRUPT,    /* an index file is damaged: bad magic, checksum, bounds */
  TD_EINPUT,      /* a corpus file or record cannot be used as an article */
  TD_EQUERY,      /* the query text is malformed */
  TD_EINVAL,      /* a caller passed an argument outside the contract */
  TD_ELIMIT       /* a size limit was reached (query too long, too many terms) */
} td_status;

typedef struct td_error {
  td_status code;
  char msg[1024];
} td_error;

/* Records CODE and a printf-style message in ERR (which may be NULL) and
** returns CODE, so that failures read as `return td_fail(err, ...)`. */
td_status td_fail(td_error *err, td_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets ERR to TD_OK with an empty message. */
void td_error_clear(td_error *err);

/* A short constant name for CODE ("out of memory", "corrupt index", ...). */
const char *td_status_name(td_status code);

#endif
