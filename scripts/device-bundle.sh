#!/usr/bin/env bash
# Packs what the benchmark and the runner (`octolab run`) need on a machine without network into one folder
# small enough to copy over (about 40 MB instead of node_modules' 600 MB): the compiled
# project, and of each runtime package only its package.json and its single-file Node build
# (plus the wasm binaries and, for Dawn, the native module of this platform).
#
#   bash scripts/device-bundle.sh [OUT]          # default: .device-bundle (git-ignored)
#   DEVICE_BUNDLE_NO_BUILD=1 ...                 # reuse the dist/ already built
#
# On the other machine (Linux x64, Node 20), from inside OUT:
#   node dist/scripts/bench.js --synthetic --backends wasm,webgpu --workers 0 --no-torch
#   node bin/octolab.js run mnist --seeds 0-9 --data-dir DIR --no-download
# A GPU there needs its Vulkan loader (libvulkan1) and driver ICD for the webgpu engine.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.device-bundle}"
[ "${DEVICE_BUNDLE_NO_BUILD:-0}" = 1 ] || npm run build --silent
rm -rf "$out"
mkdir -p "$out/node_modules"
cp -r dist bin package.json "$out/"

# package, then the paths to copy from it (relative to the package folder)
copy() {
  local pkg=$1
  shift
  local src="node_modules/$pkg" dst="$out/node_modules/$pkg"
  [ -d "$src" ] || { echo "device-bundle: $src is missing; run npm ci first" >&2; exit 1; }
  mkdir -p "$dst"
  cp "$src/package.json" "$dst/"
  for p in "$@"; do
    mkdir -p "$dst/$(dirname "$p")"
    cp -r "$src/$p" "$dst/$p"
  done
}
main() { node -p "require('./node_modules/$1/package.json').main"; }

for pkg in tfjs tfjs-core tfjs-layers tfjs-converter tfjs-data tfjs-backend-cpu tfjs-backend-webgl tfjs-backend-webgpu; do
  copy "@tensorflow/$pkg" "$(main "@tensorflow/$pkg")"
done
copy @tensorflow/tfjs-backend-wasm "$(main @tensorflow/tfjs-backend-wasm)" dist/tfjs-backend-wasm.wasm dist/tfjs-backend-wasm-simd.wasm
copy long src
copy seedrandom index.js lib seedrandom.js
# The runner's progress bar and what it uses (small: copied whole).
for pkg in cli-progress string-width strip-ansi ansi-regex emoji-regex is-fullwidth-code-point; do
  copy "$pkg" $(cd "node_modules/$pkg" && ls -A | grep -v '^package.json$')
done
platform="$(node -p 'process.platform + "-" + (process.platform === "darwin" ? "universal" : process.arch)')"
copy webgpu index.js "dist/$platform"
echo "device bundle: $out ($(du -sh "$out" | cut -f1))"
