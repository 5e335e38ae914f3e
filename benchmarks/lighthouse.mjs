// Lighthouse (npm lighthouse, pinned in package.json) over a list of pages, in one Chrome.
//
//   node benchmarks/lighthouse.mjs JOBS.json
//
// JOBS.json: {"chrome": PATH, "flags": [...], "categories": [...],
//             "settings": {...}, "jobs": [{"name": ..., "url": ..., "preset": "mobile" | "desktop",
//             "settings": {...} | null}, ...]}   (a job's settings over the spec's)
//
// One Chrome is started and every job runs in it, one after the other (Lighthouse runs one
// page at a time per browser); benchmarks/lighthouse.py starts one such process per core.
// Prints one JSON object on stdout: for each job's name, its category scores, the audits
// that failed in the categories asked for (score below 1, or the audit could not run), and,
// when performance is asked for, the metrics and the page's requests.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as chromeLauncher from "chrome-launcher";
import lighthouse, { desktopConfig } from "lighthouse";

// Lighthouse writes every string of its report through intl-messageformat, whose
// constructor resolves the locale anew each time (Intl.NumberFormat.supportedLocalesOf):
// 1.2 s of the 7 s of CPU Lighthouse spent on the tests' six runs. What it answers
// depends on the locales asked for alone, so each is resolved once. (The module is
// Lighthouse's own, found from where Lighthouse is.)
const { IntlMessageFormat } = createRequire(import.meta.resolve("lighthouse"))(
  "intl-messageformat",
);
const resolveLocale = IntlMessageFormat.resolveLocale;
const resolvedLocales = new Map();
IntlMessageFormat.resolveLocale = function resolveOnce(locales) {
  const key = JSON.stringify(locales);
  if (!resolvedLocales.has(key)) resolvedLocales.set(key, resolveLocale(locales));
  return resolvedLocales.get(key);
};

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const SCORED = new Set(["binary", "numeric", "metricSavings"]);

function failures(lhr) {
  const failed = [];
  for (const id of spec.categories) {
    if (id === "performance") continue; // timing-based: reported, never judged
    for (const ref of lhr.categories[id].auditRefs) {
      const audit = lhr.audits[ref.id];
      const broken = audit.scoreDisplayMode === "error";
      if (!broken && !(SCORED.has(audit.scoreDisplayMode) && audit.score !== null && audit.score < 1)) {
        continue;
      }
      const items = (audit.details && audit.details.items) || [];
      failed.push({
        category: id,
        id: ref.id,
        title: audit.title,
        error: audit.errorMessage || null,
        items: items.slice(0, 5).map((item) =>
          (item.node && (item.node.selector || item.node.snippet)) || item.url || item.source?.url || item.description || JSON.stringify(item).slice(0, 200),
        ),
      });
    }
  }
  return failed;
}

function performance(lhr) {
  if (!lhr.categories.performance) return null;
  const requests = (lhr.audits["network-requests"].details?.items || []).map((item) => ({
    url: item.url,
    type: item.resourceType,
    transferSize: item.transferSize,
    resourceSize: item.resourceSize,
  }));
  return {
    score: lhr.categories.performance.score,
    lcp: lhr.audits["largest-contentful-paint"].numericValue,
    fcp: lhr.audits["first-contentful-paint"].numericValue,
    tbt: lhr.audits["total-blocking-time"].numericValue,
    cls: lhr.audits["cumulative-layout-shift"].numericValue,
    bytes: lhr.audits["total-byte-weight"].numericValue,
    requests,
  };
}

const chrome = await chromeLauncher.launch({ chromePath: spec.chrome, chromeFlags: spec.flags });
const results = {};
try {
  for (const job of spec.jobs) {
    const started = Date.now();
    const runner = await lighthouse(
      job.url,
      {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: spec.categories,
        ...(spec.settings || {}),
        ...(job.settings || {}),
      },
      job.preset === "desktop" ? desktopConfig : undefined,
    );
    const lhr = runner.lhr;
    results[job.name] = {
      url: job.url,
      preset: job.preset,
      finalUrl: lhr.finalDisplayedUrl,
      runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
      categories: Object.fromEntries(spec.categories.map((id) => [id, lhr.categories[id].score])),
      failed: failures(lhr),
      performance: performance(lhr),
      seconds: (Date.now() - started) / 1000,
    };
  }
} finally {
  await chrome.kill();
}
// Node would wait another 4.5 s before it ends: Lighthouse leaves timers behind (no
// handle of ours is open). The results are all there is to do: end once they are written.
process.stdout.write(JSON.stringify(results), () => process.exit(0));
