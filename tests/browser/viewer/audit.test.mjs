// The viewer's audit side: signing in, the replay_viewed entry every opening adds to
// the session's chain, the audit panel following playback, and a tampered payload
// byte in the database named by the viewer instead of a "verified".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { useServerAndBrowser, waitFor } from '../harness.mjs';
import { openRecorded } from '../pages/replay.mjs';
import { openReplay, settledVerification, signIn, viewerState } from './replay.mjs';

let server;
let browser;

useServerAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

/** A checkout session with at least two batches ('first' in 0, 'second' in 1); returns its id. */
async function recordTwoBatches() {
  const { page, sessionId } = await openRecorded(browser, `${server.base}/demo/checkout.html`);
  await page.evaluate(async () => {
    window.affidavit.track('first');
    await window.affidavit.flush();
    document.getElementById('full-name').value = 'x';
    window.affidavit.track('second');
    await window.affidavit.flush();
  });
  await page.close();
  return sessionId;
}

/** The session's audit chain as the server serves it (with the page's login). */
const auditOf = (page, sessionId) => page.evaluate(async (id) => {
  const response = await fetch(`/v1/sessions/${id}/audit`);
  return { status: response.status, body: await response.json() };
}, sessionId);

test('signing in: the viewer sends strangers to the login form and back where they were going', async () => {
  const sessionId = await recordTwoBatches();
  const page = await browser.newPage();
  const anonymous = await page.request.get(`${server.base}/v1/sessions/${sessionId}/events`);
  assert.equal(anonymous.status(), 401);
  assert.equal((await anonymous.json()).error, 'unauthorized');

  await page.goto(`${server.base}/sessions/${sessionId}`);
  await page.waitForURL(/\/login\?next=/);
  await page.fill('#login-user', server.admin.user);
  await page.fill('#login-password', 'not the password');
  await page.click('form#login-form button[type=submit]');
  await waitFor(async () => (await page.textContent('#login-error')).includes('wrong user name or password'));
  assert.match(page.url(), /\/login/);

  await page.fill('#login-password', server.admin.password);
  await Promise.all([page.waitForURL(new RegExp(`/sessions/${sessionId}$`)), page.click('form#login-form button[type=submit]')]);
  await page.waitForFunction(() => window.affidavitViewer?.state().events > 0);
  const cookies = await page.context().cookies(server.base);
  const login = cookies.find((c) => c.name === 'affidavit_session');
  assert.ok(login?.httpOnly, 'the login cookie is HttpOnly');
  assert.equal(login.sameSite, 'Strict');
  await page.close();
});

test('opening a replay appends a replay_viewed entry first, and the audit panel shows it verified', async () => {
  const sessionId = await recordTwoBatches();
  const viewer = await browser.newPage();
  await signIn(viewer, server);
  const before = await auditOf(viewer, sessionId);
  assert.equal(before.status, 200);
  assert.ok(!before.body.entries.some((e) => e.kind === 'replay_viewed'), 'no view before the replay is opened');

  await openReplay(viewer, server, sessionId);
  const state = await settledVerification(viewer);
  assert.equal(state.status, 'verified', state.problems.join('; '));
  const after = await auditOf(viewer, sessionId);
  const batches = after.body.entries.filter((e) => e.kind === 'batch_received').length;
  assert.ok(batches >= 2);
  assert.match(
    state.problems[0],
    new RegExp(`^verified: ${batches} batches, chain intact, included in checkpoint of size \\d+ signed at \\d{4}-\\d\\d-\\d\\d `),
  );
  const views = after.body.entries.filter((e) => e.kind === 'replay_viewed');
  assert.equal(views.length, 1);
  assert.equal(views[0].actor, `user:${server.admin.user}`);
  const lastBatch = Math.max(...after.body.entries.filter((e) => e.kind === 'batch_received').map((e) => e.session_seq));
  assert.ok(views[0].session_seq > lastBatch, 'the view is chained after the recording');
  const record = JSON.parse(Buffer.from(views[0].payload, 'base64').toString());
  assert.equal(record.user, server.admin.user);
  assert.equal(record.client, '127.0.0.1');

  // The panel lists it, and once the integrator has signed it, it is verified too.
  const row = viewer.locator('#audit-entries li[data-kind=replay_viewed]');
  await waitFor(async () => (await row.getAttribute('class'))?.includes('verified'), { timeout: 20_000, message: 'the view entry to be verified' });
  assert.match(await row.textContent(), new RegExp(`viewed by ${server.admin.user} \\(admin\\) from 127\\.0\\.0\\.1`));
  await viewer.close();
});

test('the audit entry of the moment being played is highlighted, and clicking an entry seeks there', async () => {
  const sessionId = await recordTwoBatches();
  const viewer = await browser.newPage();
  await signIn(viewer, server);
  await openReplay(viewer, server, sessionId);
  for (const [mark, batch] of [['second', 1], ['first', 0]]) {
    await viewer.evaluate((name) => window.affidavitViewer.seekToEvent(window.affidavitViewer.findTrack(name)), mark);
    assert.equal((await viewerState(viewer)).batch, batch);
    assert.equal(await viewer.getAttribute('#audit-entries li.current', 'data-batch'), String(batch), `the row of batch ${batch} is current at ${mark}`);
  }
  await viewer.click('#audit-entries li[data-batch="1"]');
  assert.equal((await viewerState(viewer)).batch, 1);
  await viewer.close();
});

test('one changed payload byte in the database: the viewer names the batch and never says verified', async () => {
  const sessionId = await recordTwoBatches();
  // What an insider with write access to the database file could do.
  const script = `
import sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1])
db.execute("DROP TRIGGER IF EXISTS payloads_no_update")
session = uuid.UUID(sys.argv[2]).bytes
seq, data = db.execute("SELECT p.session_seq, p.bytes FROM payloads p JOIN entries e ON e.session_id = p.session_id AND e.session_seq = p.session_seq WHERE p.session_id = ? AND e.batch_seq = 1", (session,)).fetchone()
data = bytearray(data)
data[len(data) // 2] ^= 0x01
db.execute("UPDATE payloads SET bytes = ? WHERE session_id = ? AND session_seq = ?", (bytes(data), session, seq))
db.commit()
print(seq)
`;
  const { stdout } = await promisify(execFile)('python3', ['-c', script, path.join(server.dataDir, 'affidavit.sqlite3'), sessionId]);
  const entry = Number(stdout.trim());

  const viewer = await browser.newPage();
  await signIn(viewer, server);
  await openReplay(viewer, server, sessionId).catch(() => {});
  const state = await settledVerification(viewer);
  assert.equal(state.status, 'failed');
  assert.ok(
    state.problems.some((p) => p.startsWith(`batch 1 (entry ${entry}): payload`)),
    `the failure names batch 1: ${state.problems.join('; ')}`,
  );
  assert.ok(!state.problems.some((p) => p.startsWith('batch 0 ')), 'batch 0 is not blamed');
  const banner = await viewer.textContent('#verification');
  assert.match(banner, /Verification FAILED/);
  assert.doesNotMatch(banner, /^Verified/);
  assert.equal(await viewer.getAttribute('#verification', 'data-status'), 'failed');
  assert.match(await viewer.getAttribute('#audit-entries li[data-batch="1"]', 'class'), /failed/);
  await viewer.close();
});

test('a recorded page that points an image at the viewer API cannot record views in the reviewer\'s name', async () => {
  const { page, sessionId } = await openRecorded(browser, `${server.base}/demo/index.html`);
  await page.evaluate((url) => {
    const img = document.createElement('img');
    img.src = url; // same site as the viewer: the login cookie would go along
    document.body.appendChild(img);
  }, `${server.base}/v1/sessions/${sessionId}/events`);
  await page.evaluate(() => window.affidavit.flush());
  await page.close();

  const viewer = await browser.newPage();
  await signIn(viewer, server);
  await openReplay(viewer, server, sessionId);
  const state = await settledVerification(viewer);
  assert.equal(state.status, 'verified', state.problems.join('; '));
  const audit = await auditOf(viewer, sessionId);
  const views = audit.body.entries.filter((e) => e.kind === 'replay_viewed');
  assert.equal(views.length, 1, 'only the viewer itself recorded a view');
  await viewer.close();
});
