#!/usr/bin/env bash
# Runs bin/indexer and bin/searcher under valgrind (memcheck) on the demo and
# on the error paths: any invalid read or write, use of uninitialised memory,
# or leak (definite, indirect or possible) fails the case.  valgrind reports
# through exit status 99 so that it is not mistaken for the programs' own
# statuses (the searcher exits 1 when nothing matches, 2 on errors).
#
#   tests/valgrind.sh            BIN (default bin) names the programs' folder,
#                                SEARCHER (default $BIN/searcher) the searcher:
#                                memcheck needs one linked dynamically
#
# Prints one line per failure and a closing "valgrind: N passed, M failed";
# exits 1 on any failure, 0 with a note when valgrind is not installed.
set -u
BIN=${BIN:-bin}
SEARCHER=${SEARCHER:-$BIN/searcher}
if ! command -v valgrind >/dev/null; then
  echo "valgrind: not installed (apt-get install valgrind); nothing checked"
  exit 0
fi
T=$(mktemp -d /tmp/td-valgrind-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
kinds=definite,indirect,possible
VG=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds="$kinds"
    --errors-for-leak-kinds="$kinds" --track-origins=yes)

# vg NAME EXPECTED-STATUS COMMAND...: COMMAND under valgrind must exit with
# EXPECTED-STATUS and valgrind must have nothing to say.
vg() {
  local name=$1 want=$2; shift 2
  "${VG[@]}" --log-file="$T/vg.log" "$@" >"$T/out" 2>"$T/err" <"${STDIN:-/dev/null}"
  local rc=$?
  if [ "$rc" = 99 ] || [ -s "$T/vg.log" ]; then
    fail=$((fail + 1)); echo "FAIL: $name: valgrind reports:"; head -40 "$T/vg.log"
  elif [ "$rc" != "$want" ]; then
    fail=$((fail + 1)); echo "FAIL: $name: exit $rc, expected $want: $(head -c 300 "$T/err")"
  else
    pass=$((pass + 1))
  fi
}

vg "index the sample corpus" 0 "$BIN/indexer" -q -o "$T/demo.idx" corpus/
vg "index on one thread" 0 "$BIN/indexer" -q -j 1 -o "$T/one.idx" corpus/
vg "index on two threads, 16 MB budget" 0 "$BIN/indexer" -q -j 2 --memory 16 -o "$T/two.idx" corpus/
vg "demo query" 0 "$SEARCHER" -i "$T/demo.idx" 'remains AND Osan'
vg "json, many hits" 0 "$SEARCHER" -i "$T/demo.idx" --format json -k 50 'the OR a'
vg "trec, phrase and prefix" 0 "$SEARCHER" -i "$T/demo.idx" --format trec '"central bank" OR elect* OR title:strike'
vg "count with NOT" 0 "$SEARCHER" -i "$T/demo.idx" --count 'NOT harbour'
vg "no hit" 1 "$SEARCHER" -i "$T/demo.idx" 'xyzzyplugh'
vg "bad query" 2 "$SEARCHER" -i "$T/demo.idx" 'remains AND (Osan'
printf 'q1\tremains\nq2\tOsan AND (\nq3\t"state of war"\nq4\tzzzz*\n' >"$T/q"
STDIN="$T/q" vg "batch with a bad line" 2 "$SEARCHER" -i "$T/demo.idx" --format tsv
vg "check" 0 "$SEARCHER" --check -i "$T/demo.idx"
vg "missing index" 2 "$SEARCHER" -i "$T/nope.idx" 'x'
# A damaged copy: a byte flipped in the middle of the file.
cp "$T/demo.idx" "$T/bad.idx"
size=$(stat -c %s "$T/bad.idx")
printf '\xa5' | dd of="$T/bad.idx" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
vg "check a damaged index" 2 "$SEARCHER" --check -i "$T/bad.idx"
head -c $((size / 2)) "$T/demo.idx" >"$T/short.idx"
vg "truncated index" 2 "$SEARCHER" -i "$T/short.idx" 'remains'
# Bad input next to good: binary, broken JSON, an unclosed DOC, a cut .gz.
mkdir -p "$T/in"
printf 'Good title\n\nA good article about harbours.\n' >"$T/in/good.txt"
printf '\x00\x01\x02binary\xff' >"$T/in/blob.txt"
printf '{"id":"j1","body":"fine"}\n{broken\n' >"$T/in/x.jsonl"
printf '<DOC><DOCNO>d1</DOCNO><TEXT>never closed\n' >"$T/in/y.trec"
head -c 300 corpus/gz/digest-2025.jsonl.gz >"$T/in/cut.jsonl.gz"
vg "hostile input" 0 "$BIN/indexer" -q -o "$T/h.idx" "$T/in"
vg "indexer failure (unknown language)" 2 "$BIN/indexer" -q --lang klingon -o "$T/demo.idx" corpus/

echo "valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
