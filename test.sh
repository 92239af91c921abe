#!/usr/bin/env bash
# Runs every test. Installs what the tests need on a fresh machine first (PostgreSQL server binaries, the aiosmtpd SMTP server).
set -euo pipefail
cd "$(dirname "$0")"
need_apt=()
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need_apt+=(postgresql); fi
if ! /usr/bin/python3 -c "import aiosmtpd" >/dev/null 2>&1; then need_apt+=(python3-aiosmtpd); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null; fi
fi
dotnet build CsmPayments.slnx -c Release -warnaserror
dotnet format CsmPayments.slnx --verify-no-changes --no-restore
log=$(mktemp)
status=0
dotnet test CsmPayments.slnx -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
# One plain closing line for CI, summed over the test assemblies (a count of zero is not printed, so grep may find nothing).
passed=$( (grep -E '^\s+Passed:\s+[0-9]+' "$log" || true) | awk '{s+=$2} END {print s+0}')
failed=$( (grep -E '^\s+Failed:\s+[0-9]+' "$log" || true) | awk '{s+=$2} END {print s+0}')
skipped=$( (grep -E '^\s+Skipped:\s+[0-9]+' "$log" || true) | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
