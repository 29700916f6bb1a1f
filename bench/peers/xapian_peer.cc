/*
** xapian_peer.cc - the Xapian 1.4 side of `make bench`.
**
**   xapian_peer index DBPATH PATH...
**   xapian_peer query DBPATH [--count] [-k N] [--default-op and|or]
**                            [--latency-file FILE]  < qid<TAB>query lines
**
** It reads the very articles bin/indexer reads (the project's corpus reader
** is linked in) and indexes them the way a careful Xapian user would: the
** English Snowball stemmer with Xapian's default STEM_SOME strategy,
** positions, the title counted TITLE_WEIGHT times like a body occurrence
** (as tidings' BM25F does) and indexed a second time under prefix "S" for
** title:, the whole article stored as document data, the external id as a
** unique boolean term "Q...", and the database compacted at the end
** (what xapian-compact does by default).  Queries go through Xapian's QueryParser
** (boolean operators, phrases, +/-, wildcards, title:) and BM25Weight.
** Output: TREC run lines `qid Q0 docid rank score xapian`, or with --count
** `qid<TAB>count` (exact: the matcher is asked to check every document).
*/
#include <xapian.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

extern "C" {
#include "corpus.h"
#include "peer_util.h"
}

/* The same weight tidings gives a title occurrence (common/score.h). */
static const Xapian::termcount TITLE_WEIGHT = 3;

struct index_ctx {
  Xapian::WritableDatabase db;
  Xapian::TermGenerator tg;
  std::string error;
};

static std::string text(const td_text &t) {
  return t.len ? std::string(t.ptr, t.len) : std::string();
}

/* Stored data: the six fields, one per line except the body, which runs to
** the end.  Queries read the id back from it, as a real front end would. */
static std::string stored_record(const td_article *a) {
  std::string rec;
  rec.reserve(a->id.len + a->title.len + a->date.len + a->source.len + a->url.len +
              a->body.len + 5);
  for (const td_text *t : {&a->id, &a->title, &a->date, &a->source, &a->url}) {
    rec.append(t->ptr ? t->ptr : "", t->len);
    rec += '\n';
  }
  rec.append(a->body.ptr ? a->body.ptr : "", a->body.len);
  return rec;
}

static td_status add_article(void *vctx, const td_article *a) {
  index_ctx *c = static_cast<index_ctx *>(vctx);
  try {
    Xapian::Document doc;
    c->tg.set_document(doc);
    std::string title = text(a->title);
    c->tg.index_text(title, TITLE_WEIGHT);
    c->tg.index_text(title, 1, "S");
    c->tg.increase_termpos();
    c->tg.index_text(text(a->body));
    /* Xapian terms are limited to 245 bytes; ids never come near. */
    doc.add_boolean_term("Q" + text(a->id).substr(0, 200));
    doc.set_data(stored_record(a));
    c->db.add_document(doc);
  } catch (const Xapian::Error &e) {
    c->error = e.get_description();
    return TD_EIO;
  }
  return TD_OK;
}

/* Builds into DBPATH.build, then compacts into DBPATH: the compacted
** database is what a read-only archive would be served from, just as the
** FTS5 peer merges its segments ('optimize') before it is measured. */
static int cmd_index(const char *dbpath, char **paths, int n) {
  std::string build = std::string(dbpath) + ".build";
  try {
    std::filesystem::remove_all(build);
    /* No fsync during the bulk load, as the FTS5 peer runs synchronous=OFF:
    ** a failed build is simply run again.  The compacted database is synced
    ** at the end (pu_sync_path). */
    index_ctx c{Xapian::WritableDatabase(build, Xapian::DB_CREATE_OR_OVERWRITE |
                                                    Xapian::DB_BACKEND_GLASS | Xapian::DB_NO_SYNC),
                Xapian::TermGenerator(), std::string()};
    c.tg.set_stemmer(Xapian::Stem("english"));
    c.tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    if (pu_index_paths(paths, n, add_article, &c) != 0) {
      if (!c.error.empty()) std::fprintf(stderr, "xapian_peer: %s\n", c.error.c_str());
      return 2;
    }
    c.db.commit();
    c.db.close();
    std::filesystem::remove_all(dbpath);
    Xapian::Database(build).compact(dbpath, Xapian::Compactor::FULL);
    std::filesystem::remove_all(build);
    if (pu_sync_path(dbpath) != 0) return 2;
    std::fprintf(stderr, "xapian_peer: %u documents in %s\n", Xapian::Database(dbpath).get_doccount(),
                 dbpath);
  } catch (const Xapian::Error &e) {
    std::fprintf(stderr, "xapian_peer: %s\n", e.get_description().c_str());
    return 2;
  } catch (const std::filesystem::filesystem_error &e) {
    std::fprintf(stderr, "xapian_peer: %s\n", e.what());
    return 2;
  }
  return 0;
}

struct query_ctx {
  Xapian::Database db;
  Xapian::QueryParser qp;
  Xapian::Enquire enquire;
  pu_query_opts opts;
  unsigned flags;
};

static int answer(void *vctx, const char *qid, const char *query, FILE *out) {
  query_ctx *c = static_cast<query_ctx *>(vctx);
  try {
    c->enquire.set_query(c->qp.parse_query(query, c->flags));
    if (c->opts.count) {
      Xapian::MSet m = c->enquire.get_mset(0, 0, c->db.get_doccount());
      std::fprintf(out, "%s\t%u\n", qid, m.get_matches_estimated());
      return 0;
    }
    Xapian::MSet m = c->enquire.get_mset(0, c->opts.k);
    unsigned rank = 1;
    for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it, ++rank) {
      std::string data = it.get_document().get_data();
      std::fprintf(out, "%s Q0 %s %u %.4f xapian\n", qid, data.substr(0, data.find('\n')).c_str(),
                   rank, it.get_weight());
    }
  } catch (const Xapian::Error &e) {
    std::fprintf(stderr, "xapian_peer: query %s: %s\n", qid, e.get_description().c_str());
    return -1;
  }
  return 0;
}

static int cmd_query(const char *dbpath, int argc, char **argv) {
  pu_query_opts opts;
  if (pu_parse_query_opts(argc, argv, &opts) != 0) return 2;
  try {
    Xapian::Database db(dbpath);
    query_ctx c{db, Xapian::QueryParser(), Xapian::Enquire(db), opts,
                Xapian::QueryParser::FLAG_BOOLEAN | Xapian::QueryParser::FLAG_PHRASE |
                    Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
                    Xapian::QueryParser::FLAG_PURE_NOT};
    c.qp.set_database(db);
    c.qp.set_stemmer(Xapian::Stem("english"));
    c.qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    c.qp.add_prefix("title", "S");
    c.qp.set_default_op(opts.default_or ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
    /* Counting needs no scores; BoolWeight lets the matcher skip them, as
    ** any Xapian user who only wants a count would ask it to. */
    if (opts.count)
      c.enquire.set_weighting_scheme(Xapian::BoolWeight());
    else
      c.enquire.set_weighting_scheme(Xapian::BM25Weight());
    int failed = pu_run_batch(stdin, stdout, &opts, answer, &c);
    return failed < 0 ? 2 : 0;
  } catch (const Xapian::Error &e) {
    std::fprintf(stderr, "xapian_peer: %s\n", e.get_description().c_str());
    return 2;
  }
}

int main(int argc, char **argv) {
  if (argc >= 4 && std::strcmp(argv[1], "index") == 0) return cmd_index(argv[2], argv + 3, argc - 3);
  if (argc >= 3 && std::strcmp(argv[1], "query") == 0) return cmd_query(argv[2], argc - 3, argv + 3);
  std::fprintf(stderr,
               "usage: xapian_peer index DBPATH PATH...\n"
               "       xapian_peer query DBPATH [--count] [-k N] [--default-op and|or]"
               " [--latency-file FILE] < queries\n");
  return 2;
}
