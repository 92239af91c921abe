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

common=(--url "$url" --key "$key" --secret "$Stripe__WebhookSecret" --accounts "$accounts" --concurrency "$concurrency" --max-seconds "$max_seconds" --days "$days")
echo "<!-- $provider, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $accounts accounts, events spread over $days day(s), $(date -u +%Y-%m-%d) -->"
echo "| what | events | requests × batch | concurrency | time | accepted | p50 | p95 |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
"${load[@]}" "${common[@]}" --phase setup
"${load[@]}" "${common[@]}" --phase usage --events "$events" --batch "$batch"
"${load[@]}" "${common[@]}" --phase segment --events "$((events / 3))" --batch "$batch"
"${load[@]}" "${common[@]}" --phase webhooks --events "$webhooks" --batch 1
