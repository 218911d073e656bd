#!/usr/bin/env bash
# Fails when src/api/generated is not what @hey-api/openapi-ts makes from openapi.json, or when
# src/signaling/protocol.ts is not what scripts/gen-signaling.mjs makes from protocol.schema.json.
#
#   scripts/check-generated.sh            compare the committed client with a fresh generation
#   scripts/check-generated.sh SPEC|-     first also compare openapi.json with SPEC (a file, or
#                                         `-` for standard input, e.g. `halcyon openapi | ... -`)
set -euo pipefail

cd "$(dirname "$0")/.."
stale() {
  echo "generated API client is stale: run make gen" >&2
  echo "($1)" >&2
  exit 1
}

if [[ $# -gt 0 ]]; then
  if ! cmp -s openapi.json "$1"; then
    stale "frontend/openapi.json differs from the API's current OpenAPI document"
  fi
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if ! HALCYON_API_GEN_OUT="$tmp/generated" node_modules/.bin/openapi-ts --silent; then
  echo "could not regenerate the API client from frontend/openapi.json" >&2
  exit 2
fi

if ! diff -r -u src/api/generated "$tmp/generated" >"$tmp/diff.txt"; then
  head -n 60 "$tmp/diff.txt" >&2
  stale "frontend/src/api/generated differs from what frontend/openapi.json generates"
fi
echo "generated API client is up to date"

# The signaling message types (src/signaling/protocol.ts) come from protocol.schema.json.
node scripts/gen-signaling.mjs --check
