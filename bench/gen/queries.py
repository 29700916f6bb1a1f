#!/usr/bin/env python3
"""queries.py - the benchmark's query sets for one corpus, from a fixed seed.

Every query is built from the corpus' own text, tokenised simply: a word is
a whitespace-separated token made of ASCII letters only, lower-cased.  Words
with digits, hyphens, apostrophes or punctuation attached are never used, so
that the three engines' tokenisers agree on what a query word is, and
operator words (and, or, not, near) and a short list of stopwords are kept
out of term positions.  The sets, written as `qid<TAB>query` files in
tidings' syntax:

  and2     a AND b        co-occurring in one article; df classes mixed:
                          common/common, common/mid, common/rare, mid/mid,
                          mid/rare, rare/rare
  or2      a OR b         the same class mixes, independent articles
  phrase2  "a b"          two adjacent words of real text
  phrase3  "a b c"        three adjacent words (ends not stopwords)
  not      mixed boolean with binary NOT: a NOT b, (a OR b) NOT c,
                          a AND b NOT c, (a AND b) OR c NOT d
  nl       3-6 content words in text order from one article's title or a
           window of its body, to be run ranked with --default-op or

Only binary NOT is used (FTS5 has no unary NOT), and nothing else that one
of the engines could not parse.  The df classes: common = in at least 2% of
the articles read, rare = in 2 to max(4, 0.2%) of them, mid between.
At most --max-docs articles are read (the first ones), which for the
synthetic corpus is a fair sample.  sets.json lists the sets with the
default operator each is meant to be run with.

  python3 bench/gen/queries.py --out DIR [-n 200] [--seed 7] PATH...
"""

import argparse
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import articles  # noqa: E402

VERSION = 1
STOP = set("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself near no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours yourself yourselves said says
say mr mrs ms re
""".split())
OPERATORS = {"and", "or", "not", "near"}
_WORD = re.compile(r"[A-Za-z]+\Z")

SETS = [
    ("and2", "and", "AND of 2 terms, co-occurring, rare/mid/common mixes"),
    ("or2", "and", "OR of 2 terms, rare/mid/common mixes"),
    ("phrase2", "and", "2-word phrases from the text"),
    ("phrase3", "and", "3-word phrases from the text"),
    ("not", "and", "mixed boolean with binary NOT"),
    ("nl", "or", "3-6 word natural-language queries, ranked, default operator OR"),
]
MIXES = [("common", "common"), ("common", "mid"), ("common", "rare"),
         ("mid", "mid"), ("mid", "rare"), ("rare", "rare")]


def tokens(text):
    """Words of TEXT in order, None where a token is not a clean word."""
    return [t.lower() if _WORD.match(t) else None for t in text.split()]


def is_term(w):
    return w is not None and 3 <= len(w) <= 20 and w not in STOP and w not in OPERATORS


class Corpus:
    def __init__(self, paths, max_docs):
        self.docs = []      # (title tokens, body tokens)
        df = {}
        for _id, title, body in articles.iter_articles(paths):
            t, b = tokens(title), tokens(body)
            self.docs.append((t, b))
            for w in set(t) | set(b):
                if is_term(w):
                    df[w] = df.get(w, 0) + 1
            if len(self.docs) >= max_docs:
                break
        if not self.docs:
            sys.exit("queries.py: no articles under %s" % " ".join(paths))
        n = len(self.docs)
        common_lo = max(50, n * 0.02)
        rare_hi = max(4, n * 0.002)
        self.cls = {}
        for w, d in df.items():
            if d >= common_lo:
                self.cls[w] = "common"
            elif d > rare_hi:
                self.cls[w] = "mid"
            elif d >= 2:
                self.cls[w] = "rare"

    def doc_terms(self, doc, klass):
        t, b = doc
        return sorted({w for w in t + b if w is not None and self.cls.get(w) == klass})

    def cooccurring(self, rng, k1, k2):
        """Two distinct words of classes K1 and K2 from one random article."""
        for _ in range(5000):
            doc = rng.choice(self.docs)
            a, b = self.doc_terms(doc, k1), self.doc_terms(doc, k2)
            if a and b:
                x = rng.choice(a)
                rest = [w for w in b if w != x]
                if rest:
                    return x, rng.choice(rest)
        return None

    def term(self, rng, klass):
        """A word of class KLASS, weighted by how often articles use it."""
        for _ in range(5000):
            t, b = rng.choice(self.docs)
            words = t + b
            if words:
                w = rng.choice(words)
                if w is not None and self.cls.get(w) == klass:
                    return w
        return None

    def phrase(self, rng, n):
        for _ in range(5000):
            _t, b = rng.choice(self.docs)
            if len(b) < n:
                continue
            i = rng.randrange(len(b) - n + 1)
            ws = b[i:i + n]
            if all(w is not None for w in ws) and is_term(ws[0]) and is_term(ws[-1]):
                return '"%s"' % " ".join(ws)
        return None

    def natural(self, rng):
        n = rng.randint(3, 6)
        for _ in range(5000):
            t, b = rng.choice(self.docs)
            title_words = [w for w in t if is_term(w)]
            if len(title_words) >= 3 and rng.random() < 0.5:
                words = title_words
            else:
                if not b:
                    continue
                i = rng.randrange(len(b))
                words = [w for w in b[i:i + 4 * n] if is_term(w)]
            seen, picked = set(), []
            for w in words:
                if w not in seen:
                    seen.add(w)
                    picked.append(w)
            if len(picked) >= 3:
                return " ".join(picked[:n])
        return None


def make_set(corpus, rng, name, count):
    out, seen, tries = [], set(), 0
    while len(out) < count and tries < count * 50:
        tries += 1
        i = len(out)
        q = None
        if name in ("and2", "or2"):
            k1, k2 = MIXES[i % len(MIXES)]
            if name == "and2":
                pair = corpus.cooccurring(rng, k1, k2)
            else:
                a, b = corpus.term(rng, k1), corpus.term(rng, k2)
                pair = (a, b) if a and b and a != b else None
            if pair:
                q = ("%s AND %s" if name == "and2" else "%s OR %s") % pair
        elif name in ("phrase2", "phrase3"):
            q = corpus.phrase(rng, 2 if name == "phrase2" else 3)
        elif name == "not":
            q = not_query(corpus, rng, i % 4)
        elif name == "nl":
            q = corpus.natural(rng)
        if q and q not in seen:
            seen.add(q)
            out.append(q)
    return out


def not_query(corpus, rng, shape):
    """Mixed boolean with binary NOT, in four shapes."""
    pair = corpus.cooccurring(rng, "common", rng.choice(["common", "mid"]))
    c, d = corpus.term(rng, "mid"), corpus.term(rng, rng.choice(["mid", "rare"]))
    if not pair or not c or not d or len({pair[0], pair[1], c, d}) < 4:
        return None
    a, b = pair
    if shape == 0:
        return "%s NOT %s" % (a, c)
    if shape == 1:
        return "(%s OR %s) NOT %s" % (a, c, b)
    if shape == 2:
        return "%s AND %s NOT %s" % (a, b, c)
    return "(%s AND %s) OR %s NOT %s" % (a, b, c, d)


def generate(paths, out, count, seed, max_docs):
    corpus = Corpus(paths, max_docs)
    os.makedirs(out, exist_ok=True)
    listing = []
    for name, op, what in SETS:
        rng = random.Random("%d/%s" % (seed, name))
        qs = make_set(corpus, rng, name, count)
        path = os.path.join(out, name + ".tsv")
        with open(path, "w") as f:
            for i, q in enumerate(qs):
                f.write("%s-%03d\t%s\n" % (name, i + 1, q))
        listing.append({"name": name, "file": name + ".tsv", "default_op": op,
                        "what": what, "queries": len(qs)})
    info = {"version": VERSION, "seed": seed, "per_set": count, "max_docs": max_docs,
            "docs_read": len(corpus.docs), "paths": paths, "sets": listing}
    with open(os.path.join(out, "sets.json"), "w") as f:
        json.dump(info, f, indent=1)
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="folder for <set>.tsv and sets.json")
    ap.add_argument("-n", type=int, default=200, help="queries per set (default 200)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-docs", type=int, default=30000)
    ap.add_argument("paths", nargs="+", help="corpus files or folders")
    args = ap.parse_args()
    info = generate(args.paths, args.out, args.n, args.seed, args.max_docs)
    print("queries.py: %s" % ", ".join("%s %d" % (s["name"], s["queries"]) for s in info["sets"]))


if __name__ == "__main__":
    main()
