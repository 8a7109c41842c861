// The dashboard's script, part 1 (dashboard.py SCRIPTS joins the parts in one function):
// what every part uses.  Every string from the data is hostile: it reaches the page only
// through textContent, setAttribute or createTextNode, and a link only through safeHref.
const SVG = "http://www.w3.org/2000/svg";
const OUTCOMES = ["passed", "failed", "waived", "error", "skipped", "cached"];
const SYMBOL = {
  passed: "\u2713", failed: "\u2717", waived: "\u2248", error: "!",
  skipped: "\u2013", cached: "\u21ba", pending: "\u2026",
};
// A gate's trail: one letter a run (dashboard.py TRAIL_LETTERS); "-" the run had no such gate.
const TRAIL = { p: "passed", f: "failed", w: "waived", e: "error", s: "skipped", c: "cached" };
const SEP = "\u0000";

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function shape(tag, attrs, title) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  if (title) node.appendChild(document.createElementNS(SVG, "title")).textContent = title;
  return node;
}
function seconds(value) {
  return value >= 10 ? value.toFixed(0) + " s" : value.toFixed(2) + " s";
}
function when(iso) {
  const date = new Date(iso);
  return isNaN(date) ? String(iso) : date.toISOString().replace("T", " ").slice(0, 19) + " UTC";
}
function counts(tally) {
  return OUTCOMES.filter((o) => tally[o]).map((o) => tally[o] + " " + o).join(", ") || "no gates";
}
function plural(n, noun) {
  return n + " " + noun + (n === 1 ? "" : "s");
}
const key = (gate) => gate.repo + SEP + gate.check;
// A run without an end in the history: killed ("interrupted"), or still going.
const unfinished = (run) => run.status === "interrupted" || run.status === "running";
function ended(run) {
  if (run.status === "interrupted") return "interrupted after " + seconds(run.duration) + " (no end recorded)";
  if (run.status === "running") return "still running, " + seconds(run.duration) + " so far";
  return seconds(run.duration) + ", exit status " + run.exit_status;
}
const statusNote = (run) => (unfinished(run) ? " (" + run.status + ")" : "");

// A link from the data (a finding's place on the forge, built in dashboard.py) is followed
// only as an absolute http(s) URL without credentials: never javascript:, data: or a path
// relative to the page, whatever a hand-edited history holds.
function safeHref(value) {
  if (typeof value !== "string" || !value) return null;
  let url;
  try { url = new URL(value); } catch (error) { return null; }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password) return null;
  return url.href;
}
