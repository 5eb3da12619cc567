// The server goes down while a page records, then comes back (decision 0008): batches
// sealed meanwhile wait in the persisted outbox, retries fail, and once the server is
// up again every batch arrives exactly once, seqs contiguous from 0, every event once
// and in time order — and a batch's bytes never change between attempts.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { captureIngest, FIXTURES, sessionDump, useServerAndBrowser, waitFor } from './harness.mjs';
import { decodeBody, persistedSeqs } from './inspect.mjs';

const OPTIONS = { batching: { flushIntervalMs: 200, retryBaseMs: 50, retryMaxMs: 300 } };

let server;
let browser;

useServerAndBrowser({ env: FIXTURES }, (s, b) => {
  server = s;
  browser = b;
});

/** One change the replay must show (page text) and one event to count (a track). */
function change(page, n) {
  return page.evaluate((i) => {
    window.addLine(`line-${i}`);
    window.affidavit.track('tick', { n: i });
  }, n);
}

function ticks(batches) {
  return batches.flatMap((b) => b.events).filter((e) => e.kind === 'track' && e.data.name === 'tick');
}

test('batches recorded while the server is down all arrive once it is back, once each and in order', async () => {
  const page = await browser.newPage();
  const ingest = captureIngest(page);
  await page.goto(`${server.base}/demo/outbox.html?options=${encodeURIComponent(JSON.stringify(OPTIONS))}`);
  const sessionId = await page.evaluate(async () => {
    const recorder = await window.affidavitReady;
    if (!recorder) throw new Error('the recorder did not start');
    await recorder.flush();
    return recorder.sessionId;
  });
  let n = 0;
  await change(page, n++);
  await page.evaluate(() => window.affidavit.flush());
  await waitFor(async () => (await sessionDump(server, sessionId)).length > 0, { message: 'seq 0 stored' });
  const sentBeforeOutage = ingest.requests.length;

  await server.stop();
  // Keep the page changing and flushing until several batches are queued and several
  // attempts to send the head have failed.
  await waitFor(
    async () => {
      await change(page, n++);
      await page.evaluate(() => window.affidavit.flush());
      const queued = await persistedSeqs(page, sessionId);
      const attempts = ingest.requests.length - sentBeforeOutage;
      return queued.length >= 5 && attempts >= 4;
    },
    { timeout: 30_000, interval: 100, message: '5 queued batches and 4 failed attempts' },
  );
  const queuedDuringOutage = await persistedSeqs(page, sessionId);
  const stored = await sessionDump(server, sessionId);
  assert.ok(
    queuedDuringOutage[0] === stored.at(-1).seq + 1 || queuedDuringOutage[0] === stored.at(-1).seq,
    `the outbox continues where the server stopped (stored up to ${stored.at(-1).seq}, queued ${queuedDuringOutage})`,
  );

  await server.restart();
  // No nudge: the recorder's own retry timer must notice the server is back.
  for (let i = 0; i < 3; i += 1) await change(page, n++);
  await page.evaluate(() => window.affidavit.track('done', {}));
  const last = n - 1;
  const batches = await waitFor(
    async () => {
      await page.evaluate(() => window.affidavit.flush());
      if ((await persistedSeqs(page, sessionId)).length > 0) return false;
      const dumped = await sessionDump(server, sessionId);
      return dumped.flatMap((b) => b.events).some((e) => e.kind === 'track' && e.data.name === 'done') && dumped;
    },
    { timeout: 30_000, interval: 200, message: 'everything delivered after the restart' },
  );

  const seqs = batches.map((b) => b.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i), 'seqs are contiguous from 0, each stored once');
  assert.ok(
    seqs.length >= queuedDuringOutage.at(-1) + 1,
    `every batch queued during the outage is stored (stored ${seqs.length}, queued up to ${queuedDuringOutage.at(-1)})`,
  );
  assert.deepEqual(
    ticks(batches).map((e) => e.data.data.n),
    Array.from({ length: last + 1 }, (_, i) => i),
    'every change made during the outage is stored exactly once, in order',
  );
  for (let i = 0; i <= last; i += 1) {
    const adds = batches
      .flatMap((b) => b.events)
      .filter((e) => e.kind === 'mutation' && JSON.stringify(e.data).includes(`"line-${i}"`));
    assert.equal(adds.length, 1, `line-${i} was added once`);
  }
  const times = batches.flatMap((b) => b.events.map((e) => e.ts));
  for (let i = 1; i < times.length; i += 1) {
    assert.ok(times[i] >= times[i - 1], `event ${i} (ts ${times[i]}) is not before event ${i - 1} (ts ${times[i - 1]})`);
  }

  // What the page sent: each seq's bytes were sealed once and resent unchanged, and the
  // stored batches are exactly the ones the page sent.
  const bySeq = new Map();
  for (const { body } of ingest.requests) {
    const { seq, session } = await decodeBody(body);
    assert.equal(session, sessionId);
    bySeq.set(seq, [...(bySeq.get(seq) ?? []), body]);
  }
  for (const [seq, bodies] of bySeq) {
    assert.ok(bodies.every((b) => b.equals(bodies[0])), `every attempt at seq ${seq} sent the same bytes`);
  }
  assert.deepEqual([...bySeq.keys()].sort((a, b) => a - b), seqs, 'the page sent exactly the stored seqs');
  const retried = [...bySeq.values()].filter((bodies) => bodies.length > 1).length;
  assert.ok(retried >= 1, 'at least one batch was sent more than once (retries happened)');
  await page.close();
});
