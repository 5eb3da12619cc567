// Northwind live feed: appends batches of entries and drops the oldest, forever. A page
// whose DOM keeps turning over is where a recorder that never forgets nodes leaks; the
// recorder benchmark runs it for minutes and samples memory. window.northwindFeed
// exposes start(), stop() and `added` (entries appended so far).
(function () {
  'use strict';
  var KEEP = 100;
  var PER_TICK = 10;
  var TICK_MS = 100;
  var people = ['Ana', 'Bo', 'Chen', 'Dara', 'Eli', 'Fatma', 'Goran', 'Hana'];
  var actions = ['scanned parcel', 'packed order', 'printed label', 'loaded truck', 'checked stock'];
  var feed = document.getElementById('feed');
  var count = document.getElementById('feed-count');
  var timer = null;
  var state = { added: 0, start: start, stop: stop };
  window.northwindFeed = state;

  function entry(n) {
    var li = document.createElement('li');
    li.dataset.entry = String(n);
    var who = document.createElement('span');
    who.className = 'who';
    who.textContent = people[n % people.length];
    var what = document.createElement('span');
    what.textContent = actions[n % actions.length] + ' #' + (100000 + n);
    var when = document.createElement('span');
    when.className = 'when';
    when.textContent = new Date().toISOString().slice(11, 19);
    li.append(who, what, when);
    return li;
  }

  function tick() {
    for (var i = 0; i < PER_TICK; i++) {
      feed.insertBefore(entry(state.added++), feed.firstChild);
    }
    while (feed.children.length > KEEP) feed.lastElementChild.remove();
    count.textContent = String(state.added);
  }

  function start() {
    if (timer === null) timer = setInterval(tick, TICK_MS);
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  document.getElementById('feed-start').addEventListener('click', start);
  document.getElementById('feed-stop').addEventListener('click', stop);
})();
