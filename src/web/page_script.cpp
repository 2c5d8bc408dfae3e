#include "web/page_assets.hpp"

namespace serentak::web {

// The dashboard's script. Every text from the server (names, groups, messages, conditions, values
// seen) goes into the page with textContent or createTextNode, never as markup, so a hostile
// endpoint name is shown, not run. Only the visible rows exist in the DOM (fixed-height rows in a
// scrolled list), so 10,000 endpoints cost ~30 row elements. The API's "view" picks what is drawn:
// "table" (that list), "pizza_board" (orders in a column per status) or "weather_tiles" (a tile per
// city); the last two draw every matching item and read the item's "fields", never its message.
std::string_view page_script() {
  return R"js('use strict';
(function () {
  const LABELS = {
    en: { up: 'up', degraded: 'degraded', down: 'down', unknown: 'unknown', search: 'Search name, group or message',
          allGroups: 'All groups', live: 'live', connecting: 'connecting…', lost: 'reconnecting…',
          noCheck: 'no check yet', shown: 'shown', seen: 'seen', changed: 'changed', ago: 'ago', none: 'No endpoint matches.',
          noStatus: 'not found or failed', eta: 'ETA', humidity: 'humidity' },
    id: { up: 'normal', degraded: 'menurun', down: 'mati', unknown: 'belum diketahui', search: 'Cari nama, grup, atau pesan',
          allGroups: 'Semua grup', live: 'langsung', connecting: 'menghubungkan…', lost: 'menyambung ulang…',
          noCheck: 'belum ada pemeriksaan', shown: 'ditampilkan', seen: 'terlihat', changed: 'berubah', ago: 'lalu', none: 'Tidak ada endpoint yang cocok.',
          noStatus: 'tidak ditemukan atau gagal', eta: 'perkiraan tiba', humidity: 'kelembapan' }
  };
  const L = LABELS[document.documentElement.lang] || LABELS.en;
  const ROW_HEIGHT = 72;
  const OVERSCAN = 6;
  const RANK = { down: 0, degraded: 1, unknown: 2, up: 3 };
  const SVG = 'http://www.w3.org/2000/svg';
  const PIZZA_ORDER = ['Preparing', 'Baking', 'Out for Delivery', 'Delivered'];  // the seed's kitchen, in order

  const token = new URLSearchParams(window.location.search).get('token');
  function withToken(path) {
    return token ? path + (path.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(token) : path;
  }

  const byName = new Map();
  let ordered = [];
  let groupsKnown = new Set();
  let scheduled = false;
  let view = 'table';  // from the API: table, pizza_board or weather_tiles

  const list = document.getElementById('list');
  const rows = document.getElementById('rows');
  const spacer = document.getElementById('spacer');
  const search = document.getElementById('search');
  const groupSelect = document.getElementById('group');
  const conn = document.getElementById('conn');
  const shown = document.getElementById('shown');
  const board = document.getElementById('board');

  for (const el of document.querySelectorAll('[data-label]')) el.textContent = L[el.getAttribute('data-label')] || '';
  search.placeholder = L.search;
  conn.textContent = L.connecting;
  setGroups();

  function text(tag, cls, value) {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value == null ? '' : String(value);
    return el;
  }

  function percent(share) {
    return share == null ? '–' : (Math.floor(share * 10000) / 100).toFixed(2) + '%';
  }

  function since(ms) {
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 90) return s + 's';
    if (s < 5400) return Math.round(s / 60) + 'm';
    if (s < 129600) return Math.round(s / 3600) + 'h';
    return Math.round(s / 86400) + 'd';
  }

  function stateOf(e) { return Object.prototype.hasOwnProperty.call(RANK, e.state) ? e.state : 'unknown'; }

  function setGroups() {
    const current = groupSelect.value;
    while (groupSelect.firstChild) groupSelect.removeChild(groupSelect.firstChild);
    const all = document.createElement('option');
    all.value = '';
    all.textContent = L.allGroups;
    groupSelect.appendChild(all);
    for (const g of Array.from(groupsKnown).sort()) {
      const o = document.createElement('option');
      o.value = g;
      o.textContent = g;
      groupSelect.appendChild(o);
    }
    groupSelect.value = groupsKnown.has(current) ? current : '';
  }

  function sparkline(values) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 130 36');
    svg.setAttribute('preserveAspectRatio', 'none');
    if (values.length > 1) {
      const max = Math.max.apply(null, values) || 1;
      const step = 130 / (values.length - 1);
      const points = values.map(function (v, i) {
        const y = 34 - (Math.max(0, Number(v) || 0) / max) * 32;
        return (i * step).toFixed(1) + ',' + y.toFixed(1);
      });
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', points.join(' '));
      svg.appendChild(line);
    }
    return svg;
  }

  function rowFor(e, index) {
    const state = stateOf(e);
    const row = document.createElement('div');
    row.className = 'row state-' + state;
    row.setAttribute('data-name', e.name);
    row.setAttribute('data-state', state);
    row.style.top = (index * ROW_HEIGHT) + 'px';

    const pillCell = document.createElement('div');
    pillCell.appendChild(text('span', 'pill', L[state]));
    row.appendChild(pillCell);

    const who = document.createElement('div');
    who.appendChild(text('div', 'name', e.name));
    who.appendChild(text('div', 'group', e.group));
    row.appendChild(who);

    const what = document.createElement('div');
    const latency = e.latency_ms == null ? '' : ' (' + Number(e.latency_ms).toFixed(1) + ' ms)';
    what.appendChild(text('div', 'message', e.checks ? e.message + latency : L.noCheck));
    if (Array.isArray(e.failing) && e.failing.length) {
      const parts = e.failing.map(function (f) { return f.condition + ' — ' + L.seen + ': ' + f.seen; });
      what.appendChild(text('div', 'failing', parts.join('; ')));
    }
    if (Array.isArray(e.changes) && e.changes.length) {
      const c = e.changes[e.changes.length - 1];
      what.appendChild(text('div', 'change', L.changed + ' ' + (L[c.from] || c.from) + ' → ' + (L[c.to] || c.to) + ', ' + since(c.at_ms) + ' ' + L.ago));
    }
    row.appendChild(what);

    row.appendChild(sparkline(Array.isArray(e.sparkline) ? e.sparkline : []));

    const up = e.uptime || {};
    const uptime = document.createElement('div');
    uptime.className = 'uptime';
    uptime.appendChild(text('div', '', '24h ' + percent(up['24h'])));
    uptime.appendChild(text('div', '', '7d ' + percent(up['7d'])));
    uptime.appendChild(text('div', '', '30d ' + percent(up['30d'])));
    row.appendChild(uptime);
    return row;
  }

  function matches(e, needle, group) {
    if (group && e.group !== group) return false;
    if (!needle) return true;
    return String(e.name).toLowerCase().indexOf(needle) >= 0 || String(e.group).toLowerCase().indexOf(needle) >= 0 ||
      String(e.message).toLowerCase().indexOf(needle) >= 0;
  }

  function reorder() {
    const counts = { up: 0, degraded: 0, down: 0, unknown: 0 };
    const needle = search.value.trim().toLowerCase();
    const group = groupSelect.value;
    ordered = [];
    for (const e of byName.values()) {
      counts[stateOf(e)] += 1;
      if (matches(e, needle, group)) ordered.push(e);
    }
    ordered.sort(function (a, b) {
      const r = RANK[stateOf(a)] - RANK[stateOf(b)];
      return r !== 0 ? r : (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    for (const k of Object.keys(counts)) document.getElementById('count-' + k).textContent = String(counts[k]);
    shown.textContent = ordered.length + ' / ' + byName.size + ' ' + L.shown;
    spacer.style.height = (ordered.length * ROW_HEIGHT) + 'px';
  }

  // A class name from server text: only [a-z0-9-] survive, so it can name a colour, nothing else.
  function slug(value) {
    return String(value).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'other';
  }

  function field(e, name) {
    const f = e.fields;
    return f && typeof f === 'object' && f[name] != null ? f[name] : null;
  }

  function pill(e) { return text('span', 'pill', L[stateOf(e)]); }

  // A card or tile for e: its state as a class, its name (as text) and state pill at the top.
  function itemBox(kind, e) {
    const box = document.createElement('div');
    box.className = kind + ' state-' + stateOf(e);
    box.setAttribute('data-name', e.name);
    const head = document.createElement('div');
    head.className = 'card-head';
    head.appendChild(text('span', 'name', e.name));
    head.appendChild(pill(e));
    box.appendChild(head);
    return box;
  }

  function orderCard(e) {
    const card = itemBox('card', e);
    if (field(e, 'customer') != null) card.appendChild(text('div', 'customer', field(e, 'customer')));
    if (field(e, 'estimated_delivery') != null) card.appendChild(text('div', 'eta', L.eta + ' ' + field(e, 'estimated_delivery')));
    card.appendChild(text('div', 'message', e.checks ? e.message : L.noCheck));
    return card;
  }

  // Orders grouped by their status field, the seed's kitchen order first; items without one
  // (not found, failed) in a last column.
  function paintPizza(fragment) {
    const columns = new Map();
    for (const e of ordered) {
      const status = field(e, 'status');
      const key = status == null ? '' : String(status);
      if (!columns.has(key)) columns.set(key, []);
      columns.get(key).push(e);
    }
    const keys = Array.from(columns.keys()).filter(function (k) { return k !== ''; });
    keys.sort(function (a, b) {
      const ia = PIZZA_ORDER.indexOf(a) < 0 ? PIZZA_ORDER.length : PIZZA_ORDER.indexOf(a);
      const ib = PIZZA_ORDER.indexOf(b) < 0 ? PIZZA_ORDER.length : PIZZA_ORDER.indexOf(b);
      return ia !== ib ? ia - ib : (a < b ? -1 : a > b ? 1 : 0);
    });
    if (columns.has('')) keys.push('');
    for (const key of keys) {
      const column = document.createElement('section');
      column.className = 'column status-' + (key === '' ? 'none' : slug(key));
      column.setAttribute('data-status', key);
      const title = document.createElement('h2');
      title.appendChild(text('span', 'status', key === '' ? L.noStatus : key));
      title.appendChild(text('span', 'num', columns.get(key).length));
      column.appendChild(title);
      for (const e of columns.get(key)) column.appendChild(orderCard(e));
      fragment.appendChild(column);
    }
  }

  function cityTile(e) {
    const tile = itemBox('tile', e);
    const temp = field(e, 'temp_c');
    if (temp != null) tile.appendChild(text('div', 'temp', temp + ' °C'));
    if (field(e, 'condition') != null) tile.appendChild(text('div', 'condition', field(e, 'condition')));
    if (field(e, 'humidity') != null) tile.appendChild(text('div', 'humidity', L.humidity + ' ' + field(e, 'humidity')));
    if (stateOf(e) !== 'up') tile.appendChild(text('div', 'message', e.checks ? e.message : L.noCheck));
    tile.appendChild(sparkline(Array.isArray(e.sparkline) ? e.sparkline : []));
    return tile;
  }

  function paintBoard() {
    const fragment = document.createDocumentFragment();
    if (view === 'pizza_board') {
      board.className = 'board pizza';
      paintPizza(fragment);
    } else {
      board.className = 'board tiles';
      const byNameOrder = ordered.slice().sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; });
      for (const e of byNameOrder) fragment.appendChild(cityTile(e));
    }
    if (ordered.length === 0 && byName.size > 0) fragment.appendChild(text('div', 'empty', L.none));
    while (board.firstChild) board.removeChild(board.firstChild);
    board.appendChild(fragment);
  }

  function paint() {
    scheduled = false;
    reorder();
    const boardView = view === 'pizza_board' || view === 'weather_tiles';
    list.hidden = boardView;
    board.hidden = !boardView;
    if (boardView) {
      paintBoard();
      return;
    }
    const first = Math.max(0, Math.floor(list.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(ordered.length, Math.ceil((list.scrollTop + list.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i += 1) fragment.appendChild(rowFor(ordered[i], i));
    if (ordered.length === 0 && byName.size > 0) fragment.appendChild(text('div', 'empty', L.none));
    while (rows.firstChild) rows.removeChild(rows.firstChild);
    rows.appendChild(fragment);
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    window.requestAnimationFrame(paint);
  }

  function take(data, replace) {
    const list = data.endpoints;
    if (typeof data.view === 'string') view = data.view;
    if (replace) byName.clear();
    let newGroup = false;
    for (const e of list) {
      if (!e || typeof e.name !== 'string') continue;
      byName.set(e.name, e);
      if (e.group && !groupsKnown.has(e.group)) { groupsKnown.add(e.group); newGroup = true; }
    }
    if (newGroup) setGroups();
    schedule();
  }

  function parse(ev) {
    try { return JSON.parse(ev.data); } catch (err) { return null; }
  }

  const source = new EventSource(withToken('/events'));
  source.addEventListener('snapshot', function (ev) {
    const data = parse(ev);
    if (data && Array.isArray(data.endpoints)) take(data, true);
  });
  source.addEventListener('delta', function (ev) {
    const data = parse(ev);
    if (data && Array.isArray(data.endpoints)) take(data, false);
  });
  source.onopen = function () { conn.textContent = L.live; conn.className = 'conn live'; };
  source.onerror = function () { conn.textContent = L.lost; conn.className = 'conn lost'; };

  list.addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', schedule);
  search.addEventListener('input', schedule);
  groupSelect.addEventListener('change', schedule);
  window.setInterval(schedule, 30000);  // keeps "changed 5m ago" current
})();
)js";
}

}  // namespace serentak::web
