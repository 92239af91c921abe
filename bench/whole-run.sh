#!/usr/bin/env bash
# Whole-run harness: demo generation, import, aging and metrics at a given size on SQLite or PostgreSQL.
# Each step runs the real csm-payments executable (Release) under /usr/bin/time; prints one markdown row per step
# with wall time and peak resident memory.
# Usage: bench/whole-run.sh ACCOUNTS sqlite|postgres   (PER_FILE_IMPORT=0 skips importing each file again into a fresh
# database; the demo step's own generate/import split is printed as a comment either way)
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=${1:?accounts}; provider=${2:?sqlite or postgres}
as_of=2026-06-30
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
dotnet build src/CsmPayments -c Release -v quiet -nologo >/dev/null
app=$PWD/src/CsmPayments/bin/Release/net10.0/csm-payments
work=$(mktemp -d /tmp/csm-whole-run.XXXXXX)
trap 'rm -rf "$work"; [ -n "${BENCH_PG_DIR:-}" ] && bench/pg.sh stop "$BENCH_PG_DIR"' EXIT

fresh_db() { # $1: database name
  if [ "$provider" = postgres ]; then
    runuser -u postgres -- psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
    export Database__Provider=postgres ConnectionStrings__CsmPayments="${BENCH_PG/Database=bench/Database=$1}"
  else
    rm -f "$work/$1.db"*
    export Database__Provider=sqlite ConnectionStrings__CsmPayments="Data Source=$work/$1.db"
  fi
}
step() { # $1: label, rest: command
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r secs kb <"$work/time"
  printf '| %s | %s | %s | %.1f s | %d MB |\n' "$provider" "$accounts" "$label" "$secs" $((kb / 1024))
}

if [ "$provider" = postgres ]; then eval "$(bench/pg.sh start)"; pg_port=$(sed 's/.*Port=\([0-9]*\).*/\1/' <<<"$BENCH_PG"); fi

fresh_db demo
step "demo (generate + import)" "$app" demo --accounts "$accounts" --seed 1 --as-of "$as_of" --out "$work/csv"
du -sh "$work/csv" | awk '{print "<!-- csv size " $1 " -->"}'
grep -E 'generated in' "$work/out" | sed 's/^ */<!-- demo: /; s/$/ -->/'

if [ "${PER_FILE_IMPORT:-1}" = 1 ]; then
fresh_db imported
"$app" db migrate >/dev/null
for kind in users accounts contacts subscriptions invoices payments credit_notes usage tickets nps touchpoints; do
  rows=$(($(wc -l <"$work/csv/$kind.csv") - 1))
  step "import $kind ($rows rows)" "$app" import "$kind" "$work/csv/$kind.csv"
done
fi
step "re-import usage (nothing changes)" "$app" import usage "$work/csv/usage.csv"
step "report aging" "$app" report aging --as-of "$as_of" --format json
step "report metrics" "$app" report metrics --as-of "$as_of" --format json
