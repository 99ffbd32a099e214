// sdk-workouts.mjs - print what Garmin's official FIT SDK reads in FIT
// workout files, one line per workout and per step, for tests to compare:
//
//   node tests/conformance/sdk-workouts.mjs FILE.fit...
//
//   <file type> <workout name> <sport> <number of valid steps>
//   <step name>|<duration type>|<duration, s>|<notes>
//
// Run sdk-validate.mjs first: it installs the SDK into build/node (or
// $PLIANT_NODE_PREFIX) when absent. Exit status: 0, 1 when a file has
// decoding errors, 77 when the SDK is not there.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const prefix = resolve(process.env.PLIANT_NODE_PREFIX ?? join(here, "..", "..", "build", "node"));
const sdkDir = join(prefix, "node_modules", "@garmin", "fitsdk");
if (!existsSync(join(sdkDir, "package.json"))) {
    console.error(`sdk-workouts: no FIT SDK in ${sdkDir}`);
    process.exit(77);
}
const pkg = JSON.parse(readFileSync(join(sdkDir, "package.json"), "utf8"));
const sdk = await import(pathToFileURL(join(sdkDir, pkg.main ?? "src/index.js")).href);
let bad = 0;
for (const path of process.argv.slice(2)) {
    const decoder = new sdk.Decoder(sdk.Stream.fromByteArray(readFileSync(path)));
    if (!decoder.checkIntegrity()) {
        console.log(`FAIL ${path}: integrity`);
        bad++;
        continue;
    }
    const { messages, errors } = decoder.read();
    if (errors.length) {
        console.log(`FAIL ${path}: ${errors.map((e) => e.message).join("; ")}`);
        bad++;
        continue;
    }
    const w = messages.workoutMesgs?.[0] ?? {};
    console.log(`${messages.fileIdMesgs?.[0]?.type} ${w.wktName} ${w.sport} ${w.numValidSteps}`);
    for (const s of messages.workoutStepMesgs ?? [])
        console.log(`${s.wktStepName}|${s.durationType}|${s.durationTime}|${s.notes ?? ""}`);
}
process.exit(bad ? 1 : 0);
