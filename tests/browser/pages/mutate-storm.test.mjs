// mutate-storm.html through the real recorder and server: starting the storm trips the
// circuit breaker (a 'paused' marker, then no mutations), the page keeps running (its
// frame counter keeps climbing), and once the storm stops and the cool-down has passed
// the recorder resumes with a 'resumed' marker and a fresh full snapshot of the page as
// it is now. The cool-down is shortened through window.affidavitOptions, which the
// loader reads (set before any page script by an init script).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser, waitFor } from '../harness.mjs';
import {
  MARKER, NODE, Replica, assertContiguous, assertQuietConsole, assertStartsWithKeyframe,
  flushAndRead, openRecorded,
} from './replay.mjs';

let server;
let browser;

useServerAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

// Long enough to stop the storm while still paused, short enough for a test.
const COOLDOWN_MS = 3_000;

const isMarker = (kind) => (e) => e.kind === 'marker' && e.data.kind === kind;

test('mutate-storm: the storm trips the breaker without freezing the page, and recording resumes with a full snapshot after it stops', async () => {
  const url = `${server.base}/demo/mutate-storm.html`;
  const { page: storm, problems, sessionId } = await openRecorded(browser, url, {
    options: { guard: { breakerCooldownMs: COOLDOWN_MS } },
  });
  const frames = () => storm.evaluate(() => window.northwindStorm.stats().frames);

  await storm.click('#storm-start');
  await waitFor(async () => (await frames()) >= 5, { message: 'the storm to run' });

  // The breaker trips: a 'paused' marker for the mutation storm.
  const tripped = await flushAndRead(storm, server, sessionId, (evs) => evs.some(isMarker(MARKER.paused)));
  const pausedAt = tripped.events.findIndex(isMarker(MARKER.paused));
  assert.equal(tripped.events[pausedAt].data.reason, 'mutation_storm');
  // The page is not frozen: the storm goes on, frame after frame.
  const framesAtTrip = await frames();
  await waitFor(async () => (await frames()) >= framesAtTrip + 10, { message: 'the storm to keep running while paused' });
  assert.equal(await storm.evaluate(() => window.northwindStorm.isRunning()), true);

  // Stop the storm (within the cool-down); once it has passed the recorder resumes by
  // itself with a new keyframe.
  const stoppedAt = await storm.evaluate(() => Date.now());
  await storm.click('#storm-stop');
  await storm.waitForFunction(() => document.getElementById('storm-status').textContent === 'Stopped');
  const finalFrames = await frames();
  const { batches, events } = await flushAndRead(storm, server, sessionId, (evs) => {
    const markers = evs.filter((e) => e.kind === 'marker');
    const last = evs.lastIndexOf(markers.at(-1));
    return markers.at(-1)?.data.kind === MARKER.resumed && markers.at(-1).ts >= stoppedAt
      && evs.slice(last).some((e) => e.kind === 'full_snapshot')
      && Replica.fromEvents(evs).text(Replica.fromEvents(evs).byId('storm-status').id) === 'Stopped';
  }, { reflush: true, timeout: 20_000, message: 'the resumed marker and a new full snapshot' });

  assertContiguous(batches);
  assertStartsWithKeyframe(events, url);
  // Paused and resumed alternate (the breaker may trip again if it cooled down while the
  // storm still ran); each resume is followed at once by a keyframe; nothing is recorded
  // while paused.
  const markers = events.map((e, i) => [e, i]).filter(([e]) => e.kind === 'marker');
  assert.ok(markers.length >= 2 && markers.length % 2 === 0, 'paused/resumed pairs');
  for (let m = 0; m < markers.length; m += 2) {
    const [[pausedEvent, paused], [resumedEvent, resumed]] = [markers[m], markers[m + 1]];
    assert.deepEqual([pausedEvent.data, resumedEvent.data], [
      { kind: MARKER.paused, reason: 'mutation_storm' },
      { kind: MARKER.resumed, reason: 'mutation_storm' },
    ]);
    assert.equal(resumed, paused + 1, 'no events while paused');
    assert.ok(resumedEvent.ts - pausedEvent.ts >= COOLDOWN_MS, 'paused for at least the cool-down');
    assert.deepEqual(events.slice(resumed + 1, resumed + 3).map((e) => e.kind), ['meta', 'full_snapshot'],
      'a keyframe right after resuming');
  }
  const [lastResumed, lastAt] = markers.at(-1);
  assert.ok(lastResumed.ts >= stoppedAt, 'the recorder resumed after the storm stopped');
  const full = lastAt + 2;

  // The new snapshot is the whole page as it was then (the grid's 2,500 cells), and the
  // replay from it ends where the page is: stopped, with the final counters and cells.
  const snapshot = new Replica(events[full].data);
  assert.equal(snapshot.root.kind, NODE.document);
  assert.equal(snapshot.byId('storm-grid').children.length, 2_500);
  const replay = Replica.fromEvents(events);
  assert.equal(replay.text(replay.byId('storm-status').id), 'Stopped');
  assert.equal(replay.text(replay.byId('storm-frames').id), String(finalFrames));
  const live = await storm.evaluate(() => [...document.getElementById('storm-grid').children]
    .map((cell) => [cell.getAttribute('data-heat'), cell.textContent]));
  const cells = replay.byId('storm-grid').children.map((id) => replay.get(id));
  assert.deepEqual(cells.map((c) => [c.attrs['data-heat'], replay.text(c.id)]), live, 'every cell as the page shows it');

  assertQuietConsole(problems);
  await storm.close();
});
