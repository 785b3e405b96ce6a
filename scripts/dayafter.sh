#!/usr/bin/env bash
# dayafter.sh DIR SRCDAY NEWDAY: one more day of data as the next day's exports bring it, each a new
# file: that day's web sessions (new session ids), conversions, logins and offline spend, copied
# from SRCDAY's rows with the date moved. The config must list the sources as globs
# (data/conversions/*.csv, data/identity/logins*.csv, data/spend/offline_spend*.csv).
# Take each SRCDAY once (the new session ids are derived from its ids), and not a day whose offline
# spend has a negative row (the demo has one on 2025-12-08), which the spend check rejects.
set -euo pipefail
D=$1/data; src=$2; new=$3
m=${src:0:7}
grep "^{\"ts\":\"$src" $D/web/sessions-$m.ndjson | sed -e "s/\"ts\":\"$src/\"ts\":\"$new/" -e 's/"session_id":"s/"session_id":"d/' > $D/web/sessions-$new.ndjson
for f in conversions/conversions identity/logins spend/offline_spend; do
  { head -1 $D/$f.csv; grep "^$src" $D/$f.csv | sed "s/^$src/$new/"; } > $D/$f-$new.csv
done
wc -l $D/web/sessions-$new.ndjson $D/conversions/conversions-$new.csv $D/identity/logins-$new.csv $D/spend/offline_spend-$new.csv
