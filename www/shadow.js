// Northwind widgets lab: shadow DOM, CSSOM, adopted stylesheets, audio and error buttons.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };

  // Constructed stylesheets, adopted by the document and by the promo card's shadow root.
  var THEMES = {
    ocean: '.adopted-target { background: #ddf4ff; border-left: 6px solid #1f6feb; }',
    sunset: '.adopted-target { background: #fff1e5; border-left: 6px solid #bc4c00; }'
  };
  var oceanSheet = new CSSStyleSheet();
  oceanSheet.replaceSync(THEMES.ocean);
  var sunsetSheet = new CSSStyleSheet();
  sunsetSheet.replaceSync(THEMES.sunset);
  var activeSheet = oceanSheet;
  document.adoptedStyleSheets = [oceanSheet];

  // (a) Custom element with an open shadow root.
  class PromoCard extends HTMLElement {
    constructor() {
      super();
      var root = this.attachShadow({ mode: 'open' });
      root.innerHTML =
        '<style>' +
        '  :host { display: block; }' +
        '  .promo { border-radius: 8px; padding: 16px; background: linear-gradient(120deg, #1f6feb, #8250df); color: #fff; }' +
        '  h3 { margin: 0 0 6px; font-size: 1.1rem; }' +
        '  p { margin: 0 0 10px; }' +
        '  .adopted-target { color: #1d2433; margin-bottom: 10px; }' +
        '  input { font: inherit; padding: 6px 8px; border-radius: 6px; border: 0; width: 100%; box-sizing: border-box; margin: 4px 0 10px; }' +
        '  button { font: inherit; cursor: pointer; padding: 6px 14px; border-radius: 6px; border: 0; background: #fff; color: #1f6feb; font-weight: 600; }' +
        '</style>' +
        '<div class="promo" part="card">' +
        '  <h3 id="shadow-title">Spring sale</h3>' +
        '  <p id="shadow-text">Get 10% off all homeware this week.</p>' +
        '  <div class="adopted-target" id="shadow-adopted">Styled by the adopted sheet, inside the shadow root.</div>' +
        '  <label for="shadow-input">Email me the code</label>' +
        '  <input id="shadow-input" type="email" placeholder="you@example.com">' +
        '  <button type="button" id="shadow-button">Reveal code</button>' +
        '</div>';
      root.adoptedStyleSheets = [oceanSheet];
      var reveals = 0;
      root.getElementById('shadow-button').addEventListener('click', function () {
        reveals += 1;
        root.getElementById('shadow-text').textContent =
          'Your code is SPRING10 (revealed ' + reveals + (reveals === 1 ? ' time).' : ' times).');
      });
    }
  }
  customElements.define('nw-promo-card', PromoCard);

  // (c) Rules inserted into and deleted from <style id="dynamic-style">.
  var COLORS = ['#ddf4ff', '#dafbe1', '#fff8c5', '#fbefff', '#ffebe9'];
  var inserted = 0;
  var dynamicSheet = $('dynamic-style').sheet;
  function showRuleCount() { $('cssom-rule-count').textContent = 'Rules: ' + dynamicSheet.cssRules.length; }
  $('css-insert-rule').addEventListener('click', function () {
    var color = COLORS[inserted++ % COLORS.length];
    dynamicSheet.insertRule('#cssom-target { background: ' + color + '; border-style: solid; }', dynamicSheet.cssRules.length);
    showRuleCount();
  });
  $('css-delete-rule').addEventListener('click', function () {
    if (dynamicSheet.cssRules.length > 1) dynamicSheet.deleteRule(dynamicSheet.cssRules.length - 1);
    showRuleCount();
  });

  // Adopted sheets: swap which sheet is adopted, or rewrite the adopted sheet in place.
  var promoRoot = $('promo-card').shadowRoot;
  $('adopted-swap').addEventListener('click', function () {
    activeSheet = activeSheet === oceanSheet ? sunsetSheet : oceanSheet;
    document.adoptedStyleSheets = [activeSheet];
    promoRoot.adoptedStyleSheets = [activeSheet];
    $('adopted-status').textContent = 'Theme: ' + (activeSheet === oceanSheet ? 'ocean' : 'sunset');
  });
  var rewrites = 0;
  $('adopted-replace').addEventListener('click', function () {
    rewrites += 1;
    var weight = rewrites % 2 ? 'font-weight: 700;' : 'font-style: italic;';
    var base = activeSheet === oceanSheet ? THEMES.ocean : THEMES.sunset;
    activeSheet.replaceSync(base.replace('}', weight + ' }'));
    $('adopted-status').textContent = 'Rewrote the adopted sheet ' + rewrites + (rewrites === 1 ? ' time' : ' times');
  });

  // (d) Audio with buttons and a log of media events.
  var audio = $('demo-audio');
  var log = $('media-log');
  ['play', 'pause', 'seeked', 'volumechange', 'ratechange', 'ended'].forEach(function (type) {
    audio.addEventListener(type, function () {
      var li = document.createElement('li');
      li.textContent = type + ' at ' + audio.currentTime.toFixed(2) + ' s';
      log.appendChild(li);
      while (log.children.length > 6) log.removeChild(log.firstChild);
    });
  });
  $('audio-play').addEventListener('click', function () {
    var p = audio.play();
    if (p && p.catch) p.catch(function () { /* playback refused: nothing to do */ });
  });
  $('audio-pause').addEventListener('click', function () { audio.pause(); });
  $('audio-seek').addEventListener('click', function () { audio.currentTime = 0.5; });
  $('audio-mute').addEventListener('click', function () {
    audio.muted = !audio.muted;
    this.textContent = audio.muted ? 'Unmute' : 'Mute';
  });
  $('audio-rate').addEventListener('click', function () {
    audio.playbackRate = audio.playbackRate === 1 ? 1.5 : 1;
    this.textContent = audio.playbackRate === 1 ? 'Speed 1.5×' : 'Speed 1×';
  });

  // (f) Deliberate errors, only on click.
  $('throw-error').addEventListener('click', function () {
    setTimeout(function () { throw new Error('demo error'); }, 0);
  });
  $('reject-promise').addEventListener('click', function () {
    Promise.reject(new Error('demo rejection'));
  });
})();
