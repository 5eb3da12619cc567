// Nothing is lost across a reload (decision 0008): events still in the recorder's
// buffer when the page goes away (a long flush interval keeps them there) are sealed
// and persisted on pagehide, and the next page load continues the same session with
// contiguous seqs. Also with the server down across the reload: the batches wait in
// localStorage and the next page load sends them once the server is back.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FIXTURES, recordingSession, sessionDump, useServerAndBrowser, waitFor } from './harness.mjs';
import { cacheAssets, decodeBody, persistedBatches, persistedSeqs, webStorage } from './inspect.mjs';

// Nothing is flushed by time during the test: only flush() and pagehide seal batches.
const OPTIONS = { batching: { flushIntervalMs: 60_000, retryBaseMs: 50, retryMaxMs: 300 } };

let server;
let browser;

useServerAndBrowser({ env: FIXTURES }, (s, b) => {
  server = s;
  browser = b;
});

const pageUrl = () => `${server.base}/demo/outbox.html?options=${encodeURIComponent(JSON.stringify(OPTIONS))}`;

const events = (batches) => batches.flatMap((b) => b.events);
const tracked = (batches, name) => events(batches).filter((e) => e.kind === 'track' && e.data.name === name);

/** Changes that stay in the buffer: a track event, typing, and page text. */
async function changeBeforeReload(page, name) {
  await page.evaluate((n) => window.affidavit.track(n, { when: 'before' }), name);
  await page.locator('#field').click();
  await page.locator('#field').pressSequentially('typed before the reload');
  await page.evaluate((n) => window.addLine(`${n}-line`), name);
  return page.evaluate(() => Date.now());
}

/** The session's stored batches once `names` are all stored and the outbox is empty. */
function delivered(page, sessionId, names) {
  return waitFor(
    async () => {
      await page.evaluate(() => window.affidavit.flush());
      if ((await persistedSeqs(page, sessionId)).length > 0) return false;
      const dumped = await sessionDump(server, sessionId);
      return names.every((name) => tracked(dumped, name).length > 0) && dumped;
    },
    { timeout: 30_000, interval: 200, message: `${names.join(', ')} stored and the outbox empty` },
  );
}

/** The checks both variants share, on the session's stored batches. */
function assertContinued(batches, { before: name, after: afterName, changedAt }) {
  const seqs = batches.map((b) => b.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i), 'seqs are contiguous from 0, each stored once');
  assert.equal(tracked(batches, name).length, 1, `${name} is stored exactly once`);
  assert.equal(tracked(batches, afterName).length, 1, `${afterName} is stored exactly once`);
  const all = events(batches);
  const typed = all.filter((e) => e.kind === 'input' && e.ts <= changedAt);
  assert.ok(typed.length > 0, 'the input made before the reload is stored');
  assert.ok(typed.every((e) => e.data.value[1] === '******'), 'typed values are masked (maskAllInputs)');
  const lines = all.filter((e) => e.kind === 'mutation' && JSON.stringify(e.data).includes(`"${name}-line"`));
  assert.equal(lines.length, 1, 'the page text added before the reload is stored once');
  const metas = all.filter((e) => e.kind === 'meta');
  assert.equal(metas.length, 2, 'both page loads are in the one session (a meta each)');
  assert.equal(all.filter((e) => e.kind === 'full_snapshot').length, 2, 'each page load starts with a keyframe');
  const beforeAt = tracked(batches, name)[0].ts;
  const afterAt = tracked(batches, afterName)[0].ts;
  assert.ok(beforeAt < metas[1].ts && metas[1].ts <= afterAt, 'the second page load follows the first');
  for (let i = 1; i < all.length; i += 1) {
    assert.ok(all[i].ts >= all[i - 1].ts, `event ${i} (ts ${all[i].ts}) is not before event ${i - 1}`);
  }
}

test('events still buffered when the page reloads are stored, in the same session', async () => {
  const page = await browser.newPage();
  await page.goto(pageUrl());
  const sessionId = await recordingSession(page);
  await page.evaluate(() => window.affidavit.flush());
  await waitFor(async () => (await sessionDump(server, sessionId)).length > 0, { message: 'seq 0 stored' });

  const changedAt = await changeBeforeReload(page, 'before-reload');
  assert.deepEqual(await persistedSeqs(page, sessionId), [], 'the changes are only in the buffer, not sealed');
  assert.equal(tracked(await sessionDump(server, sessionId), 'before-reload').length, 0, 'nor sent');

  await page.reload();
  assert.equal(await recordingSession(page), sessionId, 'the reloaded page continues the same session');
  await page.evaluate(() => window.affidavit.track('after-reload', { when: 'after' }));
  const batches = await delivered(page, sessionId, ['before-reload', 'after-reload']);

  assertContinued(batches, { before: 'before-reload', after: 'after-reload', changedAt });
  await page.close();
});

test('with the server down across the reload, the next page load sends the persisted batches', async () => {
  const context = browser.context;
  const url = pageUrl();
  // The page and the recorder come from copies, so the page can load while the server
  // is down; /v1/ingest is not cached and fails until the server is back.
  const uncache = await cacheAssets(context, [
    url,
    `${server.base}/affidavit.js`,
    `${server.base}/recorder/affidavit.mjs`,
    `${server.base}/recorder/affidavit_recorder.js`,
    `${server.base}/recorder/affidavit_recorder_bg.wasm`,
  ]);
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const sessionId = await recordingSession(page);
    await page.evaluate(() => window.affidavit.flush());
    await waitFor(async () => (await sessionDump(server, sessionId)).length > 0, { message: 'seq 0 stored' });

    await server.stop();
    const changedAt = await changeBeforeReload(page, 'before-offline-reload');
    assert.deepEqual(await persistedSeqs(page, sessionId), [], 'the changes are only in the buffer, not sealed');

    await page.reload();
    assert.equal(await recordingSession(page), sessionId, 'the reloaded page continues the same session');
    await page.evaluate(() => window.affidavit.track('after-offline-reload', { when: 'after' }));
    await page.evaluate(() => window.affidavit.flush());
    // The batch sealed on pagehide is persisted and waits for the server.
    const waiting = persistedBatches(await webStorage(page)).filter((b) => b.session === sessionId);
    const waitingEvents = (await Promise.all(waiting.map((b) => decodeBody(b.bytes)))).flatMap((b) => b.events);
    assert.ok(
      waitingEvents.some((e) => e.kind === 'track' && e.data.name === 'before-offline-reload'),
      `the pre-reload events wait in localStorage (seqs ${waiting.map((b) => b.seq)})`,
    );
    assert.equal(tracked(await sessionDump(server, sessionId), 'before-offline-reload').length, 0, 'not stored yet');

    await server.restart();
    const batches = await delivered(page, sessionId, ['before-offline-reload', 'after-offline-reload']);
    assertContinued(batches, { before: 'before-offline-reload', after: 'after-offline-reload', changedAt });
    await page.close();
  } finally {
    await uncache();
  }
});
