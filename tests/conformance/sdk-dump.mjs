#!/usr/bin/env node
// sdk-dump.mjs - decode a FIT file with Garmin's official JavaScript FIT SDK
// (@garmin/fitsdk) and print it in the JSON shape of `pliant inspect --json`,
// so that tests/conformance/compare.mjs can compare the two field by field.
//
//   node tests/conformance/sdk-dump.mjs FILE.fit     JSON on stdout
//
// As a module: `import { sdkDump } from "./sdk-dump.mjs"` returns the same
// object without spawning a process (compare.mjs runs it in-process).
//
// The SDK is resolved from $FITSDK_DIR (the package directory), else from
// $PLIANT_NODE_PREFIX/node_modules/@garmin/fitsdk (default prefix
// build/node, shared with sdk-validate.mjs); install it with
//   npm install --prefix build/node @garmin/fitsdk@21.217.0
//
// What the SDK gives and how it is mapped (read from the SDK's decoder.js):
//  - messages come grouped by type ("recordMesgs"); a mesgListener sees them
//    in file order, which is what we print (compare.mjs groups both sides).
//  - names are camelCase; we convert them to the profile's snake_case.
//  - unknown messages (includeUnknownData) are keyed by their number:
//    "unknown_<global>"; unknown fields have numeric keys: "unknown_<num>".
//  - enum values become profile names (camelCase -> snake_case); date_time
//    values become Date objects -> "YYYY-MM-DDTHH:MM:SSZ".
//  - 64-bit integers are BigInt -> Number (what JSON.parse gives for
//    pliant's side too); NaN and infinities -> the strings "NaN",
//    "Infinity", "-Infinity" so that they survive JSON.
//  - developer fields are keyed by an SDK-internal running index (`key`,
//    assigned per field_description); we map it to the field_name of the
//    field_description that was current when the message was decoded.
//    Names used twice in one message become "<field_name>@<dev_data_index>".
//    The SDK returns developer values raw, ignoring the scale and offset of
//    their field_description; those are listed in "developer_scale".
//  - a gzip-compressed file (.fit.gz) is inflated first: the SDK reads only
//    raw FIT, and pliant reads .gz transparently.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");

function sdkDir() {
    const cands = [];
    if (process.env.FITSDK_DIR) cands.push(process.env.FITSDK_DIR);
    const prefix = process.env.PLIANT_NODE_PREFIX ?? path.join(repo, "build", "node");
    cands.push(path.join(prefix, "node_modules", "@garmin", "fitsdk"));
    for (const d of cands) {
        if (fs.existsSync(path.join(d, "src", "index.js"))) return d;
    }
    return null;
}

const SDK_DIR = sdkDir();
if (SDK_DIR == null) {
    throw new Error("sdk-dump: @garmin/fitsdk not found; run: npm install --prefix build/node @garmin/fitsdk@21.217.0");
}
const { Decoder, Stream, Profile } = await import(pathToFileURL(path.join(SDK_DIR, "src", "index.js")).href);
export const SDK_VERSION = JSON.parse(fs.readFileSync(path.join(SDK_DIR, "package.json"), "utf8")).version;

// camelCase -> snake_case, the inverse of the SDK generator's conversion.
// tools/fit-names.mjs (shared with the profile generator) is preferred when
// it exists, so that both sides of the comparison spell names one way.
function localSnake(s) {
    return s.replace(/(?<=.)([A-Z])/g, "_$1").toLowerCase();
}
let snake = localSnake;
try {
    const names = await import(pathToFileURL(path.join(repo, "tools", "fit-names.mjs")).href);
    const fn = names.fitName ?? names.default;
    if (typeof fn === "function") snake = fn;
} catch {
    // tools/fit-names.mjs absent: keep the local rule.
}
export { snake };

const NUMERIC_TYPES = new Set(["sint8", "uint8", "sint16", "uint16", "sint32", "uint32", "float32",
    "float64", "uint8z", "uint16z", "uint32z", "byte", "sint64", "uint64", "uint64z"]);

// Per global message number: camelCase field name -> profile type, for the
// fields, their sub-fields and (since components land on ordinary fields)
// every name a decoded message can carry.
const typeCache = new Map();
function fieldTypes(global) {
    let t = typeCache.get(global);
    if (t) return t;
    t = new Map();
    const m = Profile.messages[global];
    if (m) {
        for (const f of Object.values(m.fields)) {
            t.set(f.name, f.type);
            for (const sf of f.subFields ?? []) {
                if (!t.has(sf.name)) t.set(sf.name, sf.type);
            }
        }
    }
    typeCache.set(global, t);
    return t;
}

function scalar(v, enumTyped) {
    if (v === null || v === undefined) return null;
    if (typeof v === "bigint") return Number(v);
    if (typeof v === "number") {
        if (Number.isNaN(v)) return "NaN";
        if (v === Infinity) return "Infinity";
        if (v === -Infinity) return "-Infinity";
        return v;
    }
    if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) return "Invalid Date";
        return v.toISOString().replace(/\.000Z$/, "Z");
    }
    if (typeof v === "string") return enumTyped ? snake(v) : v;
    return v;
}

function value(v, enumTyped) {
    if (Array.isArray(v)) return v.map((x) => scalar(x, enumTyped));
    return scalar(v, enumTyped);
}

function fieldName(key) {
    return /^\d+$/.test(key) ? `unknown_${key}` : snake(key);
}

// Decode `file` with the SDK. Returns
//   { file, sdk_version, profile_version, errors: [string],
//     messages: [{ name, global, sdk_end_offset, fields, developer_fields? }] }
// where messages are in file order.
export function sdkDump(file) {
    let buf = fs.readFileSync(file);
    if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
    const stream = Stream.fromBuffer(buf);
    const decoder = new Decoder(stream);

    const messages = [];
    const devNames = new Map();   // SDK developer-field key -> field_name
    const mesgListener = (global, mesg) => {
        const types = fieldTypes(global);
        const pm = Profile.messages[global];
        const out = {
            name: pm ? snake(pm.name) : `unknown_${global}`,
            global,
            sdk_end_offset: stream.position,
            fields: {},
        };
        for (const [k, v] of Object.entries(mesg)) {
            if (k === "developerFields") continue;
            // "key" on field_description is the SDK's own bookkeeping, not
            // a FIT field.
            if (global === Profile.MesgNum.FIELD_DESCRIPTION && k === "key") continue;
            const type = types.get(k);
            const enumTyped = type != null && type !== "string" && !NUMERIC_TYPES.has(type);
            out.fields[fieldName(k)] = value(v, enumTyped);
        }
        if (global === Profile.MesgNum.FIELD_DESCRIPTION && mesg.key != null) {
            const n = Array.isArray(mesg.fieldName) ? mesg.fieldName[0] : mesg.fieldName;
            devNames.set(mesg.key, {
                name: n ?? `dev_${mesg.developerDataIndex}_${mesg.fieldDefinitionNumber}`,
                index: mesg.developerDataIndex,
                scale: mesg.scale ?? 1,
                offset: mesg.offset ?? 0,
            });
        }
        if (mesg.developerFields) {
            // Two applications may use the same field_name (two sensors of
            // one make, each with its developer_data_id): every field whose
            // name occurs more than once in the message is then keyed
            // "<field_name>@<developer_data_index>".
            const entries = Object.entries(mesg.developerFields).map(([k, v]) => {
                const d = devNames.get(Number(k)) ?? { name: `dev_key_${k}`, index: null };
                return { ...d, v };
            });
            const seen = new Map();
            for (const e of entries) seen.set(e.name, (seen.get(e.name) ?? 0) + 1);
            out.developer_fields = {};
            for (const e of entries) {
                const key = seen.get(e.name) > 1 ? `${e.name}@${e.index}` : e.name;
                out.developer_fields[key] = value(e.v, false);
                // The SDK ignores a field_description's scale and offset;
                // say what they were so that compare.mjs can tell.
                if (e.scale !== 1 || e.offset !== 0) {
                    out.developer_scale ??= {};
                    out.developer_scale[key] = { scale: e.scale, offset: e.offset };
                }
            }
        }
        messages.push(out);
    };

    let result;
    try {
        result = decoder.read({
            mesgListener,
            includeUnknownData: true,
            mergeHeartRates: false,
        });
    } catch (e) {
        // read() catches its own errors; this is for anything else.
        result = { errors: [e] };
    }
    return {
        file: path.basename(file),
        sdk_version: SDK_VERSION,
        profile_version: result.profileVersion ?? null,
        errors: (result.errors ?? []).map((e) => (e && e.message) ? e.message : String(e)),
        messages,
    };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const file = process.argv[2];
    if (!file) {
        process.stderr.write("usage: sdk-dump.mjs FILE.fit\n");
        process.exit(2);
    }
    let out;
    try {
        out = sdkDump(file);
    } catch (e) {
        process.stderr.write(`sdk-dump: ${file}: ${e.message}\n`);
        process.exit(3);
    }
    process.stdout.write(JSON.stringify(out, null, 1) + "\n");
}
