// Masking and blocking that must hold across boundaries, after the first snapshot:
// text directly inside a shadow root under a masked host, text in a same-origin frame
// inside a masked element, and a recorded node moved into a blocked element. Also the
// API's promise never to throw into the page, whatever it is given.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FIXTURES, recordingSession, sessionDump, useServerAndBrowser, waitFor, watchConsole } from './harness.mjs';

let server;
let browser;

useServerAndBrowser({ env: FIXTURES }, (s, b) => {
  server = s;
  browser = b;
});

const stored = async (sessionId) => JSON.stringify(await sessionDump(server, sessionId));

test('masks and blocks hold for changes across shadow, frame and move boundaries', async () => {
  const page = await browser.newPage();
  const problems = watchConsole(page);
  await page.goto(`${server.base}/demo/boundaries.html`);
  const sessionId = await recordingSession(page);
  // The frame's document must be recorded (and observed) before it changes.
  await page.evaluate(() => window.affidavit.flush());

  await page.evaluate(() => {
    window.changeShadowText('SNTL-shadow-4c1d');
    window.changeFrameText('SNTL-frame-77aa');
    window.moveIntoBlockAndChange('SNTL-moved-e0f3');
  });
  await page.waitForFunction(() => document.getElementById('movable').title.startsWith('SNTL'));
  await page.evaluate(() => window.changeVisible('VISIBLE-after-9b2e'));

  const text = await waitFor(async () => {
    await page.evaluate(() => window.affidavit.flush());
    const dumped = await stored(sessionId);
    return dumped.includes('VISIBLE-after-9b2e') && dumped;
  }, { message: 'the visible change stored (so the earlier ones were processed)' });
  for (const secret of ['SNTL-shadow-4c1d', 'SNTL-frame-77aa', 'SNTL-moved-e0f3']) {
    assert.ok(!text.includes(secret), `${secret} must not be recorded`);
  }
  assert.ok(text.includes('******'), 'the masked changes are recorded, masked');
  assert.deepEqual(problems, []);
  await page.close();
});

test('identify and track take any value without throwing into the page', async () => {
  const page = await browser.newPage();
  const problems = watchConsole(page);
  await page.goto(`${server.base}/demo/boundaries.html`);
  const sessionId = await recordingSession(page);

  const thrown = await page.evaluate(() => {
    const errors = [];
    const calls = [
      () => window.affidavit.identify(undefined),
      () => window.affidavit.identify(42, { plan: 'pro' }),
      () => window.affidavit.track(undefined),
      () => window.affidavit.track('with-function', () => 1),
      () => window.affidavit.track('with-symbol', Symbol('s')),
      () => window.affidavit.track(null, { nested: { deep: [1, 2, 3] } }),
    ];
    for (const call of calls) {
      try { call(); } catch (e) { errors.push(String(e)); }
    }
    return errors;
  });
  assert.deepEqual(thrown, [], 'no call threw');

  const batches = await waitFor(async () => {
    await page.evaluate(() => window.affidavit.flush());
    const dumped = await sessionDump(server, sessionId);
    const events = dumped.flatMap((b) => b.events);
    return events.filter((e) => e.kind === 'track').length === 4 && events;
  }, { message: 'the four track calls stored' });
  const identifies = batches.filter((e) => e.kind === 'identify');
  assert.deepEqual(identifies.map((e) => e.data.user_id), ['', '42']);
  const names = batches.filter((e) => e.kind === 'track').map((e) => e.data.name);
  assert.deepEqual(names, ['', 'with-function', 'with-symbol', '']);
  assert.deepEqual(problems, []);
  await page.close();
});
