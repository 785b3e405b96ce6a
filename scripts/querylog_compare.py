#!/usr/bin/env python3
"""querylog_compare.py THRESHOLD DIR... - the statements of several runs of the same job side by side,
one column of seconds per run (each DIR made with ATTRIB_QUERY_LOG=DIR, as querylog_top.py reads them),
in the first run's order, for the statements that took more than THRESHOLD seconds in any run, and
each run's total. A statement is known by the first 60 characters of its text (its header comment) and
its repetition: the third statement with the same start in one run is compared with the third in the
others. Whole runs swing with the machine's speed; the statements show what a change did."""
import sys

from querylog_top import timed_statements


def load(folder):
    out = {}
    for secs, _, msg in timed_statements(folder):
        key = " ".join(msg.split())[:60]
        i = 0
        while (key, i) in out:
            i += 1
        out[(key, i)] = secs
    return out


def main():
    threshold = float(sys.argv[1])
    runs = [load(d) for d in sys.argv[2:]]
    for key in runs[0]:
        secs = [r.get(key, 0.0) for r in runs]
        if max(secs) > threshold:
            print(" ".join(f"{s:6.2f}" for s in secs), key[0])
    print(" ".join(f"{sum(r.values()):6.2f}" for r in runs), "total")


if __name__ == "__main__":
    main()
