-- schema.sql - the tables of the pliant store, as forward migrations.
--
-- lib/store/store.c embeds this file at build time (tools/embed.sh writes it into
-- build/gen/schema.c) and, on opening a store, applies each step whose
-- number is above the store's PRAGMA user_version, in order, each in its
-- own transaction that also sets user_version to the step's number. A
-- store whose user_version is above the last step here was written by a
-- newer pliant and is refused.
--
-- A step, once released, is never edited: change the schema by adding a
-- step at the end. Each step starts with a line "-- @migration N: why".
--
-- Portable SQL (DESIGN.md: a PostgreSQL backend may come later): columns
-- are INTEGER (64-bit), REAL (double), TEXT (UTF-8) and BLOB only, with
-- standard constraints; a PostgreSQL backend reads them as BIGINT, DOUBLE
-- PRECISION, TEXT and BYTEA, and "id INTEGER PRIMARY KEY" as an identity
-- column. A number that is not known is NULL (SQLite stores a NaN bound
-- as a REAL as NULL, and lib/store/store.c reads NULL back as NaN).
--
-- What each column means: docs/internals/store.md.

-- @migration 1: activities with their laps and streams, and the files they came from
CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    sport INTEGER NOT NULL,
    sub_sport INTEGER NOT NULL,
    start_s INTEGER NOT NULL,
    utc_offset_s INTEGER NOT NULL,
    utc_offset_known INTEGER NOT NULL,
    duration_s REAL,
    moving_s REAL,
    dist_m REAL,
    ascent_m REAL,
    descent_m REAL,
    hr_avg_bpm REAL,
    hr_max_bpm REAL,
    cadence_avg_spm REAL,
    power_avg_w REAL,
    training_effect REAL,
    anaerobic_training_effect REAL,
    rpe REAL,
    device TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    source_kind INTEGER NOT NULL,
    source_path TEXT NOT NULL,
    source_sha256 BLOB NOT NULL,
    samples INTEGER NOT NULL,
    streams INTEGER NOT NULL
);
CREATE INDEX activities_by_start ON activities (start_s);

CREATE TABLE laps (
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start_s INTEGER NOT NULL,
    duration_s REAL,
    moving_s REAL,
    dist_m REAL,
    hr_avg_bpm REAL,
    hr_max_bpm REAL,
    ascent_m REAL,
    descent_m REAL,
    PRIMARY KEY (activity_id, seq)
);

CREATE TABLE streams (
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    kind INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (activity_id, kind)
);

CREATE TABLE sources (
    sha256 BLOB PRIMARY KEY,
    path TEXT NOT NULL,
    kind INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN ('activity', 'skipped')),
    reason TEXT,
    activity_id INTEGER REFERENCES activities (id) ON DELETE SET NULL,
    imported_at INTEGER NOT NULL
);

CREATE TABLE activity_sources (
    sha256 BLOB NOT NULL REFERENCES sources (sha256) ON DELETE CASCADE,
    start_s INTEGER NOT NULL,
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('primary', 'twin')),
    PRIMARY KEY (sha256, start_s)
);
CREATE INDEX activity_sources_by_activity ON activity_sources (activity_id);

-- @migration 2: the load model: the athlete profile, declared events, and per-activity metrics
-- Values the runner set (`pliant profile set`): one row per key, in the
-- key's unit (docs/internals/load.md); a key not set has no row and is
-- estimated.
CREATE TABLE profile (
    key TEXT PRIMARY KEY,
    value REAL NOT NULL
);

-- Declared events (`pliant event add`), in the runner's local time.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('run', 'race', 'travel')),
    day INTEGER NOT NULL,
    minute INTEGER,
    hours REAL,
    name TEXT NOT NULL,
    place_from TEXT NOT NULL,
    place_to TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX events_by_day ON events (day);

-- What an activity's streams say that does not depend on the profile,
-- computed once from the source named by source_sha256 (a richer twin
-- that replaces the activity makes the row stale) by the algorithm
-- version `version`. histograms: time per bpm and per graded-speed bin
-- (format in lib/store/store.c).
CREATE TABLE activity_features (
    activity_id INTEGER PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    source_sha256 BLOB NOT NULL,
    samples INTEGER NOT NULL,
    hr_s REAL NOT NULL,
    hr_peak5_bpm REAL,
    hr_best20_bpm REAL,
    ngp_mps REAL,
    graded_s REAL NOT NULL,
    start_lat_deg REAL,
    start_lon_deg REAL,
    effort_180_mps REAL,
    effort_300_mps REAL,
    effort_420_mps REAL,
    effort_600_mps REAL,
    effort_900_mps REAL,
    effort_1200_mps REAL,
    histograms BLOB NOT NULL
);

-- The metrics that depend on the profile, as last computed; inputs_hash
-- identifies what they were computed from (profile values, the
-- activity's summary and features, the scoring version), so a change to
-- any of them recomputes the row.
CREATE TABLE activity_metrics (
    activity_id INTEGER PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    inputs_hash INTEGER NOT NULL,
    hr_s REAL,
    zone1_s REAL,
    zone2_s REAL,
    zone3_s REAL,
    zone4_s REAL,
    zone5_s REAL,
    above_threshold_s REAL,
    trimp REAL,
    trimp_from_avg INTEGER NOT NULL,
    trimp_edwards REAL,
    hrss REAL,
    ngp_mps REAL,
    rtss REAL,
    intensity_factor REAL,
    if_hr REAL,
    rpe REAL,
    session_rpe REAL,
    load REAL NOT NULL,
    load_source TEXT NOT NULL
);

-- @migration 3: what the runner did with the plan: each item done or skipped
-- An item is named by the planner's stable id ("2026-03-22.travel.flush-
-- massage", docs/internals/plan.md); marking it again replaces the mark.
CREATE TABLE plan_marks (
    item_id TEXT PRIMARY KEY,
    day INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'skipped')),
    why TEXT,
    marked_at INTEGER NOT NULL
);
CREATE INDEX plan_marks_by_day ON plan_marks (day);

-- @migration 4: self-screens (pliant screen), each with its date
-- One row per screen; lists are question or area ids joined with commas,
-- answers "id=yes,id=no,..." in the screening's order
-- (include/pliant.h, struct pl_screen_record). The planner reads the
-- latest screen for its screening-result rules.
CREATE TABLE screens (
    id INTEGER PRIMARY KEY,
    day INTEGER NOT NULL,
    taken_at INTEGER NOT NULL,
    protocol TEXT NOT NULL,
    stopped INTEGER NOT NULL,
    strength INTEGER NOT NULL,
    red_flags TEXT NOT NULL,
    signs TEXT NOT NULL,
    areas TEXT NOT NULL,
    no_massage TEXT NOT NULL,
    answers TEXT NOT NULL
);
CREATE INDEX screens_by_day ON screens (day);
