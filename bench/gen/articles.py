"""articles.py - a small reader of the corpus formats, for the benchmark
generators only (synth.py, queries.py).  The engines never use it: they read
through the project's C corpus reader.

It yields (id, title, body) per article from *.trec (TREC SGML), *.txt (one
article, first non-blank line the title) and *.jsonl (id/title/body), any of
them optionally gzip-compressed, walking folders in bytewise name order.
"""

import gzip
import json
import os
import re

_TAG = re.compile(r"<(DOCNO|HEADLINE)>(.*)</\1>")


def _open_text(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, "r", encoding="utf-8", errors="replace")


def _trec(path):
    docno = title = ""
    body = None
    with _open_text(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if body is not None:
                if line == "</TEXT>":
                    yield docno, title, "\n".join(body)
                    docno = title = ""
                    body = None
                else:
                    body.append(line)
                continue
            m = _TAG.match(line)
            if m:
                if m.group(1) == "DOCNO":
                    docno = m.group(2)
                else:
                    title = m.group(2)
            elif line == "<TEXT>":
                body = []


def _txt(path, relname):
    with _open_text(path) as f:
        text = f.read()
    lines = text.lstrip().split("\n", 1)
    yield relname, lines[0].strip(), lines[1] if len(lines) > 1 else ""


def _jsonl(path):
    with _open_text(path) as f:
        for line in f:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            yield str(o.get("id", "")), o.get("title") or "", o.get("body") or ""


def _files(root):
    if not os.path.isdir(root):
        yield root, os.path.basename(root)
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                full = os.path.join(dirpath, name)
                yield full, os.path.relpath(full, root)


def iter_articles(paths):
    """Yields (id, title, body) for every article under PATHS, in order."""
    for root in paths:
        for path, rel in _files(root):
            name = path[:-3] if path.endswith(".gz") else path
            if name.endswith((".trec", ".sgml", ".sgm")):
                yield from _trec(path)
            elif name.endswith(".txt"):
                yield from _txt(path, rel)
            elif name.endswith(".jsonl"):
                yield from _jsonl(path)
