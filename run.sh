#!/usr/bin/env bash
# The main job on the embedded default (SQLite): build, create a demo company, print its AR aging and metrics.
# The database file lives in $CSM_PAYMENTS_HOME (default ~/.local/share/csm-payments/csm-payments.db).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build src/CsmPayments -c Release -warnaserror -v quiet -nologo
app=src/CsmPayments/bin/Release/net10.0/csm-payments
"$app" demo "$@"
"$app" report aging
"$app" report metrics
