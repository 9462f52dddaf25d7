#!/usr/bin/env python3
"""Reads sqlite3 `.timer on` output on stdin and prints latency percentiles.

Every GROUP consecutive "Run Time: real S ..." lines form one operation (for example
BEGIN, INSERT, INSERT, UPDATE, COMMIT = 5); its latency is their sum.

usage: ... | timer_stats.py GROUP [LABEL]
prints: RESULT ops=N p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. mean_ms=.. statement_p50_ms=a/b/..
(.timer counts whole milliseconds)
"""
import math
import sys

group = int(sys.argv[1])
label = sys.argv[2] if len(sys.argv) > 2 else ""
times = []
for line in sys.stdin:
    if line.startswith("Run Time: real "):
        times.append(float(line.split()[3]))
ops = [sum(times[i:i + group]) * 1000 for i in range(0, len(times) - group + 1, group)]
if not ops:
    sys.exit("no timings read")
ops.sort()


def pct(p):
    # nearest rank
    return ops[max(0, min(len(ops), math.ceil(p / 100 * len(ops))) - 1)]


# Median of each statement of the group, e.g. COUNT / page.
parts = []
for j in range(group):
    col = sorted(times[j:len(ops) * group:group])
    parts.append(f"{col[(len(col) - 1) // 2] * 1000:.0f}")
print(f"RESULT{(' ' + label) if label else ''} ops={len(ops)} p50_ms={pct(50):.2f} "
      f"p90_ms={pct(90):.2f} p99_ms={pct(99):.2f} max_ms={ops[-1]:.2f} "
      f"mean_ms={sum(ops) / len(ops):.2f} statement_p50_ms={'/'.join(parts)}")
