#!/usr/bin/env node
// sdk-decode.mjs - time Garmin's official JavaScript FIT SDK (@garmin/fitsdk)
// decoding FIT files, as the peer that bench/run.sh compares pliant with.
//
//   node bench/sdk-decode.mjs [--reps N] [--max-seconds S] FILE.fit...
//
// For each file: the bytes are read into memory first (file I/O is not
// timed), then `new Decoder(Stream.fromByteArray(bytes)).read()` with the
// SDK's default options is timed N times (default 5) and the best run is
// kept. Default options mean what an application gets out of the box: scale
// and offset applied, components and sub-fields expanded, enums as strings,
// date_times as Date objects, heart rates merged. The first run warms up
// the JIT and is usually the slowest; best-of-N discards it.
//
// One tab-separated line per file on stdout:
//   file  bytes  records  messages  best_s  MB/s  records/s  cpu_s
// MB is 10^6 bytes. cpu_s is the mean process.cpuUsage() (user + system) of
// one decode, the first (warm-up) run left out when there are more: steadier
// than wall time on a shared machine, and it includes the work of node's
// helper threads (garbage collection, JIT). "records" counts record messages (recordMesgs).
// SDK decode errors are reported on stderr and do not stop the run.
//
// The SDK is resolved from build/node/node_modules/@garmin/fitsdk (or the
// directory in $FITSDK_DIR); bench/run.sh installs it there when absent:
//   npm install --prefix build/node @garmin/fitsdk@21.217.0

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const sdkDir = process.env.FITSDK_DIR ||
    path.join(repo, "build", "node", "node_modules", "@garmin", "fitsdk");

function usage(msg) {
    if (msg)
        process.stderr.write(`sdk-decode: ${msg}\n`);
    process.stderr.write("usage: node bench/sdk-decode.mjs [--reps N] [--max-seconds S] FILE.fit...\n");
    process.exit(2);
}

let reps = 5;
let maxSeconds = 20;   // stop repeating a file after this much decoding
const files = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--reps" && i + 1 < argv.length)
        reps = Number(argv[++i]);
    else if (a === "--max-seconds" && i + 1 < argv.length)
        maxSeconds = Number(argv[++i]);
    else if (a.startsWith("--"))
        usage(`unknown option '${a}'`);
    else
        files.push(a);
}
if (!files.length || !(reps >= 1) || !(maxSeconds > 0))
    usage(files.length ? "bad --reps or --max-seconds" : "which FIT files?");

const entry = path.join(sdkDir, "src", "index.js");
if (!fs.existsSync(entry)) {
    process.stderr.write(`sdk-decode: @garmin/fitsdk not found at ${sdkDir}\n` +
        "  install it: npm install --prefix build/node @garmin/fitsdk@21.217.0\n");
    process.exit(3);
}
const { Decoder, Stream } = await import(pathToFileURL(entry).href);

for (const file of files) {
    const bytes = fs.readFileSync(file);
    let best = Infinity;
    let cpuFirst = 0;
    let cpuRest = 0;
    let records = 0;
    let messages = 0;
    let spent = 0;
    let runs = 0;
    for (let r = 0; r < reps && (r === 0 || spent < maxSeconds); r++, runs++) {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        const decoder = new Decoder(Stream.fromByteArray(bytes));
        const out = decoder.read();
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        const c = process.cpuUsage(c0);
        const cpu = (c.user + c.system) / 1e6;
        if (r === 0)
            cpuFirst = cpu;
        else
            cpuRest += cpu;
        spent += s;
        if (s < best)
            best = s;
        if (r === 0) {
            if (out.errors.length)
                process.stderr.write(`sdk-decode: ${file}: ${out.errors.length} error(s), ` +
                    `first: ${out.errors[0]?.message ?? out.errors[0]}\n`);
            records = (out.messages.recordMesgs || []).length;
            messages = 0;
            for (const list of Object.values(out.messages))
                messages += list.length;
        }
    }
    const cpuMean = runs > 1 ? cpuRest / (runs - 1) : cpuFirst;
    const mbps = bytes.length / best / 1e6;
    const rps = records / best;
    process.stdout.write([file, bytes.length, records, messages, best.toFixed(6),
        mbps.toFixed(2), rps.toFixed(0), cpuMean.toFixed(6)].join("\t") + "\n");
}
