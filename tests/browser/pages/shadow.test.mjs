// shadow.html through the real recorder and server: the open shadow root and the
// same-origin iframe are in the snapshot and their changes are recorded as mutations
// inside them; CSSOM rule changes, adopted stylesheets, audio playback, uncaught errors
// and an element scroll each arrive as their own event kinds with the right targets.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser, waitFor, watchConsole } from '../harness.mjs';
import {
  INTERACTION, MEDIA, NODE, RULE, Replica, SHEET, assertContiguous, assertInOrder, assertQuietConsole,
  assertStartsWithKeyframe, flushAndRead, ofKind, openRecorded,
} from './replay.mjs';

let server;
let browser;

useServerAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

// The two error buttons log these on purpose; nothing else may reach the console.
const DELIBERATE = [/demo error/, /demo rejection/];

/** Opens shadow.html with the recorder running and the frame loaded. */
async function openShadow() {
  const url = `${server.base}/demo/shadow.html`;
  const opened = await openRecorded(browser, url);
  await opened.page.frameLocator('#demo-frame').locator('#frame-button').waitFor();
  return { url, ...opened };
}

test('shadow: the snapshot holds the shadow root and the frame document, and changes inside them are mutations there', async () => {
  const { url, page, problems, sessionId } = await openShadow();

  await page.click('#shadow-button'); // inside the open shadow root
  await page.waitForFunction(() => document.getElementById('promo-card').shadowRoot
    .getElementById('shadow-text').textContent.includes('revealed 1 time'));
  const frame = page.frameLocator('#demo-frame');
  await frame.locator('#frame-button').click(); // inside the iframe
  await frame.locator('#frame-messages li').waitFor();

  const { batches, events } = await flushAndRead(page, server, sessionId, (evs) =>
    evs.some((e) => e.kind === 'mutation' && e.data.texts.some((t) => t.text.includes('1 message sent'))));
  assertContiguous(batches);
  assertStartsWithKeyframe(events, url);

  // The snapshot: a shadow root as the promo card's first child, holding the card's
  // content; a document as the iframe's only child, holding frame.html.
  const snapshot = new Replica(events[1].data);
  const card = snapshot.byId('promo-card');
  const shadowRoot = snapshot.get(card.children[0]);
  assert.equal(shadowRoot.kind, NODE.shadow_root, 'the shadow root is the host\'s first child');
  const shadowText = snapshot.byId('shadow-text', shadowRoot.id);
  assert.equal(snapshot.text(shadowText.id), 'Get 10% off all homeware this week.');
  assert.ok(snapshot.byId('shadow-button', shadowRoot.id));
  const iframe = snapshot.byId('demo-frame');
  assert.equal(iframe.children.length, 1);
  const frameDoc = snapshot.get(iframe.children[0]);
  assert.equal(frameDoc.kind, NODE.document, 'the frame document is the iframe\'s only child');
  const frameText = snapshot.byId('frame-text', frameDoc.id);
  const frameMessages = snapshot.byId('frame-messages', frameDoc.id);
  assert.ok(snapshot.byId('frame-button', frameDoc.id));

  // The shadow button: its click, then a text change on #shadow-text's node.
  const shadowTextNode = shadowText.children[0];
  assertInOrder(events, [
    ['a click inside the shadow root', (e) => e.kind === 'mouse_interaction' && e.data.kind === INTERACTION.click
      && snapshot.has(e.data.target) && snapshot.isWithin(e.data.target, shadowRoot.id)],
    ['the shadow text changed', (e) => e.kind === 'mutation' && e.data.texts.some((t) => t.id === shadowTextNode
      && t.text === 'Your code is SPRING10 (revealed 1 time).')],
    ['a click inside the frame', (e) => e.kind === 'mouse_interaction' && e.data.kind === INTERACTION.click
      && snapshot.has(e.data.target) && snapshot.isWithin(e.data.target, frameDoc.id)],
    ['the frame document mutated', (e) => e.kind === 'mutation'
      && e.data.adds.some((a) => a.parent === frameMessages.id)
      && e.data.texts.some((t) => t.id === frameText.children[0] && t.text === '1 message sent. Thanks, we are on it.')],
  ]);

  // The replay ends with both changes in place, inside the shadow root and the frame.
  const replay = Replica.fromEvents(events);
  assert.equal(replay.text(replay.byId('shadow-text', shadowRoot.id).id), 'Your code is SPRING10 (revealed 1 time).');
  const message = replay.findAll((n) => n.kind === NODE.element && n.tag === 'li', frameMessages.id);
  assert.equal(message.length, 1);
  assert.equal(replay.text(message[0].id), 'Message 1 sent — an agent will reply shortly.');

  assertQuietConsole(problems);
  await page.close();
});

test('shadow: insertRule/deleteRule, adopted stylesheets (set, swapped, rewritten) are recorded against the right sheets and roots', async () => {
  const { page, problems, sessionId } = await openShadow();

  await page.click('#css-insert-rule');
  await page.click('#css-insert-rule');
  await page.click('#css-delete-rule');
  await page.waitForFunction(() => document.getElementById('cssom-rule-count').textContent === 'Rules: 2');
  await page.click('#adopted-swap');
  await page.waitForFunction(() => document.getElementById('adopted-status').textContent === 'Theme: sunset');
  await page.click('#adopted-replace');
  await page.waitForFunction(() => document.getElementById('adopted-status').textContent.startsWith('Rewrote'));

  const { batches, events } = await flushAndRead(page, server, sessionId, (evs) =>
    ofKind(evs, 'style_sheet_rule').some((e) => e.data.sheet[0] === SHEET.constructed));
  assertContiguous(batches);
  const snapshot = new Replica(events[1].data);
  const dynamicStyle = snapshot.byId('dynamic-style').id;
  const shadowRoot = snapshot.byId('promo-card').children[0];
  const documentId = snapshot.root.id;

  // insertRule twice at the end (index 1, then 2), deleteRule of the last (index 2).
  const rules = ofKind(events, 'style_sheet_rule').filter((e) => e.data.sheet[0] === SHEET.node);
  assert.deepEqual(rules.map((e) => e.data.sheet), [[SHEET.node, dynamicStyle], [SHEET.node, dynamicStyle], [SHEET.node, dynamicStyle]]);
  assert.deepEqual(rules.map((e) => e.data.change[0]), [RULE.insert, RULE.insert, RULE.delete]);
  assert.deepEqual(rules[0].data.change[1].index, [1]);
  assert.match(rules[0].data.change[1].rule, /^#cssom-target \{ background: (rgb\(221, 244, 255\)|#ddf4ff); border-style: solid; \}$/);
  assert.deepEqual(rules[1].data.change[1].index, [2]);
  assert.deepEqual(rules[2].data.change[1], [2]);

  // Adopted sheets: the document and the shadow root each adopt the ocean sheet at load
  // (its rules sent once), then both get the sunset sheet on swap.
  const adopted = ofKind(events, 'adopted_style_sheets');
  const forDoc = adopted.filter((e) => e.data.target === documentId);
  const forRoot = adopted.filter((e) => e.data.target === shadowRoot);
  assert.ok(forDoc.length >= 2, `the document's list is sent at start and on swap (${forDoc.length})`);
  assert.ok(forRoot.length >= 2, `the shadow root's list is sent at start and on swap (${forRoot.length})`);
  assert.equal(adopted.length, forDoc.length + forRoot.length, 'adopted sheets only for the document and the shadow root');
  const ocean = forDoc[0].data.style_ids;
  assert.equal(ocean.length, 1);
  assert.deepEqual(forRoot[0].data.style_ids, ocean, 'both adopt the same sheet at load');
  const sent = adopted.flatMap((e) => e.data.new_sheets);
  const oceanRules = sent.find((s) => s.style_id === ocean[0]).rules;
  assert.equal(oceanRules.length, 1);
  assert.match(oceanRules[0], /^\.adopted-target \{ background: (rgb\(221, 244, 255\)|#ddf4ff); border-left: 6px solid (rgb\(31, 111, 235\)|#1f6feb); \}$/);
  const sunset = forDoc[forDoc.length - 1].data.style_ids;
  assert.equal(sunset.length, 1);
  assert.notEqual(sunset[0], ocean[0], 'the swap adopts another sheet');
  assert.deepEqual(forRoot[forRoot.length - 1].data.style_ids, sunset);
  assert.ok(sent.some((s) => s.style_id === sunset[0] && /background: (rgb\(255, 241, 229\)|#fff1e5)/.test(s.rules[0])),
    'the sunset sheet\'s rules are sent');
  assert.equal(sent.filter((s) => s.style_id === sunset[0]).length, 1, 'each sheet is sent once');

  // Rewriting the adopted (sunset) sheet: its one rule deleted, the new one inserted.
  const rewrite = ofKind(events, 'style_sheet_rule').filter((e) => e.data.sheet[0] === SHEET.constructed);
  assert.deepEqual(rewrite.map((e) => e.data.sheet[1]), [sunset[0], sunset[0]]);
  assert.deepEqual(rewrite[0].data.change, [RULE.delete, [0]]);
  assert.equal(rewrite[1].data.change[0], RULE.insert);
  assert.deepEqual(rewrite[1].data.change[1].index, [0]);
  assert.match(rewrite[1].data.change[1].rule, /font-weight: 700/);

  // In the order they were made.
  assertInOrder(events, [
    ['insert', (e) => e.kind === 'style_sheet_rule' && e.data.change[0] === RULE.insert],
    ['delete', (e) => e.kind === 'style_sheet_rule' && e.data.change[0] === RULE.delete],
    ['swap', (e) => e.kind === 'adopted_style_sheets' && e.data.style_ids[0] === sunset[0]],
    ['rewrite', (e) => e.kind === 'style_sheet_rule' && e.data.sheet[0] === SHEET.constructed],
  ]);

  assertQuietConsole(problems);
  await page.close();
});

test('shadow: audio play and pause are media interactions, the error buttons are error events, and the scroll box scroll targets it', async () => {
  const { page, problems, sessionId } = await openShadow();

  await page.click('#audio-play');
  await page.waitForFunction(() => !document.getElementById('demo-audio').paused);
  await page.click('#audio-pause');
  await page.waitForFunction(() => document.getElementById('demo-audio').paused);
  await page.click('#audio-seek');
  await page.waitForFunction(() => document.getElementById('media-log').textContent.includes('seeked'));

  await page.click('#throw-error');
  await page.click('#reject-promise');
  await waitFor(() => problems.filter((p) => p.startsWith('uncaught:')).length >= 2, { message: 'both errors to reach the page' });

  await page.locator('#scroll-box').evaluate((box) => box.scrollTo(40, 300));

  const { batches, events } = await flushAndRead(page, server, sessionId, (evs) =>
    ofKind(evs, 'error').length >= 2
    && ofKind(evs, 'scroll').some((e) => e.data.y === 300));
  assertContiguous(batches);
  const snapshot = new Replica(events[1].data);
  const audio = snapshot.byId('demo-audio').id;
  const box = snapshot.byId('scroll-box').id;

  const media = ofKind(events, 'media_interaction');
  assert.ok(media.every((e) => e.data.target === audio), 'media events target the audio element');
  const [playAt, pauseAt, seekAt] = assertInOrder(events, [
    ['play', (e) => e.kind === 'media_interaction' && e.data.kind === MEDIA.play],
    ['pause', (e) => e.kind === 'media_interaction' && e.data.kind === MEDIA.pause],
    ['seek', (e) => e.kind === 'media_interaction' && e.data.kind === MEDIA.seek],
  ]);
  assert.ok(playAt < pauseAt && pauseAt < seekAt);
  assert.equal(events[seekAt].data.current_time, 0.5);
  assert.equal(events[seekAt].data.muted, false);

  const errors = ofKind(events, 'error');
  assert.equal(errors.length, 2, 'exactly the two deliberate errors');
  assert.match(errors[0].data.message, /demo error/);
  assert.equal(errors[0].data.unhandled_rejection, false);
  assert.match(errors[0].data.source, /\/demo\/shadow\.js$/);
  assert.ok(errors[0].data.line > 0);
  assert.match(errors[0].data.stack, /demo error/);
  assert.equal(errors[1].data.message, 'demo rejection');
  assert.equal(errors[1].data.unhandled_rejection, true);
  assert.match(errors[1].data.stack, /shadow\.js/);

  const scrolls = ofKind(events, 'scroll').filter((e) => e.data.target === box);
  assert.ok(scrolls.length >= 1, 'the scroll box scroll is recorded');
  assert.deepEqual(scrolls.at(-1).data, { target: box, x: 40, y: 300 }, 'its final position');

  // The deliberate errors are the only console problems.
  assert.ok(problems.filter((p) => DELIBERATE.some((re) => re.test(p))).length >= 2, problems.join('\n'));
  assertQuietConsole(problems, DELIBERATE);
  await page.close();
});

test('shadow: a frame document and a custom element that arrive after the snapshot are recorded (and changes inside them)', async () => {
  const url = `${server.base}/demo/shadow.html`;
  const page = await browser.newPage();
  const problems = watchConsole(page);
  // Hold frame.html and shadow.js back until the recorder has taken its snapshot: the
  // iframe still shows its initial about:blank, <nw-promo-card> is not defined yet.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  for (const file of ['frame.html', 'shadow.js']) {
    await page.route(`**/demo/${file}`, async (route) => { await held; await route.continue(); });
  }
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.affidavitReady);
  const sessionId = await page.evaluate(async () => (await window.affidavitReady)?.sessionId);
  assert.ok(sessionId, 'the recorder started');
  const early = await flushAndRead(page, server, sessionId, (evs) => evs.some((e) => e.kind === 'full_snapshot'));
  const snapshot = new Replica(early.events.find((e) => e.kind === 'full_snapshot').data);
  const card = snapshot.byId('promo-card');
  assert.deepEqual(card.children, [], 'the snapshot was taken before the custom element was defined');
  const iframe = snapshot.byId('demo-frame');
  const blank = snapshot.get(iframe.children[0]);
  assert.equal(blank.kind, NODE.document);
  assert.equal(snapshot.find((n) => n.kind === NODE.element && n.attrs.id === 'frame-button', blank.id), undefined,
    'the snapshot was taken before frame.html loaded');

  release();
  const frame = page.frameLocator('#demo-frame');
  await frame.locator('#frame-button').click();
  await frame.locator('#frame-messages li').waitFor();
  await page.click('#shadow-button');
  await page.waitForFunction(() => document.getElementById('promo-card').shadowRoot
    .getElementById('shadow-text').textContent.includes('revealed 1 time'));

  const { batches, events } = await flushAndRead(page, server, sessionId, (evs) =>
    evs.some((e) => e.kind === 'mutation' && e.data.texts.some((t) => t.text.includes('revealed 1 time'))));
  assertContiguous(batches);

  // frame.html replaced the blank document under the iframe.
  assertInOrder(events, [
    ['the blank document replaced by frame.html', (e) => e.kind === 'mutation'
      && e.data.removes.some((r) => r.parent === iframe.id && r.id === blank.id)
      && e.data.adds.some((a) => a.parent === iframe.id && a.node[0][0] === NODE.document)],
  ]);
  // The shadow root became the card's first child once the element was defined.
  assertInOrder(events, [
    ['the shadow root added to the card', (e) => e.kind === 'mutation'
      && e.data.adds.some((a) => a.parent === card.id && a.node[0][0] === NODE.shadow_root)],
  ]);

  const replay = Replica.fromEvents(events);
  const frameDoc = replay.get(replay.get(iframe.id).children[0]);
  assert.deepEqual(replay.get(iframe.id).children, [frameDoc.id], 'one document under the iframe');
  const messages = replay.byId('frame-messages', frameDoc.id);
  assert.equal(replay.text(messages.id), 'Message 1 sent — an agent will reply shortly.');
  const root = replay.get(replay.get(card.id).children[0]);
  assert.equal(root.kind, NODE.shadow_root);
  assert.equal(replay.text(replay.byId('shadow-text', root.id).id), 'Your code is SPRING10 (revealed 1 time).');
  // The clicks inside both are recorded on their nodes.
  const clicked = ofKind(events, 'mouse_interaction').filter((e) => e.data.kind === INTERACTION.click).map((e) => e.data.target);
  assert.ok(clicked.includes(replay.byId('frame-button', frameDoc.id).id), 'the click inside the loaded frame');
  assert.ok(clicked.includes(replay.byId('shadow-button', root.id).id), 'the click inside the late shadow root');
  // The shadow root's adopted sheet is sent once the root is recorded.
  assert.ok(ofKind(events, 'adopted_style_sheets').some((e) => e.data.target === root.id));

  assertQuietConsole(problems);
  await page.close();
});
