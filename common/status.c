/*
** status.c - construction of td_error values.
*/
#include "status.h"

#include <stdarg.h>
#include <stdio.h>

td_status td_fail(td_error *err, td_status code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

void td_error_clear(td_error *err) {
  if (err) {
    err->code = TD_OK;
    err->msg[0] = '\0';
  }
}

const char *td_status_name(td_status code) {
  switch (code) {
    case TD_OK: return "ok";
    case TD_ENOMEM: return "out of memory";
    case TD_EIO: return "input/output error";
    case TD_ECORRUPT: return "corrupt index";
    case TD_EINPUT: return "unusable input";
    case TD_EQUERY: return "bad query";
    case TD_EINVAL: return "invalid argument";
    case TD_ELIMIT: return "limit exceeded";
  }
  return "unknown error";
}
