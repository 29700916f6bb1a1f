/*
** merge.h - the final merge of an index build: sorted runs on disk and the
** lanes' in-memory chunks become the POSTINGS section and the lexicon.
**
** With several parts the term space is cut into slices of about equal
** postings bytes; the first is merged by the caller's thread straight into
** the index file, each other one on a thread of its own into its own file
** in the runs folder, appended in term order once all are done.
** Not part of the public interface.
*/
#ifndef TD_MERGE_H
#define TD_MERGE_H

#include <stdio.h>

#include "invert.h"
#include "lexicon.h"
#include "postings.h"
#include "status.h"

typedef struct td_merge_in {
  const char *target;        /* the index file being written, for messages */
  const char *rundir;        /* holds run-0 .. run-(NRUNS-1); slices go there too */
  unsigned nruns;
  td_inverter **mem;         /* inverters still holding chunks */
  unsigned nmem;
  td_scoring sc;             /* for the block maxima */
  unsigned nparts;           /* slices merged at once (1: on the caller's thread) */
} td_merge_in;

typedef struct td_merge_out {
  uint64_t bytes;            /* of POSTINGS */
  uint32_t crc;              /* CRC of those bytes */
  uint64_t nterms, npostings;
} td_merge_out;

/* Merges IN into OUT (a file written in order), from its position on, and
** LW.  The slice files are left in the runs folder for the caller to remove
** with the folder. */
td_status td_merge(const td_merge_in *in, FILE *out, td_lexwriter *lw, td_merge_out *res,
                   td_error *err);

#endif
