// Northwind mutation storm: a deliberately pathological widget for the recorder's circuit breaker.
// URL options: ?autostart=1 (start on load), ?rate=N (cells changed per frame), ?seconds=N (stop by itself).
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var params = new URLSearchParams(location.search);
  var CELLS = 2500;   // 50 × 50 grid

  var grid = $('storm-grid');
  var cells = [];
  var frag = document.createDocumentFragment();
  for (var i = 0; i < CELLS; i++) {
    var span = document.createElement('span');
    span.setAttribute('data-heat', '0');
    span.appendChild(document.createTextNode(String(i % 100)));
    cells.push(span);
    frag.appendChild(span);
  }
  grid.appendChild(frag);

  var rate = parseInt(params.get('rate'), 10);
  if (rate > 0) {
    var opt = document.createElement('option');
    opt.value = String(rate);
    opt.textContent = rate.toLocaleString('en-GB');
    $('storm-rate').appendChild(opt);
    $('storm-rate').value = String(rate);
  }

  var frame = 0, mutations = 0, offset = 0;
  var raf = null, stopTimer = null;

  function step() {
    var n = Number($('storm-rate').value);
    frame += 1;
    for (var k = 0; k < n; k++) {
      var cell = cells[(offset + k) % CELLS];
      cell.setAttribute('data-heat', String((frame + k) % 5));   // attribute change
      cell.firstChild.data = String((frame * 7 + k) % 100);        // text change
    }
    offset = (offset + n) % CELLS;
    mutations += 2 * n;
    $('storm-frames').textContent = String(frame);
    $('storm-mutations').textContent = mutations.toLocaleString('en-GB');
    raf = requestAnimationFrame(step);
  }

  function start() {
    if (raf !== null) return;
    raf = requestAnimationFrame(step);
    $('storm-start').disabled = true;
    $('storm-stop').disabled = false;
    $('storm-status').textContent = 'Running';
    var seconds = Number(params.get('seconds'));
    if (seconds > 0) stopTimer = setTimeout(stop, seconds * 1000);
  }
  function stop() {
    if (raf !== null) cancelAnimationFrame(raf);
    raf = null;
    clearTimeout(stopTimer);
    $('storm-start').disabled = false;
    $('storm-stop').disabled = true;
    $('storm-status').textContent = 'Stopped';
  }

  $('storm-start').addEventListener('click', start);
  $('storm-stop').addEventListener('click', stop);
  window.northwindStorm = { start: start, stop: stop, isRunning: function () { return raf !== null; },
                            stats: function () { return { frames: frame, mutations: mutations }; } };
  if (params.get('autostart') === '1') start();
})();
