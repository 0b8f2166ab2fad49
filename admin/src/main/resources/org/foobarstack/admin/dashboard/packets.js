// foobar-stack dashboard: the "packets" view of the step-through (panel 3, one request).
//
// A message of the trace (a DNS query, an HTTP request head) crossed the wire in packets: IP datagrams carrying
// TCP segments or UDP datagrams. Only `walk --packets`, run as root, captures them (tcpdump on the loopback
// interface); afterwards it sends them to the admin server, which keeps them per trace:
//
//   GET /api/traces/{id}/packets  -> what `walk --json --packets` printed for that trace: the walk's own hops
//                                    ("client"), each with the socket it used and the packets put under it
//
// For a trace that has them, the selected message gets two views, "fields" (panel 3's field tree) and
// "packets". Which packets belong to a message of the trace? The tiers record each message with its peer, the
// address and port at the other end: for the DNS server and the web server (or the balancer) that is the walk's
// own socket. So:
//
//   1. the walk's hops whose socket has the message's peer as its local port are the same connection (or the
//      same UDP socket) seen from the other end; the view lists all their packets, in capture order;
//   2. among them, the walk's hop of the same protocol is the same message seen from the other side (a query the
//      walk sent is the one the DNS server received; the handshake the walk's connect did is the one the web
//      server's accept saw), preferring the opposite direction: its packets are marked as this message's.
//
// A message between two tiers (the web server's FastCGI records, the app server's SQL) has a peer that is no
// socket of the walk: the walk captured none of its packets, and the view says so.
//
// Each packet is one row, like Wireshark's packet list: its number in the capture, its time since the walk's
// first packet, which way it went, its TCP flags (or UDP), its sequence and acknowledgment numbers relative to
// each side's initial sequence number, its payload length, and the walk's hop it was put under. A click shows its
// headers below the list, outermost first, each tagged with its layer, every field with [offset+length] in the
// captured frame, folded and unfolded like the fields view.
//
// dashboard.js announces each selection with a "hop-selected" event on the document (the trace and the index of
// the hop); this file draws from that alone, with the page's field tree (window.foobarDashboard). Every piece of
// text from the server goes in through textContent.
'use strict';

(function () {
  /** How long a "no packets" answer is believed before asking again: a walk may send them after the trace opens. */
  const ASK_AGAIN_MS = 2000;

  const view = {
    /** The trace whose packets are known (or known to be absent), when the admin server answered, and the trace
     *  whose packets are being asked for (null when no question is on its way). */
    traceId: null,
    askedAt: 0,
    asking: null,
    /** The walk's JSON for that trace, or null when the admin server has none. */
    walk: null,
    /** What is selected in dashboard.js: the trace and the hop's index. */
    trace: null,
    hopIndex: 0,
    /** "fields" or "packets": the view stays chosen while stepping from hop to hop. */
    shown: 'fields',
    /** The number (in the capture) of the packet whose headers are shown. */
    packetNumber: null,
  };

  // the page's own helpers (dashboard.js runs first): elements, and the field tree of the fields view
  const { el, fieldList } = window.foobarDashboard;

  async function packetsOf(traceId) {
    const now = Date.now();
    if (view.traceId === traceId && (view.walk || now - view.askedAt < ASK_AGAIN_MS)) return;
    if (view.asking === traceId) return;
    view.asking = traceId;
    let walk = null;
    try {
      const response = await fetch('/api/traces/' + encodeURIComponent(traceId) + '/packets',
          { cache: 'no-store', headers: { Accept: 'application/json' } });
      const body = response.status === 200 ? await response.json() : null;
      walk = body && Array.isArray(body.client) ? body : null;
    } catch (e) {
      walk = null;
    }
    // another request opened meanwhile: its own question decides, not this late answer
    if (view.asking !== traceId) return;
    view.traceId = traceId;
    view.walk = walk;
    view.askedAt = Date.now();
    view.asking = null;
  }

  // ------------------------------------------------------------------ which packets carried the message

  /** "127.0.0.1:41586" or "[::1]:41586" as { address, port }; null when it is no address and port. */
  function endpoint(text) {
    const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text || '');
    return match ? { address: match[1], port: Number(match[2]) } : null;
  }

  /** The walk's address on a hop's socket, from a packet it sent; null when none was captured. */
  function walkAddress(step) {
    const sent = (step.packets || []).find(p => p.direction === 'sent' && p.source);
    const local = sent ? endpoint(sent.source) : null;
    return local ? local.address : null;
  }

  /**
   * The walk's hops on the socket at the other end of this message, the packets of them all in capture order,
   * and the numbers of the packets that carried this message; null when the message's peer is no socket of the
   * walk.
   */
  function packetsFor(hop, walk) {
    const peer = endpoint(hop.peer);
    if (!peer) return null;
    const steps = walk.client.filter(step => {
      if (!step.socket || step.socket.localPort !== peer.port) return false;
      const address = walkAddress(step);
      return address === null || address === peer.address;
    });
    if (!steps.length) return null;
    const sameProtocol = steps.filter(step => step.protocol === hop.protocol);
    const opposite = sameProtocol.filter(step => step.direction !== hop.direction);
    const mirror = opposite.length ? opposite : sameProtocol;
    const mine = new Set();
    for (const step of mirror) for (const p of step.packets || []) mine.add(p.number);
    const rows = [];
    for (const step of steps) {
      for (const p of step.packets || []) rows.push({ packet: p, step });
    }
    rows.sort((a, b) => a.packet.number - b.packet.number);
    return { steps, mirror, mine, rows, socket: steps[0].socket };
  }

  // ------------------------------------------------------------------ drawing

  function show() {
    const switcher = document.getElementById('hop-views');
    const fields = document.getElementById('fields');
    const holder = document.getElementById('packets');
    const trace = view.trace;
    const hop = trace && trace.hops[view.hopIndex];
    const walk = trace && view.traceId === trace.traceId ? view.walk : null;
    if (!hop || !walk) {
      switcher.hidden = true;
      holder.hidden = true;
      fields.hidden = false;
      return;
    }
    const found = packetsFor(hop, walk);
    switcher.hidden = false;
    const count = found ? found.mine.size : 0;
    const packetsButton = document.getElementById('view-packets');
    packetsButton.textContent = 'packets (' + count + ')';
    packetsButton.setAttribute('aria-pressed', String(view.shown === 'packets'));
    document.getElementById('view-fields').setAttribute('aria-pressed', String(view.shown === 'fields'));
    fields.hidden = view.shown === 'packets';
    holder.hidden = view.shown !== 'packets';
    if (view.shown === 'packets') drawPackets(holder, hop, walk, found);
  }

  function drawPackets(holder, hop, walk, found) {
    const parts = [];
    const capture = walk.packets || {};
    if (!found) {
      parts.push(el('p', 'packets-note', 'The walk captured no packet of this message: its peer, '
          + (hop.peer || 'none') + ', is not one of the walk\'s sockets. walk --packets captures only what crosses '
          + 'between the walk and the servers it talks to (the DNS server, then the web server or the balancer), '
          + 'not what passes between the tiers.'));
      holder.replaceChildren(...parts);
      holder.dataset.packets = '0';
      return;
    }
    const socket = found.socket;
    const mirrorNames = found.mirror.map(step => step.protocol + ' ' + step.direction + ' (' + step.summary + ')');
    parts.push(el('p', 'packets-note', 'Captured by walk --packets on ' + (capture.interface || 'lo')
        + '. The walk\'s ' + socket.transport + ' socket, port ' + socket.localPort + ' to ' + socket.server
        + ': ' + found.rows.length + ' packets. '
        + (mirrorNames.length
          ? 'This message is the walk\'s ' + mirrorNames.join(', ') + ' seen from ' + hop.tier + '/' + hop.instance
            + ': its ' + found.mine.size + ' packets are marked.'
          : 'None of them is put under a walk hop of protocol ' + hop.protocol + '.')));
    parts.push(packetTable(hop, found));
    const selected = pickPacket(found);
    const detail = el('div', 'packet-detail');
    detail.id = 'packet-detail';
    parts.push(detail);
    holder.replaceChildren(...parts);
    holder.dataset.packets = String(found.rows.length);
    if (selected) drawPacket(selected);
  }

  /** The packet shown below the list: the one chosen before if it is in this list, else this message's first. */
  function pickPacket(found) {
    const chosen = found.rows.find(row => row.packet.number === view.packetNumber);
    const first = found.rows.find(row => found.mine.has(row.packet.number)) || found.rows[0];
    const row = chosen || first;
    view.packetNumber = row ? row.packet.number : null;
    markSelected();
    return row || null;
  }

  function packetTable(hop, found) {
    const table = el('table', 'packets-table');
    table.id = 'packets-table';
    const head = el('tr');
    ['No.', 'Time', 'Direction', 'Flags', 'Seq', 'Ack', 'Len', 'Walk\'s hop'].forEach(name => head.appendChild(el('th', '', name)));
    const thead = el('thead');
    thead.appendChild(head);
    const tbody = el('tbody');
    for (const { packet, step } of found.rows) {
      const tr = el('tr');
      const flags = flagsOf(packet);
      tr.dataset.number = String(packet.number);
      tr.dataset.flags = flags;
      tr.dataset.transport = packet.transport || '';
      tr.dataset.mine = String(found.mine.has(packet.number));
      tr.title = packet.info || '';
      tr.appendChild(el('td', 'num', '#' + packet.number));
      tr.appendChild(el('td', 'num', '+' + (packet.sinceFirstMicros / 1000).toFixed(3) + ' ms'));
      const fromWalk = packet.direction === 'sent';
      tr.appendChild(el('td', 'direction', fromWalk ? 'walk → ' + hop.instance : hop.instance + ' → walk'));
      tr.appendChild(el('td', 'flags', flags));
      const tcp = packet.tcp;
      tr.appendChild(el('td', 'num', tcp ? number(tcp.relativeSequenceNumber, tcp.sequenceNumber) : '–'));
      tr.appendChild(el('td', 'num', tcp ? number(tcp.relativeAcknowledgmentNumber, tcp.acknowledgmentNumber) : '–'));
      tr.appendChild(el('td', 'num', packet.payloadLength));
      tr.appendChild(el('td', 'step', step.protocol + ' ' + step.direction));
      tr.addEventListener('click', () => {
        view.packetNumber = packet.number;
        markSelected();
        drawPacket({ packet, step });
      });
      tbody.appendChild(tr);
    }
    table.append(thead, tbody);
    return table;
  }

  /** "SYN", "SYN, ACK", "PSH, ACK" as Wireshark names them; "UDP" for a datagram. */
  function flagsOf(packet) {
    if (packet.tcp) return (packet.tcp.flags || []).join(', ');
    return packet.udp ? 'UDP' : (packet.transport || '');
  }

  /** The relative number, as Wireshark shows it; the absolute one when the SYN was not captured. */
  function number(relative, absolute) {
    if (relative !== null && relative !== undefined) return String(relative);
    return absolute === null || absolute === undefined ? '–' : String(absolute);
  }

  function markSelected() {
    for (const tr of document.querySelectorAll('#packets-table tbody tr')) {
      tr.classList.toggle('selected', Number(tr.dataset.number) === view.packetNumber);
    }
  }

  /** One packet's headers, outermost first, each tagged with its layer; fields as in the fields view. */
  function drawPacket({ packet, step }) {
    const detail = document.getElementById('packet-detail');
    if (!detail) return;
    detail.dataset.number = String(packet.number);
    const title = el('h4', 'packet-title', '#' + packet.number + '  ' + (packet.source || '?') + ' → '
        + (packet.destination || '?') + '  ' + packet.wireLength + ' bytes on the wire');
    const info = el('p', 'packet-info', packet.info || '');
    const tls = (packet.tls || []).map(record => record.summary + ' at byte ' + record.offset);
    const parts = [title, info];
    if (tls.length) parts.push(el('p', 'packet-info', 'TLS records beginning here: ' + tls.join('; ')));
    const tree = el('div', 'packet-fields');
    tree.id = 'packet-fields';
    tree.setAttribute('aria-label', 'the headers of packet #' + packet.number + ', put under the walk\'s '
        + step.protocol + ' ' + step.direction);
    tree.appendChild(fieldList(packet.layers || [], 0));
    parts.push(tree);
    detail.replaceChildren(...parts);
  }

  // ------------------------------------------------------------------ wiring

  function choose(which) {
    view.shown = which;
    show();
  }

  document.addEventListener('hop-selected', async event => {
    const { trace, hopIndex } = event.detail;
    // another message: show its own first packet; the same one again (the trace was redrawn): keep the choice
    const same = view.trace && view.trace.traceId === trace.traceId && view.hopIndex === hopIndex;
    if (!same) view.packetNumber = null;
    view.trace = trace;
    view.hopIndex = hopIndex;
    show();
    await packetsOf(trace.traceId);
    // the answer may come after the next selection: draw whatever is selected then
    show();
  });

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('view-fields').addEventListener('click', () => choose('fields'));
    document.getElementById('view-packets').addEventListener('click', () => choose('packets'));
  });
})();
