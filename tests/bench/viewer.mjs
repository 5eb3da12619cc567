// The viewer's benchmark (BENCHMARKS.md, "Viewer"): how long seeking takes in a long
// session, with the goal of ≤ 200 ms anywhere in a 30-minute recording.
//
// The session is a real recording: dashboard.html (200 rows, ~20 cells changing every
// 250 ms, rows added and dropped) under the real recorder and server, with the page's
// clock faked by Playwright and run forward minute by minute, so 30 minutes of activity
// (and the recorder's keyframe every 5 minutes) take a few seconds of wall time. A
// pointer moves and clicks every few seconds so the timeline has activity.
//
// Each seek is timed in the viewer page from the call to a forced layout of the
// replayed page (what it takes before the moment can be drawn): random offsets, plus
// the worst case for keyframe seeking, the moment just before each keyframe.
//
// Usage: node tests/bench/viewer.mjs [--minutes 30] [--seeks 40] [--write-benchmarks]

import assert from 'node:assert/strict';

import { launchBrowser, startServer } from '../browser/harness.mjs';
import { openReplay, settledVerification, signIn } from '../browser/viewer/replay.mjs';
import { machine, writeSection } from './report.mjs';

function parseArgs(argv) {
  const out = { minutes: 30, seeks: 40, 'write-benchmarks': false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i].replace(/^--/, '');
    if (arg === 'write-benchmarks') out[arg] = true;
    else if (arg in out) out[arg] = Number(argv[++i]);
    else throw new Error(`unknown option --${arg} (use --minutes N, --seeks N, --write-benchmarks)`);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));

/** Records `minutes` of the live dashboard; returns {sessionId, recordSeconds}. */
async function record(browser, server) {
  const page = await browser.newPage();
  await page.clock.install({ time: Date.now() });
  await page.goto(`${server.base}/demo/dashboard.html?seed=7`);
  const sessionId = await page.evaluate(async () => (await window.affidavitReady).sessionId);
  const started = Date.now();
  for (let minute = 0; minute < args.minutes; minute++) {
    for (let step = 0; step < 12; step++) {
      await page.mouse.move(100 + ((minute * 37 + step * 53) % 900), 150 + ((step * 71) % 500));
      if (step % 4 === 0) await page.mouse.click(300 + step * 20, 240 + minute % 200);
      await page.clock.runFor(5_000);
    }
    await page.evaluate(() => window.affidavit.flush());
    process.stderr.write(`recorded minute ${minute + 1}\n`);
  }
  const stats = await page.evaluate(() => window.affidavit.stats());
  await page.close();
  return { sessionId, recordSeconds: (Date.now() - started) / 1000, stats };
}

/** A small seeded generator, so runs seek to the same offsets. */
function offsets(count, duration) {
  let x = 0x2545f491;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  return Array.from({ length: count }, () => Math.floor(next() * duration));
}

const timeSeek = (page, offset) => page.evaluate((ms) => {
  const frame = document.getElementById('replay-frame');
  const t0 = performance.now();
  window.affidavitViewer.seekToOffset(ms);
  frame.contentDocument.body?.getBoundingClientRect();
  return performance.now() - t0;
}, offset);

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

async function main() {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const recorded = await record(browser, server);
    const viewer = await browser.newPage();
    await signIn(viewer, server);
    const loadStart = Date.now();
    await openReplay(viewer, server, recorded.sessionId);
    const loadedMs = Date.now() - loadStart;
    const verified = await settledVerification(viewer);
    const verifiedMs = Date.now() - loadStart;
    assert.equal(verified.status, 'verified', verified.problems.join('; '));
    const state = await viewer.evaluate(() => window.affidavitViewer.state());
    const keyframeOffsets = await viewer.evaluate(() => window.affidavitViewer.keyframeOffsets());

    const random = [];
    for (const offset of offsets(args.seeks, state.durationMs)) random.push(await timeSeek(viewer, offset));
    // Just before each keyframe: the most events to apply after a rebuild.
    const worst = [];
    for (const k of keyframeOffsets.slice(1)) worst.push(await timeSeek(viewer, Math.max(0, k - 1)));
    worst.push(await timeSeek(viewer, state.durationMs));
    const after = await viewer.evaluate(() => window.affidavitViewer.state());
    assert.equal(after.warningCount, 0, `every event applied: ${after.warnings.join('; ')}`);

    const report = {
      machine: machine(),
      recorded,
      state,
      keyframes: keyframeOffsets.length,
      loadedMs,
      verifiedMs,
      random: summary(random),
      worst: summary(worst),
    };
    const text = render(report);
    process.stdout.write(text);
    if (args['write-benchmarks']) await writeSection('viewer', 'Viewer', 'tests/bench/viewer.mjs', text);
  } finally {
    await browser.close();
    await server.cleanup();
  }
}

function render(r) {
  const ms = (v) => v.toFixed(1);
  const minutes = (r.state.durationMs / 60_000).toFixed(1);
  const line = (label, s) => `| ${label} | ${s.n} | ${ms(s.median)} | ${ms(s.p95)} | ${ms(s.max)} |`;
  const worstMax = Math.max(r.random.max, r.worst.max);
  return [
    `Command: \`bash scripts/bench-viewer --minutes ${args.minutes} --seeks ${args.seeks}\``,
    '',
    `Machine: ${r.machine}`,
    '',
    `**Session**: dashboard.html recorded for ${minutes} min of page time (fake clock; ${r.recorded.recordSeconds.toFixed(0)} s of wall time): ` +
      `${r.state.events} events in ${r.recorded.stats.batchesSealed} batches, ${r.keyframes} keyframes, ` +
      `${(r.recorded.stats.bytesSealed / 1024).toFixed(0)} KB compressed.`,
    '',
    `**Opening** it: ${ms(r.loadedMs)} ms until the replay showed (events fetched, decoded, first keyframe built), ` +
      `${ms(r.verifiedMs)} ms until verified (every payload hashed, the chain walked, every inclusion proof and the signature of the ` +
      `checkpoint of ${r.state.problems[0]?.match(/size \d+/)?.[0] ?? 'unknown size'} checked).`,
    '',
    '**Seeking** (from the call to a laid-out page, ms):',
    '',
    '| seeks | n | median | p95 | max |',
    '| --- | ---: | ---: | ---: | ---: |',
    line('random offsets', r.random),
    line('just before each keyframe, and the end', r.worst),
    '',
    `Goal ≤ 200 ms anywhere: ${worstMax <= 200 ? `met (slowest ${ms(worstMax)} ms)` : `missed by ${ms(worstMax - 200)} ms (slowest ${ms(worstMax)} ms)`}.`,
    '',
  ].join('\n');
}

await main();
