// A frame that keeps navigating must not keep its old documents alive: the recorder
// listens in every same-origin frame document, and drops those listeners once a
// document has no window any more (an iframe navigated or was removed).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FIXTURES, recordingSession, sessionDump, useServerAndBrowser, waitFor, watchConsole } from './harness.mjs';

let server;
let browser;

useServerAndBrowser({ env: FIXTURES }, (s, b) => {
  server = s;
  browser = b;
});

const OPTIONS = { batching: { flushIntervalMs: 100 } };
const NAVIGATIONS = 20;

test('old frame documents are released while the recorder runs', async () => {
  const page = await browser.newPage();
  const problems = watchConsole(page);
  await page.goto(`${server.base}/demo/frames.html?options=${encodeURIComponent(JSON.stringify(OPTIONS))}`);
  const sessionId = await recordingSession(page);
  const cdp = await page.context().newCDPSession(page);
  const documents = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Memory.getDOMCounters')).documents;
  };

  for (let n = 0; n < NAVIGATIONS; n++) {
    await page.evaluate((i) => window.navigateFrame(i), n);
  }
  // The recorder prunes every ten ticks (a tick is flushIntervalMs here).
  const left = await waitFor(async () => {
    const count = await documents();
    return count <= 4 && count;
  }, { timeout: 10_000, message: `old frame documents to be collected (there were ${NAVIGATIONS})` });
  assert.ok(left <= 4, `${left} documents alive`);

  // The current frame document is still recorded: typing in it is an input event.
  const frame = page.frameLocator('#frame');
  await frame.locator('#field').fill('x');
  const batches = await waitFor(async () => {
    await page.evaluate(() => window.affidavit.flush());
    const dumped = await sessionDump(server, sessionId);
    return dumped.flatMap((b) => b.events).some((e) => e.kind === 'input') && dumped;
  }, { message: 'the input in the current frame document recorded' });
  assert.ok(batches.length > 0);
  assert.deepEqual(problems, []);
  await page.close();
});
