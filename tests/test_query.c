/*
** test_query.c - the query parser: grammar, precedence, normalisation,
** analysis of words, phrases and prefixes, error messages with their
** columns, limits, hostile input, and the real IR test queries.
*/
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "analyzer.h"
#include "query.h"

static td_analyzer *english, *plain;

static int setup(void **state) {
  td_error err;
  (void)state;
  if (td_analyzer_new("english", &english, &err) != TD_OK) return -1;
  if (td_analyzer_new("none", &plain, &err) != TD_OK) return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  td_analyzer_free(english);
  td_analyzer_free(plain);
  return 0;
}

/* Parses Q (LEN bytes) with AN and OP; asserts success; returns the tree. */
static td_qnode *parse_ok_an(const char *q, size_t len, td_analyzer *an, td_default_op op) {
  td_error err;
  td_qnode *root = (td_qnode *)1;
  td_error_clear(&err);
  td_status st = td_query_parse(q, len, an, op, &root, &err);
  if (st != TD_OK) fail_msg("query \"%s\": unexpected error %d: %s", q, st, err.msg);
  assert_non_null(root);
  return root;
}

/* Asserts that Q parses under OP (with the english analyzer) to WANT. */
static void expect_an(const char *q, td_analyzer *an, td_default_op op, const char *want) {
  char buf[4096];
  td_qnode *root = parse_ok_an(q, strlen(q), an, op);
  td_query_format(root, buf, sizeof buf);
  td_query_free(root);
  if (strcmp(buf, want) != 0)
    fail_msg("query \"%s\" (default %s):\n  got  %s\n  want %s", q,
             op == TD_OP_AND ? "AND" : "OR", buf, want);
}

static void expect(const char *q, td_default_op op, const char *want) {
  expect_an(q, english, op, want);
}

/* Asserts the same result under both default operators. */
static void expect_both(const char *q, const char *want) {
  expect(q, TD_OP_AND, want);
  expect(q, TD_OP_OR, want);
}

/* Asserts that Q[0..LEN) fails with CODE and exactly the message WANT (or,
** when WANT starts with '~', a message containing the rest), under both
** default operators, leaving *out NULL. */
static void expect_error_len(const char *q, size_t len, td_status code, const char *want) {
  for (int op = TD_OP_AND; op <= TD_OP_OR; op++) {
    td_error err;
    td_qnode *root = (td_qnode *)1;
    td_error_clear(&err);
    td_status st = td_query_parse(q, len, english, (td_default_op)op, &root, &err);
    if (st == TD_OK) {
      char buf[512];
      td_query_format(root, buf, sizeof buf);
      td_query_free(root);
      fail_msg("query \"%.60s\": expected an error, parsed as %s", q, buf);
    }
    assert_null(root);
    assert_int_equal(st, code);
    assert_int_equal(err.code, code);
    int ok = want[0] == '~' ? strstr(err.msg, want + 1) != NULL : strcmp(err.msg, want) == 0;
    if (!ok) fail_msg("query \"%.60s\":\n  got  %s\n  want %s", q, err.msg, want);
  }
}

static void expect_error(const char *q, td_status code, const char *want) {
  expect_error_len(q, strlen(q), code, want);
}

static void test_words(void **state) {
  (void)state;
  expect_both("remains", "(TERM remain)");
  expect_both("Soldiers", "(TERM soldier)");
  expect_both("  \tOsan\n", "(TERM osan)");
  /* Operators are upper case whole words only. */
  expect_both("and", "(TERM and)");
  expect_both("Or", "(TERM or)");
  expect_both("not", "(TERM not)");
  expect_both("ANDROID", "(TERM android)");
  expect("war and peace", TD_OP_AND, "(AND (TERM war) (TERM and) (TERM peac))");
  /* The "none" analyzer folds without stemming. */
  expect_an("Soldiers", plain, TD_OP_AND, "(TERM soldiers)");
}

/* Whether the one leaf Q parses to (under AN) is marked a stopword. */
static int leaf_stopword(const char *q, td_analyzer *an) {
  td_qnode *root = parse_ok_an(q, strlen(q), an, TD_OP_OR);
  int stop = root->stopword;
  td_query_free(root);
  return stop;
}

static void test_stopwords(void **state) {
  (void)state;
  static const char *const stop[] = {"the", "The", "OF", "which", "don't", "dont", "after"};
  for (size_t i = 0; i < sizeof stop / sizeof *stop; i++)
    if (!leaf_stopword(stop[i], english)) fail_msg("'%s' is not marked a stopword", stop[i]);
  /* Stems of stopwords, prefixes, content words that fold like a
  ** contraction ("we'll" -> "well"), and words of an analyzer without a
  ** list are not. */
  static const char *const word[] = {"theatre", "the*", "we'll", "she'll", "afterwards", "us"};
  for (size_t i = 0; i < sizeof word / sizeof *word; i++)
    if (leaf_stopword(word[i], english)) fail_msg("'%s' is marked a stopword", word[i]);
  assert_false(leaf_stopword("the", plain));
  td_qnode *q = parse_ok_an("the \"of the\" cat", strlen("the \"of the\" cat"), english, TD_OP_OR);
  assert_int_equal(q->kind, TD_Q_OR);
  assert_true(q->kids[0]->stopword);
  assert_int_equal(q->kids[1]->kind, TD_Q_PHRASE);
  assert_false(q->kids[1]->stopword);
  assert_false(q->kids[2]->stopword);
  td_query_free(q);
}

static void test_default_operator(void **state) {
  (void)state;
  expect("remains Osan", TD_OP_AND, "(AND (TERM remain) (TERM osan))");
  expect("remains Osan", TD_OP_OR, "(OR (TERM remain) (TERM osan))");
  expect("oil gold tax", TD_OP_OR, "(OR (TERM oil) (TERM gold) (TERM tax))");
  /* Explicit operators mixed with implicit joins. */
  expect("oil gold OR tax", TD_OP_AND, "(OR (AND (TERM oil) (TERM gold)) (TERM tax))");
  expect("oil gold OR tax", TD_OP_OR, "(OR (TERM oil) (TERM gold) (TERM tax))");
  expect("oil gold AND tax", TD_OP_OR, "(OR (TERM oil) (AND (TERM gold) (TERM tax)))");
  expect("oil gold AND tax", TD_OP_AND, "(AND (TERM oil) (TERM gold) (TERM tax))");
}

static void test_precedence(void **state) {
  (void)state;
  expect_both("oil OR gold AND tax", "(OR (TERM oil) (AND (TERM gold) (TERM tax)))");
  expect_both("oil AND gold OR tax", "(OR (AND (TERM oil) (TERM gold)) (TERM tax))");
  expect_both("NOT oil AND gold", "(AND (NOT (TERM oil)) (TERM gold))");
  expect_both("NOT oil OR gold", "(OR (NOT (TERM oil)) (TERM gold))");
  expect_both("oil OR NOT gold", "(OR (TERM oil) (NOT (TERM gold)))");
  expect_both("oil AND NOT gold OR bank AND tax",
              "(OR (AND (TERM oil) (NOT (TERM gold))) (AND (TERM bank) (TERM tax)))");
}

static void test_implicit_and_before_not(void **state) {
  (void)state;
  expect_both("oil NOT gold", "(AND (TERM oil) (NOT (TERM gold)))");
  expect("oil gold NOT tax", TD_OP_OR, "(OR (TERM oil) (AND (TERM gold) (NOT (TERM tax))))");
  expect("oil gold NOT tax", TD_OP_AND, "(AND (TERM oil) (TERM gold) (NOT (TERM tax)))");
  expect("oil NOT gold tax", TD_OP_OR, "(OR (AND (TERM oil) (NOT (TERM gold))) (TERM tax))");
  expect("oil NOT gold NOT tax", TD_OP_OR,
         "(AND (TERM oil) (NOT (TERM gold)) (NOT (TERM tax)))");
  expect("(oil gold) NOT tax", TD_OP_OR,
         "(AND (OR (TERM oil) (TERM gold)) (NOT (TERM tax)))");
}

static void test_not_only_and_double_negation(void **state) {
  (void)state;
  td_qnode *q = parse_ok_an("NOT Pompeo", 10, english, TD_OP_AND);
  assert_int_equal(q->kind, TD_Q_NOT);
  assert_int_equal(q->nkids, 1);
  assert_int_equal(q->column, 1);
  assert_int_equal(q->kids[0]->kind, TD_Q_TERM);
  assert_int_equal(q->kids[0]->column, 5);
  td_query_free(q);
  expect_both("NOT Pompeo", "(NOT (TERM pompeo))");
  /* Double negation cancels, with or without parentheses. */
  expect_both("NOT NOT oil", "(TERM oil)");
  expect_both("NOT NOT NOT oil", "(NOT (TERM oil))");
  expect_both("NOT (NOT oil)", "(TERM oil)");
  expect_both("oil NOT NOT gold", "(AND (TERM oil) (TERM gold))");
  expect_both("NOT (oil OR gold)", "(NOT (OR (TERM oil) (TERM gold)))");
}

static void test_parentheses(void **state) {
  (void)state;
  expect_both("(oil OR gold) AND tax", "(AND (OR (TERM oil) (TERM gold)) (TERM tax))");
  expect_both("oil AND (gold OR tax)", "(AND (TERM oil) (OR (TERM gold) (TERM tax)))");
  expect_both("((oil))", "(TERM oil)");
  expect("(oil)(gold)", TD_OP_AND, "(AND (TERM oil) (TERM gold))");
  expect("(oil)(gold)", TD_OP_OR, "(OR (TERM oil) (TERM gold))");
  expect("(oil gold) (bank tax)", TD_OP_OR, "(OR (TERM oil) (TERM gold) (TERM bank) (TERM tax))");
  expect("(oil gold) OR (bank tax)", TD_OP_AND,
         "(OR (AND (TERM oil) (TERM gold)) (AND (TERM bank) (TERM tax)))");
  /* 64 levels are allowed. */
  char q[256];
  int n = 0;
  for (int i = 0; i < TD_QUERY_MAX_DEPTH; i++) q[n++] = '(';
  n += sprintf(q + n, "oil");
  for (int i = 0; i < TD_QUERY_MAX_DEPTH; i++) q[n++] = ')';
  q[n] = '\0';
  expect_both(q, "(TERM oil)");
}

static void test_flattening(void **state) {
  (void)state;
  expect_both("oil AND (gold AND tax) AND bank",
              "(AND (TERM oil) (TERM gold) (TERM tax) (TERM bank))");
  expect_both("(oil OR gold) OR (tax OR (bank OR war))",
              "(OR (TERM oil) (TERM gold) (TERM tax) (TERM bank) (TERM war))");
  expect_both("((oil AND gold))", "(AND (TERM oil) (TERM gold))");
  expect_both("(oil AND gold) OR tax", "(OR (AND (TERM oil) (TERM gold)) (TERM tax))");
  td_qnode *q = parse_ok_an("oil (gold (tax bank))", 21, english, TD_OP_AND);
  assert_int_equal(q->kind, TD_Q_AND);
  assert_int_equal(q->nkids, 4);
  for (size_t i = 0; i < q->nkids; i++) {
    assert_int_equal(q->kids[i]->kind, TD_Q_TERM);
    assert_int_equal(q->kids[i]->nkids, 0);
  }
  td_query_free(q);
}

static void test_phrases(void **state) {
  (void)state;
  td_qnode *q = parse_ok_an("\"armistice agreement\"", 21, english, TD_OP_AND);
  assert_int_equal(q->kind, TD_Q_PHRASE);
  assert_int_equal(q->field, TD_FIELD_ANY);
  assert_int_equal(q->nterms, 2);
  assert_string_equal(q->terms[0].text, "armistic");
  assert_int_equal(q->terms[0].len, 8);
  assert_int_equal(q->terms[0].offset, 0);
  assert_string_equal(q->terms[1].text, "agreement");
  assert_int_equal(q->terms[1].offset, 1);
  td_query_free(q);
  expect_both("\"armistice agreement\"", "(PHRASE armistic agreement)");
  expect_both("\"Soldiers\"", "(TERM soldier)");
  expect_both("\"  oil,  gold! \"", "(PHRASE oil gold)");
  expect_both("\"oil AND gold\"", "(PHRASE oil and gold)");
  expect_both("\"oil (gold\"", "(PHRASE oil gold)");
  expect("oil\"gold tax\"", TD_OP_AND, "(AND (TERM oil) (PHRASE gold tax))");
  expect("\"Kim Jong-un\" summit", TD_OP_OR, "(OR (PHRASE kim jong un) (TERM summit))");
  /* An over-long token is dropped but keeps its position: a gap. */
  char q2[200];
  snprintf(q2, sizeof q2, "\"oil %0*d gold tax\"", TD_MAX_TERM + 6, 7);
  expect_both(q2, "(PHRASE oil gold@2 tax@3)");
  snprintf(q2, sizeof q2, "\"%0*d gold tax\"", TD_MAX_TERM + 6, 7);
  expect_both(q2, "(PHRASE gold tax)");
  snprintf(q2, sizeof q2, "\"gold %0*d\"", TD_MAX_TERM + 6, 7);
  expect_both(q2, "(TERM gold)");
}

static void test_prefixes(void **state) {
  (void)state;
  td_qnode *q = parse_ok_an("Elections*", 10, english, TD_OP_AND);
  assert_int_equal(q->kind, TD_Q_PREFIX);
  assert_int_equal(q->nterms, 1);
  assert_string_equal(q->terms[0].text, "elections");  /* folded, not stemmed */
  td_query_free(q);
  expect_both("elect*", "(PREFIX elect*)");
  expect_both("Elections*", "(PREFIX elections*)");
  expect_error("\"Elections\"*", TD_EQUERY, "~'*' at column 12 needs letters or digits");
  expect("elect* OR vote*", TD_OP_AND, "(OR (PREFIX elect*) (PREFIX vote*))");
  expect("NOT elect*", TD_OP_AND, "(NOT (PREFIX elect*))");
  expect_both("5.9*", "(PREFIX 5.9*)");
}

static void test_title_field(void **state) {
  (void)state;
  td_qnode *q = parse_ok_an("title:war", 9, english, TD_OP_AND);
  assert_int_equal(q->kind, TD_Q_TERM);
  assert_int_equal(q->field, TD_FIELD_TITLE);
  assert_string_equal(q->terms[0].text, "war");
  td_query_free(q);
  expect_both("title:war", "(TERM title:war)");
  expect_both("Title:Soldiers", "(TERM title:soldier)");
  expect_both("title:\"armistice agreement\"", "(PHRASE title:armistic agreement)");
  expect_both("title:\"Soldiers\"", "(TERM title:soldier)");
  expect_both("title:elect*", "(PREFIX title:elect*)");
  expect_both("title:Jong-un", "(PHRASE title:jong un)");
  expect_both("title:AND", "(TERM title:and)");
  expect("title:war peace", TD_OP_AND, "(AND (TERM title:war) (TERM peac))");
  expect_both("NOT title:war", "(NOT (TERM title:war))");
  /* Unknown fields are plain words. */
  expect_both("foo:bar", "(PHRASE foo bar)");
  expect_both("http://example.org", "(PHRASE http exampl org)");
  expect_both("Examples:", "(TERM exampl)");
}

static void test_words_split_and_dropped(void **state) {
  (void)state;
  expect_both("Jong-un", "(PHRASE jong un)");
  expect_both("U.S.", "(PHRASE u s)");
  expect("U.S. soldiers", TD_OP_AND, "(AND (PHRASE u s) (TERM soldier))");
  expect_both("don't", "(TERM dont)");
  expect_both("5.93", "(TERM 5.93)");
  expect_both("1,000", "(TERM 1,000)");
  expect_both("Müller", "(TERM muller)");
  expect_both("Müller*", "(PREFIX muller*)");
  /* Punctuation-only words vanish, operators around them included. */
  expect("oil !!! gold", TD_OP_AND, "(AND (TERM oil) (TERM gold))");
  expect("oil - gold", TD_OP_OR, "(OR (TERM oil) (TERM gold))");
  expect_both("oil AND --", "(TERM oil)");
  expect_both("oil NOT --", "(TERM oil)");
  expect_both("oil OR (!)", "(TERM oil)");
  expect_both("\"...\" oil", "(TERM oil)");
  expect_both("NOT -- OR oil", "(TERM oil)");
}

static void test_unicode_and_invalid_utf8(void **state) {
  (void)state;
  /* Unicode spaces separate words; columns count characters. */
  expect("oil\xc2\xa0gold\xe3\x80\x80tax", TD_OP_OR, "(OR (TERM oil) (TERM gold) (TERM tax))");
  expect_error("Müller AND", TD_EQUERY,
               "missing operand after AND at column 8: put a word after it or remove it");
  expect_error("日本 (", TD_EQUERY, "unbalanced '(' at column 4: add a ')' or remove it");
  /* Invalid bytes separate tokens like punctuation. */
  expect("\xff\xfeoil \xc3 gold\xe2\x82", TD_OP_OR, "(OR (TERM oil) (TERM gold))");
  expect_both("oil\xc0\xafgold", "(PHRASE oil gold)");
  expect_error("\xff\xfe\x80", TD_EQUERY, "~query has no searchable words");
  expect_error("\xff\x80 AND", TD_EQUERY, "~missing operand after AND at column 4");
  /* An embedded NUL byte is a byte like any other. */
  expect_error_len("oil\0(", 5, TD_EQUERY, "unbalanced '(' at column 5: add a ')' or remove it");
}

static void test_error_messages(void **state) {
  (void)state;
  expect_error("(oil AND gold", TD_EQUERY, "unbalanced '(' at column 1: add a ')' or remove it");
  expect_error("oil AND (gold OR (tax)", TD_EQUERY,
               "unbalanced '(' at column 9: add a ')' or remove it");
  expect_error("(", TD_EQUERY, "unbalanced '(' at column 1: add a ')' or remove it");
  expect_error("oil) gold", TD_EQUERY,
               "unbalanced ')' at column 4: add a '(' before it or remove it");
  expect_error(")", TD_EQUERY, "unbalanced ')' at column 1: add a '(' before it or remove it");
  expect_error("oil AND", TD_EQUERY,
               "missing operand after AND at column 5: put a word after it or remove it");
  expect_error("(oil OR) gold", TD_EQUERY,
               "missing operand after OR at column 6: put a word after it or remove it");
  expect_error("oil OR OR gold", TD_EQUERY,
               "missing operand after OR at column 5: put a word after it or remove it");
  expect_error("oil AND OR gold", TD_EQUERY,
               "missing operand after AND at column 5: put a word after it or remove it");
  expect_error("AND oil", TD_EQUERY,
               "missing operand before AND at column 1: put a word before it or remove it");
  expect_error("oil (OR gold)", TD_EQUERY,
               "missing operand before OR at column 6: put a word before it or remove it");
  expect_error("AND", TD_EQUERY, "~missing operand before AND at column 1");
  expect_error("OR", TD_EQUERY, "~missing operand before OR at column 1");
  expect_error("oil \"gold tax", TD_EQUERY,
               "unterminated quote starting at column 5: add a closing '\"' or remove it");
  expect_error("\"", TD_EQUERY, "~unterminated quote starting at column 1");
  expect_error("oil \"gold\" \"tax", TD_EQUERY, "~unterminated quote starting at column 12");
  expect_error("oil () gold", TD_EQUERY,
               "empty parentheses at column 5: put words between them or remove them");
  expect_error("\"\"", TD_EQUERY,
               "empty phrase at column 1: put words between the quotes or remove them");
  expect_error("oil title:\" \t\"", TD_EQUERY, "~empty phrase at column 11");
  expect_error("oil NOT", TD_EQUERY,
               "NOT needs something to exclude at column 5: put a word after it or remove it");
  expect_error("NOT", TD_EQUERY, "~NOT needs something to exclude at column 1");
  expect_error("(oil NOT) gold", TD_EQUERY, "~NOT needs something to exclude at column 6");
  expect_error("oil NOT AND gold", TD_EQUERY, "~NOT needs something to exclude at column 5");
  expect_error("", TD_EQUERY,
               "query has no searchable words: type at least one word of letters or digits");
  expect_error(" \t\n ", TD_EQUERY, "~query has no searchable words");
  expect_error("!!! -- ...", TD_EQUERY, "~query has no searchable words");
  expect_error("NOT ---", TD_EQUERY, "~query has no searchable words");
  expect_error("(!) OR (?)", TD_EQUERY, "~query has no searchable words");
  expect_error("*", TD_EQUERY,
               "'*' at column 1 needs letters or digits before it, as in elect*");
  expect_error("oil -*", TD_EQUERY, "~'*' at column 5 needs letters or digits");
  expect_error("title:*", TD_EQUERY, "~'*' at column 1 needs letters or digits");
  expect_error("oil U.S*", TD_EQUERY, "~prefix must be a single word at column 5");
  expect_error("Jong-un*", TD_EQUERY, "~prefix must be a single word at column 1");
  char q[200];
  snprintf(q, sizeof q, "%0*d*", TD_MAX_TERM + 1, 3);
  expect_error(q, TD_EQUERY, "~prefix at column 1 is longer than 64 bytes");
  expect_error("oil title: war", TD_EQUERY,
               "title: at column 5 must be followed directly by a word or a quoted phrase, "
               "as in title:war or title:\"peace talks\"");
  expect_error("title:", TD_EQUERY, "~title: at column 1 must be followed directly");
  expect_error("title:(war)", TD_EQUERY, "~title: at column 1 must be followed directly");
  /* The first problem in reading order is reported. */
  expect_error("oil AND ) \"", TD_EQUERY, "~missing operand after AND at column 5");
  expect_error("( \"oil", TD_EQUERY, "~unterminated quote starting at column 3");
}

static void test_bad_arguments(void **state) {
  (void)state;
  td_error err;
  td_qnode *q = NULL;
  assert_int_equal(td_query_parse("oil", 3, NULL, TD_OP_AND, &q, &err), TD_EINVAL);
  assert_int_equal(td_query_parse("oil", 3, english, TD_OP_AND, NULL, &err), TD_EINVAL);
  assert_int_equal(td_query_parse(NULL, 3, english, TD_OP_AND, &q, &err), TD_EINVAL);
  assert_int_equal(td_query_parse(NULL, 0, english, TD_OP_AND, &q, &err), TD_EQUERY);
  assert_null(q);
  /* A NULL error pointer is allowed. */
  assert_int_equal(td_query_parse("(", 1, english, TD_OP_AND, &q, NULL), TD_EQUERY);
  assert_null(q);
}

static void test_limits(void **state) {
  (void)state;
  char *s = td_test_repeat("(", 1000, "oil");
  expect_error(s, TD_ELIMIT,
               "parentheses nest deeper than 64 at column 65: remove some of them");
  free(s);
  s = malloc(2003 + 1);
  assert_non_null(s);
  memset(s, '(', 1000);
  memcpy(s + 1000, "oil", 3);
  memset(s + 1003, ')', 1000);
  s[2003] = '\0';
  expect_error(s, TD_ELIMIT, "~parentheses nest deeper than 64");
  free(s);
  s = td_test_repeat("(oil AND ", TD_QUERY_MAX_DEPTH + 1, "gold");
  expect_error(s, TD_ELIMIT, "~parentheses nest deeper than 64 at column 577");
  free(s);

  s = td_test_repeat("x", 100000, "");
  expect_error(s, TD_ELIMIT,
               "query is 100000 bytes long, more than the limit of 65536: shorten it");
  free(s);
  s = td_test_repeat(" ", TD_QUERY_MAX_BYTES - 3, "oil");
  expect_both(s, "(TERM oil)");
  free(s);
  s = td_test_repeat(" ", TD_QUERY_MAX_BYTES - 2, "oil");
  expect_error(s, TD_ELIMIT, "~65537 bytes long");
  free(s);

  s = td_test_repeat("oil ", 10000, "");
  expect_error(s, TD_ELIMIT,
               "query has more than 1024 terms (limit reached at column 4097): "
               "split it into smaller queries");
  free(s);
  s = td_test_repeat("oil ", TD_QUERY_MAX_TERMS, "");
  td_qnode *q = parse_ok_an(s, strlen(s), english, TD_OP_OR);
  assert_int_equal(q->kind, TD_Q_OR);
  assert_int_equal(q->nkids, TD_QUERY_MAX_TERMS);
  td_query_free(q);
  free(s);
  s = td_test_repeat("oil ", TD_QUERY_MAX_TERMS, "gold");
  expect_error(s, TD_ELIMIT, "~more than 1024 terms");
  free(s);
  s = td_test_repeat("a-", 5000, "\"b c\"");
  expect_error(s, TD_ELIMIT, "~more than 1024 terms (limit reached at column 1)");
  free(s);

  /* Long runs of NOT cost no stack; parity decides. */
  s = td_test_repeat("NOT ", 10000, "oil");
  expect_both(s, "(TERM oil)");
  free(s);
  s = td_test_repeat("NOT ", 9999, "oil");
  expect_both(s, "(NOT (TERM oil))");
  free(s);
  s = td_test_repeat(") ", 30000, "");
  expect_error(s, TD_EQUERY, "~unbalanced ')' at column 1");
  free(s);
  s = td_test_repeat("! ", 30000, "oil");
  expect_both(s, "(TERM oil)");
  free(s);
  s = td_test_repeat("oil AND ", 8000, "");
  expect_error(s, TD_ELIMIT, "~more than 1024 terms");
  free(s);
}

static void test_columns(void **state) {
  (void)state;
  const char *text = "oil AND (gold OR \"tax bank\") NOT title:war*";
  td_qnode *q = parse_ok_an(text, strlen(text), english, TD_OP_OR);
  char buf[256];
  td_query_format(q, buf, sizeof buf);
  assert_string_equal(buf, "(AND (TERM oil) (OR (TERM gold) (PHRASE tax bank)) "
                           "(NOT (PREFIX title:war*)))");
  assert_int_equal(q->column, 1);
  assert_int_equal(q->kids[0]->column, 1);
  assert_int_equal(q->kids[1]->column, 10);
  assert_int_equal(q->kids[1]->kids[0]->column, 10);
  assert_int_equal(q->kids[1]->kids[1]->column, 18);
  assert_int_equal(q->kids[2]->column, 30);
  assert_int_equal(q->kids[2]->kids[0]->column, 34);
  td_query_free(q);
}

static void test_format(void **state) {
  (void)state;
  td_qnode *q = parse_ok_an("remains AND Osan", 16, english, TD_OP_AND);
  const char *full = "(AND (TERM remain) (TERM osan))";
  char buf[64];
  assert_int_equal(td_query_format(q, buf, sizeof buf), strlen(full));
  assert_string_equal(buf, full);
  memset(buf, 'z', sizeof buf);
  assert_int_equal(td_query_format(q, buf, 8), strlen(full));
  assert_string_equal(buf, "(AND (T");
  assert_int_equal(buf[8], 'z');
  assert_int_equal(td_query_format(q, buf, 1), strlen(full));
  assert_string_equal(buf, "");
  assert_int_equal(td_query_format(q, NULL, 0), strlen(full));
  td_query_free(q);
  assert_int_equal(td_query_format(NULL, buf, sizeof buf), 0);
  assert_string_equal(buf, "");
}

/* Extracts N from the first "column N" in MSG, or returns 0. */
static int column_in(const char *msg) {
  const char *c = strstr(msg, "column ");
  return c ? atoi(c + 7) : 0;
}

/* Random byte strings mixing query syntax, words and invalid UTF-8: every
** parse must succeed or fail cleanly with a column inside the text. */
static void test_random_input(void **state) {
  (void)state;
  static const char *const pieces[] = {
    "(", ")", "\"", "*", " ", "AND", "OR", "NOT", "and", "oil", "Gold", "title:",
    "foo:", "-", "U.S.", "\xff", "\xc3", "\xc3\xa9", "\xe2\x80", "\t", "!", ":", "\0",
  };
  uint64_t rng = 0x9e3779b97f4a7c15ULL;
  char text[256];
  for (int iter = 0; iter < 20000; iter++) {
    size_t len = 0, n = td_test_rand(&rng) % 16;
    for (size_t i = 0; i < n; i++) {
      size_t k = td_test_rand(&rng) % (sizeof pieces / sizeof pieces[0]);
      size_t plen = k == sizeof pieces / sizeof pieces[0] - 1 ? 1 : strlen(pieces[k]);
      memcpy(text + len, pieces[k], plen);
      len += plen;
    }
    td_default_op op = (td_default_op)(td_test_rand(&rng) & 1);
    td_error err;
    td_qnode *q = (td_qnode *)1;
    td_error_clear(&err);
    td_status st = td_query_parse(text, len, english, op, &q, &err);
    if (st == TD_OK) {
      char buf[1024];
      assert_non_null(q);
      assert_true(td_query_format(q, buf, sizeof buf) > 0);
      td_query_free(q);
      continue;
    }
    assert_null(q);
    assert_int_equal(st, TD_EQUERY);
    assert_true(err.msg[0] != '\0');
    int col = column_in(err.msg);
    assert_true(col <= (int)len + 1);
    if (strstr(err.msg, "no searchable words") == NULL) assert_true(col >= 1);
  }
}

/* Appends every analyzed token to a space-separated string. */
static int append_token(void *ctx, const char *term, size_t len, uint32_t pos) {
  char *s = ctx;
  size_t n = strlen(s);
  (void)pos;
  if (n + len + 2 > 8192) return 1;
  if (n > 0) s[n++] = ' ';
  memcpy(s + n, term, len);
  s[n + len] = '\0';
  return 0;
}

/* Appends the terms of the leaves of Q, in order, to S. */
static void leaf_terms(const td_qnode *q, char *s) {
  for (size_t i = 0; i < q->nterms; i++) append_token(s, q->terms[i].text, q->terms[i].len, 0);
  for (size_t i = 0; i < q->nkids; i++) leaf_terms(q->kids[i], s);
}

/* True if TEXT contains one of the query syntax characters or operators. */
static int has_syntax(const char *text) {
  if (strpbrk(text, "()\"*")) return 1;
  if (strstr(text, "title:") || strstr(text, "Title:") || strstr(text, "TITLE:")) return 1;
  char copy[8192];
  snprintf(copy, sizeof copy, "%s", text);
  for (char *w = strtok(copy, " \t\r\n"); w; w = strtok(NULL, " \t\r\n"))
    if (!strcmp(w, "AND") || !strcmp(w, "OR") || !strcmp(w, "NOT")) return 1;
  return 0;
}

/* The real test queries of the IR collections, raw text with quotes,
** parentheses and upper-case words: all must parse or fail with a column,
** and those without query syntax must, under default OR, become an OR of
** words holding exactly the tokens the analyzer makes of the whole text. */
static void test_ir_queries(void **state) {
  (void)state;
  static const char *const sets[] = {"cacm", "cisi", "cranfield", "med", "npl"};
  int files = 0, plain_checked = 0, failed = 0;
  for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
    char path[512], line[8192];
    snprintf(path, sizeof path, "%s/ir/%s/queries.tsv", td_test_shared_corpus(), sets[k]);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    files++;
    while (fgets(line, sizeof line, f)) {
      line[strcspn(line, "\r\n")] = '\0';
      const char *text = strchr(line, '\t');
      if (!text) continue;
      text++;
      for (int op = TD_OP_AND; op <= TD_OP_OR; op++) {
        td_error err;
        td_qnode *q = NULL;
        td_status st = td_query_parse(text, strlen(text), english, (td_default_op)op, &q, &err);
        if (st != TD_OK) {
          assert_int_equal(st, TD_EQUERY);
          assert_true(column_in(err.msg) >= 1);
          failed++;
          continue;
        }
        if (op == TD_OP_OR && !has_syntax(text)) {
          char want[8192] = "", got[8192] = "";
          td_analyze(english, text, strlen(text), 0, 1, append_token, want, NULL);
          leaf_terms(q, got);
          assert_string_equal(got, want);
          assert_true(q->kind == TD_Q_OR || q->kind == TD_Q_TERM || q->kind == TD_Q_PHRASE);
          for (size_t i = 0; i < q->nkids; i++)
            assert_true(q->kids[i]->kind == TD_Q_TERM || q->kids[i]->kind == TD_Q_PHRASE);
          plain_checked++;
        }
        td_query_free(q);
      }
    }
    fclose(f);
  }
  if (files == 0) skip();
  assert_true(plain_checked > 400);
  assert_true(failed < plain_checked);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_words),
    cmocka_unit_test(test_stopwords),
    cmocka_unit_test(test_default_operator),
    cmocka_unit_test(test_precedence),
    cmocka_unit_test(test_implicit_and_before_not),
    cmocka_unit_test(test_not_only_and_double_negation),
    cmocka_unit_test(test_parentheses),
    cmocka_unit_test(test_flattening),
    cmocka_unit_test(test_phrases),
    cmocka_unit_test(test_prefixes),
    cmocka_unit_test(test_title_field),
    cmocka_unit_test(test_words_split_and_dropped),
    cmocka_unit_test(test_unicode_and_invalid_utf8),
    cmocka_unit_test(test_error_messages),
    cmocka_unit_test(test_bad_arguments),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_columns),
    cmocka_unit_test(test_format),
    cmocka_unit_test(test_random_input),
    cmocka_unit_test(test_ir_queries),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
