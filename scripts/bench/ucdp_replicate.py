#!/usr/bin/env python3
"""Writes a synthetic UCDP GED CSV of N events by replicating the rows of a real GED file.

Replica k (k = 0, 1, ...) of every row gets a new event id (90,000,001 upwards, so no id
clashes with the real file) and its dates shifted by 7*k days (the `year` column follows the
new start date); every other column is the real row's. With the Central African Republic
file (1,848 events, 1989-2022) all N events are in CAF.

usage: ucdp_replicate.py SOURCE.csv N OUT.csv
"""
import csv
import datetime
import sys

src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(src, newline="", encoding="utf-8") as f:
    reader = csv.DictReader(f)
    fields = reader.fieldnames
    rows = list(reader)


def shift(value, days):
    day, sep, rest = value.partition("T") if "T" in value else value.partition(" ")
    d = datetime.date.fromisoformat(day[:10]) + datetime.timedelta(days=days)
    return d.isoformat() + sep + rest


with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    written, k = 0, 0
    while written < n:
        for row in rows:
            if written == n:
                break
            r = dict(row)
            r["id"] = str(90_000_001 + written)
            r["date_start"] = shift(row["date_start"], 7 * k)
            r["date_end"] = shift(row["date_end"], 7 * k)
            r["year"] = r["date_start"][:4]
            w.writerow(r)
            written += 1
        k += 1
print(f"{out}: {n} events from {len(rows)} rows of {src}, {k} replicas")
