// fit-names.mjs - turn the FIT SDK's camelCase profile names into the
// snake_case names pliant uses (lib/formats/fitprofile.c, `pliant inspect`).
//
// The JavaScript SDK publishes every profile name (messages, fields,
// sub-fields, types and type values) in camelCase. We use one rule,
// applied the same way by the table generator and by any test that
// compares our decoder's output with the SDK's:
//
//   - a word starts at an uppercase letter that follows a lowercase letter
//     or a digit:            heartRate -> heart_rate, vo2Max -> vo2_max,
//                            edge1030Plus -> edge1030_plus
//   - in a run of capitals, the last capital starts a new word when a
//     lowercase letter follows it (an acronym, then a word):
//                            rGTCycling -> r_gt_cycling,
//                            hugATree -> hug_a_tree
//   - a capital after a leading digit run starts a word:
//                            3WayCalfRaise -> 3_way_calf_raise
//   - digits never start a word: they stay with what precedes them
//                            time256 -> time256, speed1s -> speed1s
//   - everything is lowercased; existing underscores are kept and never
//     doubled:               foretrex601_701 -> foretrex601_701
//
// The rule cannot always give back the spelling of Garmin's Profile.xlsx
// (the SDK lost the underscores before digits), but it is total, stable and
// has no collisions in profile 21.217.0 (the generator checks that).

const isUpper = (c) => c >= "A" && c <= "Z";
const isLower = (c) => c >= "a" && c <= "z";
const isDigit = (c) => c >= "0" && c <= "9";

export function fitName(camel) {
    let out = "";
    for (let i = 0; i < camel.length; i++) {
        const c = camel[i];
        const prev = i > 0 ? camel[i - 1] : "";
        const next = i + 1 < camel.length ? camel[i + 1] : "";
        if (isUpper(c) && prev !== "" && prev !== "_") {
            const afterWord = isLower(prev) || isDigit(prev);
            const endsAcronym = isUpper(prev) && isLower(next);
            if (afterWord || endsAcronym)
                out += "_";
        }
        out += c.toLowerCase();
    }
    return out;
}

export default fitName;
