#!/bin/sh
# t0900-screen-answers: pliant screen --answers FILE: the result of the
# default protocol's screening (signs, areas, how strongly hamstring work
# is indicated, a program of 4 sessions on 2 days then the therapist), a
# red flag that stops it, errors with line:column, the interactive screen
# (back and quit; nothing saved until the end) and --history.
. "$(dirname "$0")/lib.sh"

export PLIANT_DB="$TMPDIR/store.db"
ans() {   # ans FILE RED-FLAG-ANSWER REST...
    f=$1; rf=$2; shift 2
    {
        echo "date: 2026-03-16"
        echo "answers:"
        echo "  thigh-pop: $rf"
        echo "  calf-after-travel: no"
        echo "  nerve-pain: no"
        echo "  rest-pain: no"
        for kv in "$@"; do echo "  $kv"; done
    } >"$f"
}

ans "$TMPDIR/a.yaml" no "squat: yes" "sitting: yes" "glutes: yes" "hip-flexors: yes" \
    "abdominals: no" "quadratus-lumborum: no" "thoracolumbar-extensors: no"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/a.yaml"
expect_contains "$OUT" "Self-screen, 2026-03-16 (hamstrings)"
expect_contains "$OUT" "  squat: you answered yes (B1, A3)"
expect_contains "$OUT" "  Glutes: yes in the Single-leg glute bridge (G1)"
expect_contains "$OUT" "Hamstring work: indicated (moderate, score 3)"
expect_contains "$OUT" "Program (4 sessions):"
expect_contains "$OUT" "  2026-03-17 19:00 evening"
expect_contains "$OUT" "    - Glute strength (6 min): Glute bridge 3 x 12; Single-leg bridge 2 x 8"
expect_contains "$OUT" "  2026-03-18       See your therapist"
expect_contains "$OUT" "not a diagnosis"
awk 'length > 78 { exit 1 }' "$OUT" || fail "lines longer than 78 columns"

if [ -x /usr/bin/python3 ]; then
    expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/a.yaml" --json
    /usr/bin/python3 - "$OUT" <<'PY' || fail "JSON result"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["date"] == "2026-03-16" and not r["stopped"]
assert r["indicated"] and r["strength"] == "moderate" and r["score"] == 3
assert [f["id"] for f in r["flags"]] == ["squat", "sitting", "hip-flexors", "glutes"]
s = r["program"]["sessions"]
assert len(s) == 4 and len({x["date"] for x in s}) == 2
assert [x["time"] for x in s] == ["07:30", "19:00"] * 2
assert [t["id"] for t in s[0]["routines"]] == ["hip-flexor-stretch", "glute-strength"]
assert r["program"]["then"]["date"] == "2026-03-18"
assert r["program"]["then"]["routine"]["id"] == "see-therapist"
assert r["answers"]["hills"] == "no" and r["answers"]["thigh-pop"] == "no"
PY
fi

# Unsure about every area: all five in the program.
ans "$TMPDIR/u.yaml" no "squat: yes" "deadlift: yes"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/u.yaml" --date 2026-03-20 --json
expect_contains "$OUT" '"date": "2026-03-20"'
expect_contains "$OUT" '"id": "ql-release"'
expect_contains "$OUT" '"id": "back-release"'

# A red flag stops it: no program, and no massage on the hamstrings.
ans "$TMPDIR/r.yaml" yes "squat: yes" "sitting: yes"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/r.yaml"
expect_contains "$OUT" "STOP: a warning sign."
expect_contains "$OUT" "No massage on: Hamstrings, Hamstring origin."
expect_contains "$OUT" "No program is planned."
expect_lacks "$OUT" "Program ("
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/r.yaml" --json
expect_contains "$OUT" '"stopped": true'
expect_contains "$OUT" '"program": null'

# Mistakes in the answers say where.
printf 'answers:\n  thigh-pop: maybe\n' >"$TMPDIR/bad.yaml"
expect_exit 3 "$PLIANT" screen --answers "$TMPDIR/bad.yaml"
expect_contains "$ERR" "bad.yaml:2:14: thigh-pop: expected yes, no or unsure; found 'maybe'"
printf 'answers:\n  squat: yes\n' >"$TMPDIR/bad2.yaml"
expect_exit 3 "$PLIANT" screen --answers "$TMPDIR/bad2.yaml"
expect_contains "$ERR" "the warning sign 'thigh-pop' must be answered"
expect_exit 2 "$PLIANT" screen --answers
expect_exit 2 "$PLIANT" screen --date 2026-13-01 --answers "$TMPDIR/a.yaml"

# History: every screen saved so far (two of a.yaml, u, two of r), by day.
expect_exit 0 "$PLIANT" screen --history
expect_contains "$OUT" "2026-03-16  #1    hamstring work moderate; signs: squat,sitting; program: hip-flexors,glutes"
expect_contains "$OUT" "stopped: thigh-pop (no massage: hamstrings,hamstring-origin)"
expect_contains "$OUT" "2026-03-20  #3"
[ "$(wc -l <"$OUT")" -eq 5 ] || fail "expected 5 screens in the history"
expect_exit 0 "$PLIANT" screen --history --json
expect_contains "$OUT" '"signs": "squat,deadlift"'

# On a terminal: one question at a time; b goes back, q quits unsaved.
printf '2\nb\n2\n2\nq\n' | "$PLIANT" screen >"$OUT" 2>"$ERR" || fail "interactive quit: exit $?"
expect_contains "$OUT" "[2/15] Warning sign"
expect_contains "$OUT" "Quit: nothing was saved."
expect_exit 0 "$PLIANT" screen --history
[ "$(wc -l <"$OUT")" -eq 5 ] || fail "quitting saved a screen"
# Answering: warning signs no, then yes to the squat and sitting, the rest
# no or unsure; at the end it is saved.
printf '2\n2\n2\n2\n1\n2\n2\n2\n2\n1\n3\n2\n1\n2\n2\n' |
    "$PLIANT" screen --date 2026-03-25 >"$OUT" 2>"$ERR" || fail "interactive: exit $?"
expect_contains "$OUT" "Test: Thomas test"
expect_contains "$OUT" "Program (4 sessions):"
expect_contains "$OUT" "Hip flexors: unsure after the Thomas test: worked on to be safe (G1)"
expect_contains "$OUT" "(saved as screen 6)"
# The plan: the stored screens with a program trigger the two-day program
# (the screen of 2026-03-16: sessions on the 16th and 17th, then the
# therapist on the 18th); a stopped screen adds nothing.
expect_exit 0 "$PLIANT" plan --from 2026-03-16 --days 3 --json
expect_contains "$OUT" '"id": "2026-03-16.two-day-program.glute-strength.am"'
expect_contains "$OUT" '"id": "2026-03-17.two-day-program.glute-strength.pm"'
expect_contains "$OUT" '"id": "2026-03-18.two-day-program.see-therapist"'
expect_contains "$OUT" 'your self-screen of 2026-03-16 found signs'
# ... on the areas it flagged only (hip flexors and glutes).
expect_lacks "$OUT" '"id": "2026-03-16.two-day-program.core-strength.am"'
expect_exit 0 "$PLIANT" plan --from 2026-03-20 --days 2 --json
expect_contains "$OUT" '"id": "2026-03-20.two-day-program.core-strength.am"'
# ... and in the calendar and the watch workouts.
expect_exit 0 "$PLIANT" plan --from 2026-03-16 --days 3 --ics "$TMPDIR/plan.ics" \
    --fit-workouts "$TMPDIR/fit"
expect_contains "$TMPDIR/plan.ics" "UID:2026-03-18.two-day-program.see-therapist@pliant"
expect_contains "$TMPDIR/plan.ics" "UID:2026-03-17.two-day-program.hip-flexor-stretch.pm@pliant"
[ -f "$TMPDIR/fit/glute-strength.fit" ] || fail "no FIT workout for the glute routine"
# A warning sign answered 1 ends it at once.
printf '2\n1\n' | "$PLIANT" screen >"$OUT" 2>"$ERR" || fail "interactive red flag: exit $?"
expect_contains "$OUT" "STOP - URGENT: a warning sign."
expect_lacks "$OUT" "[3/15]"
expect_exit 0 "$PLIANT" screen --history --json
expect_contains "$OUT" '"answers": "thigh-pop=no,calf-after-travel=yes,nerve-pain=none,'

# A warning sign in a later screen keeps massage off its areas from that
# day on, with a note: the nerve sign holds the back release back.
export PLIANT_DB="$TMPDIR/hold.db"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/u.yaml" --date 2026-03-16
ans "$TMPDIR/n.yaml" no
sed -i 's/nerve-pain: no/nerve-pain: yes/' "$TMPDIR/n.yaml"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/n.yaml" --date 2026-03-17
expect_exit 0 "$PLIANT" plan --from 2026-03-16 --days 3 --json
expect_contains "$OUT" '"id": "2026-03-16.two-day-program.back-release.pm"'
expect_lacks "$OUT" '"id": "2026-03-17.two-day-program.back-release.am"'
expect_contains "$OUT" '"id": "2026-03-17.two-day-program.ql-release.am"'
expect_contains "$OUT" 'no Lower and middle back release: a warning sign in your self-screen of 2026-03-17; see a professional first'

# A re-screen after the program says what changed since the last one.
export PLIANT_DB="$TMPDIR/re.db"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/a.yaml"
expect_lacks "$OUT" "Since the screen"
sed 's/glutes: yes/glutes: no/; s/abdominals: no/abdominals: yes/' "$TMPDIR/a.yaml" >"$TMPDIR/b.yaml"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/b.yaml" --date 2026-03-19
expect_contains "$OUT" "Since the screen of 2026-03-16 (#1):"
expect_contains "$OUT" "  newly flagged: abdominals"
expect_contains "$OUT" "  no longer flagged: glutes"
expect_exit 0 "$PLIANT" screen --answers "$TMPDIR/b.yaml" --date 2026-03-19 --json
expect_contains "$OUT" '"since": {"date": "2026-03-19", "id": 2, "compared": true, "new": [], "gone": []}'
exit 0
