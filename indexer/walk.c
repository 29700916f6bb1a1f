/*
** walk.c - recursive, sorted, loop-safe corpus walking.
*/
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>

typedef struct seen {
  dev_t dev;
  ino_t ino;
} seen;

typedef struct walker {
  walk_fn fn;
  walk_warn_fn warn;
  void *ctx;
  size_t rootlen;           /* bytes of the root prefix to strip, with its '/' */
  seen *dirs;               /* every folder entered, hashed: none is walked twice */
  size_t ndirs, dircap;     /* dircap a power of two, kept at most half full */
} walker;

/* A folder's entries are kept as their names behind one byte that says
** whether the folder listing called them regular files. */
#define ENTRY_REGULAR 'f'
#define ENTRY_OTHER '?'

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static int walk_dir(walker *w, const char *path, const struct stat *st, int depth);

/* The slot of folder DEV:INO.  A product's low bits depend only on the low
** bits of what was multiplied, so its high half is folded down. */
static size_t seen_slot(const walker *w, dev_t dev, ino_t ino) {
  uint64_t h = ((uint64_t)ino ^ (uint64_t)dev << 40) * 0x9E3779B97F4A7C15ULL;
  size_t j = (size_t)(h ^ h >> 32) & (w->dircap - 1);
  while (w->dirs[j].ino && (w->dirs[j].ino != ino || w->dirs[j].dev != dev))
    j = (j + 1) & (w->dircap - 1);
  return j;
}

/* Records the folder ST; 1 when it was new, 0 when already seen, -1 when
** out of memory.  (Inode 0 marks an empty slot: no folder has it.) */
static int see_folder(walker *w, const struct stat *st) {
  if (2 * (w->ndirs + 1) > w->dircap) {
    size_t cap = w->dircap ? 2 * w->dircap : 64;
    seen *old = w->dirs, *s = calloc(cap, sizeof *s);
    if (!s) return -1;
    size_t oldcap = w->dircap;
    w->dirs = s;
    w->dircap = cap;
    for (size_t i = 0; i < oldcap; i++)
      if (old[i].ino) w->dirs[seen_slot(w, old[i].dev, old[i].ino)] = old[i];
    free(old);
  }
  size_t j = seen_slot(w, st->st_dev, st->st_ino);
  if (w->dirs[j].ino) return 0;
  w->dirs[j] = (seen){st->st_dev, st->st_ino};
  w->ndirs++;
  return 1;
}

/* Visits PATH: a folder is walked, a file handed to the caller.  A file
** its folder's listing called regular (REGULAR) is not asked about again:
** on a folder of small articles that stat was a sixth of the system calls. */
static int visit(walker *w, const char *path, int depth, int regular) {
  struct stat st;
  if (!regular) {
    if (stat(path, &st) != 0) {
      w->warn(w->ctx, path, errno == ENOENT ? "dangling symbolic link or vanished file, skipped"
                                            : strerror(errno));
      return 0;
    }
    if (S_ISDIR(st.st_mode)) return walk_dir(w, path, &st, depth);
    if (!S_ISREG(st.st_mode)) {
      w->warn(w->ctx, path, "not a regular file (FIFO, device or socket), skipped");
      return 0;
    }
  }
  const char *rel = strlen(path) > w->rootlen ? path + w->rootlen : path;
  return w->fn(w->ctx, path, rel);
}

static int walk_dir(walker *w, const char *path, const struct stat *st, int depth) {
  int fresh = see_folder(w, st);
  if (fresh <= 0) {
    if (!fresh)
      w->warn(w->ctx, path, "folder already walked (a symbolic link loop or a second link to "
              "it), skipped");
    return fresh;
  }
  if (depth > 256) {
    w->warn(w->ctx, path, "folders nested more than 256 deep, skipped");
    return 0;
  }
  DIR *d = opendir(path);
  if (!d) {
    w->warn(w->ctx, path, strerror(errno));
    return 0;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;    /* ., .. and hidden files */
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **nn = realloc(names, cap * sizeof *nn);
      if (!nn) {
        rc = -1;
        break;
      }
      names = nn;
    }
    size_t len = strlen(e->d_name);
    if (!(names[n] = malloc(len + 2))) {
      rc = -1;
      break;
    }
    names[n][0] = e->d_type == DT_REG ? ENTRY_REGULAR : ENTRY_OTHER;
    memcpy(names[n] + 1, e->d_name, len + 1);
    n++;
  }
  closedir(d);
  if (!rc && n > 1) qsort(names, n, sizeof *names, by_name);
  for (size_t i = 0; i < n; i++) {
    if (!rc) {
      const char *name = names[i] + 1;
      size_t len = strlen(path) + strlen(name) + 2;
      char *child = malloc(len);
      if (!child) rc = -1;
      else {
        int slash = path[strlen(path) - 1] == '/';
        snprintf(child, len, slash ? "%s%s" : "%s/%s", path, name);
        rc = visit(w, child, depth + 1, names[i][0] == ENTRY_REGULAR);
        free(child);
      }
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

int walk_path(const char *root, walk_fn fn, walk_warn_fn warn, void *ctx) {
  walker w = {fn, warn, ctx, 0, NULL, 0, 0};
  struct stat st;
  if (stat(root, &st) == 0 && S_ISDIR(st.st_mode)) {
    w.rootlen = strlen(root);
    if (w.rootlen && root[w.rootlen - 1] != '/') w.rootlen++;
  }
  int rc = visit(&w, root, 0, 0);
  free(w.dirs);
  return rc;
}
