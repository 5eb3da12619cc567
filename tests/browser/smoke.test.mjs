// The whole path once: the demo page's snippet tag loads the recorder from the
// server, the recorder starts, a flush reaches the server, and the stored batch
// decodes to what a replay needs first (the page's meta, then a full snapshot).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { captureIngest, launchBrowser, sessionDump, startServer, waitFor, watchConsole } from './harness.mjs';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('the snippet on the demo page records a session that starts with meta and a full snapshot', async (t) => {
  const server = await startServer();
  t.after(() => server.cleanup());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const problems = watchConsole(page);
  const ingest = captureIngest(page);

  await page.goto(`${server.base}/demo/`);
  const sessionId = await page.evaluate(async () => {
    const recorder = await window.affidavitReady;
    if (!recorder) throw new Error('the recorder did not start (see the [affidavit] console warning)');
    await recorder.flush();
    return recorder.sessionId;
  });

  assert.match(sessionId, UUID_V7);
  const batches = await waitFor(
    async () => {
      const dumped = await sessionDump(server, sessionId);
      return dumped.length > 0 && dumped;
    },
    { message: `session ${sessionId} to be stored` },
  );
  assert.equal(batches[0].seq, 0);
  assert.deepEqual(
    batches[0].events.slice(0, 2).map((e) => e.kind),
    ['meta', 'full_snapshot'],
  );
  assert.equal(batches[0].events[0].data.url, `${server.base}/demo/`);
  assert.ok(ingest.requests.length >= 1, 'the page POSTed to /v1/ingest');
  assert.ok(
    ingest.requests.every((r) => r.headers['x-affidavit-key'] === server.key || r.url.includes(`key=${server.key}`)),
    'every batch carries the demo write key',
  );
  assert.deepEqual(problems, [], 'nothing went wrong in the page');
});
