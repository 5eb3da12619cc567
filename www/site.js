// Northwind demo site: shared script. Shows whether the Affidavit recorder started
// (window.affidavitReady resolves to the Recorder, or to null when it could not start).
(function () {
  'use strict';
  function show(on) {
    var el = document.getElementById('recorder-status');
    if (!el) return;
    el.textContent = on ? 'Recording with Affidavit' : 'Recorder not loaded';
    el.classList.toggle('on', on);
  }
  var tries = 0;
  function check() {
    var ready = window.affidavitReady;
    if (ready && typeof ready.then === 'function') {
      ready.then(function (recorder) { show(!!recorder); }, function () { show(false); });
    } else if (++tries < 10) {
      setTimeout(check, 500);
    } else {
      show(false);
    }
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', check);
  } else {
    check();
  }
})();
