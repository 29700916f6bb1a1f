#!/usr/bin/env python3
"""run_eval.py - relevance of tidings and its peers on the classic IR collections.

For every collection under ../shared/corpus/ir (cacm cisi cranfield med npl):
  1. index docs.trec with each engine that is built:
       tidings  bin/indexer -o IDX docs.trec
       xapian   build/bench/xapian_peer index DB docs.trec
       fts5     build/bench/fts5_peer index DB docs.trec
  2. clean queries.tsv of query syntax (see clean_query) and run them in one
     batch, `qid<TAB>query` on stdin, 1000 results, default operator OR:
       bin/searcher -i IDX --default-op or -k 1000 --format trec
       build/bench/<peer> query DB -k 1000 --default-op or
     (ours are looked for in --bin-dir, bin/ by default, the peers in
     --peer-dir, build/bench/ by default; an engine not built is reported)
  3. evaluate the TREC run with build/bench/treceval (trec_eval -c measures)
and write the table to bench/RESULTS-eval.md.

With --check, compares tidings' MAP on each collection with the floor in
bench/eval/baseline.tsv and exits 1 if any is below it (the regression
guard, `make eval-check`).  --update-baseline rewrites that file from the
figures just measured, each floor BASELINE_MARGIN below the measurement.

Python 3 standard library only.  Scratch files (indexes, runs, logs) go to
build/eval/ unless --work says otherwise.
"""
import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = ["cacm", "cisi", "cranfield", "med", "npl"]
ENGINES = ["tidings", "xapian", "fts5"]
MEASURES = ["map", "P_10", "ndcg_cut_10", "recall_1000"]
DEPTH = 1000
TIMEOUT = 1800          # seconds for one indexing or query batch
BASELINE = os.path.join(ROOT, "bench", "eval", "baseline.tsv")
# A floor sits this far below the MAP measured when it was set: ranking is
# deterministic, so any drop is a real change, but tokenizer or scoring
# tweaks may move MAP by a few thousandths without being regressions.
BASELINE_MARGIN = 0.01

# Published BM25 figures on the same judgements, for orientation only: the
# document text, tokenisation and stemming differ from ours.
REFERENCES = [
    ("cacm", "Anserini BM25 (Lucene)", "0.3123",
     "Anserini regression src/main/resources/regression/cacm.yaml (P@30 0.1942)"),
    ("npl", "Anserini BM25 (Lucene)", "0.286", "as given in the project brief"),
    ("npl", "PISA BM25", "0.305", "as given in the project brief"),
]

SYNTAX = re.compile(r'["()*:]')


def clean_query(text):
    """Turns raw query text into plain lower-case words for every engine's
    parser: quotes, parentheses, '*' and ':' (phrase, group, prefix and
    field syntax) become spaces, so AND/OR/NOT are the words they were in
    the source text.  Lower case because Xapian's default stemming leaves
    capitalised words unstemmed (NPL's queries are all capitals), which
    would measure that quirk rather than the ranking."""
    return " ".join(w.lower() for w in SYNTAX.sub(" ", text).split())


def engine_commands(engine, store, args):
    """(index argv without the input, query argv) of ENGINE, or None when
    its binaries are not in ARGS.bin_dir (ours) or ARGS.peer_dir."""
    if engine == "tidings":
        indexer = os.path.join(args.bin_dir, "indexer")
        searcher = os.path.join(args.bin_dir, "searcher")
        if not (os.access(indexer, os.X_OK) and os.access(searcher, os.X_OK)):
            return None
        return ([indexer, "-o", store],
                [searcher, "-i", store, "--default-op", "or", "-k", str(DEPTH),
                 "--format", "trec"])
    peer = os.path.join(args.peer_dir, engine + "_peer")
    if not os.access(peer, os.X_OK):
        return None
    return ([peer, "index", store],
            [peer, "query", store, "-k", str(DEPTH), "--default-op", "or"])


def run(argv, log, stdin=None, stdout=None):
    """Runs ARGV with stderr appended to the open file LOG; returns
    (exit status, seconds).  A timeout counts as status -1."""
    log.write("$ " + " ".join(argv) + "\n")
    log.flush()
    start = time.monotonic()
    try:
        rc = subprocess.run(argv, stdin=stdin, stdout=stdout or log, stderr=log,
                            timeout=TIMEOUT).returncode
    except subprocess.TimeoutExpired:
        log.write(f"timed out after {TIMEOUT} s\n")
        rc = -1
    return rc, time.monotonic() - start


def evaluate(treceval, qrels, runfile):
    """Runs `treceval -q` and returns {measure: value} of the "all" lines,
    plus "judged" (queries evaluated) and "answered" (those of them the run
    retrieves anything for)."""
    out = subprocess.run([treceval, "-q", qrels, runfile], capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    result = {"answered": 0}
    for line in out.stdout.splitlines():
        name, qid, value = (field.strip() for field in line.split("\t"))
        if qid == "all":
            result[name] = float(value)
        elif name == "num_ret" and int(value) > 0:
            result["answered"] += 1
    result["judged"] = int(result["num_q"])
    return result


def prepare_queries(src, dst):
    """Writes the cleaned queries of SRC to DST; returns how many were
    left out because nothing remained of them."""
    dropped = 0
    with open(src) as f, open(dst, "w") as out:
        for line in f:
            qid, _, text = line.rstrip("\n").partition("\t")
            query = clean_query(text)
            if query:
                out.write(f"{qid}\t{query}\n")
            else:
                dropped += 1
    return dropped


def evaluate_engine(engine, coll, args):
    """Indexes, queries and evaluates one collection with one engine.
    Returns a result dict; "error" is set when a step failed."""
    cdir = os.path.join(args.corpus, coll)
    wdir = os.path.join(args.work, coll)
    store = os.path.join(wdir, engine + ".idx")
    runfile = os.path.join(wdir, engine + ".run")
    cmds = engine_commands(engine, store, args)
    res = {"engine": engine, "collection": coll}
    if cmds is None:
        res["error"] = "not built"
        return res
    index_cmd, query_cmd = cmds
    if os.path.isdir(store):
        shutil.rmtree(store)
    elif os.path.exists(store):
        os.remove(store)
    with open(os.path.join(wdir, engine + ".log"), "w") as log:
        rc, res["index_s"] = run(index_cmd + [os.path.join(cdir, "docs.trec")], log)
        if rc != 0:
            res["error"] = f"indexing failed (exit {rc}), see {log.name}"
            return res
        with open(os.path.join(wdir, "queries.tsv")) as qin, open(runfile, "w") as rout:
            rc, res["query_s"] = run(query_cmd, log, stdin=qin, stdout=rout)
        if rc != 0:
            # Some queries may have failed; what was answered still counts
            # and the table says so.
            res["warning"] = f"searching exited {rc}, see {log.name}"
    qrels = os.path.join(cdir, "qrels.txt")
    try:
        res.update(evaluate(args.treceval, qrels, runfile))
    except (RuntimeError, ValueError) as e:
        res["error"] = f"evaluation failed: {e}"
        return res
    return res


def fmt(x):
    return f"{x:.4f}" if isinstance(x, float) else str(x)


def source_version():
    """The checkout's commit, with "+changes" when the tree differs from it."""
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return rev + (" +changes" if dirty else "")


def write_table(results, dropped, path, argv):
    lines = [
        "# Relevance on the classic IR test collections",
        "",
        "Written by `bench/eval/run_eval.py` (`make eval`); do not edit by hand.",
        f"Command: `{' '.join(argv)}` (paths to binaries and scratch left out), "
        f"source at commit {source_version()}.",
        "",
        "Each engine indexes the collection's `docs.trec` and answers its queries "
        "(syntax characters `\" ( ) * :` removed, AND/OR/NOT lower-cased) with the "
        f"default operator OR, {DEPTH} results per query.  The runs are scored by "
        "`build/bench/treceval`, which computes trec_eval's measures as `trec_eval -c` "
        "does: averages over every query with a relevant judgement, a judged query "
        "that the run misses counts as 0.  Each engine ranks as it does out of the "
        "box: tidings gives English stopwords no weight beside other words (its "
        "default; `--keep-stopwords` turns that off), Xapian's QueryParser has no "
        "stopper set and FTS5 has no stop list, so both weigh every word.",
        "",
        "| collection | engine | MAP | P@10 | nDCG@10 | R@1000 | judged queries answered | index s | queries s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes = []
    for r in results:
        if "error" in r:
            notes.append(f"- {r['collection']} / {r['engine']}: {r['error']}")
            continue
        if "warning" in r:
            notes.append(f"- {r['collection']} / {r['engine']}: {r['warning']}")
        lines.append("| {} | {} | {} | {} | {} | {} | {}/{} | {:.1f} | {:.1f} |".format(
            r["collection"], r["engine"], *(fmt(r[m]) for m in MEASURES),
            r["answered"], r["judged"], r["index_s"], r["query_s"]))
    for coll, n in dropped.items():
        if n:
            notes.append(f"- {coll}: {n} queries had no word left after cleaning and were not sent")
    lines += ["", "Published BM25 references (MAP, same judgements, different text "
              "processing, so only a rough yardstick):", ""]
    lines += ["| collection | system | MAP | source |", "| --- | --- | --- | --- |"]
    lines += [f"| {c} | {s} | {m} | {src} |" for c, s, m, src in REFERENCES]
    if notes:
        lines += ["", "Notes:", ""] + notes
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def read_baseline(path):
    """{collection: floor or None}; None is a collection listed without a
    figure yet ("-")."""
    floors = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            if len(fields) < 2:
                sys.exit(f"{path}:{n}: expected `collection min_map`, found {line!r}")
            floors[fields[0]] = None if fields[1] == "-" else float(fields[1])
    return floors


def check_baseline(results, path):
    """Prints one line per collection of PATH and returns (passed, failed):
    a collection fails when tidings' MAP is below its floor or could not be
    measured; one without a floor, or not evaluated now, is not counted."""
    floors = read_baseline(path)
    got = {r["collection"]: r for r in results if r["engine"] == "tidings"}
    passed = failures = 0
    for coll, floor in floors.items():
        r = got.get(coll)
        if floor is None:
            print(f"eval-check: {coll}: no floor yet in {path}, not checked")
        elif r is None:
            print(f"eval-check: {coll}: not evaluated in this run, not checked")
        elif "error" in r:
            print(f"eval-check: {coll}: FAIL, {r['error']}")
            failures += 1
        elif r["map"] < floor:
            print(f"eval-check: {coll}: FAIL, MAP {r['map']:.4f} < floor {floor:.3f}")
            failures += 1
        else:
            print(f"eval-check: {coll}: ok, MAP {r['map']:.4f} >= floor {floor:.3f}")
            passed += 1
    return passed, failures


def update_baseline(results, path):
    """Rewrites PATH with a floor BASELINE_MARGIN below each tidings MAP
    measured now; collections not measured keep their line."""
    kept = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    kept[line.split()[0]] = line.rstrip("\n")
    for r in results:
        if r["engine"] == "tidings" and "error" not in r:
            floor = math.floor((r["map"] - BASELINE_MARGIN) * 1000) / 1000
            kept[r["collection"]] = f"{r['collection']}\t{floor:.3f}\t# measured {r['map']:.4f}"
    with open(path, "w") as f:
        f.write("# Regression guard for `make eval-check` (bench/eval/run_eval.py --check):\n"
                "# the lowest MAP tidings may score on each collection.  Each floor is\n"
                f"# {BASELINE_MARGIN} below the MAP measured when it was set (shown after '#').\n"
                "# Rewrite with `python3 bench/eval/run_eval.py --engines tidings "
                "--update-baseline`\n"
                "# after a deliberate ranking change; '-' means no floor yet.\n"
                "# collection\tmin_map\n")
        order = [c for c in COLLECTIONS if c in kept] + sorted(set(kept) - set(COLLECTIONS))
        for coll in order:
            f.write(kept[coll] + "\n")
    print(f"run_eval: wrote {path}")


def main():
    default_corpus = os.path.join(os.environ.get("TD_SHARED_CORPUS") or
                                  os.path.join(ROOT, "..", "shared", "corpus"), "ir")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=default_corpus, help="folder of the IR collections")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "eval"), help="scratch folder")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS-eval.md"),
                    help="results table to write ('' for none)")
    ap.add_argument("--collections", default=",".join(COLLECTIONS))
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--treceval", default=os.path.join(ROOT, "build", "bench", "treceval"))
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "bin"),
                    help="folder of bin/indexer and bin/searcher")
    ap.add_argument("--peer-dir", default=os.path.join(ROOT, "build", "bench"),
                    help="folder of xapian_peer and fts5_peer")
    ap.add_argument("--check", action="store_true", help="fail if tidings MAP drops below baseline.tsv")
    ap.add_argument("--update-baseline", action="store_true", help="rewrite baseline.tsv")
    args = ap.parse_args()

    if not os.access(args.treceval, os.X_OK):
        sys.exit(f"run_eval: {args.treceval} is missing; build it with `make build/bench/treceval`")
    if not os.path.isdir(args.corpus):
        sys.exit(f"run_eval: no IR collections at {args.corpus}; set TD_SHARED_CORPUS")
    results, dropped = [], {}
    for coll in args.collections.split(","):
        wdir = os.path.join(args.work, coll)
        os.makedirs(wdir, exist_ok=True)
        dropped[coll] = prepare_queries(os.path.join(args.corpus, coll, "queries.tsv"),
                                        os.path.join(wdir, "queries.tsv"))
        for engine in args.engines.split(","):
            r = evaluate_engine(engine, coll, args)
            results.append(r)
            shown = "  ".join(f"{m} {r[m]:.4f}" for m in MEASURES if m in r)
            print(f"run_eval: {coll:9} {engine:7} {shown or r.get('error', '')}", flush=True)
    if args.out:
        shown = [f"--collections {args.collections}"] if args.collections != ",".join(COLLECTIONS) else []
        shown += [f"--engines {args.engines}"] if args.engines != ",".join(ENGINES) else []
        write_table(results, dropped, args.out, ["python3", "bench/eval/run_eval.py"] + shown)
        print(f"run_eval: wrote {args.out}")
    if args.update_baseline:
        update_baseline(results, BASELINE)
    if args.check:
        passed, failures = check_baseline(results, BASELINE)
        print(f"eval-check: {passed} passed, {failures} failed")
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
