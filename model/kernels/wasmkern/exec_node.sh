#!/usr/bin/env bash
# go test -exec wrapper: runs a js/wasm test binary with exec_node.js (see there).
exec node --stack-size=8192 "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/exec_node.js" "$@"
