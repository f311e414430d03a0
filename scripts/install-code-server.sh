#!/usr/bin/env bash
# Installs code-server (VS Code's workbench served to a browser) into a project-local folder, for
# the end-to-end editor tests. Usage: scripts/install-code-server.sh [DEST] (default .tmp/code-server).
# It needs libkrb5-dev (a native module of code-server builds from source; .ci/run installs it) and
# reaches only the npm registry. Running it again when the right version is there does nothing.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
# code-server 4.100.3 pins @vscode/ripgrep 1.15.11, whose postinstall downloads ripgrep from a host
# this machine cannot reach unless the asset is already in its cache folder under $TMPDIR.
RIPGREP_PKG_VERSION="1.15.11"
RIPGREP_ASSET="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
RIPGREP_BIN_PKG="@vscode/ripgrep-linux-x64@1.18.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/.tmp/code-server}"
mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"
BIN="$DEST/node_modules/.bin/code-server"
# code-server writes a default config.yaml under XDG_CONFIG_HOME even for --version; keep it here.
export XDG_CONFIG_HOME="$DEST/xdg-config"

# --version may print a log line first (when it writes a default config), so look for the version line.
installed_version() { "$BIN" --version 2>/dev/null | grep -m1 -E '^[0-9]+\.[0-9]+\.[0-9]+ ' || true; }
if [[ -x "$BIN" ]] && [[ "$(installed_version)" == "$VERSION "* ]]; then
  echo "code-server $VERSION already installed at $BIN"
  exit 0
fi

if [[ "$(uname -m)" != "x86_64" ]]; then
  echo "install-code-server: only x86_64 Linux is supported (the ripgrep pre-seed is x64)" >&2
  exit 1
fi

# A private temp dir keeps the ripgrep cache and npm's scratch files inside the project.
export TMPDIR="$DEST/tmp"
mkdir -p "$TMPDIR"
CACHE="$TMPDIR/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
if [[ ! -s "$CACHE/$RIPGREP_ASSET" ]]; then
  echo "Pre-seeding the ripgrep cache from $RIPGREP_BIN_PKG"
  WORK="$(mktemp -d)"
  (cd "$WORK" && npm pack --silent "$RIPGREP_BIN_PKG" >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$CACHE" "$WORK/asset"
  install -m 755 "$WORK/package/bin/rg" "$WORK/asset/rg"
  tar czf "$CACHE/$RIPGREP_ASSET" -C "$WORK/asset" rg
  rm -rf "$WORK"
fi

# A package.json of its own makes DEST the npm project root, so nothing walks up into the repo.
if [[ ! -f "$DEST/package.json" ]]; then
  echo '{ "name": "tensorcost-code-server", "private": true }' > "$DEST/package.json"
fi

echo "Installing code-server@$VERSION into $DEST"
# code-server's postinstall runs npm itself and would prompt without npm_config_yes. As root, the
# postinstall refuses to run unless npm_config_unsafe_perm is set (npm 11 warns that it does not
# know that setting; the warning is expected).
export npm_config_yes=true npm_config_unsafe_perm=true
(cd "$DEST" && npm install --no-audit --no-fund --no-save "code-server@$VERSION")

# Quick open and search need ripgrep; a postinstall that silently skipped it shows up here, not in a test.
RG="$DEST/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
if [[ ! -x "$RG" ]]; then
  echo "install-code-server: ripgrep is missing at $RG; code-server's postinstall did not finish" >&2
  exit 1
fi
echo "Installed: code-server $(installed_version)"
