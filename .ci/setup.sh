#!/usr/bin/env bash
# CI machine setup for the server package's client tests: psql (simple protocol),
# psycopg2 (another ecosystem's PostgreSQL client) and headless Chromium (dashboard).
# Debian packages; run as root. Tests install what is missing themselves too.
set -euo pipefail
missing=()
command -v psql >/dev/null || missing+=(postgresql-client)
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || missing+=(python3-psycopg2)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-noto-cjk
fi
