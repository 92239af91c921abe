#!/usr/bin/env bash
# Load benchmark of the HTTP API on loopback: usage batches (own format and Segment), and Stripe webhooks, into a
# throwaway PostgreSQL (or SQLite) database through a real `csm-payments serve`. Bounded: each phase stops at its event
# count or after MAX_SECONDS. Prints markdown rows for bench/README.md.
# Usage: bench/ingest.sh [postgres|sqlite]   (EVENTS, BATCH, CONCURRENCY, ACCOUNTS, WEBHOOKS, MAX_SECONDS override the defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
provider=${1:-postgres}
events=${EVENTS:-3000000}; batch=${BATCH:-10000}; concurrency=${CONCURRENCY:-4}; accounts=${ACCOUNTS:-2000}
webhooks=${WEBHOOKS:-5000}; max_seconds=${MAX_SECONDS:-60}; days=${DAYS:-30}
dotnet build src/CsmPayments -c Release -v quiet -nologo >/dev/null
dotnet build bench/CsmPayments.Bench -c Release -v quiet -nologo >/dev/null
app=$PWD/src/CsmPayments/bin/Release/net10.0/csm-payments
load=(dotnet bench/CsmPayments.Bench/bin/Release/net10.0/CsmPayments.Bench.dll ingest)
work=$(mktemp -d /tmp/csm-ingest.XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "${BENCH_PG_DIR:-}" ] && bench/pg.sh stop "$BENCH_PG_DIR"
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$provider" = postgres ]; then
  eval "$(bench/pg.sh start)"
  export Database__Provider=postgres ConnectionStrings__CsmPayments="$BENCH_PG"
else
  export Database__Provider=sqlite ConnectionStrings__CsmPayments="Data Source=$work/ingest.db"
fi
export Stripe__WebhookSecret=whsec_bench_$RANDOM$RANDOM Logging__LogLevel__Default=Warning
"$app" db migrate >/dev/null
key=$("$app" apikey create --name bench --scope admin 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
"$app" serve --urls "$url" >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do curl -fs "$url/openapi/v1.json" >/dev/null && break; sleep 0.1; done
curl -fs "$url/openapi/v1.json" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }

# CPU seconds (user + system) of a process and its reaped children, plus its live children: the server, and PostgreSQL
# (the postmaster and its backends), so each phase can be told apart from the other work sharing the cores.
ticks=$(getconf CLK_TCK)
cpu_of() {
  local pid=$1 total
  total=$(awk '{print $14+$15+$16+$17}' "/proc/$pid/stat")
  for child in $(cat "/proc/$pid/task/"*/children 2>/dev/null); do
    total=$((total + $(awk '{print $14+$15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
pg_pid() { [ -n "${BENCH_PG_DIR:-}" ] && head -1 "$BENCH_PG_DIR/data/postmaster.pid" || echo ""; }
phase() {
  local before_s before_p after_s after_p pg load_before
  pg=$(pg_pid); load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  before_s=$(cpu_of "$server_pid"); before_p=$([ -n "$pg" ] && cpu_of "$pg" || echo 0)
  "${load[@]}" "${common[@]}" "$@"
  after_s=$(cpu_of "$server_pid"); after_p=$([ -n "$pg" ] && cpu_of "$pg" || echo 0)
  echo "<!-- CPU seconds: server $(awk -v a="$before_s" -v b="$after_s" -v t="$ticks" 'BEGIN{printf "%.1f", (b-a)/t}'), PostgreSQL $(awk -v a="$before_p" -v b="$after_p" -v t="$ticks" 'BEGIN{printf "%.1f", (b-a)/t}'); load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg) -->"
}

common=(--url "$url" --key "$key" --secret "$Stripe__WebhookSecret" --accounts "$accounts" --concurrency "$concurrency" --max-seconds "$max_seconds" --days "$days")
echo "<!-- $provider, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $accounts accounts, events spread over $days day(s), $(date -u +%Y-%m-%d) -->"
echo "| what | events | requests × batch | concurrency | time | accepted | p50 | p95 |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
"${load[@]}" "${common[@]}" --phase setup
phase --phase usage --events "$events" --batch "$batch"
phase --phase segment --events "$((events / 3))" --batch "$batch"
phase --phase webhooks --events "$webhooks" --batch 1
