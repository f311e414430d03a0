#!/usr/bin/env bash
# Packages the built extension (run `npx tsc -p .` first) as a .vsix with its runtime node_modules.
# Usage: scripts/package-vsix.sh [--target linux-x64|darwin-arm64|win32-x64|...] [--out FILE]
# Without --target the package is universal and carries Dawn (webgpu) for every platform; with one,
# the other platforms' Dawn binaries are left out, which makes the file about a third of the size.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="" OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --target) TARGET="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: $0 [--target TARGET] [--out FILE]" >&2; exit 2 ;;
  esac
done
VERSION="$(node -p 'require("./package.json").version')"
OUT="${OUT:-$ROOT/tensor-cost-$VERSION${TARGET:+-$TARGET}.vsix}"
if [[ ! -f out/client/extension.js ]]; then
  echo "package-vsix: out/client/extension.js is missing; build with 'npx tsc -p .' first" >&2
  exit 1
fi

# Without a repository URL in package.json vsce cannot rewrite README's relative links and refuses
# to package; keeping them relative is right for a .vsix installed from a file.
ARGS=(package --allow-missing-repository --skip-license --no-rewrite-relative-links --out "$OUT")
if [[ -n "$TARGET" ]]; then
  # webgpu names its folders by Node's platform-arch; VS Code's darwin-x64/arm64 both use darwin-universal.
  case "$TARGET" in
    darwin-*) KEEP="darwin-universal" ;;
    alpine-x64) KEEP="linux-x64" ;;
    alpine-arm64) KEEP="linux-arm64" ;;
    *) KEEP="$TARGET" ;;
  esac
  IGNORE="$(mktemp)"
  trap 'rm -f "$IGNORE"' EXIT
  cat .vscodeignore > "$IGNORE"
  for dir in node_modules/webgpu/dist/*/; do
    name="$(basename "$dir")"
    [[ "$name" == "$KEEP" ]] || echo "node_modules/webgpu/dist/$name/**" >> "$IGNORE"
  done
  ARGS+=(--target "$TARGET" --ignoreFile "$IGNORE")
fi
# stdin is closed so that a question from vsce fails the build instead of waiting forever.
node node_modules/@vscode/vsce/vsce "${ARGS[@]}" < /dev/null
