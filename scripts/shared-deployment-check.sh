#!/usr/bin/env bash
# Runs the PostgreSQL suite twice while a second Lastro deployment works on the same PostgreSQL
# server and NATS: its own database, its own LASTRO_NATS_PREFIX, under light continuous load
# (scripts/shared-deployment-load.ts). Tests must not depend on other databases, other JetStream
# users or timing; this is how to see that they do not. Too slow for .ci/run (two suite runs).
#
#   scripts/shared-deployment-check.sh            # DATABASE_URL, NATS_URL default to 127.0.0.1
#
# Prints the result of each run and exits non-zero when either failed or the deployment stopped.
set -uo pipefail
cd "$(dirname "$0")/.."

PG_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
suffix=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(4).toString("hex"))')
db="lastro_shared_${suffix}"
prefix="shared${suffix}"
out=$(mktemp -d /tmp/lastro-shared-XXXXXX)
port=$(node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})')
admin_token=$(node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("hex"))')
other_url="${PG_URL%/*}/${db}"
deployment=""
load=""

cleanup() {
  [ -n "$load" ] && kill -TERM "$load" 2>/dev/null && wait "$load" 2>/dev/null
  [ -n "$deployment" ] && kill -TERM "$deployment" 2>/dev/null && wait "$deployment" 2>/dev/null
  psql -q "$PG_URL" -c "drop database if exists ${db} with (force)" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql -q "$PG_URL" -c "create database ${db}" || exit 1
echo "second deployment: database ${db}, LASTRO_NATS_PREFIX=${prefix}, port ${port}; logs in ${out}"
# `node bin/lastro.mjs start` is what `npm start` runs; started directly so its pid is the one to stop.
DATABASE_URL="$other_url" LASTRO_NATS_PREFIX="$prefix" PORT="$port" HOST=127.0.0.1 LOG_LEVEL=warn \
  LASTRO_ADMIN_TOKEN="$admin_token" LASTRO_DATA_DIR="$out/data" \
  node bin/lastro.mjs start >"$out/deployment.log" 2>&1 &
deployment=$!
for _ in $(seq 1 240); do
  curl -fs "http://127.0.0.1:${port}/ready" >/dev/null 2>&1 && break
  kill -0 "$deployment" 2>/dev/null || { echo "the second deployment stopped:"; cat "$out/deployment.log"; exit 1; }
  sleep 0.5
done
LASTRO_URL="http://127.0.0.1:${port}" LASTRO_ADMIN_TOKEN="$admin_token" \
  node --import tsx scripts/shared-deployment-load.ts >"$out/load.json" 2>"$out/load.log" &
load=$!

results=()
status=0
for run in 1 2; do
  started=$SECONDS
  if NO_COLOR=1 DATABASE_URL="$PG_URL" npx vitest run --project pg >"$out/suite-${run}.log" 2>&1; then
    results+=("run ${run}: passed ($((SECONDS - started)) s)")
  else
    results+=("run ${run}: FAILED ($((SECONDS - started)) s; see ${out}/suite-${run}.log)")
    status=1
  fi
  grep -E "^\s+(Test Files|Tests) " "$out/suite-${run}.log" | sed "s/^/  run ${run}: /"
done

kill -0 "$deployment" 2>/dev/null || { echo "the second deployment stopped during the runs"; status=1; }
kill -TERM "$load" 2>/dev/null && wait "$load" 2>/dev/null
load=""
echo "second deployment's load: $(cat "$out/load.json" 2>/dev/null || echo 'no counts')"
printf '%s\n' "${results[@]}"
exit "$status"
