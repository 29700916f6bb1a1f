#!/usr/bin/env bash
# End-to-end tests of bin/indexer and bin/searcher as a user or script calls
# them: the demo, exit statuses, output formats, batch mode, errors, and the
# old index surviving a failed build.  BIN (default bin) names the programs'
# folder.  Prints one line per failure and a closing "N passed, M failed".
set -u
BIN=${BIN:-bin}
SHARED=${TD_SHARED_CORPUS:-../shared/corpus}
T=$(mktemp -d /tmp/td-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# check NAME EXPECTED-STATUS COMMAND...: runs COMMAND, keeps stdout/stderr in $T/out, $T/err
check() {
  local name=$1 want=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "$name: exit $got, expected $want; stderr: $(head -c 300 "$T/err")"; fi
}
contains() { if grep -q -- "$2" "$3"; then ok; else bad "$1: '$2' not in $(head -c 300 "$3")"; fi; }

# --- the demo --------------------------------------------------------------
check "index the sample corpus" 0 "$BIN/indexer" -o "$T/demo.idx" corpus/
contains "summary line" "articles" "$T/err"
check "demo query" 0 "$BIN/searcher" -i "$T/demo.idx" 'remains AND Osan'
if head -1 "$T/out" | grep -q 'osan'; then ok; else bad "demo: Osan article not first: $(head -1 "$T/out")"; fi
check "issue example" 0 "$BIN/searcher" -i "$T/demo.idx" '"armistice agreement" AND (remains OR soldiers) NOT Pompeo'
if grep -qi pompeo "$T/out"; then bad "NOT Pompeo returned the Pompeo article"; else ok; fi
# A stopword matches but weighs nothing beside other words, unless asked.
# The only article with 'sodium' ranks first; every article with just 'during' scores 0.
all=$("$BIN/searcher" -i "$T/demo.idx" --count 'during OR sodium' | cut -f2)
check "stopword muted" 0 "$BIN/searcher" -i "$T/demo.idx" --default-op or --format tsv -k 50 'during sodium'
if [ "$(wc -l < "$T/out")" = "$all" ] && [ "$all" -gt 1 ] &&
   [ -z "$(cut -f3 "$T/out" | sed -n '2,$p' | grep -v '^0\.0000$')" ]; then ok
else bad "muted 'during' scored: $(cat "$T/out")"; fi
check "--keep-stopwords" 0 "$BIN/searcher" -i "$T/demo.idx" --default-op or --format tsv -k 50 --keep-stopwords 'during sodium'
if [ "$(wc -l < "$T/out")" = "$all" ] && [ -z "$(cut -f3 "$T/out" | grep '^0\.0000$')" ]; then ok
else bad "kept 'during' did not score: $(cat "$T/out")"; fi

# --- exit statuses -----------------------------------------------------------
check "no hit is 1" 1 "$BIN/searcher" -i "$T/demo.idx" 'xyzzyplugh'
check "bad query is 2" 2 "$BIN/searcher" -i "$T/demo.idx" 'remains AND (Osan'
contains "bad query message names the column" "column" "$T/err"
check "missing index is 2" 2 "$BIN/searcher" -i "$T/nope.idx" 'x'
contains "missing index message says what to do" "bin/indexer" "$T/err"
# set_version FILE N: rewrites the header's format version and its CRC.
set_version() {
  python3 - "$1" "$2" <<'PY'
import struct, sys, zlib
path, version = sys.argv[1], int(sys.argv[2])
with open(path, 'r+b') as f:
    h = bytearray(f.read(64))
    struct.pack_into('<I', h, 8, version)
    struct.pack_into('<I', h, 28, 0)
    struct.pack_into('<I', h, 28, zlib.crc32(bytes(h)))
    f.seek(0)
    f.write(h)
PY
}
# Version 3 only added patched runs: a version 2 file is read as it was.
"$BIN/searcher" -i "$T/demo.idx" -k 20 --format tsv 'armistice OR remains' >"$T/v3.out"
cp "$T/demo.idx" "$T/v2.idx" && set_version "$T/v2.idx" 2
check "version 2 index is read" 0 "$BIN/searcher" -i "$T/v2.idx" -k 20 --format tsv 'armistice OR remains'
if cmp -s "$T/out" "$T/v3.out"; then ok; else bad "version 2 index answers differently"; fi
for v in 1 4; do
  cp "$T/demo.idx" "$T/v$v.idx" && set_version "$T/v$v.idx" $v
  check "version $v index is 2" 2 "$BIN/searcher" -i "$T/v$v.idx" 'remains'
  contains "version $v message says what to do" "version $v, this program reads 2 to 3; rebuild" "$T/err"
done
printf 'not an index at all, just text\n%.0s' {1..400} >"$T/junk.idx"
check "not an index is 2" 2 "$BIN/searcher" -i "$T/junk.idx" 'x'
check "bad option is 2" 2 "$BIN/searcher" -i "$T/demo.idx" --format xml 'x'
check "help" 0 "$BIN/searcher" --help
check "version" 0 "$BIN/indexer" --version
check "indexer without -o is 2" 2 "$BIN/indexer" corpus/
check "indexer on a missing path is 2" 2 "$BIN/indexer" -o "$T/x.idx" "$T/does-not-exist"
contains "missing path message" "check the path" "$T/err"

# --- formats -------------------------------------------------------------------
check "json" 0 "$BIN/searcher" -i "$T/demo.idx" --format json -k 50 'the OR a'
if python3 -c 'import json,sys
for l in open(sys.argv[1]): o=json.loads(l); assert {"qid","rank","score","id","title"} <= o.keys()' "$T/out"; then ok; else bad "json output is not valid JSON lines"; fi
# A query id that is not UTF-8 is repaired, not emptied: lines stay told apart.
printf 'q\3771\tharbour\n' | "$BIN/searcher" -i "$T/demo.idx" --format json -k 1 >"$T/out"
if python3 -c 'import json,sys
assert json.loads(open(sys.argv[1]).readline())["qid"] == "q\ufffd1"' "$T/out"; then ok; else bad "non-UTF-8 qid in json: $(head -c 200 "$T/out")"; fi
check "tsv" 0 "$BIN/searcher" -i "$T/demo.idx" --format tsv 'remains'
if awk -F'\t' 'NF != 8 { exit 1 }' "$T/out"; then ok; else bad "tsv lines must have 8 fields"; fi
check "trec" 0 "$BIN/searcher" -i "$T/demo.idx" --format trec --tag run1 'remains'
if awk '$2 != "Q0" || $6 != "run1" || NF != 6 { exit 1 }' "$T/out"; then ok; else bad "trec lines malformed: $(head -1 "$T/out")"; fi
check "count" 0 "$BIN/searcher" -i "$T/demo.idx" --count 'remains'
if grep -qP '^1\t[1-9][0-9]*$' "$T/out"; then ok; else bad "count output: $(cat "$T/out")"; fi
check "-k limits hits" 0 "$BIN/searcher" -i "$T/demo.idx" -k 2 'the'
[ "$(wc -l <"$T/out")" = 2 ] && ok || bad "-k 2 printed $(wc -l <"$T/out") lines"

# --- batch mode equals single queries -----------------------------------------
printf 'a\tremains AND Osan\nb\t"central bank"\n\nc\tsoldiers OR strike\nd\tnothingmatcheshere\n' >"$T/q"
check "batch" 0 "$BIN/searcher" -i "$T/demo.idx" --format trec <"$T/q"
cp "$T/out" "$T/batch"
: >"$T/single"
while IFS=$'\t' read -r qid q; do
  [ -z "$qid" ] && continue
  "$BIN/searcher" -i "$T/demo.idx" --format trec "$q" | sed "s/^1 /$qid /" >>"$T/single"
done <"$T/q"
if cmp -s "$T/batch" "$T/single"; then ok; else bad "batch answers differ from single answers"; fi
printf 'q1\tremains\nq2\tOsan AND (\nq3\tsoldiers\n' | "$BIN/searcher" -i "$T/demo.idx" --count >"$T/out" 2>"$T/err"
[ $? = 2 ] && ok || bad "batch with a bad query must exit 2"
[ "$(cut -f1 "$T/out" | tr '\n' ' ')" = "q1 q3 " ] && ok || bad "batch must answer the good queries: $(cat "$T/out")"
contains "batch error names the line" "line 2" "$T/err"
printf 'zzzqqq\n' | "$BIN/searcher" -i "$T/demo.idx" >/dev/null 2>&1
[ $? = 1 ] && ok || bad "batch with no hit must exit 1"

check "latency file" 0 "$BIN/searcher" -i "$T/demo.idx" --latency-file "$T/lat" <"$T/q"
if awk -F'\t' 'NF != 2 || $2 !~ /^[0-9]+$/ { exit 1 }' "$T/lat" && [ "$(cut -f1 "$T/lat" | tr '\n' ' ')" = "a b c d " ]; then ok; else bad "latency file: $(cat "$T/lat")"; fi

# --- an existing index survives a failed build --------------------------------
cp "$T/demo.idx" "$T/keep.idx"
before=$(md5sum <"$T/keep.idx")
check "failed build" 2 "$BIN/indexer" -o "$T/keep.idx" --lang klingon corpus/
[ "$(md5sum <"$T/keep.idx")" = "$before" ] && ok || bad "failed build changed the old index"
# (kill -9 at points of a long build is tests/faults.sh's: this build is too short to hit.)
mkdir -p "$T/folder.idx"
check "an output that is a folder" 2 "$BIN/indexer" -o "$T/folder.idx" corpus/
contains "folder output refused before indexing" "not a file" "$T/err"
if ls "$T" | grep -q 'folder.idx.tmp\|folder.idx.runs'; then bad "folder output left files"; else ok; fi
check "rebuild over an existing index" 0 "$BIN/indexer" -q -o "$T/keep.idx" corpus/
left=$(ls "$T" | grep -c 'keep.idx.tmp\|keep.idx.runs' || true)
[ "$left" = 0 ] && ok || bad "stray temporary files left: $(ls "$T")"
check "check a good index" 0 "$BIN/searcher" --check -i "$T/keep.idx"

# --- bad input is skipped, the rest indexed ------------------------------------
mkdir -p "$T/bad/sub"
printf '\x00\x01\x02binary\xff\xfe' >"$T/bad/blob.txt"
printf 'Good title\n\nA good article about harbours.\n' >"$T/bad/good.txt"
printf '{"id":"j1","title":"fine","body":"fine body"}\n{broken json\n' >"$T/bad/x.jsonl"
printf 'not gzip at all' >"$T/bad/fake.txt.gz"
mkfifo "$T/bad/fifo.txt"
ln -s .. "$T/bad/sub/loop"
check "hostile folder" 0 timeout 20 "$BIN/indexer" -o "$T/bad.idx" "$T/bad"
check "good articles indexed" 0 "$BIN/searcher" -i "$T/bad.idx" --count 'harbours OR fine'
contains "count of good articles" "	2" "$T/out"

# --- real corpora ----------------------------------------------------------------
if [ -d "$SHARED/bbc" ]; then
  check "index BBC" 0 "$BIN/indexer" -q -o "$T/bbc.idx" "$SHARED/bbc"
  check "BBC known document" 0 "$BIN/searcher" -i "$T/bbc.idx" --format tsv -k 1 'title:"Ad sales boost Time Warner profit"'
  contains "BBC business/001.txt" "business/001.txt" "$T/out"
  check "BBC pound sign" 0 "$BIN/searcher" -i "$T/bbc.idx" --format tsv '"15.8m" Parma'
  contains "BBC sport/199.txt" "sport/199.txt" "$T/out"
fi

# --- nothing to index is an error that keeps the old index --------------------
mkdir -p "$T/nothing"
cp "$T/demo.idx" "$T/kept.idx"
check "an empty folder is an error" 2 "$BIN/indexer" -o "$T/kept.idx" "$T/nothing"
contains "empty folder message" "no articles found" "$T/err"
if cmp -s "$T/demo.idx" "$T/kept.idx"; then ok; else bad "an empty folder replaced the index"; fi
printf 'oil\n \t \nharbour\n' >"$T/blank.q"
check "blank batch lines are skipped" 0 "$BIN/searcher" -i "$T/demo.idx" --count <"$T/blank.q"
if [ "$(wc -l <"$T/out")" = 2 ]; then ok; else bad "blank batch lines: $(cat "$T/out")"; fi

# --- threads and memory budget do not change the index ------------------------
# Lanes, spilled runs and the merge's slices must all give the same bytes:
# every section but META (which holds the build time) is compared.
same_sections() {
  python3 - "$1" "$2" <<'PY'
import sys
sys.path.insert(0, 'tests')
from sections import table
def sections(path):
    d = open(path, 'rb').read()
    return {sid: d[off:off + length] for sid, crc, off, length in table(d) if sid != 1}
a, b = sections(sys.argv[1]), sections(sys.argv[2])
bad = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
print('sections differ: %s' % bad if bad else 'same')
sys.exit(1 if bad else 0)
PY
}
SRC=corpus/
[ -d "$SHARED/reuters21578" ] && SRC="$SHARED/reuters21578"
check "index with one thread" 0 "$BIN/indexer" -q -j 1 -o "$T/j1.idx" "$SRC"
for opts in "-j 2" "-j 3" "-j 2 --memory 16" "-j 1 --memory 16"; do
  # shellcheck disable=SC2086
  check "index with $opts" 0 "$BIN/indexer" -q $opts -o "$T/jn.idx" "$SRC"
  if same_sections "$T/j1.idx" "$T/jn.idx" >"$T/out"; then ok; else bad "index with $opts: $(cat "$T/out")"; fi
done

# A budget too small for the threads is worth a warning, not an error; 8 MB
# a thread (the default 512 over the most, 64) is not.
check "2 MB a thread" 0 "$BIN/indexer" -j 8 --memory 16 -o "$T/small.idx" corpus/
contains "2 MB a thread warns" "leaves 2 MB a thread.*give --memory 64 or more, or fewer threads" "$T/err"
check "8 MB a thread" 0 "$BIN/indexer" -j 64 -o "$T/small.idx" corpus/
if grep -q "a thread" "$T/err"; then bad "8 MB a thread warned: $(cat "$T/err")"; else ok; fi
check "-q keeps the warning quiet" 0 "$BIN/indexer" -q -j 8 --memory 16 -o "$T/small.idx" corpus/
if [ -s "$T/err" ]; then bad "-q printed: $(cat "$T/err")"; else ok; fi

# --- more sorted runs than the open-file limit allows ---------------------------
# Eight lanes of 2 MB spill about 20 runs of Reuters, which the merge opens
# all at once: in as many slices as the limit leaves room for, else it says
# what to do, leaving the old index as it was.
if [ "$SRC" != corpus/ ]; then
  if (ulimit -n 48 && exec "$BIN/indexer" -q -j 8 --memory 16 -o "$T/fd.idx" "$SRC") 2>"$T/err" &&
    same_sections "$T/j1.idx" "$T/fd.idx" >"$T/out"; then
    ok
  else
    bad "8 lanes of 2 MB with 48 open files: $(head -c 300 "$T/err") $(cat "$T/out")"
  fi
  sum=$(md5sum <"$T/fd.idx")
  (ulimit -n 16 && exec "$BIN/indexer" -q -j 8 --memory 16 -o "$T/fd.idx" "$SRC") 2>"$T/err"
  rc=$?
  if [ "$rc" = 2 ] && grep -q "sorted runs open at once.*ulimit -n" "$T/err" &&
    [ "$(md5sum <"$T/fd.idx")" = "$sum" ]; then
    ok
  else
    bad "8 lanes of 2 MB with 16 open files: exit $rc, $(head -c 300 "$T/err")"
  fi
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
