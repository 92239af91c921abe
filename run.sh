#!/usr/bin/env bash
# The main job on the embedded default (SQLite): build, create a demo company, print its AR aging and metrics.
# The demo company goes into its own SQLite file, made anew on each run, beside the default database:
# $CSM_PAYMENTS_HOME/demo.db (default ~/.local/share/csm-payments/demo.db), so a real database is never touched.
# Arguments go to 'demo', e.g. ./run.sh --accounts 2000 --seed 7 --as-of 2026-06-30
set -euo pipefail
cd "$(dirname "$0")"
dotnet build src/CsmPayments -c Release -warnaserror -v quiet -nologo
app=src/CsmPayments/bin/Release/net10.0/csm-payments
home=${CSM_PAYMENTS_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/csm-payments}
mkdir -p "$home"
rm -f "$home/demo.db" "$home/demo.db-wal" "$home/demo.db-shm"
export Database__Provider=sqlite ConnectionStrings__CsmPayments="Data Source=$home/demo.db"
as_of=$(printf '%s\n' "$@" | grep -A1 -x -- '--as-of' | tail -1 | grep -E '^[0-9]{4}-' || true)
"$app" demo "$@"
"$app" report aging ${as_of:+--as-of "$as_of"}
"$app" report metrics ${as_of:+--as-of "$as_of"}
