// gen-fitprofile.mjs - write lib/formats/fitprofile.c, the FIT profile as C tables,
// from the profile published in Garmin's FIT SDK for JavaScript.
//
//   node tools/gen-fitprofile.mjs [SDK_DIR [OUT.c]]
//
// SDK_DIR is an installed @garmin/fitsdk package (default
// build/node/node_modules/@garmin/fitsdk, where tools/gen-fitprofile.sh
// puts it); OUT.c defaults to lib/formats/fitprofile.c. The table layout is
// lib/formats/fitprofile.h; docs/internals/fitprofile.md says how the SDK's profile
// maps onto it. The rules below follow how the SDK's own decoder reads its
// profile (src/decoder.js: field types, scales, components, sub-fields).
//
// The generator refuses (exit 1) a profile that breaks an assumption the C
// tables rely on: field numbers and bit counts that fit a byte, component
// targets and sub-field references that exist, names that stay distinct
// after the snake_case conversion.

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { fitName } from "./fit-names.mjs";

const sdkDir = resolve(process.argv[2] ?? "build/node/node_modules/@garmin/fitsdk");
const outPath = resolve(process.argv[3] ?? "lib/formats/fitprofile.c");

const Profile = (await import(pathToFileURL(join(sdkDir, "src/profile.js")))).default;
const pkg = JSON.parse(readFileSync(join(sdkDir, "package.json"), "utf8"));

function fail(msg) {
    process.stderr.write(`gen-fitprofile: ${msg}\n`);
    process.exit(1);
}

// The SDK decoder applies scale and offset only to fields of these types
// (FIT.NumericFieldTypes in src/fit.js); "enum" and "bool" are not among
// them. Spelled out here so that a change in a new SDK shows up as a diff.
const NUMERIC_TYPES = new Set([
    "sint8", "uint8", "sint16", "uint16", "sint32", "uint32", "float32",
    "float64", "uint8z", "uint16z", "uint32z", "byte", "sint64", "uint64",
    "uint64z",
]);

// FIT protocol, "Base Types" table; the names are the SDK's baseType strings.
const BASE = {
    enum: "PL_FIT_ENUM", sint8: "PL_FIT_SINT8", uint8: "PL_FIT_UINT8",
    sint16: "PL_FIT_SINT16", uint16: "PL_FIT_UINT16", sint32: "PL_FIT_SINT32",
    uint32: "PL_FIT_UINT32", string: "PL_FIT_STRING", float32: "PL_FIT_FLOAT32",
    float64: "PL_FIT_FLOAT64", uint8z: "PL_FIT_UINT8Z", uint16z: "PL_FIT_UINT16Z",
    uint32z: "PL_FIT_UINT32Z", byte: "PL_FIT_BYTE", sint64: "PL_FIT_SINT64",
    uint64: "PL_FIT_UINT64", uint64z: "PL_FIT_UINT64Z",
};

const v = Profile.version;
const version = `${v.major}.${v.minor}.${v.patch}`;

// C string literal. Profile names and units are ASCII today; anything else
// is written as octal escapes (at most three digits, so a following digit
// cannot be swallowed as \x escapes would).
function cstr(s) {
    let out = '"';
    for (const byte of Buffer.from(s, "utf8")) {
        const c = String.fromCharCode(byte);
        if (c === '"' || c === "\\") out += "\\" + c;
        else if (byte >= 0x20 && byte < 0x7f) out += c;
        else out += "\\" + byte.toString(8).padStart(3, "0");
    }
    return out + '"';
}

// A JS number as a C double constant: the shortest text that reads back
// as the same double.
function cnum(x) {
    if (typeof x !== "number" || !Number.isFinite(x)) fail(`not a finite number: ${x}`);
    return String(x);
}

function first(x, dflt) {
    if (Array.isArray(x)) return x.length > 0 ? x[0] : dflt;
    return x ?? dflt;
}

function checkByte(what, n) {
    if (!Number.isInteger(n) || n < 0 || n > 255) fail(`${what} = ${n} does not fit a byte`);
}

// Checks that converting to snake_case does not merge two names.
function distinct(what, camelNames) {
    const seen = new Map();
    for (const c of camelNames) {
        const s = fitName(c);
        const other = seen.get(s);
        if (other !== undefined && other !== c) fail(`${what}: "${other}" and "${c}" both become "${s}"`);
        seen.set(s, c);
    }
}

// ---- types --------------------------------------------------------------

const typeKeys = Object.keys(Profile.types);
distinct("type names", typeKeys);
typeKeys.sort((a, b) => (fitName(a) < fitName(b) ? -1 : fitName(a) > fitName(b) ? 1 : 0));
const typeIndex = new Map(typeKeys.map((k, i) => [k, i]));
if (typeKeys.length >= 0xFFFF) fail("too many types for a uint16_t index");

// The SDK's types carry no base type; take it from the fields that use the
// type. A type no field uses gets PL_FIT_BASE_NONE.
const typeBase = new Map();
for (const m of Object.values(Profile.messages)) {
    for (const f of Object.values(m.fields)) {
        for (const x of [f, ...f.subFields]) {
            if (!typeIndex.has(x.type)) continue;
            const b = typeBase.get(x.type);
            if (b !== undefined && b !== x.baseType)
                fail(`type ${x.type} used with base types ${b} and ${x.baseType}`);
            typeBase.set(x.type, x.baseType);
        }
    }
}

const cIdent = (s) => s.replace(/[^A-Za-z0-9_]/g, "_");
const typeConst = (k) => `T_${cIdent(fitName(k))}`;

// ---- fields ---------------------------------------------------------------

// show and type index for a profile field type (src/decoder.js,
// transformValue: numeric types are scaled, "string" is text, "dateTime" a
// date, anything else is looked up in Profile.types).
function showAndType(type) {
    if (type === "dateTime")
        return ["PL_FIT_SHOW_DATE_TIME", typeIndex.has(type) ? typeConst(type) : "PL_FIT_TYPE_NONE"];
    if (type === "string") return ["PL_FIT_SHOW_STRING", "PL_FIT_TYPE_NONE"];
    if (NUMERIC_TYPES.has(type)) return ["PL_FIT_SHOW_NUMBER", "PL_FIT_TYPE_NONE"];
    return ["PL_FIT_SHOW_ENUM", typeIndex.has(type) ? typeConst(type) : "PL_FIT_TYPE_NONE"];
}

// scale, offset, single_scale (src/decoder.js, applyScaleAndOffset: a list
// of several scales belongs to the components, the field itself is left
// unscaled).
function scaling(x) {
    const single = !(Array.isArray(x.scale) && x.scale.length > 1);
    return [cnum(first(x.scale, 1)), cnum(first(x.offset, 0)), single ? "true" : "false"];
}

function baseOf(what, b) {
    const c = BASE[b];
    if (c === undefined) fail(`${what}: unknown base type ${b}`);
    return c;
}

function flagsOf(list) {
    return list.length > 0 ? list.join("|") : "0";
}

const lines = [];
const out = (s) => lines.push(s);

out(`/*
 * fitprofile.c - the FIT profile as C tables.
 *
 * GENERATED FILE, DO NOT EDIT: change tools/gen-fitprofile.mjs and run
 * \`make profile\` (tools/gen-fitprofile.sh).
 *
 * Generated by tools/gen-fitprofile.mjs from src/profile.js of Garmin's FIT
 * SDK for JavaScript, npm ${pkg.name} ${pkg.version}, profile version ${version}
 * (${v.type}). Layout: lib/formats/fitprofile.h; names: tools/fit-names.mjs;
 * notes: docs/internals/fitprofile.md.
 *
 * Row layouts (positional initialisers, one row per line):
 *   type value   {value, name}
 *   type         {name, base, nvalues, values}
 *   component    {target, bits, accumulate, scale, offset}
 *   sub-field    {{name, units, num, type, show, flags, dev_index, base},
 *                 scale, offset, single_scale, nrefs, refs,
 *                 ncomponents, components}
 *   field        {{name, units, num, type, show, flags, dev_index, base},
 *                 scale, offset, single_scale, accumulated,
 *                 ncomponents, components, nsubfields, subfields}
 *   message      {num, name, nfields, fields}
 */
#include "fitprofile.h"

const char pl__fit_profile_version[] = ${cstr(version)};

/* Type ids: indexes into pl__fit_types, which is sorted by name. */
enum {`);
for (const k of typeKeys) out(`    ${typeConst(k)} = ${typeIndex.get(k)},`);
out(`};`);
out(``);
out(`/* Type values, sorted by value. */`);

let nvaluesTotal = 0;
for (const k of typeKeys) {
    const entries = Object.entries(Profile.types[k])
        .map(([val, name]) => [Number(val), name])
        .sort((a, b) => a[0] - b[0]);
    for (const [val] of entries)
        if (!Number.isInteger(val) || val < 0 || val > 0xFFFFFFFF) fail(`type ${k}: value ${val} is no uint32`);
    if (entries.length > 0xFFFF) fail(`type ${k}: too many values`);
    distinct(`values of type ${k}`, entries.map((e) => e[1]));
    nvaluesTotal += entries.length;
    if (entries.length === 0) continue;
    out(`static const struct pl_fit_enum_entry v_${cIdent(fitName(k))}[] = {`);
    for (const [val, name] of entries) out(`{${val},${cstr(fitName(name))}},`);
    out(`};`);
}
out(``);
out(`const struct pl_fit_type pl__fit_types[] = {`);
for (const k of typeKeys) {
    const n = Object.keys(Profile.types[k]).length;
    const b = typeBase.has(k) ? baseOf(`type ${k}`, typeBase.get(k)) : "PL_FIT_BASE_NONE";
    const vals = n > 0 ? `v_${cIdent(fitName(k))}` : "NULL";
    out(`{${cstr(fitName(k))},${b},${n},${vals}},`);
}
out(`};`);
out(`const size_t pl__fit_ntypes = sizeof pl__fit_types / sizeof pl__fit_types[0];`);

const msgs = Object.values(Profile.messages).sort((a, b) => a.num - b.num);
distinct("message names", msgs.map((m) => m.name));
let nfieldsTotal = 0, nsubTotal = 0, ncompTotal = 0;

for (const m of msgs) {
    if (!Number.isInteger(m.num) || m.num < 0 || m.num > 0xFFFF) fail(`message ${m.name}: bad number ${m.num}`);
    const fields = Object.values(m.fields).sort((a, b) => a.num - b.num);
    const byNum = new Map();
    const byName = new Map();
    for (const f of fields) {
        checkByte(`${m.name}.${f.name} number`, f.num);
        if (byNum.has(f.num)) fail(`${m.name}: field number ${f.num} twice`);
        byNum.set(f.num, f);
        byName.set(f.name, f);
    }
    const allNames = [];
    for (const f of fields) allNames.push(f.name, ...f.subFields.map((s) => s.name));
    distinct(`names in message ${m.name}`, allNames);

    const where = `${m.num}_`;
    const rows = [];
    out(``);
    out(`/* ${m.num} ${fitName(m.name)} */`);

    // Components (FIT protocol, "Components"): the accumulate flag is the
    // target field's, as the SDK decoder reads it (expandComponents).
    const components = (owner, x, id) => {
        if (x.components.length === 0) return ["0", "NULL"];
        if (x.components.length > 255) fail(`${owner}: too many components`);
        const scales = [].concat(x.scale), offsets = [].concat(x.offset);
        if (x.bits.length !== x.components.length || scales.length !== x.components.length ||
            offsets.length !== x.components.length)
            fail(`${owner}: components, bits, scale and offset differ in length`);
        const cs = x.components.map((t, j) => {
            const target = byNum.get(Number(t));
            if (target === undefined) fail(`${owner}: component target ${t} is not in ${m.name}`);
            checkByte(`${owner} bits`, x.bits[j]);
            return `{${target.num},${x.bits[j]},${target.isAccumulated ? "true" : "false"},${cnum(scales[j])},${cnum(offsets[j])}}`;
        });
        ncompTotal += cs.length;
        out(`static const struct pl_fit_component c${id}[] = {${cs.join(",")}};`);
        return [String(cs.length), `c${id}`];
    };

    for (const f of fields) {
        const fid = where + f.num;
        const owner = `${m.name}.${f.name}`;
        const arrayFlag = f.array === true ? ["PL_FIT_F_ARRAY"] : [];
        const [fnc, fcomp] = components(owner, f, fid);

        let nsub = "0", subs = "NULL";
        if (f.subFields.length > 0) {
            if (f.subFields.length > 255) fail(`${owner}: too many sub-fields`);
            const srows = f.subFields.map((s, i) => {
                const sid = `${fid}_${i}`;
                const sowner = `${owner}/${s.name}`;
                if (s.map.length === 0 || s.map.length > 255) fail(`${sowner}: ${s.map.length} references`);
                const refs = s.map.map((r) => {
                    const ref = byName.get(r.name);
                    if (ref === undefined) fail(`${sowner}: reference field ${r.name} is not in ${m.name}`);
                    if (!Number.isInteger(r.value) || r.value < 0 || r.value > 0xFFFFFFFF)
                        fail(`${sowner}: reference value ${r.value}`);
                    return `{${ref.num},${r.value}}`;
                });
                out(`static const struct pl_fit_subfield_ref r${sid}[] = {${refs.join(",")}};`);
                const [snc, scomp] = components(sowner, s, sid);
                const [show, type] = showAndType(s.type);
                const [scale, offset, single] = scaling(s);
                const flags = flagsOf(["PL_FIT_F_SUBFIELD", ...arrayFlag]);
                return `{{${cstr(fitName(s.name))},${cstr(first(s.units, ""))},${f.num},${type},${show},${flags},0,${baseOf(sowner, s.baseType)}},` +
                    `${scale},${offset},${single},${refs.length},r${sid},${snc},${scomp}},`;
            });
            out(`static const struct pl_fit_subfield s${fid}[] = {`);
            for (const r of srows) out(r);
            out(`};`);
            nsub = String(srows.length);
            subs = `s${fid}`;
            nsubTotal += srows.length;
        }

        const [show, type] = showAndType(f.type);
        const [scale, offset, single] = scaling(f);
        rows.push(`{{${cstr(fitName(f.name))},${cstr(first(f.units, ""))},${f.num},${type},${show},${flagsOf(arrayFlag)},0,${baseOf(owner, f.baseType)}},` +
            `${scale},${offset},${single},${f.isAccumulated ? "true" : "false"},${fnc},${fcomp},${nsub},${subs}},`);
    }
    nfieldsTotal += rows.length;
    if (rows.length > 0) {
        out(`static const struct pl_fit_field_info f${m.num}[] = {`);
        for (const r of rows) out(r);
        out(`};`);
    }
    m.nrows = rows.length;
}

out(``);
out(`const struct pl_fit_msg_info pl__fit_msgs[] = {`);
for (const m of msgs)
    out(`{${m.num},${cstr(fitName(m.name))},${m.nrows},${m.nrows > 0 ? `f${m.num}` : "NULL"}},`);
out(`};`);
out(`const size_t pl__fit_nmsgs = sizeof pl__fit_msgs / sizeof pl__fit_msgs[0];`);

const tmp = `${outPath}.tmp`;
const text = lines.join("\n") + "\n";
writeFileSync(tmp, text);
renameSync(tmp, outPath);
process.stderr.write(
    `gen-fitprofile: ${basename(outPath)}: profile ${version}, ${msgs.length} messages, ` +
    `${nfieldsTotal} fields, ${nsubTotal} sub-fields, ${ncompTotal} components, ` +
    `${typeKeys.length} types, ${nvaluesTotal} values, ${text.split("\n").length - 1} lines\n`);
