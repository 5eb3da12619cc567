// checkout.html through the real recorder and server: typing into every kind of field
// records input events on the right nodes with masked values (sensitive fields and, by
// default, ordinary ones too), the show-password toggle leaves the field masked, the
// ignored coupon search records nothing, and placing the order records the click and
// then the mutation that adds the confirmation.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser } from '../harness.mjs';
import {
  INPUT, INTERACTION, Replica, assertContiguous, assertInOrder, assertQuietConsole,
  assertStartsWithKeyframe, flushAndRead, ofKind, openRecorded,
} from './replay.mjs';

let server;
let browser;

useServerAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

// What the test types: distinctive, so a leak anywhere in the stored session is found.
const TYPED = {
  'full-name': 'Quokka Zanzibar',
  email: 'quokka.zanzibar@example.org',
  phone: '+44 20 7946 0999',
  password: 'Hunter2-Marmalade',
  'password-confirm': 'Hunter2-Marmalade',
  'card-number': '5555 5555 5555 4444',
  'card-expiry': '11/31',
  'card-cvc': '737',
  otp: '918273',
  'delivery-notes': 'Behind the blue gate, ring twice',
};
const AFTER_TOGGLE = 'VisiblePass-Walrus';
const COUPON_QUERY = 'ZQXWV';  // matches no coupon

test('checkout: masked input events on every field, the toggle keeps the password masked, and the order confirmation is a mutation after the click', async () => {
  const url = `${server.base}/demo/checkout.html`;
  const { page, problems, sessionId } = await openRecorded(browser, url);

  for (const [id, text] of Object.entries(TYPED)) {
    await page.locator(`#${id}`).pressSequentially(text);
  }
  // Show the password, then retype it while it is type=text.
  await page.click('#toggle-password');
  await page.waitForFunction(() => document.getElementById('password').type === 'text');
  await page.fill('#password', '');
  await page.locator('#password').pressSequentially(AFTER_TOGGLE);
  await page.locator('#coupon-search').pressSequentially(COUPON_QUERY);
  await page.check('#shipping-express');
  await page.check('#newsletter');
  await page.selectOption('#country', 'FR');
  await page.fill('#tip', '15');
  await page.click('#place-order');
  await page.waitForSelector('#order-confirmation');

  const { batches, events } = await flushAndRead(page, server, sessionId, (evs) =>
    evs.some((e) => e.kind === 'mutation' && JSON.stringify(e.data.adds).includes('order-confirmation')));

  assertContiguous(batches);
  assertStartsWithKeyframe(events, url);
  const snapshot = new Replica(events[1].data);
  const idOf = (idAttr) => snapshot.byId(idAttr).id;

  // Every typed field: input events targeting it, each value masked (never the text).
  const inputs = ofKind(events, 'input');
  for (const id of Object.keys(TYPED)) {
    const mine = inputs.filter((e) => e.data.target === idOf(id));
    assert.ok(mine.length > 0, `input recorded on #${id}`);
    for (const e of mine) {
      assert.equal(e.data.value[0], INPUT.text, `#${id} records text`);
      // (The password is also emptied once, before it is retyped: empty stays empty.)
      const allowed = id === 'password' ? ['******', ''] : ['******'];
      assert.ok(allowed.includes(e.data.value[1]), `#${id} is masked: ${JSON.stringify(e.data.value)}`);
    }
  }
  // The fields were typed in this order, so their first input events are in this order.
  assertInOrder(events, Object.keys(TYPED).map((id) => [
    `input on #${id}`, (e) => e.kind === 'input' && e.data.target === idOf(id),
  ]));

  // The toggle: click, the type attribute becomes text, then input on the now-text field
  // is still masked (it was a password once).
  const password = idOf('password');
  const [, , afterToggle] = assertInOrder(events, [
    ['click on #toggle-password', (e) => e.kind === 'mouse_interaction' && e.data.kind === INTERACTION.click
      && e.data.target === idOf('toggle-password')],
    ['type=text on #password', (e) => e.kind === 'mutation'
      && e.data.attributes.some((a) => a.id === password && a.name === 'type' && a.value === 'text')],
    ['masked input on the shown password', (e) => e.kind === 'input' && e.data.target === password
      && e.data.value[1] === '******'],
  ]);
  assert.ok(
    inputs.filter((e) => e.data.target === password).every((e) => ['', '******'].includes(e.data.value[1])),
    'the password is masked before and after the toggle',
  );
  assert.ok(afterToggle > 0);

  // The ignored coupon search records no input, while its result list still mutates.
  assert.equal(inputs.filter((e) => e.data.target === idOf('coupon-search')).length, 0, 'ignored input not recorded');
  // Checkbox and radio record their checked state; the masked select records nothing.
  assert.ok(inputs.some((e) => e.data.target === idOf('shipping-express')
    && e.data.value[0] === INPUT.checked && e.data.value[1] === true), 'radio checked');
  assert.ok(inputs.some((e) => e.data.target === idOf('newsletter')
    && e.data.value[0] === INPUT.checked && e.data.value[1] === true), 'checkbox checked');
  assert.equal(inputs.filter((e) => e.data.target === idOf('country')).length, 0, 'masked select not recorded');
  assert.ok(inputs.some((e) => e.data.target === idOf('tip') && e.data.value[1] === '******'), 'range masked');

  // Placing the order: the click, then a mutation adding #order-confirmation under #order-result.
  const orderResult = idOf('order-result');
  const [clickAt, addAt] = assertInOrder(events, [
    ['click on #place-order', (e) => e.kind === 'mouse_interaction' && e.data.kind === INTERACTION.click
      && e.data.target === idOf('place-order')],
    ['the confirmation added', (e) => e.kind === 'mutation' && e.data.adds.some((a) => a.parent === orderResult
      && a.node.some((r) => r[0] === 2 && r[4].id === 'order-confirmation'))],
  ]);
  assert.ok(addAt > clickAt);

  // The replayed page at the end shows the confirmation and the relabelled button, and the
  // button's text node kept its id (a text change, not remove + add).
  const replay = Replica.fromEvents(events);
  const confirmation = replay.byId('order-confirmation');
  assert.ok(replay.isWithin(confirmation.id, orderResult));
  assert.match(replay.text(confirmation.id), /^Order placed — order NW-10042, total £\d+\.\d\d\. A receipt/);
  const button = replay.byId('place-order');
  assert.equal(replay.text(button.id), 'Place another order');
  assert.deepEqual(button.children, snapshot.get(idOf('place-order')).children, 'the button kept its text node');
  assert.equal(replay.get(password).attrs.type, 'text');

  // Nothing typed is anywhere in the stored session.
  const stored = JSON.stringify(batches);
  // (Short digit strings are left out: they could occur in any timestamp.)
  for (const text of [...Object.values(TYPED), AFTER_TOGGLE, COUPON_QUERY].filter((t) => t.length >= 5)) {
    assert.ok(!stored.includes(text), `"${text}" never leaves the page`);
  }

  assertQuietConsole(problems);
  await page.close();
});
