#!/usr/bin/python3
"""agree-xml.py - pliant's GPX and TCX readers against independent readers.

    /usr/bin/python3 tests/tools/agree-xml.py READ_ACTIVITY FILE...

For each GPX file, gpxpy (Debian's python3-gpxpy) reads it too; for each
TCX file, gpsbabel (`gpsbabel -t -i gtrnctr -f FILE -o unicsv -F -`).
Compared with what READ_ACTIVITY (tests/tools/read-activity.c) says
pliant made of the file:
  GPX  the number of track points with a time, the first and last time
       (within 1 ms) and the distance, which pliant computes from the
       positions (haversine) and gpxpy with its own formula over the same
       points in order (within 0.5 %);
  TCX  the number of track points with a position, their first and last
       time (within 1 s: gpsbabel prints whole seconds) and the length of
       the track through them (within 0.5 %).
Files one side cannot read, or skips by design (routes, courses), are
counted as skipped with the reason. Prints a line per disagreement and
ends with "xml agreement: N passed, N failed, N skipped"; exit status 1
on a failure, 77 when gpxpy is missing.
"""
import csv
import io
import json
import math
import subprocess
import sys
from datetime import datetime, timezone

try:
    import gpxpy
    import gpxpy.geo
except ImportError:
    print("skip: gpxpy is not installed (apt-get install python3-gpxpy)")
    sys.exit(77)

REL = 0.005


def close(a, b, rel=REL, abs_=1.0):
    return abs(a - b) <= max(abs_, rel * abs(b))


def ours(reader, path):
    out = subprocess.run([reader, path], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def ts(dt):
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def check_gpx(reader, path):
    with open(path, encoding="utf-8-sig") as f:
        g = gpxpy.parse(f)
    pts = [p for t in g.tracks for s in t.segments for p in s.points if p.time is not None]
    o = ours(reader, path)
    if not pts:
        return "skip", f"gpxpy: no timed track points; pliant: {o['rc']} {o['error']}"
    if o["rc"] != "PL_EOK" or len(o["activities"]) != 1:
        return "fail", [f"pliant: {o['rc']} {o['error']} for {len(pts)} timed points"]
    a = o["activities"][0]
    dist = 0.0
    prev = None
    for p in pts:
        if prev is not None:
            dist += gpxpy.geo.distance(prev.latitude, prev.longitude, None,
                                       p.latitude, p.longitude, None)
        prev = p
    bad = []
    if a["n"] != len(pts):
        bad.append(f"points {a['n']} != {len(pts)}")
    for key, want in (("first_s", ts(pts[0].time)), ("last_s", ts(pts[-1].time))):
        if abs(a[key] - want) > 1e-3:
            bad.append(f"{key} {a[key]:.3f} != {want:.3f}")
    if not close(a["dist_m"], dist):
        bad.append(f"distance {a['dist_m']:.1f} != {dist:.1f}")
    return ("fail", bad) if bad else ("pass", f"{len(pts)} points, {dist:.0f} m")


def check_tcx(reader, path):
    r = subprocess.run(["gpsbabel", "-t", "-i", "gtrnctr", "-f", path, "-o", "unicsv", "-F", "-"],
                       capture_output=True, text=True)
    o = ours(reader, path)
    if r.returncode != 0:
        return "skip", f"gpsbabel cannot read it: {r.stderr.strip()[:80]}"
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    rows = [x for x in rows if x.get("Date") and x.get("Time")]
    if not rows:
        return "skip", f"gpsbabel: no timed points with a position; pliant: {o['rc']}"
    if o["rc"] != "PL_EOK":
        return "skip" if o["rc"] == "PL_ESKIPPED" else "fail", \
            f"pliant: {o['rc']} {o['error']} ({len(rows)} points for gpsbabel)"
    def t(x):
        d = datetime.strptime(x["Date"] + " " + x["Time"].split(".")[0], "%Y/%m/%d %H:%M:%S")
        return d.replace(tzinfo=timezone.utc).timestamp()
    dist = 0.0
    for p, q in zip(rows, rows[1:]):
        dist += gpxpy.geo.haversine_distance(float(p["Latitude"]), float(p["Longitude"]),
                                             float(q["Latitude"]), float(q["Longitude"]))
    acts = [a for a in o["activities"] if a["n_pos"] > 0]
    n = sum(a["n_pos"] for a in acts)
    path_m = sum(a["path_m"] for a in acts)
    bad = []
    if n != len(rows):
        bad.append(f"points with a position {n} != {len(rows)}")
    if acts:
        if abs(acts[0]["first_pos_s"] - t(rows[0])) > 1:
            bad.append(f"first time {acts[0]['first_pos_s']} != {t(rows[0])}")
        if abs(acts[-1]["last_pos_s"] - t(rows[-1])) > 1:
            bad.append(f"last time {acts[-1]['last_pos_s']} != {t(rows[-1])}")
    if not close(path_m, dist):
        bad.append(f"track length {path_m:.1f} != {dist:.1f}")
    return ("fail", bad) if bad else ("pass", f"{len(rows)} points, {dist:.0f} m")


def main():
    reader, files = sys.argv[1], sys.argv[2:]
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for path in files:
        name = path.rsplit("/", 1)[-1]
        try:
            kind, what = (check_gpx if path.endswith(".gpx") else check_tcx)(reader, path)
        except Exception as e:  # a reader that crashes on a file is a failure
            kind, what = "fail", [f"{type(e).__name__}: {e}"]
        counts[kind] += 1
        if kind == "fail":
            for w in what if isinstance(what, list) else [what]:
                print(f"FAIL {name}: {w}")
        elif kind == "skip":
            print(f"skip {name}: {what}")
    print(f"xml agreement: {counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    sys.exit(1 if counts["fail"] else 0)


main()
