#!/usr/bin/env python3
"""synth.py - a deterministic synthetic news corpus of any size, for the
benchmark.

It recombines real sentences from the shared corpora (Reuters-21578 story
text and BBC News bodies) into N articles written as JSON Lines shards
(`synth-00000.jsonl`, ... of --shard articles each, or .jsonl.gz with
--gzip) in the folder given by --out, never into the repository.  Each
article has:

  id      synth-0000001 ...
  title   a real headline (Reuters' in title case, or BBC's), or a short
          real sentence
  date    spread uniformly over 1990-2024
  source  one of a dozen invented wire services
  url     an example.org address
  body    paragraphs of 1-4 sentences; the length in words is lognormal
          with a median of --median-words (300), cut to 40..4000.  About
          60% of the sentences continue one real story in order, the rest
          are drawn from anywhere, so that term co-occurrence and phrase
          statistics stay close to real news.

The same --seed, -n, --shard and shared corpus always give byte-identical
output.  `manifest.json` in the folder records the parameters and the
shard names; it is written last, so a folder with a manifest is complete.
The engines are given the shard files, not the folder.

  python3 bench/gen/synth.py -n 200000 --out /tmp/tidings-bench/synth-200000
"""

import argparse
import datetime
import gzip
import json
import math
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import articles  # noqa: E402

VERSION = 1
SOURCES = [
    "Northern Wire", "Harbour Press Agency", "Capital Ledger", "Evening Courier",
    "Market Dispatch", "Continental News Service", "Daily Meridian", "Coastal Gazette",
    "Metro Bulletin", "Pacific Newswire", "Midland Herald", "Global Business Report",
]
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
_WS = re.compile(r"\s+")


def default_corpus():
    env = os.environ.get("TD_SHARED_CORPUS")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "corpus"))


def sentences_of(body):
    """Real sentences of one story: paragraphs unwrapped, split after . ! ?"""
    out = []
    for para in re.split(r"\n\s*\n|\n {3,}", body):
        para = _WS.sub(" ", para).strip()
        if not para or para == "Reuter":
            continue
        for s in _SPLIT.split(para):
            s = s.strip()
            if s.endswith(" Reuter"):
                s = s[:-7].rstrip()
            n = len(s.split())
            if 5 <= n <= 60 and s[-1] in ".!?\"'":
                out.append(s)
    return out


def load_pools(corpus):
    """Stories (as lists of sentences), all sentences, and headlines."""
    stories, headlines = [], []
    sources = [os.path.join(corpus, "reuters21578"), os.path.join(corpus, "bbc")]
    for src in sources:
        if not os.path.isdir(src):
            sys.exit("synth.py: %s is missing; set TD_SHARED_CORPUS or --corpus" % src)
    for _id, title, body in articles.iter_articles(sources):
        sents = sentences_of(body)
        if len(sents) >= 2:
            stories.append(sents)
        title = _WS.sub(" ", title).strip()
        if 2 <= len(title.split()) <= 14:
            if title.isupper():
                title = " ".join(w.capitalize() for w in title.split())
            headlines.append(title)
    pool = [s for st in stories for s in st]
    return stories, pool, headlines


def make_article(rng, i, stories, pool, headlines, median_words):
    story = rng.choice(stories)
    target = int(rng.lognormvariate(math.log(median_words), 0.55))
    target = max(40, min(4000, target))
    next_own = 0
    paras, para, words = [], [], 0
    para_len = rng.randint(1, 4)
    while words < target:
        if next_own < len(story) and rng.random() < 0.6:
            s = story[next_own]
            next_own += 1
        else:
            s = rng.choice(pool)
        para.append(s)
        words += s.count(" ") + 1
        if len(para) >= para_len:
            paras.append(" ".join(para))
            para, para_len = [], rng.randint(1, 4)
    if para:
        paras.append(" ".join(para))
    if rng.random() < 0.5:
        title = rng.choice(headlines)
    else:
        short = [s for s in story if len(s.split()) <= 12] or story
        title = rng.choice(short).rstrip(".!?\"' ")
    day = datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randrange(35 * 365))
    num = "%07d" % (i + 1)
    return {
        "id": "synth-" + num,
        "title": title,
        "date": day.isoformat(),
        "source": rng.choice(SOURCES),
        "url": "https://news.example.org/%d/%s" % (day.year, num),
        "body": "\n\n".join(paras),
    }


def generate(out, n, seed, shard, use_gzip, corpus, median_words):
    stories, pool, headlines = load_pools(corpus)
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    manifest = os.path.join(out, "manifest.json")
    if os.path.exists(manifest):
        os.remove(manifest)
    files, total = [], 0
    for start in range(0, n, shard):
        name = "synth-%05d.jsonl%s" % (start // shard, ".gz" if use_gzip else "")
        path = os.path.join(out, name)
        opener = (lambda p: gzip.GzipFile(p, "wb", mtime=0)) if use_gzip else (lambda p: open(p, "wb"))
        with opener(path) as f:
            lines = []
            for i in range(start, min(n, start + shard)):
                a = make_article(rng, i, stories, pool, headlines, median_words)
                lines.append(json.dumps(a, ensure_ascii=False))
            data = ("\n".join(lines) + "\n").encode("utf-8")
            total += len(data)
            f.write(data)
        files.append(name)
    info = {"version": VERSION, "n": n, "seed": seed, "shard": shard, "gzip": use_gzip,
            "median_words": median_words, "files": files, "bytes": total,
            "pool_sentences": len(pool), "pool_stories": len(stories)}
    with open(manifest, "w") as f:
        json.dump(info, f, indent=1)
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=200000, help="articles (default 200000)")
    ap.add_argument("--out", default=None, help="folder (default /tmp/tidings-bench/synth-N)")
    ap.add_argument("--seed", type=int, default=1987)
    ap.add_argument("--shard", type=int, default=10000, help="articles per file")
    ap.add_argument("--gzip", action="store_true", help="write .jsonl.gz shards")
    ap.add_argument("--median-words", type=int, default=300)
    ap.add_argument("--corpus", default=default_corpus(), help="the shared corpus folder")
    args = ap.parse_args()
    out = args.out or "/tmp/tidings-bench/synth-%d" % args.n
    info = generate(out, args.n, args.seed, args.shard, args.gzip, args.corpus, args.median_words)
    print("synth.py: %d articles, %d bytes in %d files in %s"
          % (info["n"], info["bytes"], len(info["files"]), out))


if __name__ == "__main__":
    main()
