#!/usr/bin/env bash
# The GitHub Action's step (action.yml): lints the migrations changed since the base commit, writes
# SARIF for code scanning and prints `github` annotations. Never fails itself: it records lint's exit
# code in $GITHUB_OUTPUT (status), so the SARIF is uploaded before the action fails.
#   LOCKWISE_PATHS    folders/globs holding migrations (space-separated; default .)
#   LOCKWISE_BASE     base commit: only SQL files changed since it are linted; empty or all zeros: all of them
#   LOCKWISE_FAIL_ON  error | warning | info
#   LOCKWISE_SARIF    where to write the SARIF file
#   LOCKWISE_VERSION  the npm version to run when the project has no lockwise of its own (default latest)
set -uo pipefail
read -r -a paths <<< "${LOCKWISE_PATHS:-.}"
out="${GITHUB_OUTPUT:-/dev/null}"

if [ -x node_modules/.bin/lockwise ]; then lockwise=(node_modules/.bin/lockwise)
else lockwise=(npx --yes "lockwise@${LOCKWISE_VERSION:-latest}"); fi

files=()
# A new branch's push has an all-zeros base; a shallow checkout may not have the base commit.
if [ -n "${LOCKWISE_BASE:-}" ] && [ -z "${LOCKWISE_BASE//0/}" ]; then LOCKWISE_BASE=""; fi
if [ -n "${LOCKWISE_BASE:-}" ] && ! git cat-file -e "$LOCKWISE_BASE^{commit}" 2>/dev/null; then
  echo "lockwise: base commit $LOCKWISE_BASE is not in the checkout (use fetch-depth: 0): linting every migration"
  LOCKWISE_BASE=""
fi
if [ -n "${LOCKWISE_BASE:-}" ]; then
  mapfile -t files < <(git diff --name-only --diff-filter=ACMR "$LOCKWISE_BASE" HEAD -- "${paths[@]}" | grep -E '\.(sql|psql|pgsql)$')
else
  mapfile -t files < <(git ls-files -- "${paths[@]}" | grep -E '\.(sql|psql|pgsql)$')
fi

if [ ${#files[@]} -eq 0 ]; then
  echo "lockwise: no changed migrations in ${paths[*]}"
  { echo "status=0"; echo "sarif="; } >> "$out"
  exit 0
fi
echo "lockwise: ${#files[@]} migration(s): ${files[*]}"
"${lockwise[@]}" lint --format sarif --fail-on "${LOCKWISE_FAIL_ON:-error}" "${files[@]}" > "$LOCKWISE_SARIF"
status=$?
"${lockwise[@]}" lint --format github --fail-on "${LOCKWISE_FAIL_ON:-error}" "${files[@]}"
{ echo "status=$status"; echo "sarif=$LOCKWISE_SARIF"; } >> "$out"
