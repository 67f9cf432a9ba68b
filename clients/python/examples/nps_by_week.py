#!/usr/bin/env python3
"""Prints NPS by ISO week, in the workspace's time zone, with its 95 % CI
and n.

    MITTARI_KEY=mk_... python3 examples/nps_by_week.py --survey nps-relationship \\
        --from 2026-01-01 --to 2026-07-01
"""
import argparse
import datetime as dt
import os
import sys
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import mittari  # noqa: E402
from mittari.v1 import admin_pb2  # noqa: E402


def local_midnight(date: str, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(date), dt.time(), zone)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survey", help="an NPS survey's id (all NPS surveys when omitted)")
    parser.add_argument("--from", dest="start", required=True, help="first local day, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", required=True, help="the local day after the last")
    parser.add_argument("--min-n", type=int, default=0, help="hide values with fewer answers")
    parser.add_argument("--workspace", default="default")
    args = parser.parse_args()

    with mittari.Client(workspace=args.workspace) as client:
        ws = client.call(client.admin.GetWorkspace, admin_pb2.GetWorkspaceRequest(name=client.parent))
        zone = ZoneInfo(ws.time_zone or "UTC")
        rows = client.query_metric(
            "nps", local_midnight(args.start, zone), local_midnight(args.end, zone),
            granularity="week", filters={"survey": args.survey} if args.survey else None,
            min_n=args.min_n)
    print(f"{'week':<9} {'NPS':>6} {'95 % CI':>9} {'n':>6}")
    for r in rows:
        year, week, _ = r.bucket_start.astimezone(zone).isocalendar()
        value = "—" if r.value is None else f"{r.value:.1f}"
        ci = "—" if r.ci_low is None else f"± {(r.ci_high - r.ci_low) / 2:.1f}"
        small = "  small sample" if args.min_n and r.n < args.min_n else ""
        print(f"{year}-W{week:02d} {value:>6} {ci:>9} {r.n:>6}{small}")


if __name__ == "__main__":
    main()
