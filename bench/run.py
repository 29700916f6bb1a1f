#!/usr/bin/env python3
"""run.py - tidings side by side with Xapian and SQLite FTS5.

Every engine indexes the same articles and answers the same query files,
one engine at a time on an otherwise idle machine, and this script writes
bench/RESULTS.md: indexing wall and CPU time, peak RSS and index bytes;
queries per second and per-query latency (p50/p95/p99) for every query set,
top-10 and count; one query from the shell end to end; and how often the
engines agree on hit counts.  Each figure of ours is also given as a ratio
to the best peer.

  python3 bench/run.py            Reuters-21578, BBC, 20 Newsgroups and a
                                  200,000-article synthetic corpus
  python3 bench/run.py --large    the same with the synthetic corpus at
                                  1,000,000 articles
  python3 bench/run.py --quick    Reuters only, 50 queries per set, report
                                  in the scratch folder (for iterating)

Measurement: each engine runs as its own process; wall time is taken around
it and its CPU time and peak RSS come from wait4().  Queries run in batch
mode (qid<TAB>query lines on stdin, answers to a file), so only engine work
is timed: throughput is queries / (batch wall time - wall time of an empty
batch, i.e. process start and index open); a set answered in under
--min-batch seconds is run again fed several times over, so that the
jitter of process start cannot swamp it.  Per-query latency comes from
each engine's own clock around each query (--latency-file); for our searcher
only if its --help mentions --latency-file.  Index files are read once before
the queries, so queries meet a warm page cache, as a searched archive would.

Python 3 standard library only.  Nothing is written into the repository
but the report.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(REPO, "bench", "gen")
SYNTH_SEED = 1987
QUERY_SEED = 7
INPUT_SUFFIXES = (".txt", ".trec", ".sgml", ".sgm", ".jsonl")

# name, title, folders below the shared corpus (None: the synthetic corpus)
CORPORA = [
    ("reuters", "Reuters-21578", ["reuters21578"]),
    ("bbc", "BBC News", ["bbc"]),
    ("20ng", "20 Newsgroups", ["20newsgroups"]),
    ("synth", "Synthetic news", None),
]
MAX_PASSES = 20
INDEX_RUNS = 3            # indexing runs of a build, the fastest kept ...
# ... when one takes at most this many seconds: every engine's build of all
# four corpora but Xapian's of the synthetic one.  At 5 s, the synthetic
# corpus' builds ran once, and the -j 2 build alone came out at 1.48-1.64x
# the single thread in three whole bench runs, where it measured 1.84-1.93x
# by itself: one run of a few seconds is at the machine's mercy.
INDEX_REPEAT_UNDER = 30.0
VARIANTS = [("top10", "top 10, ranked"), ("count", "count only")]


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# ---------------------------------------------------------------- running

def measure(cmd, stdin_path=None, stdout_path=None, stderr_path=None, timeout=None):
    """Runs CMD once; returns rc, wall seconds, user/sys CPU seconds and peak
    RSS (KiB) of the process and its children, from wait4()."""
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    fout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    ferr = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL
    timer = None
    try:
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr)
        except OSError as e:
            return {"rc": None, "error": "cannot start %s: %s" % (cmd[0], e)}
        killed = []
        if timeout:
            def kill():
                killed.append(True)
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            timer = threading.Timer(timeout, kill)
            timer.start()
        _pid, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        res = {"rc": p.returncode, "wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime,
               "maxrss_kb": ru.ru_maxrss}
        if killed:
            res["error"] = "killed after the %d s time limit" % timeout
        elif p.returncode < 0:
            res["error"] = "killed by signal %d" % -p.returncode
        return res
    finally:
        if timer:
            timer.cancel()
        for f in (fin, fout, ferr):
            if f is not subprocess.DEVNULL:
                f.close()


def tail(path, lines=6):
    try:
        with open(path, "r", errors="replace") as f:
            return "".join(f.readlines()[-lines:]).strip()
    except OSError:
        return ""


def path_bytes(path):
    """Bytes of the files at PATH (a file, or a folder walked recursively)."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    return total


def input_bytes(paths):
    """Bytes of the input files the indexers read (known formats only; a
    .gz file counts as stored, compressed)."""
    total = 0
    for root in paths:
        if os.path.isfile(root):
            total += os.path.getsize(root)
            continue
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                name = f[:-3] if f.endswith(".gz") else f
                if name.endswith(INPUT_SUFFIXES):
                    total += os.path.getsize(os.path.join(dirpath, f))
    return total


def warm(path):
    """Reads every file of PATH (an index, or an input folder) once, so that
    queries, and the first engine to index, meet a warm cache."""
    files = [path] if os.path.isfile(path) else [
        os.path.join(d, f) for d, _s, fs in os.walk(path) for f in fs]
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(1 << 20):
                pass


def shown(path):
    """PATH relative to the repository when inside it, else as it is."""
    rel = os.path.relpath(path, REPO)
    return path if rel.startswith("..") else rel


def cmd_output(cmd):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=30).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return ""


# ---------------------------------------------------------------- engines

class Engine:
    """One engine's command lines.  `problem` is why it cannot run, or None."""
    name = label = ""
    problem = None
    latency = True        # writes per-query latencies with --latency-file
    ok_codes = (0,)       # exit codes of a successful query batch

    def index_path(self, folder):
        raise NotImplementedError

    def index_cmd(self, idx, inputs):
        raise NotImplementedError

    def query_cmd(self, idx, count, op, latency_file):
        raise NotImplementedError

    def shell(self, idx, query, op):
        """(command, stdin text or None) answering QUERY as from a shell."""
        raise NotImplementedError


class Tidings(Engine):
    name, label = "tidings", "tidings (ours)"
    ok_codes = (0, 1)

    def __init__(self, bindir):
        self.indexer = os.path.join(bindir, "indexer")
        self.searcher = os.path.join(bindir, "searcher")
        missing = [p for p in (self.indexer, self.searcher) if not os.access(p, os.X_OK)]
        if missing:
            self.problem = "not built: %s missing (run `make all`)" % ", ".join(
                shown(p) for p in missing)
            self.latency = False
        else:
            self.latency = "--latency-file" in cmd_output([self.searcher, "--help"])

    def index_path(self, folder):
        return os.path.join(folder, "tidings.idx")

    threads = 1           # -j: 1 for the single-threaded row, 2 for the parallel one

    def index_cmd(self, idx, inputs):
        return [self.indexer, "-j", str(self.threads), "-o", idx] + inputs

    def query_cmd(self, idx, count, op, latency_file):
        cmd = [self.searcher, "-i", idx, "--default-op", op]
        cmd += ["--count"] if count else ["-k", "10", "--format", "trec"]
        if latency_file and self.latency:
            cmd += ["--latency-file", latency_file]
        return cmd

    def shell(self, idx, query, op):
        return [self.searcher, "-i", idx, "-k", "10", "--default-op", op, query], None


class Peer(Engine):
    def __init__(self, name, label, binary, suffix):
        self.name, self.label, self.binary, self.suffix = name, label, binary, suffix
        if not os.access(binary, os.X_OK):
            self.problem = "not built: %s missing (run `make bench-peers`)" % shown(binary)

    def index_path(self, folder):
        return os.path.join(folder, self.name + self.suffix)

    def index_cmd(self, idx, inputs):
        return [self.binary, "index", idx] + inputs

    def query_cmd(self, idx, count, op, latency_file):
        cmd = [self.binary, "query", idx, "--default-op", op]
        cmd += ["--count"] if count else ["-k", "10"]
        if latency_file:
            cmd += ["--latency-file", latency_file]
        return cmd

    def shell(self, idx, query, op):
        return [self.binary, "query", idx, "-k", "10", "--default-op", op], "q\t%s\n" % query


def make_engines(args):
    peers = args.peers_bin
    all_engines = [
        Tidings(args.ours_bin),
        Peer("xapian", "Xapian 1.4", os.path.join(peers, "xapian_peer"), ".xapian"),
        Peer("fts5", "SQLite FTS5", os.path.join(peers, "fts5_peer"), ".fts5"),
    ]
    return [e for e in all_engines if e.name in args.engines]


# ---------------------------------------------------------------- inputs

def corpus_inputs(args, name, folders):
    """Input paths of corpus NAME, generating the synthetic one if needed."""
    if folders is not None:
        paths = [os.path.join(args.shared, f) for f in folders]
        missing = [p for p in paths if not os.path.isdir(p)]
        if missing:
            raise RuntimeError("missing %s (set --shared or TD_SHARED_CORPUS)" % ", ".join(missing))
        return paths
    out = os.path.join(args.scratch, "corpus", "synth-%d" % args.synth_n)
    manifest = os.path.join(out, "manifest.json")
    info = None
    if os.path.exists(manifest):
        with open(manifest) as f:
            info = json.load(f)
        if info.get("n") != args.synth_n or info.get("seed") != SYNTH_SEED:
            info = None
    if info is None:
        log("generating %d synthetic articles in %s" % (args.synth_n, out))
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(GEN, "synth.py"), "-n", str(args.synth_n),
                        "--seed", str(SYNTH_SEED), "--out", out, "--corpus", args.shared],
                       check=True)
        with open(manifest) as f:
            info = json.load(f)
    return [os.path.join(out, f) for f in info["files"]]


def query_sets(args, name, inputs):
    """The query sets of corpus NAME: [{name, path, default_op, ...}]."""
    out = os.path.join(args.scratch, "queries", "%s-%d" % (name, args.queries))
    listing = os.path.join(out, "sets.json")
    if not os.path.exists(listing):
        log("generating query sets for %s" % name)
        subprocess.run([sys.executable, os.path.join(GEN, "queries.py"), "--out", out,
                        "-n", str(args.queries), "--seed", str(QUERY_SEED)] + inputs, check=True)
    with open(listing) as f:
        info = json.load(f)
    sets = []
    for s in info["sets"]:
        s = dict(s, path=os.path.join(out, s["file"]))
        with open(s["path"]) as f:
            s["lines"] = [ln.rstrip("\n").split("\t", 1) for ln in f if "\t" in ln]
        sets.append(s)
    return sets


# ---------------------------------------------------------------- one engine

def percentile(values, p):
    """Nearest-rank percentile of sorted VALUES."""
    if not values:
        return None
    k = max(0, min(len(values) - 1, math.ceil(p * len(values) / 100.0) - 1))
    return values[k]


def read_latencies(path):
    try:
        with open(path) as f:
            return sorted(int(ln.split("\t")[1]) for ln in f if "\t" in ln)
    except (OSError, ValueError, IndexError):
        return []


def read_counts(path):
    counts = {}
    try:
        with open(path) as f:
            for ln in f:
                parts = ln.rstrip("\n").split("\t")
                if len(parts) == 2:
                    try:
                        counts[parts[0]] = int(parts[1])
                    except ValueError:
                        pass
    except OSError:
        pass
    return counts


def remove_index(idx):
    if os.path.isdir(idx):
        shutil.rmtree(idx)
    elif os.path.exists(idx):
        os.remove(idx)


def articles_indexed(*logs):
    """The article count an indexer's summary line reports ("N articles")."""
    for path in logs:
        m = re.findall(r"(\d+) articles", tail(path, 20))
        if m:
            return int(m[-1])
    return None


def run_index(args, eng, idx, inputs, logdir, commands, tag=""):
    """Indexes INPUTS into IDX INDEX_RUNS times, once when a run takes over
    INDEX_REPEAT_UNDER seconds, and keeps the fastest run: one run of a
    build under a second varied by 10% between bench runs."""
    cmd = eng.index_cmd(idx, inputs)
    commands.setdefault("index " + eng.name + tag, shlex.join(cmd))
    errlog = os.path.join(logdir, eng.name + tag + "-index.log")
    log("%s: indexing" % eng.name)
    r = None
    for _ in range(INDEX_RUNS):
        remove_index(idx)
        run = measure(cmd, stdout_path=errlog + ".out", stderr_path=errlog, timeout=args.timeout)
        if run.get("rc") != 0 or not os.path.exists(idx):
            why = run.get("error") or "exit code %s" % run.get("rc")
            return {"error": "indexing failed (%s): %s" % (why, tail(errlog) or "no message")}
        if r is None or run["wall"] < r["wall"]:
            r = run
        if run["wall"] > INDEX_REPEAT_UNDER:
            break
    r["bytes"] = path_bytes(idx)
    r["articles"] = articles_indexed(errlog, errlog + ".out")
    log("%s: indexed in %.1f s, %.1f MB" % (eng.name, r["wall"], r["bytes"] / 1e6))
    return r


def open_cost(args, eng, idx, rundir):
    """Fastest of 5 empty batches: process start and index open."""
    empty = os.path.join(rundir, "empty.tsv")
    open(empty, "w").close()
    err = os.path.join(rundir, eng.name + "-empty.err")
    walls = []
    for _ in range(5):
        r = measure(eng.query_cmd(idx, False, "and", None), stdin_path=empty, stderr_path=err,
                    timeout=args.timeout)
        if r.get("rc") not in eng.ok_codes:
            raise RuntimeError("an empty query batch failed (exit code %s): %s"
                               % (r.get("rc"), tail(err) or "no message"))
        walls.append(r["wall"])
    return min(walls)


def run_batch(args, cmd, qset, passes, base, lat):
    """Runs CMD on QSET fed PASSES times over; the fastest of --repeat runs
    and its latencies."""
    batch = "%s.x%d.tsv" % (base, passes)
    with open(qset["path"]) as f:
        text = f.read()
    with open(batch, "w") as f:
        f.write(text * passes)
    best, lats = None, []
    for _ in range(args.repeat):
        if os.path.exists(lat):
            os.remove(lat)
        r = measure(cmd, stdin_path=batch, stdout_path=base + ".out", stderr_path=base + ".err",
                    timeout=args.timeout)
        if best is None or r.get("wall", 1e99) < best.get("wall", 1e99):
            best, lats = r, read_latencies(lat)
    os.remove(batch)
    return best, lats


def run_set(args, eng, idx, qset, variant, open_wall, base, commands):
    """Throughput and latency of one query set in one variant.  A set whose
    work takes under --min-batch seconds is run again, fed enough times over
    to take about that long, so process start jitter cannot swamp it."""
    count = variant == "count"
    lat = base + ".lat"
    cmd = eng.query_cmd(idx, count, qset["default_op"], lat)
    commands.setdefault("query %s %s" % (eng.name, variant), shlex.join(cmd) + " < SET.tsv")
    passes = 1
    while True:
        r, lats = run_batch(args, cmd, qset, passes, base, lat)
        if r.get("rc") is None or r["rc"] < 0 or "error" in r:
            return {"error": r.get("error") or "exit code %s: %s" % (
                r.get("rc"), tail(base + ".err", 3) or "no message")}
        busy = r["wall"] - open_wall
        if lats:
            busy = max(busy, sum(lats) / 1e6)
        if busy >= args.min_batch or passes >= MAX_PASSES:
            break
        passes = min(MAX_PASSES, max(2 * passes, int(passes * args.min_batch / max(busy, 1e-3)) + 1))
    n = len(qset["lines"]) * passes
    res = {"n": n, "passes": passes, "wall": r["wall"], "rc": r["rc"], "maxrss_kb": r["maxrss_kb"]}
    if r["rc"] not in eng.ok_codes:
        # The batch ran to its end but some query was refused: the figures
        # stand, and the message goes in the report.
        res["note"] = "exit code %d: %s" % (r["rc"], tail(base + ".err", 1) or "no message")
    if busy > 0 and n:   # else lost in the noise of process start
        res["qps"] = n / busy
        res["mean_us"] = busy * 1e6 / n
    if lats:
        res.update(p50=percentile(lats, 50), p95=percentile(lats, 95), p99=percentile(lats, 99),
                   lat_n=len(lats))
    if count:
        res["counts"] = read_counts(base + ".out")
        res["failed"] = len(qset["lines"]) - len(res["counts"])
    return res


def run_queries(args, eng, idx, sets, rundir, commands):
    """Throughput and latency of every set, top-10 and count."""
    warm(idx)
    try:
        out = {"open_wall": open_cost(args, eng, idx, rundir), "sets": {}}
    except RuntimeError as e:
        return {"error": str(e)}
    for qset in sets:
        for variant, _label in VARIANTS:
            base = os.path.join(rundir, "%s-%s-%s" % (eng.name, qset["name"], variant))
            out["sets"]["%s/%s" % (qset["name"], variant)] = run_set(
                args, eng, idx, qset, variant, out["open_wall"], base, commands)
    return out


def run_shell(args, eng, idx, query, op, rundir, commands):
    """Median wall time of one query answered from the shell, end to end."""
    cmd, stdin = eng.shell(idx, query, op)
    commands.setdefault("shell " + eng.name, shlex.join(cmd) + (
        " <<< %s" % shlex.quote(stdin.rstrip("\n")) if stdin else ""))
    inp = None
    if stdin is not None:
        inp = os.path.join(rundir, eng.name + "-shell.tsv")
        with open(inp, "w") as f:
            f.write(stdin)
    walls = []
    for i in range(args.shell_runs + 1):
        r = measure(cmd, stdin_path=inp, stdout_path=os.path.join(rundir, eng.name + "-shell.out"),
                    stderr_path=os.path.join(rundir, eng.name + "-shell.err"), timeout=120)
        if r.get("rc") not in eng.ok_codes:
            return {"error": "exit code %s: %s" % (r.get("rc"), tail(
                os.path.join(rundir, eng.name + "-shell.err"), 3) or "no message")}
        if i > 0:   # the first run only warms the cache
            walls.append(r["wall"])
    return {"wall": statistics.median(walls), "runs": len(walls), "query": query}


def bench_corpus(args, engines, name, title, folders, commands):
    res = {"name": name, "title": title, "engines": {}}
    try:
        inputs = corpus_inputs(args, name, folders)
        sets = query_sets(args, name if folders else "synth%d" % args.synth_n, inputs)
    except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
        res["error"] = str(e)
        return res
    res["input_bytes"] = input_bytes(inputs)
    res["inputs"] = inputs
    res["sets"] = [{k: s[k] for k in ("name", "what", "default_op", "queries")} for s in sets]
    shell_set = sets[0]
    res["shell_query"] = shell_set["lines"][0][1] if shell_set["lines"] else "oil"
    folder = os.path.join(args.scratch, "index", name)
    rundir = os.path.join(args.scratch, "runs", name)
    os.makedirs(folder, exist_ok=True)
    os.makedirs(rundir, exist_ok=True)
    for path in inputs:
        warm(path)
    for eng in engines:
        er = res["engines"][eng.name] = {}
        if eng.problem:
            er["error"] = eng.problem
            continue
        idx = eng.index_path(folder)
        if eng.name == "tidings":
            # The same build with two analysing threads, for the -j 2 row;
            # the single-threaded index is the one the queries then use.
            eng.threads = 2
            er["index_j2"] = run_index(args, eng, idx, inputs, rundir, commands, " -j2")
            eng.threads = 1
        er["index"] = run_index(args, eng, idx, inputs, rundir, commands)
        if "error" in er["index"]:
            er["error"] = er["index"]["error"]
            continue
        log("%s: queries" % eng.name)
        er["queries"] = run_queries(args, eng, idx, sets, rundir, commands)
        er["shell"] = run_shell(args, eng, idx, res["shell_query"], shell_set["default_op"],
                                rundir, commands)
        for part in ("queries", "shell"):
            if "error" in er[part]:
                er.setdefault("error", "%s: %s" % (part, er[part]["error"]))
        if name == "synth" and not args.keep_indexes:
            remove_index(idx)
    return res


# ---------------------------------------------------------------- machine

def machine_info():
    info = {"nproc": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as f:
            models = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        info["cpu"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        with open("/proc/meminfo") as f:
            for ln in f:
                if ln.startswith("MemTotal:"):
                    info["mem_gib"] = int(ln.split()[1]) / 1048576.0
    except OSError:
        pass
    try:
        with open("/etc/os-release") as f:
            for ln in f:
                if ln.startswith("PRETTY_NAME="):
                    info["os"] = ln.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    info["cc"] = cmd_output(["cc", "--version"]).split("\n")[0]
    for pkg in ("libxapian30", "libsqlite3-0"):
        info[pkg] = cmd_output(["dpkg-query", "-W", "-f", "${Version}", pkg]).strip() or "?"
    info["commit"] = cmd_output(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]).strip()
    dirty = cmd_output(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"]).strip()
    if dirty:
        info["commit"] += " (with uncommitted changes)"
    return info


# ---------------------------------------------------------------- report

def fmt_num(x, digits=1):
    if x is None:
        return "—"
    if x >= 100:
        return "{:,.0f}".format(x)
    return "{:,.{}f}".format(x, digits)


def fmt_ratio(ours, best):
    if ours is None or best is None or best == 0 or ours == 0:
        return "—"
    r = ours / best
    return "%.2f×" % r


def best_peer(values, higher_is_better):
    vals = [v for k, v in values.items() if k != "tidings" and v is not None]
    if not vals:
        return None
    return max(vals) if higher_is_better else min(vals)


def engine_get(er, *keys):
    cur = er
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur


def agreement(counts_a, counts_b):
    both = [q for q in counts_a if q in counts_b]
    if not both:
        return None
    exact = sum(1 for q in both if counts_a[q] == counts_b[q])
    near = sum(1 for q in both
               if abs(counts_a[q] - counts_b[q]) <= 0.05 * max(counts_a[q], counts_b[q]))
    return exact * 100.0 / len(both), near * 100.0 / len(both), len(both)


def report_corpus(c, engines, lines):
    ecols = [e for e in engines]
    lines.append("## %s" % c["title"])
    lines.append("")
    if "error" in c:
        lines.append("**Not run:** %s" % c["error"])
        lines.append("")
        return
    ib = c["input_bytes"]
    lines.append("Input: %s bytes in %d path(s); query sets of %s queries (seed %d)."
                 % ("{:,}".format(ib), len(c["inputs"]), c["sets"][0]["queries"], QUERY_SEED))
    lines.append("")
    ers = c["engines"]
    failures = [(e.label, ers[e.name]["error"]) for e in ecols if "error" in ers.get(e.name, {})]

    # Indexing
    lines.append("### Indexing")
    lines.append("")
    lines.append("| engine | articles | wall s | CPU s (user+sys) | peak RSS MiB | index MB | index / input |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    metric = {
        "wall": lambda r: r.get("wall"),
        "cpu": lambda r: r.get("user", 0) + r.get("sys", 0) if "user" in r else None,
        "rss": lambda r: r.get("maxrss_kb") / 1024.0 if r.get("maxrss_kb") else None,
        "bytes": lambda r: r.get("bytes") / 1e6 if r.get("bytes") else None,
    }
    vals = {m: {} for m in metric}
    for e in ecols:
        r = engine_get(ers.get(e.name, {}), "index") or {}
        if "error" in r or not r:
            lines.append("| %s | failed | | | | | |" % e.label)
            continue
        for m, f in metric.items():
            vals[m][e.name] = f(r)
        arts = r.get("articles")
        lines.append("| %s | %s | %s | %s | %s | %s | %.0f%% |" % (
            e.label, "{:,}".format(arts) if arts is not None else "?", fmt_num(vals["wall"][e.name], 2), fmt_num(vals["cpu"][e.name], 2),
            fmt_num(vals["rss"][e.name]), fmt_num(vals["bytes"][e.name]),
            100.0 * r["bytes"] / ib if ib else 0))
    if "tidings" in vals["wall"]:
        lines.append("| **ours ÷ best peer** | | %s | %s | %s | %s | |" % tuple(
            fmt_ratio(vals[m].get("tidings"), best_peer(vals[m], False))
            for m in ("wall", "cpu", "rss", "bytes")))
    j2 = engine_get(ers.get("tidings", {}), "index_j2") or {}
    if j2 and "error" not in j2 and vals["wall"].get("tidings"):
        lines.append("| tidings, `-j 2` | %s | %s | %s | %s | %s | |" % (
            "{:,}".format(j2["articles"]) if j2.get("articles") is not None else "?",
            fmt_num(j2.get("wall"), 2), fmt_num(j2.get("user", 0) + j2.get("sys", 0), 2),
            fmt_num(j2["maxrss_kb"] / 1024.0 if j2.get("maxrss_kb") else None),
            fmt_num(j2["bytes"] / 1e6 if j2.get("bytes") else None)))
        lines.append("")
        lines.append("Indexing with `-j 2` is %.2f× as fast as with `-j 1` (wall time)." %
                     (vals["wall"]["tidings"] / j2["wall"] if j2.get("wall") else 0))
    lines.append("")

    # Throughput
    lines.append("### Queries per second (batch; higher is better)")
    lines.append("")
    head = "| set | variant | " + " | ".join(e.label for e in ecols) + " | ours ÷ best peer |"
    lines.append(head)
    lines.append("| --- | --- | " + " | ".join("---:" for _ in ecols) + " | ---: |")
    keys = ["%s/%s" % (s["name"], v) for s in c["sets"] for v, _l in VARIANTS]
    for key in keys:
        row = {}
        cells = []
        for e in ecols:
            r = engine_get(ers.get(e.name, {}), "queries", "sets", key)
            if r is None:
                cells.append("—")
            elif "error" in r:
                cells.append("failed")
            else:
                row[e.name] = r.get("qps")
                cells.append(fmt_num(r.get("qps")))
        sname, variant = key.split("/")
        lines.append("| %s | %s | %s | %s |" % (sname, variant, " | ".join(cells),
                                                  fmt_ratio(row.get("tidings"), best_peer(row, True))))
    lines.append("")

    # Latency
    lines.append("### Latency per query, µs: p50 / p95 / p99 (engine's own clock)")
    lines.append("")
    lines.append("| set | variant | " + " | ".join(e.label for e in ecols)
                 + " | ours ÷ best peer, p50 / p99 (or mean) |")
    lines.append("| --- | --- | " + " | ".join("---:" for _ in ecols) + " | ---: |")
    for key in keys:
        cells, p50, p99, mean = [], {}, {}, {}
        for e in ecols:
            r = engine_get(ers.get(e.name, {}), "queries", "sets", key)
            if r is None or "error" in r:
                cells.append("—" if r is None else "failed")
                continue
            mean[e.name] = r.get("mean_us")
            if r.get("p50") is None:
                cells.append("mean %s" % fmt_num(r.get("mean_us"), 0))
            else:
                p50[e.name], p99[e.name] = r["p50"], r["p99"]
                cells.append("%s / %s / %s" % (fmt_num(r["p50"], 0), fmt_num(r["p95"], 0),
                                               fmt_num(r["p99"], 0)))
        sname, variant = key.split("/")
        ratio = "—"
        if "tidings" in p50:
            ratio = "%s / %s" % (fmt_ratio(p50["tidings"], best_peer(p50, False)),
                                 fmt_ratio(p99["tidings"], best_peer(p99, False)))
        elif mean.get("tidings"):
            ratio = "mean %s" % fmt_ratio(mean["tidings"], best_peer(mean, False))
        lines.append("| %s | %s | %s | %s |" % (sname, variant, " | ".join(cells), ratio))
    lines.append("")

    # Shell query and open cost
    lines.append("### One query from the shell, end to end (median of runs; lower is better)")
    lines.append("")
    lines.append("Query: `%s`, top 10." % c.get("shell_query", ""))
    lines.append("")
    lines.append("| engine | end to end ms | empty batch (start + open, fastest) ms |")
    lines.append("| --- | ---: | ---: |")
    sh, op = {}, {}
    for e in ecols:
        er = ers.get(e.name, {})
        s = er.get("shell") or {}
        q = er.get("queries") or {}
        if "error" in er:
            lines.append("| %s | failed | failed |" % e.label)
            continue
        sh[e.name] = s.get("wall") * 1e3 if s.get("wall") else None
        op[e.name] = q.get("open_wall") * 1e3 if q.get("open_wall") else None
        lines.append("| %s | %s | %s |" % (e.label, fmt_num(sh[e.name], 2) if "error" not in s else "failed",
                                           fmt_num(op[e.name], 2)))
    if "tidings" in sh:
        lines.append("| **ours ÷ best peer** | %s | %s |" % (
            fmt_ratio(sh.get("tidings"), best_peer(sh, False)),
            fmt_ratio(op.get("tidings"), best_peer(op, False))))
    lines.append("")

    # Agreement
    names = [e.name for e in ecols]
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    label = {e.name: e.label.split(" (")[0] for e in ecols}
    lines.append("### Hit-count agreement (count runs): % of queries with equal counts (within 5%)")
    lines.append("")
    lines.append("| set | " + " | ".join("%s = %s" % (label[a], label[b]) for a, b in pairs)
                 + " | failed queries |")
    lines.append("| --- | " + " | ".join("---:" for _ in pairs) + " | --- |")
    for s in c["sets"]:
        key = "%s/count" % s["name"]
        counts = {n: engine_get(ers.get(n, {}), "queries", "sets", key, "counts") for n in names}
        cells = []
        for a, b in pairs:
            ag = agreement(counts[a], counts[b]) if counts[a] and counts[b] else None
            cells.append("—" if ag is None else "%.0f (%.0f)" % (ag[0], ag[1]))
        failed = []
        for n in names:
            r = engine_get(ers.get(n, {}), "queries", "sets", key)
            if r and r.get("failed"):
                failed.append("%s %d" % (label[n], r["failed"]))
        lines.append("| %s | %s | %s |" % (s["name"], " | ".join(cells), ", ".join(failed) or "none"))
    lines.append("")
    for e in ecols:
        for key in keys:
            r = engine_get(ers.get(e.name, {}), "queries", "sets", key)
            if r and "error" in r:
                failures.append((e.label, "%s: %s" % (key, r["error"])))
            elif r and "note" in r:
                failures.append((e.label, "%s: %s" % (key, r["note"])))
    if failures:
        lines.append("**Failures on this corpus:**")
        lines.append("")
        for who, why in failures:
            lines.append("- %s: %s" % (who, why.replace("\n", " / ")))
        lines.append("")


def write_report(results, path):
    m = results["machine"]
    engines = [argparse.Namespace(name=n, label=l) for n, l in results["engines"]]
    a = results["args"]
    lines = [
        "# Benchmark: tidings, Xapian and SQLite FTS5",
        "",
        "Written by `bench/run.py` on %s (%s mode, %.0f minutes). Issue 3 defines what is measured."
        % (results["date"], results["mode"], results["elapsed"] / 60.0),
        "",
        "## Machine",
        "",
        "| what | value |",
        "| --- | --- |",
        "| CPU | %s, %s cores (nproc) |" % (m.get("cpu"), m.get("nproc")),
        "| memory | %.1f GiB |" % m.get("mem_gib", 0),
        "| system | %s, Linux %s |" % (m.get("os", "?"), m.get("kernel")),
        "| compiler | %s |" % m.get("cc"),
        "| peers | Xapian %s, SQLite %s (Debian packages) |" % (m.get("libxapian30"), m.get("libsqlite3-0")),
        "| tidings | commit %s |" % m.get("commit"),
        "| harness | Python %s |" % m.get("python"),
        "| load average at start / end | %s / %s |" % (
            fmt_num(results.get("load", {}).get("start"), 2), fmt_num(results.get("load", {}).get("end"), 2)),
        "",
        "## How to reproduce",
        "",
        "```",
        "make bench          # Reuters-21578, BBC, 20 Newsgroups, synthetic 200,000 articles",
        "make bench-large    # the synthetic corpus at 1,000,000 articles",
        "python3 bench/run.py --quick   # Reuters only, 50 queries per set, report in the scratch folder",
        "```",
        "",
        "This run: `%s`. Scratch folder (corpora, indexes, query sets, raw outputs): `%s`."
        % (results["argv"], a["scratch"]),
        "",
        "## What is measured",
        "",
        "- Every engine indexes the same articles: the peers are linked against tidings' own corpus "
        "reader (`common/corpus.h`), so they see exactly the articles `bin/indexer` sees.",
        "- **Indexing**: wall time, CPU time (user + sys) and peak RSS of the indexing process "
        "(from `wait4()`), and the bytes of the finished index with the article text stored. "
        "Xapian's time includes compacting the database, FTS5's its `optimize` merge. "
        "Every engine ends with its index on disk: `bin/indexer` fsyncs the file and its "
        "folder, and the peers, which load without syncing, fsync their finished files and "
        "folder the same way before they exit. "
        "The input is read once beforehand (warm page cache). "
        "Fastest of %d runs, or one run where it takes over %.0f s."
        % (INDEX_RUNS, INDEX_REPEAT_UNDER),
        "- **Queries per second**: each query set is answered in one batch process "
        "(`qid<TAB>query` lines on stdin); QPS = queries / (batch wall time − wall time of an "
        "empty batch, i.e. process start and index open, fastest of 5). A set whose work takes "
        "under %.1f s is run again fed several times over (at most %d×), so that process start "
        "cannot swamp it. Index files are read once beforehand (warm page cache). Fastest of %d "
        "run(s) of each batch." % (a.get("min_batch", 0), MAX_PASSES, a["repeat"]),
        "- **Latency**: each engine's own clock around each query (`--latency-file`), nearest-rank "
        "percentiles. Where an engine cannot report it, the mean from the batch time is shown.",
        "- **Shell query**: one query with the top 10 printed, as a user would type it, from process "
        "start to exit; median of %d runs after one warm-up run." % a["shell_runs"],
        "- **Agreement**: per query set, the share of queries on which two engines report the same hit "
        "count (in brackets: within 5%). See the notes on why counts legitimately differ.",
        "- Ratios are ours ÷ the best peer on that figure: below 1 is better for times, sizes and "
        "memory, above 1 is better for queries per second.",
        "",
        "Query sets (generated per corpus by `bench/gen/queries.py` from the corpus' own text):",
        "",
        "| set | what | default operator |",
        "| --- | --- | --- |",
    ]
    seen = set()
    for c in results["corpora"]:
        for s in c.get("sets", []):
            if s["name"] not in seen:
                seen.add(s["name"])
                lines.append("| %s | %s | %s |" % (s["name"], s["what"], s["default_op"]))
    lines.append("")
    lines.append("Each set is run twice: `top10` (ranked, 10 results printed in TREC format) and "
                 "`count` (hit count only).")
    lines.append("")
    load = results.get("load", {})
    if max(load.get("start", 0), load.get("end", 0)) > 0.5:
        lines.append("**The machine was not idle**: load average %.2f when the run started, %.2f "
                     "when it ended (1-minute averages). Other work skews the timings; rerun on an "
                     "idle machine before drawing conclusions." % (load.get("start", 0), load.get("end", 0)))
        lines.append("")
    problems = [(e.label, results["problems"][e.name]) for e in engines if results["problems"].get(e.name)]
    for e in engines:
        if e.name == "tidings" and not results.get("latency_support", {}).get("tidings", True) \
                and not results["problems"].get("tidings"):
            lines.append("Our searcher's `--help` does not mention `--latency-file`, so its latency "
                         "columns show the mean from the batch time instead of percentiles.")
            lines.append("")
    if problems:
        lines.append("**Engines that could not run:**")
        lines.append("")
        for who, why in problems:
            lines.append("- %s: %s" % (who, why))
        lines.append("")
    for c in results["corpora"]:
        report_corpus(c, engines, lines)
    lines += [
        "## Notes on the comparison",
        "",
        "- **Analysis differs**, so hit counts legitimately differ: tidings and Xapian stem with "
        "Snowball English (Porter 2), FTS5 with the original Porter stemmer; each engine tokenises "
        "numbers, apostrophes and hyphens its own way (query words are plain letter words to keep "
        "this small).",
        "- **Xapian phrases are not stemmed**: with Xapian's default STEM_SOME strategy the "
        "TermGenerator stores positions only for unstemmed terms, and the QueryParser matches a "
        "quoted phrase on the words as written. tidings and FTS5 match phrases on stems, so "
        "`\"interest rates\"` also finds \"interest rate\" there. Expect lower phrase counts from "
        "Xapian.",
        "- **Titles**: every engine weights a title occurrence 3× a body one (tidings' BM25F; "
        "Xapian via `index_text(title, 3)`; FTS5 via `bm25()` column weights). Xapian also indexes "
        "the title under a prefix for `title:`; FTS5 uses its column filter.",
        "- **Stopwords**: tidings gives English stopwords (*the*, *of*, *which*) no weight when "
        "a query has other words; they still match, so counts are unaffected, but the `nl` "
        "set's ranking differs from the peers', which weigh every word.",
        "- **FTS5 has no unary NOT** and no default-OR: the peer rewrites `a AND NOT b` to "
        "`a NOT b` and inserts `OR` between operands for the `nl` set. The query sets use only "
        "binary NOT.",
        "- **Out of the box**: both peers use their library defaults otherwise (Xapian's flush "
        "threshold, SQLite's page cache); neither is tuned, and neither is tidings.",
        "",
        "## Exact commands",
        "",
        "As run for the first corpus (SET.tsv is one query-set file, `qid<TAB>query` per line):",
        "",
        "```",
    ]
    for k in sorted(results["commands"]):
        lines.append("# %s" % k)
        lines.append(results["commands"][k])
    lines += [
        "```",
        "",
        "Generators: `python3 bench/gen/synth.py -n N --seed %d --out DIR` and "
        "`python3 bench/gen/queries.py --out DIR -n %d --seed %d PATH...`."
        % (SYNTH_SEED, a["queries"], QUERY_SEED),
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--quick", action="store_true", help="Reuters only, 50 queries per set")
    ap.add_argument("--large", action="store_true", help="the synthetic corpus at 1,000,000 articles")
    ap.add_argument("--corpora", help="comma-separated subset of: " + ",".join(c[0] for c in CORPORA))
    ap.add_argument("--engines", default="tidings,xapian,fts5", help="comma-separated subset")
    ap.add_argument("--synth-n", type=int, help="synthetic articles (default 200000; 1000000 with --large)")
    ap.add_argument("--queries", type=int, help="queries per set (default 200; 50 with --quick)")
    ap.add_argument("--min-batch", type=float, default=1.0,
                    help="seconds of work a batch should take; shorter sets are fed again (1.0)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each batch, fastest kept (3)")
    ap.add_argument("--shell-runs", type=int, default=5, help="timed shell-query runs (5)")
    ap.add_argument("--timeout", type=int, default=4 * 3600, help="seconds allowed per step (4 hours)")
    ap.add_argument("--scratch", default=os.environ.get("TD_BENCH_DIR", "/tmp/tidings-bench"),
                    help="corpora, indexes, runs (default $TD_BENCH_DIR or /tmp/tidings-bench)")
    ap.add_argument("--shared", default=os.environ.get(
        "TD_SHARED_CORPUS", os.path.normpath(os.path.join(REPO, "..", "shared", "corpus"))),
                    help="the shared corpora (default $TD_SHARED_CORPUS or ../shared/corpus)")
    ap.add_argument("--ours-bin", default=os.path.join(REPO, "bin"),
                    help="folder of indexer and searcher (default bin/)")
    ap.add_argument("--peers-bin", default=os.path.join(REPO, "build", "bench"),
                    help="folder of xapian_peer and fts5_peer (default build/bench/)")
    ap.add_argument("--out", help="report path (default bench/RESULTS.md; the scratch folder with --quick)")
    ap.add_argument("--keep-indexes", action="store_true", help="keep the synthetic corpus' indexes")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite the report from the scratch folder's results.json")
    args = ap.parse_args()
    for k in ("scratch", "shared", "ours_bin", "peers_bin"):
        setattr(args, k, os.path.abspath(getattr(args, k)))
    args.engines = [e for e in args.engines.split(",") if e]
    if args.queries is None:
        args.queries = 50 if args.quick else 200
    if args.synth_n is None:
        args.synth_n = 1000000 if args.large else 200000
    if args.corpora:
        wanted = args.corpora.split(",")
    else:
        wanted = ["reuters"] if args.quick else [c[0] for c in CORPORA]
    unknown = set(wanted) - {c[0] for c in CORPORA}
    if unknown:
        ap.error("unknown corpus: %s" % ", ".join(sorted(unknown)))
    os.makedirs(args.scratch, exist_ok=True)
    results_json = os.path.join(args.scratch, "results.json")
    if args.report_only:
        with open(results_json) as f:
            results = json.load(f)
        out = args.out or results["out"]
        write_report(results, out)
        log("report written to %s" % out)
        return 0
    if args.out is None:
        args.out = (os.path.join(args.scratch, "RESULTS.md") if args.quick
                    else os.path.join(REPO, "bench", "RESULTS.md"))

    engines = make_engines(args)
    for e in engines:
        if e.problem:
            log("%s cannot run: %s" % (e.label, e.problem))
    if not any(not e.problem for e in engines):
        log("no engine can run; the report will say why")
    t0 = time.time()
    results = {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "mode": "quick" if args.quick else ("large" if args.large else "default"),
        "argv": shlex.join(["python3", "bench/run.py"] + sys.argv[1:]),
        "out": os.path.abspath(args.out),
        "args": {"scratch": args.scratch, "repeat": args.repeat, "min_batch": args.min_batch,
                 "shell_runs": args.shell_runs,
                 "queries": args.queries, "synth_n": args.synth_n},
        "machine": machine_info(),
        "load": {"start": os.getloadavg()[0]},
        "engines": [(e.name, e.label) for e in engines],
        "problems": {e.name: e.problem for e in engines},
        "latency_support": {e.name: e.latency for e in engines},
        "commands": {},
        "corpora": [],
    }
    for name, title, folders in CORPORA:
        if name not in wanted:
            continue
        if name == "synth":
            title = "%s (%s articles)" % (title, "{:,}".format(args.synth_n))
        log("corpus %s" % title)
        results["corpora"].append(bench_corpus(args, engines, name, title, folders,
                                               results["commands"]))
        results["elapsed"] = time.time() - t0
        with open(results_json, "w") as f:
            json.dump(results, f, indent=1)
        write_report(results, args.out)
    results["elapsed"] = time.time() - t0
    results["load"]["end"] = os.getloadavg()[0]
    with open(results_json, "w") as f:
        json.dump(results, f, indent=1)
    write_report(results, args.out)
    log("report written to %s (raw results: %s)" % (args.out, results_json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
