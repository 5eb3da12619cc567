// The snippet loader (/affidavit.js) on pages it does not control: another origin,
// a tag without a key, the tag twice, a bad option. The pages are in fixtures/,
// served as this server's demo site (so their __AFFIDAVIT_DEMO_KEY__ is filled in).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FIXTURES, sessionDump, useServerAndBrowser, waitFor, watchConsole } from './harness.mjs';

let server;
let browser;

useServerAndBrowser({ env: FIXTURES }, (s, b) => {
  server = s;
  browser = b;
});

async function open(url) {
  const page = await browser.newPage();
  const problems = watchConsole(page);
  await page.goto(url);
  return { page, problems };
}

test('the snippet records from another origin (CORS on the loader, module, wasm and ingest)', async () => {
  // localhost and 127.0.0.1 are different origins; the demo project allows both.
  const url = `http://localhost:${server.port}/demo/cross-origin.html`;
  const { page, problems } = await open(url);

  const sessionId = await page.evaluate(async () => {
    const recorder = await window.affidavitReady;
    if (!recorder) return null;
    await recorder.flush();
    return recorder.sessionId;
  });

  assert.ok(sessionId, `the recorder started: ${problems.join('; ')}`);
  const batches = await waitFor(
    async () => {
      const dumped = await sessionDump(server, sessionId);
      return dumped.length > 0 && dumped;
    },
    { message: 'the cross-origin session to be stored' },
  );
  assert.equal(batches[0].seq, 0);
  assert.equal(batches[0].events[0].data.url, url);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a tag without data-key warns once and never throws into the page', async () => {
  const { page, problems } = await open(`${server.base}/demo/no-key.html`);

  const ready = await page.evaluate(() => window.affidavitReady);
  await waitFor(() => problems.length > 0, { message: 'the warning' });

  assert.equal(ready, null, 'affidavitReady resolves to null when recording cannot start');
  assert.equal(await page.evaluate(() => window.pageStillRuns), true);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /^warning: \[affidavit\] /);
  await page.close();
});

test('a second copy of the snippet does not start a second recorder', async () => {
  const { page, problems } = await open(`${server.base}/demo/twice.html`);

  const first = await page.evaluate(async () => (await window.affidavitReady)?.sessionId);
  await waitFor(() => problems.length > 0, { message: 'the warning about the second tag' });

  assert.ok(first, 'the first tag records');
  assert.equal(await page.evaluate(() => window.affidavit.sessionId), first);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /\[affidavit\] .*twice/);
  await page.close();
});

test('window.affidavitOptions reaches the recorder (a bad option is named in the warning)', async () => {
  const { page, problems } = await open(`${server.base}/demo/bad-options.html`);

  const ready = await page.evaluate(() => window.affidavitReady);
  await waitFor(() => problems.length > 0, { message: 'the warning' });

  assert.equal(ready, null);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /^warning: \[affidavit\] .*flushIntervalMs/);
  await page.close();
});
