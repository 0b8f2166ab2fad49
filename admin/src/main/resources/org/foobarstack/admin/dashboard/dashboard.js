// foobar-stack dashboard. Plain JavaScript, no build step, no library: it reads the admin server's JSON APIs
// and draws three panels.
//
//   1. Topology      GET /api/topology every 5 s  -> an SVG: client -> DNS -> web -> app -> db, up or down
//   2. Requests      GET /api/traces every 1.5 s  -> a table, newest first; a click opens the request
//   3. The request   GET /api/traces/{id}         -> a waterfall of its hops, stepped one message at a time,
//                                                    and the selected message's decoded field tree
//
// Every piece of text from the server goes into the page through textContent or an SVG text node, never as
// HTML, so a header value such as "<script>" shows as those characters and runs nothing.
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const REQUESTS_EVERY_MS = 1500;
  const TOPOLOGY_EVERY_MS = 5000;
  const LIST_LIMIT = 50;
  /** The columns of the topology, in the order a request crosses them. */
  const COLUMNS = [
    { tier: 'client', title: 'client' },
    { tier: 'dns', title: 'DNS' },
    { tier: 'web', title: 'web' },
    { tier: 'app', title: 'app' },
    { tier: 'db', title: 'database' },
  ];

  const state = {
    paused: false,
    lastListJson: '',
    selectedTraceId: null,
    trace: null,
    hopIndex: 0,
  };

  // ------------------------------------------------------------------ small helpers

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** The colour class of a tier: the four of the stack, "storage" drawn as the database, others grey. */
  function tierClass(tier) {
    const name = tier === 'storage' ? 'db' : tier;
    return ['client', 'dns', 'web', 'app', 'db'].includes(name) ? 'tier-' + name : 'tier-other';
  }

  function formatNanos(nanos) {
    const ms = nanos / 1e6;
    if (ms < 1) return ms.toFixed(3) + ' ms';
    if (ms < 1000) return ms.toFixed(1) + ' ms';
    return (ms / 1000).toFixed(2) + ' s';
  }

  function formatTime(epochMicros) {
    const date = new Date(Math.floor(epochMicros / 1000));
    const pad = (n, w) => String(n).padStart(w, '0');
    return pad(date.getHours(), 2) + ':' + pad(date.getMinutes(), 2) + ':' + pad(date.getSeconds(), 2)
        + '.' + pad(date.getMilliseconds(), 3);
  }

  function statusClass(status) {
    if (status === null || status === undefined) return '';
    if (/^[23]\d\d$/.test(status) || status === 'NOERROR') return 'status-ok';
    return 'status-error';
  }

  async function getJson(path) {
    const response = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    const body = await response.json();
    return { status: response.status, body };
  }

  function connectionProblem(message) {
    document.getElementById('connection').textContent = message || '';
  }

  // ------------------------------------------------------------------ 1. topology

  async function refreshTopology() {
    try {
      const { body } = await getJson('/api/topology');
      drawTopology(body.tiers || []);
      const allUp = (body.tiers || []).every(t => t.up);
      const health = document.getElementById('health');
      health.dataset.state = allUp ? 'up' : 'down';
      health.textContent = allUp ? 'health: all tiers up' : 'health: some tier is down';
      connectionProblem('');
    } catch (e) {
      connectionProblem('admin server unreachable');
    }
  }

  function drawTopology(tiers) {
    const boxWidth = 220;
    const gap = 72;
    const top = 26;
    const lineHeight = 15;
    const columns = COLUMNS.map(c => ({ ...c, boxes: [] }));
    const other = { tier: 'other', title: 'other', boxes: [] };
    columns[0].boxes.push({
      tier: 'client', instance: 'client', role: 'dig, curl, a browser', protocol: '', endpoints: [],
      up: true, counters: {}, client: true,
    });
    for (const t of tiers) {
      const column = columns.find(c => c.tier === (t.tier === 'storage' ? 'db' : t.tier));
      (column || other).boxes.push(t);
    }
    if (other.boxes.length) columns.push(other);

    const root = svg('svg', { role: 'img', 'aria-label': 'topology of the stack' });
    let height = 0;
    const anchors = [];
    columns.forEach((column, i) => {
      const x = 10 + i * (boxWidth + gap);
      root.appendChild(svg('text', { x: x, y: 14, class: 'column-title' }, column.title));
      let y = top;
      const centres = [];
      if (!column.boxes.length) {
        root.appendChild(svg('text', { x: x, y: top + 20, class: 'arrow-label' }, 'not running'));
      }
      for (const t of column.boxes) {
        const lines = [];
        lines.push({ cls: '', text: [t.role, t.protocol].filter(Boolean).join(' · ') });
        for (const endpoint of t.endpoints || []) lines.push({ cls: 'endpoint', text: endpoint });
        if (!t.client) lines.push({ cls: t.up ? 'state-up' : 'state-down', text: t.up ? '● up' : '● down' });
        const counters = Object.entries(t.counters || {}).map(([k, v]) => k + ' ' + v).join('  ');
        if (counters) lines.push({ cls: 'counters', text: counters });
        const h = 24 + lines.length * lineHeight + 8;
        const box = svg('g', {
          class: 'box' + (t.client ? ' client' : ''), 'data-tier': t.tier, 'data-instance': t.instance,
          'data-up': String(!!t.up),
        });
        box.appendChild(svg('rect', { x: x, y: y, width: boxWidth, height: h, rx: 6, class: 'frame' }));
        box.appendChild(svg('rect', { x: x + 1, y: y + 1, width: boxWidth - 2, height: 21, rx: 5,
          class: 'band ' + tierClass(t.tier) }));
        box.appendChild(svg('text', { x: x + 8, y: y + 16, class: 'instance' }, t.instance));
        lines.forEach((line, n) => {
          box.appendChild(svg('text', { x: x + 8, y: y + 24 + (n + 1) * lineHeight - 2, class: line.cls },
              line.text));
        });
        root.appendChild(box);
        centres.push(y + h / 2);
        y += h + 14;
      }
      height = Math.max(height, y);
      anchors.push({ x: x, centres: centres.length ? centres : [top + 20] });
    });
    // arrows: each column to the next, from the middle of one group of boxes to each box of the next
    const labels = ['DNS', 'HTTP', 'FastCGI', 'SQL', ''];
    for (let i = 0; i + 1 < anchors.length; i++) {
      const from = anchors[i];
      const to = anchors[i + 1];
      const fromY = from.centres.reduce((a, b) => a + b, 0) / from.centres.length;
      for (const toY of to.centres) {
        const x1 = from.x + boxWidth;
        const x2 = to.x - 4;
        root.appendChild(svg('path', { class: 'arrow', d: `M${x1},${fromY} C${x1 + 25},${fromY} ${x2 - 25},${toY} ${x2},${toY}` }));
        root.appendChild(svg('path', { class: 'arrow', d: `M${x2 - 6},${toY - 4} L${x2},${toY} L${x2 - 6},${toY + 4}` }));
      }
      if (labels[i]) {
        root.appendChild(svg('text', { x: from.x + boxWidth + gap / 2, y: Math.min(fromY, ...to.centres) - 10,
          class: 'arrow-label',
          'text-anchor': 'middle' }, labels[i]));
      }
    }
    const width = 10 + anchors.length * (boxWidth + gap) - gap + 10;
    root.setAttribute('viewBox', `0 0 ${width} ${Math.max(height, 80)}`);
    root.setAttribute('width', width);
    const holder = document.getElementById('topology');
    holder.replaceChildren(root);
  }

  // ------------------------------------------------------------------ 2. recent requests

  async function refreshRequests() {
    if (state.paused) return;
    let body;
    try {
      ({ body } = await getJson('/api/traces?limit=' + LIST_LIMIT));
      connectionProblem('');
    } catch (e) {
      connectionProblem('admin server unreachable');
      return;
    }
    const text = JSON.stringify(body.traces);
    if (text === state.lastListJson) return; // unchanged: leave the rows alone, so a click in progress lands
    state.lastListJson = text;
    drawRequests(body.traces || []);
  }

  function drawRequests(traces) {
    const tbody = document.getElementById('requests');
    const rows = traces.map(t => {
      const tr = el('tr');
      tr.dataset.traceId = t.traceId;
      tr.title = 'trace ' + t.traceId;
      if (t.traceId === state.selectedTraceId) tr.classList.add('selected');
      tr.appendChild(el('td', 'time', formatTime(t.startEpochMicros)));
      const what = t.method ? t.method + ' ' + (t.target || '') : t.summary;
      tr.appendChild(el('td', 'request', what));
      tr.appendChild(el('td', 'status ' + statusClass(t.status), t.status === null ? '…' : t.status));
      tr.appendChild(el('td', 'num duration', formatNanos(t.durationNanos)));
      tr.appendChild(el('td', 'num hops', t.hopCount));
      const tiersCell = el('td', 'tiers');
      for (const tier of t.tiers) tiersCell.appendChild(el('span', 'tier-chip ' + tierClass(tier), tier));
      tr.appendChild(tiersCell);
      tr.addEventListener('click', () => openTrace(t.traceId));
      return tr;
    });
    tbody.replaceChildren(...rows);
    document.getElementById('requests-empty').hidden = traces.length > 0;
    // the open request gained messages since it was opened (it was still under way): redraw it, same position
    const open = traces.find(t => t.traceId === state.selectedTraceId);
    if (open && state.trace && open.hopCount !== state.trace.hops.length) {
      openTrace(open.traceId, state.hopIndex);
    }
  }

  // ------------------------------------------------------------------ 3. one request: waterfall and fields

  async function openTrace(traceId, hopIndex) {
    const { status, body } = await getJson('/api/traces/' + encodeURIComponent(traceId));
    if (status !== 200) {
      connectionProblem(body.error || ('trace ' + traceId + ': ' + status));
      return;
    }
    state.selectedTraceId = body.traceId;
    state.trace = body;
    for (const tr of document.querySelectorAll('#requests tr')) {
      tr.classList.toggle('selected', tr.dataset.traceId === body.traceId);
    }
    document.getElementById('trace-panel').hidden = false;
    document.getElementById('trace-title').textContent =
        body.requestId + ' · ' + body.hops.length + ' messages · ' + formatNanos(body.durationNanos)
        + ' · ' + body.tiers.join(' → ');
    drawWaterfall(body);
    selectHop(Math.min(hopIndex || 0, body.hops.length - 1));
  }

  function drawWaterfall(trace) {
    const total = Math.max(1, ...trace.hops.map(h => h.sinceStartNanos + h.durationNanos));
    const holder = document.getElementById('waterfall');
    const axis = el('div', 'axis');
    ['#', 'tier', 'protocol', 'direction', 'message'].forEach(t => axis.appendChild(el('span', '', t)));
    const scale = el('span', 'scale');
    [0, total / 2, total].forEach(n => scale.appendChild(el('span', '', formatNanos(n))));
    axis.appendChild(scale);
    const rows = [axis];
    trace.hops.forEach((hop, i) => {
      const row = el('div', 'hop');
      row.dataset.hopIndex = String(i);
      row.dataset.tier = hop.tier;
      row.setAttribute('role', 'option');
      row.appendChild(el('span', 'index', i + 1));
      const chip = el('span', 'tier-chip ' + tierClass(hop.tier), hop.tier + '/' + hop.instance);
      const tierCell = el('span');
      tierCell.appendChild(chip);
      row.appendChild(tierCell);
      row.appendChild(el('span', 'protocol', hop.protocol));
      row.appendChild(el('span', 'direction', hop.direction === 'sent' ? 'sent →' : '← received'));
      row.appendChild(el('span', 'summary', hop.summary));
      const track = el('span', 'track');
      const bar = el('span', 'bar ' + tierClass(hop.tier));
      const left = 100 * hop.sinceStartNanos / total;
      bar.style.left = left + '%';
      bar.style.width = (100 * hop.durationNanos / total) + '%';
      bar.title = '+' + formatNanos(hop.sinceStartNanos) + ', took ' + formatNanos(hop.durationNanos);
      track.appendChild(bar);
      const label = el('span', 'bar-label', formatNanos(hop.durationNanos));
      if (left > 70) {
        label.style.right = (100 - left + 1) + '%';
      } else {
        label.style.left = 'calc(' + left + '% + ' + (Math.max(100 * hop.durationNanos / total, 0)) + '% + 6px)';
      }
      track.appendChild(label);
      row.appendChild(track);
      row.addEventListener('click', () => selectHop(i));
      rows.push(row);
    });
    holder.replaceChildren(...rows);
  }

  function selectHop(index) {
    const trace = state.trace;
    if (!trace || !trace.hops.length) return;
    state.hopIndex = Math.max(0, Math.min(index, trace.hops.length - 1));
    const hop = trace.hops[state.hopIndex];
    for (const row of document.querySelectorAll('#waterfall .hop')) {
      const selected = Number(row.dataset.hopIndex) === state.hopIndex;
      row.classList.toggle('selected', selected);
      row.setAttribute('aria-selected', String(selected));
      if (selected) row.scrollIntoView({ block: 'nearest' });
    }
    document.getElementById('hop-position').textContent = (state.hopIndex + 1) + ' / ' + trace.hops.length;
    document.getElementById('hop-prev').disabled = state.hopIndex === 0;
    document.getElementById('hop-next').disabled = state.hopIndex === trace.hops.length - 1;
    const detail = document.getElementById('hop-detail');
    detail.dataset.hopIndex = String(state.hopIndex);
    detail.dataset.tier = hop.tier;
    document.getElementById('hop-title').textContent =
        (state.hopIndex + 1) + '. ' + hop.tier + '/' + hop.instance + ' ' + hop.protocol + ' ' + hop.direction
        + ': ' + hop.summary;
    document.getElementById('hop-meta').textContent =
        'peer ' + (hop.peer || '-') + ' · at +' + formatNanos(hop.sinceStartNanos) + ' · took '
        + formatNanos(hop.durationNanos) + ' · ' + hop.start;
    drawFields(hop.fields);
    history.replaceState(null, '', '#trace=' + trace.traceId + '&hop=' + (state.hopIndex + 1));
  }

  /** The field tree: top-level fields open, deeper ones closed, as Wireshark opens a packet. */
  function drawFields(fields) {
    const holder = document.getElementById('fields');
    const tools = el('div', 'field-tools');
    const expand = el('button', '', 'expand all');
    expand.type = 'button';
    expand.id = 'fields-expand';
    expand.addEventListener('click', () => holder.querySelectorAll('li.collapsed').forEach(li => toggle(li, false)));
    const collapse = el('button', '', 'collapse all');
    collapse.type = 'button';
    collapse.id = 'fields-collapse';
    collapse.addEventListener('click', () => holder.querySelectorAll('li.has-children').forEach(li => toggle(li, true)));
    tools.append(expand, ' ', collapse);
    holder.replaceChildren(tools, fieldList(fields, 0));
    if (!fields.length) holder.appendChild(el('p', 'empty', 'no decoded fields for this message'));
  }

  function fieldList(fields, depth) {
    const ul = el('ul');
    for (const field of fields) {
      const li = el('li', 'field');
      li.dataset.fieldName = field.name;
      li.dataset.depth = String(depth);
      const line = el('div', 'line');
      if (field.children.length) {
        li.classList.add('has-children');
        const twisty = el('button', 'twisty');
        twisty.type = 'button';
        twisty.addEventListener('click', () => toggle(li, !li.classList.contains('collapsed')));
        line.appendChild(twisty);
      } else {
        line.appendChild(el('span', 'twisty-space'));
      }
      line.appendChild(el('span', 'name', field.name));
      if (field.offset !== null) line.appendChild(el('span', 'range', '[' + field.offset + '+' + field.length + ']'));
      line.appendChild(el('span', 'value', field.value));
      li.appendChild(line);
      if (field.children.length) {
        li.appendChild(fieldList(field.children, depth + 1));
        toggle(li, depth >= 1);
      }
      ul.appendChild(li);
    }
    return ul;
  }

  function toggle(li, collapsed) {
    li.classList.toggle('collapsed', collapsed);
    const twisty = li.querySelector(':scope > .line > .twisty');
    if (twisty) {
      twisty.textContent = collapsed ? '▶' : '▼';
      twisty.setAttribute('aria-expanded', String(!collapsed));
    }
  }

  // ------------------------------------------------------------------ wiring

  function step(delta) {
    if (state.trace) selectHop(state.hopIndex + delta);
  }

  function start() {
    document.getElementById('hop-next').addEventListener('click', () => step(1));
    document.getElementById('hop-prev').addEventListener('click', () => step(-1));
    document.addEventListener('keydown', event => {
      if (!state.trace || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === 'ArrowRight' || event.key === 'ArrowDown') {
        step(1);
        event.preventDefault();
      } else if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') {
        step(-1);
        event.preventDefault();
      }
    });
    const pause = document.getElementById('pause');
    pause.addEventListener('click', () => {
      state.paused = !state.paused;
      pause.setAttribute('aria-pressed', String(state.paused));
      pause.textContent = state.paused ? 'Resume' : 'Pause';
      if (!state.paused) refreshRequests();
    });
    refreshTopology();
    refreshRequests();
    setInterval(refreshTopology, TOPOLOGY_EVERY_MS);
    setInterval(refreshRequests, REQUESTS_EVERY_MS);
    // a link such as /#trace=4bf92f35...&hop=3 opens that request at that message
    const link = /trace=([0-9a-f]{1,32})(?:&hop=(\d+))?/.exec(location.hash);
    if (link) openTrace(link[1], link[2] ? Number(link[2]) - 1 : 0);
  }

  document.addEventListener('DOMContentLoaded', start);
})();
