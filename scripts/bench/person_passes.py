#!/usr/bin/env python3
"""person_passes.py ranges|cluster: prints the statements of a side-by-side measurement for sqltime
(docs/BENCHMARKS.md, "Passes by person-id range instead of a hash of the person id"):

  python3 scripts/bench/person_passes.py ranges | go run -tags duckdb_arrow ./scripts/sqltime COPY.duckdb -

ranges:  the passes by person of a full run, cut by a hash of the person id (before 852b825) and by
         person-id range (since), interleaved pass by pass so that both see the same phase of the
         machine. The statements are those of transform/sql/paths/person_touches.sql.tmpl and of
         transform/sql/attribution/nonconverting_paths.sql.tmpl (LastKnown) as of 852b825, inserting
         into scratch temp tables; channel_map is rebuilt from attrib_state.attribute_combinations with
         a simple rule (the channels differ from the run's, the work does not). The passes are 3 and 7,
         as at 18 M people with a 2 GiB memory_limit.
cluster: an idea measured, not in the code: a person-id rewrite pass cut by person-id range instead of
         by identifier hash, and the non-converting passes on copies of touchpoints clustered into four,
         then seven person-id ranges against the table as it is. Writes and drops main.rwx and main.tpc.

Run on a copy of a warehouse after a full run: the statements write.
"""
import sys

HASH = "hash(person_id) % $1::UBIGINT = $2::UBIGINT"
RANGE = "person_id >= $1::VARCHAR AND person_id < $2::VARCHAR"
OPEN = "person_id >= $1::VARCHAR"


def bounds(n):
    """The n person-id ranges of warehouse.PersonParts: (lo, hi), hi None for the open last one."""
    b = [''] + ["p_%08x" % ((k << 32) // n) for k in range(1, n)] + [None]
    return [(b[k], b[k + 1]) for k in range(n)]


def classified(cond, table="touchpoints"):
    return f"""SELECT t.touchpoint_id, t.person_id, t.occurred_at, m.channel, m.channel_group,
       coalesce(t.campaign, '') AS campaign, t.interaction
FROM (SELECT touchpoint_id, person_id, occurred_at, channel, source, medium, campaign, interaction
      FROM {table} WHERE {cond}) t
JOIN channel_map m
  ON m.k_channel = coalesce(t.channel, '') AND m.k_source = coalesce(t.source, '') AND m.k_medium = coalesce(t.medium, '')
 AND m.k_campaign = coalesce(t.campaign, '') AND m.k_interaction = coalesce(t.interaction, '')
WHERE t.person_id IS NOT NULL"""


def person_touches(cond):
    return f"""INSERT INTO ptx SELECT person_id, min(occurred_at) AS first_touch_at,
       arg_min(channel, (occurred_at, touchpoint_id)) AS first_touch_channel, max(occurred_at) AS last_touch_at
FROM ({classified(cond)})
GROUP BY person_id"""


def nc_paths(cond, table="touchpoints"):
    return f"""INSERT INTO ncx
WITH wt AS (SELECT t.person_id, t.occurred_at, t.touchpoint_id, ci.cid FROM ({classified(cond, table)}) t JOIN channel_ids ci USING (channel)),
lt AS (SELECT person_id, last_touch_at AS last_at FROM attrib_state.person_touches WHERE {cond}),
lb AS (SELECT DISTINCT lookback_us FROM lookbacks)
SELECT lb.lookback_us, wt.person_id,
       list_transform(list_sort(list({{'t': wt.occurred_at, 'id': wt.touchpoint_id, 'c': wt.cid}})), x -> x.c) AS steps
FROM wt JOIN lt USING (person_id), lb
WHERE wt.occurred_at >= lt.last_at - to_microseconds(lb.lookback_us)
GROUP BY lb.lookback_us, wt.person_id"""


def ranged(label, lo, hi, body):
    """A statement of one person-id range: its label, bound values and body (a function of the condition)."""
    if hi is None:
        return f"-- label: {label}\n-- args: '{lo}'\n" + body(OPEN)
    return f"-- label: {label}\n-- args: '{lo}' '{hi}'\n" + body(RANGE)


SETUP = ["""CREATE OR REPLACE TEMP TABLE channel_map AS
SELECT channel AS k_channel, source AS k_source, medium AS k_medium, campaign AS k_campaign, interaction AS k_interaction,
       coalesce(nullif(channel, ''), nullif(source, ''), 'Direct') AS channel, 'G' AS channel_group
FROM attrib_state.attribute_combinations""",
         """CREATE OR REPLACE TEMP TABLE channel_ids AS
SELECT channel, (row_number() OVER (ORDER BY channel) - 1)::INTEGER AS cid FROM (SELECT DISTINCT channel FROM channel_map)""",
         "CREATE OR REPLACE TEMP TABLE lookbacks AS SELECT 2592000000000::BIGINT AS lookback_us",
         "CREATE OR REPLACE TEMP TABLE ptx (person_id VARCHAR, first_touch_at TIMESTAMPTZ, first_touch_channel VARCHAR, last_touch_at TIMESTAMPTZ)",
         "CREATE OR REPLACE TEMP TABLE ncx (lookback_us BIGINT, person_id VARCHAR, steps INTEGER[])"]


def ranges():
    st = ["SET memory_limit = '2048MiB'"] + SETUP
    for what, body, n in [('person_touches', person_touches, 3), ('nc_paths', nc_paths, 7)]:
        for rnd in range(2):
            for p, (lo, hi) in enumerate(bounds(n)):
                h = f"-- label: {what} hash {p + 1}/{n}\n-- args: {n} {p}\n" + body(HASH)
                r = ranged(f"{what} range {p + 1}/{n}", lo, hi, body)
                st += [h, r] if (p + rnd) % 2 == 0 else [r, h]
            t, agg = ('ptx', 'count(DISTINCT person_id)') if what == 'person_touches' else ('ncx', 'sum(len(steps))')
            st.append(f"-- label: {what} round {rnd + 1}: rows (each twice), check\nSELECT count(*), {agg} FROM {t}")
            st.append(f"DELETE FROM {t}")
    return st


def clustered(n, name):
    """A copy of touchpoints in n person-id ranges, then the non-converting passes 2, 4 and 6 of 7 on it
    and on touchpoints, interleaved."""
    st = ["CREATE OR REPLACE TABLE main.tpc AS FROM touchpoints LIMIT 0"]
    st += [ranged(f"cluster copy {k + 1}/{n}", lo, hi, lambda c: f"INSERT INTO main.tpc SELECT * FROM touchpoints WHERE {c}")
           for k, (lo, hi) in enumerate(bounds(n))]
    if n == 4:
        st.append("-- label: rows\nSELECT (SELECT count(*) FROM main.tpc), (SELECT count(*) FROM touchpoints WHERE person_id IS NOT NULL)")
    st += SETUP
    for i, (lo, hi) in enumerate(bounds(7)):
        if i not in (1, 3, 5):
            continue
        a = ranged(f"nc on touchpoints range {i + 1}/7", lo, hi, nc_paths)
        c = ranged(f"nc on {name} range {i + 1}/7", lo, hi, lambda cond: nc_paths(cond, "main.tpc"))
        st += [a, c] if i != 3 else [c, a]
    return st + ["DROP TABLE main.tpc", "CHECKPOINT"]


def cluster():
    rw = """INSERT INTO main.rwx SELECT x.* REPLACE (CASE WHEN im.identifier IS NULL THEN x.person_id ELSE im.person_id END AS person_id)
FROM (SELECT * FROM touchpoints WHERE customer_id IS NULL AND anonymous_id IS NOT NULL AND hash('a:' || anonymous_id) % $1::UBIGINT = $2::UBIGINT) x
LEFT JOIN (SELECT identifier, person_id FROM identity_map WHERE identifier_type = 'a' AND hash(identifier) % $1::UBIGINT = $2::UBIGINT) im
  ON im.identifier = 'a:' || x.anonymous_id"""
    lo, hi = bounds(4)[1]
    by_person = f"""INSERT INTO main.rwx SELECT x.* REPLACE (im.person_id AS person_id)
FROM (SELECT * FROM touchpoints WHERE customer_id IS NULL AND anonymous_id IS NOT NULL) x
JOIN (SELECT identifier, person_id FROM identity_map WHERE identifier_type = 'a' AND person_id >= $1::VARCHAR AND person_id < $2::VARCHAR) im
  ON im.identifier = 'a:' || x.anonymous_id"""
    st = ["SET memory_limit = '2048MiB'",
          "CREATE OR REPLACE TABLE main.rwx AS FROM touchpoints LIMIT 0",
          "-- label: rewrite anonymous pass 1/3 by identifier hash (today)\n-- args: 3 0\n" + rw,
          "DELETE FROM main.rwx",
          f"-- label: rewrite anonymous pass 1/4 by person range (idea)\n-- args: '{lo}' '{hi}'\n" + by_person,
          "DROP TABLE main.rwx"]
    return st + clustered(4, "clustered") + clustered(7, "7 clusters")


if __name__ == "__main__":
    modes = {"ranges": ranges, "cluster": cluster}
    if len(sys.argv) != 2 or sys.argv[1] not in modes:
        sys.exit("usage: person_passes.py ranges|cluster")
    print("\n;;\n".join(modes[sys.argv[1]]()))
