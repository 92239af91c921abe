#!/usr/bin/env bash
# Daily-cycle benchmark: a demo company of ACCOUNTS accounts (a year of invoices, payments, daily usage, tickets, NPS,
# touchpoints), then the real csm-payments executable (Release) runs the cycle under /usr/bin/time. Prints one markdown
# row per step with wall time and peak resident memory.
# Usage: bench/cycle.sh ACCOUNTS sqlite|postgres
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=${1:?accounts}; provider=${2:?sqlite or postgres}
as_of=2026-06-30
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
dotnet build src/CsmPayments -c Release -v quiet -nologo >/dev/null
app=$PWD/src/CsmPayments/bin/Release/net10.0/csm-payments
work=$(mktemp -d /tmp/csm-cycle.XXXXXX)
trap 'rm -rf "$work"; [ -n "${BENCH_PG_DIR:-}" ] && bench/pg.sh stop "$BENCH_PG_DIR"' EXIT

if [ "$provider" = postgres ]; then
  eval "$(bench/pg.sh start)"
  export Database__Provider=postgres ConnectionStrings__CsmPayments="$BENCH_PG"
else
  export Database__Provider=sqlite ConnectionStrings__CsmPayments="Data Source=$work/bench.db"
fi
step() { # $1: label, rest: command
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r secs kb <"$work/time"
  printf '| %s | %s | %s | %.1f s | %d MB |\n' "$provider" "$accounts" "$label" "$secs" $((kb / 1024))
}

"$app" demo --accounts "$accounts" --seed 1 --as-of "$as_of" >"$work/demo" 2>&1 || { cat "$work/demo" >&2; exit 1; }
grep -E 'usage days|invoices' "$work/demo" | sed 's/^ */<!-- /; s/$/ -->/'
step "cycle, first run" "$app" cycle --as-of "$as_of"
grep -E 'bands|alerts' "$work/out" | sed 's/^ */<!-- /; s/$/ -->/'
step "cycle, same day again (nothing changes)" "$app" cycle --as-of "$as_of"
step "cycle, next day" "$app" cycle --as-of 2026-07-01
step "cycle --dry-run" "$app" cycle --as-of 2026-07-02 --dry-run
step "report health (json)" "$app" report health --as-of "$as_of" --format json
