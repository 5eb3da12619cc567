// Recording a demo page at marked moments and replaying it in the viewer.
//
// A moment is marked inside the recorded page in one task: `recorder.track(name)` and
// the page's normalized DOM. Every mutation the page made before that task has reached
// the recorder (observer callbacks run at the end of the task that mutated), so the
// replay right after that track event must show exactly that DOM.

import assert from 'node:assert/strict';

import { compareDom, normalizedDom, replayStylesLoaded } from './dom.mjs';

/** Marks a moment in the recorded page; returns {name, dom}. */
export async function markMoment(page, name) {
  const dom = await page.evaluate(
    `(() => { window.affidavit.track(${JSON.stringify(name)}); return (${normalizedDom})('page'); })()`,
  );
  return { name, dom };
}

/** Signs `page` in as the server's admin (the login form, as a person would). */
export async function signIn(page, server) {
  await page.goto(`${server.base}/login`);
  await page.fill('#login-user', server.admin.user);
  await page.fill('#login-password', server.admin.password);
  await Promise.all([page.waitForURL(/\/sessions/), page.click('form#login-form button[type=submit]')]);
}

/** Opens the session in the viewer and waits until its events are loaded. */
export async function openReplay(page, server, sessionId) {
  await page.goto(`${server.base}/sessions/${sessionId}`);
  await page.waitForFunction(() => window.affidavitViewer?.state().events > 0, null, { timeout: 20_000 });
}

/** The viewer's state (window.affidavitViewer.state()). */
export const viewerState = (page) => page.evaluate(() => window.affidavitViewer.state());

/** Waits until verification settled on something other than "verifying"/"incomplete". */
export async function settledVerification(page) {
  await page.waitForFunction(() => {
    const s = window.affidavitViewer?.state().status;
    return s === 'verified' || s === 'failed';
  }, null, { timeout: 30_000 });
  return viewerState(page);
}

/** The replayed page's normalized DOM right after the track event `name`. */
export async function replayedAt(page, name) {
  const index = await page.evaluate((n) => window.affidavitViewer.findTrack(n), name);
  assert.ok(Number.isInteger(index), `the replay has the track event ${name}`);
  await page.evaluate((i) => window.affidavitViewer.seekToEvent(i), index);
  await page.waitForFunction(`(${replayStylesLoaded})()`, null, { timeout: 10_000 });
  return page.evaluate(`(${normalizedDom})('replay')`);
}

/** Asserts that the replay matches every marked moment, in a shuffled order (seeking backwards too). */
export async function assertFaithful(viewer, moments) {
  const order = [...moments].reverse();
  if (order.length > 2) order.push(order.shift());
  for (const moment of order) {
    const replayed = await replayedAt(viewer, moment.name);
    const difference = compareDom(moment.dom, replayed);
    assert.equal(difference, null, `replay at ${moment.name}: ${difference}`);
  }
  const { warningCount, warnings } = await viewerState(viewer);
  assert.equal(warningCount, 0, `the replay applied every event: ${warnings.join('; ')}`);
}
