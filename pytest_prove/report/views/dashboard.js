// The dashboard's script (see dashboard.py).  Every string from the data is hostile:
// it only ever reaches the page through textContent, setAttribute or createTextNode.
(function () {
  "use strict";
  const begun = performance.now();
  const data = JSON.parse(document.getElementById("prove-data").textContent);
  const app = document.getElementById("app");
  const SVG = "http://www.w3.org/2000/svg";
  const OUTCOMES = ["passed", "failed", "waived", "error", "skipped", "cached"];
  const SYMBOL = {
    passed: "\u2713", failed: "\u2717", waived: "\u2248", error: "!",
    skipped: "\u2013", cached: "\u21ba", pending: "\u2026",
  };
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
  const key = (gate) => gate.repo + SEP + gate.check;
  // A run without an end in the history: killed ("interrupted"), or still going.
  const unfinished = (run) => run.status === "interrupted" || run.status === "running";
  function ended(run) {
    if (run.status === "interrupted") return "interrupted after " + seconds(run.duration) + " (no end recorded)";
    if (run.status === "running") return "still running, " + seconds(run.duration) + " so far";
    return seconds(run.duration) + ", exit status " + run.exit_status;
  }
  const statusNote = (run) => (unfinished(run) ? " (" + run.status + ")" : "");

  // ---- state: the gates shown in the matrix, by repo and check
  const gates = new Map();
  let runId = data.latest ? data.latest.id : null;
  for (const gate of data.latest ? data.latest.gates : []) gates.set(key(gate), gate);

  // ---- header
  const info = app.appendChild(el("p", { id: "run-info" }));
  const live = app.appendChild(el("p", { id: "live", role: "status", "aria-live": "polite" }));
  function describeRun() {
    const run = data.latest;
    if (!run) {
      info.textContent = "No runs recorded yet. Run the gates (prove orchestrate) to fill this page.";
      return;
    }
    info.textContent = "Latest run " + run.id.slice(0, 12) + " on " + run.host + ", " +
      when(run.started) + ", " + ended(run) + ": " + counts(run.counts) + ".";
    info.title = run.command;
  }
  describeRun();

  // ---- filters
  const status = app.appendChild(el("section", { "aria-labelledby": "status-title" }));
  status.appendChild(el("h2", { id: "status-title" }, "Status"));
  const filters = status.appendChild(el("form", { class: "filters", role: "search" }));
  filters.addEventListener("submit", (event) => event.preventDefault());
  function field(label, control) {
    const wrap = filters.appendChild(el("label"));
    wrap.appendChild(document.createTextNode(label + " "));
    wrap.appendChild(control);
    control.addEventListener("input", applyFilters);
    return control;
  }
  const repoFilter = field("Repository", el("input", { type: "search", id: "filter-repo" }));
  const checkFilter = field("Check", el("select", { id: "filter-check" }));
  const outcomeFilter = field("Outcome", el("select", { id: "filter-outcome" }));
  for (const outcome of ["", ...OUTCOMES, "pending"]) {
    outcomeFilter.appendChild(el("option", { value: outcome }, outcome || "all"));
  }
  const shown = status.appendChild(el("p", { id: "shown", "aria-live": "polite" }));

  // ---- matrix
  const wrap = status.appendChild(el("div", { class: "matrix-wrap" }));
  let table = null;
  let cells = new Map();
  let checks = [];

  function paint(td, repo, check, gate) {
    const button = td.firstChild;
    const outcome = gate ? gate.outcome : "none";
    td.className = "o-" + outcome;
    td.dataset.outcome = outcome;
    if (!gate) return;
    const found = gate.findings.length + gate.more_findings;
    button.textContent = SYMBOL[outcome] + " " + outcome;
    button.setAttribute("aria-label", repo + ", " + check + ": " + outcome +
      (found ? ", " + found + " finding" + (found === 1 ? "" : "s") : ""));
    button.title = gate.summary || gate.reason || outcome;
  }

  function buildMatrix() {
    const repos = [...new Set([...gates.values()].map((g) => g.repo))].sort();
    checks = [...new Set([...gates.values()].map((g) => g.check))].sort();
    const selected = checkFilter.value;
    checkFilter.replaceChildren(el("option", { value: "" }, "all"));
    for (const check of checks) checkFilter.appendChild(el("option", { value: check }, check));
    checkFilter.value = checks.includes(selected) ? selected : "";
    cells = new Map();
    if (!repos.length) {
      wrap.replaceChildren(el("p", { class: "empty" }, "No gate results to show."));
      table = null;
      return;
    }
    table = el("table", { id: "matrix" });
    table.appendChild(el("caption", {}, "Outcome of each gate in the latest run: repositories by checks"));
    const head = table.appendChild(el("thead")).appendChild(el("tr"));
    head.appendChild(el("th", { scope: "col" }, "Repository"));
    checks.forEach((check) => head.appendChild(el("th", { scope: "col" }, check)));
    const body = table.appendChild(el("tbody"));
    for (const repo of repos) {
      const row = body.appendChild(el("tr"));
      row.dataset.repo = repo.toLowerCase();
      row.appendChild(el("th", { scope: "row" }, repo));
      for (const check of checks) {
        const gate = gates.get(repo + SEP + check);
        const td = row.appendChild(el("td"));
        if (gate) {
          td.appendChild(el("button", { type: "button" })).dataset.key = repo + SEP + check;
        } else {
          td.appendChild(el("span", { "aria-label": repo + ", " + check + ": not run" }, "\u2014"));
        }
        paint(td, repo, check, gate);
        cells.set(repo + SEP + check, td);
      }
    }
    table.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-key]");
      if (!button) return;
      const gate = gates.get(button.dataset.key);
      // A link to this gate: #gate=repo::check (names cannot contain "::").
      history.replaceState(null, "", "#gate=" + encodeURIComponent(gate.repo + "::" + gate.check));
      showGate(gate);
    });
    wrap.replaceChildren(table);
    applyFilters();
  }

  function applyFilters() {
    if (!table) return;
    const text = repoFilter.value.trim().toLowerCase();
    const check = checkFilter.value;
    const outcome = outcomeFilter.value;
    const column = check ? checks.indexOf(check) : -1;
    table.querySelectorAll("thead th").forEach((th, i) => {
      th.hidden = column >= 0 && i > 0 && i - 1 !== column;
    });
    let visible = 0;
    for (const row of table.tBodies[0].rows) {
      let match = !text || row.dataset.repo.includes(text);
      let any = !outcome;
      [...row.cells].slice(1).forEach((td, i) => {
        td.hidden = column >= 0 && i !== column;
        const fits = !outcome || td.dataset.outcome === outcome;
        td.classList.toggle("dim", !fits);
        if (fits && !td.hidden) any = true;
      });
      row.hidden = !(match && any);
      if (!row.hidden) visible += 1;
    }
    shown.textContent = visible + " of " + table.tBodies[0].rows.length + " repositories shown";
  }

  // ---- details of one gate
  const details = app.appendChild(el("section", { id: "details", "aria-labelledby": "details-title", tabindex: "-1" }));
  details.appendChild(el("h2", { id: "details-title" }, "Gate details"));
  const detailsBody = details.appendChild(el("div"));
  detailsBody.appendChild(el("p", {}, "Select a cell of the matrix to see the gate's findings."));

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
      const list = el("table", { class: "findings" });
      list.appendChild(el("caption", {}, findings.length + (gate.more_findings ? " of " +
        (findings.length + gate.more_findings) : "") + (findings.length + gate.more_findings === 1 ? " finding" : " findings")));
      const head = list.appendChild(el("thead")).appendChild(el("tr"));
      for (const name of ["Severity", "Rule", "Location", "Message"]) head.appendChild(el("th", { scope: "col" }, name));
      const body = list.appendChild(el("tbody"));
      for (const finding of findings) {
        const row = body.appendChild(el("tr"));
        row.appendChild(el("td", { class: "sev-" + String(finding.severity).replace(/[^a-z]/g, "") }, finding.severity));
        row.appendChild(el("td", {}, finding.rule));
        row.appendChild(el("td", { class: "loc" }, finding.file ? finding.file + (finding.line ? ":" + finding.line : "") : ""));
        row.appendChild(el("td", {}, finding.message));
      }
      parts.push(list);
    } else if (gate.outcome !== "pending") {
      parts.push(el("p", {}, "No findings."));
    }
    detailsBody.replaceChildren(...parts);
    details.focus();
  }

  // ---- charts
  const trends = app.appendChild(el("section", { class: "trends", "aria-labelledby": "trends-title" }));
  trends.appendChild(el("h2", { id: "trends-title" }, "Trends"));
  const W = 640, H = 200, PAD = 36;

  function figure(caption, label) {
    const fig = trends.appendChild(el("figure"));
    const chart = fig.appendChild(shape("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": label, class: "chart" }));
    fig.appendChild(el("figcaption", {}, caption));
    return chart;
  }
  function axes(chart, top, bottom) {
    chart.appendChild(shape("line", { x1: PAD, y1: H - PAD, x2: W - 8, y2: H - PAD, class: "axis" }));
    chart.appendChild(shape("line", { x1: PAD, y1: 8, x2: PAD, y2: H - PAD, class: "axis" }));
    chart.appendChild(shape("text", { x: PAD - 4, y: 14, class: "tick end" })).textContent = top;
    chart.appendChild(shape("text", { x: PAD - 4, y: H - PAD, class: "tick end" })).textContent = bottom;
  }
  const xAt = (i, n) => (n === 1 ? (PAD + W - 8) / 2 : PAD + 8 + (i * (W - PAD - 24)) / (n - 1));

  function passRateChart(runs) {
    const rated = runs.filter((r) => r.pass_rate !== null);
    const label = rated.length
      ? "Pass rate of the last " + runs.length + " runs, latest " + Math.round(rated[rated.length - 1].pass_rate * 100) + "%"
      : "No pass rate yet";
    const chart = figure("Pass rate per run: passed or cached gates among those not skipped (waived ones count against)", label);
    axes(chart, "100%", "0%");
    const y = (rate) => H - PAD - rate * (H - PAD - 14);
    const points = runs.map((r, i) => (r.pass_rate === null ? null : [xAt(i, runs.length), y(r.pass_rate), r]));
    const line = points.filter(Boolean).map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" ");
    if (line) chart.appendChild(shape("polyline", { points: line, class: "trend" }));
    for (const p of points.filter(Boolean)) {
      chart.appendChild(shape("circle", { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 3.5,
        class: unfinished(p[2]) ? "dot dot-open" : "dot" },
        when(p[2].started) + statusNote(p[2]) + ": " + Math.round(p[2].pass_rate * 100) + "% (" +
        counts(p[2].counts) + ")"));
    }
  }

  function durationChart(runs) {
    const top = Math.max(0.001, ...runs.map((r) => r.duration));
    const chart = figure("Wall-clock duration per run", "Duration of the last " + runs.length +
      " runs, longest " + seconds(top));
    axes(chart, seconds(top), "0 s");
    const slot = (W - PAD - 16) / Math.max(runs.length, 1);
    runs.forEach((r, i) => {
      const h = (r.duration / top) * (H - PAD - 14);
      chart.appendChild(shape("rect", { x: (PAD + 4 + i * slot).toFixed(1), y: (H - PAD - h).toFixed(1),
        width: Math.max(slot - 2, 1).toFixed(1), height: h.toFixed(1), class: unfinished(r) ? "bar bar-open" : "bar" },
        when(r.started) + ": " + ended(r)));
    });
  }

  function slowestChart(list) {
    const slow = [...list].filter((g) => g.duration > 0).sort((a, b) => b.duration - a.duration).slice(0, 10);
    if (!slow.length) return;
    const fig = trends.appendChild(el("figure"));
    const height = 22 * slow.length + 10;
    const chart = fig.appendChild(shape("svg", { viewBox: "0 0 " + W + " " + height, role: "img", class: "chart",
      "aria-label": "The " + slow.length + " slowest gates of the latest run; slowest " + slow[0].repo + " " +
      slow[0].check + " at " + seconds(slow[0].duration) }));
    fig.appendChild(el("figcaption", {}, "Slowest gates of the latest run"));
    slow.forEach((g, i) => {
      const width = (g.duration / slow[0].duration) * (W - 300);
      chart.appendChild(shape("text", { x: 4, y: 22 * i + 20, class: "tick" })).textContent = (g.repo + " :: " + g.check).slice(0, 40);
      chart.appendChild(shape("rect", { x: 220, y: 22 * i + 6, width: Math.max(width, 1).toFixed(1), height: 16, class: "bar o-" + g.outcome + "-bar" },
        g.repo + " :: " + g.check + ": " + seconds(g.duration)));
      chart.appendChild(shape("text", { x: 226 + width, y: 22 * i + 19, class: "tick" })).textContent = seconds(g.duration);
    });
  }

  if (data.runs.length) {
    passRateChart(data.runs);
    durationChart(data.runs);
    slowestChart(data.latest.gates);
  } else {
    trends.appendChild(el("p", { class: "empty" }, "No runs recorded yet: the charts appear after the first run."));
  }
  if (data.runs.some(unfinished)) {
    trends.appendChild(el("p", { class: "note" }, "Hollow points and bars: runs without an end in the history " +
      "(interrupted, or still running); they count the gates that finished."));
  }

  // ---- the runs, newest first
  if (data.runs.length) {
    const list = app.appendChild(el("details", { id: "runs" }));
    const interrupted = data.runs.filter((r) => r.status === "interrupted").length;
    list.appendChild(el("summary", {}, "Runs: " + data.runs.length +
      (interrupted ? ", " + interrupted + " interrupted" : "")));
    const runs = list.appendChild(el("ol", { class: "runs", reversed: "" }));
    for (const run of [...data.runs].reverse()) {
      const item = runs.appendChild(el("li", { title: run.command }));
      item.appendChild(document.createTextNode(when(run.started) + " \u00b7 " + run.id.slice(0, 12) + " on " +
        run.host + " \u00b7 "));
      item.appendChild(el("span", { class: "run-" + run.status }, unfinished(run) ? run.status : "exit status " +
        run.exit_status));
      item.appendChild(document.createTextNode(" \u00b7 " + seconds(run.duration) + " \u00b7 " + counts(run.counts)));
    }
  }

  // ---- live updates (prove status --dashboard)
  let sawRunning = false;
  function applyLive(state) {
    if (!Array.isArray(state.gates)) return;
    let rebuild = false;
    if (state.run !== runId) {
      runId = state.run;
      for (const [k, gate] of gates) gates.set(k, { repo: gate.repo, check: gate.check, outcome: "pending",
        summary: "", reason: "waiting for this run", findings: [], more_findings: 0 });
    }
    let done = 0;
    for (const gate of state.gates) {
      if (!gate || typeof gate.repo !== "string" || typeof gate.check !== "string") continue;
      if (!Array.isArray(gate.findings)) gate.findings = [];
      gate.more_findings = Number(gate.more_findings) || 0;
      done += 1;
      if (!gates.has(key(gate))) rebuild = true;
      gates.set(key(gate), gate);
    }
    if (!state.running) {
      // Gates the finished run did not include were not run: they leave the matrix.
      for (const [k, gate] of gates) if (gate.outcome === "pending") { gates.delete(k); rebuild = true; }
    }
    if (rebuild) {
      buildMatrix();
    } else {
      for (const [k, td] of cells) {
        const gate = gates.get(k);
        if (gate && td.dataset.outcome !== gate.outcome) paint(td, gate.repo, gate.check, gate);
      }
      applyFilters();
    }
    const gatesDone = done + " gate" + (done === 1 ? "" : "s");
    live.textContent = state.running
      ? "Run " + String(state.run).slice(0, 12) + " in progress: " + gatesDone + " finished."
      : state.interrupted
        ? "Run " + String(state.run).slice(0, 12) + " was interrupted (its process is gone): " + gatesDone +
          " finished. Reload the page for updated trends."
        : "Run " + String(state.run).slice(0, 12) + " finished: " + gatesDone + ". Reload the page for updated trends.";
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

  buildMatrix();
  const linked = /^#gate=(.*)$/.exec(location.hash);
  if (linked) {
    let name = "";
    try { name = decodeURIComponent(linked[1]); } catch (error) { name = ""; }
    const at = name.lastIndexOf("::");
    if (at > 0) showGate(gates.get(name.slice(0, at) + SEP + name.slice(at + 2)));
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
})();
