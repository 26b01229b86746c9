#!/bin/sh
# Run in the image's build stage after `npm run build`: leaves in node_modules only what `node dist/main.js`
# and `node dist/cli.js` load. Removed: development dependencies; the Prisma CLI (with Studio and its
# engines: the program uses only the generated client and applies its own SQL migrations) and tsx (the
# compiled build needs no TypeScript runner); Prisma's query compilers for databases other than SQLite and
# PostgreSQL; better-sqlite3's C sources and build leftovers (only the compiled addon is loaded).
set -eu
npm uninstall --no-save --omit=dev --ignore-scripts --legacy-peer-deps --offline --no-audit --no-fund prisma tsx
runtime=node_modules/@prisma/client/runtime
rm -f "$runtime"/*mysql* "$runtime"/*sqlserver* "$runtime"/*cockroachdb* "$runtime"/query_compiler_small_* \
  "$runtime"/*.wasm-base64.js "$runtime"/*.map "$runtime"/wasm-compiler-edge.*
sqlite=node_modules/better-sqlite3
addon="$sqlite/build/Release/better_sqlite3.node"
test -f "$addon"
mv "$addon" /tmp/better_sqlite3.node
rm -rf "$sqlite/build" "$sqlite/deps" "$sqlite/src"
mkdir -p "$sqlite/build/Release"
mv /tmp/better_sqlite3.node "$addon"
