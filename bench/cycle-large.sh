#!/usr/bin/env bash
# Daily-cycle benchmark at large sizes: the direct generator (bench/CsmPayments.Bench `generate`) writes a company of
# ACCOUNTS accounts straight into a fresh SQLite file or a throwaway PostgreSQL cluster (bench/pg.sh) through the bulk
# paths, then the real csm-payments executable (Release) runs the cycle under /usr/bin/time: the as-of day, the same day
# again, the next day, a dry run. Prints one markdown row per step (wall time, peak resident memory), the cycle's own
# split of its time as an HTML comment under each row, data sizes and the load average while it ran.
# Each row also gives the CPU seconds the step used: the process itself (user + system) and, on PostgreSQL, the server's
# backends (what the postmaster reaped), so figures taken on a busy machine can be read against what the work costs.
# Usage: bench/cycle-large.sh ACCOUNTS sqlite|postgres
#   KEEP=1            keep the database afterwards and print where it is
#   NO_COLLECTIONS=1  run the cycle with a playbook without steps and renewal reviews 1 day ahead (the collection stage
#                     then queues almost nothing: it belongs to its own benchmark)
#   SKIP_DRY_RUN=1    leave out the dry run
#   CYCLE=stages      run the cycle's stages through the bench (`CsmPayments.Bench cycle`) without the collection stage
#                     and delivery, as a deployment without collections does, instead of the csm-payments executable
#   REUSE=DIR         rerun only the cycle steps on a database an earlier KEEP=1 run left behind: DIR is the kept work
#                     directory (SQLite: DIR/bench.db) and, on PostgreSQL, BENCH_PG and BENCH_PG_DIR are exported as that
#                     run printed them (the cluster still running); nothing is generated and nothing is deleted afterwards
#   BENCH_DLL=PATH    with CYCLE=stages, run this build of CsmPayments.Bench.dll instead of building the work tree's
#                     (for instance an earlier commit's, to compare before and after on the same kept database)
#   STEPS="reset first same next"  which steps to run, in order (after: the day after next, 2026-07-02) (default: first same next dry, the dry run left out
#                     with SKIP_DRY_RUN=1); reset deletes what earlier cycles wrote (snapshots, segment history, alerts), so
#                     that the next first run on a reused database is a first run again (the days invoices were settled on,
#                     which the cycle keeps, are cleared too); reset-collections deletes what
#                     the collection stage wrote (outbox, steps done, tasks, renewal reviews, audit entries)
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=${1:?accounts}; provider=${2:?sqlite or postgres}
as_of=2026-06-30
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
if [ -z "${BENCH_DLL:-}" ]; then
  dotnet build src/CsmPayments -c Release -v quiet -nologo >/dev/null
  dotnet build bench/CsmPayments.Bench -c Release -v quiet -nologo >/dev/null
fi
app=$PWD/src/CsmPayments/bin/Release/net10.0/csm-payments
bench=${BENCH_DLL:-$PWD/bench/CsmPayments.Bench/bin/Release/net10.0/CsmPayments.Bench.dll}
if [ -n "${REUSE:-}" ]; then
  work=$REUSE; KEEP=1
  if [ "$provider" = postgres ]; then : "${BENCH_PG:?export BENCH_PG of the kept cluster}" "${BENCH_PG_DIR:?export BENCH_PG_DIR of the kept cluster}"; fi
else
  work=$(mktemp -d "${BENCH_DIR:-/tmp}/csm-cycle-large.XXXXXX")
fi
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then echo "<!-- kept: $work ${BENCH_PG_DIR:-} ${BENCH_PG:-} -->"; return; fi
  rm -rf "$work"
  if [ -n "${BENCH_PG_DIR:-}" ]; then bench/pg.sh stop "$BENCH_PG_DIR"; fi
}
trap cleanup EXIT

if [ "$provider" = postgres ] && [ -z "${REUSE:-}" ]; then
  eval "$(bench/pg.sh start)"
fi
if [ "$provider" = postgres ]; then
  export Database__Provider=postgres ConnectionStrings__CsmPayments="$BENCH_PG"
else
  export Database__Provider=sqlite ConnectionStrings__CsmPayments="Data Source=$work/bench.db"
fi
if [ "${NO_COLLECTIONS:-0}" = 1 ]; then
  { sed -n '/^settings:/,/^every_tier:/p' src/CsmPayments/playbooks.yaml | sed '$d' | sed 's/renewal_review_days: *[0-9]*/renewal_review_days: 1/'
    printf 'every_tier: []\ntiers:\n  low: []\n  medium: []\n  high: []\n'; } >"$work/playbook.yaml"
  export Collections__PlaybookFile="$work/playbook.yaml"
fi
server_cpu() { # CPU seconds of the PostgreSQL server's finished backends (reaped by the postmaster), 0 on SQLite
  if [ -z "${BENCH_PG_DIR:-}" ]; then echo 0; return; fi
  local pid; pid=$(head -1 "$BENCH_PG_DIR/data/postmaster.pid")
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15 + $16 + $17) / hz }' "/proc/$pid/stat"
}
step() { # $1: label, rest: command
  local label=$1; shift
  local before server; before=$(cut -d' ' -f1 /proc/loadavg); server=$(server_cpu)
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" "$work/out" >&2; exit 1; }
  read -r secs kb user sys <"$work/time"
  sleep 1 # the postmaster reaps the step's backends once the process has closed its connections
  printf '| %s | %s | %s | %.1f s | %d MB | %.1f s | %.1f s | %s → %s |\n' "$provider" "$accounts" "$label" "$secs" $((kb / 1024)) \
    "$(awk "BEGIN { print $user + $sys }")" "$(awk "BEGIN { print $(server_cpu) - $server }")" "$before" "$(cut -d' ' -f1 /proc/loadavg)"
  grep -E 'time:|gc:|bands|alerts|generated|rows|waiting|migrated' "$work/out" | sed 's/^ */<!-- /; s/$/ -->/' || true
}

if [ -z "${REUSE:-}" ]; then
step "generate (direct, bulk)" dotnet "$bench" generate --accounts "$accounts" --seed 1 --as-of "$as_of" \
  --provider "$provider" --connection "$ConnectionStrings__CsmPayments"
if [ "$provider" = postgres ]; then
  echo "<!-- database size: $(runuser -u postgres -- psql -h 127.0.0.1 -p "$(echo "$BENCH_PG" | sed 's/.*Port=\([0-9]*\).*/\1/')" -U postgres -d bench -Atc "SELECT pg_size_pretty(pg_database_size('bench'))") -->"
else
  echo "<!-- database size: $(du -h "$work/bench.db" | cut -f1) -->"
fi
fi
cycle=("$app" cycle)
if [ "${CYCLE:-app}" = stages ]; then
  [ -n "${BENCH_DLL:-}" ] || dotnet build bench/CsmPayments.Bench -c Release -v quiet -nologo >/dev/null
  cycle=(dotnet "$bench" cycle --appsettings src/CsmPayments/appsettings.json)
fi
steps=${STEPS:-first same next dry}
[ "${SKIP_DRY_RUN:-0}" = 1 ] && steps=${steps//dry/}
for s in $steps; do
  case $s in
    reset)
      sql="DELETE FROM health_snapshots; DELETE FROM segment_assignments; DELETE FROM alerts; UPDATE invoices SET settled_on = NULL WHERE settled_on IS NOT NULL;"
      if [ "$provider" = postgres ]; then
        runuser -u postgres -- psql -h 127.0.0.1 -p "$(echo "$BENCH_PG" | sed 's/.*Port=\([0-9]*\).*/\1/')" -U postgres -d bench -q -c "$sql" -c "VACUUM ANALYZE health_snapshots, segment_assignments, alerts, invoices;" >/dev/null
      else
        # No VACUUM: on a book of a million accounts it rewrites the whole file through the write-ahead log (over ten
        # minutes and as much disk again); the freed pages are reused by the next run's snapshots.
        sqlite3 "$work/bench.db" "$sql"
      fi ;;
    reset-collections)
      # What the collection stage wrote, so that the next run is its first again (the generated book has none of it).
      sql="DELETE FROM outbox_messages; DELETE FROM collection_steps_done; DELETE FROM work_tasks; DELETE FROM renewal_reviews; DELETE FROM audit_entries;"
      if [ "$provider" = postgres ]; then
        runuser -u postgres -- psql -h 127.0.0.1 -p "$(echo "$BENCH_PG" | sed 's/.*Port=\([0-9]*\).*/\1/')" -U postgres -d bench -q -c "$sql" \
          -c "VACUUM ANALYZE outbox_messages, collection_steps_done, work_tasks, renewal_reviews, audit_entries;" >/dev/null
      else
        sqlite3 "$work/bench.db" "$sql"
      fi ;;
    first) step "cycle, first run" "${cycle[@]}" --as-of "$as_of" ;;
    same) step "cycle, same day again (nothing changes)" "${cycle[@]}" --as-of "$as_of" ;;
    next) step "cycle, next day" "${cycle[@]}" --as-of 2026-07-01 ;;
    after) step "cycle, the day after that" "${cycle[@]}" --as-of 2026-07-02 ;;
    dry) step "cycle --dry-run" "${cycle[@]}" --as-of 2026-07-02 --dry-run ;;
    *) echo "unknown step $s (reset, reset-collections, first, same, next, after, dry)" >&2; exit 2 ;;
  esac
done
