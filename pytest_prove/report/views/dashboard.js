// The dashboard's script, part 4: the page itself (dashboard.py).  Parts 1-3 give the
// helpers, the matrix and the charts.
const begun = performance.now();
const data = JSON.parse(document.getElementById("prove-data").textContent);
const app = document.getElementById("app");
const runs = data.runs;

// ---- state: the gates shown in the matrix, by repo and check
const gates = new Map();
let runId = data.latest ? data.latest.id : null;
for (const gate of data.latest ? data.latest.gates : []) gates.set(key(gate), gate);

// ---- header
const info = app.appendChild(el("p", { id: "run-info" }));
const live = app.appendChild(el("p", { id: "live", role: "status", "aria-live": "polite" }));
if (data.latest) {
  const run = data.latest;
  info.textContent = "Latest run " + run.id.slice(0, 12) + " on " + run.host + ", " +
    when(run.started) + ", " + ended(run) + ": " + counts(run.counts) + ".";
  info.title = run.command;
} else {
  info.textContent = "No runs recorded yet. Run the gates (prove orchestrate) to fill this page.";
}

// ---- the matrix
const status = app.appendChild(el("section", { "aria-labelledby": "status-title" }));
status.appendChild(el("h2", { id: "status-title" }, "Status"));
const matrix = makeMatrix(status, gates, runs, (gate) => {
  // A link to this gate: #gate=repo::check (names cannot contain "::").  A page shown in
  // a frame without an address of its own (srcdoc, some artifact viewers) keeps its address.
  try {
    history.replaceState(null, "", "#gate=" + encodeURIComponent(gate.repo + "::" + gate.check));
  } catch (error) { /* the gate is shown all the same */ }
  showGate(gate);
});

// ---- details of one gate
const details = app.appendChild(el("section", { id: "details", "aria-labelledby": "details-title", tabindex: "-1" }));
details.appendChild(el("h2", { id: "details-title" }, "Gate details"));
const detailsBody = details.appendChild(el("div"));
detailsBody.appendChild(el("p", {}, "Select a cell of the matrix to see the gate's findings."));

function place(finding) {
  const text = finding.file ? finding.file + (finding.line ? ":" + finding.line : "") : "";
  const href = safeHref(finding.url);
  if (!text || !href) return document.createTextNode(text);
  const link = el("a", { rel: "noopener noreferrer", title: "Open on the forge at the gate's head commit" }, text);
  link.href = href;
  return link;
}

function showGate(gate) {
  if (!gate) return;
  const parts = [el("h3", {}, gate.repo + " :: " + gate.check)];
  const facts = el("dl");
  const rows = [["Outcome", gate.outcome], ["Duration", gate.duration === undefined ? "" : seconds(gate.duration)],
    ["Summary", gate.summary], ["Reason", gate.reason], ["Mode", gate.mode], ["Base", gate.base],
    ["Head", gate.head]];
  for (const [name, value] of rows) {
    if (!value) continue;
    facts.appendChild(el("dt", {}, name));
    facts.appendChild(el("dd", {}, value));
  }
  parts.push(facts);
  const findings = gate.findings || [];
  if (findings.length) {
    const scroll = el("div", { class: "findings-wrap" });
    const list = scroll.appendChild(el("table", { class: "findings" }));
    const total = findings.length + (gate.more_findings || 0);
    list.appendChild(el("caption", {}, findings.length + (gate.more_findings ? " of " + total : "") +
      (total === 1 ? " finding" : " findings")));
    const head = list.appendChild(el("thead")).appendChild(el("tr"));
    for (const name of ["Severity", "Rule", "Location", "Message"]) head.appendChild(el("th", { scope: "col" }, name));
    const body = list.appendChild(el("tbody"));
    for (const finding of findings) {
      const row = body.appendChild(el("tr"));
      row.appendChild(el("td", { class: "sev-" + String(finding.severity).replace(/[^a-z]/g, "") }, finding.severity));
      row.appendChild(el("td", {}, finding.rule));
      row.appendChild(el("td", { class: "loc" })).appendChild(place(finding));
      row.appendChild(el("td", {}, finding.message));
    }
    parts.push(scroll);
  } else if (gate.outcome !== "pending") {
    parts.push(el("p", {}, "No findings."));
  }
  detailsBody.replaceChildren(...parts);
  details.focus();
}

// ---- charts and runs
drawTrends(app, runs, data.latest ? data.latest.gates : []);
listRuns(app, runs);

// ---- live updates (prove status --dashboard)
let sawRunning = false;
function applyLive(state) {
  if (!Array.isArray(state.gates)) return;
  let rebuild = false;
  if (state.run !== runId) {
    runId = state.run;
    for (const [k, gate] of gates) gates.set(k, { repo: gate.repo, check: gate.check, outcome: "pending",
      summary: "", reason: "waiting for this run", findings: [], more_findings: 0, trail: gate.trail });
  }
  let done = 0;
  for (const gate of state.gates) {
    if (!gate || typeof gate.repo !== "string" || typeof gate.check !== "string") continue;
    if (!Array.isArray(gate.findings)) gate.findings = [];
    gate.more_findings = Number(gate.more_findings) || 0;
    done += 1;
    const before = gates.get(key(gate));
    if (!before) rebuild = true;
    gate.trail = before ? before.trail : "";  // the trail is the page's history, not this run's
    gates.set(key(gate), gate);
  }
  if (!state.running) {
    // Gates the finished run did not include were not run: they leave the matrix.
    for (const [k, gate] of gates) if (gate.outcome === "pending") { gates.delete(k); rebuild = true; }
  }
  if (rebuild) matrix.rebuild();
  else matrix.render();
  const gatesDone = plural(done, "gate");
  const run = "Run " + String(state.run).slice(0, 12);
  live.textContent = state.running
    ? run + " in progress: " + gatesDone + " finished."
    : state.interrupted
      ? run + " was interrupted (its process is gone): " + gatesDone + " finished. Reload the page for updated trends."
      : run + " finished: " + gatesDone + ". Reload the page for updated trends.";
}
function poll() {
  fetch(data.live_url, { cache: "no-store" })
    .then((response) => (response.ok ? response.json() : null))
    .then((state) => {
      let delay = 10000;
      if (state && typeof state === "object") {
        if (state.running) {
          applyLive(state);
          sawRunning = true;
          delay = 2000;
        } else if (sawRunning) {
          applyLive(state);
          sawRunning = false;
        }
      }
      setTimeout(poll, delay);
    })
    .catch(() => setTimeout(poll, 10000));
}

matrix.rebuild();
const linked = /^#gate=(.*)$/.exec(location.hash);
if (linked) {
  let name = "";
  try { name = decodeURIComponent(linked[1]); } catch (error) { name = ""; }
  const at = name.lastIndexOf("::");
  const gate = at > 0 ? gates.get(name.slice(0, at) + SEP + name.slice(at + 2)) : undefined;
  if (gate) {
    matrix.reveal(gate.repo);
    showGate(gate);
  }
}
if (data.live_url) poll();
app.setAttribute("aria-busy", "false");
app.dataset.ready = "true";
app.dataset.renderMs = String(Math.round(performance.now() - begun));
// For bench/dashboard.py: milliseconds from navigation to a loaded, laid-out page.
addEventListener("load", () => {
  void document.body.offsetHeight;
  app.dataset.loadedMs = String(Math.round(performance.now()));
});
