#!/usr/bin/env node
// agree-fit.mjs - the FIT activity reader against Garmin's official JS SDK.
//
//   node tests/tools/agree-fit.mjs READ_ACTIVITY FILE...
//
// For every FIT file: the SDK's session messages (tests/conformance/
// sdk-dump.mjs) against what READ_ACTIVITY (tests/tools/read-activity.c)
// says pliant's reader made of the file, one activity per session in
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
let sdkDump;
try {
    ({ sdkDump } = await import(pathToFileURL(path.join(here, "..", "conformance", "sdk-dump.mjs"))));
} catch (e) {
    console.log(`skip: the FIT SDK cannot be loaded (${e.message.split("\n")[0]})`);
    process.exit(77);
}

const [reader, ...files] = process.argv.slice(2);
const tmp = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), "agree-fit-"));
let pass = 0, fail = 0, skipped = 0;

function close(a, b, rel, abs) {
    if (a == null || b == null) return a == b;
    return Math.abs(a - b) <= Math.max(abs, rel * Math.abs(b));
}

for (const file of files) {
    const name = path.basename(file);
    let input = file;
    if (file.endsWith(".gz")) {
        input = path.join(tmp, name.replace(/\.gz$/, ""));
        fs.writeFileSync(input, zlib.gunzipSync(fs.readFileSync(file)));
    }
    const sdk = sdkDump(file);
    const fileId = sdk.messages.find((m) => m.name === "file_id");
    if (sdk.errors.length > 0 || !fileId || fileId.fields.type !== "activity") {
        skipped++;
        continue;
    }
    const sessions = sdk.messages.filter((m) => m.name === "session").map((m) => m.fields)
        .sort((a, b) => Date.parse(a.start_time) - Date.parse(b.start_time));
    const ours = JSON.parse(execFileSync(reader, [input], { encoding: "utf8" }));
    const problems = [];
    if (sessions.length === 0) {
        skipped++; // nothing to compare against: pliant reads the records
        continue;
    }
    if (ours.activities.length !== sessions.length) {
        problems.push(`${ours.activities.length} activities for ${sessions.length} sessions (${ours.rc} ${ours.error})`);
    } else {
        sessions.forEach((s, i) => {
            const a = ours.activities[i];
            const start = s.start_time ? Date.parse(s.start_time) / 1000 : null;
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
}
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`fit agreement: ${pass} passed, ${fail} failed, ${skipped} skipped`);
process.exit(fail ? 1 : 0);
