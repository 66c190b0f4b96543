// The customer expectation evaluation table: GET /api/voc/table, and a manager's edits
// (class, effort, impact, owner) sent with PUT /api/voc/expectations/{id}; each answer is the
// table ranked again.

const CLASSES = ["", "now", "medium", "long", "guide"];
let csrf = "";

function cell(text, css) {
  const td = document.createElement("td");
  if (css) td.className = css;
  td.textContent = text === null || text === undefined ? "" : String(text);
  return td;
}

function number(value, digits) {
  return value === null || value === undefined ? "" : Number(value).toPrecision(digits);
}

function percent(value) {
  return value === null || value === undefined ? "" : `${(100 * value).toFixed(1)}%`;
}

function control(row, key, element) {
  element.dataset.id = row.expectation_id;
  element.dataset.key = key;
  element.setAttribute("aria-label", `${key} of ${row.expectation_id}`);
  element.addEventListener("change", () => save(element));
  const td = document.createElement("td");
  if (key === "class") td.className = "klass";
  td.append(element);
  return td;
}

function classSelect(row) {
  const select = document.createElement("select");
  for (const k of CLASSES) {
    const option = document.createElement("option");
    option.value = k;
    option.textContent = k || `(suggested: ${row.suggested_class})`;
    select.append(option);
  }
  select.value = row.manager_class || "";
  return select;
}

function scoreSelect(value) {
  const select = document.createElement("select");
  for (let n = 1; n <= 5; n++) {
    const option = document.createElement("option");
    option.value = String(n);
    option.textContent = String(n);
    select.append(option);
  }
  select.value = String(value);
  return select;
}

function ownerInput(value) {
  const input = document.createElement("input");
  input.className = "owner";
  input.value = value || "";
  return input;
}

function render(table) {
  const body = document.getElementById("rows");
  body.replaceChildren();
  for (const row of table.rows) {
    const tr = document.createElement("tr");
    tr.className = row.class;
    tr.dataset.id = row.expectation_id;
    tr.append(
      cell(row.rank, "n rank"),
      cell(row.expectation_id),
      cell(row.statement),
      control(row, "class", classSelect(row)),
      cell(row.suggested_class),
      control(row, "effort", scoreSelect(row.effort)),
      control(row, "impact", scoreSelect(row.impact)),
      control(row, "owner", ownerInput(row.owner)),
      cell(row.complaints, "n"),
      cell(number(row.survey_gap, 3), "n"),
      cell(number(row.importance, 3), "n"),
      cell(percent(row.peer_gap), "n"),
      cell(row.missing_features),
      cell(number(row.score, 4), "n score"),
    );
    body.append(tr);
  }
  const peers = document.getElementById("peer-rows");
  peers.replaceChildren();
  for (const p of table.peers) {
    const tr = document.createElement("tr");
    const ours = typeof p.ours === "boolean" ? (p.ours ? "yes" : "no") : number(p.ours, 4);
    tr.append(
      cell(p.kind), cell(p.item), cell(ours, "n"), cell(number(p.peers_mean, 4), "n"),
      cell(p.peers), cell(percent(p.shortfall), "n"),
    );
    peers.append(tr);
  }
  const notes = document.getElementById("notes");
  notes.replaceChildren(...table.notes.map((n) => {
    const li = document.createElement("li");
    li.textContent = n;
    return li;
  }));
}

function say(text, error) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = error ? "error" : "";
}

async function save(element) {
  const key = element.dataset.key;
  const value = key === "effort" || key === "impact" ? Number(element.value) : element.value;
  const response = await fetch(`/api/voc/expectations/${encodeURIComponent(element.dataset.id)}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify({ [key]: value }),
  });
  const answer = await response.json();
  if (!response.ok) {
    say(`Not saved: ${answer.detail}`, true);
    return;
  }
  render(answer);
  say(`Saved ${key} of ${element.dataset.id}.`, false);
}

async function start() {
  const me = await fetch("/api/me");
  if (me.status === 401) {
    window.location.assign("/signin?next=%2Fvoc");
    return;
  }
  const user = await me.json();
  csrf = user.csrf_token || "";
  document.getElementById("csrf-token").value = csrf;
  document.getElementById("user-name").textContent = `${user.name} (${user.role})`;
  const response = await fetch("/api/voc/table");
  const answer = await response.json();
  if (!response.ok) {
    say(answer.detail, true);
    return;
  }
  render(answer);
  say(`${answer.rows.length} expectations, highest score first.`, false);
}

start();
