// Focus This Week: the archive's search page (search.html?q=TERMS&year=YYYY&topic=SLUG&sort=newest).
//
// It queries the Pagefind index that the build writes into pagefind/ (newsletter/search.py)
// and downloads only what one query needs: Pagefind's code, the index chunks of the query's
// words, and the text of the ten results it shows ("More results" fetches ten more).
//
// What a query means, on top of Pagefind:
// - every word must appear, as a word or the beginning of one (Greenl finds Greenland);
//   Pagefind would silently drop a word it cannot find, or replace it by a shorter word
//   (word7 by word), so a word that no result contains means "no result";
// - "a phrase in quotes" must appear as written; phrases and words can be mixed;
// - case and accents do not matter; symbols such as $ are ignored ($900.6 finds 900.6);
// - an issue matches by its text only, never by its date or number alone.

const PAGE_SIZE = 10;
const EXCERPT_WORDS = 40;

const root = document.getElementById("ftw-search");
const form = root.querySelector("form");
const fields = form.elements;
const status = document.getElementById("ftw-s-status");
const list = document.getElementById("ftw-s-results");
const more = document.getElementById("ftw-s-more");
// the index is one Pagefind bundle per year, newest first (newsletter/outputs/search/parts.py)
const bundle = new URL(root.dataset.bundle.replace(/\/?$/, "/"), window.location.href);
const siteRoot = new URL("..", bundle);
const parts = (root.dataset.parts || "").split(" ").filter(Boolean);

const baseTitle = document.title;
let pagefindLoading = null;
let generation = 0;

// -- the query -------------------------------------------------------------------

/** Lower case, without accents: how words are compared. */
const fold = (text) => text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

/** The words of a text as Pagefind sees them: runs of letters and digits. */
const wordsOf = (text) => fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** Symbols ($, €, +, ...) are not indexed; Pagefind would look for them and find nothing. */
const withoutSymbols = (text) => text.replace(/\p{S}/gu, " ").replace(/\s+/g, " ").trim();

/** The phrases (in straight or curly double quotes) and the other words of a query. */
function parseQuery(query) {
  const phrases = [];
  const rest = query.replace(/["“”„]([^"“”„]*)["“”„]/g, (_, phrase) => {
    phrases.push(phrase);
    return " ";
  });
  const clean = (items) => items.map(withoutSymbols).filter((item) => wordsOf(item).length);
  return {
    phrases: clean(phrases),
    words: clean(rest.replace(/["“”„]/g, " ").split(/\s+/)),
  };
}

function readState(url) {
  const params = new URL(url).searchParams;
  return {
    q: params.get("q") || "",
    year: params.get("year") || "",
    topic: params.get("topic") || "",
    sort: params.get("sort") === "newest" ? "newest" : "",
  };
}

function stateURL(state) {
  const url = new URL(window.location.href);
  url.search = "";
  for (const key of ["q", "year", "topic", "sort"]) {
    if (state[key]) url.searchParams.set(key, state[key]);
  }
  return url;
}

function formState() {
  return {
    q: fields.q.value,
    year: fields.year.value,
    topic: fields.topic.value,
    sort: fields.sort.value,
  };
}

function showState(state) {
  fields.q.value = state.q;
  for (const key of ["year", "topic", "sort"]) {
    const select = fields[key];
    select.value = state[key];
    if (select.value !== state[key]) {
      select.value = ""; // a year or topic this archive does not have
    }
  }
}

// -- searching -------------------------------------------------------------------

function loadPagefind() {
  if (!pagefindLoading) {
    const part = (year) => new URL(`${year}/`, bundle);
    pagefindLoading = (parts.length
      ? import(new URL("pagefind.js", part(parts[0])).href)
      : Promise.reject(new Error("no index"))
    ).then(async (pagefind) => {
      // searching on the page itself spares the worker script (41 kB) and is as fast here
      await pagefind.options({ baseUrl: siteRoot.pathname, noWorker: true });
      // the other years join the newest one's: their metadata now, their words when asked
      await Promise.all(parts.slice(1).map((year) => pagefind.mergeIndex(part(year).pathname)));
      return pagefind;
    });
    pagefindLoading.catch(() => {
      pagefindLoading = null;
    });
  }
  return pagefindLoading;
}

const quoted = (phrase) => `"${phrase}"`;

/** One Pagefind search in one year's bundle (the year filter keeps the others out). */
const inYear = (pagefind, term, options, year) =>
  pagefind.search(term, { ...options, filters: { ...options.filters, year } });

/** Results matched by the issue's text (not only by its date or number metadata). */
const byText = (results) => results.filter((result) => result.words && result.words.length);

/** Does the text of a result hold every word of ``word``, as a word or its beginning? */
function holds(result, word) {
  const present = wordsOf(result.content);
  return wordsOf(word).every((part) => present.some((candidate) => candidate.startsWith(part)));
}

/**
 * The results of a query in one year's bundle, each with its matched locations; [] when a
 * word of the query is in none of that year's issues.
 */
async function findInYear(pagefind, query, options, year) {
  const { phrases, words } = query;
  const searches = [];
  if (words.length) searches.push(inYear(pagefind, words.join(" "), options, year));
  for (const phrase of phrases) searches.push(inYear(pagefind, quoted(phrase), options, year));
  const found = (await Promise.all(searches)).map((search) => byText(search.results));
  // an issue must be found by every search; the first search orders them
  const [first, ...others] = found;
  const othersById = others.map((results) => new Map(results.map((r) => [r.id, r])));
  const matches = first
    .filter((result) => othersById.every((ids) => ids.has(result.id)))
    .map((result) => ({ result, extra: othersById.map((ids) => ids.get(result.id)) }));
  if (!matches.length || !words.length) return matches;
  // Pagefind replaces a word it cannot find in a bundle by a shorter one, or drops it: then
  // no issue of that year holds it. A word counts if the year's best result holds it (or
  // its beginning), or if the year's bundle has the word itself (Pagefind's exact search,
  // which also matches its other forms).
  const best = await matches[0].result.data();
  for (const word of words) {
    if (holds(best, word)) continue;
    const exact = await inYear(pagefind, quoted(word), options, year);
    if (!byText(exact.results).length) return [];
  }
  return matches;
}

/**
 * The results of a query, best first (or newest first), each with its matched locations.
 * Returns [] when a word of the query is in no issue.
 *
 * The index is one bundle per year, and each year is asked on its own: a year that lacks a
 * word answers with what only begins like it, where one index of the whole archive would
 * answer with the years that have it; and Pagefind scores a sorted result by its place in
 * its own year. Newest first is each year's results in turn, the newest year first; best
 * first merges the years by Pagefind's score.
 */
async function find(pagefind, query, state) {
  const options = { filters: {}, sort: state.sort === "newest" ? { date: "desc" } : {} };
  if (state.topic) options.filters.topic = state.topic;
  const years = state.year ? [state.year] : parts;
  const { phrases, words } = query;
  if (!phrases.length && !words.length) {
    const sorted = { ...options, sort: { date: "desc" } };
    const listed = await Promise.all(years.map((year) => inYear(pagefind, null, sorted, year)));
    return listed.flatMap((search) => search.results).map((result) => ({ result, extra: [] }));
  }
  const found = (
    await Promise.all(years.map((year) => findInYear(pagefind, query, options, year)))
  ).flat();
  return state.sort === "newest" ? found : found.sort((a, b) => b.result.score - a.result.score);
}

// -- showing ---------------------------------------------------------------------

const escapeHTML = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/**
 * An excerpt of an issue's text around its matched words (Pagefind's word locations, of all
 * the searches of a mixed query), with them marked. The title, which opens the indexed text,
 * is shown above the excerpt: the excerpt comes from the text after it.
 */
function excerpt(data, locations) {
  const words = data.content.split(/\s+/);
  const title = data.meta && data.meta.title ? `${data.meta.title}.` : "";
  const titleWords = title && data.content.startsWith(title) ? title.split(/\s+/).length : 0;
  const marked = new Set(locations);
  const inText = [...marked].filter((l) => l >= titleWords).sort((a, b) => a - b);
  const last = Math.max(titleWords, words.length - EXCERPT_WORDS);
  let start = titleWords;
  let most = 0;
  for (const location of inText) {
    const from = Math.min(Math.max(titleWords, location - 6), last);
    const count = inText.filter((l) => l >= from && l < from + EXCERPT_WORDS).length;
    if (count > most) [start, most] = [from, count];
  }
  const shown = words
    .slice(start, start + EXCERPT_WORDS)
    .map((word, i) => (marked.has(start + i) ? `<mark>${escapeHTML(word)}</mark>` : escapeHTML(word)));
  return `${start > titleWords ? "… " : ""}${shown.join(" ")}${start + EXCERPT_WORDS < words.length ? " …" : ""}`;
}

function highlightTerms(query) {
  return [...query.words, ...query.phrases].join(" ");
}

async function resultItem(match, query) {
  const data = await match.result.data();
  const extras = await Promise.all(match.extra.map((r) => r.data()));
  const locations = [...data.locations, ...extras.flatMap((d) => d.locations)];
  const url = new URL(data.url, window.location.href);
  const terms = highlightTerms(query);
  if (terms) url.searchParams.set("highlight", terms);
  const meta = data.meta || {};
  const item = document.createElement("li");
  item.className = "ftw-s-result";
  item.innerHTML =
    `<h2 class="ftw-s-heading"><span class="ftw-s-number">No. ${escapeHTML(meta.number || "?")}</span>` +
    ` · <span class="ftw-s-date">${escapeHTML(meta.date || "")}</span>` +
    ` · <a class="ftw-s-title" href="${escapeHTML(url.href)}">${escapeHTML(meta.title || data.url)}</a></h2>` +
    `<p class="ftw-s-excerpt">${excerpt(data, locations)}</p>`;
  return item;
}

function describe(state) {
  const parts = [];
  if (state.q.trim()) parts.push(`“${state.q.trim()}”`);
  if (state.year) parts.push(`in ${state.year}`);
  if (state.topic) {
    const option = [...fields.topic.options].find((o) => o.value === state.topic);
    parts.push(`on ${option ? option.textContent : state.topic}`);
  }
  return parts.join(" ");
}

function setStatus(html, kind = "") {
  status.className = `ftw-s-status ${kind}`.trim();
  status.innerHTML = html;
}

function noResult(state) {
  const topics = escapeHTML(root.dataset.topicsPage);
  const narrowed = state.year || state.topic;
  let html = `No issue matches ${escapeHTML(describe(state))}.`;
  if (narrowed && state.q.trim()) {
    const wider = stateURL({ q: state.q, year: "", topic: "", sort: state.sort });
    html += ` <a href="${escapeHTML(wider.href)}">Search all years and topics</a>, or`;
  } else {
    html += " Check the spelling or use fewer words, or";
  }
  html += ` <a href="${topics}">browse the topics</a>.`;
  setStatus(html, "ftw-s-none");
}

async function showPage(run, matches, query, from) {
  root.setAttribute("aria-busy", "true");
  let items;
  try {
    items = await Promise.all(
      matches.slice(from, from + PAGE_SIZE).map((match) => resultItem(match, query)),
    );
  } catch (error) {
    console.error(error);
    items = [];
    setStatus("Some results could not be loaded. Please try again.", "ftw-s-none");
  }
  if (run !== generation) return;
  list.append(...items);
  root.setAttribute("aria-busy", "false");
  more.hidden = from + PAGE_SIZE >= matches.length;
  more.onclick = () => showPage(run, matches, query, from + PAGE_SIZE);
}

async function search(state) {
  const run = ++generation;
  root.setAttribute("aria-busy", "true");
  try {
    await searchAndShow(run, state);
  } finally {
    if (run === generation) root.setAttribute("aria-busy", "false");
  }
}

async function searchAndShow(run, state) {
  list.replaceChildren();
  more.hidden = true;
  const query = parseQuery(state.q);
  if (!query.words.length && !query.phrases.length && !state.year && !state.topic) {
    setStatus("");
    return;
  }
  setStatus("Searching…", "ftw-s-busy");
  let matches;
  try {
    const pagefind = await loadPagefind();
    matches = await find(pagefind, query, state);
  } catch (error) {
    if (run !== generation) return;
    console.error(error);
    const topics = escapeHTML(root.dataset.topicsPage);
    setStatus(
      `Search is not available: its index could not be loaded. ` +
        `<a href="${topics}">Browse the topics</a> instead.`,
      "ftw-s-none",
    );
    return;
  }
  if (run !== generation) return;
  if (!matches.length) {
    noResult(state);
    return;
  }
  const count = matches.length;
  const issues = `${count} issue${count === 1 ? "" : "s"}`;
  const searched = query.words.length || query.phrases.length;
  const verb = searched ? (count === 1 ? " matches " : " match ") : " ";
  const order = !searched || state.sort === "newest" ? ", newest first" : "";
  setStatus(escapeHTML(`${issues}${verb}${describe(state)}${order}.`), "ftw-s-found");
  await showPage(run, matches, query, 0);
}

// -- wiring ----------------------------------------------------------------------

function go(state, how) {
  const url = stateURL(state);
  if (url.href !== window.location.href) window.history[how]({}, "", url);
  document.title = state.q.trim() ? `${state.q.trim()} - ${baseTitle}` : baseTitle;
  search(state);
}

let typing = null;
fields.q.addEventListener("input", () => {
  window.clearTimeout(typing);
  typing = window.setTimeout(() => go(formState(), "replaceState"), 250);
});
fields.q.addEventListener("focus", () => loadPagefind().catch(() => {}), { once: true });
for (const name of ["year", "topic", "sort"]) {
  fields[name].addEventListener("change", () => go(formState(), "pushState"));
}
form.addEventListener("submit", (event) => {
  event.preventDefault();
  window.clearTimeout(typing);
  go(formState(), "pushState");
});
window.addEventListener("popstate", () => {
  const state = readState(window.location.href);
  showState(state);
  search(state);
});
document.addEventListener("keydown", (event) => {
  const shortcut = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k";
  const typingElsewhere = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement?.tagName);
  const slash = event.key === "/" && !typingElsewhere;
  if (shortcut || slash) {
    event.preventDefault();
    fields.q.focus();
    fields.q.select();
  }
});

const initial = readState(window.location.href);
showState(initial);
if (!initial.q) fields.q.focus();
go(initial, "replaceState");
