-- schema.sql - the tables of the pliant store, as forward migrations.
--
-- lib/store.c embeds this file at build time (tools/embed.sh writes it into
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
-- as a REAL as NULL, and lib/store.c reads NULL back as NaN).
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
