// A tab closed with batches unsent (the server was down) leaves its outbox in
// localStorage; a later page of the origin, in another tab and its own session,
// adopts it once nobody has written it for `batching.orphanAfterMs` and sends it after
// its own batches (decision 0008). Nothing of the closed tab's session is lost.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { captureIngest, FIXTURES, recordingSession, sessionDump, useServerAndBrowser, waitFor } from './harness.mjs';
import { cacheAssets, decodeBody, persistedSeqs, webStorage } from './inspect.mjs';

const ORPHAN_AFTER_MS = 1_000;
const OPTIONS = {
  batching: { flushIntervalMs: 600_000, retryBaseMs: 50, retryMaxMs: 300, orphanAfterMs: ORPHAN_AFTER_MS },
};

let server;
let browser;

useServerAndBrowser({ env: FIXTURES }, (s, b) => {
  server = s;
  browser = b;
});

const pageUrl = (options = OPTIONS) =>
  `${server.base}/demo/outbox.html?options=${encodeURIComponent(JSON.stringify(options))}`;
// For the tab that stays open: its outbox must look fresh however slow the restart is.
const LIVE = { batching: { ...OPTIONS.batching, orphanAfterMs: 60_000 } };

const tracked = (batches, name) =>
  batches.flatMap((b) => b.events).filter((e) => e.kind === 'track' && e.data.name === name);

test('batches of a closed tab are sent by the next page of the origin', async (t) => {
  // The first page loads while the server is up, then keeps working while it is down.
  const uncache = await cacheAssets(browser.context, [
    pageUrl(),
    `${server.base}/affidavit.js`,
    `${server.base}/recorder/affidavit.mjs`,
    `${server.base}/recorder/affidavit_recorder.js`,
    `${server.base}/recorder/affidavit_recorder_bg.wasm`,
  ]);
  t.after(uncache);
  const closed = await browser.newPage();
  await closed.goto(pageUrl());
  const orphanSession = await recordingSession(closed);
  await closed.evaluate(() => window.affidavit.flush());
  await waitFor(async () => (await sessionDump(server, orphanSession)).length === 1, {
    message: 'the first batch of the soon-closed tab stored',
  });

  await server.stop();
  await closed.evaluate(() => window.affidavit.track('left-behind', { n: 1 }));
  await closed.evaluate(() => window.addLine('left-behind-line'));
  await closed.evaluate(() => window.affidavit.flush());
  const queued = await waitFor(async () => {
    const seqs = await persistedSeqs(closed, orphanSession);
    return seqs.length > 0 && seqs;
  }, { message: 'the unsent batch persisted in localStorage' });
  assert.deepEqual(queued, [1], 'batch 1 waits in the outbox');
  await closed.close();
  const closedAt = Date.now();

  await server.restart();
  // Only an outbox nobody wrote for orphanAfterMs is adopted: wait that long.
  await waitFor(() => Date.now() - closedAt > ORPHAN_AFTER_MS + 200, { message: 'the outbox to go stale' });
  const next = await browser.newPage();
  await next.goto(pageUrl());
  const ownSession = await recordingSession(next);
  assert.notEqual(ownSession, orphanSession, 'a new tab has a session of its own');

  const stored = await waitFor(async () => {
    const batches = await sessionDump(server, orphanSession);
    return tracked(batches, 'left-behind').length > 0 && batches;
  }, { timeout: 20_000, message: 'the closed tab\'s batch sent by the next page' });
  // Closing the tab may seal one more batch (pagehide): it is part of the orphan too.
  const seqs = stored.map((b) => b.seq);
  assert.ok(seqs.length >= 2, 'the batch queued while the server was down arrived');
  assert.deepEqual(seqs, seqs.map((_, i) => i), 'the orphaned session is complete, each batch once');
  assert.equal(tracked(stored, 'left-behind').length, 1);
  await waitFor(async () => {
    const storage = await webStorage(next);
    return !Object.keys(storage.local).some((key) => key.includes(orphanSession));
  }, { message: 'the adopted outbox removed once delivered' });
  await next.evaluate(() => window.affidavit.flush());
  const own = await sessionDump(server, ownSession);
  assert.equal(own[0].seq, 0, 'the adopting page records its own session as usual');
  await next.close();
});

test('an outbox that is still being written is not adopted', async () => {
  const first = await browser.newPage();
  await first.goto(pageUrl(LIVE));
  const firstSession = await recordingSession(first);
  await server.stop();
  await first.evaluate(() => window.affidavit.track('still-mine', {}));
  await first.evaluate(() => window.affidavit.flush());
  await waitFor(async () => (await persistedSeqs(first, firstSession)).length > 0, {
    message: 'a batch waiting in the live tab',
  });
  await server.restart();

  // A second tab opens at once: the first tab's outbox is fresh, so it stays the first
  // tab's to send (it does, with its own retries).
  const second = await browser.newPage();
  const sent = captureIngest(second);
  await second.goto(pageUrl(LIVE));
  const secondSession = await recordingSession(second);
  await second.evaluate(() => window.affidavit.flush());
  await waitFor(async () => {
    await first.evaluate(() => window.affidavit.flush());
    return tracked(await sessionDump(server, firstSession), 'still-mine').length === 1;
  }, { timeout: 20_000, message: 'the live tab delivering its own batch' });
  const sessions = await Promise.all(sent.bodies().map(async (body) => (await decodeBody(body)).session));
  assert.ok(sessions.length > 0, 'the second tab sent its own batches');
  assert.deepEqual([...new Set(sessions)], [secondSession], 'the second tab sent nothing of the first tab\'s');
  await first.close();
  await second.close();
});
