// The sentinel test (decision 0007): distinct secrets typed into every kind of sensitive
// field of the demo checkout, or put into masked and blocked page content by script,
// never leave the page's JavaScript heap. Checked in every place a byte could end up:
//   (a) every POST /v1/ingest body the page sent, decompressed by `affidavit decode`;
//   (b) every file in the server's data directory (SQLite db and -wal), raw, and every
//       stored batch decoded by `affidavit session dump`;
//   (c) the page's localStorage / sessionStorage, whose outbox batches (base64 zstd) are
//       decoded too — the server is stopped while the secrets are typed, so every batch
//       holding them sits in the persisted outbox when it is read.
// Each place is also shown to hold a visible marker, so a search that sees nothing
// cannot pass by accident. A second page load with maskAllInputs: false shows the
// always-sensitive fields stay masked while an ordinary field's value is recorded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { captureIngest, sessionDump, useServerAndBrowser, waitFor, watchConsole } from './harness.mjs';
import {
  contains, decodeBody, dumpAllSessions, filesBelow, findSecrets, persistedBatches, webStorage,
} from './inspect.mjs';

const RUN = randomBytes(4).toString('hex');
/** A secret no page or recorder could produce by chance; all share the SNTL prefix. */
const secret = (what) => `SNTL-${what}-${RUN}q`;
/** Any SNTL in decompressed data is a leak, even a prefix typed key by key. */
const PREFIX = 'SNTL';
const CARD = '4111 1111 1111 1111';

/**
 * Secrets the page itself holds: the hidden field's value, the prefilled value, the
 * masked address, the blocked ID card, and PII in prose (scrubbed by maskPii).
 */
const PAGE_SECRETS = [
  'nw-csrf-7f3a9c2e1b5d4a60',
  'prefilled@example.com',
  '42 Harbour Lane',
  'X1234567',
  '14 Mar 1991',
  'support@northwind.example',
  CARD,
  CARD.replaceAll(' ', ''),
];

/** Options for fast flushes and a keyframe every 1.5 s (so typed values are snapshotted). */
const BASE_OPTIONS = {
  batching: { flushIntervalMs: 200, retryBaseMs: 100, retryMaxMs: 400 },
  capture: { keyframeIntervalMs: 1500 },
};

let server;
let browser;

useServerAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

async function type(page, selector, text) {
  const field = page.locator(selector);
  await field.click();
  await field.press('End'); // append to what is there, wherever the click put the caret
  await field.pressSequentially(text);
}

/** Page-script changes to masked and blocked content, so mutations are covered too. */
async function mutateProtectedContent(page, secrets) {
  await page.evaluate((s) => {
    const $ = (id) => document.getElementById(id);
    // A hidden input's value property is its value attribute: an attribute mutation.
    $('csrf').value = s.hidden;
    // A field's value attribute set by script.
    $('card-number').setAttribute('value', s.cardAttr);
    $('prefilled-email').setAttribute('value', s.prefilledAttr);
    // A textarea's text content is its default value.
    $('delivery-notes').textContent = s.textareaText;
    // data-affidavit-mask: replaced text, a changed text node, an added element, attributes.
    const address = $('shipping-address');
    address.textContent = s.maskText;
    address.firstChild.data = s.maskData;
    const span = document.createElement('span');
    span.textContent = ` ${s.maskAdded}`;
    span.title = s.maskTitle;
    address.appendChild(span);
    address.setAttribute('aria-label', s.maskLabel);
    // data-affidavit-block: added text, changed text, attributes on it and inside it.
    const block = $('id-preview');
    const note = document.createElement('p');
    note.textContent = s.blockAdded;
    block.appendChild(note);
    block.querySelector('dd').textContent = s.blockText;
    block.setAttribute('title', s.blockTitle);
    block.querySelector('svg').setAttribute('aria-label', s.blockInner);
  }, secrets);
}

/** Visible page text and a track event: both must be found wherever we look. */
async function addMarkers(page, markers) {
  await page.evaluate((m) => {
    const p = document.createElement('p');
    p.id = 'visible-marker';
    p.textContent = m.text;
    document.querySelector('main').appendChild(p);
    window.affidavit.track(m.track, { ok: true });
  }, markers);
}

/**
 * Loads the checkout with `options`, stops the server, runs `act` (which types and
 * mutates), waits until the persisted outbox holds a keyframe taken after `act` (so
 * the typed values went through the snapshot path too, not only input events), checks Web Storage, brings the server back, waits until everything is
 * stored, stops recording, and returns what the checks need.
 */
async function recordCheckout({ options, act, markers, secrets }) {
  const page = await browser.newPage();
  const problems = watchConsole(page);
  const ingest = captureIngest(page);
  await page.addInitScript((o) => {
    window.affidavitOptions = o;
  }, options);
  await page.goto(`${server.base}/demo/checkout.html`);
  const sessionId = await page.evaluate(async () => {
    const recorder = await window.affidavitReady;
    if (!recorder) throw new Error('the recorder did not start');
    await recorder.flush();
    return recorder.sessionId;
  });
  await waitFor(async () => (await sessionDump(server, sessionId)).length > 0, { message: 'seq 0 stored' });

  await server.stop();
  await act(page);
  await addMarkers(page, markers);
  const actedAt = await page.evaluate(() => Date.now());

  // Everything typed is now in sealed batches that cannot be delivered: the persisted
  // outbox must hold them, including a keyframe (full snapshot of the typed form).
  let storage;
  await waitFor(
    async () => {
      await page.evaluate(() => window.affidavit.flush());
      storage = await webStorage(page);
      const mine = persistedBatches(storage).filter((b) => b.session === sessionId);
      const decoded = await Promise.all(mine.map((b) => decodeBody(b.bytes)));
      const events = decoded.flatMap((b) => b.events);
      return events.some((e) => e.kind === 'full_snapshot' && e.ts > actedAt)
        && events.some((e) => e.kind === 'track' && e.data.name === markers.track);
    },
    { timeout: 20_000, interval: 250, message: 'a keyframe after typing in the persisted outbox' },
  );
  const persisted = persistedBatches(storage);

  await server.restart();
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await waitFor(
    async () => contains(JSON.stringify(await sessionDump(server, sessionId)), markers.text),
    { timeout: 20_000, interval: 200, message: 'the marker to be stored' },
  );
  // Stop recording (no more keyframes) and wait until the outbox is empty.
  await page.evaluate(() => window.affidavit.stop());
  await waitFor(
    async () => persistedBatches(await webStorage(page)).filter((b) => b.session === sessionId).length === 0,
    { timeout: 20_000, interval: 200, message: 'the outbox to drain' },
  );
  const finalStorage = await webStorage(page);
  await page.close();
  assert.deepEqual(problems.filter((p) => p.startsWith('uncaught')), [], 'no page errors');
  return { sessionId, storage, persisted, finalStorage, bodies: ingest.bodies() };
}

/**
 * Looks for `secrets` everywhere and returns the leaks; asserts that `markers` were seen
 * everywhere and that input events with masked values were recorded on `maskedFields`
 * fields.
 */
async function scanEverywhere(recorded, { secrets, markers, maskedFields }) {
  const { sessionId, storage, persisted, finalStorage, bodies } = recorded;
  const leaks = [];
  const clear = [PREFIX, ...secrets];

  // (a) Request bodies as the page sent them.
  assert.ok(bodies.length >= 3, `the page sent batches (${bodies.length})`);
  const decompressedBodies = [];
  for (const [i, body] of bodies.entries()) {
    leaks.push(...findSecrets(body, secrets, `request body ${i} (compressed)`, { deep: true }));
    const msgpack = await decodeBody(body, { raw: true });
    decompressedBodies.push(msgpack);
    leaks.push(...findSecrets(msgpack, clear, `request body ${i} (decompressed)`));
  }
  for (const marker of markers) {
    assert.ok(
      decompressedBodies.some((b) => contains(b, marker)),
      `the visible marker ${marker} is in a decompressed request body (the search can see)`,
    );
  }

  // (c) Web Storage while the secrets were queued, and after everything was sent.
  assert.ok(persisted.some((b) => b.session === sessionId), 'the outbox held batches while the server was down');
  for (const [label, snapshot] of [['while queued', storage], ['at the end', finalStorage]]) {
    for (const area of ['local', 'session']) {
      for (const [key, value] of Object.entries(snapshot[area])) {
        leaks.push(...findSecrets(`${key}\n${value}`, secrets, `${area}Storage ${key} ${label}`, { deep: true }));
      }
    }
  }
  const persistedMsgpack = [];
  for (const batch of persisted) {
    const where = `persisted batch ${batch.seq} of ${batch.key}`;
    leaks.push(...findSecrets(batch.bytes, secrets, `${where} (compressed)`, { deep: true }));
    const msgpack = await decodeBody(batch.bytes, { raw: true });
    persistedMsgpack.push(msgpack);
    leaks.push(...findSecrets(msgpack, clear, `${where} (decompressed)`));
  }
  for (const marker of markers) {
    assert.ok(persistedMsgpack.some((b) => contains(b, marker)), `${marker} is in the persisted outbox`);
  }

  // (b) What the server stored: every session decoded, then every file raw.
  const sessions = await dumpAllSessions(server);
  const mine = sessions.find((s) => s.sessionId === sessionId);
  assert.ok(mine, 'the session is stored');
  for (const marker of markers) assert.ok(contains(mine.text, marker), `${marker} is in the stored session`);
  // The typing was seen (as input events on that many fields), only never in clear.
  const inputs = mine.batches.flatMap((b) => b.events).filter((e) => e.kind === 'input');
  const maskedTargets = new Set(inputs.filter((e) => e.data.value[1] === '******').map((e) => e.data.target));
  assert.equal(maskedTargets.size, maskedFields, `input events with masked values on ${maskedFields} fields`);
  for (const s of sessions) leaks.push(...findSecrets(s.text, clear, `session dump ${s.sessionId}`));
  await server.stop(); // so the database files hold everything (WAL checkpointed or not)
  try {
    const files = await filesBelow(server.dataDir);
    assert.ok(files.some((f) => f.file.endsWith('.sqlite3')), 'the data directory holds the database');
    for (const { file, bytes } of files) {
      leaks.push(...findSecrets(bytes, secrets, file, { deep: true }));
    }
  } finally {
    await server.restart();
  }
  return leaks;
}

test('no sentinel typed or scripted into sensitive checkout content leaves the page', async () => {
  const s = {
    name: secret('NAME'),
    email: secret('EMAIL'),
    phone: secret('PHONE'),
    password: secret('PW'),
    passwordShown: secret('PWSHOWN'),
    newPassword: secret('NEWPW'),
    cardText: secret('CARD'),
    expiry: secret('EXP'),
    cvc: secret('CVC'),
    otp: secret('OTP'),
    textarea: secret('NOTES'),
    coupon: secret('COUPON'),
    prefilled: secret('PREFILL'),
    hidden: secret('HIDDEN'),
    cardAttr: secret('CARDATTR'),
    prefilledAttr: secret('PREATTR'),
    textareaText: secret('NOTESTEXT'),
    maskText: secret('MASKTEXT'),
    maskData: secret('MASKDATA'),
    maskAdded: secret('MASKADD'),
    maskTitle: secret('MASKTITLE'),
    maskLabel: secret('MASKLABEL'),
    blockAdded: secret('BLOCKADD'),
    blockText: secret('BLOCKTEXT'),
    blockTitle: secret('BLOCKTITLE'),
    blockInner: secret('BLOCKINNER'),
  };
  const markers = { text: `VISIBLE-TEXT-${RUN}`, track: `visible-track-${RUN}` };

  const recorded = await recordCheckout({
    options: BASE_OPTIONS,
    markers,
    secrets: s,
    act: async (page) => {
      await type(page, '#full-name', s.name);
      await type(page, '#email', s.email);
      await type(page, '#phone', s.phone);
      await type(page, '#password', s.password);
      await page.locator('#toggle-password').click();
      assert.equal(await page.locator('#password').getAttribute('type'), 'text', 'the toggle shows the password');
      await type(page, '#password', s.passwordShown);
      await type(page, '#password-confirm', s.newPassword);
      await type(page, '#card-number', CARD);
      await type(page, '#card-number', ` ${s.cardText}`);
      await type(page, '#card-expiry', s.expiry);
      await type(page, '#card-cvc', s.cvc);
      await type(page, '#otp', s.otp);
      await type(page, '#delivery-notes', `${s.textarea}\nsecond line`);
      await type(page, '#coupon-search', s.coupon);
      await type(page, '#prefilled-email', s.prefilled);
      await mutateProtectedContent(page, s);
      assert.equal(
        await page.locator('#password').inputValue(),
        s.password + s.passwordShown,
        'typing reached the fields',
      );
    },
  });

  const leaks = await scanEverywhere(recorded, {
    secrets: [...Object.values(s), ...PAGE_SECRETS],
    markers: [markers.text, markers.track],
    // Every field typed into but the ignored coupon search, which records no input.
    maskedFields: 11,
  });
  assert.ok(leaks.length === 0, `secrets left the page:\n${leaks.join('\n')}`);
});

test('with maskAllInputs: false, sensitive fields stay masked and an ordinary field is recorded', async () => {
  const s = {
    password: secret('U-PW'),
    passwordShown: secret('U-PWSHOWN'),
    newPassword: secret('U-NEWPW'),
    cardText: secret('U-CARD'),
    expiry: secret('U-EXP'),
    cvc: secret('U-CVC'),
    otp: secret('U-OTP'),
    textarea: secret('U-NOTES'),
    coupon: secret('U-COUPON'),
    hidden: secret('U-HIDDEN'),
    maskedInput: secret('U-MASKINPUT'),
    cardAttr: secret('U-CARDATTR'),
    prefilledAttr: 'prefilled-again@example.com',
    textareaText: secret('U-NOTESTEXT'),
    maskText: secret('U-MASKTEXT'),
    maskData: secret('U-MASKDATA'),
    maskAdded: secret('U-MASKADD'),
    maskTitle: secret('U-MASKTITLE'),
    maskLabel: secret('U-MASKLABEL'),
    blockAdded: secret('U-BLOCKADD'),
    blockText: secret('U-BLOCKTEXT'),
    blockTitle: secret('U-BLOCKTITLE'),
    blockInner: secret('U-BLOCKINNER'),
  };
  const plain = `PLAIN-NAME-${RUN}`;
  const markers = { text: `VISIBLE-UNMASKED-${RUN}`, track: `visible-unmasked-${RUN}` };

  const recorded = await recordCheckout({
    options: { ...BASE_OPTIONS, privacy: { maskAllInputs: false } },
    markers,
    secrets: s,
    act: async (page) => {
      await type(page, '#full-name', plain);
      await type(page, '#password', s.password);
      await page.locator('#toggle-password').click();
      await type(page, '#password', s.passwordShown);
      await type(page, '#password-confirm', s.newPassword);
      await type(page, '#card-number', CARD);
      await type(page, '#card-number', ` ${s.cardText}`);
      await type(page, '#card-expiry', s.expiry);
      await type(page, '#card-cvc', s.cvc);
      await type(page, '#otp', s.otp);
      await type(page, '#delivery-notes', s.textarea);
      await type(page, '#coupon-search', s.coupon);
      await mutateProtectedContent(page, s);
      // An ordinary text field inside data-affidavit-mask: masked as its text would be.
      await page.evaluate(() => {
        const input = document.createElement('input');
        input.id = 'masked-input';
        document.getElementById('shipping-address').appendChild(input);
      });
      await type(page, '#masked-input', s.maskedInput);
    },
  });

  const leaks = await scanEverywhere(recorded, {
    secrets: [...Object.values(s), ...PAGE_SECRETS],
    markers: [markers.text, markers.track, plain],
    // Every field typed into but the full name (recorded in clear) and the coupon search.
    maskedFields: 8,
  });
  assert.ok(leaks.length === 0, `secrets left the page:\n${leaks.join('\n')}`);
});
