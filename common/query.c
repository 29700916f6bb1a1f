/*
** query.c - the query parser: text -> td_qnode tree (see query.h).
**
** A hand-written lexer feeds a recursive-descent parser, one function per
** level of the grammar:
**
**   or_expr  := and_expr (OR and_expr)*      implicit join = OR if default OR
**   and_expr := not_expr (AND not_expr)*     implicit join = AND if default
**                                            AND, or if the next is a NOT
**   not_expr := NOT* primary
**   primary  := word | word* | "phrase" | field:word | field:"phrase"
**             | field:word* | ( or_expr )
**
** Syntax is checked on tokens, before analysis, so "a AND !" is valid
** (the "!" is a word that happens to analyze to nothing) while "a AND" is
** not.  Words and phrases are analyzed as they are parsed; a leaf whose text
** yields no token is represented by a NULL node, which every combinator
** skips, so dropped words vanish from the tree instead of leaving holes.
**
** Choices the header leaves open:
**   - A run of NOTs is read in a loop and double negation cancels: "NOT NOT
**     a" is "a", and "NOT (NOT a)" too.  The loop, together with the depth
**     check before each "(", is what bounds the recursion.
**   - Columns count characters (UTF-8 code points; an invalid byte counts as
**     one), so they line up with what the user typed.
**   - Field names are matched without regard to ASCII case ("Title:war").
**     An unknown "foo:" prefix is not an error: "foo:bar" is an ordinary
**     word, which keeps URLs and times searchable.
**   - Whitespace is ASCII white space and the Unicode separators (Z*).
**   - A term longer than TD_MAX_TERM is dropped like punctuation, since the
**     indexer drops it too.
*/
#include "query.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "buf.h"

/* The field table: the only place that knows field names. */
static const struct {
  const char *name;
  td_field field;
} td_fields[] = {
  {"title", TD_FIELD_TITLE},
};

#define TD_NFIELDS (sizeof td_fields / sizeof td_fields[0])

typedef enum tk_kind {
  TK_START,   /* nothing read yet (only ever the "previous" token) */
  TK_END,
  TK_WORD,
  TK_PHRASE,
  TK_LPAREN,
  TK_RPAREN,
  TK_AND,
  TK_OR,
  TK_NOT
} tk_kind;

typedef struct token {
  tk_kind kind;
  td_field field;     /* TK_WORD, TK_PHRASE */
  int prefix;         /* TK_WORD ended with '*' (not part of s) */
  const char *s;      /* the text to analyze, without field, quotes or '*' */
  size_t len;
  int col;            /* 1-based column of the token's first character */
} token;

/* One analyzed token of the leaf being built, its bytes in scratch.bytes. */
typedef struct stok {
  size_t off, len;
  uint32_t pos;
  int stopword;
} stok;

/* Return values of collect_token, handed back through td_analyze. */
enum { COLLECT_LIMIT = 1, COLLECT_NOMEM = 2 };

typedef struct parser {
  const char *text;
  size_t len;
  size_t pos;           /* lexer position in text */
  int col;              /* column of text[pos] */
  td_analyzer *an;
  td_default_op op;
  td_error *err;
  token cur, prev;
  int depth;            /* parentheses currently open */
  size_t nterms;        /* terms in the finished leaves so far */
  struct {              /* tokens of the leaf being analyzed, reused */
    stok *toks;
    size_t ntoks, captoks;
    char *bytes;
    size_t nbytes, capbytes;
  } scratch;
} parser;

/* A growing list of operands for an AND or OR node. */
typedef struct kidlist {
  td_qnode **v;
  size_t n, cap;
} kidlist;

static td_status parse_or(parser *p, td_qnode **out);

/* ---------------------------------------------------------------- lexer */

static int is_space(int32_t cp) {
  if (cp == ' ' || (cp >= '\t' && cp <= '\r')) return 1;
  if (cp < 0x80) return 0;
  utf8proc_category_t c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL ||
         c == UTF8PROC_CATEGORY_ZP;
}

/* Decodes the character at p->pos into *CP (-1 for an invalid byte) and
** returns its length in bytes; an invalid byte is a character of length 1,
** so malformed UTF-8 only ever makes odd words, which the analyzer splits. */
static size_t peek_char(const parser *p, int32_t *cp) {
  utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)p->text + p->pos,
                                        (utf8proc_ssize_t)(p->len - p->pos), cp);
  if (n <= 0) {
    *cp = -1;
    return 1;
  }
  return (size_t)n;
}

static void skip_char(parser *p, size_t n) {
  p->pos += n;
  p->col++;
}

/* Lexes a quoted phrase whose opening '"' is at p->pos into T (kind, text,
** field already set by the caller), leaving p->pos after the closing quote.
** An unterminated or blank phrase is an error. */
static td_status lex_phrase(parser *p, token *t) {
  int qcol = p->col, blank = 1;
  skip_char(p, 1);
  size_t start = p->pos;
  while (p->pos < p->len && p->text[p->pos] != '"') {
    int32_t cp;
    size_t n = peek_char(p, &cp);
    if (!is_space(cp)) blank = 0;
    skip_char(p, n);
  }
  if (p->pos >= p->len)
    return td_fail(p->err, TD_EQUERY,
                   "unterminated quote starting at column %d: add a closing '\"' or remove it",
                   qcol);
  if (blank)
    return td_fail(p->err, TD_EQUERY,
                   "empty phrase at column %d: put words between the quotes or remove them",
                   qcol);
  t->kind = TK_PHRASE;
  t->s = p->text + start;
  t->len = p->pos - start;
  skip_char(p, 1);
  return TD_OK;
}

/* Returns the index in td_fields of the field named before the first ':' of
** WORD[0..LEN), or -1 when WORD does not start with a known "field:". */
static int field_of(const char *word, size_t len) {
  for (size_t i = 0; i < TD_NFIELDS; i++) {
    size_t n = strlen(td_fields[i].name);
    if (len > n && word[n] == ':' && strncasecmp(word, td_fields[i].name, n) == 0)
      return (int)i;
  }
  return -1;
}

/* Classifies the word WORD[0..LEN) just read (T->col set, p->pos after it)
** into T: an operator, a field prefix (then a word or a quoted phrase), or a
** plain word, with a trailing '*' making it a prefix. */
static td_status lex_word(parser *p, token *t, const char *word, size_t len) {
  static const struct { const char *s; tk_kind kind; } ops[] = {
    {"AND", TK_AND}, {"OR", TK_OR}, {"NOT", TK_NOT},
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (len == strlen(ops[i].s) && memcmp(word, ops[i].s, len) == 0) {
      t->kind = ops[i].kind;
      return TD_OK;
    }
  int f = field_of(word, len);
  if (f >= 0) {
    size_t skip = strlen(td_fields[f].name) + 1;
    t->field = td_fields[f].field;
    word += skip;
    len -= skip;
    if (len == 0) {
      if (p->pos < p->len && p->text[p->pos] == '"') return lex_phrase(p, t);
      return td_fail(p->err, TD_EQUERY,
                     "%s: at column %d must be followed directly by a word or a quoted "
                     "phrase, as in %s:war or %s:\"peace talks\"",
                     td_fields[f].name, t->col, td_fields[f].name, td_fields[f].name);
    }
  }
  if (word[len - 1] == '*') {
    t->prefix = 1;
    len--;
  }
  t->kind = TK_WORD;
  t->s = word;
  t->len = len;
  return TD_OK;
}

/* Reads the next token of the query into p->cur, keeping the old one in
** p->prev for error messages. */
static td_status advance(parser *p) {
  token *t = &p->cur;
  int32_t cp;
  size_t n = 0;
  p->prev = *t;
  memset(t, 0, sizeof *t);
  while (p->pos < p->len) {
    n = peek_char(p, &cp);
    if (!is_space(cp)) break;
    skip_char(p, n);
  }
  t->col = p->col;
  if (p->pos >= p->len) {
    t->kind = TK_END;
    return TD_OK;
  }
  switch (p->text[p->pos]) {
    case '(': t->kind = TK_LPAREN; skip_char(p, 1); return TD_OK;
    case ')': t->kind = TK_RPAREN; skip_char(p, 1); return TD_OK;
    case '"': return lex_phrase(p, t);
  }
  size_t start = p->pos;
  while (p->pos < p->len) {
    n = peek_char(p, &cp);
    if (is_space(cp) || cp == '(' || cp == ')' || cp == '"') break;
    skip_char(p, n);
  }
  return lex_word(p, t, p->text + start, p->pos - start);
}

/* ------------------------------------------------------------- analysis */

/* td_analyze callback: appends one token to p->scratch, refusing the one
** that would take the query past TD_QUERY_MAX_TERMS. */
static int collect_token(void *ctx, const char *term, size_t len, uint32_t pos) {
  parser *p = ctx;
  if (p->nterms + p->scratch.ntoks >= TD_QUERY_MAX_TERMS) return COLLECT_LIMIT;
  if (td_grow(&p->scratch.toks, &p->scratch.captoks, p->scratch.ntoks + 1,
              sizeof *p->scratch.toks, 16) ||
      td_grow(&p->scratch.bytes, &p->scratch.capbytes, p->scratch.nbytes + len + 1, 1, 256))
    return COLLECT_NOMEM;
  memcpy(p->scratch.bytes + p->scratch.nbytes, term, len);
  p->scratch.bytes[p->scratch.nbytes + len] = '\0';
  p->scratch.toks[p->scratch.ntoks++] =
      (stok){p->scratch.nbytes, len, pos, td_analyzer_stopword(p->an)};
  p->scratch.nbytes += len + 1;
  return 0;
}

/* Analyzes the text of word or phrase token T into p->scratch (stemmed
** unless T is a prefix) and checks what a prefix needs: exactly one word. */
static td_status analyze_token(parser *p, const token *t) {
  uint32_t npos = 0;
  p->scratch.ntoks = p->scratch.nbytes = 0;
  int rc = td_analyze(p->an, t->s, t->len, 0, !t->prefix, collect_token, p, &npos);
  if (rc == COLLECT_NOMEM)
    return td_fail(p->err, TD_ENOMEM, "out of memory analyzing the query at column %d", t->col);
  if (rc == COLLECT_LIMIT)
    return td_fail(p->err, TD_ELIMIT,
                   "query has more than %d terms (limit reached at column %d): "
                   "split it into smaller queries", TD_QUERY_MAX_TERMS, t->col);
  if (!t->prefix) return TD_OK;
  if (npos > 1)
    return td_fail(p->err, TD_EQUERY,
                   "prefix must be a single word at column %d: the text before '*' "
                   "splits into %u words; remove the '*' or the punctuation", t->col,
                   (unsigned)npos);
  if (npos == 1 && p->scratch.ntoks == 0)
    return td_fail(p->err, TD_EQUERY,
                   "prefix at column %d is longer than %d bytes: shorten it",
                   t->col, TD_MAX_TERM);
  if (npos == 0)
    return td_fail(p->err, TD_EQUERY,
                   "'*' at column %d needs letters or digits before it, as in elect*",
                   t->col);
  return TD_OK;
}

/* Builds the leaf for word or phrase token T into *OUT: NULL when its text
** has no token, a TERM or PREFIX for one token, a PHRASE for several, with
** offsets relative to the first token kept (a dropped over-long token leaves
** a gap).  The node's terms and their bytes are one allocation. */
static td_status make_leaf(parser *p, const token *t, td_qnode **out) {
  *out = NULL;
  td_status st = analyze_token(p, t);
  if (st != TD_OK || p->scratch.ntoks == 0) return st;
  size_t n = p->scratch.ntoks;
  td_qnode *q = calloc(1, sizeof *q);
  td_qterm *terms = malloc(n * sizeof *terms + p->scratch.nbytes);
  if (!q || !terms) {
    free(q);
    free(terms);
    return td_fail(p->err, TD_ENOMEM, "out of memory parsing the query at column %d", t->col);
  }
  char *bytes = (char *)(terms + n);
  memcpy(bytes, p->scratch.bytes, p->scratch.nbytes);
  for (size_t i = 0; i < n; i++) {
    const stok *s = &p->scratch.toks[i];
    terms[i] = (td_qterm){bytes + s->off, s->len, s->pos - p->scratch.toks[0].pos};
  }
  q->kind = n > 1 ? TD_Q_PHRASE : t->prefix ? TD_Q_PREFIX : TD_Q_TERM;
  q->stopword = q->kind == TD_Q_TERM && p->scratch.toks[0].stopword;
  q->field = t->field;
  q->terms = terms;
  q->nterms = n;
  q->column = t->col;
  p->nterms += n;
  *out = q;
  return TD_OK;
}

/* -------------------------------------------------------------- parser */

static int starts_operand(tk_kind k) {
  return k == TK_WORD || k == TK_PHRASE || k == TK_LPAREN || k == TK_NOT;
}

static const char *op_name(tk_kind k) {
  return k == TK_AND ? "AND" : k == TK_OR ? "OR" : "NOT";
}

/* The error for an operand expected at p->cur but not there, phrased from
** what came before it (an operator, a '(' or nothing) and what is there. */
static td_status operand_error(parser *p) {
  const token *c = &p->cur, *pr = &p->prev;
  switch (pr->kind) {
    case TK_AND:
    case TK_OR:
      return td_fail(p->err, TD_EQUERY,
                     "missing operand after %s at column %d: put a word after it or remove it",
                     op_name(pr->kind), pr->col);
    case TK_NOT:
      return td_fail(p->err, TD_EQUERY,
                     "NOT needs something to exclude at column %d: put a word after it or remove it",
                     pr->col);
    case TK_LPAREN:
      if (c->kind == TK_RPAREN)
        return td_fail(p->err, TD_EQUERY,
                       "empty parentheses at column %d: put words between them or remove them",
                       pr->col);
      if (c->kind == TK_END)
        return td_fail(p->err, TD_EQUERY,
                       "unbalanced '(' at column %d: add a ')' or remove it", pr->col);
      break;
    default:
      break;
  }
  switch (c->kind) {
    case TK_AND:
    case TK_OR:
      return td_fail(p->err, TD_EQUERY,
                     "missing operand before %s at column %d: put a word before it or remove it",
                     op_name(c->kind), c->col);
    case TK_RPAREN:
      return td_fail(p->err, TD_EQUERY,
                     "unbalanced ')' at column %d: add a '(' before it or remove it", c->col);
    default:
      return td_fail(p->err, TD_EQUERY,
                     "query has no searchable words: type at least one word of letters or digits");
  }
}

static void kids_free(kidlist *l) {
  for (size_t i = 0; i < l->n; i++) td_query_free(l->v[i]);
  free(l->v);
}

/* Adds KID (owned from now on, even on failure; NULL is skipped) to the
** operands of a KIND node, splicing in the operands of a KID of the same
** kind: that kid is already flat, so one level of splicing flattens all. */
static td_status kids_add(parser *p, kidlist *l, td_qkind kind, td_qnode *kid) {
  if (!kid) return TD_OK;
  int splice = kid->kind == kind;
  size_t add = splice ? kid->nkids : 1;
  if (td_grow(&l->v, &l->cap, l->n + add, sizeof *l->v, 4)) {
    td_query_free(kid);
    return td_fail(p->err, TD_ENOMEM, "out of memory parsing the query");
  }
  if (!splice) {
    l->v[l->n++] = kid;
    return TD_OK;
  }
  memcpy(l->v + l->n, kid->kids, add * sizeof *kid->kids);
  l->n += add;
  free(kid->kids);
  free(kid);
  return TD_OK;
}

/* Turns the operand list into *OUT: NULL if empty, the operand itself if
** alone, else a KIND node owning the list. */
static td_status kids_finish(parser *p, kidlist *l, td_qkind kind, td_qnode **out) {
  *out = NULL;
  if (l->n <= 1) {
    if (l->n == 1) *out = l->v[0];
    free(l->v);
    return TD_OK;
  }
  td_qnode *q = calloc(1, sizeof *q);
  if (!q) {
    kids_free(l);
    return td_fail(p->err, TD_ENOMEM, "out of memory parsing the query");
  }
  q->kind = kind;
  q->kids = l->v;
  q->nkids = l->n;
  q->column = l->v[0]->column;
  *out = q;
  return TD_OK;
}

/* Wraps Q in a NOT node starting at column COL, or unwraps it if it is
** itself a NOT (double negation cancels).  Q is consumed even on failure. */
static td_status negate(parser *p, td_qnode *q, int col, td_qnode **out) {
  *out = NULL;
  if (!q) return TD_OK;
  if (q->kind == TD_Q_NOT) {
    *out = q->kids[0];
    free(q->kids);
    free(q);
    return TD_OK;
  }
  td_qnode *n = calloc(1, sizeof *n);
  td_qnode **kids = malloc(sizeof *kids);
  if (!n || !kids) {
    free(n);
    free(kids);
    td_query_free(q);
    return td_fail(p->err, TD_ENOMEM, "out of memory parsing the query");
  }
  kids[0] = q;
  n->kind = TD_Q_NOT;
  n->kids = kids;
  n->nkids = 1;
  n->column = col;
  *out = n;
  return TD_OK;
}

/* ( or_expr ): the nesting limit is checked before descending, so the C
** stack holds at most TD_QUERY_MAX_DEPTH groups whatever the input. */
static td_status parse_group(parser *p, td_qnode **out) {
  int col = p->cur.col;
  if (p->depth >= TD_QUERY_MAX_DEPTH)
    return td_fail(p->err, TD_ELIMIT,
                   "parentheses nest deeper than %d at column %d: remove some of them",
                   TD_QUERY_MAX_DEPTH, col);
  td_status st = advance(p);
  if (st != TD_OK) return st;
  p->depth++;
  st = parse_or(p, out);
  p->depth--;
  if (st != TD_OK) return st;
  if (p->cur.kind != TK_RPAREN) {
    td_query_free(*out);
    *out = NULL;
    return td_fail(p->err, TD_EQUERY, "unbalanced '(' at column %d: add a ')' or remove it", col);
  }
  st = advance(p);
  if (st != TD_OK) {
    td_query_free(*out);
    *out = NULL;
  }
  return st;
}

static td_status parse_primary(parser *p, td_qnode **out) {
  *out = NULL;
  if (p->cur.kind == TK_LPAREN) return parse_group(p, out);
  if (p->cur.kind != TK_WORD && p->cur.kind != TK_PHRASE) return operand_error(p);
  td_status st = make_leaf(p, &p->cur, out);
  if (st == TD_OK) st = advance(p);
  if (st != TD_OK) {
    td_query_free(*out);
    *out = NULL;
  }
  return st;
}

/* NOT* primary, the NOTs read in a loop so a long run costs no stack. */
static td_status parse_not(parser *p, td_qnode **out) {
  int odd = 0, col = p->cur.col;
  td_qnode *q;
  while (p->cur.kind == TK_NOT) {
    odd = !odd;
    td_status st = advance(p);
    if (st != TD_OK) return st;
  }
  td_status st = parse_primary(p, &q);
  if (st != TD_OK) return st;
  if (!odd) {
    *out = q;
    return TD_OK;
  }
  return negate(p, q, col, out);
}

/* not_expr (AND not_expr)*; a NOT right after an operand joins by AND
** whatever the default operator. */
static td_status parse_and(parser *p, td_qnode **out) {
  kidlist l = {0};
  td_status st;
  for (;;) {
    td_qnode *kid;
    st = parse_not(p, &kid);
    if (st == TD_OK) st = kids_add(p, &l, TD_Q_AND, kid);
    if (st != TD_OK) break;
    if (p->cur.kind == TK_AND) st = advance(p);
    else if (!starts_operand(p->cur.kind) || (p->op == TD_OP_OR && p->cur.kind != TK_NOT)) break;
    if (st != TD_OK) break;
  }
  if (st != TD_OK) {
    kids_free(&l);
    return st;
  }
  return kids_finish(p, &l, TD_Q_AND, out);
}

/* and_expr (OR and_expr)*, with implicit joins when the default is OR. */
static td_status parse_or(parser *p, td_qnode **out) {
  kidlist l = {0};
  td_status st;
  for (;;) {
    td_qnode *kid;
    st = parse_and(p, &kid);
    if (st == TD_OK) st = kids_add(p, &l, TD_Q_OR, kid);
    if (st != TD_OK) break;
    if (p->cur.kind == TK_OR) st = advance(p);
    else if (p->op == TD_OP_AND || !starts_operand(p->cur.kind)) break;
    if (st != TD_OK) break;
  }
  if (st != TD_OK) {
    kids_free(&l);
    return st;
  }
  return kids_finish(p, &l, TD_Q_OR, out);
}

/* Parses the whole query: an or_expr that must end the text and contain at
** least one searchable word. */
static td_status parse_query(parser *p, td_qnode **out) {
  td_status st = advance(p);
  if (st == TD_OK) st = parse_or(p, out);
  if (st != TD_OK) return st;
  if (p->cur.kind == TK_RPAREN) {
    td_query_free(*out);
    *out = NULL;
    return td_fail(p->err, TD_EQUERY,
                   "unbalanced ')' at column %d: add a '(' before it or remove it", p->cur.col);
  }
  if (!*out)
    return td_fail(p->err, TD_EQUERY,
                   "query has no searchable words: type at least one word of letters or digits");
  return TD_OK;
}

/* Parses TEXT[0..LEN) into *OUT (the caller frees it with td_query_free).
** On failure *OUT is NULL, ERR says what and where, and nothing is left
** allocated. */
td_status td_query_parse(const char *text, size_t len, td_analyzer *an,
                         td_default_op op, td_qnode **out, td_error *err) {
  if (out) *out = NULL;
  if (!out || !an || (!text && len > 0) || (op != TD_OP_AND && op != TD_OP_OR))
    return td_fail(err, TD_EINVAL, "td_query_parse: missing query, analyzer or output");
  if (len > TD_QUERY_MAX_BYTES)
    return td_fail(err, TD_ELIMIT,
                   "query is %zu bytes long, more than the limit of %d: shorten it",
                   len, TD_QUERY_MAX_BYTES);
  parser p = {.text = text ? text : "", .len = len, .col = 1, .an = an, .op = op, .err = err};
  p.cur.kind = TK_START;
  td_status st = parse_query(&p, out);
  free(p.scratch.toks);
  free(p.scratch.bytes);
  return st;
}

/* Frees Q and everything below it: its kids, and its terms array, which
** also holds the term bytes.  Only for trees made by td_query_parse. */
void td_query_free(td_qnode *q) {
  if (!q) return;
  for (size_t i = 0; i < q->nkids; i++) td_query_free(q->kids[i]);
  free(q->kids);
  free(q->terms);
  free(q);
}

/* --------------------------------------------------------------- format */

typedef struct writer {
  char *buf;
  size_t cap, len;   /* len counts everything, written or not */
} writer;

static void put(writer *w, const char *s, size_t n) {
  if (w->len + 1 < w->cap) {
    size_t room = w->cap - 1 - w->len;
    memcpy(w->buf + w->len, s, n < room ? n : room);
  }
  w->len += n;
}

static void puts_w(writer *w, const char *s) { put(w, s, strlen(s)); }

static void put_uint(writer *w, uint32_t v) {
  char tmp[16];
  size_t i = sizeof tmp;
  do tmp[--i] = (char)('0' + v % 10); while ((v /= 10) != 0);
  put(w, tmp + i, sizeof tmp - i);
}

static void format_node(writer *w, const td_qnode *q) {
  static const char *const names[] = {
    [TD_Q_TERM] = "TERM", [TD_Q_PREFIX] = "PREFIX", [TD_Q_PHRASE] = "PHRASE",
    [TD_Q_AND] = "AND", [TD_Q_OR] = "OR", [TD_Q_NOT] = "NOT",
  };
  puts_w(w, "(");
  puts_w(w, names[q->kind]);
  if (q->nterms > 0) {
    puts_w(w, " ");
    for (size_t i = 0; i < TD_NFIELDS; i++)
      if (q->field != TD_FIELD_ANY && td_fields[i].field == q->field) {
        puts_w(w, td_fields[i].name);
        puts_w(w, ":");
      }
  }
  for (size_t i = 0; i < q->nterms; i++) {
    if (i > 0) puts_w(w, " ");
    put(w, q->terms[i].text, q->terms[i].len);
    if (q->terms[i].offset != i) {
      puts_w(w, "@");
      put_uint(w, q->terms[i].offset);
    }
  }
  if (q->kind == TD_Q_PREFIX) puts_w(w, "*");
  for (size_t i = 0; i < q->nkids; i++) {
    puts_w(w, " ");
    format_node(w, q->kids[i]);
  }
  puts_w(w, ")");
}

/* Writes Q as an S-expression: (TERM t), (PREFIX t*), (PHRASE a b c), with
** "title:" before the terms of a fielded leaf and "@k" after a phrase term
** whose offset k is not its index (a gap), then (AND ...), (OR ...),
** (NOT x).  Returns the full length, which is >= CAP when truncated, like
** snprintf; BUF is NUL-terminated whenever CAP > 0. */
size_t td_query_format(const td_qnode *q, char *buf, size_t cap) {
  writer w = {buf, cap, 0};
  if (q) format_node(&w, q);
  if (cap > 0) buf[w.len < cap ? w.len : cap - 1] = '\0';
  return w.len;
}
