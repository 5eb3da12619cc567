// Looking inside what the recorder produced, independently of the server's ingest
// path: request bodies and persisted outboxes decompressed by `affidavit decode`
// (Node 20 has no zstd), the page's Web Storage, the raw files of a data directory,
// and byte searches for secrets in clear, UTF-16 and base64. Used by the privacy,
// offline and reload tests.

import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import { affidavitBin, repoRoot, sessionDump } from './harness.mjs';

/** The environment for the CLI: no AFFIDAVIT_… tooling variables it would refuse. */
function cliEnv(dataDir) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AFFIDAVIT_') && k !== 'DATABASE_URL') env[k] = v;
  }
  if (dataDir) env.AFFIDAVIT_DATA_DIR = dataDir;
  return env;
}

/**
 * One batch body (a zstd frame) through `affidavit decode`: with raw, the decompressed
 * MessagePack as a Buffer; otherwise the decoded batch {project, session, seq,
 * started_at, events: [{kind, ts, data}]}. Rejects when the bytes are not a batch.
 */
export function decodeBody(body, { raw = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(affidavitBin, raw ? ['decode', '--raw'] : ['decode'], {
      cwd: repoRoot,
      env: cliEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`affidavit decode exited ${code}: ${Buffer.concat(err).toString()}`));
        return;
      }
      const bytes = Buffer.concat(out);
      resolve(raw ? bytes : JSON.parse(bytes.toString('utf8')));
    });
    child.stdin.end(body);
  });
}

/** Every session the server stored, each dumped: [{sessionId, batches, text}]. */
export async function dumpAllSessions(server) {
  const { stdout } = await promisify(execFile)(affidavitBin, ['session', 'list'], {
    cwd: repoRoot,
    env: cliEnv(server.dataDir),
  });
  const ids = stdout.split('\n').filter(Boolean).map((line) => line.split('\t')[0]);
  const sessions = [];
  for (const sessionId of ids) {
    const batches = await sessionDump(server, sessionId);
    sessions.push({ sessionId, batches, text: batches.map((b) => JSON.stringify(b)).join('\n') });
  }
  return sessions;
}

/** The page's Web Storage: {local: {key: value}, session: {key: value}}. */
export function webStorage(page) {
  return page.evaluate(() => {
    const read = (storage) => {
      const out = {};
      for (let i = 0; i < storage.length; i += 1) {
        const key = storage.key(i);
        out[key] = storage.getItem(key);
      }
      return out;
    };
    return { local: read(localStorage), session: read(sessionStorage) };
  });
}

/**
 * The batches persisted in localStorage outboxes (decision 0008's format: a header
 * line, then `seq events base64` per batch): [{key, session, seq, events, bytes}].
 */
export function persistedBatches(storage) {
  const batches = [];
  for (const [key, value] of Object.entries(storage.local)) {
    if (!key.startsWith('affidavit:outbox:')) continue;
    const [header, ...lines] = value.split('\n');
    const session = header.split(' ')[1];
    for (const line of lines) {
      const [seq, events, b64] = line.split(' ');
      batches.push({ key, session, seq: Number(seq), events: Number(events), bytes: Buffer.from(b64, 'base64') });
    }
  }
  return batches;
}

/** The outbox of `sessionId` as the page persisted it: its batches' seqs. */
export async function persistedSeqs(page, sessionId) {
  const storage = await webStorage(page);
  return persistedBatches(storage).filter((b) => b.session === sessionId).map((b) => b.seq);
}

/** Every regular file below `dir`: [{file, bytes}]. */
export async function filesBelow(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    out.push({ file, bytes: await readFile(file) });
  }
  return out;
}

/**
 * The byte patterns that would betray `secret` in a file: the UTF-8 text itself, its
 * UTF-16LE and UTF-16BE forms, and the part of its base64 that does not depend on
 * the bytes around it, at each of the three alignments.
 */
export function encodings(secret) {
  const text = Buffer.from(secret, 'utf8');
  const patterns = [
    { how: 'utf-8', bytes: text },
    { how: 'utf-16le', bytes: Buffer.from(secret, 'utf16le') },
    { how: 'utf-16be', bytes: Buffer.from(secret, 'utf16le').swap16() },
  ];
  for (let shift = 0; shift < 3; shift += 1) {
    const encoded = Buffer.concat([Buffer.alloc(shift), text]).toString('base64');
    // The first group mixes in the padding bytes when shifted; the last group (and
    // its `=`) depends on whatever follows the secret.
    const start = shift === 0 ? 0 : 4;
    const end = Math.floor(encoded.replace(/=+$/, '').length / 4) * 4 - 4;
    if (end - start >= 8) {
      patterns.push({ how: `base64/${shift}`, bytes: Buffer.from(encoded.slice(start, end), 'ascii') });
    }
  }
  return patterns;
}

/**
 * Where any of `secrets` occurs in `bytes` (a Buffer or a string): a list of
 * "`secret` as utf-16le in <where>". `deep` also looks for UTF-16 and base64 forms.
 */
export function findSecrets(bytes, secrets, where, { deep = false } = {}) {
  const haystack = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  const found = [];
  for (const secret of secrets) {
    const patterns = deep ? encodings(secret) : [{ how: 'utf-8', bytes: Buffer.from(secret, 'utf8') }];
    for (const { how, bytes: pattern } of patterns) {
      const at = haystack.indexOf(pattern);
      if (at >= 0) {
        const context = haystack.subarray(Math.max(0, at - 40), at + pattern.length + 40).toString('latin1');
        found.push(`${JSON.stringify(secret)} as ${how} in ${where} at byte ${at}: …${JSON.stringify(context)}…`);
      }
    }
  }
  return found;
}

/** Whether `text` (Buffer or string) contains `marker` in clear. */
export function contains(bytes, marker) {
  const haystack = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  return haystack.includes(Buffer.from(marker, 'utf8'));
}

/**
 * Serves the page and the recorder's files to `context` from copies fetched now, so a
 * page can load (and reload) while the server is down; /v1/ingest still goes to the
 * network. `urls` are absolute; returns a function that removes the route.
 */
export async function cacheAssets(context, urls) {
  const cache = new Map();
  for (const url of urls) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot fetch ${url}: ${response.status}`);
    cache.set(url, {
      status: 200,
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      body: Buffer.from(await response.arrayBuffer()),
    });
  }
  const handler = (route) => {
    const hit = cache.get(route.request().url());
    return hit ? route.fulfill(hit) : route.fallback();
  };
  const matcher = (url) => cache.has(url.href);
  await context.route(matcher, handler);
  return () => context.unroute(matcher, handler);
}
