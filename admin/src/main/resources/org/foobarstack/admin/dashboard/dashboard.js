// foobar-stack dashboard. Plain JavaScript, no build step, no library: it reads the admin server's JSON APIs
// and draws seven panels.
//
//   1. Topology      GET /api/topology every 2 s  -> the hosts as boxes with their tiers, the load balancer's view
//                                                    of its servers, arrows in the order a request crosses them,
//                                                    and buttons that kill, start, drain or ready a host
//                                                    (POST /api/hosts/{host}/{action}, with the stack's token);
//                                                    with replicated databases, each database's role and lag,
//                                                    the change log's arrow from the primary to each replica,
//                                                    and buttons that promote, pause, resume or re-attach one
//   2. Requests      GET /api/traces every 1.5 s  -> a table, newest first; a click opens the request
//   3. The request   GET /api/traces/{id}         -> a waterfall of its hops, stepped one message at a time,
//                                                    and the selected message's decoded field tree
//   4. Last demo     GET /api/demo every 5 s      -> once a demo command has reported, its charts: for
//                                                    "demo spof" per run the requests answered and failed over
//                                                    time, the kill and the restart marked; for "demo deploy"
//                                                    per run which version answered each second, the deploy
//                                                    marked; for "demo scale" the requests served per step
//                                                    with the rate offered; each with its figures
//   5. Operation     GET /api/operation every 1 s -> while a deploy or a scaling runs, and after: what was asked,
//                                                    its state, its steps (newest at the bottom) and its result;
//                                                    the hosts it names outlined in the topology while it runs
//   6. Monitoring    GET /api/monitoring/summary, -> in a design with a monitoring server (secured): which hosts
//                    .../hosts and .../alerts        push, each web server's requests per second, error rate and
//                    every 2 s                       p99 with a line of its last 5 minutes, each replica's lag,
//                                                    and the alert rules with their state and their alerts
//   7. Links         GET /api/links every 2 s     -> in a stack run with --toxics: each link between two tiers,
//                                                    its proxy and its toxics, a form that adds one and a button
//                                                    that removes one (POST/DELETE /api/links/..., with the
//                                                    token); the toxics also show on the topology's arrows
//
// Every piece of text from the server goes into the page through textContent or an SVG text node, never as
// HTML, so a header value such as "<script>" shows as those characters and runs nothing.
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const REQUESTS_EVERY_MS = 1500;
  const TOPOLOGY_EVERY_MS = 2000;
  const DEMO_EVERY_MS = 5000;
  const OPERATION_EVERY_MS = 1000;
  const MONITORING_EVERY_MS = 2000;
  const LIST_LIMIT = 50;
  const TIERS = ['client', 'dns', 'lb', 'web', 'app', 'db'];

  const state = {
    paused: false,
    lastListJson: '',
    selectedTraceId: null,
    trace: null,
    hopIndex: 0,
    /** The last demo report drawn, as the admin server sent it; null while there is none. */
    demoText: null,
  };

  /** The topology panel: the last answer, its shape, and the elements built for it (see buildTopology). */
  const topo = {
    loading: false,
    again: false,
    body: null,
    shape: '',
    client: null,
    arrows: null,
    hosts: new Map(),
    tiers: new Map(),
    tierKeys: new Map(),
    balancers: new Map(),
    /** Hosts with an action on its way: their buttons wait for the answer. */
    pending: new Set(),
    tokenInMemory: null,
    /** Where the topology's box was when the arrows were last drawn: every arrow is placed relative to it. */
    origin: null,
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

  /** The colour class of a tier: the five of the stack, "storage" drawn as the database, others grey. */
  function tierClass(tier) {
    const name = tier === 'storage' ? 'db' : tier;
    return TIERS.includes(name) ? 'tier-' + name : 'tier-other';
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

  // ------------------------------------------------------------------ 1. topology: hosts, balancer, arrows
  //
  // The page is built once per shape of the topology (which hosts, which tiers, which balanced servers) and then
  // only updated in place, so that a button keeps existing between two refreshes and a click on it always lands.
  // Boxes are HTML, laid out by CSS in three lanes, top to bottom in the order a request meets them:
  //
  //   front       the client, and to its side the hosts that only answer DNS
  //   balancers   the hosts running a load balancer, each with its view of its servers beside it
  //   servers     every other host, side by side
  //
  // The arrows are an SVG laid over the lanes, drawn after the boxes from where the browser put them.

  async function refreshTopology() {
    if (topo.loading) { // a slow probe, or an action just done: ask again once the answer in flight is in
      topo.again = true;
      return;
    }
    topo.loading = true;
    try {
      const { status, body } = await getJson('/api/topology');
      if (status !== 200) {
        connectionProblem(body.error || ('topology: ' + status)); // keep the last picture rather than none
        return;
      }
      connectionProblem('');
      drawTopology(body);
    } catch (e) {
      connectionProblem('admin server unreachable');
    } finally {
      topo.loading = false;
      if (topo.again) {
        topo.again = false;
        refreshTopology();
      }
    }
  }

  function drawTopology(body) {
    topo.body = body;
    const shape = shapeOf(body);
    if (shape !== topo.shape) {
      buildTopology(body);
      topo.shape = shape;
    }
    updateTopology(body);
    markOperationHosts(); // a scaling adds and removes boxes: outline the hosts of the operation on the new ones
    drawArrows();
    const allUp = (body.tiers || []).every(t => t.up);
    const health = document.getElementById('health');
    health.dataset.state = allUp ? 'up' : 'down';
    health.textContent = allUp ? 'health: all tiers up' : 'health: some tier is down';
  }

  /** What the page's structure depends on; the rest (states, counters, statuses) is updated in place. */
  function shapeOf(body) {
    return JSON.stringify([
      body.name, body.description,
      (body.hosts || []).map(h => [h.name, h.address, h.description, h.tiers.map(t => [t.role, t.instance])]),
      (body.balancers || []).map(b => [b.instance, b.host, b.algorithm, b.statsUrl, !!b.vrrp,
        b.servers.map(s => [s.name, s.host, s.address])]),
      body.drawing || '',
      replicatedTopology(body),
    ]);
  }

  /** Which lane a host is drawn in: see the comment at the top of this section. */
  function laneOf(host) {
    const roles = host.tiers.map(t => t.role);
    if (roles.includes('lb')) return 'balancers';
    if (roles.length && roles.every(role => role === 'dns')) return 'front';
    return 'servers';
  }

  function buildTopology(body) {
    document.getElementById('topology-name').textContent = body.name || '';
    document.getElementById('topology-description').textContent = body.description || '';
    const drawing = typeof body.drawing === 'string' ? body.drawing : '';
    document.getElementById('topology-drawing').textContent = drawing;
    document.getElementById('drawing-part').hidden = !drawing;
    const replicated = replicatedTopology(body);
    document.getElementById('replication-hint').hidden = !replicated;
    const hosts = body.hosts || [];
    const balancers = body.balancers || [];
    topo.hosts = new Map();
    topo.tiers = new Map();
    topo.tierKeys = new Map();
    topo.balancers = new Map();

    const lanes = {};
    for (const name of ['front', 'balancers', 'servers']) {
      lanes[name] = el('div', 'lane lane-' + name);
      lanes[name].dataset.lane = name;
    }
    const client = el('div', 'box client');
    client.dataset.tier = 'client';
    client.dataset.instance = 'client';
    client.dataset.up = 'true';
    client.append(el('div', 'client-name', 'client'), el('div', 'client-what', 'dig, curl, a browser'));
    topo.client = client;
    // the name servers stand in a column beside the client, so that each lookup is a round trip to the side
    const nameServers = el('div', 'name-servers');
    lanes.front.append(client, nameServers);

    for (const host of hosts) {
      const lane = laneOf(host);
      (lane === 'front' ? nameServers : lanes[lane]).appendChild(buildHost(host, balancers, replicated));
      for (const balancer of balancers.filter(b => b.host === host.name)) {
        lanes[lane].appendChild(buildBalancer(balancer));
      }
    }
    const hostNames = new Set(hosts.map(h => h.name));
    for (const balancer of balancers.filter(b => !hostNames.has(b.host))) {
      lanes.balancers.appendChild(buildBalancer(balancer));
    }
    topo.arrows = svg('svg', { id: 'topology-arrows', 'aria-hidden': 'true' });
    const used = Object.values(lanes).filter(lane => lane.querySelector('.box, .balancer'));
    document.getElementById('topology').replaceChildren(topo.arrows, ...used);
  }

  function buildHost(host, balancers, replicated) {
    const box = el('article', 'host');
    box.dataset.host = host.name;
    const head = el('header', 'host-head');
    const state = el('span', 'host-state');
    head.append(el('span', 'host-name', host.name || 'this machine'), el('span', 'host-address', host.address),
        state);
    box.appendChild(head);
    if (host.description) box.appendChild(el('p', 'host-description', host.description));
    const tiers = el('ul', 'tiers');
    for (const tier of host.tiers) {
      const row = el('li', 'box tier');
      row.dataset.tier = tier.role;
      row.dataset.instance = tier.instance;
      tiers.appendChild(row);
      topo.tiers.set(tier.instance, row);
    }
    box.appendChild(tiers);
    const buttons = {};
    let controls = null;
    if (host.name) { // a host without a name (an admin server given only a tier list) cannot be addressed
      controls = el('div', 'host-controls');
      const balanced = balancers.some(b => b.servers.some(s => s.host === host.name));
      const actions = balanced ? ['kill', 'start', 'drain', 'ready'] : ['kill', 'start'];
      // With replicated databases, every host with a database gets the replication buttons too. A database's role
      // changes while the page is open (a promotion, a re-attach), so all of them are made now, and updateButtons
      // shows the ones its role calls for at each refresh.
      if (replicated && host.tiers.some(t => t.role === 'db')) actions.push(...Object.keys(REPLICATION_ACTIONS));
      for (const action of actions) {
        const button = el('button', 'action action-' + action, REPLICATION_ACTIONS[action] || action);
        button.type = 'button';
        button.dataset.action = action;
        button.addEventListener('click', () => act(host.name, action));
        controls.appendChild(button);
        buttons[action] = button;
      }
      box.appendChild(controls);
    }
    topo.hosts.set(host.name, { box, state, controls, buttons });
    return box;
  }

  /**
   * A pair member's VRRP line: "VRRP MASTER of 127.0.0.100, priority 150, preempt", green for MASTER (it holds
   * the address and takes the traffic), grey for BACKUP, red for FAULT or a stopped balancer; under it its last
   * transitions as keepalived logs them, so a takeover can be read where it happened.
   */
  function fillVrrp(pair, vrrp) {
    const state = String(vrrp.state || '');
    const badge = el('span', 'vrrp-state', state);
    badge.dataset.state = state.toLowerCase();
    const what = el('span', 'vrrp-what', 'of ' + vrrp.virtualAddress + ', priority ' + vrrp.priority
        + (vrrp.preempt ? ', preempt' : ', nopreempt'));
    const lines = el('ol', 'vrrp-transitions');
    for (const line of Array.isArray(vrrp.transitions) ? vrrp.transitions : []) {
      lines.appendChild(el('li', '', String(line)));
    }
    pair.dataset.state = state.toLowerCase();
    pair.replaceChildren(el('span', 'vrrp-label', 'VRRP'), badge, what, lines);
  }

  function buildBalancer(balancer) {
    const view = el('section', 'balancer');
    view.dataset.balancer = balancer.instance;
    const head = el('header', 'balancer-head');
    head.append(el('span', 'balancer-name', balancer.instance + ' → its servers'),
        el('span', 'balancer-algorithm', balancer.algorithm));
    if (balancer.statsUrl && /^https?:\/\//.test(balancer.statsUrl)) {
      const link = el('a', 'stats-link', 'stats page ↗');
      link.href = balancer.statsUrl;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.title = balancer.instance + "'s own statistics, laid out like HAProxy's: " + balancer.statsUrl;
      head.appendChild(link);
    }
    // a member of a VRRP pair: its state (MASTER holds the virtual address), and its last transitions
    const pair = el('div', 'vrrp');
    pair.hidden = !balancer.vrrp;
    const table = el('table', 'balancer-servers');
    const header = el('tr');
    for (const title of ['server', 'status', 'cur', 'total', 'last check']) header.appendChild(el('th', '', title));
    const thead = el('thead');
    thead.appendChild(header);
    const tbody = el('tbody');
    table.append(thead, tbody);
    view.append(head, pair, table);
    topo.balancers.set(balancer.instance, { view, tbody, pair });
    return view;
  }

  function updateTopology(body) {
    const balancers = body.balancers || [];
    for (const host of body.hosts || []) {
      const view = topo.hosts.get(host.name);
      view.box.dataset.state = host.state;
      view.box.dataset.up = String(!!host.up);
      view.state.textContent = host.state;
      for (const tier of host.tiers) fillTier(tier);
      updateButtons(host, balancers, view);
    }
    for (const balancer of balancers) {
      const drawn = topo.balancers.get(balancer.instance);
      drawn.tbody.replaceChildren(...balancer.servers.map(serverRow));
      if (balancer.vrrp) fillVrrp(drawn.pair, balancer.vrrp);
    }
    updateTokenNote();
  }

  /** A tier's row in its host's box; rebuilt only when something in it changed. */
  function fillTier(tier) {
    const key = JSON.stringify(tier);
    if (topo.tierKeys.get(tier.instance) === key) return;
    topo.tierKeys.set(tier.instance, key);
    const row = topo.tiers.get(tier.instance);
    row.dataset.up = String(!!tier.up);
    const replication = replicationOf(tier);
    if (replication) row.dataset.replication = replication.role;
    else delete row.dataset.replication;
    const line = el('div', 'tier-line');
    line.append(el('span', 'tier-chip ' + tierClass(tier.role), tier.role), el('span', 'instance', tier.instance),
        el('span', 'port', tier.port ? ':' + tier.port : ''));
    if (replication) line.appendChild(replicationBadge(replication));
    line.appendChild(el('span', 'state ' + (tier.up ? 'state-up' : 'state-down'), tier.up ? '● up' : '● down'));
    const parts = [line, el('div', 'tier-what', [tier.description, tier.protocol].filter(Boolean).join(' · '))];
    if (replication && replication.role === 'replica') parts.push(...replicaLines(tier, replication));
    for (const endpoint of tier.endpoints || []) parts.push(el('div', 'endpoint', endpoint));
    const counters = Object.entries(tier.counters || {}).map(([k, v]) => k + ' ' + v).join('  ');
    if (counters) parts.push(el('div', 'counters', counters));
    row.replaceChildren(...parts);
  }

  // ------------------------------------------------------------------ replication: each database's role and lag
  //
  // In a topology with a primary and replicas (distributed), every database tier carries a "replication" object:
  // its role, and for a replica the state of the client that applies the primary's change log and how far behind
  // it is. The row of a database shows its role as a badge, and a replica's row one more line:
  //
  //   db-2 :1527 REPLICA ● up
  //   database (replica) · DRDA (Derby)
  //   ← server-1  streaming · 0 txn · 0 ms behind
  //
  // A database outside replication ("standalone", as in simple) shows nothing more than any other tier.

  /** A replica that streams further behind than this, or does not stream, is shown in the warning colour. */
  const LAG_WARNING_MS = 1000;

  const ROLE_TIPS = {
    primary: 'The primary: it takes every write, and logs each change for its replicas to apply.',
    replica: 'A replica: it applies the primary\'s change log in order and serves reads; it refuses writes.',
    fenced: 'Fenced: a former primary, made read-only when another database was promoted, so that nobody goes on '
        + 'writing to a database no replica follows. Re-attach makes it a replica of the current primary.',
  };

  /** Whether any database of the topology is a primary, a replica or fenced, or is a replica in the file. */
  function replicatedTopology(body) {
    return (body.hosts || []).some(host => host.tiers.some(tier => replicationOf(tier) !== null
        || (tier.role === 'db' && (tier.references || []).some(r => r.role === 'db'))));
  }

  /** The replication object of a database that takes part in replication; null for any other tier. */
  function replicationOf(tier) {
    const replication = tier && tier.role === 'db' ? tier.replication : null;
    return replication && replication.role && replication.role !== 'standalone' ? replication : null;
  }

  /** Whether a replica needs a look: not streaming (paused, connecting, failed, stopped), or over a second behind. */
  function lagging(replication) {
    return replication.state !== 'streaming' || replication.lagMillis > LAG_WARNING_MS;
  }

  /**
   * The host whose database a replica follows. The replica names it (replication.source), and that follows a
   * promotion; the topology file's reference ({host, role: "db"}) is what it followed when the stack started.
   */
  function sourceOf(tier) {
    if (tier.replication && tier.replication.source) return tier.replication.source;
    const reference = (tier.references || []).find(r => r.role === 'db');
    return reference ? reference.host : null;
  }

  function replicationBadge(replication) {
    const badge = el('span', 'repl-badge repl-' + replication.role, replication.role.toUpperCase());
    badge.title = (ROLE_TIPS[replication.role] || replication.role) + '\n' + replication.summary;
    return badge;
  }

  /** "← server-1  streaming · 0 txn · 0 ms behind", and the client's last error while it is not streaming. */
  function replicaLines(tier, replication) {
    const line = el('div', 'replication' + (lagging(replication) ? ' repl-lagging' : ''));
    line.dataset.state = replication.state;
    const source = sourceOf(tier);
    line.append(el('span', 'repl-source', '← ' + (source || '?')),
        el('span', 'repl-lag', replication.state + ' · ' + replication.lagTransactions + ' txn · '
            + formatMillis(replication.lagMillis) + ' behind'));
    line.title = 'applies the change log of ' + (source || 'its primary') + ': ' + replication.summary;
    const lines = [line];
    if (replication.lastError && replication.state !== 'streaming') {
      lines.push(el('div', 'repl-error', replication.lastError));
    }
    return lines;
  }

  /**
   * The colour class of a status as the balancer reports it, after HAProxy's stats page: green UP, yellow going
   * down ("UP 1/3": one of the three failed checks that take it down), orange going up ("DOWN 1/2"), red DOWN,
   * blue DRAIN and MAINT, grey when not checked.
   */
  function haproxyClass(server) {
    const status = server.status || '';
    if (server.admin === 'MAINT' || status.startsWith('MAINT')) return 'maint';
    if (server.admin === 'DRAIN' || status.startsWith('DRAIN')) return 'drain';
    if (status === 'no check') return 'nocheck';
    if (/^UP \d/.test(status)) return 'going-down';
    if (/^DOWN \d/.test(status)) return 'going-up';
    if (status.startsWith('UP')) return 'up';
    if (status.startsWith('DOWN')) return 'down';
    return 'unknown';
  }

  function serverRow(server) {
    const tr = el('tr', 'hap-' + haproxyClass(server));
    tr.dataset.server = server.name;
    tr.dataset.status = haproxyClass(server);
    const name = el('td', 'server-name', server.name);
    name.title = server.name + ' on ' + server.host + ', ' + server.address;
    const status = el('td', 'server-status', server.status);
    if (server.downSince) status.title = 'down since ' + new Date(server.downSince).toLocaleTimeString();
    tr.append(name, status, el('td', 'num', server.current), el('td', 'num', server.total),
        el('td', 'last-check', server.lastCheck || ''));
    return tr;
  }

  // ------------------------------------------------------------------ host controls

  const TOKEN_KEY = 'foobar-stack admin token';
  const NO_TOKEN = 'Host controls need the stack\'s token: open the dashboard through the link the banner of '
      + '"foobar-stack run" prints (http://127.0.0.1:9090/#token=...). The token is also in the data '
      + 'directory\'s admin.token.';
  const ACTION_TIPS = {
    kill: 'Kill {host}: every tier stops at once and its connections are reset, as in a power cut.',
    start: 'Start {host}\'s tiers again, on the same addresses and ports, with their data.',
    drain: 'Drain {host} at the load balancer: it gets no new requests; those in progress finish.',
    ready: 'Put {host} back in the load balancer\'s rotation.',
    promote: 'Promote {host}\'s replica to primary: the old primary is fenced (made read-only) if it still runs, '
        + 'and the zone\'s db name is pointed at {host}, so that the app servers\' writes follow.',
    'pause-replication': 'Pause {host}\'s replica: it stops applying the primary\'s change log and shows how far '
        + 'behind it falls; reads there miss the newest writes.',
    'resume-replication': 'Resume {host}\'s replica: it applies the change log again and catches up.',
    reattach: 'Re-attach {host}: its fenced database is moved aside and replaced by a fresh copy of the current '
        + 'primary, which it then follows as a replica.',
  };
  /** The replication actions, as sent in the path (HostAction's words), and their buttons' labels. */
  const REPLICATION_ACTIONS = {
    promote: 'promote',
    'pause-replication': 'pause replication',
    'resume-replication': 'resume replication',
    reattach: 're-attach',
  };

  /**
   * The link the stack prints ends in #token=...: a URL's fragment stays in the browser, it is never sent to a
   * server, so it ends up in no log. Keep it for this tab only (sessionStorage) and take it out of the address
   * bar, so that it is not bookmarked, shared in a screenshot or left in the history.
   */
  function takeTokenFromAddress() {
    const params = new URLSearchParams(location.hash.slice(1));
    const token = params.get('token');
    if (token === null) return;
    params.delete('token');
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch (e) {
      topo.tokenInMemory = token; // storage refused (a private window's settings): keep it for this page only
    }
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
  }

  function currentToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || topo.tokenInMemory;
    } catch (e) {
      return topo.tokenInMemory;
    }
  }

  function forgetToken() {
    topo.tokenInMemory = null;
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      // nothing stored
    }
  }

  function updateTokenNote() {
    const note = document.getElementById('control-token');
    const token = currentToken();
    note.dataset.state = token ? 'token' : 'none';
    note.textContent = token ? 'Host controls on (the token came with the link and stays in this tab).'
        : 'Host controls off: open the link that "foobar-stack run" prints.';
    note.title = token ? '' : NO_TOKEN;
  }

  /**
   * Each button is enabled only when its action can apply now; its tooltip says what it does, or why not. The
   * replication buttons show only where their database's role calls for them (see replicationButtonShown).
   */
  function updateButtons(host, balancers, view) {
    const token = currentToken();
    const servers = balancers.flatMap(b => b.servers).filter(s => s.host === host.name);
    const replication = replicationOf(host.tiers.find(t => t.role === 'db'));
    for (const [action, button] of Object.entries(view.buttons)) {
      if (action in REPLICATION_ACTIONS) button.hidden = !replicationButtonShown(action, replication);
      const why = whyNot(action, host, servers, token);
      button.disabled = why !== null;
      button.title = why || ACTION_TIPS[action].replace('{host}', host.name);
    }
    if (view.controls) view.controls.title = token ? '' : NO_TOKEN;
  }

  /** Why an action cannot be asked for now, or null when it can. */
  function whyNot(action, host, servers, token) {
    if (!token) return NO_TOKEN;
    if (topo.pending.has(host.name)) return 'waiting for the answer to the last action on ' + host.name;
    const stopped = host.state === 'killed' || host.state === 'stopped';
    const alive = host.state === 'running' || host.state === 'starting';
    if (action === 'kill' && stopped) return host.name + ' is ' + host.state + ': there is nothing to kill';
    if (action === 'start' && alive) return host.name + ' is ' + host.state + ' already';
    if (action === 'drain' && servers.every(s => s.admin === 'DRAIN')) return host.name + ' is draining already';
    if (action === 'ready' && servers.every(s => s.admin === 'READY')) return host.name + ' is in the rotation already';
    return null;
  }

  /**
   * A replica has promote, and pause or resume (whichever its state calls for); a fenced database has re-attach;
   * a primary has none. A database that is down reports no role, so its host shows none of them until it is up.
   */
  function replicationButtonShown(action, replication) {
    if (!replication) return false;
    if (action === 'reattach') return replication.role === 'fenced';
    if (replication.role !== 'replica') return false;
    if (action === 'pause-replication') return replication.state !== 'paused';
    if (action === 'resume-replication') return replication.state === 'paused';
    return true;
  }

  function controlStatus(state, text) {
    const status = document.getElementById('control-status');
    status.dataset.state = state;
    status.textContent = text;
  }

  /** POST /api/hosts/{host}/{action} with the token; the answer, or the refusal, goes in the status line. */
  async function act(host, action) {
    const token = currentToken();
    if (!token) {
      controlStatus('error', NO_TOKEN);
      return;
    }
    topo.pending.add(host);
    if (topo.body) updateTopology(topo.body);
    controlStatus('pending', host + ': ' + action + '…');
    try {
      const response = await fetch('/api/hosts/' + encodeURIComponent(host) + '/' + encodeURIComponent(action), {
        method: 'POST', cache: 'no-store', headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
      });
      let body = {};
      try {
        body = await response.json();
      } catch (e) {
        // no JSON: the status alone says what happened
      }
      if (response.ok) {
        controlStatus('ok', host + ': ' + action + ': ' + (body.result || 'done')
            + (body.tookMillis !== undefined ? ' (' + body.tookMillis + ' ms)' : ''));
      } else {
        if (response.status === 403) forgetToken(); // another run's token: the buttons now say where to find it
        controlStatus('error', host + ': ' + action + ' refused, ' + response.status + ': '
            + (body.error || response.statusText));
      }
    } catch (e) {
      controlStatus('error', host + ': ' + action + ': no answer from the admin server (' + e.message + ')');
    } finally {
      topo.pending.delete(host);
      if (topo.body) updateTopology(topo.body);
      refreshTopology();
    }
  }

  // ------------------------------------------------------------------ the arrows

  /** The protocol each tier speaks to the next one, for the labels. */
  const PASSES_TO = { web: { role: 'app', protocol: 'FastCGI' }, app: { role: 'db', protocol: 'SQL' } };

  /**
   * Every arrow to draw, {kind, from, to, label}: the DNS lookup as a query and its answer between the client and
   * each name server; the client to the front (the balancers, or the web servers when there is none); each
   * balancer to each server it balances; each web server to its app server and each app server to its database;
   * and with replication, the primary's database to each replica's, the way its change log flows.
   */
  function edgesOf(body) {
    const hosts = body.hosts || [];
    const tiers = hosts.flatMap(host => host.tiers.map(tier => ({ host, tier })));
    const byInstance = new Map(tiers.map(t => [t.tier.instance, t.tier]));
    const onHost = (hostName, role) => {
      const found = tiers.find(t => t.host.name === hostName && t.tier.role === role);
      return found ? found.tier.instance : null;
    };
    const edges = [];
    const nameServers = tiers.filter(t => t.tier.role === 'dns');
    for (const { tier } of nameServers) {
      edges.push({ kind: 'dns-query', from: 'client', to: tier.instance, label: '① DNS query', up: tier.up });
      edges.push({ kind: 'dns-answer', from: tier.instance, to: 'client', label: '② answer', up: tier.up });
    }
    const balancers = tiers.filter(t => t.tier.role === 'lb');
    const fronts = balancers.length ? balancers : tiers.filter(t => t.tier.role === 'web');
    for (const { tier } of fronts) {
      edges.push({ kind: 'http', from: 'client', to: tier.instance, label: (nameServers.length ? '③ ' : '') + 'HTTP',
        up: tier.up });
    }
    for (const balancer of body.balancers || []) {
      for (const server of balancer.servers) {
        const to = byInstance.has(server.name) ? server.name : onHost(server.host, 'web');
        if (to && byInstance.has(balancer.instance)) {
          edges.push({ kind: 'balance', from: balancer.instance, to, label: server.status,
            status: haproxyClass(server) });
        }
      }
    }
    for (const { host, tier } of tiers) {
      const next = PASSES_TO[tier.role];
      if (!next) continue;
      // a tier that lists the tiers it connects to (references: [{host, role}]) is drawn that way; otherwise it
      // is drawn to the next tier of its own host
      const reference = (tier.references || []).find(r => r.role === next.role);
      const to = reference ? onHost(reference.host, next.role) : onHost(host.name, next.role);
      if (to) {
        edges.push({ kind: 'pass', from: tier.instance, to, label: next.protocol,
          up: tier.up && byInstance.get(to).up });
      }
    }
    // The arrow points the way the changes go, from the primary to the replica; on the wire it is the replica
    // that connects to the primary and asks for the log from where it stopped.
    for (const { tier } of tiers) {
      const replication = replicationOf(tier);
      if (!replication || replication.role !== 'replica') continue;
      const from = onHost(sourceOf(tier), 'db');
      if (from && from !== tier.instance) {
        edges.push({ kind: 'replicate', from, to: tier.instance, label: 'change log',
          up: tier.up && byInstance.get(from).up, lagging: lagging(replication) });
      }
    }
    return edges;
  }

  /** Where an element is, relative to the topology's own box. */
  function place(element, origin) {
    const r = element.getBoundingClientRect();
    const left = r.left - origin.left;
    const top = r.top - origin.top;
    return { left, top, right: left + r.width, bottom: top + r.height, cx: left + r.width / 2, cy: top + r.height / 2 };
  }

  /** For an instance (or "client"): its row, the box around it, and the lane that box is in. */
  function endpointOf(instance, origin) {
    const row = instance === 'client' ? topo.client : topo.tiers.get(instance);
    if (!row) return null;
    const box = instance === 'client' ? row : row.closest('.host');
    const lane = box.closest('.lane');
    return { instance, rowElement: row, boxElement: box, laneElement: lane, row: place(row, origin),
      box: place(box, origin), lane: place(lane, origin) };
  }

  function drawArrows() {
    const holder = document.getElementById('topology');
    if (!topo.arrows || !topo.body) return;
    alignClientWithNameServer(holder);
    const origin = holder.getBoundingClientRect();
    topo.origin = origin;
    const edges = edgesOf(topo.body).map(edge => ({ ...edge, a: endpointOf(edge.from, origin),
      b: endpointOf(edge.to, origin) })).filter(edge => edge.a && edge.b);
    assignClientSlots(edges);
    const parts = [];
    for (const edge of edges) {
      const route = routeOf(edge);
      if (!route) continue;
      let cls = 'arrow kind-' + edge.kind;
      if (edge.kind === 'balance') cls += ' hap-' + edge.status;
      else if (!edge.up) cls += ' arrow-down';
      else if (edge.lagging) cls += ' arrow-lagging';
      const group = svg('g', { class: cls, 'data-from': edge.from, 'data-to': edge.to, 'data-kind': edge.kind });
      group.append(...arrowShapes(route.points));
      // a link that carries toxics (run --toxics) says which after its label, ↑ on the requests, ↓ on the answers
      const toxics = edge.kind === 'dns-answer' ? [] : toxicsBetween(edge.from, edge.to);
      if (toxics.length) {
        group.classList.add('arrow-toxic');
        group.dataset.toxics = toxics.map(t => t.name).join(' ');
      }
      if ((edge.label || toxics.length) && route.label) {
        const label = svg('text', { x: route.label.x, y: route.label.y, 'text-anchor': route.label.anchor,
          class: 'arrow-label' }, edge.label || '');
        if (toxics.length) {
          label.appendChild(svg('tspan', { class: 'toxic-label' }, ' ☣ ' + toxics.map(toxic => shortToxic(toxic)
              + (toxic.stream === 'upstream' ? '↑' : '↓')).join(' ')));
        }
        group.appendChild(label);
      }
      parts.push(group);
    }
    // the SVG is part of what it measures: shrink it first, so that it shrinks with the boxes (a row that lost a
    // line) instead of keeping the page as large as it ever was
    topo.arrows.setAttribute('width', 0);
    topo.arrows.setAttribute('height', 0);
    topo.arrows.setAttribute('width', holder.scrollWidth);
    topo.arrows.setAttribute('height', holder.scrollHeight);
    topo.arrows.replaceChildren(...parts);
  }

  /** With a name server beside the client, line the client up with it: the lookup is then a straight round trip. */
  function alignClientWithNameServer(holder) {
    const row = topo.client.closest('.lane').querySelector('.name-servers .box[data-tier="dns"]');
    topo.client.style.marginTop = '0px';
    if (!row) return;
    const origin = holder.getBoundingClientRect();
    const shift = place(row, origin).cy - place(topo.client, origin).cy;
    if (shift > 0) topo.client.style.marginTop = shift + 'px';
  }

  /**
   * The arrows leaving the client's bottom for a lower lane each get their own x, the one going deepest the
   * furthest left, so that they nest like elbows and never cross.
   */
  function assignClientSlots(edges) {
    const down = edges.filter(e => (e.from === 'client' || e.to === 'client') && clientGoesDown(e));
    down.sort((x, y) => other(y).row.cy + offsetOf(y) - (other(x).row.cy + offsetOf(x)));
    down.forEach((edge, i) => {
      const client = edge.from === 'client' ? edge.a : edge.b;
      edge.slot = Math.min(client.box.left + 16 + i * 14, client.box.right - 10);
    });
  }

  function other(edge) {
    return edge.from === 'client' ? edge.b : edge.a;
  }

  function clientGoesDown(edge) {
    const client = edge.from === 'client' ? edge.a : edge.b;
    return other(edge).laneElement !== client.laneElement;
  }

  /** A query runs a little above the answer, so that the round trip reads as two arrows side by side. */
  function offsetOf(edge) {
    return edge.kind === 'dns-query' ? -5 : edge.kind === 'dns-answer' ? 5 : 0;
  }

  /** Whether a box is the leftmost host of its lane, so that its left side is free to come in by. */
  function leftmostInLane(endpoint) {
    const first = endpoint.laneElement.querySelector('.host, .client');
    return first === endpoint.boxElement;
  }

  /** The corner points of an arrow and where its label goes; null when it cannot be drawn. */
  function routeOf(edge) {
    const { a, b } = edge;
    if (edge.from === 'client' || edge.to === 'client') {
      const toward = clientRoute(edge);
      return edge.to === 'client' ? { points: toward.points.reverse(), label: toward.label } : toward;
    }
    if (a.boxElement === b.boxElement) return sameBoxRoute(a, b);
    if (a.laneElement !== b.laneElement) return acrossLanesRoute(a, b);
    if (edge.kind === 'replicate') return replicationRoute(a, b);
    return sideBySideRoute(a, b);
  }

  /** From the client to a tier (the answer is drawn with the same route, reversed). */
  function clientRoute(edge) {
    const client = edge.from === 'client' ? edge.a : edge.b;
    const target = other(edge);
    const dy = offsetOf(edge);
    const below = edge.kind !== 'dns-query';
    if (!clientGoesDown(edge)) { // a name server beside the client: across, with a step if they are not level
      const y0 = client.row.cy + dy;
      const y1 = target.row.cy + dy;
      const mid = (client.box.right + target.box.left) / 2;
      const level = Math.abs(y0 - y1) < 1; // level: label the middle; else the last stretch, by the name server
      return { points: [pt(client.box.right, y0), pt(mid, y0), pt(mid, y1), pt(target.box.left, y1)],
        label: { x: level ? mid : (mid + target.box.left) / 2, y: below ? y1 + 14 : y1 - 6, anchor: 'middle' } };
    }
    const x = edge.slot;
    const y = target.row.cy + dy;
    if (leftmostInLane(target)) { // down, then in by the box's left side at the tier's height
      return { points: [pt(x, client.box.bottom), pt(x, y), pt(target.box.left, y)],
        label: { x: target.box.left - 8, y: below ? y + 14 : y - 6, anchor: 'end' } };
    }
    const lane = target.lane.top - 14; // another box is in the way: along above the lane, down into the box
    const tx = target.box.left + 20;
    return { points: [pt(x, client.box.bottom), pt(x, lane), pt(tx, lane), pt(tx, target.box.top)],
      label: { x: tx + 6, y: target.box.top - 6, anchor: 'start' } };
  }

  /** Two tiers of one host: straight down to the next row, or around the box's right side. */
  function sameBoxRoute(a, b) {
    if (a.rowElement.nextElementSibling === b.rowElement) {
      const x = a.row.left + 30;
      return { points: [pt(x, a.row.bottom), pt(x, b.row.top)],
        label: { x: x + 8, y: (a.row.bottom + b.row.top) / 2 + 4, anchor: 'start' } };
    }
    const x = a.box.right + 16;
    return { points: [pt(a.row.right, a.row.cy), pt(x, a.row.cy), pt(x, b.row.cy), pt(b.row.right, b.row.cy)],
      label: { x: x + 4, y: (a.row.cy + b.row.cy) / 2 + 4, anchor: 'start' } };
  }

  /** From a box in one lane to a box in another: out of the bottom, along the gap between lanes, in at the top. */
  function acrossLanesRoute(a, b) {
    const x1 = b.box.cx;
    if (a.lane.bottom <= b.lane.top) {
      const y = (a.lane.bottom + b.lane.top) / 2;
      return { points: [pt(a.box.cx, a.box.bottom), pt(a.box.cx, y), pt(x1, y), pt(x1, b.box.top)],
        label: { x: x1 + 6, y: b.box.top - 5, anchor: 'start' } };
    }
    const y = (b.lane.bottom + a.lane.top) / 2;
    return { points: [pt(a.box.cx, a.box.top), pt(a.box.cx, y), pt(x1, y), pt(x1, b.box.bottom)],
      label: { x: x1 + 6, y: b.box.bottom + 14, anchor: 'start' } };
  }

  /** Whether another host of the lane stands between the boxes of a and b. */
  function hostsBetween(a, b) {
    return [...a.laneElement.querySelectorAll('.host')].some(box => {
      if (box === a.boxElement || box === b.boxElement) return false;
      const cx = place(box, topo.origin).cx;
      return cx > Math.min(a.box.cx, b.box.cx) && cx < Math.max(a.box.cx, b.box.cx);
    });
  }

  /** Between two hosts of one lane: through the gap between them, or under the lane when others stand between. */
  function sideBySideRoute(a, b) {
    const leftward = b.box.right <= a.box.left;
    const out = leftward ? a.box.left : a.box.right;
    const into = leftward ? b.box.right : b.box.left;
    if (!hostsBetween(a, b)) {
      const gap = (out + into) / 2;
      return { points: [pt(out, a.row.cy), pt(gap, a.row.cy), pt(gap, b.row.cy), pt(into, b.row.cy)],
        label: { x: gap, y: Math.min(a.row.cy, b.row.cy) - 6, anchor: 'middle' } };
    }
    const step = leftward ? -14 : 14;
    const y = a.lane.bottom + 14;
    return { points: [pt(out, a.row.cy), pt(out + step, a.row.cy), pt(out + step, y), pt(into - step, y),
      pt(into - step, b.row.cy), pt(into, b.row.cy)],
    label: { x: (out + into) / 2, y: y - 4, anchor: 'middle' } };
  }

  /**
   * The change log between two databases of one lane. An app server's SQL arrow comes into a database at the
   * middle of its row, through the same gap between the boxes; the change log keeps out of its way by running low
   * in the rows: straight across when both rows reach that low, otherwise (or when hosts stand between) stepping
   * down beside the boxes and along under the lane, below the SQL arrows that go that way.
   */
  function replicationRoute(a, b) {
    const leftward = b.box.right <= a.box.left;
    const out = leftward ? a.box.left : a.box.right;
    const into = leftward ? b.box.right : b.box.left;
    const ya = a.row.bottom - 12;
    const yb = b.row.bottom - 12;
    const level = Math.min(ya, yb);
    if (!hostsBetween(a, b) && level > Math.max(a.row.top, b.row.top) + 12) {
      return { points: [pt(out, level), pt(into, level)],
        label: { x: (out + into) / 2, y: level + 14, anchor: 'middle' } };
    }
    const step = leftward ? -24 : 24;
    const y = a.lane.bottom + 28;
    return { points: [pt(out, ya), pt(out + step, ya), pt(out + step, y), pt(into - step, y),
      pt(into - step, yb), pt(into, yb)],
    label: { x: (out + into) / 2, y: y - 4, anchor: 'middle' } };
  }

  function pt(x, y) {
    return { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 };
  }

  /** The line through the points with rounded corners, and an arrowhead at its end. */
  function arrowShapes(points) {
    const p = points.filter((q, i) => i === 0 || q.x !== points[i - 1].x || q.y !== points[i - 1].y);
    if (p.length < 2) return [];
    const last = p[p.length - 1];
    const before = p[p.length - 2];
    const length = Math.hypot(last.x - before.x, last.y - before.y) || 1;
    const ux = (last.x - before.x) / length;
    const uy = (last.y - before.y) / length;
    const head = 7;
    const base = pt(last.x - ux * head, last.y - uy * head);
    let d = 'M' + p[0].x + ',' + p[0].y;
    for (let i = 1; i < p.length - 1; i++) {
      const r = Math.min(8, distance(p[i - 1], p[i]) / 2, distance(p[i], p[i + 1]) / 2);
      const inPoint = towards(p[i], p[i - 1], r);
      const outPoint = towards(p[i], p[i + 1], r);
      d += ' L' + inPoint.x + ',' + inPoint.y + ' Q' + p[i].x + ',' + p[i].y + ' ' + outPoint.x + ',' + outPoint.y;
    }
    d += ' L' + base.x + ',' + base.y;
    const tip = 'M' + last.x + ',' + last.y + ' L' + (base.x - uy * 4) + ',' + (base.y + ux * 4)
        + ' L' + (base.x + uy * 4) + ',' + (base.y - ux * 4) + ' Z';
    return [svg('path', { class: 'line', d }), svg('path', { class: 'head', d: tip })];
  }

  function distance(p, q) {
    return Math.hypot(p.x - q.x, p.y - q.y);
  }

  function towards(from, to, r) {
    const length = distance(from, to) || 1;
    return pt(from.x + (to.x - from.x) * r / length, from.y + (to.y - from.y) * r / length);
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
      tr.appendChild(el('td', 'served-by', servedBy(t)));
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

  /** "lb-1 → web-2" through a balancer, "web-1" straight to a web server, "lb-1 → –" when no server answered. */
  function servedBy(t) {
    if (t.balancer) return t.balancer + ' → ' + (t.servedBy || (t.status === null ? '…' : '–'));
    return t.servedBy || '';
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
    // packets.js draws the "packets" view of the selected message, when a walk sent the trace's packets
    document.dispatchEvent(new CustomEvent('hop-selected', { detail: { trace, hopIndex: state.hopIndex } }));
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
      const children = field.children || [];
      if (children.length) {
        li.classList.add('has-children');
        const twisty = el('button', 'twisty');
        twisty.type = 'button';
        twisty.addEventListener('click', () => toggle(li, !li.classList.contains('collapsed')));
        line.appendChild(twisty);
      } else {
        line.appendChild(el('span', 'twisty-space'));
      }
      if (field.layer) { // a packet's header (packets.js): the layer it belongs to
        li.dataset.layer = field.layer;
        line.appendChild(el('span', 'layer-chip layer-' + field.layer, field.layer));
      }
      line.appendChild(el('span', 'name', field.name));
      if (field.offset !== null && field.offset !== undefined) {
        line.appendChild(el('span', 'range', '[' + field.offset + '+' + field.length + ']'));
      }
      line.appendChild(el('span', 'value', field.value));
      li.appendChild(line);
      if (children.length) {
        li.appendChild(fieldList(children, depth + 1));
        toggle(li, depth >= 1);
      }
      ul.appendChild(li);
    }
    return ul;
  }

  // packets.js draws a packet's headers with the same tree, and builds its elements the same way
  window.foobarDashboard = Object.freeze({ el, fieldList });

  function toggle(li, collapsed) {
    li.classList.toggle('collapsed', collapsed);
    const twisty = li.querySelector(':scope > .line > .twisty');
    if (twisty) {
      twisty.textContent = collapsed ? '▶' : '▼';
      twisty.setAttribute('aria-expanded', String(!collapsed));
    }
  }

  // ------------------------------------------------------------------ 4. the last demo
  //
  // The demo commands measure the stack under load and send their report here (PUT /api/demo). The panel stays
  // hidden until GET /api/demo answers 200, and draws the report by its "demo" key:
  //
  //   (none)   "foobar-stack demo spof" runs each design under a constant load, kills a server mid-run and
  //            starts it again: one chart per run, all on the same time axis so that the designs line up,
  //
  //                     K server-1 killed   S started        <- markers, labelled above the plot
  //     25 ┤▇▇▇▇▇▇▇▇▇▇▇▇░░░░░░░░░░░░░░░░░░░░▒▇▇▇▇▇▇▇▇▇▇▇▇    one bar per slice of the load (250 ms):
  //      0 └┬───┬───┬───┬───┬───┬───┬───┬───┬───┬───┬───     its answered part green (▇), failed red (░)
  //         0 s     2 s     4 s     6 s     8 s     10 s     time since the load began
  //
  //            and under it one line of figures: sent, failed, how long the site was unreachable, and when the
  //            balancer noticed.
  //   deploy   "demo deploy" deploys v2 to each design under a constant load: one chart per run, one bar per
  //            second stacked by which version answered (v1, v2) with the failed requests on top, the deploy's
  //            start and end marked; its figures (sent, failed, downtime) and the deploy's steps.
  //   scale    "demo scale" offers more and more requests to one app server, then to more: one bar per step,
  //            the requests served each second, the rate offered marked across it, the server count, p99 and
  //            errors under it, and the sentence that says the capacity is emulated.
  //
  // Any other report gets one line saying that this page does not draw it. The report's format belongs to the
  // demo command; every key is read with care, a missing one drawing nothing rather than breaking the page.

  const CHART = {
    width: 960,
    left: 44, // room for the requests-per-slice labels
    right: 16,
    plotHeight: 130,
    labelRow: 15, // one row of marker labels above the plot; more rows when labels would overlap
    bottom: 34, // the time axis: its ticks, their labels and its title
    charWidth: 6.7, // of the 11 px monospace marker labels: enough to keep two labels apart without measuring
  };

  /** A finite number from the report, or null. */
  function num(value) {
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  }

  function formatMillis(ms) {
    return ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(1) + ' s';
  }

  /** The entries of an array from the report that are objects; an empty list for anything else. */
  function objectsIn(value) {
    return (Array.isArray(value) ? value : []).filter(item => item && typeof item === 'object');
  }

  async function refreshDemo() {
    const panel = document.getElementById('demo-panel');
    let text;
    try {
      const response = await fetch('/api/demo', { cache: 'no-store', headers: { Accept: 'application/json' } });
      if (response.status !== 200) { // 404: no demo has reported yet, or the stack was started again since
        panel.hidden = true;
        state.demoText = null;
        return;
      }
      text = await response.text();
    } catch (e) {
      return; // the admin server is unreachable: the other panels say so; keep what is drawn
    }
    if (text === state.demoText) return; // the same report: leave the charts alone, and any tooltip open
    state.demoText = text;
    let report;
    try {
      report = JSON.parse(text);
    } catch (e) {
      return; // the admin server checks every report; a broken one changes nothing here
    }
    drawDemo(report);
    panel.hidden = false;
  }

  /** How each kind of report is drawn; the key is the report's "demo" (spof's report has none). */
  const DEMO_DRAWINGS = { spof: drawSpof, deploy: drawDeploy, scale: drawScale };

  /** Which drawing a report gets, or null for a report this page does not draw. */
  function demoKind(report) {
    if (!report || typeof report !== 'object' || Array.isArray(report)) return null;
    const kind = report.demo === undefined ? 'spof' : report.demo;
    return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(DEMO_DRAWINGS, kind) ? kind : null;
  }

  function drawDemo(report) {
    const kind = demoKind(report);
    const panel = document.getElementById('demo-panel');
    panel.dataset.demo = kind || 'unknown';
    document.getElementById('demo-kind').textContent = kind ? 'demo ' + kind : '';
    document.getElementById('demo-title').textContent = '';
    // each kind has its own hint: what the demo did and how to read its chart
    for (const hint of panel.querySelectorAll('[data-demo-hint]')) hint.hidden = hint.dataset.demoHint !== kind;
    if (!kind) {
      const name = report && typeof report === 'object' && typeof report.demo === 'string' ? report.demo : null;
      demoMessage(name === null ? 'This report is not one this dashboard draws; GET /api/demo answers it as it '
          + 'was sent.' : 'A report of "demo ' + name + '", which this dashboard does not draw (it draws demo '
          + 'spof, deploy and scale); GET /api/demo answers it as it was sent.');
      return;
    }
    try {
      DEMO_DRAWINGS[kind](report);
    } catch (e) { // a report of an odd shape: say so, and leave the rest of the page running
      demoMessage('This demo ' + kind + ' report could not be drawn (' + e.message + '); GET /api/demo answers '
          + 'it as it was sent.');
    }
  }

  function demoMessage(text) {
    document.getElementById('demo-runs').replaceChildren(el('p', 'demo-message', text));
  }

  // ---- the frame shared by the charts over time (spof, deploy)

  /**
   * An empty chart over time: the time axis with its ticks and title, the count axis with the top of the scale
   * as a dotted line, and the markers' labels placed above the plot (how many rows they need decides where the
   * plot starts). Returns the SVG and what the bars and markers are drawn with: x of a time, y of a count, the
   * plot's top and bottom. Draw the bars, then call finishTimeChart.
   */
  function timeChart({ endMs, maxCount, markers, label, axisTitle }) {
    const plotWidth = CHART.width - CHART.left - CHART.right;
    const x = ms => CHART.left + plotWidth * ms / endMs;
    const labels = placeMarkerLabels(markers, x);
    const rows = Math.max(1, ...labels.map(l => l.row + 1));
    const top = rows * CHART.labelRow + 6;
    const bottom = top + CHART.plotHeight;
    const height = bottom + CHART.bottom;
    const y = count => bottom - CHART.plotHeight * count / maxCount;

    const chart = svg('svg', { class: 'demo-chart', viewBox: '0 0 ' + CHART.width + ' ' + height, role: 'img',
      'aria-label': label });
    chart.appendChild(svg('line', { class: 'grid-line', x1: CHART.left, x2: CHART.width - CHART.right,
      y1: y(maxCount), y2: y(maxCount) }));
    chart.appendChild(svg('text', { class: 'tick-label', x: CHART.left - 6, y: y(maxCount) + 4,
      'text-anchor': 'end' }, maxCount));
    chart.appendChild(svg('text', { class: 'tick-label', x: CHART.left - 6, y: bottom + 4, 'text-anchor': 'end' },
        0));
    const step = tickStep(endMs);
    for (let ms = 0; ms <= endMs; ms += step) {
      chart.appendChild(svg('line', { class: 'axis-line', x1: x(ms), x2: x(ms), y1: bottom, y2: bottom + 4 }));
      chart.appendChild(svg('text', { class: 'tick-label', x: x(ms), y: bottom + 16, 'text-anchor': 'middle' },
          step < 1000 ? (ms / 1000).toFixed(1) + ' s' : ms / 1000 + ' s'));
    }
    chart.appendChild(svg('text', { class: 'axis-title', x: CHART.width - CHART.right, y: bottom + 30,
      'text-anchor': 'end' }, axisTitle));
    return { chart, x, y, top, bottom, labels };
  }

  /** The base line over the bars' feet, then the markers over the bars, each line from its label to the axis. */
  function finishTimeChart({ chart, top, bottom, labels }) {
    chart.appendChild(svg('line', { class: 'axis-line', x1: CHART.left, x2: CHART.width - CHART.right,
      y1: bottom, y2: bottom }));
    for (const label of labels) {
      const marker = svg('g', { class: 'marker marker-' + label.kind, 'data-marker': label.kind,
        'data-at-ms': label.at });
      const labelY = top - 6 - label.row * CHART.labelRow;
      marker.append(svg('line', { x1: label.x, x2: label.x, y1: labelY + 3, y2: bottom }),
          svg('text', { x: label.textX, y: labelY, 'text-anchor': label.anchor }, label.label),
          svg('title', {}, label.label + ' at ' + formatMillis(label.at)));
      chart.appendChild(marker);
    }
    return chart;
  }

  /**
   * Where each marker's label goes: beside its line, in the lowest row where it overlaps no label already
   * placed (the kill and "balancer noticed" are often a few pixels apart); turned to the line's left when it
   * would run off the chart.
   */
  function placeMarkerLabels(markers, x) {
    const rowEnds = [];
    return markers.map(marker => {
      const at = x(marker.at);
      const width = marker.label.length * CHART.charWidth;
      const leftward = at + 3 + width > CHART.width;
      const from = leftward ? at - 3 - width : at;
      const to = leftward ? at : at + 3 + width;
      let row = rowEnds.findIndex(end => end + 8 <= from);
      if (row < 0) {
        row = rowEnds.length;
        rowEnds.push(to);
      } else {
        rowEnds[row] = to;
      }
      return { ...marker, x: at, row, textX: leftward ? at - 3 : at + 3, anchor: leftward ? 'end' : 'start' };
    });
  }

  /** A round step for the time axis, at most about 16 ticks. */
  function tickStep(endMs) {
    return [500, 1000, 2000, 5000, 10000, 30000, 60000].find(step => endMs / step <= 16) || 120000;
  }

  /** A line of figures under a chart; add(name, text, className) appends one. */
  function figureLine() {
    const line = el('p', 'demo-figures');
    const add = (name, text, className) => {
      const span = el('span', 'figure' + (className ? ' ' + className : ''), text);
      span.dataset.figure = name;
      line.appendChild(span);
    };
    return { line, add };
  }

  /** "failed 5 (0.3 %)", red when any failed. */
  function addFailed(add, sent, failed) {
    if (failed === null) return;
    const share = sent ? ' (' + (100 * failed / sent).toFixed(1) + ' %)' : '';
    add('failed', 'failed ' + failed + share, failed > 0 ? 'figure-bad' : 'figure-good');
  }

  // ---- demo spof: a server killed mid-run

  /** The slices of a run that can be drawn, in time order. */
  function slicesOf(run) {
    return objectsIn(run.slices).filter(s => num(s.start_ms) !== null && num(s.sent) !== null)
        .sort((a, b) => a.start_ms - b.start_ms);
  }

  /** How long one slice lasts: the gap between two starts (250 ms in the command's report). */
  function sliceMillis(slices) {
    return slices.length > 1 ? Math.max(1, slices[1].start_ms - slices[0].start_ms) : 250;
  }

  /** The moments marked on a run's chart, in time order. */
  function markersOf(run) {
    const markers = [];
    const kill = num(run.kill_at_ms);
    const upAgain = num(run.up_again_ms);
    const noticedAfter = num(run.noticed_after_ms);
    if (kill !== null) markers.push({ kind: 'kill', at: kill, label: 'K ' + (run.killed || 'a server') + ' killed' });
    if (kill !== null && noticedAfter !== null) {
      markers.push({ kind: 'noticed', at: kill + noticedAfter, label: 'balancer noticed' });
    }
    if (upAgain !== null) markers.push({ kind: 'started', at: upAgain, label: 'S started' });
    return markers.sort((a, b) => a.at - b.at);
  }

  /** One time axis and one bar height for every run, so that the charts compare at a glance. */
  function demoScale(runs) {
    let endMs = 1000;
    let maxSent = 1;
    for (const run of runs) {
      const slices = slicesOf(run);
      const length = sliceMillis(slices);
      for (const slice of slices) {
        endMs = Math.max(endMs, slice.start_ms + length);
        maxSent = Math.max(maxSent, slice.sent);
      }
      for (const marker of markersOf(run)) endMs = Math.max(endMs, marker.at);
    }
    return { endMs, maxSent };
  }

  function drawSpof(report) {
    const runs = objectsIn(report.runs);
    const scale = demoScale(runs);
    document.getElementById('demo-title').textContent = runs.map(r => r.topology || '?').join(' · ');
    document.getElementById('demo-runs').replaceChildren(...runs.map(run => drawRun(run, scale)));
  }

  function drawRun(run, scale) {
    const section = el('section', 'demo-run');
    section.dataset.topology = run.topology || '';
    const title = el('h3');
    title.append(el('span', 'demo-topology', run.topology || '?'), ' ' + runSummary(run));
    section.append(title, demoChart(run, scale), demoFigures(run));
    return section;
  }

  /** "killed server-1 (dns-1, web-1, app-1, db-1) at 3.0 s, up again at 8.1 s; it held the database". */
  function runSummary(run) {
    const parts = [];
    if (run.killed) {
      const tiers = Array.isArray(run.killed_tiers) && run.killed_tiers.length
        ? ' (' + run.killed_tiers.join(', ') + ')' : '';
      const at = num(run.kill_at_ms) !== null ? ' at ' + formatMillis(run.kill_at_ms) : '';
      parts.push('killed ' + run.killed + tiers + at);
    }
    if (num(run.up_again_ms) !== null) parts.push('up again at ' + formatMillis(run.up_again_ms));
    let summary = parts.join(', ');
    if (run.killed_host_holds_database === true) summary += '; it held the database';
    return summary;
  }

  function demoChart(run, scale) {
    const slices = slicesOf(run);
    const length = sliceMillis(slices);
    const frame = timeChart({ endMs: scale.endMs, maxCount: scale.maxSent, markers: markersOf(run),
      label: (run.topology || 'run') + ': requests answered and failed over time',
      axisTitle: 'time since the load began; bar height: requests sent in each ' + length + ' ms' });
    const { chart, x, y, bottom } = frame;

    // the bars: the answered part from the axis up, the failed part on top of it
    const barWidth = Math.max(1, x(length) - x(0) - 1);
    for (const slice of slices) {
      const ok = num(slice.ok) !== null ? slice.ok : slice.sent - (num(slice.failed) || 0);
      const failed = num(slice.failed) !== null ? slice.failed : slice.sent - ok;
      const bar = svg('g', { class: 'slice', 'data-start-ms': slice.start_ms, 'data-sent': slice.sent,
        'data-ok': ok, 'data-failed': failed });
      bar.appendChild(svg('title', {}, formatMillis(slice.start_ms) + ' – ' + formatMillis(slice.start_ms + length)
          + ': ' + slice.sent + ' sent, ' + ok + ' answered, ' + failed + ' failed'));
      if (ok > 0) {
        bar.appendChild(svg('rect', { class: 'slice-ok', x: x(slice.start_ms), width: barWidth, y: y(ok),
          height: bottom - y(ok) }));
      }
      if (failed > 0) {
        bar.appendChild(svg('rect', { class: 'slice-failed', x: x(slice.start_ms), width: barWidth,
          y: y(ok + failed), height: y(ok) - y(ok + failed) }));
      }
      chart.appendChild(bar);
    }
    return finishTimeChart(frame);
  }

  /** sent, failed (and its share), unreachable for, and when the balancer noticed, or that there is none. */
  function demoFigures(run) {
    const { line, add } = figureLine();
    const sent = num(run.sent);
    if (sent !== null) add('sent', 'sent ' + sent);
    addFailed(add, sent, num(run.failed));
    if (num(run.outage_ms) !== null) {
      add('outage', 'unreachable for ' + formatMillis(run.outage_ms), run.outage_ms > 0 ? 'figure-bad' : '');
    }
    if (num(run.noticed_after_ms) !== null) {
      add('noticed', 'balancer noticed after ' + run.noticed_after_ms + ' ms');
    } else {
      add('noticed', run.balanced === true ? 'balancer noticed nothing' : 'no balancer');
    }
    return line;
  }

  // ---- demo deploy: which version answered, second by second
  //
  //                deploy began  deploy ended
  //    100 ┤111111111111222222222222222222222      one bar per second, as many requests high as were sent:
  //      0 └┬────┬────┬────┬────┬────┬────┬───     those v1 answered at the foot, then v2's, failed on top
  //         0 s  2 s  4 s  6 s  8 s  10 s 12 s

  /** The seconds of a run's timeline that can be drawn, in time order, each with its start. */
  function secondsOf(run) {
    return objectsIn(run.timeline).map((entry, i) => ({ ...entry, at: 1000 * (num(entry.second) ?? i) }))
        .sort((a, b) => a.at - b.at);
  }

  /** Every version that answered in any run, v1 before v2 before later ones, as the bars stack them. */
  function versionsIn(runs) {
    const names = new Set();
    for (const run of runs) {
      for (const second of secondsOf(run)) {
        const versions = second.versions && typeof second.versions === 'object' ? second.versions : {};
        for (const [name, count] of Object.entries(versions)) if (num(count) !== null) names.add(name);
      }
    }
    return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }

  /** The colour of a version's part of a bar: the two versions of the demo have their own, others share grey. */
  function versionClass(name) {
    return name === 'v1' || name === 'v2' ? 'part-' + name : 'part-other';
  }

  function drawDeploy(report) {
    const runs = objectsIn(report.runs);
    const versions = versionsIn(runs);
    let endMs = 1000;
    let maxSent = 1;
    for (const run of runs) {
      for (const second of secondsOf(run)) {
        endMs = Math.max(endMs, second.at + 1000);
        maxSent = Math.max(maxSent, sentIn(second, versions));
      }
      for (const key of ['deploy_started_ms', 'deploy_ended_ms']) endMs = Math.max(endMs, num(run[key]) || 0);
    }
    document.getElementById('demo-title').textContent =
        runs.map(r => (r.topology || '?') + (r.strategy ? ' (' + r.strategy + ')' : '')).join(' · ');
    document.getElementById('demo-runs').replaceChildren(
        ...runs.map(run => deployRun(run, versions, { endMs, maxSent })));
  }

  /** The requests of one second: those each version answered, and those that failed. */
  function sentIn(second, versions) {
    const counts = second.versions && typeof second.versions === 'object' ? second.versions : {};
    return versions.reduce((sum, name) => sum + (num(counts[name]) || 0), 0) + (num(second.failed) || 0);
  }

  function deployRun(run, versions, scale) {
    const section = el('section', 'demo-run demo-deploy');
    section.dataset.topology = run.topology || '';
    section.dataset.strategy = run.strategy || '';
    const title = el('h3');
    title.append(el('span', 'demo-topology', run.topology || '?'), ' ' + deploySummary(run));
    section.append(title, deployChart(run, versions, scale), deployLegend(versions), deployFigures(run));
    const steps = objectsIn(run.steps);
    if (steps.length) section.appendChild(deploySteps(steps));
    return section;
  }

  /** "rolling: deployed from 3.0 s to 5.4 s". */
  function deploySummary(run) {
    const started = num(run.deploy_started_ms);
    const ended = num(run.deploy_ended_ms);
    let summary = run.strategy || '';
    if (started !== null) {
      summary += (summary ? ': ' : '') + 'deployed from ' + formatMillis(started)
          + (ended !== null ? ' to ' + formatMillis(ended) : '');
    }
    return summary;
  }

  function deployChart(run, versions, scale) {
    const started = num(run.deploy_started_ms);
    const ended = num(run.deploy_ended_ms);
    const markers = [];
    if (started !== null) markers.push({ kind: 'deploy-start', at: started, label: 'deploy began' });
    if (ended !== null) markers.push({ kind: 'deploy-end', at: ended, label: 'deploy ended' });
    const frame = timeChart({ endMs: scale.endMs, maxCount: scale.maxSent, markers,
      label: (run.topology || 'run') + ': which version answered each second, and what failed',
      axisTitle: 'time since the load began; bar height: requests sent in each second' });
    const { chart, x, y, bottom } = frame;
    const barWidth = Math.max(1, x(1000) - x(0) - 2);
    for (const second of secondsOf(run)) {
      const counts = second.versions && typeof second.versions === 'object' ? second.versions : {};
      const failed = num(second.failed) || 0;
      const parts = versions.map(name => ({ name, count: num(counts[name]) || 0, cls: versionClass(name) }))
          .concat([{ name: 'failed', count: failed, cls: 'part-failed' }]);
      const bar = svg('g', { class: 'second', 'data-second': second.at / 1000, 'data-failed': failed,
        'data-sent': sentIn(second, versions) });
      bar.appendChild(svg('title', {}, formatMillis(second.at) + ' – ' + formatMillis(second.at + 1000) + ': '
          + parts.map(p => (p.name === 'failed' ? 'failed ' : p.name + ' answered ') + p.count).join(', ')));
      let below = 0; // the parts stack from the axis up, in the legend's order
      for (const part of parts) {
        if (part.count <= 0) continue;
        bar.appendChild(svg('rect', { class: part.cls, 'data-series': part.name, x: x(second.at) + 1,
          width: barWidth, y: y(below + part.count), height: y(below) - y(below + part.count) }));
        below += part.count;
      }
      chart.appendChild(bar);
    }
    // the deploy's span, as a strip along the top of the plot: shaded behind the bars it would hide behind every
    // full second, and over them it would change their colours
    if (started !== null && ended !== null) {
      const span = svg('rect', { class: 'deploy-window', x: x(started), y: frame.top - 5,
        width: Math.max(2, x(ended) - x(started)), height: 4 });
      span.appendChild(svg('title', {}, 'the deploy, ' + formatMillis(started) + ' – ' + formatMillis(ended)));
      chart.appendChild(span);
    }
    return finishTimeChart(frame);
  }

  function deployLegend(versions) {
    const legend = el('p', 'demo-legend');
    for (const name of versions) {
      const item = el('span', 'legend legend-' + versionClass(name), 'answered by ' + name);
      item.dataset.series = name;
      legend.appendChild(item);
    }
    const failed = el('span', 'legend legend-part-failed', 'failed (no answer or a 5xx)');
    failed.dataset.series = 'failed';
    legend.appendChild(failed);
    return legend;
  }

  /** sent, failed (and its share), the downtime, and how long the deploy took. */
  function deployFigures(run) {
    const { line, add } = figureLine();
    const sent = num(run.sent);
    if (sent !== null) add('sent', 'sent ' + sent);
    addFailed(add, sent, num(run.failed));
    const downtime = num(run.downtime_ms);
    if (downtime !== null) {
      add('downtime', 'downtime ' + formatMillis(downtime), downtime > 0 ? 'figure-bad' : 'figure-good');
    }
    const started = num(run.deploy_started_ms);
    const ended = num(run.deploy_ended_ms);
    if (started !== null && ended !== null) add('took', 'the deploy took ' + formatMillis(ended - started));
    return line;
  }

  /** The deploy's steps, as it logged them, folded: "3.0 s  server-1  drain at lb-1: ...". */
  function deploySteps(steps) {
    const details = el('details', 'demo-steps');
    details.appendChild(el('summary', '', 'the deploy\'s ' + steps.length + ' steps'));
    const list = el('ol', 'step-list');
    for (const step of steps) {
      const item = el('li');
      item.append(el('span', 'step-time', num(step.at_ms) !== null ? formatMillis(step.at_ms) : ''),
          el('span', 'step-host', step.host || '—'), el('span', 'step-text', step.text || ''));
      list.appendChild(item);
    }
    details.appendChild(list);
    return details;
  }

  // ---- demo scale: requests served as servers are added
  //
  //   200 ┤                      ▇▇      one bar per step, as high as the requests served each second;
  //   100 ┤         ──  ▇▇              ── the rate offered, ·· what its servers can serve at most
  //     0 └─▇▇──▇▇──▇▇──▇▇──────▇▇
  //       1 server … 2 servers  4 servers
  //       p99, errors

  const BARS = {
    width: 960,
    left: 52, // room for the requests-per-second labels
    right: 16,
    top: 22, // room for the value above the tallest bar
    plotHeight: 170,
    rowHeight: 14, // one row of labels under the bars
    rows: 4, // servers, offered, p99, errors
  };

  /** A round step for a count axis, with at most 5 steps up to max. */
  function countStep(max) {
    const magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(1, max))));
    return [1, 2, 5, 10].map(f => f * magnitude).find(step => max / step <= 5) || 10 * magnitude;
  }

  /** A rate as it reads best: "50", "49.8". */
  function formatRate(rps) {
    return Number.isInteger(rps) ? String(rps) : rps.toFixed(1);
  }

  function drawScale(report) {
    const steps = objectsIn(report.steps).filter(s => num(s.served_rps) !== null);
    const capacity = report.capacity_per_server && typeof report.capacity_per_server === 'object'
      ? report.capacity_per_server : {};
    const servers = steps.map(s => num(s.servers)).filter(n => n !== null);
    document.getElementById('demo-title').textContent = servers.length
      ? steps.length + ' steps, ' + Math.min(...servers) + ' to ' + Math.max(...servers) + ' servers' : '';
    const section = el('section', 'demo-run demo-scale');
    section.append(scaleChart(steps, num(capacity.max_rps)), scaleLegend(num(capacity.max_rps)));
    const sentence = capacitySentence(capacity);
    if (sentence) section.appendChild(sentence);
    document.getElementById('demo-runs').replaceChildren(section);
  }

  function scaleChart(steps, perServer) {
    const ceilingOf = s => (perServer !== null && num(s.servers) !== null ? perServer * s.servers : 0);
    const highest = Math.max(1, ...steps.map(s => Math.max(s.served_rps, num(s.offered_rps) || 0, ceilingOf(s))));
    const step = countStep(highest);
    const maxY = Math.ceil(highest / step) * step;
    const bottom = BARS.top + BARS.plotHeight;
    const height = bottom + 8 + BARS.rows * BARS.rowHeight;
    const y = rps => bottom - BARS.plotHeight * rps / maxY;
    const slot = (BARS.width - BARS.left - BARS.right) / Math.max(1, steps.length);
    const barWidth = Math.min(56, slot * 0.55);

    const chart = svg('svg', { class: 'demo-chart scale-chart', viewBox: '0 0 ' + BARS.width + ' ' + height,
      role: 'img', 'aria-label': 'requests served each second, per number of servers and rate offered' });
    for (let rps = 0; rps <= maxY; rps += step) {
      chart.appendChild(svg('line', { class: rps === 0 ? 'axis-line' : 'grid-line', x1: BARS.left,
        x2: BARS.width - BARS.right, y1: y(rps), y2: y(rps) }));
      chart.appendChild(svg('text', { class: 'tick-label', x: BARS.left - 6, y: y(rps) + 4, 'text-anchor': 'end' },
          rps + '/s'));
    }
    steps.forEach((s, i) => {
      const cx = BARS.left + slot * (i + 0.5);
      const served = s.served_rps;
      const offered = num(s.offered_rps);
      const count = num(s.servers);
      const errors = num(s.errors);
      const p99 = num(s.p99_ms);
      const group = svg('g', { class: 'scale-step', 'data-servers': count ?? '', 'data-offered': offered ?? '',
        'data-served': served, 'data-p99': p99 ?? '', 'data-errors': errors ?? '' });
      const serversText = count === null ? '? servers' : count + (count === 1 ? ' server' : ' servers');
      group.appendChild(svg('title', {}, serversText + (offered !== null ? ', ' + offered + ' requests/s offered'
          : '') + ': ' + formatRate(served) + ' served each second' + (p99 !== null ? ', p99 ' + p99 + ' ms' : '')
          + (errors !== null ? ', ' + errors + ' errors' : '') + (num(s.sent) !== null ? ' (of ' + s.sent
          + ' sent)' : '')));
      group.appendChild(svg('rect', { class: 'served', x: cx - barWidth / 2, width: barWidth, y: y(served),
        height: bottom - y(served) }));
      // the value just above the bar, or above a line that crosses the bar's top, so that the line does not strike
      // it through
      let valueY = y(served);
      const lines = [offered, ceilingOf(s) || null].filter(v => v !== null).map(y).sort((a, b) => b - a);
      for (const lineY of lines) if (lineY <= valueY + 2 && valueY - lineY < 14) valueY = lineY;
      group.appendChild(svg('text', { class: 'bar-value', x: cx, y: valueY - 4, 'text-anchor': 'middle' },
          served.toFixed(1) + '/s'));
      if (ceilingOf(s) > 0) {
        group.appendChild(svg('line', { class: 'capacity', x1: cx - barWidth / 2 - 4, x2: cx + barWidth / 2 + 4,
          y1: y(ceilingOf(s)), y2: y(ceilingOf(s)) }));
      }
      if (offered !== null) {
        group.appendChild(svg('line', { class: 'offered', x1: cx - barWidth / 2 - 8, x2: cx + barWidth / 2 + 8,
          y1: y(offered), y2: y(offered) }));
      }
      const rows = [
        { cls: 'step-servers', text: serversText },
        { cls: 'step-offered', text: offered !== null ? offered + '/s offered' : '' },
        { cls: 'step-p99', text: p99 !== null ? 'p99 ' + p99 + ' ms' : '' },
        { cls: 'step-errors' + (errors > 0 ? ' errors-bad' : ''), text: errors !== null
          ? errors + (errors === 1 ? ' error' : ' errors') : '' },
      ];
      rows.forEach((row, r) => group.appendChild(svg('text', { class: 'step-label ' + row.cls, x: cx,
        y: bottom + 8 + BARS.rowHeight * (r + 0.7), 'text-anchor': 'middle' }, row.text)));
      chart.appendChild(group);
    });
    return chart;
  }

  function scaleLegend(perServer) {
    const legend = el('p', 'demo-legend');
    const item = (series, text) => {
      const span = el('span', 'legend legend-' + series, text);
      span.dataset.series = series;
      legend.appendChild(span);
    };
    item('served', 'served each second (a 2xx answer)');
    item('offered', 'offered: the rate the load sent');
    if (perServer !== null) item('capacity', 'the most its servers can serve (' + formatRate(perServer) + '/s each)');
    return legend;
  }

  /** "capacity is emulated: every host shares this machine's cores, each app server serves at most 50 requests/s". */
  function capacitySentence(capacity) {
    const perServer = num(capacity.max_rps);
    if (perServer === null) return null;
    const line = el('p', 'demo-capacity');
    line.dataset.emulated = String(capacity.emulated === true);
    const how = [];
    if (num(capacity.workers) !== null) how.push(capacity.workers + ' workers');
    if (num(capacity.service_time_ms) !== null) how.push(capacity.service_time_ms + ' ms a request');
    if (num(capacity.queue) !== null) how.push('a queue of ' + capacity.queue);
    line.textContent = (capacity.emulated === true
      ? 'capacity is emulated: every host shares this machine\'s cores, each app server serves at most '
      : 'each app server serves at most ') + formatRate(perServer) + ' requests/s'
        + (how.length ? ' (' + how.join(', ') + ')' : '');
    return line;
  }

  // ------------------------------------------------------------------ 5. the operation: a deploy or a scaling
  //
  // "foobar-stack deploy v2 --strategy rolling" and "foobar-stack scale web 3" ask the admin server to change the
  // running stack (POST /api/deploy, POST /api/scale). The change takes seconds, one host after another, and
  // GET /api/operation says how far it is. The panel stays hidden while that answers 404 (nothing has run since
  // the stack started) and otherwise shows the running or the last operation, asked for every second:
  //
  //   Operation [running] deploy v2 to distributed, rolling
  //   A rolling deploy updates one server at a time: ...          <- what the strategy does
  //   12:00:01.234  server-1  drain at lb-1: no new requests, ...
  //   12:00:01.246  server-1  no request in progress (waited 11 ms)
  //   ...                                                         <- newest at the bottom, followed while it runs
  //   every server runs v2 (2 restarted one at a time; ...)       <- the result, once it has ended
  //
  // While it runs, the hosts its steps name are outlined in the topology, the one of the newest step the most.

  const OPERATION_HINTS = {
    rolling: 'A rolling deploy updates one server at a time: the balancer drains it, it restarts with the new '
        + 'version and takes requests again once its health check passes. The others serve meanwhile, so the '
        + 'site stays up, and for a while both versions answer.',
    'blue-green': 'A blue-green deploy starts the new version on a second set of servers (green) beside the live '
        + 'one (blue), and once all of them pass their health checks the balancer switches every new request to '
        + 'green at once. Blue drains and is kept running, idle, so that switching back is as quick.',
    'all-at-once': 'An all-at-once deploy stops every server, starts them all again with the new version, and '
        + 'waits for their health checks. It is the simplest, and nothing answers in between: the downtime is the '
        + 'restart.',
    deploy: 'A deploy puts a new version of the application on the app servers. How it goes about it (all at '
        + 'once, rolling, blue-green) decides whether the site answers meanwhile.',
    scale: 'Scaling out starts new servers and adds each to the balancer, which sends it requests only once its '
        + 'health check passes. Scaling in first drains the servers it removes, so that the requests in progress '
        + 'finish, and then stops them.',
  };

  const operation = {
    loading: false,
    /** The last answer drawn, as text; null while there is none. */
    text: null,
    /** While it runs: the hosts its steps name, and the host of its newest step. */
    hosts: new Set(),
    current: null,
  };

  async function refreshOperation() {
    if (operation.loading) return; // a slow answer: the next tick asks again
    operation.loading = true;
    try {
      const response = await fetch('/api/operation', { cache: 'no-store', headers: { Accept: 'application/json' } });
      if (response.status !== 200) { // 404: no deploy or scaling since the stack started
        if (response.status === 404) hideOperation();
        return;
      }
      const text = await response.text();
      if (text === operation.text) return; // unchanged: leave the list, and where it is scrolled to, alone
      operation.text = text;
      drawOperation(JSON.parse(text));
    } catch (e) {
      // the admin server is unreachable (the other panels say so), or sent no JSON: keep what is drawn
    } finally {
      operation.loading = false;
    }
  }

  function hideOperation() {
    document.getElementById('operation-panel').hidden = true;
    operation.text = null;
    operation.hosts = new Set();
    operation.current = null;
    markOperationHosts();
  }

  function drawOperation(op) {
    const panel = document.getElementById('operation-panel');
    const steps = objectsIn(op.steps);
    const opState = typeof op.state === 'string' ? op.state : 'unknown';
    const running = opState === 'running';
    panel.dataset.kind = op.kind || '';
    panel.dataset.state = opState;
    const badge = document.getElementById('operation-state');
    badge.dataset.state = opState;
    badge.textContent = opState;
    document.getElementById('operation-description').textContent = op.description || op.kind || '';
    document.getElementById('operation-hint').textContent = operationHint(op);
    const started = num(op.startedAt);
    const ended = num(op.endedAt);
    document.getElementById('operation-time').textContent = started === null ? ''
      : 'started ' + formatTime(started * 1000) + (ended !== null ? ', took ' + formatMillis(ended - started) : '');
    const result = document.getElementById('operation-result');
    result.textContent = op.result || '';
    result.hidden = !op.result;

    const list = document.getElementById('operation-steps');
    const grew = steps.length > list.children.length;
    list.replaceChildren(...steps.map(step => {
      const item = el('li');
      item.dataset.host = step.host || '';
      item.append(el('span', 'step-time', num(step.at) !== null ? formatTime(step.at * 1000) : ''),
          el('span', 'step-host', step.host || '—'), el('span', 'step-text', step.text || ''));
      return item;
    }));
    // newest at the bottom: follow it while the operation runs, and once more when its last steps come in
    if (running || grew) list.scrollTop = list.scrollHeight;
    document.getElementById('operation-empty').hidden = steps.length > 0;
    panel.hidden = false;

    const named = steps.map(step => step.host).filter(host => typeof host === 'string' && host);
    operation.hosts = running ? new Set(named) : new Set();
    operation.current = running && named.length ? named[named.length - 1] : null;
    markOperationHosts();
  }

  /** The hint for an operation: what its kind, or its strategy (the description's last word), does. */
  function operationHint(op) {
    if (op.kind === 'scale') return OPERATION_HINTS.scale;
    if (op.kind !== 'deploy') return '';
    const strategy = /\b(all-at-once|rolling|blue-green)\b/.exec(op.description || '');
    return OPERATION_HINTS[strategy ? strategy[1] : 'deploy'];
  }

  /**
   * Outlines, in the topology, the hosts the running operation has named so far (data-operation="touched") and
   * the host of its newest step ("current"). Called after each answer and after the topology is drawn, since a
   * scaling adds boxes.
   */
  function markOperationHosts() {
    for (const [name, view] of topo.hosts) {
      if (name && name === operation.current) view.box.dataset.operation = 'current';
      else if (operation.hosts.has(name)) view.box.dataset.operation = 'touched';
      else delete view.box.dataset.operation;
    }
  }

  // ------------------------------------------------------------------ 6. monitoring: hosts, rates, alerts
  //
  // A design with a monitor tier (secured: mon-1) runs a monitoring server, and every other host pushes its
  // numbers to it once a second. The admin server passes that server's JSON on under /api/monitoring/, since the
  // page may talk to nothing but the admin server. The panel stays hidden while /api/monitoring/summary answers
  // 404 (the design has no monitoring server); once it answers 200 the page asks for the hosts and the alerts as
  // well, every 2 s, and draws:
  //
  //   Hosts        [server-1 0.4 s ago] [server-2 0.6 s ago] [ns1 never pushed]     green up, red down
  //   Requests     web-1  server-1  100.0  5.0 %  23.5 ms  ▁▂▂▅▇▇                   the line: kept by this page
  //   Replication  db-2  on server-2  2.5 s behind
  //   Alerts       firing    HostDown         no push for 3.0 s
  //                            ns1  never pushed, expected for 4.0 s
  //                pending   HighRequestRate  requests per second above 50 for 30.0 s
  //                inactive  ReplicationLag   replication lag above 5 s for 30.0 s
  //
  // The monitoring server computes every number; the page only formats them. A number it cannot know (fewer than
  // two pushes in the window, no request at all) is null in its JSON and a dash here: no data is not zero. When
  // it does not answer (502: its host was killed, say), the last picture stays, under a line saying why.

  /** How far back each instance's line of requests per second goes, and how far apart its points are. */
  const SPARKLINE_MS = 5 * 60 * 1000;
  const SPARKLINE_STEP_S = 5;
  const SPARKLINE = { width: 120, height: 24 };
  const ALERT_STATES = ['inactive', 'pending', 'firing', 'resolved'];

  const monitor = {
    loading: false,
    /**
     * Per "host/instance", its requests per second over the last 5 minutes, oldest first: [{at, value}], at in
     * the monitoring server's epoch milliseconds, value null where it had no number. The monitoring server works
     * the line out from the series it stores (GET /api/monitoring/rates, one point every 5 s), so a page opened
     * now draws the last 5 minutes at once, and every open page draws the same line.
     */
    history: new Map(),
  };

  async function refreshMonitoring() {
    if (monitor.loading) return; // an answer still on its way (the admin server waits 1 s at most): skip a tick
    monitor.loading = true;
    try {
      const summary = await getJson('/api/monitoring/summary');
      if (summary.status === 404) { // this design has no monitoring server
        hideMonitoring();
        return;
      }
      if (summary.status !== 200) { // 502: it did not answer; keep the last picture and say why
        monitoringProblem(summary.body.error || 'the monitoring server answered ' + summary.status);
        return;
      }
      const [hosts, alerts, rates] = await Promise.all([getJson('/api/monitoring/hosts'),
        getJson('/api/monitoring/alerts'),
        getJson('/api/monitoring/rates?span=' + SPARKLINE_MS / 1000 + '&step=' + SPARKLINE_STEP_S)]);
      const failed = [hosts, alerts, rates].find(answer => answer.status !== 200);
      if (rates.status === 200) rememberRates(rates.body);
      monitoringProblem(failed ? failed.body.error || 'the monitoring server answered ' + failed.status : '');
      drawMonitoring(summary.body, hosts.status === 200 ? hosts.body : null,
          alerts.status === 200 ? alerts.body : null);
    } catch (e) {
      // the admin server is unreachable (the header says so), or sent no JSON: keep what is drawn
    } finally {
      monitor.loading = false;
    }
  }

  function hideMonitoring() {
    document.getElementById('monitoring').hidden = true;
    monitor.history.clear();
  }

  function monitoringProblem(text) {
    const line = document.getElementById('monitoring-error');
    line.textContent = text;
    line.hidden = !text;
  }

  /** Draws the three answers; hosts or alerts is null when that one failed, and its part keeps what it showed. */
  function drawMonitoring(summary, hosts, alerts) {
    const at = typeof summary.at === 'string' ? Date.parse(summary.at) : NaN;
    document.getElementById('monitoring-at').textContent = Number.isNaN(at) ? ''
      : 'as of ' + formatTime(at * 1000) + ' on its clock';
    if (num(summary.windowSeconds) !== null) {
      document.getElementById('monitoring-window').textContent = summary.windowSeconds;
    }
    const instances = objectsIn(summary.instances);
    drawRequestRates(instances);
    drawReplicationLags(instances);
    if (hosts) drawMonitoredHosts(hosts);
    if (alerts) drawAlertRules(alerts);
    document.getElementById('monitoring').hidden = false;
  }

  /** "0.4 s", "12 s", "3 min". */
  function formatSeconds(seconds) {
    if (seconds < 10) return seconds.toFixed(1) + ' s';
    if (seconds < 120) return Math.round(seconds) + ' s';
    return Math.round(seconds / 60) + ' min';
  }

  // ---- hosts: one badge each, green while it pushes

  function drawMonitoredHosts(body) {
    if (num(body.downAfterSeconds) !== null) {
      document.getElementById('monitoring-down-after').textContent = body.downAfterSeconds;
    }
    const badges = objectsIn(body.hosts).map(host => {
      const up = host.up === true;
      const since = num(host.secondsSinceLastPush);
      const badge = el('span', 'monitor-host');
      badge.dataset.host = host.host;
      badge.dataset.up = String(up);
      const sinceText = !host.lastPush ? 'never pushed' : since === null ? '' : formatSeconds(since) + ' ago';
      badge.append(el('span', 'monitor-host-name', host.host), el('span', 'since', sinceText));
      // a host named in the design that never pushed is down too: a push-based server only notices silence
      badge.title = (up ? 'up' : 'down') + ': ' + (host.lastPush
        ? 'last push from ' + host.address + ', ' + host.pushes + ' pushes so far, ' + host.samples
          + ' samples in the last one'
        : 'expected, and has never pushed');
      return badge;
    });
    document.getElementById('monitor-hosts').replaceChildren(...badges);
  }

  // ---- requests: per web server, rate, errors, p99 and the line of the last 5 minutes

  /** Which instances get a row: every web server, and a balancer or an app server that counts requests too. */
  function showsRequests(instance) {
    const name = String(instance.instance || '');
    if (name.startsWith('web-')) return true;
    return (name.startsWith('lb-') || name.startsWith('app-')) && num(instance.requestsPerSecond) !== null;
  }

  function drawRequestRates(instances) {
    const rows = instances.filter(showsRequests).map(instance => {
      const rps = num(instance.requestsPerSecond);
      const errors = num(instance.errorRate);
      const p99 = num(instance.p99LatencySeconds);
      const tr = el('tr', 'monitor-instance');
      tr.dataset.instance = instance.instance;
      tr.dataset.host = instance.host;
      tr.dataset.hostUp = String(instance.hostUp === true);
      const name = el('td', 'instance');
      name.appendChild(el('span', 'tier-chip ' + tierClass(instance.instance.split('-')[0]), instance.instance));
      const rate = el('td', 'num rps', rps === null ? '—' : rps.toFixed(1));
      if (rps === null) rate.title = 'fewer than two pushes of its counters in the window';
      const share = el('td', 'num err' + (errors > 0 ? ' err-some' : ''),
          errors === null ? '—' : (100 * errors).toFixed(1) + ' %');
      if (errors === null) share.title = 'no requests in the window, so no share of them';
      const latency = el('td', 'num p99', p99 === null ? '—' : (1000 * p99).toFixed(1) + ' ms');
      latency.title = '99 of 100 requests were answered within this, estimated from the latency histogram\'s '
          + 'buckets as histogram_quantile(0.99, ...) does';
      const line = el('td', 'spark');
      line.appendChild(sparkline(monitor.history.get(historyKey(instance)) || []));
      tr.append(name, el('td', 'instance-host', instance.host), rate, share, latency, line);
      return tr;
    });
    document.getElementById('monitor-instances').replaceChildren(...rows);
    document.getElementById('monitor-instances-empty').hidden = rows.length > 0;
  }

  function historyKey(instance) {
    return instance.host + '/' + instance.instance;
  }

  /** Keeps the lines of the monitoring server's latest answer: [[epoch seconds, rate or null], ...] each. */
  function rememberRates(body) {
    const at = typeof body.at === 'string' ? Date.parse(body.at) : NaN;
    monitor.now = Number.isNaN(at) ? Date.now() : at;
    monitor.history.clear();
    for (const instance of objectsIn(body.instances)) {
      const points = Array.isArray(instance.points) ? instance.points : [];
      monitor.history.set(historyKey(instance), points
        .filter(p => Array.isArray(p) && num(p[0]) !== null)
        .map(p => ({ at: 1000 * p[0], value: num(p[1]) })));
    }
  }

  /**
   * The requests per second of the last 5 minutes as a small inline SVG line: now at the right edge, each point at
   * its time, from 0 at the foot to the highest rate of the 5 minutes at the top, so that the line shows the
   * shape and the number beside it the value. A point without a number breaks the line; a dot marks the newest.
   */
  function sparkline(points) {
    const { width, height } = SPARKLINE;
    const now = monitor.now || Date.now(); // the monitoring server's "now", which its points are measured from
    const values = points.map(p => p.value).filter(v => v !== null);
    const top = Math.max(1, ...values);
    const x = at => width * (1 - (now - at) / SPARKLINE_MS);
    const y = value => height - 2 - (height - 4) * value / top;
    const chart = svg('svg', { class: 'sparkline', width, height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'data-points': values.length,
      'aria-label': 'requests per second over the last 5 minutes, at most ' + top.toFixed(1) });
    chart.appendChild(svg('line', { class: 'spark-base', x1: 0, x2: width, y1: height - 1.5, y2: height - 1.5 }));
    let run = [];
    const endRun = () => {
      if (run.length > 1) chart.appendChild(svg('polyline', { class: 'spark-line', points: run.join(' ') }));
      run = [];
    };
    for (const point of points) {
      if (point.value === null) endRun();
      else run.push(x(point.at).toFixed(1) + ',' + y(point.value).toFixed(1));
    }
    endRun();
    const last = points[points.length - 1];
    if (last && last.value !== null) {
      chart.appendChild(svg('circle', { class: 'spark-now', cx: x(last.at), cy: y(last.value), r: 2 }));
    }
    chart.appendChild(svg('title', {}, values.length
      ? 'requests per second, last 5 minutes: ' + values.length + ' points, highest ' + top.toFixed(1)
      : 'no rate yet'));
    return chart;
  }

  // ---- replication: each replica's lag, as its database reports it

  function drawReplicationLags(instances) {
    const items = instances.filter(instance => num(instance.replicationLagSeconds) !== null).map(instance => {
      const lagMillis = 1000 * instance.replicationLagSeconds;
      const item = el('li', 'monitor-lag');
      item.dataset.instance = instance.instance;
      item.dataset.lagging = String(lagMillis > LAG_WARNING_MS); // the topology's rule: amber past a second
      item.append(el('span', 'lag-instance', instance.instance), el('span', 'lag-host', 'on ' + instance.host),
          el('span', 'lag', formatMillis(lagMillis) + ' behind'));
      return item;
    });
    document.getElementById('monitor-replication').replaceChildren(...items);
    document.getElementById('monitor-replication-part').hidden = items.length === 0;
  }

  // ---- alerts: each rule with its state, and its alerts

  function drawAlertRules(body) {
    const rules = objectsIn(body.rules).map(rule => {
      const ruleState = ALERT_STATES.includes(rule.state) ? rule.state : 'inactive';
      const item = el('li', 'alert-rule');
      item.dataset.rule = rule.name;
      item.dataset.state = ruleState;
      const head = el('div', 'alert-rule-head');
      head.append(el('span', 'rule-state', ruleState), el('span', 'rule-name', rule.name),
          el('span', 'rule-condition', rule.condition || ''));
      item.appendChild(head);
      const alerts = objectsIn(rule.alerts).map(alert => {
        const alertState = ALERT_STATES.includes(alert.state) ? alert.state : 'inactive';
        const line = el('li', 'alert');
        line.dataset.subject = alert.subject;
        line.dataset.state = alertState;
        line.append(el('span', 'alert-state', alertState), el('span', 'alert-subject', alert.subject),
            el('span', 'alert-description', alert.description || ''));
        const since = typeof alert.since === 'string' ? Date.parse(alert.since) : NaN;
        if (!Number.isNaN(since)) line.title = alertState + ' since ' + formatTime(since * 1000);
        return line;
      });
      if (alerts.length) {
        const list = el('ul', 'alerts');
        list.append(...alerts);
        item.appendChild(list);
      }
      return item;
    });
    document.getElementById('monitor-alerts').replaceChildren(...rules);
  }

  // ------------------------------------------------------------------ 7. links: Toxiproxy's toxics between the tiers
  //
  // Only a stack started with --toxics has links to show: GET /api/links answers 404 otherwise, for as long as
  // the stack runs, so after a 404 the page stops asking. Adding and removing a toxic needs the token, like the
  // host buttons; the answer, or the refusal, goes in the panel's own status line.

  const LINKS_EVERY_MS = 2000;

  /**
   * Each toxic's attributes, in Toxiproxy's names and units, with the value the form starts at and what it does:
   * the same table as ctl toxic's help and docs/testing.md.
   */
  const TOXICS = {
    latency: { does: 'delays every piece of data by latency ± jitter',
      attributes: [{ name: 'latency', unit: 'ms', value: 200 }, { name: 'jitter', unit: 'ms', value: 0 }] },
    bandwidth: { does: 'lets through at most rate kilobytes a second',
      attributes: [{ name: 'rate', unit: 'KB/s', value: 100 }] },
    slow_close: { does: 'holds the close back for delay after the other side closed',
      attributes: [{ name: 'delay', unit: 'ms', value: 1000 }] },
    timeout: { does: 'lets no data through and closes the connection after timeout (0: never closes, the data '
        + 'waits until the toxic is removed)', attributes: [{ name: 'timeout', unit: 'ms', value: 0 }] },
    reset_peer: { does: 'resets the connection (a TCP RST) after timeout, at once with 0',
      attributes: [{ name: 'timeout', unit: 'ms', value: 0 }] },
    slicer: { does: 'cuts the data into pieces of average_size ± size_variation bytes, sent delay apart',
      attributes: [{ name: 'average_size', unit: 'bytes', value: 64 }, { name: 'size_variation', unit: 'bytes',
        value: 32 }, { name: 'delay', unit: 'µs', value: 10 }] },
    limit_data: { does: 'closes the connection once bytes bytes have passed',
      attributes: [{ name: 'bytes', unit: 'bytes', value: 1024 }] },
  };

  const linksView = {
    /** False once GET /api/links said 404: this stack's tiers connect direct. */
    proxied: true,
    loading: false,
    /** The last answer's links, as the server sent them; [] before the first. */
    links: [],
    lastJson: '',
    /** The links whose remove or add is on its way: their buttons wait for the answer. */
    pending: new Set(),
  };

  async function refreshLinks() {
    if (!linksView.proxied || linksView.loading) return;
    linksView.loading = true;
    try {
      const { status, body } = await getJson('/api/links');
      if (status === 404) {
        linksView.proxied = false;
        linksView.links = [];
        document.getElementById('links-panel').hidden = true;
        return;
      }
      if (status !== 200) return;
      const text = JSON.stringify(body.links);
      if (text === linksView.lastJson) return;
      linksView.lastJson = text;
      linksView.links = body.links || [];
      document.getElementById('links-panel').hidden = false;
      renderLinks();
      drawArrows(); // the toxics show on the topology's arrows too
    } catch (e) {
      // the topology panel already says when the admin server cannot be reached
    } finally {
      linksView.loading = false;
    }
  }

  /** The toxics on the link from one instance to another (or "client"): [] for a link without a proxy. */
  function toxicsBetween(from, to) {
    const link = linksView.links.find(l => l.from === from && l.to === to);
    return link ? link.toxics : [];
  }

  /** A toxic in a few words, as ctl toxic list prints it: "latency +200 ms ±0 ms". */
  function describeToxic(toxic) {
    const a = toxic.attributes || {};
    switch (toxic.type) {
      case 'latency': return 'latency +' + a.latency + ' ms ±' + a.jitter + ' ms';
      case 'bandwidth': return 'bandwidth ' + a.rate + ' KB/s';
      case 'slow_close': return 'slow_close ' + a.delay + ' ms';
      case 'timeout': return a.timeout > 0 ? 'timeout, closed after ' + a.timeout + ' ms' : 'timeout, no data';
      case 'reset_peer': return a.timeout > 0 ? 'reset_peer after ' + a.timeout + ' ms' : 'reset_peer at once';
      case 'slicer': return 'slicer ' + a.average_size + '±' + a.size_variation + ' bytes, ' + a.delay + ' µs apart';
      case 'limit_data': return 'limit_data ' + a.bytes + ' bytes';
      default: return toxic.type;
    }
  }

  /** A toxic in a word or two, for an arrow with little room: "+200ms", "100KB/s", "reset". */
  function shortToxic(toxic) {
    const a = toxic.attributes || {};
    switch (toxic.type) {
      case 'latency': return '+' + a.latency + 'ms';
      case 'bandwidth': return a.rate + 'KB/s';
      case 'limit_data': return 'limit ' + a.bytes + 'B';
      case 'reset_peer': return 'reset';
      default: return toxic.type;
    }
  }

  function renderLinks() {
    const token = currentToken();
    const rows = linksView.links.map(link => {
      const row = el('tr');
      row.dataset.link = link.name;
      const chips = el('td', 'toxics');
      if (!link.toxics.length) chips.appendChild(el('span', 'empty', 'none'));
      for (const toxic of link.toxics) {
        const chip = el('span', 'toxic');
        chip.dataset.toxic = toxic.name;
        chip.dataset.stream = toxic.stream;
        chip.title = TOXICS[toxic.type] ? TOXICS[toxic.type].does : '';
        chip.append(el('b', null, toxic.name), document.createTextNode(' ' + describeToxic(toxic) + ', '
            + toxic.stream + (toxic.toxicity < 1 ? ', toxicity ' + toxic.toxicity : '')));
        const remove = el('button', 'toxic-remove', '✕');
        remove.type = 'button';
        remove.setAttribute('aria-label', 'remove ' + toxic.name + ' from ' + link.name);
        remove.disabled = !token || linksView.pending.has(link.name);
        remove.title = token ? 'remove this toxic' : NO_TOKEN;
        remove.addEventListener('click', () => removeToxic(link, toxic.name));
        chip.appendChild(remove);
        chips.appendChild(chip);
      }
      const name = el('td', 'link-name', link.from + ' → ' + link.to);
      if (link.proxy) name.title = 'in Toxiproxy\'s API (127.0.0.1:8474): the proxy ' + link.proxy;
      row.append(name, el('td', 'mono', link.listen),
          el('td', 'mono', link.upstream), chips);
      return row;
    });
    document.getElementById('links').replaceChildren(...rows);
    // the link list changes only with the stack: keep the one chosen across refreshes
    const select = document.getElementById('toxic-link');
    const names = linksView.links.map(l => l.name);
    if ([...select.options].map(o => o.value).join('\n') !== names.join('\n')) {
      const chosen = select.value;
      select.replaceChildren(...linksView.links.map(l => {
        const option = el('option', null, l.from + ' → ' + l.to);
        option.value = l.name;
        return option;
      }));
      if (names.includes(chosen)) select.value = chosen;
      else if (names.some(n => /^app-\d+->db-\d+$/.test(n))) select.value = names.find(n => /^app-/.test(n));
    }
    const add = document.getElementById('toxic-add');
    add.disabled = !token;
    add.title = token ? '' : NO_TOKEN;
  }

  /** The attribute inputs of the toxic chosen, each with its unit, and a sentence on what the toxic does. */
  function renderToxicAttributes() {
    const type = document.getElementById('toxic-type').value;
    const toxic = TOXICS[type];
    const inputs = toxic.attributes.map(attribute => {
      const label = el('label', null, attribute.name + ' ');
      const input = el('input');
      input.type = 'number';
      input.min = '0';
      input.step = '1';
      input.required = true;
      input.value = String(attribute.value);
      input.name = attribute.name;
      input.dataset.attribute = attribute.name;
      label.append(input, document.createTextNode(' ' + attribute.unit));
      return label;
    });
    document.getElementById('toxic-attributes').replaceChildren(...inputs);
    document.getElementById('toxic-help').textContent = type + ' ' + toxic.does + '.';
    document.getElementById('toxic-name').placeholder = type + '_' + document.getElementById('toxic-stream').value;
  }

  function linksStatus(state, text) {
    const status = document.getElementById('links-status');
    status.dataset.state = state;
    status.textContent = text;
  }

  /** POST /api/links/{from}->{to}/toxics with the form's toxic, as Toxiproxy's JSON. */
  async function addToxic(event) {
    event.preventDefault();
    const linkName = document.getElementById('toxic-link').value;
    const type = document.getElementById('toxic-type').value;
    const toxic = { type, stream: document.getElementById('toxic-stream').value,
      toxicity: Number(document.getElementById('toxic-toxicity').value), attributes: {} };
    for (const input of document.querySelectorAll('#toxic-attributes input')) {
      toxic.attributes[input.dataset.attribute] = Number(input.value);
    }
    const name = document.getElementById('toxic-name').value.trim();
    if (name) toxic.name = name;
    await changeLinks(linkName, 'POST', '/api/links/' + encodeURIComponent(linkName) + '/toxics', toxic,
        (link) => linkName + ': added ' + describeAdded(link, toxic));
  }

  function describeAdded(link, sent) {
    const added = link.toxics.find(t => t.name === (sent.name || sent.type + '_' + sent.stream));
    return added ? added.name + ', ' + describeToxic(added) + ', ' + added.stream : sent.type;
  }

  /** DELETE /api/links/{from}->{to}/toxics/{name}. */
  async function removeToxic(link, name) {
    await changeLinks(link.name, 'DELETE', '/api/links/' + encodeURIComponent(link.name) + '/toxics/'
        + encodeURIComponent(name), null, () => link.name + ': removed ' + name);
  }

  async function changeLinks(linkName, method, path, toxic, said) {
    const token = currentToken();
    if (!token) {
      linksStatus('error', NO_TOKEN);
      return;
    }
    linksView.pending.add(linkName);
    renderLinks();
    linksStatus('pending', linkName + ': ' + (method === 'POST' ? 'adding ' + toxic.type : 'removing') + '…');
    try {
      const headers = { Authorization: 'Bearer ' + token, Accept: 'application/json' };
      if (toxic) headers['Content-Type'] = 'application/json';
      const response = await fetch(path, { method, cache: 'no-store', headers,
        body: toxic ? JSON.stringify(toxic) : undefined });
      let body = {};
      try {
        body = await response.json();
      } catch (e) {
        // no JSON: the status alone says what happened
      }
      if (response.ok) {
        linksStatus('ok', said(body.link));
      } else {
        if (response.status === 403) forgetToken();
        linksStatus('error', linkName + ': refused, ' + response.status + ': ' + (body.error || response.statusText));
      }
    } catch (e) {
      linksStatus('error', linkName + ': no answer from the admin server (' + e.message + ')');
    } finally {
      linksView.pending.delete(linkName);
      linksView.lastJson = ''; // draw the answer even if a refresh in flight brings the same list
      await refreshLinks();
      renderLinks();
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
    takeTokenFromAddress();
    updateTokenNote();
    // a link pasted into this tab later can bring a token too
    window.addEventListener('hashchange', () => {
      takeTokenFromAddress();
      if (topo.body) updateTopology(topo.body);
      if (linksView.links.length) renderLinks();
    });
    document.getElementById('toxic-form').addEventListener('submit', addToxic);
    document.getElementById('toxic-type').addEventListener('change', renderToxicAttributes);
    document.getElementById('toxic-stream').addEventListener('change', renderToxicAttributes);
    renderToxicAttributes();
    window.addEventListener('resize', drawArrows);
    refreshTopology();
    refreshRequests();
    refreshDemo();
    refreshOperation();
    refreshMonitoring();
    refreshLinks();
    setInterval(refreshTopology, TOPOLOGY_EVERY_MS);
    setInterval(refreshLinks, LINKS_EVERY_MS);
    setInterval(refreshRequests, REQUESTS_EVERY_MS);
    setInterval(refreshDemo, DEMO_EVERY_MS);
    setInterval(refreshOperation, OPERATION_EVERY_MS);
    setInterval(refreshMonitoring, MONITORING_EVERY_MS);
    // a link such as /#trace=4bf92f35...&hop=3 opens that request at that message
    const link = /trace=([0-9a-f]{1,32})(?:&hop=(\d+))?/.exec(location.hash);
    if (link) openTrace(link[1], link[2] ? Number(link[2]) - 1 : 0);
  }

  document.addEventListener('DOMContentLoaded', start);
})();
