/*
** fault_shim.c - an LD_PRELOAD library that makes file writes fail, to test
** what the indexer does on a full disk or a failing device.
**
**   cc -shared -fPIC -o fault_shim.so tests/fault_shim.c -ldl -lpthread
**   TD_FAULT_AFTER_BYTES=100000 LD_PRELOAD=./fault_shim.so bin/indexer -o x.idx corpus/
**
** Only files the program opens for writing are affected (through fopen,
** open, openat or creat, with a write mode or flag), never standard output
** or error, and of those only the ones whose path contains TD_FAULT_PATH
** when it is set.  Controls, all optional:
**
**   TD_FAULT_AFTER_BYTES=N  the write that would take the bytes written to
**                           affected files past N writes what still fits and
**                           reports it (a short write); every later write,
**                           fflush, fclose, fsync and fdatasync of an affected
**                           file fails.  Counts fwrite, fputc/putc, fputs,
**                           write, pwrite and copy_file_range.
**   TD_FAULT_FUNC=F and TD_FAULT_CALL=K
**                           the K-th call (1-based) of F fails, F one of
**                           write (any of the write functions above), fsync
**                           (fsync or fdatasync), fflush, fclose, rename.
**                           rename counts every call, whatever the path.
**   TD_FAULT_ERRNO=ENOSPC   the error reported: ENOSPC (default), EIO, EDQUOT.
**   TD_FAULT_VERBOSE=1      say on stderr when a fault is injected.
**
** A failing fclose still closes the stream (as a real one does), so no
** descriptor leaks.  Programs built with AddressSanitizer need
** ASAN_OPTIONS=verify_asan_link_order=0 to accept a preloaded library.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FD 65536

enum { F_NONE, F_WRITE, F_FSYNC, F_FFLUSH, F_FCLOSE, F_RENAME };

static struct {
  int ready;
  long long budget;          /* TD_FAULT_AFTER_BYTES, -1 when unset */
  long long written;
  int exhausted;             /* the budget ran out: everything fails now */
  int func;                  /* one of the F_ values below */
  long call;                 /* TD_FAULT_CALL */
  long calls[F_RENAME + 1];  /* calls so far, per function */
  int err;
  int verbose;
  const char *path;          /* TD_FAULT_PATH */
  unsigned char tracked[MAX_FD];
} S;

static FILE *(*real_fopen)(const char *, const char *);
static FILE *(*real_fopen64)(const char *, const char *);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_creat)(const char *, mode_t);
static int (*real_close)(int);
static size_t (*real_fwrite)(const void *, size_t, size_t, FILE *);
static int (*real_fputc)(int, FILE *);
static int (*real_putc)(int, FILE *);
static int (*real_fputs)(const char *, FILE *);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static int (*real_fflush)(FILE *);
static int (*real_fclose)(FILE *);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_rename)(const char *, const char *);
static ssize_t (*real_copy_file_range)(int, off_t *, int, off_t *, size_t, unsigned);

#define LOAD(name) (real_##name = (__typeof__(real_##name))dlsym(RTLD_NEXT, #name))

__attribute__((constructor)) static void init(void) {
  LOAD(fopen); LOAD(fopen64); LOAD(open); LOAD(open64); LOAD(openat); LOAD(creat);
  LOAD(close); LOAD(fwrite); LOAD(fputc); LOAD(putc); LOAD(fputs); LOAD(write);
  LOAD(pwrite); LOAD(pwrite64); LOAD(fflush); LOAD(fclose); LOAD(fsync);
  LOAD(fdatasync); LOAD(rename); LOAD(copy_file_range);
  const char *v = getenv("TD_FAULT_AFTER_BYTES");
  S.budget = v && *v ? atoll(v) : -1;
  v = getenv("TD_FAULT_FUNC");
  static const char *const names[] = {"", "write", "fsync", "fflush", "fclose", "rename"};
  for (int i = 1; v && i <= F_RENAME; i++)
    if (strcmp(v, names[i]) == 0) S.func = i;
  v = getenv("TD_FAULT_CALL");
  S.call = v && *v ? atol(v) : 1;
  v = getenv("TD_FAULT_ERRNO");
  S.err = !v || strcmp(v, "ENOSPC") == 0 ? ENOSPC : strcmp(v, "EIO") == 0 ? EIO
          : strcmp(v, "EDQUOT") == 0 ? EDQUOT : ENOSPC;
  S.verbose = getenv("TD_FAULT_VERBOSE") != NULL;
  v = getenv("TD_FAULT_PATH");
  S.path = v && *v ? v : NULL;
  S.ready = 1;
}

static void say(const char *what, long n) {
  if (!S.verbose) return;
  char msg[160];
  int len = snprintf(msg, sizeof msg, "fault_shim: failing %s #%ld with %s\n", what, n,
                     strerror(S.err));
  if (len > 0 && real_write) real_write(2, msg, (size_t)len);
}

/* The indexer writes from several threads: the counters are shared. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Whether the call of FUNC being made is the chosen one; counts it. */
static int chosen(int func, const char *name) {
  if (!S.ready || S.func != func) return 0;
  pthread_mutex_lock(&lock);
  long n = ++S.calls[func];
  pthread_mutex_unlock(&lock);
  if (n != S.call) return 0;
  say(name, n);
  return 1;
}

static int tracked_fd(int fd) { return S.ready && fd >= 3 && fd < MAX_FD && S.tracked[fd]; }
static int tracked(FILE *f) { return f && tracked_fd(fileno(f)); }

static void track(int fd, const char *path, int writing) {
  if (fd < 0 || fd >= MAX_FD) return;
  S.tracked[fd] = writing && (!S.path || (path && strstr(path, S.path)));
}

static int writes_flags(int flags) { return (flags & O_ACCMODE) != O_RDONLY; }
static int writes_mode(const char *m) { return m && (strchr(m, 'w') || strchr(m, 'a') || strchr(m, '+')); }

/* How many of N bytes a write to an affected file may do: N, fewer (a
** short write, at the budget), or -1 (fail with S.err). */
static long long allow(size_t n) {
  if (chosen(F_WRITE, "write")) return -1;
  if (S.budget < 0) return (long long)n;
  pthread_mutex_lock(&lock);
  long long room = S.exhausted ? -1 : S.budget - S.written;
  if (room >= 0 && (long long)n <= room) {
    S.written += (long long)n;
    room = (long long)n;
  } else if (room >= 0) {
    S.exhausted = 1;
    S.written = S.budget;
    say("write at the byte budget", (long)S.budget);
    if (room == 0) room = -1;
  }
  pthread_mutex_unlock(&lock);
  return room;
}

/* ---- opening ------------------------------------------------------------ */

FILE *fopen(const char *path, const char *mode) {
  FILE *f = real_fopen(path, mode);
  if (f) track(fileno(f), path, writes_mode(mode));
  return f;
}

FILE *fopen64(const char *path, const char *mode) {
  FILE *f = (real_fopen64 ? real_fopen64 : real_fopen)(path, mode);
  if (f) track(fileno(f), path, writes_mode(mode));
  return f;
}

int open(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t m = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
  va_end(ap);
  int fd = real_open(path, flags, m);
  track(fd, path, writes_flags(flags));
  return fd;
}

int open64(const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t m = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
  va_end(ap);
  int fd = (real_open64 ? real_open64 : real_open)(path, flags, m);
  track(fd, path, writes_flags(flags));
  return fd;
}

int openat(int dir, const char *path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t m = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
  va_end(ap);
  int fd = real_openat(dir, path, flags, m);
  track(fd, path, writes_flags(flags));
  return fd;
}

int creat(const char *path, mode_t mode) {
  int fd = real_creat(path, mode);
  track(fd, path, 1);
  return fd;
}

int close(int fd) {
  if (fd >= 0 && fd < MAX_FD) S.tracked[fd] = 0;
  return real_close(fd);
}

/* ---- writing ------------------------------------------------------------ */

size_t fwrite(const void *p, size_t size, size_t n, FILE *f) {
  if (!tracked(f) || size == 0) return real_fwrite(p, size, n, f);
  long long ok = allow(size * n);
  if (ok < 0) {
    errno = S.err;
    return 0;
  }
  size_t items = (size_t)ok / size;
  size_t done = real_fwrite(p, size, items, f);
  if (done == items && items < n) errno = S.err;
  return done;
}

int fputc(int c, FILE *f) {
  if (tracked(f) && allow(1) < 0) {
    errno = S.err;
    return EOF;
  }
  return real_fputc(c, f);
}

int putc(int c, FILE *f) {
  if (tracked(f) && allow(1) < 0) {
    errno = S.err;
    return EOF;
  }
  return real_putc(c, f);
}

int fputs(const char *s, FILE *f) {
  if (!tracked(f)) return real_fputs(s, f);
  size_t n = strlen(s);
  long long ok = allow(n);
  if (ok < 0 || (size_t)ok < n) {
    if (ok > 0) real_fwrite(s, 1, (size_t)ok, f);
    errno = S.err;
    return EOF;
  }
  return real_fputs(s, f);
}

ssize_t write(int fd, const void *p, size_t n) {
  if (!tracked_fd(fd)) return real_write(fd, p, n);
  long long ok = allow(n);
  if (ok < 0) {
    errno = S.err;
    return -1;
  }
  return real_write(fd, p, (size_t)ok);
}

ssize_t pwrite(int fd, const void *p, size_t n, off_t off) {
  if (!tracked_fd(fd)) return real_pwrite(fd, p, n, off);
  long long ok = allow(n);
  if (ok < 0) {
    errno = S.err;
    return -1;
  }
  return real_pwrite(fd, p, (size_t)ok, off);
}

ssize_t pwrite64(int fd, const void *p, size_t n, off_t off) {
  ssize_t (*fn)(int, const void *, size_t, off_t) = real_pwrite64 ? real_pwrite64 : real_pwrite;
  if (!tracked_fd(fd)) return fn(fd, p, n, off);
  long long ok = allow(n);
  if (ok < 0) {
    errno = S.err;
    return -1;
  }
  return fn(fd, p, (size_t)ok, off);
}

/* A copy inside the kernel writes as much as a write does. */
ssize_t copy_file_range(int in, off_t *in_off, int out, off_t *out_off, size_t n,
                        unsigned flags) {
  if (!real_copy_file_range) {
    errno = ENOSYS;
    return -1;
  }
  if (!tracked_fd(out)) return real_copy_file_range(in, in_off, out, out_off, n, flags);
  long long ok = allow(n);
  if (ok < 0) {
    errno = S.err;
    return -1;
  }
  return real_copy_file_range(in, in_off, out, out_off, (size_t)ok, flags);
}

/* ---- flushing, syncing, closing, renaming ------------------------------- */

int fflush(FILE *f) {
  if (tracked(f) && (S.exhausted || chosen(F_FFLUSH, "fflush"))) {
    errno = S.err;
    return EOF;
  }
  return real_fflush(f);
}

int fclose(FILE *f) {
  int fail = tracked(f) && (S.exhausted || chosen(F_FCLOSE, "fclose"));
  if (f) {
    int fd = fileno(f);
    if (fd >= 0 && fd < MAX_FD) S.tracked[fd] = 0;
  }
  int rc = real_fclose(f);
  if (fail) {
    errno = S.err;
    return EOF;
  }
  return rc;
}

int fsync(int fd) {
  if (tracked_fd(fd) && (S.exhausted || chosen(F_FSYNC, "fsync"))) {
    errno = S.err;
    return -1;
  }
  return real_fsync(fd);
}

int fdatasync(int fd) {
  if (tracked_fd(fd) && (S.exhausted || chosen(F_FSYNC, "fdatasync"))) {
    errno = S.err;
    return -1;
  }
  return real_fdatasync(fd);
}

int rename(const char *from, const char *to) {
  if (chosen(F_RENAME, "rename")) {
    errno = S.err;
    return -1;
  }
  return real_rename(from, to);
}
