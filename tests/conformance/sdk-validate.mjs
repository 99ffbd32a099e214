// sdk-validate.mjs - decode every .fit file in a folder with Garmin's
// official FIT SDK for JavaScript and fail when any has an error.
//
//   node tests/conformance/sdk-validate.mjs DIR [DIR...]
//
// For each file: the SDK's isFIT() and checkIntegrity() (header and file
// CRCs, sizes) must pass and read() must return no errors. Activity files
// get a few cross-checks by the SDK's own decoding, independent of ours:
// the session's distance is the last record's, the laps' timer times add
// up to the session's, and the activity message carries a local timestamp.
//
// The SDK is looked up in build/node/node_modules/@garmin/fitsdk (override
// the prefix with PLIANT_NODE_PREFIX) and installed there with npm when
// absent. Exit status: 0 all good, 1 some file failed, 2 usage, 77 the SDK
// cannot be had (the test harness counts that as skipped).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SDK_VERSION = "21.217.0";
const here = dirname(fileURLToPath(import.meta.url));
const prefix = resolve(process.env.PLIANT_NODE_PREFIX ?? join(here, "..", "..", "build", "node"));
const sdkDir = join(prefix, "node_modules", "@garmin", "fitsdk");

function loadSdk() {
    if (!existsSync(join(sdkDir, "package.json"))) {
        console.error(`sdk-validate: installing @garmin/fitsdk@${SDK_VERSION} into ${prefix}`);
        try {
            execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", prefix,
                `@garmin/fitsdk@${SDK_VERSION}`], { stdio: ["ignore", "ignore", "inherit"] });
        } catch (e) {
            console.error(`sdk-validate: skipped: cannot install the FIT SDK (${e.message})`);
            process.exit(77);
        }
    }
    const pkg = JSON.parse(readFileSync(join(sdkDir, "package.json"), "utf8"));
    return import(pathToFileURL(join(sdkDir, pkg.main ?? "src/index.js")).href);
}

function fitFiles(dir) {
    return readdirSync(dir)
        .filter((name) => name.toLowerCase().endsWith(".fit"))
        .sort()
        .map((name) => join(dir, name))
        .filter((path) => statSync(path).isFile());
}

// Cross-checks of an activity file's summaries against its records.
function checkActivity(messages) {
    const problems = [];
    const records = messages.recordMesgs ?? [];
    const sessions = messages.sessionMesgs ?? [];
    const laps = messages.lapMesgs ?? [];
    if (records.length === 0) problems.push("no record messages");
    if (sessions.length !== 1) problems.push(`${sessions.length} session messages`);
    if ((messages.activityMesgs ?? []).length !== 1) problems.push("no activity message");
    if (problems.length) return problems;
    const session = sessions[0];
    const lastDistance = records[records.length - 1].distance;
    if (Math.abs(session.totalDistance - lastDistance) > 0.011)
        problems.push(`session distance ${session.totalDistance} != last record ${lastDistance}`);
    const lapTimer = laps.reduce((sum, lap) => sum + lap.totalTimerTime, 0);
    if (Math.abs(lapTimer - session.totalTimerTime) > 0.002 * laps.length)
        problems.push(`laps' timer ${lapTimer} != session's ${session.totalTimerTime}`);
    if (laps.length !== session.numLaps)
        problems.push(`${laps.length} laps but num_laps ${session.numLaps}`);
    if (messages.activityMesgs[0].localTimestamp == null)
        problems.push("activity has no local_timestamp");
    return problems;
}

function validate(sdk, path) {
    const stream = sdk.Stream.fromByteArray(readFileSync(path));
    const decoder = new sdk.Decoder(stream);
    if (!decoder.isFIT()) return ["not a FIT file"];
    if (!decoder.checkIntegrity()) return ["integrity check failed (size or CRC)"];
    const { messages, errors } = decoder.read();
    const problems = errors.map((e) => `decode error: ${e.message}`);
    const fileType = messages.fileIdMesgs?.[0]?.type;
    if (fileType === undefined) problems.push("no file_id message");
    if (fileType === "activity") problems.push(...checkActivity(messages));
    return problems;
}

async function main() {
    const dirs = process.argv.slice(2);
    if (dirs.length === 0) {
        console.error("usage: node sdk-validate.mjs DIR [DIR...]");
        process.exit(2);
    }
    const sdk = await loadSdk();
    let files = 0, failed = 0;
    for (const dir of dirs) {
        for (const path of fitFiles(dir)) {
            files++;
            const problems = validate(sdk, path);
            if (problems.length) {
                failed++;
                console.log(`FAIL ${path}: ${problems.join("; ")}`);
            }
        }
    }
    if (files === 0) {
        console.log("sdk-validate: no .fit files found");
        process.exit(1);
    }
    console.log(`sdk-validate: ${files - failed} of ${files} files decode cleanly with @garmin/fitsdk ${SDK_VERSION}`);
    process.exit(failed ? 1 : 0);
}

main();
