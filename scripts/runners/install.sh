#!/usr/bin/env bash
# Installs the real migration runners that test/runners applies migrations with, and prints their
# versions. Idempotent: does nothing but print when everything is already there.
#   sqitch, sql-migrate: Debian packages (apt; needs root, as in .ci/run).
#   dbmate, graphile-migrate: npm, into scripts/runners/node_modules, outside the main lock file
#   (dbmate's binary lives in per-platform optional packages a lock file cannot describe for all).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

missing=()
command -v sqitch >/dev/null 2>&1 || missing+=(sqitch)
command -v sql-migrate >/dev/null 2>&1 || missing+=(sql-migrate)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[runners] apt-get install ${missing[*]}"
  # sqitch's PostgreSQL engine needs DBD::Pg and psql (its first Depends alternatives, named here
  # so that apt never picks the SQLite or MySQL driver instead).
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" libdbd-pg-perl postgresql-client >/dev/null
fi

wanted() { node -p "require('$here/package.json').dependencies['$1']"; }
have() { node -p "try { require('$here/node_modules/$1/package.json').version } catch { '' }"; }
if [ "$(have dbmate)" != "$(wanted dbmate)" ] || [ "$(have graphile-migrate)" != "$(wanted graphile-migrate)" ] \
  || ! "$here/node_modules/.bin/dbmate" --version >/dev/null 2>&1; then
  echo "[runners] npm install (dbmate, graphile-migrate) in scripts/runners"
  (cd "$here" && npm install --no-audit --no-fund --no-package-lock --loglevel=error)
fi

echo "[runners] $("$here/node_modules/.bin/dbmate" --version)"
echo "[runners] graphile-migrate $("$here/node_modules/.bin/graphile-migrate" --version)"
echo "[runners] $(sqitch --version)"
echo "[runners] sql-migrate $(dpkg-query -W -f='${Version}' sql-migrate 2>/dev/null || echo '(not from apt)')"
