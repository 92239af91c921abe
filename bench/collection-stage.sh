#!/usr/bin/env bash
# Collection-stage benchmark: a demo company of ACCOUNTS accounts (bench/cycle.sh's book, as of 2026-06-30, seed 1), then
# the real csm-payments executable (Release) runs the daily cycle on three days and a dry run. Prints one markdown row per
# run: wall time and peak resident memory of the whole cycle, the collection stage's own time (from the cycle's timings)
# and what the stage did.
# Usage: bench/collection-stage.sh ACCOUNTS sqlite|postgres
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=${1:?accounts}; provider=${2:?sqlite or postgres}
as_of=2026-06-30
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
dotnet build src/CsmPayments -c Release -v quiet -nologo >/dev/null
app=$PWD/src/CsmPayments/bin/Release/net10.0/csm-payments
work=$(mktemp -d /tmp/csm-collect.XXXXXX)
trap 'rm -rf "$work"; [ -n "${BENCH_PG_DIR:-}" ] && bench/pg.sh stop "$BENCH_PG_DIR"' EXIT

if [ "$provider" = postgres ]; then
  eval "$(bench/pg.sh start)"
  export Database__Provider=postgres ConnectionStrings__CsmPayments="$BENCH_PG"
else
  export Database__Provider=sqlite ConnectionStrings__CsmPayments="Data Source=$work/bench.db"
fi
run() { # $1: label, rest: cycle arguments
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$app" cycle "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r secs kb <"$work/time"
  local stage did
  stage=$(grep -oE 'collections [0-9.]+ s' "$work/out" | grep -oE '[0-9.]+ s' || echo "?")
  did=$(grep -oE '[0-9,]+ message\(s\), [0-9,]+ task\(s\), [0-9,]+ decision\(s\)' "$work/out" | head -1 || true)
  printf '| %s | %s | %s | %.1f s | %d MB | %s | %s |\n' "$provider" "$accounts" "$label" "$secs" $((kb / 1024)) "$stage" "${did:-nothing}"
}

"$app" demo --accounts "$accounts" --seed 1 --as-of "$as_of" >"$work/demo" 2>&1 || { cat "$work/demo" >&2; exit 1; }
run "cycle, first run" --as-of "$as_of"
run "cycle, same day again" --as-of "$as_of"
run "cycle, next day" --as-of 2026-07-01
run "cycle --dry-run" --as-of 2026-07-02 --dry-run
