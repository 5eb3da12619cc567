// The session list: sessions recorded through the real server show up once indexed,
// the filter form searches in the database (its query string is the page's), and a row
// opens the replay.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser, waitFor } from '../harness.mjs';
import { openRecorded } from '../pages/replay.mjs';
import { signIn } from './replay.mjs';

let server;
let browser;

useServerAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

/** The session ids the list page shows for this query string, once it has rendered. */
async function listed(page, query) {
  await page.goto(`${server.base}/sessions${query}`);
  await page.waitForSelector('#sessions, #results p.empty, #results p.error');
  return page.$$eval('#sessions tbody tr', (rows) => rows.map((r) => r.dataset.session));
}

test('the list filters by user, error, custom event and page, and a row opens the replay', async () => {
  // A shopper who signs in and adds to the cart, and a visitor who hits an error.
  const shopper = await openRecorded(browser, `${server.base}/demo/spa.html`);
  await shopper.page.click('#product-link-NW-1');
  await shopper.page.click('#add-to-cart');
  await shopper.page.click('#nav-settings');
  await shopper.page.click('#login-button');
  await shopper.page.evaluate(() => window.affidavit.flush());
  const visitor = await openRecorded(browser, `${server.base}/demo/shadow.html`);
  await visitor.page.click('#throw-error');
  await waitFor(() => visitor.problems.some((p) => p.includes('demo error')), { message: 'the demo error' });
  await visitor.page.evaluate(() => window.affidavit.flush());

  const viewer = await browser.newPage();
  await signIn(viewer, server);
  await waitFor(async () => {
    const ids = await listed(viewer, '');
    return ids.includes(shopper.sessionId) && ids.includes(visitor.sessionId);
  }, { timeout: 30_000, message: 'both sessions to be indexed' });

  const both = [shopper.sessionId, visitor.sessionId].sort();
  const only = async (query) => (await listed(viewer, query)).filter((id) => both.includes(id));
  assert.deepEqual(await only('?user_id=user-42'), [shopper.sessionId]);
  assert.deepEqual(await only('?trait=plan%3Dpro'), [shopper.sessionId]);
  assert.deepEqual(await only('?event=added_to_cart'), [shopper.sessionId]);
  assert.deepEqual(await only('?has_errors=true'), [visitor.sessionId]);
  assert.deepEqual(await only('?url=%2Fdemo%2Fshadow'), [visitor.sessionId]);

  // The form writes the query string a person can bookmark.
  await viewer.goto(`${server.base}/sessions`);
  await viewer.fill('#f-user_id', 'user-42');
  await Promise.all([viewer.waitForURL(/user_id=user-42/), viewer.click('#filters button[type=submit]')]);
  await viewer.waitForSelector('#sessions');
  const rows = await viewer.$$eval('#sessions tbody tr', (r) => r.map((x) => x.dataset.session));
  assert.ok(rows.includes(shopper.sessionId) && !rows.includes(visitor.sessionId), rows.join(','));

  await Promise.all([
    viewer.waitForURL(new RegExp(`/sessions/${shopper.sessionId}$`)),
    viewer.click(`#sessions tr[data-session="${shopper.sessionId}"] td:nth-child(2)`),
  ]);
  await viewer.waitForFunction(() => window.affidavitViewer?.state().events > 0);
  await viewer.close();
});
