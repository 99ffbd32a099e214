// summary-browser.mjs - open the therapist's summary in headless Chromium
// (playwright-core driving Debian's /usr/bin/chromium) and check what a
// person would see: the page's text, the body map with its marked areas
// drawn and visible, the load chart, the program grid; then a screenshot
// (PNG) and a print to A4 PDF, which must be one page.
//
//   node tests/tools/summary-browser.mjs SUMMARY.html SHOT.png EXPECT.json
//
// EXPECT.json: {"texts": [...], "flagged": N, "warning": N, "chart": bool}
// Prints one line per check; exit 1 on the first failure, 77 when the
// browser cannot start here (not pliant's fault: the caller skips).
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [html, shot, expectPath] = process.argv.slice(2);
const prefix = process.env.PLIANT_NODE_PREFIX;
const require = createRequire(prefix + "/");
const { chromium } = require("playwright-core");
const expect = JSON.parse(readFileSync(expectPath, "utf8"));

function check(ok, what) {
    if (!ok) {
        console.log("FAIL: " + what);
        process.exit(1);
    }
    console.log("ok: " + what);
}

// A browser that cannot start on this machine (no /dev/shm, a sandbox) is
// not pliant's failure; under load a first start can also fail, so try
// three times before giving up.
let browser, lastError;
for (let attempt = 1; attempt <= 3 && !browser; attempt++) {
    try {
        browser = await chromium.launch({
            executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
            args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", "--disable-dev-shm-usage"],
            timeout: 120000,
        });
    } catch (e) {
        lastError = e;
        console.log(`chromium start ${attempt} failed: ${e.message}`);
        await new Promise((r) => setTimeout(r, 2000));
    }
}
if (!browser) {
    console.log("skip: chromium does not start here: " + String(lastError.message).split("\n")[0]);
    process.exit(77);
}
try {
    const page = await browser.newPage({ viewport: { width: 900, height: 1300 } });
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => { if (!r.url().startsWith("file:")) errors.push("fetched " + r.url()); });
    await page.goto(pathToFileURL(html).href, { waitUntil: "load" });

    const text = await page.innerText("main");
    for (const t of expect.texts)
        check(text.includes(t), "the page says " + JSON.stringify(t));
    check((await page.title()).startsWith("Self-screen summary"), "the title");

    // The body map: every marked area is drawn with a size, inside the map.
    const areas = await page.$$eval("svg.body-map path.area", (ps) => ps.map((p) => {
        const b = p.getBoundingClientRect();
        const m = p.closest("svg").getBoundingClientRect();
        return { cls: p.getAttribute("class"), w: b.width, h: b.height,
                 inside: b.left >= m.left && b.right <= m.right && b.top >= m.top && b.bottom <= m.bottom,
                 fill: getComputedStyle(p).fill };
    }));
    const flagged = areas.filter((a) => a.cls.includes("flagged"));
    const warning = areas.filter((a) => a.cls.includes("warning"));
    check(flagged.length === expect.flagged, `${expect.flagged} flagged areas drawn (found ${flagged.length})`);
    check(warning.length === expect.warning, `${expect.warning} warning areas drawn (found ${warning.length})`);
    check(areas.every((a) => a.w > 4 && a.h > 4 && a.inside), "each area has a size and sits on the map");
    check(areas.every((a) => a.fill !== "none" && a.fill !== "rgb(0, 0, 0)"), "each area is filled in its colour");
    const legend = await page.$$eval("figure.map .legend li", (ls) => ls.length);
    check(legend === expect.flagged + expect.warning, "the legend names every mark");
    const figures = await page.$$eval("svg.body-map .view-name", (ts) => ts.map((t) => t.textContent));
    check(figures.join(",") === "Front,Back", "a front and a back figure");

    const chart = await page.$$eval(".chart svg", (s) => s.map((e) => e.getBoundingClientRect().width));
    check(expect.chart ? chart.length === 1 && chart[0] > 400 : chart.length === 0, "the load chart");
    check(errors.length === 0, "no errors and nothing fetched: " + errors.join("; "));

    await page.screenshot({ path: shot, fullPage: true });
    check(readFileSync(shot).length > 30000, "a screenshot with a picture in it");

    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    writeFileSync(shot.replace(/\.png$/, ".pdf"), pdf);
    const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
    check(pages === 1, `prints on one A4 page (${pages})`);
} finally {
    await browser.close();
}
