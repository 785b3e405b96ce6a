#!/usr/bin/env python3
"""querylog_top.py DIR [N] - the N (default 40) slowest statements of a run profiled with
ATTRIB_QUERY_LOG=DIR (DuckDB's query log, duckdb_log_entries.csv in DIR). A statement's time is
the time from its start to the next statement's start on the same connection, so it includes the
Go work between the two (the data-driven models, for example)."""
import csv
import datetime
import sys


def timed_statements(folder):
    """Every statement of the run logged in folder but each connection's last, in the order each
    connection ran them: (seconds to the connection's next statement, start timestamp, text)."""
    with open(folder + "/duckdb_log_contexts.csv", newline="") as f:
        conn = {r["context_id"]: r["connection_id"] for r in csv.DictReader(f)}
    with open(folder + "/duckdb_log_entries.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["type"] == "QueryLog"]
    by_conn = {}
    for r in rows:
        by_conn.setdefault(conn.get(r["context_id"], ""), []).append(r)
    ts = lambda s: datetime.datetime.fromisoformat(s.replace("+00", "+00:00"))
    out = []
    for stmts in by_conn.values():
        stmts.sort(key=lambda r: r["timestamp"])
        for a, b in zip(stmts, stmts[1:]):
            out.append(((ts(b["timestamp"]) - ts(a["timestamp"])).total_seconds(), a["timestamp"], a["message"]))
    return out


def main():
    folder, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 40
    took = [(secs, at[11:19], " ".join(msg.split())[:160]) for secs, at, msg in timed_statements(folder)]
    for secs, at, msg in sorted(took, reverse=True)[:n]:
        print(f"{secs:8.2f}s  {at}  {msg}")


if __name__ == "__main__":
    main()
