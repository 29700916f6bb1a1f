/*
** query.h - the query language and its parse tree.
**
** Syntax (operators are upper case; lower-case "and" is a word):
**   word            a term; goes through the same analysis as indexed text
**   word*           prefix: every indexed term starting with the folded word
**   "a b c"         phrase: the terms at consecutive positions
**   title:word  title:"a b"  title:word*   the same, restricted to titles
**   a AND b, a OR b, NOT a, a NOT b (= a AND NOT b), ( ... )
**   a b             joined by the default operator (TD_OP_AND or TD_OP_OR)
** Precedence: NOT binds tightest, then AND, then OR.  An implicit join in
** front of a NOT operand always means AND, so "a NOT b" is "a minus b"
** whatever the default operator.  A word whose analysis yields several tokens
** ("Jong-un", "U.S.") becomes a phrase of them; a word that yields none
** (punctuation only) is dropped, and a query left with no searchable word is
** an error.
**
** "foo:bar" with an unknown field name is an ordinary word.  NOT NOT a is a.
**
** Errors (TD_EQUERY) name the 1-based column (in characters) of the
** problem: unbalanced parenthesis or quote, an operator with a missing
** operand, an empty phrase or group, a lone "*"... and the query is never
** partially run.  Limits (TD_ELIMIT): more than TD_QUERY_MAX_TERMS terms, or
** nesting deeper than TD_QUERY_MAX_DEPTH, or text longer than
** TD_QUERY_MAX_BYTES.  The parser never recurses deeper than
** TD_QUERY_MAX_DEPTH, so no input can overflow the stack.
*/
#ifndef TD_QUERY_H
#define TD_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "status.h"

#define TD_QUERY_MAX_TERMS 1024
#define TD_QUERY_MAX_DEPTH 64
#define TD_QUERY_MAX_BYTES 65536

typedef enum td_default_op { TD_OP_AND = 0, TD_OP_OR = 1 } td_default_op;

typedef enum td_qkind {
  TD_Q_TERM,    /* terms[0] */
  TD_Q_PREFIX,  /* terms[0] is the folded, unstemmed prefix */
  TD_Q_PHRASE,  /* terms[0..nterms), term i at relative position offsets[i] */
  TD_Q_AND,     /* kids[0..nkids): all must match; NOT kids are exclusions */
  TD_Q_OR,      /* kids[0..nkids): any may match */
  TD_Q_NOT      /* kids[0]: documents that do not match it */
} td_qkind;

typedef enum td_field { TD_FIELD_ANY = 0, TD_FIELD_TITLE = 1 } td_field;

typedef struct td_qterm {
  char *text;       /* NUL-terminated analyzed term */
  size_t len;
  uint32_t offset;  /* position relative to the phrase's first term */
} td_qterm;

typedef struct td_qnode {
  td_qkind kind;
  td_field field;           /* TERM, PREFIX, PHRASE only */
  int stopword;             /* TERM only: its word is a stopword (stopwords.h) */
  td_qterm *terms;
  size_t nterms;
  struct td_qnode **kids;
  size_t nkids;
  int column;               /* 1-based column where the node starts */
} td_qnode;

/* Parses TEXT[0..LEN) with analyzer AN into a tree the caller frees with
** td_query_free.  Nested AND in AND and OR in OR are flattened, and a
** one-child AND or OR is replaced by its child. */
td_status td_query_parse(const char *text, size_t len, td_analyzer *an,
                         td_default_op op, td_qnode **out, td_error *err);

/* Frees Q with its kids and terms (a leaf's terms are one allocation). */
void td_query_free(td_qnode *q);

/* Writes a canonical S-expression of Q ("(AND (TERM remain) (TERM osan))")
** into BUF[0..CAP), truncated and NUL-terminated; for tests and --explain. */
size_t td_query_format(const td_qnode *q, char *buf, size_t cap);

#endif
