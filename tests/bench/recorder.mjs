// The recorder's benchmark: what it costs a page and what it sends. Not a test: it
// prints a report and, with --write-benchmarks, rewrites the "Recorder" section of
// BENCHMARKS.md. Every comparison is made side by side in one run (ratios), because
// these machines are shared and noisy.
//
//   node tests/bench/recorder.mjs [--seconds 30] [--memory-minutes 1] [--runs 5] [--write-benchmarks]
//
// Measures, through the real server and headless Chromium:
//   1. bundle: every file a page downloads, raw / gzip -9 / brotli;
//   2. first snapshot of the 5,000-node page (big.html), against the browser's own
//      serializer (outerHTML) on the same page;
//   3. main-thread time on the www workloads with and without the recorder (CDP task
//      and script duration), and the recorder's own count of its time;
//   4. bytes on the wire per minute per workload, at several zstd levels;
//   5. memory over a long run of a page that adds and removes nodes (wasm memory, JS
//      heap after GC, DOM nodes).

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';

import { launchBrowser, repoRoot, startServer } from '../browser/harness.mjs';
import { machine, writeSection } from './report.mjs';
import { workloads } from './workloads.mjs';

const args = parseArgs(process.argv.slice(2));
const SECONDS = Number(args.seconds ?? 30);
const MEMORY_MINUTES = Number(args['memory-minutes'] ?? 1);
const RUNS = Number(args.runs ?? 5);
const recorderDir = process.env.AFFIDAVIT_ASSETS__RECORDER_DIR ?? path.join(repoRoot, 'dist/recorder');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[name] = true;
    else out[name] = argv[++i];
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const kb = (n) => (n / 1024).toFixed(1);
const ms = (n) => n.toFixed(1);

async function bundle() {
  const files = (await readdir(recorderDir)).filter((f) => /\.(m?js|wasm)$/.test(f)).sort();
  const rows = [];
  for (const file of files) {
    const bytes = await readFile(path.join(recorderDir, file));
    rows.push({
      file,
      raw: bytes.length,
      gzip: zlib.gzipSync(bytes, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(bytes, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
      }).length,
    });
  }
  const total = (key) => rows.reduce((sum, r) => sum + r[key], 0);
  rows.push({ file: '**total**', raw: total('raw'), gzip: total('gzip'), brotli: total('brotli') });
  return rows;
}

/** Loads a page with the recorder (or without, when its script is blocked). */
async function open(browser, url, { record = true, options } = {}) {
  const page = await browser.newPage();
  if (!record) await page.route('**/affidavit.js', (route) => route.abort());
  if (options) {
    await page.addInitScript((o) => {
      window.affidavitOptions = o;
    }, options);
  }
  const bytes = { sent: 0, requests: 0 };
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/ingest') {
      bytes.sent += request.postDataBuffer()?.length ?? 0;
      bytes.requests += 1;
    }
  });
  await page.goto(url);
  if (record) {
    await page.evaluate(async () => {
      if (!(await window.affidavitReady)) throw new Error('the recorder did not start');
    });
  }
  return { page, bytes };
}

async function firstSnapshot(browser, server) {
  const recorder = [];
  const native = [];
  const seal = [];
  let nodes = 0;
  let bytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const { page } = await open(browser, `${server.base}/demo/big.html`);
    const result = await page.evaluate(async () => {
      const stats = window.affidavit.stats();
      const start = performance.now();
      const html = document.documentElement.outerHTML;
      const took = performance.now() - start;
      await window.affidavit.flush();
      const sealed = window.affidavit.stats();
      return {
        snapshot: stats.lastSnapshotMs,
        outerHtml: took,
        seal: sealed.maxSealMs,
        bytes: sealed.bytesSealed,
        nodes: document.getElementsByTagName('*').length,
      };
    });
    recorder.push(result.snapshot);
    native.push(result.outerHtml);
    seal.push(result.seal);
    bytes = result.bytes;
    nodes = result.nodes;
    await page.close();
  }
  return { recorder: median(recorder), native: median(native), seal: median(seal), bytes, nodes, runs: RUNS };
}

async function mainThread(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return {
    async read() {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const get = (name) => metrics.find((m) => m.name === name)?.value ?? 0;
      return { task: get('TaskDuration') * 1000, script: get('ScriptDuration') * 1000 };
    },
  };
}

/** Runs one workload for SECONDS with and without the recorder, interleaved. */
async function workload(browser, server, work, { options, record = true } = {}) {
  const { page, bytes } = await open(browser, `${server.base}/demo/${work.page}`, { record, options });
  const probe = await mainThread(page);
  const statsBefore = record ? await page.evaluate(() => window.affidavit.stats()) : null;
  const before = await probe.read();
  const bytesBefore = bytes.sent;
  const started = Date.now();
  await work.run(page, SECONDS * 1000);
  if (record) await page.evaluate(() => window.affidavit.flush());
  const elapsedMin = (Date.now() - started) / 60_000;
  const after = await probe.read();
  const statsAfter = record ? await page.evaluate(() => window.affidavit.stats()) : null;
  await page.close();
  return {
    taskMsPerMin: (after.task - before.task) / elapsedMin,
    scriptMsPerMin: (after.script - before.script) / elapsedMin,
    recorderMsPerMin: record
      ? (statsAfter.captureMs + statsAfter.sealMs - statsBefore.captureMs - statsBefore.sealMs) / elapsedMin
      : 0,
    sealMsPerMin: record ? (statsAfter.sealMs - statsBefore.sealMs) / elapsedMin : 0,
    maxSealMs: record ? statsAfter.maxSealMs : 0,
    bytesPerMin: (bytes.sent - bytesBefore) / elapsedMin,
    eventsPerMin: record ? (statsAfter.events - statsBefore.events) / elapsedMin : 0,
  };
}

async function memory(browser, server) {
  const { page } = await open(browser, `${server.base}/demo/feed.html`);
  const cdp = await page.context().newCDPSession(page);
  const samples = [];
  const sample = async (minute) => {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const dom = await cdp.send('Memory.getDOMCounters');
    const stats = await page.evaluate(() => window.affidavit.stats());
    const churned = await page.evaluate(() => window.northwindFeed.added);
    samples.push({ minute, heap: heap.usedSize, wasm: stats.wasmMemoryBytes, nodes: dom.nodes, churned, events: stats.events });
  };
  await page.evaluate(() => window.northwindFeed.start());
  const total = MEMORY_MINUTES * 60_000;
  const every = Math.max(5_000, total / 10);
  const started = Date.now();
  await sample(0);
  while (Date.now() - started < total) {
    await page.waitForTimeout(Math.min(every, total - (Date.now() - started)));
    await sample((Date.now() - started) / 60_000);
  }
  await page.close();
  return samples;
}

async function main() {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const report = { machine: machine(), seconds: SECONDS };
    report.bundle = await bundle();
    report.snapshot = await firstSnapshot(browser, server);
    report.workloads = [];
    for (const work of workloads) {
      const without = await workload(browser, server, work, { record: false });
      const withRecorder = await workload(browser, server, work);
      report.workloads.push({ name: work.name, without, with: withRecorder });
      process.stderr.write(`workload ${work.name} done\n`);
    }
    report.levels = [];
    const dashboard = workloads.find((w) => w.name === 'dashboard');
    for (const level of [1, 2, 3, 4]) {
      const run = await workload(browser, server, dashboard, { options: { batching: { compressionLevel: level } } });
      report.levels.push({ level, ...run });
    }
    report.memory = await memory(browser, server);
    const text = render(report);
    process.stdout.write(text);
    if (args['write-benchmarks']) await writeSection('recorder', 'Recorder', 'tests/bench/recorder.mjs', text);
  } finally {
    await browser.close();
    await server.cleanup();
  }
}

function render(r) {
  const lines = [];
  const command = `bash scripts/bench-recorder --seconds ${SECONDS} --memory-minutes ${MEMORY_MINUTES} --runs ${RUNS}`;
  lines.push(`Command: \`${command}\``, '', `Machine: ${r.machine}`, '');
  lines.push('**Bundle** (what a page downloads; the server compresses on the wire):', '');
  lines.push('| file | raw KB | gzip KB | brotli KB |', '| --- | ---: | ---: | ---: |');
  for (const b of r.bundle) lines.push(`| ${b.file} | ${kb(b.raw)} | ${kb(b.gzip)} | ${kb(b.brotli)} |`);
  lines.push('');
  const s = r.snapshot;
  lines.push(
    `**First snapshot** of big.html (${s.nodes} elements), median of ${s.runs} loads: ` +
      `${ms(s.recorder)} ms in the recorder (serialize, mask, assign ids) vs ${ms(s.native)} ms for the browser's own ` +
      `\`outerHTML\` of the same page: ${(s.recorder / s.native).toFixed(1)}×. Sealing that first batch ` +
      `(encode + zstd + persist) took ${ms(s.seal)} ms for ${kb(s.bytes)} KB compressed.`,
    '',
  );
  lines.push(`**Workloads**, ${r.seconds} s each, without and with the recorder (per minute of activity):`, '');
  lines.push(
    '| workload | main thread ms/min without | with | added | recorder\'s own ms/min (of which seal) | longest seal ms | events/min | KB on the wire/min |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const w of r.workloads) {
    lines.push(
      `| ${w.name} | ${ms(w.without.taskMsPerMin)} | ${ms(w.with.taskMsPerMin)} | ${ms(w.with.taskMsPerMin - w.without.taskMsPerMin)} ` +
        `(${((w.with.taskMsPerMin / w.without.taskMsPerMin - 1) * 100).toFixed(0)}%) | ${ms(w.with.recorderMsPerMin)} (${ms(w.with.sealMsPerMin)}) | ${ms(w.with.maxSealMs)} | ` +
        `${w.with.eventsPerMin.toFixed(0)} | ${kb(w.with.bytesPerMin)} |`,
    );
  }
  lines.push('');
  lines.push('**zstd level** on the dashboard workload (the busiest):', '');
  lines.push('| level | KB on the wire/min | seal ms/min | recorder ms/min |', '| ---: | ---: | ---: | ---: |');
  for (const l of r.levels) lines.push(`| ${l.level} | ${kb(l.bytesPerMin)} | ${ms(l.sealMsPerMin)} | ${ms(l.recorderMsPerMin)} |`);
  lines.push('');
  lines.push(`**Memory** while feed.html adds and removes nodes for ${MEMORY_MINUTES} min (after a forced GC at each sample):`, '');
  lines.push('| minute | nodes added so far | events | wasm memory KB | JS heap KB | DOM nodes |', '| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const m of r.memory) {
    lines.push(`| ${m.minute.toFixed(1)} | ${m.churned} | ${m.events} | ${kb(m.wasm)} | ${kb(m.heap)} | ${m.nodes} |`);
  }
  lines.push('');
  return lines.join('\n');
}

await main();
