#!/usr/bin/env node
// agree-fit.mjs - the FIT activity reader against Garmin's official JS SDK.
//
//   node tests/tools/agree-fit.mjs READ_ACTIVITY FILE...
//
// For every FIT file: the SDK's session messages against what
// READ_ACTIVITY (tests/tools/read-activity.c) says pliant's reader made of
// the file, one activity per session in
// start order: start time (to the second), sport, total_elapsed_time and
// total_distance (within 0.5 %, or 0.01 s / 1 m for tiny ones). Files the
// SDK cannot read without error are left out (counted as skipped), and so
// are files that are not activity files.
//
// Prints one line per disagreement and ends with
//   "fit agreement: N passed, N failed, N skipped"; exit status 1 on a
// failure, 77 when the SDK is missing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
// The SDK where tests/conformance/ looks for it: $FITSDK_DIR, else
// $PLIANT_NODE_PREFIX/node_modules/@garmin/fitsdk (default build/node).
const sdkDirs = [process.env.FITSDK_DIR,
    path.join(process.env.PLIANT_NODE_PREFIX ?? path.join(repo, "build", "node"),
        "node_modules", "@garmin", "fitsdk")].filter(Boolean);
const sdkDir = sdkDirs.find((d) => fs.existsSync(path.join(d, "src", "index.js")));
if (!sdkDir) {
    console.log(`skip: no FIT SDK in ${sdkDirs.join(" or ")}`);
    process.exit(77);
}
const { Decoder, Stream } = await import(pathToFileURL(path.join(sdkDir, "src", "index.js")));
const snake = (s) => s.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

const [reader, ...files] = process.argv.slice(2);
const tmp = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), "agree-fit-"));
let pass = 0, fail = 0, skipped = 0;

function close(a, b, rel, abs) {
    if (a == null || b == null) return a == b;
    return Math.abs(a - b) <= Math.max(abs, rel * Math.abs(b));
}

// The reader once over every file (one JSON line each, in order).
const inputs = files.map((file) => {
    if (!file.endsWith(".gz")) return file;
    const out = path.join(tmp, path.basename(file).replace(/\.gz$/, ""));
    fs.writeFileSync(out, zlib.gunzipSync(fs.readFileSync(file)));
    return out;
});
const lines = execFileSync(reader, inputs, { encoding: "utf8", maxBuffer: 1 << 28 })
    .trim().split("\n");
if (lines.length !== files.length) {
    console.log(`FAIL: ${lines.length} results for ${files.length} files`);
    process.exit(1);
}

files.forEach((file, k) => {
    const name = path.basename(file);
    let buf = fs.readFileSync(file);
    if (file.endsWith(".gz")) buf = zlib.gunzipSync(buf);
    let sdk;
    try {
        sdk = new Decoder(Stream.fromBuffer(buf)).read({ mergeHeartRates: false });
    } catch (e) {
        sdk = { messages: {}, errors: [e] };
    }
    const fileId = (sdk.messages.fileIdMesgs ?? [])[0];
    if (sdk.errors.length > 0 || !fileId || fileId.type !== "activity") {
        skipped++;
        return;
    }
    const sessions = (sdk.messages.sessionMesgs ?? []).map((m) => ({
        start_time: m.startTime instanceof Date ? m.startTime.getTime() / 1000 : null,
        sport: typeof m.sport === "string" ? snake(m.sport) : m.sport,
        total_elapsed_time: m.totalElapsedTime,
        total_distance: m.totalDistance,
    })).sort((a, b) => a.start_time - b.start_time);
    const ours = JSON.parse(lines[k]);
    const problems = [];
    if (sessions.length === 0) {
        skipped++; // nothing to compare against: pliant reads the records
        return;
    }
    if (ours.activities.length !== sessions.length) {
        problems.push(`${ours.activities.length} activities for ${sessions.length} sessions (${ours.rc} ${ours.error})`);
    } else {
        sessions.forEach((s, i) => {
            const a = ours.activities[i];
            const start = s.start_time;
            if (start != null && a.start_s !== start)
                problems.push(`session ${i}: start ${a.start_s} != ${start}`);
            const sport = typeof s.sport === "number" ? null : s.sport;
            if (sport != null && a.sport !== sport)
                problems.push(`session ${i}: sport ${a.sport} != ${sport}`);
            if (s.total_elapsed_time != null && !close(a.duration_s, s.total_elapsed_time, 0.005, 0.01))
                problems.push(`session ${i}: duration ${a.duration_s} != ${s.total_elapsed_time}`);
            if (s.total_distance != null && !close(a.dist_m, s.total_distance, 0.005, 1))
                problems.push(`session ${i}: distance ${a.dist_m} != ${s.total_distance}`);
        });
    }
    if (problems.length) {
        fail++;
        for (const p of problems) console.log(`FAIL ${name}: ${p}`);
    } else {
        pass++;
    }
});
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`fit agreement: ${pass} passed, ${fail} failed, ${skipped} skipped`);
process.exit(fail ? 1 : 0);
