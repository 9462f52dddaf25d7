#!/usr/bin/env python3
"""The DuckDB side of scripts/bench/detect.sh: from a UCDP GED CSV, weekly event counts per
admin1 region (Monday weeks, the same buckets as Kinga: floor((days since 1970 + 3) / 7)),
zero-filled over the whole file's span (as Kinga does), and an EWMA (lambda 0.3) of every series, all in SQL.

The EWMA is the set-based closed form z_t = (1-l)^t z_0 + sum_i l (1-l)^(t-i) x_i, computed
with one running window sum (a recursive CTE is the other way to write it, and much slower).

usage: detect_duckdb.py EVENTS.csv OUT.csv
prints: regions, region-weeks, events counted, weeks with events
"""
import sys

import duckdb

LAMBDA = 0.3

events_csv, out_csv = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(f"""
CREATE TABLE weekly AS
SELECT country, coalesce(nullif(adm_1, ''), '') AS admin1,
       floor((date_diff('day', DATE '1970-01-01', CAST(date_start AS DATE)) + 3) / 7)::BIGINT AS week,
       count(*) AS events
FROM read_csv('{events_csv}', header = true, all_varchar = true)
GROUP BY ALL
""")
con.execute(f"""
CREATE TABLE ewma AS
WITH span AS (
    SELECT r.country, r.admin1, b.first, b.last
    FROM (SELECT DISTINCT country, admin1 FROM weekly) r,
         (SELECT min(week) AS first, max(week) AS last FROM weekly) b
), dense AS (
    SELECT s.country, s.admin1, w.week, coalesce(c.events, 0) AS x, w.week - s.first AS t
    FROM span s
    CROSS JOIN LATERAL (SELECT unnest(range(s.first, s.last + 1)) AS week) w
    LEFT JOIN weekly c USING (country, admin1, week)
)
SELECT country, admin1, week, x,
       {LAMBDA} * sum(x * pow({1 - LAMBDA}, -t)) OVER (
           PARTITION BY country, admin1 ORDER BY week ROWS UNBOUNDED PRECEDING
       ) * pow({1 - LAMBDA}, t) AS z
FROM dense
""")
con.execute(f"COPY (SELECT * FROM ewma ORDER BY country, admin1, week) TO '{out_csv}' (HEADER)")
regions, cells, total, nonzero = con.execute(
    "SELECT count(DISTINCT (country, admin1)), count(*), sum(x), count(*) FILTER (WHERE x > 0) FROM ewma"
).fetchone()
print(f"regions={regions} region_weeks={cells} events={int(total)} weeks_with_events={nonzero}")
