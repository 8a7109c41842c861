// The dashboard's script, part 3: the trends (SVG charts) and the list of runs.
const W = 640, H = 200, PAD = 36;

function drawTrends(app, runs, latestGates) {
  const trends = app.appendChild(el("section", { class: "trends", "aria-labelledby": "trends-title" }));
  trends.appendChild(el("h2", { id: "trends-title" }, "Trends"));

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
  const xAt = (i, n) => PAD + 8 + (i * (W - PAD - 24)) / (n - 1);

  function passRateChart() {
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

  function durationChart() {
    const top = Math.max(0.001, ...runs.map((r) => r.duration));
    const chart = figure("Wall-clock duration per run", "Duration of the last " + runs.length +
      " runs, longest " + seconds(top));
    axes(chart, seconds(top), "0 s");
    const slot = (W - PAD - 16) / runs.length;
    runs.forEach((r, i) => {
      const h = (r.duration / top) * (H - PAD - 14);
      chart.appendChild(shape("rect", { x: (PAD + 4 + i * slot).toFixed(1), y: (H - PAD - h).toFixed(1),
        width: Math.max(slot - 2, 1).toFixed(1), height: h.toFixed(1), class: unfinished(r) ? "bar bar-open" : "bar" },
        when(r.started) + ": " + ended(r)));
    });
  }

  function slowestChart() {
    const slow = [...latestGates].filter((g) => g.duration > 0).sort((a, b) => b.duration - a.duration).slice(0, 10);
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

  if (!runs.length) {
    trends.appendChild(el("p", { class: "empty" }, "No runs recorded yet: the charts appear after the first run."));
    return;
  }
  // One run is one point: a chart of it would say nothing a sentence does not.
  if (runs.length >= 2) {
    passRateChart();
    durationChart();
  } else {
    trends.appendChild(el("p", { class: "empty", id: "trend-wait" }, "The trend appears from the second run: " +
      "this history holds one run (" + seconds(runs[0].duration) + ", " + counts(runs[0].counts) + ")."));
  }
  slowestChart();
  if (runs.length >= 2 && runs.some(unfinished)) {
    trends.appendChild(el("p", { class: "note" }, "Hollow points and bars: runs without an end in the history " +
      "(interrupted, or still running); they count the gates that finished."));
  }
}

// The runs, newest first.
function listRuns(app, runs) {
  if (!runs.length) return;
  const list = app.appendChild(el("details", { id: "runs" }));
  const interrupted = runs.filter((r) => r.status === "interrupted").length;
  list.appendChild(el("summary", {}, "Runs: " + runs.length + (interrupted ? ", " + interrupted + " interrupted" : "")));
  const items = list.appendChild(el("ol", { class: "runs", reversed: "" }));
  for (const run of [...runs].reverse()) {
    const item = items.appendChild(el("li", { title: run.command }));
    item.appendChild(document.createTextNode(when(run.started) + " \u00b7 " + run.id.slice(0, 12) + " on " +
      run.host + " \u00b7 "));
    item.appendChild(el("span", { class: "run-" + run.status }, unfinished(run) ? run.status : "exit status " +
      run.exit_status));
    item.appendChild(document.createTextNode(" \u00b7 " + seconds(run.duration) + " \u00b7 " + counts(run.counts)));
  }
}
