#!/usr/bin/env node
// compare.mjs - compare `pliant inspect FILE --json` with Garmin's official
// JavaScript FIT SDK, field by field, on a set of FIT files.
//
//   node tests/conformance/compare.mjs [options] [FILE|DIR]...
//     --pliant PATH     the pliant binary (default $PLIANT or build/pliant)
//     --jobs N          worker threads (default 2); each spawns pliant for
//                       its file and decodes the same file with the SDK
//                       in-process, so both run at once
//     --known FILE      known differences (default known-differences.json
//                       beside this script)
//     --max-diffs N     differences printed per failing file (default 10)
//     --report FILE     write every difference, explained or not, as JSON
//     --quiet           only the summary and the closing line
// With no FILE, the whole corpus ../shared/corpus/fit (relative to the
// repository root) is compared.
//
// For each file both message lists are grouped by message name, keeping
// file order within a name, and compared index by index: the same set of
// fields, and equal values (numbers within 1e-9 absolute or relative,
// strings exactly, arrays element-wise). Where the SDK stops with an error
// (bad CRC, compressed timestamps, end of stream, not a FIT file, its own
// exceptions) only what it decoded before the error is compared, pliant
// must decode at least as much, and for bad CRC, truncation and trailing
// garbage pliant must say so in its warnings or error.
//
// A file passes when every difference matches an entry of the known list.
// The last line is "conformance: N passed, N failed"; the exit status is 0
// when none failed, 1 otherwise.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");

const TOL = 1e-9;

// ---------------------------------------------------------------- values

function isNumLike(v) {
    return typeof v === "number" || (typeof v === "string" && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v));
}

function scalarEqual(a, b) {
    if (a === b) return true;
    if (a == null || b == null) return a == null && b == null;
    if (typeof a === "number" && typeof b === "number") {
        const d = Math.abs(a - b);
        return d <= TOL || d <= TOL * Math.max(Math.abs(a), Math.abs(b));
    }
    // A 64-bit integer may come as a decimal string on one side.
    if (isNumLike(a) && isNumLike(b) && (typeof a === "string" || typeof b === "string")) {
        return scalarEqual(Number(a), Number(b));
    }
    return false;
}

export function valuesEqual(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) {
        if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
        for (let i = 0; i < a.length; i++) if (!scalarEqual(a[i], b[i])) return false;
        return true;
    }
    return scalarEqual(a, b);
}

// ---------------------------------------------------- known differences

function globToRegExp(g) {
    const s = g.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${s}$`);
}

// Each entry: { file, message, field, rule, reason, [sdk], [pliant] }.
// file, message and field are globs ("*" for any). rule is one of
//   sdk-only      the SDK has the field, pliant does not
//   pliant-only   pliant has the field, the SDK does not
//   value         both have it, with different values
//   count         the number of messages of that name differs
//   any           any of the above
// sdk / pliant, when present, must equal the value on that side ("*": any
// value, "NaN": the SDK's NaN, "array": any array, "number", "string").
// match, when present, names a relation between the two values (MATCHES).
export function loadKnown(file) {
    const list = JSON.parse(fs.readFileSync(file, "utf8"));
    const entries = Array.isArray(list) ? list : list.differences;
    return entries.map((e, i) => {
        for (const k of ["file", "message", "field", "rule", "reason"]) {
            if (typeof e[k] !== "string" || e[k] === "") throw new Error(`${file}: entry ${i}: missing "${k}"`);
        }
        if (e.match !== undefined && !(e.match in MATCHES)) {
            throw new Error(`${file}: entry ${i}: unknown match "${e.match}" (known: ${Object.keys(MATCHES).join(", ")})`);
        }
        return {
            ...e,
            id: e.id ?? `#${i}`,
            fileRe: globToRegExp(e.file),
            messageRe: globToRegExp(e.message),
            fieldRe: globToRegExp(e.field),
        };
    });
}

function sideMatches(want, v) {
    if (want === undefined || want === "*") return true;
    if (want === "array") return Array.isArray(v);
    if (want === "number") return typeof v === "number";
    if (want === "string") return typeof v === "string";
    if (want === "absent") return v === undefined;
    if (want === "NaN") return v === "NaN" || (Array.isArray(v) && v.includes("NaN"));
    return valuesEqual(want, v);
}

// Named relations between the two values, for entries whose difference is
// systematic rather than one fixed value ("match" in an entry).
const MATCHES = {
    // The SDK kept a float whose bits are the invalid pattern (it compares
    // the decoded float with the integer 0xFFFFFFFF): a NaN where pliant has
    // nothing, or, in arrays, a NaN where pliant has null.
    "sdk-nan-is-invalid": (d) => {
        if (d.kind === "sdk-only") {
            return d.sdk === "NaN" || (Array.isArray(d.sdk) && d.sdk.every((x) => x === "NaN" || x === null));
        }
        if (d.kind === "value" && Array.isArray(d.sdk) && Array.isArray(d.pliant) && d.sdk.length === d.pliant.length) {
            return d.sdk.every((x, i) => scalarEqual(x, d.pliant[i]) || (x === "NaN" && d.pliant[i] === null));
        }
        return false;
    },
    // The SDK kept a component-expanded field whose value is invalid as null.
    "sdk-null": (d) => d.kind === "sdk-only" && (d.sdk === null || (Array.isArray(d.sdk) && d.sdk.every((x) => x === null))),
    // pliant names an enum value (or element of an enum array) where the
    // SDK leaves the number.
    "pliant-name-for-sdk-number": (d) => {
        const one = (p, s) => (typeof p === "string" && typeof s === "number") || scalarEqual(p, s);
        if (Array.isArray(d.pliant) && Array.isArray(d.sdk)) {
            return d.pliant.length === d.sdk.length && d.pliant.every((p, i) => one(p, d.sdk[i]));
        }
        return typeof d.pliant === "string" && typeof d.sdk === "number";
    },
    // pliant gives every element of a field the profile calls scalar; the
    // SDK keeps only the first.
    "pliant-array-sdk-first": (d) => Array.isArray(d.pliant) && !Array.isArray(d.sdk) && d.pliant.length > 1 &&
        scalarEqual(d.pliant[0], d.sdk),
    // pliant applies the scale and offset of a developer field's
    // field_description; the SDK returns the raw value.
    "pliant-applies-dev-scale": (d) => {
        if (d.kind !== "value" || !d.sdkScale) return false;
        const { scale, offset } = d.sdkScale;
        const one = (p, s) => (s == null && p == null) || (typeof s === "number" && scalarEqual(p, s / scale - offset));
        if (Array.isArray(d.sdk)) return Array.isArray(d.pliant) && d.pliant.length === d.sdk.length && d.sdk.every((s, i) => one(d.pliant[i], s));
        return one(d.pliant, d.sdk);
    },
    // pliant keeps the raw bytes of a field whose size is not a multiple of
    // its base type; the SDK drops the field.
    "pliant-raw-bytes": (d) => d.kind === "pliant-only" && Array.isArray(d.pliant) &&
        d.pliant.every((x) => Number.isInteger(x) && x >= 0 && x <= 255),
};

function explain(known, d) {
    for (const e of known) {
        if (!e.fileRe.test(d.file) || !e.messageRe.test(d.message) || !e.fieldRe.test(d.field)) continue;
        if (e.rule !== "any" && e.rule !== d.kind) continue;
        if (!sideMatches(e.sdk, d.sdk) || !sideMatches(e.pliant, d.pliant)) continue;
        if (e.match && !MATCHES[e.match](d)) continue;
        return e.id;
    }
    return null;
}

// ------------------------------------------------------------ comparing

function groupByName(messages) {
    const g = new Map();
    for (const m of messages) {
        if (!g.has(m.name)) g.set(m.name, []);
        g.get(m.name).push(m);
    }
    return g;
}

function compareFieldSets(diffs, file, name, index, prefix, p, s, scales) {
    p = p ?? {};
    s = s ?? {};
    const keys = new Set([...Object.keys(s), ...Object.keys(p)]);
    for (const k of keys) {
        const inP = Object.prototype.hasOwnProperty.call(p, k);
        const inS = Object.prototype.hasOwnProperty.call(s, k);
        let kind = null;
        if (inP && !inS) kind = "pliant-only";
        else if (!inP && inS) kind = "sdk-only";
        else if (!valuesEqual(p[k], s[k])) kind = "value";
        if (kind) {
            const d = { file, message: name, index, field: prefix + k, kind, pliant: inP ? p[k] : undefined, sdk: inS ? s[k] : undefined };
            if (scales?.[k]) d.sdkScale = scales[k];
            diffs.push(d);
        }
    }
}

// What pliant must report for a file the SDK rejected.
function requiredReport(sdkErr) {
    if (/CRC error/.test(sdkErr)) return { what: "a bad CRC", re: /crc|checksum/i };
    if (/end of stream/.test(sdkErr)) return { what: "truncation", re: /trunc|end|short|eof|size/i };
    if (/not a FIT file/.test(sdkErr)) return { what: "trailing bytes that are not FIT", re: /./ };
    return null;
}

// Compare one file. pl: parsed pliant JSON (or null with plErr). sdk: the
// sdkDump() result. Returns { diffs: [...] } (unexplained and explained).
export function compareFile(file, pl, sdk) {
    const diffs = [];
    const sdkErr = sdk.errors.length ? sdk.errors[0] : null;
    const plMsgs = groupByName(pl.messages ?? []);
    const sdkMsgs = groupByName(sdk.messages);

    for (const name of new Set([...sdkMsgs.keys(), ...plMsgs.keys()])) {
        const a = plMsgs.get(name) ?? [];
        const b = sdkMsgs.get(name) ?? [];
        // Past an SDK error pliant may legitimately decode more.
        if (a.length !== b.length && !(sdkErr && a.length > b.length)) {
            diffs.push({ file, message: name, index: null, field: "(count)", kind: "count", pliant: a.length, sdk: b.length });
        }
        const n = Math.min(a.length, b.length);
        for (let i = 0; i < n; i++) {
            compareFieldSets(diffs, file, name, i, "", a[i].fields, b[i].fields);
            compareFieldSets(diffs, file, name, i, "dev:", a[i].developer_fields, b[i].developer_fields, b[i].developer_scale);
        }
    }

    if (sdkErr) {
        const req = requiredReport(sdkErr);
        if (req) {
            const said = [...(pl.warnings ?? []), ...(pl.error ? [pl.error] : [])]
                .map((w) => (typeof w === "string" ? w : JSON.stringify(w)));
            if (!said.some((w) => req.re.test(w))) {
                diffs.push({ file, message: "(file)", index: null, field: "(report)", kind: "unreported",
                    pliant: said, sdk: sdkErr, note: `pliant should report ${req.what}` });
            }
        }
    }
    return { diffs };
}

// ------------------------------------------------------- running pliant

function runPliant(pliant, file) {
    return new Promise((resolve) => {
        const tmp = path.join(os.tmpdir(), `pliant-conf-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
        const fd = fs.openSync(tmp, "w");
        const errChunks = [];
        let child;
        try {
            child = spawn(pliant, ["inspect", file, "--json"], { stdio: ["ignore", fd, "pipe"] });
        } catch (e) {
            fs.closeSync(fd);
            fs.rmSync(tmp, { force: true });
            resolve({ status: null, stdout: "", stderr: String(e) });
            return;
        }
        child.stderr.on("data", (c) => errChunks.push(c));
        let finished = false;
        // 'error' may be followed by 'close': settle once.
        const done = (status, extra) => {
            if (finished) return;
            finished = true;
            fs.closeSync(fd);
            let stdout = "";
            try { stdout = fs.readFileSync(tmp, "utf8"); } catch { /* nothing written */ }
            fs.rmSync(tmp, { force: true });
            resolve({ status, stdout, stderr: Buffer.concat(errChunks).toString("utf8") + (extra ?? "") });
        };
        child.on("error", (e) => done(null, String(e)));
        child.on("close", (code, signal) => done(signal ? `signal ${signal}` : code));
    });
}

// A gzip-compressed FIT file (.fit.gz, as in Strava exports) is inflated
// into a temporary file for pliant: `pliant inspect` decodes FIT, and
// decompression is not what this suite tests. sdk-dump inflates it too.
function inflatedCopy(file) {
    const fd = fs.openSync(file, "r");
    const magic = Buffer.alloc(2);
    fs.readSync(fd, magic, 0, 2, 0);
    fs.closeSync(fd);
    if (magic[0] !== 0x1f || magic[1] !== 0x8b) return null;
    const tmp = path.join(os.tmpdir(), `pliant-conf-${process.pid}-${path.basename(file).replace(/\.gz$/i, "")}`);
    fs.writeFileSync(tmp, zlib.gunzipSync(fs.readFileSync(file)));
    return tmp;
}

async function processFile(file, pliant, sdkDump) {
    const t0 = Date.now();
    const inflated = inflatedCopy(file);
    const pending = runPliant(pliant, inflated ?? file);
    let sdk;
    try {
        sdk = sdkDump(file);
    } catch (e) {
        sdk = { errors: [`sdk-dump threw: ${e.message}`], messages: [] };
    }
    const r = await pending;
    if (inflated) fs.rmSync(inflated, { force: true });
    const base = path.basename(file);
    const diffs = [];
    const sanitizer = /ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:/.test(r.stderr);
    let pl = null;
    try {
        pl = JSON.parse(r.stdout);
    } catch {
        pl = null;
    }
    if (sanitizer || pl == null || typeof r.status === "string") {
        diffs.push({ file: base, message: "(file)", index: null, field: "(run)", kind: "pliant-failed",
            pliant: `exit ${r.status}; ${r.stderr.trim().split("\n").slice(0, 6).join(" | ")}`,
            sdk: `${sdk.messages.length} messages` });
    }
    if (pl != null) diffs.push(...compareFile(base, pl, sdk).diffs);
    return {
        file: base,
        sdkErrors: sdk.errors,
        sdkMessages: sdk.messages.length,
        pliantMessages: pl?.messages?.length ?? null,
        pliantExit: r.status,
        pliantError: pl?.error ?? null,
        pliantWarnings: (pl?.warnings ?? []).map((w) => (typeof w === "string" ? w : w?.message ?? JSON.stringify(w))),
        diffs,
        ms: Date.now() - t0,
    };
}

// --------------------------------------------------------------- worker

if (!isMainThread) {
    const { sdkDump } = await import("./sdk-dump.mjs");
    parentPort.on("message", async (file) => {
        if (file == null) {
            process.exit(0);
        }
        let res;
        try {
            res = await processFile(file, workerData.pliant, sdkDump);
        } catch (e) {
            res = { file: path.basename(file), diffs: [{ file: path.basename(file), message: "(file)", index: null,
                field: "(run)", kind: "compare-failed", pliant: String(e.stack ?? e), sdk: null }] };
        }
        // Only unexplained ones matter to the main thread, but the report
        // wants all: send them all (values are plain JSON).
        parentPort.postMessage(res);
    });
}

// ----------------------------------------------------------------- main

function fmt(v) {
    if (v === undefined) return "(absent)";
    const s = JSON.stringify(v);
    return s.length > 120 ? s.slice(0, 117) + "..." : s;
}

function usage(msg) {
    if (msg) process.stderr.write(`compare.mjs: ${msg}\n`);
    process.stderr.write("usage: compare.mjs [--pliant PATH] [--jobs N] [--known FILE] [--max-diffs N] [--report FILE] [--quiet] [FILE|DIR]...\n");
    process.exit(2);
}

async function main() {
    const args = process.argv.slice(2);
    let pliant = process.env.PLIANT || path.join(repo, "build", "pliant");
    let jobs = 2;
    let knownFile = path.join(here, "known-differences.json");
    let maxDiffs = 10;
    let reportFile = null;
    let quiet = false;
    const inputs = [];
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        const val = () => (i + 1 < args.length ? args[++i] : usage(`${a} needs a value`));
        if (a === "--pliant") pliant = val();
        else if (a === "--jobs") jobs = Math.max(1, parseInt(val(), 10) || 1);
        else if (a === "--known") knownFile = val();
        else if (a === "--max-diffs") maxDiffs = parseInt(val(), 10);
        else if (a === "--report") reportFile = val();
        else if (a === "--quiet") quiet = true;
        else if (a.startsWith("--")) usage(`unknown option ${a}`);
        else inputs.push(a);
    }
    if (inputs.length === 0) inputs.push(path.resolve(repo, "..", "shared", "corpus", "fit"));
    pliant = path.resolve(pliant);

    const files = [];
    for (const inp of inputs) {
        const st = fs.statSync(inp);
        if (st.isDirectory()) {
            for (const f of fs.readdirSync(inp).sort()) {
                if (/\.fit(\.gz)?$/i.test(f)) files.push(path.join(inp, f));
            }
        } else {
            files.push(inp);
        }
    }
    // Largest first, so that two workers finish together.
    const order = files.map((f) => ({ f, size: fs.statSync(f).size })).sort((x, y) => y.size - x.size).map((x) => x.f);

    const known = fs.existsSync(knownFile) ? loadKnown(knownFile) : [];
    const t0 = Date.now();
    const results = [];

    await new Promise((resolve, reject) => {
        let next = 0;
        let live = 0;
        const nworkers = Math.min(jobs, order.length);
        if (nworkers === 0) resolve();
        for (let w = 0; w < nworkers; w++) {
            const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { pliant } });
            live++;
            const feed = () => worker.postMessage(next < order.length ? order[next++] : null);
            worker.on("message", (res) => {
                results.push(res);
                feed();
            });
            worker.on("error", reject);
            worker.on("exit", () => {
                if (--live === 0) resolve();
            });
            feed();
        }
    });

    results.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    let passed = 0;
    let failed = 0;
    const groups = new Map();    // kind|message|field -> { count, files, example, explainedBy }
    for (const r of results) {
        let unexplained = 0;
        for (const d of r.diffs) {
            d.explainedBy = explain(known, d);
            if (!d.explainedBy) unexplained++;
            const key = `${d.explainedBy ? "known " + d.explainedBy : "UNEXPLAINED"}|${d.kind}|${d.message}|${d.field.startsWith("dev:") ? "dev:*" : d.field}`;
            let g = groups.get(key);
            if (!g) groups.set(key, (g = { count: 0, files: new Set(), example: d, explainedBy: d.explainedBy }));
            g.count++;
            g.files.add(d.file);
        }
        r.unexplained = unexplained;
        if (unexplained === 0) passed++;
        else failed++;
        if (unexplained > 0 && !quiet) {
            console.log(`FAIL ${r.file}: ${unexplained} unexplained difference(s)` +
                (r.sdkErrors?.length ? ` [SDK: ${r.sdkErrors[0]}]` : ""));
            let shown = 0;
            for (const d of r.diffs) {
                if (d.explainedBy) continue;
                if (shown++ >= maxDiffs) {
                    console.log(`  ... ${unexplained - maxDiffs} more`);
                    break;
                }
                console.log(`  ${d.message}[${d.index ?? "-"}].${d.field} (${d.kind}): pliant=${fmt(d.pliant)} sdk=${fmt(d.sdk)}${d.note ? "  -- " + d.note : ""}`);
            }
        }
    }

    if (!quiet || failed > 0) {
        const rows = [...groups.entries()].sort((x, y) => (x[1].explainedBy ? 1 : 0) - (y[1].explainedBy ? 1 : 0) || y[1].count - x[1].count);
        if (rows.length) console.log("\ndifferences by kind (count, files, example):");
        for (const [key, g] of rows) {
            const d = g.example;
            console.log(`  ${key}: ${g.count} in ${g.files.size} file(s); e.g. ${d.file} ${d.message}[${d.index ?? "-"}].${d.field}: pliant=${fmt(d.pliant)} sdk=${fmt(d.sdk)}`);
        }
    }

    // Not failures, but worth a look: what pliant complains about in files
    // the SDK read without an error.
    const noisy = results.filter((r) => !r.sdkErrors?.length && (r.pliantError || r.pliantWarnings?.length));
    if (!quiet && noisy.length) {
        console.log(`\npliant errors or warnings on ${noisy.length} file(s) the SDK read without error:`);
        for (const r of noisy) {
            const what = r.pliantError ? `error ${r.pliantError.code}: ${r.pliantError.message}` : r.pliantWarnings[0];
            const more = r.pliantWarnings.length > (r.pliantError ? 0 : 1) ? ` (+${r.pliantWarnings.length - (r.pliantError ? 0 : 1)} warning(s))` : "";
            console.log(`  ${r.file}: ${what}${more}`);
        }
    }

    if (reportFile) {
        fs.mkdirSync(path.dirname(path.resolve(reportFile)), { recursive: true });
        fs.writeFileSync(reportFile, JSON.stringify({ pliant, seconds: (Date.now() - t0) / 1000, results }, null, 1));
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (!quiet) console.log(`\n${results.length} files in ${secs} s with ${pliant}`);
    console.log(`conformance: ${passed} passed, ${failed} failed`);
    process.exitCode = failed === 0 ? 0 : 1;
}

if (isMainThread && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    main().catch((e) => {
        process.stderr.write(`compare.mjs: ${e.stack ?? e}\n`);
        process.exit(2);
    });
}
