#!/usr/bin/env bash
# Prepares a real VS Code for the end-to-end tests: code-server 4.100.3 (VS Code 1.100) from npm, built
# for this machine, plus Debian's chromium for playwright-core to drive it. Everything goes into a cache
# folder OUTSIDE the repository (default ~/.cache/ksim-e2e, override with KSIM_E2E_CACHE).
#
# Idempotent: a marker file records a finished install; a second run only checks and exits (≈0 s).
# The recipe (why each step) is the one verified in shared/notes/environment.md:
#  - @vscode/test-electron cannot download VS Code here, but the npm registry and Debian are reachable;
#  - code-server's npm package ships VS Code's server without its node_modules: install them with
#    --ignore-scripts (the postinstall downloads fail offline) and rebuild the native modules by hand;
#  - @vscode/ripgrep's binary download fails: use Debian's rg instead.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
CACHE="${KSIM_E2E_CACHE:-$HOME/.cache/ksim-e2e}"
MARKER="$CACHE/.installed-code-server-$CODE_SERVER_VERSION"
log() { echo "e2e-setup: $*" >&2; }

# ---- Debian packages: native build deps of VS Code's modules, ripgrep, and the browser.
debs=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium python3 make g++)
missing=()
for p in "${debs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null || { log "need root to apt-get install ${missing[*]}"; exit 1; }
    SUDO=sudo
  fi
  log "installing from Debian: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -f "$MARKER" ] && [ -f "$CACHE/node_modules/code-server/out/node/entry.js" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $CACHE"
  exit 0
fi

mkdir -p "$CACHE"
cd "$CACHE"
[ -f package.json ] || echo '{"name":"ksim-e2e-cache","private":true}' > package.json

log "npm install code-server@$CODE_SERVER_VERSION (scripts skipped)"
npm install --no-save --unsafe-perm --ignore-scripts --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >/dev/null

VSCODE_DIR="$CACHE/node_modules/code-server/lib/vscode"
cd "$VSCODE_DIR"
log "installing VS Code's server dependencies"
npm install --unsafe-perm --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null

log "rebuilding native modules for node $(node --version)"
# node-pty's postinstall runs `npx node-gyp ...`; a user npmrc with yes=false would make npx refuse.
export npm_config_yes=true
npm rebuild kerberos node-pty @vscode/spdlog @vscode/deviceid native-watchdog --unsafe-perm >/dev/null

# @parcel/watcher has no install script npm rebuild would run; build it with npm's own node-gyp.
NODE_GYP="$(dirname "$(dirname "$(command -v npm)")")/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$NODE_GYP" ] || NODE_GYP=/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
if [ -d node_modules/@parcel/watcher ]; then
  (cd node_modules/@parcel/watcher && node "$NODE_GYP" rebuild --nodedir=/usr >/dev/null 2>&1) \
    || log "warning: @parcel/watcher did not build (file watching falls back to polling)"
fi

mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
[ -e node_modules.asar ] || ln -s node_modules node_modules.asar

cd "$CACHE"
npm rebuild argon2 --unsafe-perm >/dev/null 2>&1 || log "warning: argon2 rebuild failed (only needed for password auth)"

node "$CACHE/node_modules/code-server/out/node/entry.js" --version >/dev/null
touch "$MARKER"
log "code-server $CODE_SERVER_VERSION ready in $CACHE"
