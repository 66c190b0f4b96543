// carecenter live wallboard.
//
// Fetches /api/me (401 -> /signin), then listens on /ws/wallboard for
// {"type": "board", "board": BOARD} and renders it in one of two layouts:
// "desk" (dense, sortable tables, drill-down per queue) or "tv" (large type,
// one queue per page, rotating). No framework, no library: the DOM is built
// with createElement/textContent only (never innerHTML), so text from the
// server is always shown as text.
//
// Test hooks: every figure is an element with data-field="<field>" whose text is
// exactly the displayed value and whose data-value is the raw value sent by the
// server ("" for null); queue rows/tiles carry data-queue, agents data-agent,
// contacts data-contact, alerts data-alert; <body> carries data-as-of (the last
// rendered board's as_of), data-mode, data-view, data-connection
// (connecting|open|closed), data-stale and, on a TV, data-page (the queue shown).

const DASH = '–';
const TOTALS_ID = '(center)';
const STALE_AFTER_MS = 5000;
const MAX_BACKOFF_S = 10;
const MIN_ROTATE_S = 1;
const DEFAULT_ROTATE_S = 15;
const MAX_TV_ALERTS = 4;

const AGENT_STATES = ['available', 'on_contact', 'after_call_work', 'break', 'missed', 'logged_out'];
const AGENT_STATE_LABEL = {
  available: 'Available',
  on_contact: 'On contact',
  after_call_work: 'After-call work',
  break: 'Break',
  missed: 'Missed',
  logged_out: 'Logged out',
};
// The per-queue agent counts (queue.agents) have no logged_out.
const QUEUE_AGENT_STATES = ['available', 'on_contact', 'after_call_work', 'break', 'missed'];
const QUEUE_AGENT_SHORT = {
  available: 'available',
  on_contact: 'on contact',
  after_call_work: 'wrap-up',
  break: 'break',
  missed: 'missed',
};
const CONTACT_STATE_LABEL = { waiting: 'Waiting', offered: 'Offered', on_contact: 'On contact' };
const CONTACT_STATE_ORDER = ['waiting', 'offered', 'on_contact'];
const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 };
const SL_TEXT = { ok: 'at or above target', warn: 'just below target', bad: 'below target' };

// ---------------------------------------------------------------- state

const state = {
  mode: 'desk',
  rotateS: DEFAULT_ROTATE_S,
  queue: null, // drill-down queue id (desk) or pinned page (tv)
  me: null,
  board: null,
  receivedAt: 0, // performance.now() when the board arrived
  connection: 'connecting',
  attempt: 0, // reconnect attempts since the last board
  retryAt: 0, // performance.now() of the next reconnect
  tvPage: null,
  tickTimer: 0,
  rotateTimer: 0,
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- formatting

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function count(v) {
  return isNum(v) ? intFormat.format(Math.round(v) || 0) : DASH;
}

function pct(v, digits = 1) {
  return isNum(v) ? `${(v * 100).toFixed(digits)}%` : DASH;
}

/** Seconds as m:ss, or h:mm:ss from an hour up. */
function dur(v) {
  if (!isNum(v)) return DASH;
  const s = Math.max(0, Math.round(v));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function secs(v) {
  return isNum(v) ? `${intFormat.format(v)} s` : DASH;
}

function text(v) {
  return v === null || v === undefined || v === '' ? DASH : String(v);
}

function rawAttr(v) {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** "ok" at or above target, "warn" within 5 points below, "bad" further below. */
function slStatus(v, target) {
  if (!isNum(v) || !isNum(target)) return null;
  const eps = 1e-9;
  if (v >= target - eps) return 'ok';
  if (v >= target - 0.05 - eps) return 'warn';
  return 'bad';
}

const timeFormats = new Map();
function timeFormat(withSeconds) {
  const tz = state.board?.center?.timezone || undefined;
  const key = `${tz}|${withSeconds}`;
  let f = timeFormats.get(key);
  if (!f) {
    const opts = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    if (withSeconds) opts.second = '2-digit';
    try {
      f = new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: tz });
    } catch {
      f = new Intl.DateTimeFormat('en-GB', opts); // unknown zone: the browser's own
    }
    timeFormats.set(key, f);
  }
  return f;
}

function clockTime(iso, withSeconds = true) {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  return Number.isFinite(ms) ? timeFormat(withSeconds).format(new Date(ms)) : DASH;
}

// ---------------------------------------------------------------- time

/** Whole seconds since the board arrived (client clock). */
function elapsedS() {
  return state.board ? Math.max(0, Math.floor((performance.now() - state.receivedAt) / 1000)) : 0;
}

/** The center's time now: the board's as_of plus the time since it arrived. */
function boardNowMs() {
  const asOf = Date.parse(state.board?.as_of ?? '');
  return Number.isFinite(asOf) ? asOf + elapsedS() * 1000 : Date.now();
}

/** A duration that keeps running between boards: value (as of as_of) plus the time since. */
function running(value, startIso) {
  if (isNum(value)) return value + elapsedS();
  const start = Date.parse(startIso ?? '');
  return Number.isFinite(start) ? Math.max(0, (boardNowMs() - start) / 1000) : null;
}

function liveLongest(q) {
  return isNum(q.longest_wait_s) && (q.waiting ?? 0) > 0
    ? q.longest_wait_s + elapsedS()
    : q.longest_wait_s;
}

function liveInState(a) {
  return running(a.in_state_s, a.since);
}

function liveWait(c) {
  // Only a contact still waiting (or being offered) keeps on waiting.
  return c.state === 'waiting' || c.state === 'offered' ? running(c.wait_s, c.enqueued_at) : c.wait_s;
}

// ---------------------------------------------------------------- DOM

/**
 * A part is a string (a text node) or {t, f, v, c, title, hidden, href, nav, grow, kids}:
 * a <span> (an <a> with href) with text t, data-field f, data-value v, class c.
 */
function partNode(p) {
  if (p === null || p === undefined || p === false) return null;
  if (typeof p !== 'object') return document.createTextNode(String(p));
  const node = document.createElement(p.href ? 'a' : 'span');
  if (p.c) node.className = p.c;
  if (p.f) node.dataset.field = p.f;
  if (p.v !== undefined) node.dataset.value = rawAttr(p.v);
  if (p.title) node.title = p.title;
  if (p.hidden) node.setAttribute('aria-hidden', 'true');
  if (p.href) node.href = p.href;
  if (p.nav !== undefined) node.dataset.nav = p.nav;
  if (p.grow !== undefined) node.style.flexGrow = String(p.grow);
  if (p.kids) node.append(...p.kids.map(partNode).filter(Boolean));
  else if (p.t !== undefined && p.t !== null) node.textContent = String(p.t);
  return node;
}

const signatures = new WeakMap();

/** Sets node's class, title, data-field/value and content from spec, if they changed. */
function patch(node, spec, baseClass = '') {
  const sig = JSON.stringify(spec);
  if (signatures.get(node) === sig) return;
  signatures.set(node, sig);
  node.className = [baseClass, spec.cls].filter(Boolean).join(' ');
  setAttr(node, 'title', spec.title);
  setAttr(node, 'data-field', spec.f);
  setAttr(node, 'data-value', spec.f ? rawAttr(spec.v) : undefined);
  const kids = spec.parts ?? (spec.t !== undefined ? [String(spec.t)] : []);
  node.replaceChildren(...kids.map(partNode).filter(Boolean));
}

function setAttr(node, name, value) {
  if (value === undefined || value === null || value === false) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
  } else if (node.getAttribute(name) !== String(value)) {
    node.setAttribute(name, String(value));
  }
}

function setText(node, value) {
  if (node.textContent !== value) node.textContent = value;
}

function show(node, visible) {
  if (node.hidden === visible) node.hidden = !visible;
}

const keyed = new WeakMap();

/** Makes container's children one node per item, in order, reusing nodes by key. */
function reconcile(container, items, keyOf, create, update) {
  const old = keyed.get(container) ?? new Map();
  const next = new Map();
  let ref = container.firstChild;
  for (const item of items) {
    const key = keyOf(item);
    if (next.has(key)) continue; // a duplicate id: show the first
    let node = old.get(key);
    if (!node) node = create(item);
    update(node, item);
    next.set(key, node);
    if (node === ref) ref = ref.nextSibling;
    else container.insertBefore(node, ref);
  }
  for (const [key, node] of old) if (!next.has(key)) node.remove();
  keyed.set(container, next);
}

function clearKeyed(container) {
  container.replaceChildren();
  keyed.delete(container);
}

// ---------------------------------------------------------------- sortable tables

function compareValues(a, b, dir) {
  const aNull = a === null || a === undefined || a === '' || (typeof a === 'number' && !Number.isFinite(a));
  const bNull = b === null || b === undefined || b === '' || (typeof b === 'number' && !Number.isFinite(b));
  if (aNull || bNull) return aNull && bNull ? 0 : aNull ? 1 : -1; // unknowns last, either way
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * dir;
  return String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' }) * dir;
}

class SortableTable {
  /**
   * columns: [{key, label, title, cls, sort: row => value | undefined, cell: row => spec}]
   * rowAttr: the data attribute naming a row ("queue" -> data-queue), keyOf: row -> id.
   */
  constructor(table, { columns, rowAttr, keyOf, sort = null, rowClass }) {
    this.table = table;
    this.columns = columns;
    this.rowAttr = rowAttr;
    this.keyOf = keyOf;
    this.sort = sort; // {key, dir: 1 ascending | -1 descending} or null: the server's order
    this.rowClass = rowClass;
    this.rows = [];
    this.tbody = table.tBodies[0];
    const tr = document.createElement('tr');
    this.headers = columns.map((col) => {
      const th = document.createElement('th');
      th.scope = 'col';
      th.dataset.col = col.key;
      if (col.cls) th.className = col.cls;
      if (col.title) th.title = col.title;
      if (col.sort) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'sort';
        const arrow = document.createElement('span');
        arrow.className = 'arrow';
        arrow.setAttribute('aria-hidden', 'true');
        button.append(col.label, arrow);
        button.addEventListener('click', () => this.toggle(col.key));
        th.append(button);
      } else {
        th.textContent = col.label;
      }
      tr.append(th);
      return th;
    });
    table.createTHead().append(tr);
    this.renderHeaders();
  }

  toggle(key) {
    if (this.sort?.key === key) this.sort = { key, dir: -this.sort.dir };
    else this.sort = { key, dir: 1 };
    this.renderHeaders();
    this.update(this.rows, this.totals);
  }

  renderHeaders() {
    this.columns.forEach((col, i) => {
      const th = this.headers[i];
      const active = this.sort?.key === col.key;
      if (col.sort) th.setAttribute('aria-sort', active ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
      th.classList.toggle('sorted', active);
      const arrow = th.querySelector('.arrow');
      if (arrow) setText(arrow, active ? (this.sort.dir > 0 ? '▲' : '▼') : '');
    });
  }

  sorted(rows) {
    const col = this.sort && this.columns.find((c) => c.key === this.sort.key);
    if (!col) return rows;
    const dir = this.sort.dir;
    return rows
      .map((row, index) => ({ row, index, value: col.sort(row) }))
      .sort((a, b) => compareValues(a.value, b.value, dir) || a.index - b.index)
      .map((x) => x.row);
  }

  createRow(row) {
    const tr = document.createElement('tr');
    tr.setAttribute(`data-${this.rowAttr}`, this.keyOf(row));
    for (const col of this.columns) {
      const cell = document.createElement(col.header ? 'th' : 'td');
      if (col.header) cell.scope = 'row';
      tr.append(cell);
    }
    return tr;
  }

  updateRow(tr, row) {
    this.columns.forEach((col, i) => patch(tr.children[i], col.cell(row), col.cls));
    if (this.rowClass) {
      const cls = this.rowClass(row);
      if (tr.className !== cls) tr.className = cls;
    }
  }

  update(rows, totals = null) {
    this.rows = rows;
    this.totals = totals;
    reconcile(
      this.tbody,
      this.sorted(rows),
      this.keyOf,
      (row) => this.createRow(row),
      (tr, row) => this.updateRow(tr, row),
    );
    if (totals) {
      const tfoot = this.table.tFoot ?? this.table.createTFoot();
      reconcile(tfoot, [totals], this.keyOf, (row) => this.createRow(row), (tr, row) => this.updateRow(tr, row));
    } else if (this.table.tFoot) {
      this.table.deleteTFoot();
    }
  }

  clear() {
    this.rows = [];
    this.totals = null;
    clearKeyed(this.tbody);
    if (this.table.tFoot) this.table.deleteTFoot();
  }
}

// ---------------------------------------------------------------- cell and tile specs

const num = (f, v, fmt = count, cls) => ({ f, v, t: fmt(v), cls });

function slMark(status) {
  if (!status) return [];
  return [
    { t: status === 'ok' ? '▲' : '▼', c: 'mark', hidden: true },
    { t: SL_TEXT[status], c: 'sr-only' },
  ];
}

function slCell(q, field, digits = 1) {
  const v = q[field];
  const status = slStatus(v, q.sl_target);
  return {
    cls: status ? `sl sl-${status}` : 'sl',
    title: status ? `${SL_TEXT[status]} (target ${pct(q.sl_target, 0)})` : undefined,
    parts: [{ t: pct(v, digits), f: field, v }, ...slMark(status)],
  };
}

function forecastDelta(q) {
  if (!isNum(q.offered) || !isNum(q.forecast_so_far) || q.forecast_so_far <= 0) return null;
  const d = (q.offered - q.forecast_so_far) / q.forecast_so_far;
  const rounded = Math.round(d * 100);
  const sign = rounded > 0 ? '+' : rounded < 0 ? '−' : '±';
  return {
    t: `${sign}${Math.abs(rounded)}%`,
    c: `delta ${rounded > 0 ? 'up' : rounded < 0 ? 'down' : ''}`,
    title: `offered ${count(q.offered)} against ${count(q.forecast_so_far)} forecast so far`,
  };
}

function staffGap(q) {
  return isNum(q.agents_staffed) && isNum(q.agents_required) ? q.agents_staffed - q.agents_required : null;
}

function longestOver(q) {
  const longest = liveLongest(q);
  return (q.waiting ?? 0) > 0 && isNum(longest) && isNum(q.sl_threshold_s) && longest > q.sl_threshold_s;
}

function queueHref(queueId) {
  const params = new URLSearchParams(location.search);
  if (queueId) params.set('queue', queueId);
  else params.delete('queue');
  const query = params.toString();
  return `${location.pathname}${query ? `?${query}` : ''}`;
}

function agentCountParts(q, withLabels) {
  const counts = q.agents ?? {};
  return QUEUE_AGENT_STATES.map((s) => ({
    c: `chip st-${s}${counts[s] ? '' : ' zero'}`,
    title: `${AGENT_STATE_LABEL[s]}: ${count(counts[s])}`,
    kids: [
      { c: 'dot', hidden: true },
      { t: count(counts[s]), f: `agents.${s}`, v: counts[s] },
      { t: ` ${QUEUE_AGENT_SHORT[s]}`, c: withLabels ? 'chip-label' : 'sr-only' },
    ],
  }));
}

function agentBar(q) {
  const counts = q.agents ?? {};
  const total = QUEUE_AGENT_STATES.reduce((n, s) => n + (isNum(counts[s]) ? counts[s] : 0), 0);
  return {
    c: 'state-bar',
    hidden: true,
    kids: total
      ? QUEUE_AGENT_STATES.filter((s) => counts[s] > 0).map((s) => ({ c: `seg st-${s}`, grow: counts[s] }))
      : [{ c: 'seg empty', grow: 1 }],
  };
}

const QUEUE_COLUMNS = [
  {
    key: 'name',
    label: 'Queue',
    cls: 'col-name',
    header: true,
    sort: (q) => q.name ?? q.queue_id,
    cell: (q) => ({
      parts: [
        q.queue_id === TOTALS_ID
          ? { t: text(q.name ?? 'All queues'), f: 'name', v: q.name }
          : { t: text(q.name ?? q.queue_id), f: 'name', v: q.name, href: queueHref(q.queue_id), nav: q.queue_id, c: 'queue-link' },
        q.channel ? { t: q.channel, f: 'channel', v: q.channel, c: 'channel' } : null,
      ],
    }),
  },
  { key: 'waiting', label: 'Waiting', cls: 'n', sort: (q) => q.waiting, cell: (q) => num('waiting', q.waiting, count, q.waiting > 0 ? 'busy' : '') },
  {
    key: 'longest_wait_s',
    label: 'Longest wait',
    cls: 'n',
    title: 'Longest wait of the contacts waiting now',
    sort: liveLongest,
    cell: (q) => {
      const over = longestOver(q);
      return {
        cls: over ? 'over' : '',
        title: over ? `over the ${secs(q.sl_threshold_s)} service-level threshold` : undefined,
        parts: [
          over ? { t: '⚠ ', c: 'mark', hidden: true } : null,
          { t: dur(liveLongest(q)), f: 'longest_wait_s', v: q.longest_wait_s },
          over ? { t: ' over threshold', c: 'sr-only' } : null,
        ],
      };
    },
  },
  { key: 'service_level', label: 'SL\u00a0today', cls: 'n', title: 'Service level since the start of the day', sort: (q) => q.service_level, cell: (q) => slCell(q, 'service_level') },
  { key: 'service_level_15m', label: 'SL\u00a015\u00a0min', cls: 'n', title: 'Service level over the last 15 minutes', sort: (q) => q.service_level_15m, cell: (q) => slCell(q, 'service_level_15m') },
  { key: 'service_level_30m', label: 'SL\u00a030\u00a0min', cls: 'n', title: 'Service level over the last 30 minutes', sort: (q) => q.service_level_30m, cell: (q) => slCell(q, 'service_level_30m') },
  {
    key: 'sl_target',
    label: 'Target',
    cls: 'n muted',
    title: 'Service-level target: share answered within the threshold',
    sort: (q) => q.sl_target,
    cell: (q) => ({
      parts: [{ t: pct(q.sl_target, 0), f: 'sl_target', v: q.sl_target }, ' in ', { t: secs(q.sl_threshold_s), f: 'sl_threshold_s', v: q.sl_threshold_s }],
    }),
  },
  { key: 'asa_s', label: 'ASA', cls: 'n', title: 'Average speed of answer', sort: (q) => q.asa_s, cell: (q) => num('asa_s', q.asa_s, dur) },
  { key: 'offered', label: 'Offered', cls: 'n', sort: (q) => q.offered, cell: (q) => num('offered', q.offered) },
  {
    key: 'forecast_so_far',
    label: 'Forecast',
    cls: 'n',
    title: 'Contacts forecast up to now, and how far the offered contacts are from it',
    sort: (q) => q.forecast_so_far,
    cell: (q) => ({ parts: [{ t: count(q.forecast_so_far), f: 'forecast_so_far', v: q.forecast_so_far }, forecastDelta(q)] }),
  },
  { key: 'answered', label: 'Answered', cls: 'n', sort: (q) => q.answered, cell: (q) => num('answered', q.answered) },
  { key: 'abandoned', label: 'Abandoned', cls: 'n', sort: (q) => q.abandoned, cell: (q) => num('abandoned', q.abandoned) },
  { key: 'abandon_rate', label: 'Aband.\u00a0%', cls: 'n', title: 'Abandoned as a share of offered', sort: (q) => q.abandon_rate, cell: (q) => num('abandon_rate', q.abandon_rate, pct) },
  { key: 'callbacks_pending', label: 'Callbacks', cls: 'n', title: 'Callbacks pending', sort: (q) => q.callbacks_pending, cell: (q) => num('callbacks_pending', q.callbacks_pending) },
  {
    key: 'promises_due',
    label: 'Promises due',
    cls: 'n',
    title: 'Promises to the customer falling due',
    sort: (q) => q.promises_due,
    cell: (q) => num('promises_due', q.promises_due, count, q.promises_due > 0 ? 'attn' : ''),
  },
  {
    key: 'staffing',
    label: 'Staffed / req.',
    cls: 'n',
    title: 'Agents staffed against agents required (sorts by the gap)',
    sort: staffGap,
    cell: (q) => {
      const gap = staffGap(q);
      return {
        cls: gap !== null && gap < 0 ? 'short' : '',
        parts: [
          { t: count(q.agents_staffed), f: 'agents_staffed', v: q.agents_staffed },
          ' / ',
          { t: count(q.agents_required), f: 'agents_required', v: q.agents_required },
          gap !== null && gap < 0 ? { t: ` −${-gap}`, c: 'gap', title: `short by ${-gap}` } : null,
        ],
      };
    },
  },
  {
    key: 'agents',
    label: 'Agents by state',
    cls: 'col-agents',
    title: 'Available · on contact · wrap-up · break · missed',
    sort: (q) => q.agents?.available,
    cell: (q) => ({ parts: agentCountParts(q, false) }),
  },
];

const queueName = (id) => {
  const q = (state.board?.queues ?? []).find((x) => x.queue_id === id);
  return q?.name ?? id;
};

const AGENT_COLUMNS = [
  { key: 'name', label: 'Agent', header: true, cls: 'col-name', sort: (a) => a.name ?? a.agent_id, cell: (a) => ({ f: 'name', v: a.name, t: text(a.name ?? a.agent_id) }) },
  { key: 'team', label: 'Team', sort: (a) => a.team, cell: (a) => ({ f: 'team', v: a.team, t: text(a.team) }) },
  {
    key: 'state',
    label: 'State',
    sort: (a) => {
      const i = AGENT_STATES.indexOf(a.state);
      return i < 0 ? AGENT_STATES.length : i;
    },
    cell: (a) => ({
      cls: `state st-${a.state}`,
      parts: [
        { c: 'dot', hidden: true },
        { t: AGENT_STATE_LABEL[a.state] ?? text(a.state), f: 'state', v: a.state },
        a.reason ? { t: ' — ', c: 'muted' } : null,
        a.reason ? { t: a.reason, f: 'reason', v: a.reason, c: 'reason' } : null,
      ],
    }),
  },
  { key: 'in_state_s', label: 'Time in state', cls: 'n', sort: liveInState, cell: (a) => ({ f: 'in_state_s', v: a.in_state_s, t: dur(liveInState(a)) }) },
  { key: 'contacts_today', label: 'Contacts today', cls: 'n', sort: (a) => a.contacts_today, cell: (a) => num('contacts_today', a.contacts_today) },
  { key: 'aht_s', label: 'AHT', cls: 'n', title: 'Average handling time today', sort: (a) => a.aht_s, cell: (a) => num('aht_s', a.aht_s, dur) },
  {
    key: 'queues',
    label: 'Queues',
    cls: 'col-queues',
    sort: (a) => (a.queues ?? []).map(queueName).join(', '),
    cell: (a) => ({ f: 'queues', v: a.queues ?? null, t: (a.queues ?? []).length ? a.queues.map(queueName).join(', ') : DASH }),
  },
];

const agentName = (id) => {
  if (!id) return DASH;
  const a = (state.board?.agents ?? []).find((x) => x.agent_id === id);
  return a?.name ?? id;
};

const CONTACT_COLUMNS = [
  { key: 'contact_id', label: 'Contact', header: true, sort: (c) => c.contact_id, cell: (c) => ({ f: 'contact_id', v: c.contact_id, t: text(c.contact_id) }) },
  {
    key: 'tier',
    label: 'Tier',
    sort: (c) => c.tier,
    cell: (c) => ({ parts: [{ t: text(c.tier), f: 'tier', v: c.tier, c: c.tier ? `tier tier-${String(c.tier).toLowerCase().replace(/[^a-z0-9_-]/g, '')}` : '' }] }),
  },
  { key: 'customer_id', label: 'Customer', sort: (c) => c.customer_id, cell: (c) => ({ f: 'customer_id', v: c.customer_id, t: text(c.customer_id) }) },
  {
    key: 'state',
    label: 'State',
    sort: (c) => {
      const i = CONTACT_STATE_ORDER.indexOf(c.state);
      return i < 0 ? CONTACT_STATE_ORDER.length : i;
    },
    cell: (c) => ({ cls: `cstate cs-${c.state}`, parts: [{ t: CONTACT_STATE_LABEL[c.state] ?? text(c.state), f: 'state', v: c.state }] }),
  },
  { key: 'wait_s', label: 'Wait', cls: 'n', sort: liveWait, cell: (c) => ({ f: 'wait_s', v: c.wait_s, t: dur(liveWait(c)) }) },
  { key: 'enqueued_at', label: 'Queued at', cls: 'n muted', sort: (c) => Date.parse(c.enqueued_at ?? '') || null, cell: (c) => ({ f: 'enqueued_at', v: c.enqueued_at, t: c.enqueued_at ? clockTime(c.enqueued_at) : DASH }) },
  { key: 'agent', label: 'Agent', sort: (c) => (c.agent_id ? agentName(c.agent_id) : null), cell: (c) => ({ f: 'agent_id', v: c.agent_id, t: agentName(c.agent_id) }) },
];

/** The figures of one queue (or the totals) as tiles, for the TV pages and the drill-down. */
function queueTiles(q, tv) {
  const digits = tv ? 0 : 1;
  const longest = liveLongest(q);
  const over = longestOver(q);
  const sl = slStatus(q.service_level, q.sl_target);
  const gap = staffGap(q);
  const delta = forecastDelta(q);
  const slTile = (key, field, label) => {
    const status = slStatus(q[field], q.sl_target);
    return {
      key,
      label,
      cls: status ? `sl sl-${status}` : 'sl',
      value: [{ t: pct(q[field], digits), f: field, v: q[field] }, ...slMark(status)],
      foot: status ? [status === 'ok' ? 'on target' : SL_TEXT[status]] : [],
    };
  };
  return [
    { key: 'waiting', label: 'Waiting', cls: q.waiting > 0 ? 'busy' : '', value: [{ t: count(q.waiting), f: 'waiting', v: q.waiting }], foot: [q.waiting === 1 ? 'contact in queue' : 'contacts in queue'] },
    {
      key: 'longest',
      label: 'Longest wait',
      cls: over ? 'over' : '',
      value: [over ? { t: '⚠', c: 'mark', hidden: true } : null, { t: dur(longest), f: 'longest_wait_s', v: q.longest_wait_s }],
      foot: over ? [`over the ${secs(q.sl_threshold_s)} threshold`] : [isNum(q.sl_threshold_s) ? `threshold ${secs(q.sl_threshold_s)}` : ''],
    },
    {
      key: 'sl',
      label: 'Service level today',
      cls: `hero-sl ${sl ? `sl sl-${sl}` : 'sl'}`,
      value: [{ t: pct(q.service_level, digits), f: 'service_level', v: q.service_level }, ...slMark(sl)],
      foot: [
        sl && sl !== 'ok' ? { t: `${SL_TEXT[sl]} · `, c: 'sl-note' } : null,
        'target ',
        { t: pct(q.sl_target, 0), f: 'sl_target', v: q.sl_target },
        ' in ',
        { t: secs(q.sl_threshold_s), f: 'sl_threshold_s', v: q.sl_threshold_s },
      ],
    },
    slTile('sl15', 'service_level_15m', 'SL last 15 min'),
    slTile('sl30', 'service_level_30m', 'SL last 30 min'),
    { key: 'asa', label: 'Speed of answer', value: [{ t: dur(q.asa_s), f: 'asa_s', v: q.asa_s }], foot: ['average today (ASA)'] },
    {
      key: 'abandon',
      label: 'Abandon rate',
      value: [{ t: pct(q.abandon_rate, digits), f: 'abandon_rate', v: q.abandon_rate }],
      foot: [{ t: count(q.abandoned), f: 'abandoned', v: q.abandoned }, ' abandoned'],
    },
    {
      key: 'offered',
      label: 'Offered',
      value: [{ t: count(q.offered), f: 'offered', v: q.offered }],
      foot: ['forecast ', { t: count(q.forecast_so_far), f: 'forecast_so_far', v: q.forecast_so_far }, delta ? ' ' : null, delta],
    },
    { key: 'answered', label: 'Answered', value: [{ t: count(q.answered), f: 'answered', v: q.answered }], foot: ['today'] },
    { key: 'callbacks', label: 'Callbacks', value: [{ t: count(q.callbacks_pending), f: 'callbacks_pending', v: q.callbacks_pending }], foot: ['pending'] },
    {
      key: 'promises',
      label: 'Promises due',
      cls: q.promises_due > 0 ? 'attn' : '',
      value: [{ t: count(q.promises_due), f: 'promises_due', v: q.promises_due }],
      foot: [q.promises_due > 0 ? 'to keep now' : ''],
    },
    {
      key: 'staffing',
      label: 'Staffed / req.',
      cls: gap !== null && gap < 0 ? 'short' : '',
      value: [
        { t: count(q.agents_staffed), f: 'agents_staffed', v: q.agents_staffed },
        { t: ' / ', c: 'sep' },
        { t: count(q.agents_required), f: 'agents_required', v: q.agents_required },
      ],
      foot: [gap === null ? '' : gap < 0 ? `▼ short by ${-gap}` : gap > 0 ? `${gap} above plan` : 'as planned'],
    },
    { key: 'agents', label: 'Agents by state', value: [agentBar(q)], foot: agentCountParts(q, true) },
  ];
}

function createTile() {
  const tile = document.createElement('div');
  const label = document.createElement('div');
  label.className = 'tile-label';
  const value = document.createElement('div');
  value.className = 'tile-value';
  const foot = document.createElement('div');
  foot.className = 'tile-foot';
  tile.append(label, value, foot);
  return tile;
}

function updateTile(tile, spec) {
  const cls = `tile tile-${spec.key}${spec.cls ? ` ${spec.cls}` : ''}`;
  if (tile.className !== cls) tile.className = cls;
  const [label, value, foot] = tile.children;
  setText(label, spec.label);
  patch(value, { parts: spec.value }, 'tile-value');
  patch(foot, { parts: spec.foot }, 'tile-foot');
}

function renderTiles(container, q) {
  setAttr(container, 'data-queue', q ? q.queue_id : undefined);
  reconcile(container, q ? queueTiles(q, state.mode === 'tv') : [], (t) => t.key, createTile, updateTile);
}

// ---------------------------------------------------------------- views

let queueTable, agentTable, contactTable;

function initTables() {
  queueTable = new SortableTable($('queue-table'), {
    columns: QUEUE_COLUMNS,
    rowAttr: 'queue',
    keyOf: (q) => q.queue_id,
    rowClass: (q) => (q.queue_id === TOTALS_ID ? 'totals' : 'clickable'),
  });
  agentTable = new SortableTable($('agent-table'), {
    columns: AGENT_COLUMNS,
    rowAttr: 'agent',
    keyOf: (a) => a.agent_id,
    rowClass: (a) => `st-row-${a.state}`,
  });
  contactTable = new SortableTable($('contact-table'), {
    columns: CONTACT_COLUMNS,
    rowAttr: 'contact',
    keyOf: (c) => c.contact_id,
    sort: { key: 'wait_s', dir: -1 },
    rowClass: (c) => (c.tier && String(c.tier).toLowerCase() === 'vip' ? 'vip' : ''),
  });
}

function renderHeader(b) {
  const center = b.center?.name ? String(b.center.name) : 'Wallboard';
  setText($('center-name'), center);
  const title = `${center} — ${state.mode === 'tv' ? 'TV wallboard' : 'Wallboard'}`;
  if (document.title !== title) document.title = title;
  const clock = $('clock');
  setText(clock, clockTime(boardNowMs()));
  const tz = b.center?.timezone;
  setAttr(clock, 'title', tz ? `Time at the center (${tz})` : 'Time at the center');

  const line = $('as-of-line');
  const sig = `${b.as_of}|${b.source}|${tz}`;
  if (signatures.get(line) !== sig) {
    signatures.set(line, sig);
    const time = document.createElement('time');
    time.dateTime = b.as_of ?? '';
    time.textContent = b.as_of ? clockTime(b.as_of) : DASH;
    line.replaceChildren('Board as of ', time, tz ? ` (${tz})` : '', b.source ? ` · source: ${b.source}` : '');
  }
}

function alertKey(a) {
  return a.alert_id ?? `${a.rule}:${a.queue_id}`;
}

function renderAlerts(b) {
  const alerts = [...(Array.isArray(b.alerts) ? b.alerts : [])].sort(
    (x, y) =>
      (SEVERITY_ORDER[x.severity] ?? 9) - (SEVERITY_ORDER[y.severity] ?? 9) ||
      compareValues(Date.parse(x.since ?? '') || null, Date.parse(y.since ?? '') || null, 1),
  );
  const tv = state.mode === 'tv';
  const shown = tv ? alerts.slice(0, MAX_TV_ALERTS) : alerts;
  const list = $('alert-list');
  reconcile(
    list,
    shown,
    alertKey,
    (a) => {
      const li = document.createElement('li');
      li.dataset.alert = alertKey(a);
      return li;
    },
    (li, a) => {
      const sev = String(a.severity ?? 'info').replace(/[^a-z0-9_-]/gi, '');
      const q = a.queue_id && a.queue_id !== TOTALS_ID ? a.queue_id : null;
      patch(li, {
        cls: `alert sev-${sev}`,
        parts: [
          { t: sev === 'critical' ? 'Critical' : sev === 'warning' ? 'Warning' : text(a.severity), c: 'sev', f: 'severity', v: a.severity },
          { t: text(a.message), c: 'msg', f: 'message', v: a.message },
          {
            c: 'meta',
            kids: [
              a.since ? 'since ' : null,
              a.since ? { t: clockTime(a.since, false), f: 'since', v: a.since } : null,
              q && !tv ? { t: queueName(q), href: queueHref(q), nav: q, c: 'alert-queue', title: 'Open this queue' } : null,
            ],
          },
        ],
      });
    },
  );
  setText($('alert-count'), alerts.length ? `(${alerts.length})` : '');
  show($('no-alerts'), alerts.length === 0);
  const more = alerts.length - shown.length;
  show($('more-alerts'), more > 0);
  setText($('more-alerts'), more > 0 ? `+ ${more} more alert${more === 1 ? '' : 's'}` : '');
  document.body.dataset.alerts = String(alerts.length);
  const worst = alerts.length ? alerts[0].severity : 'none';
  if ($('alerts').dataset.worst !== worst) $('alerts').dataset.worst = worst;
}

function renderOverview(b) {
  const queues = Array.isArray(b.queues) ? b.queues : [];
  queueTable.update(queues, b.totals ?? null);
}

function renderDetail(b) {
  const q = (b.queues ?? []).find((x) => x.queue_id === state.queue) ?? (state.queue === TOTALS_ID ? b.totals : null);
  setText($('detail-title'), q ? text(q.name ?? q.queue_id) : `Queue “${state.queue}”`);
  setText($('detail-channel'), q?.channel ?? '');
  show($('detail-missing'), !q);
  setText($('detail-missing'), q ? '' : 'This queue is not on the board.');
  renderTiles($('detail-tiles'), q);
  const contacts = q ? (b.contacts ?? []).filter((c) => state.queue === TOTALS_ID || c.queue_id === state.queue) : [];
  contactTable.update(contacts);
  setText($('contact-count'), `(${contacts.length})`);
  show($('no-contacts'), contacts.length === 0);
}

function renderAgents(b) {
  let agents = Array.isArray(b.agents) ? b.agents : [];
  const select = $('team-filter');
  const teams = [...new Set(agents.map((a) => a.team).filter((t) => t !== null && t !== undefined))].sort();
  const sig = JSON.stringify(teams);
  if (signatures.get(select) !== sig) {
    signatures.set(select, sig);
    const current = select.value;
    const options = teams.map((t) => {
      const o = document.createElement('option');
      o.value = t;
      o.textContent = state.me?.team === t ? `${t} (mine)` : t;
      return o;
    });
    const all = document.createElement('option');
    all.value = '';
    all.textContent = 'All teams';
    select.replaceChildren(all, ...options);
    select.value = teams.includes(current) ? current : '';
  }
  show(select.parentElement, teams.length > 1);

  const detail = state.mode === 'desk' && state.queue;
  if (detail && state.queue !== TOTALS_ID) agents = agents.filter((a) => (a.queues ?? []).includes(state.queue));
  if (select.value) agents = agents.filter((a) => a.team === select.value);
  const title = $('agents-title');
  const heading = detail ? `Agents serving ${queueName(state.queue)} ` : 'Agents ';
  if (title.firstChild.nodeValue !== heading) title.firstChild.nodeValue = heading;
  setText($('agent-count'), `(${agents.length})`);
  const by = {};
  for (const a of agents) by[a.state] = (by[a.state] ?? 0) + 1;
  setText(
    $('agent-summary'),
    AGENT_STATES.filter((s) => by[s]).map((s) => `${by[s]} ${AGENT_STATE_LABEL[s].toLowerCase()}`).join(' · '),
  );
  agentTable.update(agents);
  show($('no-agents'), agents.length === 0);
}

// ---- TV

function tvPages(b) {
  if (state.queue) return [state.queue];
  const pages = b.totals ? [TOTALS_ID] : [];
  for (const q of b.queues ?? []) pages.push(q.queue_id);
  return pages;
}

function renderTv(b) {
  const pages = tvPages(b);
  if (!pages.includes(state.tvPage)) state.tvPage = pages[0] ?? null;
  const id = state.tvPage;
  const q = id === TOTALS_ID ? b.totals : (b.queues ?? []).find((x) => x.queue_id === id);
  setAttr(document.body, 'data-page', id ?? '');
  setAttr($('tv'), 'data-page', id ?? '');
  setText($('tv-title'), q ? text(q.name ?? (id === TOTALS_ID ? 'All queues' : id)) : id ? `Queue “${id}” is not on the board` : 'No queues');
  setText($('tv-channel'), q?.channel ?? '');
  const index = pages.indexOf(id);
  setText($('tv-page'), pages.length > 1 ? `${index + 1} / ${pages.length}` : '');
  renderTiles($('tv-tiles'), q ?? null);

  const strip = $('tv-strip');
  const showStrip = id === TOTALS_ID && (b.queues ?? []).length > 0;
  show(strip, showStrip);
  reconcile(
    strip,
    showStrip ? b.queues : [],
    (x) => x.queue_id,
    (x) => {
      const div = document.createElement('div');
      div.dataset.summary = x.queue_id;
      return div;
    },
    (div, x) => {
      const sl = slStatus(x.service_level, x.sl_target);
      patch(div, {
        cls: `strip-q ${sl ? `sl-${sl}` : ''} ${longestOver(x) ? 'over' : ''}`,
        parts: [
          { t: text(x.name ?? x.queue_id), c: 'strip-name' },
          { c: 'strip-fig', kids: [{ t: count(x.waiting), c: 'strip-n' }, { t: ' waiting', c: 'strip-l' }] },
          { c: 'strip-fig', kids: [{ t: dur(liveLongest(x)), c: 'strip-n' }, { t: ' longest', c: 'strip-l' }] },
          {
            c: 'strip-fig strip-sl',
            kids: [{ t: pct(x.service_level, 0), c: 'strip-n' }, ...slMark(sl), { t: ' SL', c: 'strip-l' }],
          },
        ],
      });
    },
  );
}

function restartProgress() {
  const bar = $('tv-bar');
  bar.style.setProperty('--rotate', `${state.rotateS}s`);
  bar.classList.remove('run');
  void bar.offsetWidth; // restart the CSS animation
  if (!state.queue) bar.classList.add('run');
}

function rotate() {
  if (!state.board) return;
  const pages = tvPages(state.board);
  if (pages.length < 2) return;
  const i = pages.indexOf(state.tvPage);
  state.tvPage = pages[(i + 1) % pages.length];
  restartProgress();
  render();
}

// ---- the whole page

function render() {
  renderStatus();
  const b = state.board;
  if (!b) return;
  try {
    show($('loading'), false);
    renderHeader(b);
    renderAlerts(b);
    const tv = state.mode === 'tv';
    const detail = !tv && Boolean(state.queue);
    document.body.dataset.view = tv ? 'tv' : detail ? 'queue' : 'overview';
    show($('tv'), tv);
    show($('overview'), !tv && !detail);
    show($('detail'), detail);
    show($('agents-section'), !tv);
    if (tv) {
      renderTv(b);
    } else if (detail) {
      queueTable.clear(); // one element per data-queue at a time
      renderDetail(b);
    } else {
      contactTable.clear();
      renderTiles($('detail-tiles'), null);
      renderOverview(b);
    }
    if (!tv) renderAgents(b);
  } catch (err) {
    console.error('wallboard: cannot render the board', err);
  }
  setAttr(document.body, 'data-as-of', b.as_of ?? '');
}

function renderStatus() {
  const now = performance.now();
  const stale = Boolean(state.board) && now - state.receivedAt > STALE_AFTER_MS;
  const body = document.body;
  setAttr(body, 'data-stale', String(stale));
  setAttr(body, 'data-connection', state.connection);

  const marker = $('stale-marker');
  show(marker, stale);
  if (stale) setText(marker, `Stale — last update ${dur((now - state.receivedAt) / 1000)} ago`);

  const banner = $('conn-banner');
  const down = state.connection === 'closed';
  show(banner, down);
  if (down) {
    const wait = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
    setText(banner, wait > 0 ? `Disconnected — reconnecting in ${wait} s…` : 'Disconnected — reconnecting…');
  }

  const live = $('live');
  const mode = down ? 'down' : state.connection === 'connecting' ? 'connecting' : stale ? 'stale' : 'live';
  setAttr(live, 'data-state', mode);
  setText($('live-text'), { down: 'Offline', connecting: 'Connecting…', stale: 'Stale', live: 'Live' }[mode]);
}

// ---------------------------------------------------------------- timers

function scheduleTick() {
  clearTimeout(state.tickTimer);
  // Tick just after each whole second since the board arrived, so running times step together.
  const phase = state.board ? (performance.now() - state.receivedAt) % 1000 : 0;
  state.tickTimer = setTimeout(() => {
    render();
    scheduleTick();
  }, 1000 - phase + 5);
}

function startRotation() {
  clearInterval(state.rotateTimer);
  if (state.mode !== 'tv' || state.queue) return;
  state.rotateTimer = setInterval(rotate, state.rotateS * 1000);
  restartProgress();
}

// ---------------------------------------------------------------- server

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function signinUrl() {
  return `/signin?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/** GET /api/me: the user, or null after a redirect to the sign-in page. Retries while unreachable. */
async function loadMe() {
  for (let attempt = 0; ; attempt += 1) {
    let res = null;
    try {
      res = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    } catch {
      res = null;
    }
    if (res?.status === 401) {
      location.replace(signinUrl());
      return null;
    }
    if (res?.status === 403) {
      fatal('This account may not view the wallboard.');
      return null;
    }
    if (res?.ok) {
      try {
        return await res.json();
      } catch {
        /* a broken answer: retry */
      }
    }
    const delay = Math.min(MAX_BACKOFF_S, 2 ** attempt);
    state.connection = 'closed';
    state.retryAt = performance.now() + delay * 1000;
    renderStatus();
    await sleep(delay * 1000);
  }
}

function fatal(message) {
  setText($('fatal'), message);
  show($('fatal'), true);
  show($('loading'), false);
}

/** A session that expired shows up as a socket that closes before it opens. */
async function sessionAlive() {
  try {
    const res = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store' });
    if (res.status === 401) {
      location.replace(signinUrl());
      return false;
    }
  } catch {
    /* unreachable: keep trying the socket */
  }
  return true;
}

function connect() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const team = new URLSearchParams(location.search).get('team'); // /wallboard?team=… : that team's board
  const query = team ? `?${new URLSearchParams({ team })}` : '';
  let ws;
  try {
    ws = new WebSocket(`${proto}//${location.host}/ws/wallboard${query}`);
  } catch {
    reconnectLater(false);
    return;
  }
  let opened = false;
  state.connection = 'connecting';
  renderStatus();
  ws.addEventListener('open', () => {
    opened = true;
    state.connection = 'open';
    renderStatus();
  });
  ws.addEventListener('message', (event) => {
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    if (msg && msg.type === 'board' && msg.board && typeof msg.board === 'object') receive(msg.board);
  });
  ws.addEventListener('close', () => reconnectLater(opened));
}

function reconnectLater(opened) {
  const delay = Math.min(MAX_BACKOFF_S, 2 ** state.attempt); // 1, 2, 4, 8, 10, 10… s
  state.attempt += 1;
  state.connection = 'closed';
  state.retryAt = performance.now() + delay * 1000;
  renderStatus();
  setTimeout(async () => {
    if (!opened && !(await sessionAlive())) return;
    connect();
  }, delay * 1000);
}

function receive(board) {
  state.board = board;
  state.receivedAt = performance.now();
  state.attempt = 0;
  state.connection = 'open';
  render();
  scheduleTick();
}

// ---------------------------------------------------------------- navigation

function readUrl() {
  const params = new URLSearchParams(location.search);
  state.mode = params.get('mode') === 'tv' ? 'tv' : 'desk';
  const rotateS = Number.parseFloat(params.get('rotate') ?? '');
  state.rotateS = Number.isFinite(rotateS) && rotateS >= MIN_ROTATE_S ? rotateS : DEFAULT_ROTATE_S;
  state.queue = params.get('queue') || null;
}

function navigate(queueId) {
  history.pushState({ queue: queueId }, '', queueHref(queueId));
  state.queue = queueId;
  render();
  window.scrollTo(0, 0);
  $(queueId ? 'detail-title' : 'queues-title').focus({ preventScroll: true });
}

function bindEvents() {
  document.addEventListener('click', (event) => {
    if (state.mode !== 'desk' || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest('a[data-nav]');
    if (link) {
      event.preventDefault();
      navigate(link.dataset.nav);
      return;
    }
    if (event.target.closest('#back-link')) {
      event.preventDefault();
      navigate(null);
      return;
    }
    const row = event.target.closest('#queue-table tbody tr[data-queue]');
    if (row && !event.target.closest('a, button, input, select')) navigate(row.dataset.queue);
  });
  window.addEventListener('popstate', () => {
    readUrl();
    render();
  });
  $('team-filter').addEventListener('change', render);
  window.addEventListener('online', () => {
    if (state.connection === 'closed') state.retryAt = performance.now();
  });
}

function applyMode() {
  document.body.dataset.mode = state.mode;
  const other = new URLSearchParams(location.search);
  other.set('mode', state.mode === 'tv' ? 'desk' : 'tv');
  other.delete('queue');
  const link = $('mode-switch');
  link.href = `${location.pathname}?${other}`;
  link.textContent = state.mode === 'tv' ? 'Desk view' : 'TV view';
  $('back-link').href = queueHref(null);
}

async function main() {
  readUrl();
  applyMode();
  initTables();
  bindEvents();
  renderStatus();
  const me = await loadMe();
  if (!me) return;
  state.me = me;
  setText($('user-name'), [me.name, me.role, me.team ? `team ${me.team}` : null].filter(Boolean).join(' · '));
  $('csrf-token').value = me.csrf_token ?? '';
  connect();
  scheduleTick();
  startRotation();
}

main();
