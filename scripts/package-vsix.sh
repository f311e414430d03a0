#!/usr/bin/env bash
# Packages the built extension (run `npx tsc -p .` first) as a .vsix with its runtime node_modules.
# Usage: scripts/package-vsix.sh [--target linux-x64|darwin-arm64|win32-x64|...|--universal] [--out FILE]
# By default the package is for this machine's platform (vsce --target, as extensions with native
# parts are published): Dawn (webgpu) is a native binary of 20-40 MB per platform, and a platform
# package carries only its own. --universal (or TENSORCOST_UNIVERSAL=1) builds the one package
# for every platform instead, with all of Dawn's binaries (about five times the size).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET="" OUT="" UNIVERSAL="${TENSORCOST_UNIVERSAL:-}"
usage() { echo "usage: $0 [--target TARGET | --universal] [--out FILE]" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --target) [[ $# -ge 2 ]] || usage; TARGET="$2"; shift 2 ;;
    --universal) UNIVERSAL=1; shift ;;
    --out) [[ $# -ge 2 ]] || usage; OUT="$2"; shift 2 ;;
    *) usage ;;
  esac
done
if [[ -n "$UNIVERSAL" && "$UNIVERSAL" != 0 ]]; then
  [[ -z "$TARGET" ]] || { echo "package-vsix: --target and --universal exclude each other" >&2; exit 2; }
elif [[ -z "$TARGET" ]]; then
  # VS Code's target names are Node's platform-arch, except musl Linux (alpine-*) and 32-bit ARM.
  TARGET="$(node -e '
    const arch = process.arch === "arm" ? "armhf" : process.arch;
    const musl = process.platform === "linux" && !process.report.getReport().header.glibcVersionRuntime;
    process.stdout.write(`${musl ? "alpine" : process.platform}-${arch}`);')"
  case "$TARGET" in
    linux-x64|linux-arm64|linux-armhf|alpine-x64|alpine-arm64|darwin-x64|darwin-arm64|win32-x64|win32-arm64) ;;
    *) echo "package-vsix: no VS Code target for this machine ($TARGET); use --target or --universal" >&2; exit 2 ;;
  esac
  echo "package-vsix: packaging for $TARGET (--universal for every platform)" >&2
fi
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
