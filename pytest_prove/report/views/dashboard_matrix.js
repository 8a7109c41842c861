// The dashboard's script, part 2: the status matrix.  At 1,000 repositories it draws one
// page of PAGE_ROWS rows at a time: filtering and sorting work on the data, and only the
// page shown is in the DOM.
const PAGE_ROWS = 50;

// gates: the Map (repo SEP check -> gate) the page and its live updates share;
// runs: the run summaries, oldest first (a gate's trail covers the newest of them);
// select(gate): what a click on a cell does.
function makeMatrix(section, gates, runs, select) {
  const filters = section.appendChild(el("form", { class: "filters", role: "search" }));
  filters.addEventListener("submit", (event) => event.preventDefault());
  function field(label, control) {
    const wrap = filters.appendChild(el("label"));
    wrap.appendChild(document.createTextNode(label + " "));
    wrap.appendChild(control);
    control.addEventListener("input", () => { page = 0; render(); });
    return control;
  }
  const textFilter = field("Repository or check", el("input", { type: "search", id: "filter-repo", size: "18" }));
  const checkFilter = field("Check", el("select", { id: "filter-check" }));
  const outcomeFilter = field("Outcome", el("select", { id: "filter-outcome" }));
  for (const outcome of ["", ...OUTCOMES, "pending"]) {
    outcomeFilter.appendChild(el("option", { value: outcome }, outcome || "all"));
  }
  const order = field("Sort", el("select", { id: "sort" }));
  order.appendChild(el("option", { value: "worst" }, "worst first"));
  order.appendChild(el("option", { value: "name" }, "by name"));
  const shown = section.appendChild(el("p", { id: "shown", "aria-live": "polite" }));
  section.appendChild(el("p", { class: "note", id: "trail-note" }, runs.length >= 2
    ? "Under each outcome, the gate's last runs: oldest left, newest right; a tall red mark failed, " +
      "a short green one passed (hover or focus a cell for its run)."
    : "Each gate's trend appears from the second run."));
  const wrap = section.appendChild(el("div", { class: "matrix-wrap" }));
  const pager = section.appendChild(el("nav", { class: "pager", "aria-label": "Pages of repositories" }));
  const prev = pager.appendChild(el("button", { type: "button", id: "page-prev" }, "\u2039 Previous"));
  const where = pager.appendChild(el("span", { id: "page-at" }));
  const next = pager.appendChild(el("button", { type: "button", id: "page-next" }, "Next \u203a"));
  prev.addEventListener("click", () => { page -= 1; render(); });
  next.addEventListener("click", () => { page += 1; render(); });
  wrap.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-key]");
    if (button && gates.has(button.dataset.key)) select(gates.get(button.dataset.key));
  });

  let repos = [];
  let checks = [];
  let page = 0;
  let list = [];

  const outcomeOf = (repo, check) => (gates.get(repo + SEP + check) || { outcome: "none" }).outcome;

  // For "worst first": failing or erroring gates, then waived ones, then those still to
  // come, each counted over the checks shown; a tie goes by name.
  function badness(repo, columns) {
    let bad = 0, waived = 0, pending = 0;
    for (const check of columns) {
      const outcome = outcomeOf(repo, check);
      if (outcome === "failed" || outcome === "error") bad += 1;
      else if (outcome === "waived") waived += 1;
      else if (outcome === "pending") pending += 1;
    }
    return [bad, waived, pending];
  }

  function columns() {
    return checkFilter.value ? [checkFilter.value] : checks;
  }

  // The rows the filters keep, in order.  The text matches a repository's name (its whole
  // row) or a check's name (those cells; the row's others are dimmed).
  function filtered() {
    const text = textFilter.value.trim().toLowerCase();
    const outcome = outcomeFilter.value;
    const cols = columns();
    const byCheck = text ? cols.filter((c) => c.toLowerCase().includes(text)) : cols;
    const rows = [];
    for (const repo of repos) {
      const byName = !text || repo.toLowerCase().includes(text);
      // a row kept for a check's name has that gate
      const matching = byName ? cols : byCheck.filter((c) => gates.has(repo + SEP + c));
      if (!matching.length) continue;
      if (outcome && !matching.some((c) => outcomeOf(repo, c) === outcome)) continue;
      rows.push({ repo, byName, rank: order.value === "worst" ? badness(repo, cols) : null });
    }
    if (order.value === "worst") {
      rows.sort((a, b) => b.rank[0] - a.rank[0] || b.rank[1] - a.rank[1] || b.rank[2] - a.rank[2] ||
        (a.repo < b.repo ? -1 : 1));
    }
    return rows;
  }

  function trail(gate) {
    const letters = typeof gate.trail === "string" ? gate.trail.slice(-runs.length) : "";
    if (runs.length < 2 || letters.replace(/-/g, "").length < 2) return null;
    const from = runs.length - letters.length;
    const strip = el("span", { class: "trail", role: "img" });
    const words = [];
    [...letters].forEach((letter, i) => {
      const outcome = TRAIL[letter] || "none";
      const word = outcome === "none" ? "not run" : outcome;
      strip.appendChild(el("span", { class: "t t-" + outcome, title: when(runs[from + i].started) + ": " + word }));
      words.push(word);
    });
    strip.setAttribute("aria-label", "last " + plural(letters.length, "run") + ", oldest first: " + words.join(", "));
    return strip;
  }

  function cell(repo, check, dim) {
    const gate = gates.get(repo + SEP + check);
    const outcome = gate ? gate.outcome : "none";
    const td = el("td", { class: "o-" + outcome + (dim ? " dim" : "") });
    td.dataset.outcome = outcome;
    if (!gate) {
      td.appendChild(el("span", { class: "absent", "aria-label": repo + ", " + check + ": not run" }, "\u2014"));
      return td;
    }
    const found = gate.findings.length + gate.more_findings;
    const button = td.appendChild(el("button", { type: "button", title: gate.summary || gate.reason || outcome,
      "aria-label": repo + ", " + check + ": " + outcome + (found ? ", " + plural(found, "finding") : "") },
      SYMBOL[outcome] + " " + outcome));
    button.dataset.key = repo + SEP + check;
    const strip = trail(gate);
    if (strip) td.appendChild(strip);
    return td;
  }

  function render() {
    // A live update redraws the page: the cell that had the focus gets it back.
    const focused = wrap.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    if (!repos.length) {
      wrap.replaceChildren(el("p", { class: "empty" }, "No gate results to show."));
      shown.textContent = "";
      pager.hidden = true;
      return;
    }
    list = filtered();
    const pages = Math.max(1, Math.ceil(list.length / PAGE_ROWS));
    page = Math.max(0, Math.min(page, pages - 1));
    const text = textFilter.value.trim().toLowerCase();
    const outcome = outcomeFilter.value;
    const cols = columns();
    const table = el("table", { id: "matrix" });
    table.appendChild(el("caption", {}, "Outcome of each gate in the latest run: repositories by checks"));
    const head = table.appendChild(el("thead")).appendChild(el("tr"));
    head.appendChild(el("th", { scope: "col" }, "Repository"));
    cols.forEach((check) => head.appendChild(el("th", { scope: "col" }, check)));
    const body = table.appendChild(el("tbody"));
    const first = page * PAGE_ROWS;
    for (const { repo, byName } of list.slice(first, first + PAGE_ROWS)) {
      const row = body.appendChild(el("tr"));
      row.dataset.repo = repo.toLowerCase();
      row.appendChild(el("th", { scope: "row" }, repo));
      for (const check of cols) {
        const fits = (byName || check.toLowerCase().includes(text)) && (!outcome || outcomeOf(repo, check) === outcome);
        row.appendChild(cell(repo, check, !fits));
      }
    }
    wrap.replaceChildren(table);
    const last = Math.min(first + PAGE_ROWS, list.length);
    shown.textContent = list.length + " of " + repos.length + (repos.length === 1 ? " repository" : " repositories") + " shown" +
      (pages > 1 ? ", " + (first + 1) + "\u2013" + last + " on this page" : "");
    pager.hidden = pages < 2;
    where.textContent = "Page " + (page + 1) + " of " + pages;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    if (focused) {
      const again = [...wrap.querySelectorAll("button[data-key]")].find((b) => b.dataset.key === focused);
      if (again) again.focus();
    }
  }

  // The set of gates changed: new repositories or checks.
  function rebuild() {
    repos = [...new Set([...gates.values()].map((g) => g.repo))].sort();
    checks = [...new Set([...gates.values()].map((g) => g.check))].sort();
    const selected = checkFilter.value;
    checkFilter.replaceChildren(el("option", { value: "" }, "all"));
    for (const check of checks) checkFilter.appendChild(el("option", { value: check }, check));
    checkFilter.value = checks.includes(selected) ? selected : "";
    render();
  }

  // Turn to the page that holds this repository (a link to one of its gates).
  function reveal(repo) {
    const at = list.findIndex((row) => row.repo === repo);
    if (at >= 0 && Math.floor(at / PAGE_ROWS) !== page) {
      page = Math.floor(at / PAGE_ROWS);
      render();
    }
  }

  return { rebuild, render, reveal };
}
