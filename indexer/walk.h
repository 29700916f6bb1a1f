/*
** walk.h - walking the corpus paths given on the command line.
**
** Folders are walked recursively in sorted order (so docids, and therefore
** results with tied scores, are the same on every run), following symbolic
** links but never entering a folder twice (no loops), and visiting only
** regular files: FIFOs, devices and sockets are passed over, so a walk can
** never block.
*/
#ifndef TD_WALK_H
#define TD_WALK_H

/* Called with each regular file: its path, and its path below the root
** that was given (the path itself when a file was given).  A non-zero return
** stops the walk and is returned. */
typedef int (*walk_fn)(void *ctx, const char *path, const char *relname);

/* Called for what cannot be walked (unreadable folder, dangling link, loop). */
typedef void (*walk_warn_fn)(void *ctx, const char *path, const char *msg);

int walk_path(const char *root, walk_fn fn, walk_warn_fn warn, void *ctx);

#endif
