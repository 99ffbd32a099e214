#!/usr/bin/env node
// fake-pliant.mjs - stands in for `pliant inspect FILE --json` by printing
// the SDK's own decode (sdk-dump.mjs), to test compare.mjs itself:
//   PLIANT=tests/conformance/fake-pliant.mjs tests/conformance/run.sh
// must pass every file. With FAKE_PLIANT_MUTATE=1 it changes one value,
// drops one field and adds one per file, and compare.mjs must catch them.
import { sdkDump } from "./sdk-dump.mjs";

const [cmd, file, flag] = process.argv.slice(2);
if (cmd !== "inspect" || !file || flag !== "--json") {
    process.stderr.write("usage: fake-pliant.mjs inspect FILE --json\n");
    process.exit(2);
}
const d = sdkDump(file);
const out = { file, header: {}, crc_ok: d.errors.length === 0, warnings: d.errors, error: null, messages: d.messages };
if (process.env.FAKE_PLIANT_MUTATE === "1") {
    const m = out.messages.find((x) => Object.keys(x.fields).length >= 2);
    if (m) {
        const [k1, k2] = Object.keys(m.fields);
        m.fields[k1] = typeof m.fields[k1] === "number" ? m.fields[k1] * 1.001 + 1 : "mutated";
        delete m.fields[k2];
        m.fields.unknown_999 = 1;
    }
}
process.stdout.write(JSON.stringify(out));
