// spa.html through the real recorder and server: client-side routing records
// navigation events (replace, push, hash, pop) in order with their URLs, each route
// change re-renders #spa-view as mutations, and the app's track() and identify() calls
// arrive with their data.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser, watchConsole } from '../harness.mjs';
import {
  NAV, NODE, Replica, assertContiguous, assertInOrder, assertQuietConsole, assertStartsWithKeyframe,
  flushAndRead, ofKind, openRecorded,
} from './replay.mjs';

let server;
let browser;

useServerAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

const route = (page) => page.locator('#spa-route').textContent();

/** The route flow every test here drives: replace, push, track, hash, back, back, push, identify. */
async function runFlow(page, at) {
  await page.waitForSelector('#product-list');
  await page.click('#sort-price'); // replaceState
  await page.waitForURL(at('?route=list&sort=price'));
  await page.click('#product-link-NW-1'); // pushState
  await page.waitForSelector('#product-detail[data-sku="NW-1"]');
  await page.click('#add-to-cart'); // track('added_to_cart', {sku: 'NW-1', qty: 2})
  await page.waitForFunction(() => document.getElementById('cart-count').textContent === 'Cart: 2');
  await page.click('#link-reviews'); // an ordinary #hash link
  await page.waitForURL(at('?route=detail&sku=NW-1#reviews'));
  await page.goBack(); // popstate, back to the detail without the hash
  await page.waitForURL(at('?route=detail&sku=NW-1'));
  await page.goBack(); // popstate, back to the sorted list
  await page.waitForFunction(() => document.getElementById('spa-route').textContent === 'list');
  await page.click('#nav-settings'); // pushState
  await page.waitForSelector('#settings-name');
  assert.equal(await route(page), 'settings');
  await page.click('#login-button'); // identify('user-42', {plan: 'pro'})
  await page.waitForFunction(() => document.getElementById('user-badge').textContent === 'user-42 · Pro');
}

const expectedNavigations = (at) => [
  [NAV.replace, at('?route=list&sort=price')],
  [NAV.push, at('?route=detail&sku=NW-1')],
  [NAV.hash, at('?route=detail&sku=NW-1#reviews')],
  [NAV.pop, at('?route=detail&sku=NW-1')],
  [NAV.pop, at('?route=list&sort=price')],
  [NAV.push, at('?route=settings')],
];

test('spa: replace, push, hash and pop navigations in order with their URLs, route changes as mutations, track and identify with their data', async () => {
  const url = `${server.base}/demo/spa.html`;
  const at = (query) => `${server.base}/demo/spa.html${query}`;
  const { page, problems, sessionId } = await openRecorded(browser, url);
  await runFlow(page, at);

  const { batches, events } = await flushAndRead(page, server, sessionId, (evs) =>
    evs.some((e) => e.kind === 'identify'));
  assertContiguous(batches);
  assertStartsWithKeyframe(events, url);

  const navigations = ofKind(events, 'navigation');
  assert.deepEqual(
    navigations.map((e) => [e.data.kind, e.data.url]),
    expectedNavigations(at),
    'exactly these navigations, in this order',
  );

  // track and identify, with their data, where they happened in the flow.
  const [track] = ofKind(events, 'track');
  assert.deepEqual(track.data, { name: 'added_to_cart', data: { sku: 'NW-1', qty: 2 } });
  const [identify] = ofKind(events, 'identify');
  assert.deepEqual(identify.data, { user_id: 'user-42', traits: { plan: 'pro' } });
  assert.equal(ofKind(events, 'track').length, 1);
  assert.equal(ofKind(events, 'identify').length, 1);

  // Each route change is followed by the mutation that renders it: #spa-route's text
  // and the view's new content.
  const snapshot = new Replica(events[1].data);
  const view = snapshot.byId('spa-view').id;
  const routeText = snapshot.byId('spa-route').children[0];
  const rendersRoute = (name, marker) => (e) => e.kind === 'mutation'
    && e.data.texts.some((t) => t.id === routeText && t.text === name)
    && e.data.adds.some((a) => a.parent === view && a.node.some((r) => r[0] === NODE.element && r[4].id === marker));
  const isNav = (kind, to) => (e) => e.kind === 'navigation' && e.data.kind === kind && e.data.url === to;
  assertInOrder(events, [
    ['replace to the price sort', isNav(NAV.replace, at('?route=list&sort=price'))],
    ['push to the detail', isNav(NAV.push, at('?route=detail&sku=NW-1'))],
    ['the detail rendered', rendersRoute('detail', 'product-detail')],
    ['track', (e) => e.kind === 'track'],
    ['hash to #reviews', isNav(NAV.hash, at('?route=detail&sku=NW-1#reviews'))],
    ['pop to the detail', isNav(NAV.pop, at('?route=detail&sku=NW-1'))],
    ['pop to the list', isNav(NAV.pop, at('?route=list&sort=price'))],
    ['the list rendered', rendersRoute('list', 'product-list')],
    ['push to settings', isNav(NAV.push, at('?route=settings'))],
    ['settings rendered', rendersRoute('settings', 'settings-name')],
    ['identify', (e) => e.kind === 'identify'],
  ]);

  // The replay ends on the settings view, logged in, the old views gone.
  const replay = Replica.fromEvents(events);
  assert.equal(replay.text(replay.byId('spa-route').id), 'settings');
  assert.equal(replay.text(replay.byId('user-badge').id), 'user-42 · Pro');
  assert.equal(replay.text(replay.byId('cart-count').id), 'Cart: 2');
  assert.ok(replay.byId('settings-name'));
  assert.equal(replay.find((n) => n.kind === NODE.element && n.attrs.id === 'product-detail'), undefined);
  assert.equal(replay.find((n) => n.kind === NODE.element && n.attrs.id === 'product-list'), undefined);

  assertQuietConsole(problems);
  await page.close();
});

test('spa: without the Navigation API (older browsers) the same navigations are told apart from popstate', async () => {
  const url = `${server.base}/demo/spa.html`;
  const at = (query) => `${server.base}/demo/spa.html${query}`;
  const page = await browser.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(window, 'navigation', { value: undefined, configurable: true });
  });
  const problems = watchConsole(page);
  await page.goto(url);
  const sessionId = await page.evaluate(async () => (await window.affidavitReady)?.sessionId);
  assert.ok(sessionId, 'the recorder started');
  assert.equal(await page.evaluate(() => window.navigation), undefined);
  await runFlow(page, at);

  const { batches, events } = await flushAndRead(page, server, sessionId, (evs) =>
    evs.some((e) => e.kind === 'identify'));
  assertContiguous(batches);
  assert.deepEqual(
    ofKind(events, 'navigation').map((e) => [e.data.kind, e.data.url]),
    expectedNavigations(at),
  );
  assertQuietConsole(problems);
  await page.close();
});
