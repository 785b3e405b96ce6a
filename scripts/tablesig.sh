#!/usr/bin/env bash
# tablesig.sh OUT [PEOPLE] — build ./attrib from the current tree, run the demo with seed 1 in a
# fixed folder, and print one line per table: name, rows, md5 of its sorted rows (volatile columns
# such as run ids, timestamps, durations and file paths left out). Diff two outputs to check that
# a refactor changed nothing.
set -euo pipefail
out=$(realpath -m "$1"); people=${2:-20000}
root=$(cd "$(dirname "$0")" && pwd)
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
bin=$(mktemp -d)/attrib
go build -tags duckdb_arrow -o "$bin" ./cmd/attrib
d=/tmp/tablesig-$(basename "$out" .txt)
rm -rf "$d"; mkdir -p "$d"
"$bin" demo --people "$people" --seed 1 --dir "$d/attrib-demo" >/dev/null
cd "$d/attrib-demo"
"$bin" query --format csv "SELECT table_schema||'.'||table_name, column_name, data_type FROM information_schema.columns WHERE table_catalog='attrib' ORDER BY 1, ordinal_position" | tail -n +2 > $d/cols.csv
q=""
while IFS=, read -r t c ty; do
  tq=$(echo "$t" | sed 's/\./"."/'); 
  case "$c" in *_at|run_id|*duration*|*_ms|*seconds*|started*|finished*|*loaded*|path|file|source_file|*_path|load_id|pid|steps) continue;; esac
  e="CAST(\"$c\" AS VARCHAR)"
  case "$ty" in DOUBLE|FLOAT|*"DOUBLE[]"*) e="printf('%.9g', \"$c\")";; esac
  case "$ty" in *"DOUBLE[]"*) e="CAST(list_transform(\"$c\", x -> round(x, 9)) AS VARCHAR)";; esac
  q="$q UNION ALL SELECT '$t.$c', count(*), md5(coalesce(string_agg($e, '|' ORDER BY $e), '')) FROM \"$tq\""
done < $d/cols.csv
"$bin" query --format csv "${q# UNION ALL } ORDER BY 1" | tail -n +2 > "$out"
echo "wrote $out ($(wc -l < "$out") columns)"
