#!/usr/bin/env bash
# The whole suite N times in a fresh clone of this repository's HEAD while two busy processes load
# the CPUs (a slow, shared machine): prints pass/fail per run and exits 1 if any run failed.
#   tests/soak.sh 5                  # five `make test` runs
#   tests/soak.sh 3 --reverse        # extra pytest arguments go to every run
set -uo pipefail
runs=${1:?usage: tests/soak.sh N [PYTEST_ARGS...]}
shift
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "tests/soak.sh: N must be a positive whole number" >&2; exit 2; }
extra="$*"
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel) || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/asr-soak.XXXXXX")
busy=()
run=""
cleanup() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  [[ -n $run ]] && kill -- "-$run" 2>/dev/null  # the run's whole process group: make, pytest, children
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 143" INT TERM  # a stopped soak still cleans up: the busy loops and the run under way
git clone --quiet "$top" "$work/clone" || exit 2
cd "$work/clone" || exit 2
echo "soak: $runs runs of make test in $work/clone ($(git rev-parse --short HEAD)), two busy processes"
for _ in 1 2; do
  python3 -c "while True: pass" &   # the load: a busy core each
  busy+=($!)
done
failed=0
for n in $(seq 1 "$runs"); do
  start=$(date +%s)
  # In its own process group, waited for with `wait`: a TERM to the soak is handled at once.
  setsid make test PYTEST_ARGS="$extra" >"$work/run-$n.log" 2>&1 &
  run=$!
  if wait "$run"; then
    verdict=pass
  else
    verdict=FAIL
    failed=$((failed + 1))
  fi
  # Every pytest summary of the run: the whole suite's, then the stock paint pass's.
  summary=$(grep -E "^=*.*[0-9]+ (passed|failed).* in [0-9.]+s" "$work/run-$n.log" | tr -d '=' | paste -sd '/')
  echo "run $n: $verdict in $(( $(date +%s) - start )) s  ${summary}"
  if [[ $verdict == FAIL ]]; then
    grep -E "^(FAILED|ERROR) " "$work/run-$n.log" | sed 's/^/    /'
  fi
done
echo "soak: $((runs - failed)) of $runs runs passed"
[[ $failed == 0 ]]
