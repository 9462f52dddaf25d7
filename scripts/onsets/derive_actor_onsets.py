#!/usr/bin/env python3
"""Derives escalation onsets from a UCDP GED CSV, one armed actor at a time.

An actor's campaign begins, in a country or in one first-level division, on the first day its
GED events of the last 30 days reach a threshold (5 for the country, 3 for a division) after a
year below it. The rule is fixed in advance and does not look at any detector.

usage: derive_actor_onsets.py GED.csv ISO3 ACTOR=LABEL [ACTOR=LABEL ...] > onsets.csv
"""
import csv
import sys
from datetime import date, timedelta

WINDOW = timedelta(days=30)
QUIET = timedelta(days=365)
COUNTRY_THRESHOLD = 5
ADMIN1_THRESHOLD = 3


def onsets(dates, threshold):
    """First days the 30-day count reaches `threshold` after a year below it."""
    found, last_hit = [], None
    dates = sorted(dates)
    for i, d in enumerate(dates):
        recent = sum(1 for e in dates[: i + 1] if d - e < WINDOW)
        if recent >= threshold:
            if last_hit is None or d - last_hit > QUIET:
                found.append(d)
            last_hit = d
    return found


def main():
    path, iso3, actors = sys.argv[1], sys.argv[2], sys.argv[3:]
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["country", "admin1", "onset", "label"])
    for spec in actors:
        actor, label = spec.split("=", 1)
        mine = [
            r
            for r in rows
            if actor.lower() in (r["side_a"] + "|" + r["side_b"]).lower()
        ]
        day = lambda r: date.fromisoformat(r["date_start"][:10])
        for d in onsets([day(r) for r in mine], COUNTRY_THRESHOLD):
            out.writerow([iso3, "", d.isoformat(), label])
        for adm in sorted({r["adm_1"] for r in mine if r["adm_1"]}):
            here = [day(r) for r in mine if r["adm_1"] == adm]
            for d in onsets(here, ADMIN1_THRESHOLD):
                out.writerow([iso3, adm, d.isoformat(), f"{label} ({adm})"])


if __name__ == "__main__":
    main()
