#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets into OUT/query, OUT/corpus and
# OUT/index (default OUT: fuzz/seeds), from hand-written inputs and from the
# project's own sample corpus in corpus/ (never from ../shared).  Run from
# the repository root.  The index seeds are built with $INDEXER (default
# bin/indexer); `make fuzz` reruns this for index seeds only
# (`make-seeds.sh DIR index`) so they always match the current format.
#
# Every seed starts with the mode byte its target reads first (see the
# comments at the top of fuzz_corpus.c and fuzz_index.c).
set -eu
OUT=${1:-fuzz/seeds}
WHAT=${2:-all}
INDEXER=${INDEXER:-bin/indexer}
T=$(mktemp -d /tmp/td-seeds-XXXXXX)
trap 'rm -rf "$T"' EXIT

# seed DIR NAME MODE-BYTE-OCTAL: stdin, prefixed with the mode byte.
seed() { mkdir -p "$OUT/$1"; { printf "\\$3"; cat; } >"$OUT/$1/$2"; }

if [ "$WHAT" = all ] || [ "$WHAT" = query ]; then
  mkdir -p "$OUT/query"
  i=0
  while IFS= read -r q; do
    i=$((i + 1)); printf '%s' "$q" >"$OUT/query/q$(printf %02d $i)"
  done <<'EOF'
remains AND Osan
"armistice agreement" AND (remains OR soldiers) NOT Pompeo
title:strike
title:"central bank"
title:elect*
elect*
(a OR b) AND c
a NOT b
NOT Pompeo
NOT NOT a
Zürich Jong-un U.S. don't 5.93 1,000
remains AND (Osan
"unterminated phrase
a AND
OR b
()
*
title:
title:*
foo:bar baz:"qux"
((((((((((deep))))))))))
"a b c d e f g h"
a AND b OR c NOT d AND (e OR f) OR "g h" title:i*
Ωμέγα ÅNGSTRÖM straße ﬁnance Ⅻ ½ ２０２４
EOF
  printf 'caf\xe9 \xff\xfe na\xc3\xafve \xed\xa0\x80 \xc0\xaf' >"$OUT/query/q90-invalid-utf8"
  printf 'a\0b AND c' >"$OUT/query/q91-nul"
  printf 'tab\there\nnewline\u2028sep\u00a0nbsp' >"$OUT/query/q92-spaces"
  printf '%.0s(' {1..70} >"$OUT/query/q93-parens"
  printf '%.0sNOT ' {1..50} >"$OUT/query/q94-nots"; printf 'x' >>"$OUT/query/q94-nots"
  printf '%.0saa* ' {1..30} >"$OUT/query/q95-prefixes"
fi

if [ "$WHAT" = all ] || [ "$WHAT" = corpus ]; then
  # Mode byte: bits 0-2 name (0 .txt, 1 .trec, 2 .jsonl, 3 .sgml, 4 .txt.gz,
  # 5 .trec.gz, 6 .jsonl.gz, 7 no extension), 8 gzip it, 48 repeat it.
  seed corpus txt-sample 000 <corpus/txt/dublin-bus-strike.txt
  seed corpus trec-sample 001 <corpus/trec/wire-2024.trec
  seed corpus jsonl-sample 002 <corpus/jsonl/digest.jsonl
  seed corpus sgml-sample 003 <corpus/trec/wire-2024.trec
  seed corpus txt-gz 004 <corpus/gz/porthleven-harbour-wall.txt.gz
  seed corpus trec-gz 005 <corpus/gz/wire-2025.trec.gz
  seed corpus jsonl-gz 006 <corpus/gz/digest-2025.jsonl.gz
  head -c 700 corpus/gz/digest-2025.jsonl.gz | seed corpus jsonl-gz-truncated 006
  { head -c 400 corpus/gz/wire-2025.trec.gz; printf 'XXXXXXXX'; tail -c +409 corpus/gz/wire-2025.trec.gz; } |
    seed corpus trec-gz-corrupt 005
  head -c 3000 corpus/trec/wire-2024.trec | seed corpus noext-trec 007
  head -n 3 corpus/jsonl/digest.jsonl | seed corpus jsonl-compressed 012
  printf '\n\n  \t\nTitle\twith   tabs \r\n\r\nBody with NUL\0 and \x01 controls, Latin-1 caf\xe9, C1 \xc2\x85 and \xef\xbb\xbf.\n' |
    seed corpus txt-hostile 000
  printf '\xef\xbb\xbfBOM title\nbody\n' | seed corpus txt-bom 000
  printf 'PK\3\4\0\0\0\0binary\0\0\0\xff\xfe\x80\x81\x82' | seed corpus txt-binary 000
  cat <<'EOF' | seed corpus trec-hostile 001
stray text before any doc
<DOC>
<DOCNO> H-1 </DOCNO>
<DATE>26-FEB-1987 15:01:01.79</DATE>
<HEADLINE>Unclosed &amp; <BG> odd <Brown Group Inc></HEADLINE>
<TEXT>first
<TEXT>second paragraph</TEXT>
<DOC>
<TITLE>no docno</TITLE><TEXT>nested <DOC> here</TEXT></DOC>
<DOCNO>outside</DOCNO>
</DOC></DOC><DOC></DOC>
<DOC><DATE>Thursday, February 26th 1987</DATE><DOCNO>H-3</DOCNO>
<TEXT>never closed
EOF
  cat <<'EOF' | seed corpus jsonl-hostile 002
{"id":"j1","title":"ok","body":"fine","date":"Feb 29, 2024","source":"s","url":"u"}
{"id":42,"body":"numeric id"}
{"id":4.5e300,"body":"real id","title":null,"date":7}
{"id":"j2","body":"escapes \u0000 \ud800 \uD83D\uDE00 \t \" \\ /"}
{"id":"j3"}
{"body":"no id"}
[1,2,3]
"just a string"
{"id":"j4","body":"dup","body":"dup2","title":{"nested":[1,{"x":2}]}}
{broken json
{"id":"j5","body":"trailing"} extra
   
{"id":"j6","title":"Thu, 26 Feb 1987 10:00:00 GMT","body":"x","date":"2018-07-27T10:00:00Z"}
EOF
  printf '{"id":"cr","body":"crlf\xe9"}\r\n{"id":"x","body":"\x01\x02"}' | seed corpus jsonl-bytes 002
  printf 'word ' | seed corpus txt-long-line 060
  printf '<DOC><DOCNO>L</DOCNO><TEXT>long ' | seed corpus trec-long-line 061
  printf '{"id":"l","body":"long' | seed corpus jsonl-long-line 062
  printf '</TEXT><TEXT>ab' | seed corpus trec-tags-across-pieces 061
fi

if [ "$WHAT" = all ] || [ "$WHAT" = index ]; then
  # Small real indexes; each seed once as is (mode 0) and once re-sealed
  # (mode 3: checksums and the file size recomputed after mutation).
  [ -x "$INDEXER" ] || { echo "make-seeds: $INDEXER not built; skipping index seeds" >&2; exit 0; }
  mkdir -p "$T/gen" "$T/trec" "$T/jsonl"
  # 140 short articles over a vocabulary of 40 of the sample's words, so
  # frequent terms span two postings blocks (128 documents each) and have
  # several skip entries, in a small file.
  cat corpus/txt/*.txt | tr -cs 'A-Za-z' '\n' | awk 'length > 3' | head -n 40 |
    awk '{ w[NR] = tolower($0) } END {
      srand(7)
      for (d = 1; d <= 140; d++) {
        printf "{\"id\":\"g%d\",\"title\":\"%s\",\"body\":\"harbour", d, w[int(rand()*NR)+1]
        for (k = 0; k < 4; k++) printf " %s", w[int(rand()*NR)+1]
        printf "\"}\n"
      }
    }' >"$T/gen/gen.jsonl"
  awk '/<DOC>/ { n++ } n <= 2' corpus/trec/wire-2024.trec >"$T/trec/two.trec"
  head -n 2 corpus/jsonl/digest.jsonl >"$T/jsonl/two.jsonl"
  build() { "$INDEXER" -q -o "$T/$1.idx" "${@:2}"; }
  build one corpus/txt/leeds-council-cycle-lanes.txt
  build trec "$T/trec"
  build jsonl "$T/jsonl"
  build gen "$T/gen"
  for n in one trec jsonl gen; do
    seed index "$n-raw" 000 <"$T/$n.idx"
    seed index "$n-sealed-size" 003 <"$T/$n.idx"
  done
fi
