#!/usr/bin/env bash
# Fault tests of bin/indexer and bin/searcher: what a crash, a full disk, a
# damaged file, a concurrent rebuild or hostile input does to an index.
#
#   (a) kill -9 of the indexer at 10%, 30%, 50%, 70% and 90% of a run: the
#       previous index stays byte-identical and answers as before (or, killed
#       after its rename, the new index is whole), and the next successful
#       run leaves no INDEX.tmp-* or INDEX.runs-* behind;
#   (b) write failures injected with tests/fault_shim.c (LD_PRELOAD): ENOSPC
#       after N bytes (N from 0 to past the index size), in the runs folder
#       that the worker threads write, and EIO from write, fflush, fsync,
#       fclose and rename: exit 2 (no hang), a message naming the index and
#       the cause, the old index byte-identical, nothing left behind;
#   (c) a flipped byte at several offsets of every section and of the header,
#       and truncation at several lengths: `searcher --check` exits 2 naming
#       the file; queries answer as the undamaged index does or exit 2, never
#       crash or hang;
#   (d) two searchers querying in a loop while the index is replaced several
#       times: every answer is complete and is the old or the new index's;
#   (e) hostile input: a 50 MB line (.txt and .jsonl), 300 nested folders,
#       symbolic link loops, a FIFO, an unreadable file, truncated and corrupt
#       .gz, malformed JSON and SGML, binary files, a 1 GB article: the good
#       articles around them are indexed, the run ends, and peak memory stays
#       under 1 GB.
#
# BIN (default bin) names the programs' folder; CC builds the shim.  The
# "big" corpus of the kill and runs-folder cases is the real Reuters corpus
# (../shared/corpus, or TD_SHARED_CORPUS) when present, else a generated one.
# Prints one line per failure or skipped case and a closing
# "faults: N passed, M failed"; exits 1 on any failure.
set -u
BIN=${BIN:-bin}
CC=${CC:-cc}
SHARED=${TD_SHARED_CORPUS:-../shared/corpus}
T=$(mktemp -d /tmp/td-faults-XXXXXX)
trap 'jobs -p | xargs -r kill -9 2>/dev/null; rm -rf "$T"' EXIT
pass=0; fail=0; skipped=0

ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $*"; }
same() { if cmp -s "$2" "$3"; then ok; else bad "$1: $(diff "$2" "$3" | head -4 | tr '\n' ' ')"; fi; }
# A status of 124 (timeout) or >= 128 (a signal: crash, abort) is never acceptable.
sane() { if [ "$2" -le 2 ]; then ok; else bad "$1: exit status $2 (a crash, a signal or a hang)"; fi; }
md5() { md5sum <"$1" | cut -d' ' -f1; }
# How many INDEX.tmp-PID files and INDEX.runs-PID folders there are beside INDEX.
leftovers() { local n=0 f; for f in "$1".tmp-* "$1".runs-*; do [ -e "$f" ] && n=$((n + 1)); done; echo $n; }

IDX="$BIN/indexer"; SRCH="$BIN/searcher"
[ -x "$IDX" ] && [ -x "$SRCH" ] || { echo "faults: $IDX or $SRCH is not built"; exit 1; }

# The answers of INDEX to the query file Q, as one batch (one process, one
# open index): the top 20 hits in OUT, the match counts in OUT.count.
answers() {
  timeout 20 "$SRCH" -i "$1" --format tsv -k 20 <"$2" >"$3" 2>"$3.err"
  local rc=$?
  timeout 20 "$SRCH" -i "$1" --count <"$2" >"$3.count" 2>>"$3.err"
  return $((rc > $? ? rc : $?))
}
# same2 NAME A B: both the hits and the counts of two answers() agree.
same2() { same "$1 (hits)" "$2" "$3"; same "$1 (counts)" "$2.count" "$3.count"; }

cat >"$T/q" <<'EOF'
q1	harbour OR storm OR strike
q2	"central bank"
q3	oil AND price
q4	coffee OR cocoa NOT brazil
q5	title:strike OR title:oil
q6	elect*
q7	(rain OR flood*) AND NOT wind
q8	the
EOF

# The big corpus: Reuters when present, else a generated one of about the
# same shape (TREC files of 800 short articles each).
BIG="$T/big"
mkdir -p "$BIG"
if [ -d "$SHARED/reuters21578" ]; then
  ln -s "$(cd "$SHARED/reuters21578" && pwd)" "$BIG/reuters"
else
  cat corpus/txt/*.txt corpus/trec/*.trec | tr -cs 'A-Za-z' '\n' | awk 'length > 2' >"$T/words"
  for f in $(seq -w 1 30); do
    awk -v f="$f" '{ w[NR] = $0 } END {
      srand(f)
      for (d = 1; d <= 800; d++) {
        printf "<DOC>\n<DOCNO>gen-%s-%d</DOCNO>\n<HEADLINE>%s %s</HEADLINE>\n<TEXT>\n", f, d, w[int(rand()*NR)+1], w[int(rand()*NR)+1]
        for (k = 0; k < 150; k++) printf "%s%s", w[int(rand()*NR)+1], (k % 15 == 14 ? "\n" : " ")
        printf "</TEXT>\n</DOC>\n"
      }
    }' "$T/words" >"$BIG/gen-$f.trec"
  done
fi

# ---- (a) kill -9 at several points of a run -----------------------------------
"$IDX" -q -o "$T/main.idx" corpus/ || bad "building the first index failed"
answers "$T/main.idx" "$T/q" "$T/a-before"
sum_before=$(md5 "$T/main.idx")
start=$(date +%s%N)
"$IDX" -q --memory 16 -o "$T/measure.idx" "$BIG" 2>"$T/err" || bad "indexing the big corpus failed: $(head -c 300 "$T/err")"
dur_ms=$(( ($(date +%s%N) - start) / 1000000 ))
answers "$T/measure.idx" "$T/q" "$T/a-new"
killed=0; left=0; outcomes=""
for pct in 10 30 50 70 90; do
  "$IDX" -q --memory 16 -o "$T/main.idx" "$BIG" 2>/dev/null & pid=$!
  sleep "$(awk -v d="$dur_ms" -v p="$pct" 'BEGIN { printf "%.3f", d * p / 100000 }')"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null; rc=$?
  outcomes="$outcomes $pct%:$([ "$rc" = 137 ] && echo killed || echo "exit-$rc")"
  if [ "$rc" = 137 ] && [ "$(md5 "$T/main.idx")" = "$sum_before" ]; then
    [ "$(leftovers "$T/main.idx")" -gt 0 ] && left=$((left + 1))
    answers "$T/main.idx" "$T/q" "$T/a-after"
    same2 "kill -9 at $pct%: answers of the old index" "$T/a-before" "$T/a-after"
    timeout 20 "$SRCH" --check -i "$T/main.idx" >/dev/null 2>&1 && ok || bad "kill -9 at $pct%: --check fails on the old index"
  elif [ "$rc" = 137 ]; then
    # Killed after the rename, while removing its scratch files: the index
    # must then be the new one, whole.
    answers "$T/main.idx" "$T/q" "$T/a-after"
    same2 "kill -9 at $pct% after the rename: answers of the new index" "$T/a-new" "$T/a-after"
    timeout 20 "$SRCH" --check -i "$T/main.idx" >/dev/null 2>&1 && ok || bad "kill -9 at $pct% after the rename: --check fails"
    "$IDX" -q -o "$T/main.idx" corpus/; sum_before=$(md5 "$T/main.idx")
  elif [ "$rc" = 0 ]; then
    # The run ended before the kill: then the index is the new one, whole.
    answers "$T/main.idx" "$T/q" "$T/a-after"
    same2 "run finished before the kill at $pct%: answers of the new index" "$T/a-new" "$T/a-after"
    "$IDX" -q -o "$T/main.idx" corpus/; sum_before=$(md5 "$T/main.idx")
  else
    bad "kill -9 at $pct%: unexpected exit status $rc"
  fi
done
echo "faults: a run took ${dur_ms} ms; kills:$outcomes; $left left temporary files behind"
[ "$killed" -ge 3 ] && ok || bad "only $killed of 5 runs were still running when killed"
[ "$left" -gt 0 ] && ok || skip "no killed run left temporary files for the next run to clean up"
"$IDX" -q --memory 16 -o "$T/main.idx" "$BIG" || bad "rebuild after the kills failed"
[ "$(leftovers "$T/main.idx")" = 0 ] && ok || bad "stray files after a successful run: $(echo "$T"/main.idx.*)"
answers "$T/main.idx" "$T/q" "$T/a-after"
same2 "the rebuilt index answers as a clean build" "$T/a-new" "$T/a-after"

# ---- (b) injected write failures ---------------------------------------------------
SHIM="$T/fault_shim.so"
if ! "$CC" -shared -fPIC -O1 -o "$SHIM" tests/fault_shim.c -ldl -lpthread 2>"$T/err"; then
  bad "cannot build tests/fault_shim.c: $(head -c 300 "$T/err")"
else
  mkdir -p "$T/b"
  # The old index is built from part of the sample, the failing runs index
  # all of it (or, with INPUT set, the big corpus with spilled runs).
  "$IDX" -q -o "$T/b/keep.idx" corpus/txt
  sum_keep=$(md5 "$T/b/keep.idx")
  cp "$T/b/keep.idx" "$T/b/pristine.idx"
  "$IDX" -q -o "$T/b/size.idx" corpus/
  size=$(stat -c %s "$T/b/size.idx"); rm -f "$T/b/size.idx"
  asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
  # fault NAME EXPECTED-WORDS ENV... : one failing run over keep.idx.
  fault() {
    local name=$1 words=$2; shift 2
    env "$@" ASAN_OPTIONS="$asan" LD_PRELOAD="$SHIM" timeout -k 5 "${LIMIT:-60}" "$IDX" -q --memory 16 \
      -o "$T/b/keep.idx" ${INPUT:-corpus/} 2>"$T/err"
    local rc=$?
    if [ "$rc" -ge 124 ]; then bad "$name: exit $rc: killed after ${LIMIT:-60} s (a hang)"
    elif [ "$rc" = 2 ]; then ok
    else bad "$name: exit $rc, expected 2; stderr: $(head -c 300 "$T/err")"; fi
    grep -q "$T/b/keep.idx" "$T/err" && ok || bad "$name: the message does not name the index: $(head -c 300 "$T/err")"
    grep -qiE "$words" "$T/err" && ok || bad "$name: the message does not give the cause ($words): $(head -c 300 "$T/err")"
    [ "$(md5 "$T/b/keep.idx")" = "$sum_keep" ] && ok || bad "$name: the old index changed"
    [ "$(leftovers "$T/b/keep.idx")" = 0 ] && ok || bad "$name: stray files left: $(ls "$T/b" | tr '\n' ' ')"
    # Each case starts from the old index and a clean folder, whatever the last did.
    cp "$T/b/pristine.idx" "$T/b/keep.idx"
    find "$T/b" -name 'keep.idx.*' -exec rm -rf {} +
  }
  full="no space|disk full|full"
  # From nothing written to the last byte of the header, rewritten at the end.
  for bytes in 0 4096 4097 $((size / 8)) $((size / 4)) $((size / 2)) $((size * 3 / 4)) $((size - 1)) $((size + 447)); do
    fault "ENOSPC after $bytes bytes" "$full" TD_FAULT_AFTER_BYTES=$bytes
  done
  # The runs folder holds the spilled runs and the summary store, written by
  # the worker threads: a failure there must end the run, not leave the
  # other threads waiting.  Timing decides where it strikes: try thrice.
  limit=$(( dur_ms * 10 / 1000 + 10 ))
  for i in 1 2 3; do
    LIMIT=$limit INPUT=$BIG fault "ENOSPC in the runs folder (try $i)" "$full" TD_FAULT_AFTER_BYTES=$((1000 * i)) TD_FAULT_PATH=.runs-
  done
  for f in write fflush fsync fclose rename; do
    fault "EIO from $f" "input/output error|i/o error" TD_FAULT_FUNC=$f TD_FAULT_CALL=1 TD_FAULT_ERRNO=EIO
  done
  fault "ENOSPC from the 50th write" "$full" TD_FAULT_FUNC=write TD_FAULT_CALL=50
  env TD_FAULT_AFTER_BYTES=$((size * 4)) ASAN_OPTIONS="$asan" LD_PRELOAD="$SHIM" "$IDX" -q -o "$T/b/keep.idx" corpus/ 2>"$T/err" &&
    ok || bad "the shim with room to spare broke a good run: $(head -c 300 "$T/err")"
  [ "$(leftovers "$T/b/keep.idx")" = 0 ] && ok || bad "stray files after a good run under the shim"
fi

# ---- (c) corruption and truncation ---------------------------------------------------
mkdir -p "$T/c"
"$IDX" -q -o "$T/c/good.idx" corpus/
answers "$T/c/good.idx" "$T/q" "$T/c/a-good"
# Offsets to damage: in the header and table, and at the start, a third, two
# thirds and the end of every section (tests/sections.py reads the table).
python3 - "$T/c/good.idx" >"$T/c/offsets" <<'EOF'
import sys
sys.path.insert(0, 'tests')
from sections import NAMES, table
d = open(sys.argv[1], 'rb').read()
for off, what in [(0, 'magic'), (8, 'version'), (12, 'nsections'), (16, 'file_size'), (24, 'table_crc'), (28, 'header_crc'), (40, 'reserved'), (64, 'table'), (64 + 24 * 3 + 9, 'table')]:
    print(off, 'header-' + what)
for sid, crc, off, length in table(d):
    if length == 0:
        continue
    for at in sorted({0, length // 3, 2 * length // 3, length - 1}):
        print(off + at, NAMES.get(sid, 'section%d' % sid))
EOF
nsec=$(cut -d' ' -f2 "$T/c/offsets" | sort -u | grep -vc header)
[ "$nsec" -ge 7 ] && ok || bad "found only $nsec sections to damage in $(cat "$T/c/offsets" | tr '\n' ' ')"
# verdict WHAT RC FILE QID WANT: a query run on damaged FILE (its output in
# $T/c/qout, its errors in $T/c/qerr) refused with a message naming FILE, or
# answered as the undamaged index did (QID's lines of WANT).
verdict() {
  sane "$1" "$2"
  if [ "$2" = 2 ]; then
    grep -qF "$3" "$T/c/qerr" && ok || bad "$1: the error does not name the file: $(head -c 200 "$T/c/qerr")"
  elif [ "$2" -le 1 ]; then
    sed "s/^1\t/$4\t/" "$T/c/qout" >"$T/c/qgot"
    grep "^$4	" "$5" >"$T/c/qwant"
    cmp -s "$T/c/qgot" "$T/c/qwant" && ok || bad "$1: answered wrongly from a damaged index"
  fi
}
# damaged NAME FILE: --check must report it, queries must be right or refuse.
damaged() {
  local name=$1 f=$2
  timeout 20 "$SRCH" --check -i "$f" >"$T/c/out" 2>"$T/c/err"; local rc=$?
  sane "$name: --check" "$rc"
  [ "$rc" = 2 ] && ok || bad "$name: --check exit $rc, expected 2"
  grep -qF "$f" "$T/c/err" && ok || bad "$name: --check message does not name the file: $(head -c 200 "$T/c/err")"
  while IFS=$'\t' read -r qid q; do
    timeout 20 "$SRCH" -i "$f" --format tsv -k 20 "$q" >"$T/c/qout" 2>"$T/c/qerr"
    verdict "$name: query $qid" $? "$f" "$qid" "$T/c/a-good"
    # Counting reads the postings its own ways (bitmaps, count_phrase).
    timeout 20 "$SRCH" -i "$f" --count "$q" >"$T/c/qout" 2>"$T/c/qerr"
    verdict "$name: count $qid" $? "$f" "$qid" "$T/c/a-good.count"
  done <"$T/q"
}
while read -r off what; do
  cp "$T/c/good.idx" "$T/c/bad.idx"
  python3 -c 'import sys
f = open(sys.argv[1], "r+b"); o = int(sys.argv[2]); f.seek(o); b = f.read(1); f.seek(o); f.write(bytes([b[0] ^ 0x5a]))' "$T/c/bad.idx" "$off"
  damaged "byte $off flipped ($what)" "$T/c/bad.idx"
done <"$T/c/offsets"
size=$(stat -c %s "$T/c/good.idx")
for len in 0 1 63 64 447 4095 4096 $((size / 2)) $((size - 8)) $((size - 1)); do
  head -c "$len" "$T/c/good.idx" >"$T/c/bad.idx"
  damaged "truncated to $len bytes" "$T/c/bad.idx"
done
{ cat "$T/c/good.idx"; printf 'trailing junk'; } >"$T/c/bad.idx"
damaged "13 bytes appended" "$T/c/bad.idx"

# ---- (d) searchers while the index is replaced ----------------------------------------
mkdir -p "$T/d"
"$IDX" -q -o "$T/d/old.idx" corpus/txt corpus/trec
"$IDX" -q -o "$T/d/new.idx" corpus/
answers "$T/d/old.idx" "$T/q" "$T/d/a-old"
answers "$T/d/new.idx" "$T/q" "$T/d/a-new"
cmp -s "$T/d/a-old" "$T/d/a-new" && bad "the two indexes of the concurrency test answer alike"
cp "$T/d/old.idx" "$T/d/live.idx"
reader() {
  local n=0
  while [ ! -e "$T/d/stop" ]; do
    n=$((n + 1))
    timeout 20 "$SRCH" -i "$T/d/live.idx" --format tsv -k 20 <"$T/q" >"$T/d/r$1-$n" 2>"$T/d/r$1-$n.err"
    echo $? >"$T/d/r$1-$n.rc"
  done
}
reader 1 & r1=$!
reader 2 & r2=$!
for i in 1 2 3 4 5 6; do
  if [ $((i % 2)) = 1 ]; then src="corpus/"; else src="corpus/txt corpus/trec"; fi
  # shellcheck disable=SC2086
  "$IDX" -q -o "$T/d/live.idx" $src || bad "rebuild $i of the live index failed"
  sleep 0.2
done
touch "$T/d/stop"; wait "$r1" "$r2"
n_old=0; n_new=0; n_bad=0
for r in "$T"/d/r[12]-*; do
  case $r in *.rc|*.err) continue ;; esac
  if [ "$(cat "$r.rc")" != 0 ]; then n_bad=$((n_bad + 1)); echo "FAIL: reader answer $r: exit $(cat "$r.rc"): $(head -c 200 "$r.err")"
  elif cmp -s "$r" "$T/d/a-old"; then n_old=$((n_old + 1))
  elif cmp -s "$r" "$T/d/a-new"; then n_new=$((n_new + 1))
  else n_bad=$((n_bad + 1)); echo "FAIL: reader answer $r is neither the old nor the new index's"
  fi
done
echo "faults: during 6 replacements the readers got $n_old answers from the old index, $n_new from the new, $n_bad bad"
[ "$n_bad" = 0 ] && ok || fail=$((fail + 1))
[ $((n_old + n_new)) -ge 4 ] && ok || bad "too few reader answers ($n_old old, $n_new new)"
[ "$n_new" -ge 1 ] && ok || skip "no reader saw the new index ($n_old old answers)"

# ---- (e) hostile corpus input ------------------------------------------------------------
H="$T/e/in"
mkdir -p "$H"
good=0
article() {  # article FILE TITLE: a good .txt article carrying the marker word
  printf '%s\n\nA good article about the zebrafinch, among hostile files.\n' "$2" >"$1"; good=$((good + 1))
}
article "$H/good-1.txt" "First good article"
article "$H/good-2.txt" "Second good article"
# A 50 MB line: as one .txt article (cut at 16 MB) and as one .jsonl record (skipped).
yes 'lorem ipsum dolor sit amet' | head -c 50000000 | tr -d '\n' >"$H/long-line.txt"
{ printf '{"id":"long","body":"'; head -c 50000000 "$H/long-line.txt"; printf '"}\n'
  printf '{"id":"after-long","title":"Good after a long line","body":"zebrafinch"}\n'; } >"$H/long-line.jsonl"
good=$((good + 1))
# 300 nested folders, with a good article at depth 10 and one at depth 300.
deep="$H/deep"; for i in $(seq 1 300); do deep="$deep/d"; [ "$i" = 10 ] && mkdir -p "$deep" && article "$deep/at-10.txt" "Ten deep"; done
# (Whether the walker reads that deep or skips it with a warning is its choice.)
mkdir -p "$deep" && printf 'Very deep\n\nAn article 300 folders down.\n' >"$deep/at-300.txt"
# Symbolic link loops: to the parent, to itself, and between two links.
mkdir -p "$H/links"; ln -s .. "$H/links/up"; ln -s self "$H/links/self"; ln -s b "$H/links/a"; ln -s a "$H/links/b"
ln -s "$H" "$H/links/root"
mkfifo "$H/fifo.txt"
article "$H/unreadable.txt" "Unreadable article"; chmod 000 "$H/unreadable.txt"; good=$((good - 1))
# Root reads a mode-000 file through its DAC capabilities: drop them for the
# indexer's run, so the file is unreadable to it as to anyone else.
DROP=()
if [ "$(id -u)" = 0 ]; then
  if setpriv --bounding-set=-dac_override,-dac_read_search true 2>/dev/null; then
    DROP=(setpriv --bounding-set=-dac_override,-dac_read_search)
  else
    skip "running as root without setpriv: chmod 000 does not stop reads"; good=$((good + 1))
  fi
fi
# Truncated, corrupt and fake gzip files, one good one.
cp corpus/gz/porthleven-harbour-wall.txt.gz "$H/good-gz.txt.gz"
head -c 300 corpus/gz/digest-2025.jsonl.gz >"$H/truncated.jsonl.gz"
{ head -c 200 corpus/gz/wire-2025.trec.gz; printf 'XXXXXXXXXXXXXXXX'; tail -c +217 corpus/gz/wire-2025.trec.gz; } >"$H/corrupt.trec.gz"
printf 'not gzip at all' >"$H/fake.txt.gz"
printf '\x1f\x8b\x08\x00\x00\x00' >"$H/header-only.txt.gz"
# Malformed JSON lines around good records.
cat >"$H/mixed.jsonl" <<'EOF'
{"id":"j1","title":"Good JSON one","body":"zebrafinch in json"}
{broken
{"id":"j-no-body"}
[1,2,3]
{"id":"j2","title":"Good JSON two","body":"zebrafinch again"}
{"id":"j3","body":"unterminated
EOF
good=$((good + 2))
printf '{"id":"j4","title":"Bad bytes","body":"zebrafinch \xff\xfe \x01 repaired"}\n' >>"$H/mixed.jsonl"; good=$((good + 1))
# Malformed SGML: unclosed DOCs, stray text, tags out of place.
cat >"$H/mixed.trec" <<'EOF'
stray text before any document
<DOC>
<DOCNO> S1 </DOCNO>
<HEADLINE>Good SGML one</HEADLINE>
<TEXT>zebrafinch in sgml</TEXT>
</DOC>
</DOC></TEXT>
<DOC>
<DOCNO> S2 </DOCNO>
<TEXT>zebrafinch in a document never closed
<DOC>
<DOCNO> S3 </DOCNO>
<HEADLINE>Good SGML three</HEADLINE><TEXT>zebrafinch after the unclosed one</TEXT>
</DOC>
<DOC></DOC>
EOF
good=$((good + 3))
# Binary files under article names.
head -c 65536 /dev/urandom >"$H/random.txt"
cp "$(command -v ls)" "$H/program.jsonl"
printf 'text with a NUL\0byte' >"$H/nul.txt"
# A 1 GB article: one TREC document whose text is 1 GB, stored as 102 gzip
# members (zlib reads them as one stream), 100 of them the same 10 MB.
printf '<DOC>\n<DOCNO>huge</DOCNO>\n<TEXT>\n' | gzip -1 >"$H/huge.trec.gz"
yes 'lorem ipsum dolor sit amet consectetur' | head -c 10000000 | gzip -1 >"$T/e/ten.gz"
for i in $(seq 100); do cat "$T/e/ten.gz"; done >>"$H/huge.trec.gz"
printf '</TEXT>\n</DOC>\n<DOC>\n<DOCNO>after-huge</DOCNO>\n<TEXT>zebrafinch after a gigabyte</TEXT>\n</DOC>\n' |
  gzip -1 >>"$H/huge.trec.gz"
good=$((good + 1))

if [ -x /usr/bin/time ]; then TIMEV=(/usr/bin/time -v); else TIMEV=(); fi
timeout -k 5 110 "${TIMEV[@]}" "${DROP[@]}" "$IDX" -o "$T/e/h.idx" "$H" >"$T/e/out" 2>"$T/e/err"; rc=$?
sane "hostile folder" "$rc"
[ "$rc" = 0 ] && ok || bad "hostile folder: exit $rc: $(grep -v '^\s' "$T/e/err" | tail -3)"
if [ "$rc" = 0 ]; then
  timeout 20 "$SRCH" -i "$T/e/h.idx" --count zebrafinch >"$T/e/count" 2>&1
  got=$(cut -f2 "$T/e/count")
  [ "$got" = "$good" ] && ok || bad "hostile folder: $got articles with the marker indexed, expected $good"
  timeout 20 "$SRCH" -i "$T/e/h.idx" --format tsv -k 100 'zebrafinch OR lorem OR porthleven' | cut -f4 >"$T/e/ids"
  for id in long-line.txt after-long S1 S2 S3 j4 huge after-huge good-gz.txt.gz deep/d/d/d/d/d/d/d/d/d/d/at-10.txt; do
    grep -qxF "$id" "$T/e/ids" && ok || bad "hostile folder: article $id is missing"
  done
  for w in 'loop' 'FIFO' 'binary' 'unreadable.txt' 'damaged|cut short' 'not valid JSON' 'longer than'; do
    grep -qiE "$w" "$T/e/err" && ok || bad "hostile folder: no warning matching '$w'"
  done
fi
if [ ${#TIMEV[@]} -gt 0 ]; then
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/e/err")
  [ -n "$rss" ] && [ "$rss" -lt 1048576 ] && ok || bad "hostile folder: peak RSS ${rss:-?} KB, over 1 GB"
  echo "faults: hostile folder with a 1 GB article indexed with peak RSS ${rss:-?} KB"
fi

[ "$skipped" = 0 ] || echo "faults: $skipped cases skipped (see SKIP lines)"
echo "faults: $pass passed, $fail failed"
[ "$fail" = 0 ]
