/*
** fts5_peer.c - the SQLite FTS5 side of `make bench`.
**
**   fts5_peer index DBPATH PATH...
**   fts5_peer query DBPATH [--count] [-k N] [--default-op and|or]
**                          [--latency-file FILE]  < qid<TAB>query lines
**
** It reads the very articles bin/indexer reads (the project's corpus reader
** is linked in) into one FTS5 table with the porter stemmer over unicode61,
** the article text stored (FTS5's own content table), in one transaction,
** then merges the index into one segment ('optimize') so queries meet the
** best shape FTS5 can have.  Ranking is FTS5's bm25() with the title column
** weighted TITLE_WEIGHT, made the table's default rank.
**
** Queries are written in tidings' syntax and translated to FTS5's: every
** word and phrase becomes a quoted FTS5 string (so punctuation inside a
** word cannot be read as FTS5 syntax), word* a prefix query, title:x a
** column filter, and the default operator is made explicit.  FTS5 has no
** unary NOT: "a AND NOT b" is rewritten to "a NOT b"; any other unary NOT
** is reported as an error for that query.
** Output: TREC run lines `qid Q0 docid rank score fts5`, or with --count
** `qid<TAB>count`.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "corpus.h"
#include "peer_util.h"

/* The same weight tidings gives a title occurrence (common/score.h). */
#define TITLE_WEIGHT "3.0"

typedef struct index_ctx {
  sqlite3 *db;
  sqlite3_stmt *insert;
} index_ctx;

static int exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    fprintf(stderr, "fts5_peer: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
  }
  return 0;
}

static void bind_text(sqlite3_stmt *st, int col, td_text t) {
  sqlite3_bind_text(st, col, t.len ? t.ptr : "", (int)t.len, SQLITE_STATIC);
}

static td_status add_article(void *vctx, const td_article *a) {
  index_ctx *c = vctx;
  bind_text(c->insert, 1, a->id);
  bind_text(c->insert, 2, a->title);
  bind_text(c->insert, 3, a->body);
  bind_text(c->insert, 4, a->date);
  bind_text(c->insert, 5, a->source);
  bind_text(c->insert, 6, a->url);
  int rc = sqlite3_step(c->insert);
  sqlite3_reset(c->insert);
  if (rc != SQLITE_DONE) {
    fprintf(stderr, "fts5_peer: insert: %s\n", sqlite3_errmsg(c->db));
    return TD_EIO;
  }
  return TD_OK;
}

static int cmd_index(const char *dbpath, char **paths, int n) {
  if (unlink(dbpath) != 0 && errno != ENOENT) {
    fprintf(stderr, "fts5_peer: cannot replace %s: %s\n", dbpath, strerror(errno));
    return 2;
  }
  index_ctx c = {NULL, NULL};
  int rc = 2;
  if (sqlite3_open(dbpath, &c.db) != SQLITE_OK) {
    fprintf(stderr, "fts5_peer: %s: %s\n", dbpath, sqlite3_errmsg(c.db));
    goto done;
  }
  /* A bulk load into a fresh file: a crash loses nothing worth a journal,
  ** and the finished file is synced once at the end (pu_sync_path). */
  if (exec(c.db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;") != 0 ||
      exec(c.db, "CREATE VIRTUAL TABLE docs USING fts5(docid UNINDEXED, title, body, "
                 "date UNINDEXED, source UNINDEXED, url UNINDEXED, "
                 "tokenize='porter unicode61')") != 0 ||
      exec(c.db, "BEGIN") != 0)
    goto done;
  if (sqlite3_prepare_v2(c.db, "INSERT INTO docs VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1,
                         &c.insert, NULL) != SQLITE_OK) {
    fprintf(stderr, "fts5_peer: %s\n", sqlite3_errmsg(c.db));
    goto done;
  }
  if (pu_index_paths(paths, n, add_article, &c) != 0) goto done;
  if (exec(c.db, "COMMIT") != 0 ||
      exec(c.db, "INSERT INTO docs(docs) VALUES('optimize')") != 0 ||
      exec(c.db, "INSERT INTO docs(docs, rank) VALUES('rank', 'bm25(0.0, " TITLE_WEIGHT
                 ", 1.0, 0.0, 0.0, 0.0)')") != 0)
    goto done;
  rc = 0;
done:
  sqlite3_finalize(c.insert);
  if (c.db && sqlite3_close(c.db) != SQLITE_OK) {
    fprintf(stderr, "fts5_peer: close: %s\n", sqlite3_errmsg(c.db));
    rc = 2;
  }
  if (rc == 0 && pu_sync_path(dbpath) != 0) rc = 2;
  return rc;
}

/* A growing output string for the translator. */
typedef struct sbuf {
  char *p;
  size_t len, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p) {
      fprintf(stderr, "fts5_peer: out of memory\n");
      exit(2);
    }
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* Appends S[0..N) as an FTS5 string, doubling any double quote. */
static void sb_quoted(sbuf *b, const char *s, size_t n) {
  sb_puts(b, "\"");
  for (size_t i = 0; i < n; i++) sb_put(b, s[i] == '"' ? "\"\"" : s + i, s[i] == '"' ? 2 : 1);
  sb_puts(b, "\"");
}

/* What the previous token was, to decide where the default operator goes
** and whether a NOT is binary. */
typedef enum prev_kind { P_START, P_OPEN, P_OPERAND, P_OP_AND, P_OP_OR, P_NOT } prev_kind;

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

static int is_word(const char *s, size_t n, const char *w) {
  return n == strlen(w) && memcmp(s, w, n) == 0;
}

/* Before an operand or "(": the default operator when two operands meet. */
static void join(sbuf *out, prev_kind prev, int default_or) {
  if (prev == P_OPERAND) sb_puts(out, default_or ? " OR " : " AND ");
}

/* Translates tidings query syntax in Q to an FTS5 MATCH expression in OUT.
** Returns 0, or -1 with a reason in WHY for what FTS5 cannot express. */
static int translate(const char *q, int default_or, sbuf *out, const char **why) {
  prev_kind prev = P_START;
  const char *p = q;
  out->len = 0;
  sb_puts(out, "");
  while (*p) {
    if (is_space(*p)) {
      p++;
      continue;
    }
    if (*p == '(' || *p == ')') {
      if (*p == '(') join(out, prev, default_or);
      sb_puts(out, *p == '(' ? "(" : ")");
      prev = *p == '(' ? P_OPEN : P_OPERAND;
      p++;
      continue;
    }
    const char *s = p;
    while (*p && !is_space(*p) && *p != '(' && *p != ')' && *p != '"') p++;
    size_t n = (size_t)(p - s);
    if (is_word(s, n, "AND") || is_word(s, n, "OR")) {
      sb_puts(out, s[0] == 'A' ? " AND " : " OR ");
      prev = s[0] == 'A' ? P_OP_AND : P_OP_OR;
      continue;
    }
    if (is_word(s, n, "NOT")) {
      if (prev == P_OP_AND) {
        out->len -= strlen(" AND ");
        out->p[out->len] = '\0';
      } else if (prev != P_OPERAND) {
        *why = "FTS5 has no unary NOT";
        return -1;
      }
      sb_puts(out, " NOT ");
      prev = P_NOT;
      continue;
    }
    join(out, prev, default_or);
    int title = n >= 6 && memcmp(s, "title:", 6) == 0;
    if (title) {
      sb_puts(out, "title : ");
      s += 6;
      n -= 6;
    }
    if (n == 0 && *p == '"') {
      const char *e = strchr(p + 1, '"');
      if (!e) {
        *why = "unbalanced quote";
        return -1;
      }
      sb_quoted(out, p + 1, (size_t)(e - p - 1));
      p = e + 1;
    } else if (n > 1 && s[n - 1] == '*') {
      sb_quoted(out, s, n - 1);
      sb_puts(out, " *");
    } else if (n > 0) {
      sb_quoted(out, s, n);
    } else {
      *why = "empty word";
      return -1;
    }
    prev = P_OPERAND;
  }
  return 0;
}

typedef struct query_ctx {
  sqlite3 *db;
  sqlite3_stmt *stmt;
  pu_query_opts opts;
  sbuf expr;
} query_ctx;

static int answer(void *vctx, const char *qid, const char *query, FILE *out) {
  query_ctx *c = vctx;
  const char *why = NULL;
  if (translate(query, c->opts.default_or, &c->expr, &why) != 0) {
    fprintf(stderr, "fts5_peer: query %s: %s: %s\n", qid, why, query);
    return -1;
  }
  sqlite3_bind_text(c->stmt, 1, c->expr.p, (int)c->expr.len, SQLITE_STATIC);
  int rc, rank = 0;
  while ((rc = sqlite3_step(c->stmt)) == SQLITE_ROW) {
    if (c->opts.count)
      fprintf(out, "%s\t%lld\n", qid, sqlite3_column_int64(c->stmt, 0));
    else
      fprintf(out, "%s Q0 %s %d %.4f fts5\n", qid, (const char *)sqlite3_column_text(c->stmt, 0),
              ++rank, -sqlite3_column_double(c->stmt, 1));
  }
  sqlite3_reset(c->stmt);
  if (rc != SQLITE_DONE) {
    fprintf(stderr, "fts5_peer: query %s: %s: %s\n", qid, sqlite3_errmsg(c->db), c->expr.p);
    return -1;
  }
  return 0;
}

static int cmd_query(const char *dbpath, int argc, char **argv) {
  query_ctx c;
  memset(&c, 0, sizeof c);
  if (pu_parse_query_opts(argc, argv, &c.opts) != 0) return 2;
  int rc = 2;
  if (sqlite3_open_v2(dbpath, &c.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    fprintf(stderr, "fts5_peer: %s: %s\n", dbpath, sqlite3_errmsg(c.db));
    goto done;
  }
  const char *sql = c.opts.count
                        ? "SELECT count(*) FROM docs WHERE docs MATCH ?1"
                        : "SELECT docid, rank FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT ?2";
  if (sqlite3_prepare_v2(c.db, sql, -1, &c.stmt, NULL) != SQLITE_OK) {
    fprintf(stderr, "fts5_peer: %s: %s\n", dbpath, sqlite3_errmsg(c.db));
    goto done;
  }
  if (!c.opts.count) sqlite3_bind_int(c.stmt, 2, c.opts.k);
  rc = pu_run_batch(stdin, stdout, &c.opts, answer, &c) < 0 ? 2 : 0;
done:
  sqlite3_finalize(c.stmt);
  sqlite3_close(c.db);
  free(c.expr.p);
  return rc;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "index") == 0) return cmd_index(argv[2], argv + 3, argc - 3);
  if (argc >= 3 && strcmp(argv[1], "query") == 0) return cmd_query(argv[2], argc - 3, argv + 3);
  if (argc == 2 && strcmp(argv[1], "--translate") == 0) {
    /* For checking the translation by eye: query lines in, FTS5 lines out. */
    char line[4096];
    sbuf b = {NULL, 0, 0};
    while (fgets(line, sizeof line, stdin)) {
      line[strcspn(line, "\n")] = '\0';
      const char *why = NULL;
      if (translate(line, 0, &b, &why) == 0) printf("%s\n", b.p);
      else printf("error: %s\n", why);
    }
    free(b.p);
    return 0;
  }
  fprintf(stderr,
          "usage: fts5_peer index DBPATH PATH...\n"
          "       fts5_peer query DBPATH [--count] [-k N] [--default-op and|or]"
          " [--latency-file FILE] < queries\n");
  return 2;
}
