/*! Affidavit loader: <script src="https://HOST/affidavit.js" data-key="KEY" async></script>
 *
 * Optional attributes: data-endpoint (defaults to where this file came from),
 * data-console="true" (record console calls). A page may also set
 * window.affidavitOptions = {privacy: {...}, batching: {...}, ...} before this runs;
 * its fields win over the attributes.
 *
 * Loads the ES module next to this file and starts recording. window.affidavit is the
 * Recorder; window.affidavitReady resolves to it (or to null when recording could not
 * start). Never throws into the page: any failure is one console.warn. */
(function () {
  'use strict';
  var warned = false;
  function warn(e) {
    if (warned) return;
    warned = true;
    try { console.warn('[affidavit]', (e && e.message) || String(e)); } catch (_) { /* no console */ }
  }
  var settle = function () {};
  try {
    // A second copy of the snippet must not start a second recorder (or replace the
    // promise the page already holds).
    if (window.affidavitReady) throw new Error('already loaded (is the snippet on the page twice?)');
    window.affidavitReady = new Promise(function (resolve) { settle = resolve; });
    // currentScript is null once an async script has been detached or re-run; the
    // attribute query finds the tag anyway.
    var script = document.currentScript ||
      document.querySelector('script[src*="affidavit.js"][data-key]');
    if (!script || !script.src) throw new Error('cannot find the <script src=".../affidavit.js"> tag');
    var base = new URL('.', script.src);
    var data = script.dataset;
    var page = window.affidavitOptions || {};
    var options = {
      key: data.key,
      endpoint: data.endpoint || base.href.replace(/\/$/, ''),
    };
    if (data.console === 'true') options.capture = { console: true };
    // One level deep, so a page's {capture: {...}} keeps the attributes' capture keys.
    for (var k in page) {
      if (!Object.prototype.hasOwnProperty.call(page, k)) continue;
      var v = page[k];
      options[k] = v && typeof v === 'object' && !Array.isArray(v) && options[k]
        ? Object.assign({}, options[k], v)
        : v;
    }
    import(new URL('recorder/affidavit.mjs', base).href)
      .then(function (m) { return m.start(options); })
      .then(function (recorder) {
        window.affidavit = recorder;
        settle(recorder);
      }, function (e) {
        warn(e);
        settle(null);
      });
  } catch (e) {
    warn(e);
    settle(null);
  }
})();
