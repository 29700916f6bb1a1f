#!/bin/sh
# Runs every cmocka test binary given as an argument and prints one closing
# line "N passed, M failed" over all of them; exits 1 if any test failed.
passed=0; failed=0; status=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  echo "$out" | grep -E '^\[  (FAILED|PASSED)  \]|^\[  ERROR   \]|ERROR|runtime error|Sanitizer' || true
  p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ $rc -ne 0 ]; then
    status=1
    [ -z "$f" ] && { failed=$((failed + 1)); echo "$t: exited with status $rc"; echo "$out" | tail -20; }
  fi
  echo "$(basename "$t"): ${p:-0} passed, ${f:-0} failed"
done
echo "unit: $passed passed, $failed failed"
exit $status
