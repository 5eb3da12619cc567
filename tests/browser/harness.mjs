// Browser-test harness: the real `affidavit` binary on a fresh data directory, the
// machine's Chromium driven by playwright-core, and ways to see what the recorder
// sent (the POST bodies as the page sent them, and the batches as the server stored
// and decodes them via `affidavit session dump`).
//
// Environment: AFFIDAVIT_TEST_BIN (default target/debug/affidavit, relative to the repo
// root), CHROMIUM (default /usr/bin/chromium), AFFIDAVIT_ASSETS__… (passed to the
// server, e.g. AFFIDAVIT_ASSETS__RECORDER_DIR for another recorder build).

import { spawn, execFile } from 'node:child_process';
import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const affidavitBin = path.resolve(repoRoot, process.env.AFFIDAVIT_TEST_BIN ?? 'target/debug/affidavit');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

// SETUP.md: what this Chromium needs to run headless in a container, offline.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** Servers still running, killed if the test process exits without stopping them. */
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The environment the binary sees: ours, minus DATABASE_URL and every AFFIDAVIT_…
 * variable except AFFIDAVIT_ASSETS__… (a developer's own settings must not leak into a
 * test, and tests must not reach a real database), plus the test's own settings. AFFIDAVIT_ASSETS__RECORDER_DIR passes through, so a run can test a
 * recorder built elsewhere (AFFIDAVIT_RECORDER_OUT of scripts/build-recorder).
 */
function serverEnv(dataDir, extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    const passes = !k.startsWith('AFFIDAVIT_') || k.startsWith('AFFIDAVIT_ASSETS__');
    if (passes && k !== 'DATABASE_URL') env[k] = v;
  }
  return {
    ...env,
    AFFIDAVIT_DATA_DIR: dataDir,
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
    ...extra,
  };
}

/**
 * Starts `affidavit serve --demo` on 127.0.0.1 and waits until it prints its URLs.
 * Options: dataDir (default: a fresh temp dir, removed by cleanup()), port (default:
 * any free one), env (extra AFFIDAVIT_… settings, e.g. {AFFIDAVIT_ASSETS__WWW_DIR}).
 * Returns {base, key, admin: {user, password}, dataDir, port, stop(), restart(), cleanup(), logs()}: restart()
 * starts the binary again on the same port and data dir (for offline/retry tests).
 */
export async function startServer({ dataDir, port = 0, env = {} } = {}) {
  const ownDir = !dataDir;
  dataDir ??= await mkdtemp(path.join(tmpdir(), 'affidavit-browser-'));
  const server = {
    dataDir,
    base: undefined,
    key: undefined,
    port: undefined,
    child: undefined,
    output: [],
    logs() {
      return this.output.join('');
    },
    async stop() {
      const child = this.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM'); // graceful: in-flight batches are finished first
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      running.delete(child);
    },
    async restart() {
      await this.stop();
      await launch(this, this.port, env);
    },
    async cleanup() {
      await this.stop();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  await launch(server, port, env);
  return server;
}

async function launch(server, port, env) {
  const child = spawn(
    affidavitBin,
    ['serve', '--bind', `127.0.0.1:${port}`, '--demo'],
    { cwd: repoRoot, env: serverEnv(server.dataDir, env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  server.child = child;
  let stdout = '';
  child.stderr.on('data', (d) => server.output.push(d.toString()));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`affidavit did not start within ${STARTUP_TIMEOUT_MS} ms:\n${stdout}${server.logs()}`)),
      STARTUP_TIMEOUT_MS,
    );
    child.stdout.on('data', (d) => {
      stdout += d.toString();
      server.output.push(d.toString());
      // The last line serve prints once everything else is.
      if (stdout.includes('Stop with Ctrl-C')) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${affidavitBin}: ${e.message} (build it: cargo build -p ingest-server --bin affidavit)`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`affidavit exited (${code ?? signal}) before it was ready:\n${stdout}${server.logs()}`));
    });
  });
  const printed = await ready;
  const base = /^\s*demo site\s+(\S+)\/demo\/\s*$/m.exec(printed)?.[1];
  const key = /write key (\S+)\)/.exec(printed)?.[1];
  if (!base || !key) throw new Error(`cannot find the demo site URL and write key in:\n${printed}`);
  server.base = base;
  server.key = key;
  // The first start of a data directory creates the admin and prints its password
  // once; a restart keeps the one it learned.
  const login = /^\s*login\s+(\S+) \/ (\S+)/m.exec(printed);
  if (login) server.admin = { user: login[1], password: login[2] };
  server.port = Number(new URL(base).port);
}

/**
 * The machine's Chromium with a fresh profile. Returns {context, newPage(), close()};
 * close() also removes the profile.
 */
export async function launchBrowser({ args = [] } = {}) {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'affidavit-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
  });
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The session's stored batches, decoded by the server's own code: an array of
 * {seq, events: [{kind, ts, data}]} in seq order. Throws (with the command's stderr)
 * when the session has no batches yet, so waitFor() keeps polling.
 */
export async function sessionDump(server, sessionId) {
  const { stdout } = await promisify(execFile)(
    affidavitBin,
    ['session', 'dump', sessionId],
    { cwd: repoRoot, env: serverEnv(server.dataDir, {}), maxBuffer: 256 * 1024 * 1024 },
  ).catch((e) => {
    throw new Error(`affidavit session dump ${sessionId} failed: ${e.stderr || e.message}`);
  });
  return stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/**
 * Polls until predicate() returns something truthy and returns it. A throw counts
 * as "not yet"; on timeout the last error (or `message`) is reported.
 */
export async function waitFor(predicate, { timeout = 15_000, interval = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${lastError ? `: ${lastError.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/**
 * Records every POST /v1/ingest the page makes (fetch, keepalive or beacon):
 * returns {requests: [{url, headers, body: Buffer}], bodies(): Buffer[]}.
 */
export function captureIngest(page) {
  const requests = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/ingest') {
      requests.push({ url: request.url(), headers: request.headers(), body: request.postDataBuffer() ?? Buffer.alloc(0) });
    }
  });
  return { requests, bodies: () => requests.map((r) => r.body) };
}

/**
 * Collects what would show in the page's console as a problem: console errors and
 * warnings, uncaught exceptions, and failed requests. Returns the live array.
 */
export function watchConsole(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return problems;
}

/** The test-only pages in tests/browser/fixtures/, served as the demo site. */
export const FIXTURES = { AFFIDAVIT_ASSETS__WWW_DIR: path.join(repoRoot, 'tests/browser/fixtures') };

/**
 * One server (startServer(options)) and one browser for a test file: registers the
 * before/after hooks and hands both to `use` once they are up.
 */
export function useServerAndBrowser(options, use) {
  let server;
  let browser;
  before(async () => {
    server = await startServer(options);
    browser = await launchBrowser();
    use(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.cleanup();
  });
}

/** The session id of the page's recorder, once it started (throws if it could not). */
export function recordingSession(page) {
  return page.evaluate(async () => {
    const recorder = await window.affidavitReady;
    if (!recorder) throw new Error('the recorder did not start');
    return recorder.sessionId;
  });
}
