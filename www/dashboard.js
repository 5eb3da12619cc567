// Northwind dashboard: a 200-row table that churns every 250 ms.
// URL options: ?seed=N (deterministic data and updates), ?paused=1 (start paused).
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var seedParam = parseInt(params.get('seed'), 10);
  var seed = isNaN(seedParam) ? (Date.now() % 100000) : seedParam;

  // mulberry32: small deterministic PRNG.
  var state = seed >>> 0;
  function rand() {
    state = (state + 0x6D2B79F5) >>> 0;
    var t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  function pick(list) { return list[Math.floor(rand() * list.length)]; }
  function int(lo, hi) { return lo + Math.floor(rand() * (hi - lo + 1)); }

  var FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elif', 'Farah', 'Goran', 'Hana', 'Ivan', 'Jun',
               'Kofi', 'Lena', 'Mateo', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq'];
  var LAST = ['Archer', 'Byrne', 'Castillo', 'Dubois', 'Eze', 'Fischer', 'Gupta', 'Hale',
              'Ito', 'Jensen', 'Kowalski', 'Larsen', 'Moreau', 'Novak', 'Okafor', 'Patel'];
  var WAREHOUSES = ['Portsmouth', 'Leeds', 'Glasgow', 'Dublin', 'Rotterdam', 'Lyon'];
  var STATUSES = ['paid', 'packed', 'shipped', 'delayed'];
  var ROWS = 200;
  var TICK_MS = 250;
  var CELLS_PER_TICK = 20;

  var body = document.getElementById('orders-body');
  var pauseButton = document.getElementById('pause-updates');
  var nextOrder = 20001;
  var ticks = 0;
  var timer = null;

  function setStatus(cell, status) {
    var span = cell.firstChild;
    if (!span) { span = document.createElement('span'); cell.appendChild(span); }
    span.className = 'status status-' + status;
    span.textContent = status;
  }

  function makeRow() {
    var tr = document.createElement('tr');
    var id = 'NW-' + (nextOrder++);
    tr.dataset.order = id;
    var values = [id, pick(FIRST) + ' ' + pick(LAST), pick(WAREHOUSES), null, String(int(1, 12)), null];
    for (var c = 0; c < 6; c++) {
      var td = document.createElement('td');
      if (c === 3) setStatus(td, pick(STATUSES));
      else if (c === 5) td.textContent = '£' + (int(500, 25000) / 100).toFixed(2);
      else td.textContent = values[c];
      if (c >= 4) td.className = 'num';
      tr.appendChild(td);
    }
    return tr;
  }

  function updateStats() {
    var rows = body.rows;
    var revenue = 0, delayed = 0;
    for (var i = 0; i < rows.length; i++) {
      revenue += parseFloat(rows[i].cells[5].textContent.slice(1));
      if (rows[i].cells[3].textContent === 'delayed') delayed++;
    }
    document.getElementById('stat-orders').textContent = String(nextOrder - 20001);
    document.getElementById('stat-revenue').textContent = '£' + Math.round(revenue).toLocaleString('en-GB');
    document.getElementById('stat-delayed').textContent = String(delayed);
    document.getElementById('stat-updates').textContent = String(ticks);
    document.getElementById('row-count').textContent = String(rows.length);
  }

  function tick() {
    ticks++;
    var rows = body.rows;
    // Change ~20 random cells: status, items or amount.
    for (var n = 0; n < CELLS_PER_TICK; n++) {
      var row = rows[Math.floor(rand() * rows.length)];
      var col = pick([3, 4, 5]);
      var cell = row.cells[col];
      if (col === 3) setStatus(cell, pick(STATUSES));
      else if (col === 4) cell.textContent = String(int(1, 12));
      else cell.textContent = '£' + (int(500, 25000) / 100).toFixed(2);
    }
    // Toggle a highlight class on a few rows.
    for (var k = 0; k < 3; k++) {
      rows[Math.floor(rand() * rows.length)].classList.toggle('attention');
    }
    // Every 8 ticks add a fresh order on top; 4 ticks later drop the oldest one.
    if (ticks % 8 === 4) {
      var fresh = makeRow();
      fresh.classList.add('fresh');
      body.insertBefore(fresh, body.firstChild);
    } else if (ticks % 8 === 0) {
      var fresh2 = body.querySelector('tr.fresh');
      if (fresh2) fresh2.classList.remove('fresh');
      body.removeChild(body.lastElementChild);
    }
    updateStats();
  }

  function showState() {
    var paused = timer === null;
    var live = document.getElementById('live-indicator');
    pauseButton.textContent = paused ? 'Resume updates' : 'Pause updates';
    pauseButton.setAttribute('aria-pressed', String(paused));
    live.textContent = paused ? 'Paused' : 'Live';
    live.classList.toggle('on', !paused);
  }
  function pause() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    showState();
  }
  function resume() {
    if (timer === null) timer = setInterval(tick, TICK_MS);
    showState();
  }

  var frag = document.createDocumentFragment();
  for (var i = 0; i < ROWS; i++) frag.appendChild(makeRow());
  body.appendChild(frag);
  document.getElementById('seed-value').textContent = String(seed);
  updateStats();

  pauseButton.addEventListener('click', function () { if (timer === null) resume(); else pause(); });
  if (params.get('paused') === '1') pause(); else resume();

  // Hook for tests and the console.
  window.northwindDashboard = { pause: pause, resume: resume, tick: tick, seed: seed,
                                isPaused: function () { return timer === null; } };
})();
