// dashboard.html through the real recorder and server: cell updates (textContent
// replacement) are recorded as text changes on the cells' existing text nodes, the row
// added every 8 ticks and the row dropped 4 ticks later are adds and removes under
// #orders-body, the replayed table equals the live one, and the pause button stops the
// mutations until it is pressed again.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser, waitFor } from '../harness.mjs';
import {
  INTERACTION, NODE, Replica, assertContiguous, assertInOrder, assertQuietConsole,
  assertStartsWithKeyframe, flushAndRead, ofKind, openRecorded, pageNow, pageTimePasses,
} from './replay.mjs';

let server;
let browser;

useServerAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

const rowsOf = (replica) => {
  const body = replica.byId('orders-body');
  return body.children.map((id) => replica.get(id)).filter((n) => n.kind === NODE.element);
};

test('dashboard: cell text updates keep their node ids, added and removed rows are adds and removes, and the replay matches the page', async () => {
  // Paused and seeded: the test drives the ticks itself, deterministically.
  const url = `${server.base}/demo/dashboard.html?seed=42&paused=1`;
  const { page, problems, sessionId } = await openRecorded(browser, url);

  // One known cell first: row 0's "items" cell gets a new text through textContent.
  await page.evaluate(() => {
    document.getElementById('orders-body').rows[0].cells[4].textContent = '99';
  });
  // Eight ticks, each its own task (so each is its own observer callback): tick 4 puts
  // order NW-20201 on top, tick 8 drops the last row (NW-20200).
  for (let i = 0; i < 8; i++) await page.evaluate(() => window.northwindDashboard.tick());
  const live = await page.evaluate(() => [...document.getElementById('orders-body').rows]
    .map((tr) => ({ order: tr.dataset.order, cls: tr.className, cells: [...tr.cells].map((td) => td.textContent) })));
  assert.equal(live.length, 200);
  assert.equal(live[0].order, 'NW-20201');

  const { batches, events } = await flushAndRead(page, server, sessionId, (evs) =>
    evs.some((e) => e.kind === 'mutation' && e.data.removes.length > 0));
  assertContiguous(batches);
  assertStartsWithKeyframe(events, url);

  const snapshot = new Replica(events[1].data);
  const before = rowsOf(snapshot);
  assert.equal(before.length, 200, 'the snapshot holds the 200 rows');
  assert.equal(before[0].attrs['data-order'], 'NW-20001');
  const firstRow = before[0];
  const lastRow = before[199];
  assert.equal(lastRow.attrs['data-order'], 'NW-20200');
  const body = snapshot.byId('orders-body').id;
  // Text nodes of the snapshot's cells, which updates must keep.
  const cellTexts = new Set(snapshot.findAll((n) => n.kind === NODE.text, body).map((n) => n.id));

  const mutations = ofKind(events, 'mutation');
  // The known cell: a text change on its existing text node, nothing removed or added.
  const itemsCell = snapshot.get(firstRow.children[4]);
  const itemsText = itemsCell.children[0];
  assert.equal(snapshot.get(itemsText).kind, NODE.text);
  const first = mutations.find((m) => m.data.texts.some((t) => t.text === '99'));
  assert.ok(first, 'the "99" is recorded');
  assert.deepEqual(first.data.texts, [{ id: itemsText, text: '99' }], 'textContent = "99" is a text change on the old node');
  assert.deepEqual([first.data.adds, first.data.removes], [[], []]);
  assert.ok(mutations.indexOf(first) < mutations.findIndex((m) => m.data.texts.some((t) => t.id !== itemsText && cellTexts.has(t.id))),
    'before any tick');

  // The ticks changed dozens of cells: every change is a text change on a known text
  // node; no cell text was removed and re-added.
  const textChanges = mutations.flatMap((m) => m.data.texts).filter((t) => cellTexts.has(t.id));
  assert.ok(textChanges.length >= 8 * 10, `most of the 160 cell updates are text changes (${textChanges.length})`);
  const removedTexts = mutations.flatMap((m) => m.data.removes).filter((r) => cellTexts.has(r.id));
  assert.deepEqual(removedTexts, [], 'no cell text node was removed');
  assert.ok(mutations.some((m) => m.data.attributes.some((a) => a.name === 'class')), 'row highlight class toggles');

  // The new row is an add on top (before the old first row), then the last row a remove.
  assertInOrder(events, [
    ['NW-20201 added before the first row', (e) => e.kind === 'mutation' && e.data.adds.some((a) => a.parent === body
      && a.next_sibling === firstRow.id && a.node[0][0] === NODE.element && a.node[0][4]['data-order'] === 'NW-20201')],
    ['the last row removed', (e) => e.kind === 'mutation'
      && e.data.removes.some((r) => r.parent === body && r.id === lastRow.id)],
  ]);

  // The replay ends where the page is: same rows, classes and cell texts, and the
  // surviving cells still have their snapshot text nodes.
  const replay = Replica.fromEvents(events);
  const replayed = rowsOf(replay).map((tr) => ({
    order: tr.attrs['data-order'],
    cls: tr.attrs.class ?? '',
    cells: tr.children.map((td) => replay.text(td)),
  }));
  assert.deepEqual(replayed, live, 'the replayed table equals the live one');
  assert.equal(replay.has(lastRow.id), false);
  const survivor = replay.get(firstRow.id);
  assert.equal(replay.get(survivor.children[4]).children[0], itemsText, 'the cell kept its text node id');

  assertQuietConsole(problems);
  await page.close();
});

test('dashboard: the pause button stops the table mutations and resume brings them back', async () => {
  const url = `${server.base}/demo/dashboard.html?seed=7`;
  const { page, problems, sessionId } = await openRecorded(browser, url);
  const ticks = () => page.evaluate(() => Number(document.getElementById('stat-updates').textContent));

  await waitFor(async () => (await ticks()) >= 3, { message: 'three live ticks' });
  await page.click('#pause-updates');
  await page.waitForFunction(() => document.getElementById('live-indicator').textContent === 'Paused');
  const pausedAt = await ticks();
  const since = await pageNow(page);
  // Four tick periods with nothing ticking.
  await pageTimePasses(page, since, 1_000);
  assert.equal(await ticks(), pausedAt, 'the page stopped ticking');

  const paused = await flushAndRead(page, server, sessionId, (evs) =>
    evs.some((e) => e.kind === 'mutation' && e.data.texts.some((t) => t.text === 'Paused')));
  assertContiguous(paused.batches);
  assertStartsWithKeyframe(paused.events, url);
  const snapshot = new Replica(paused.events[1].data);
  const body = snapshot.byId('orders-body').id;
  const pauseButton = snapshot.byId('pause-updates').id;
  const live = snapshot.byId('live-indicator').id;

  const touching = [];
  let clickAt = -1;
  let pausedShownAt = -1;
  Replica.walk(paused.events, (event, index, replica) => {
    if (event.kind === 'mouse_interaction' && event.data.kind === INTERACTION.click && event.data.target === pauseButton) {
      clickAt = index;
    }
    if (event.kind !== 'mutation') return;
    if (replica.touches(event.data, body)) touching.push(index);
    if (pausedShownAt < 0 && event.data.texts.some((t) => replica.isWithin(t.id, live) && t.text === 'Paused')) {
      pausedShownAt = index;
    }
  });
  assert.ok(clickAt > 0, 'the click on #pause-updates is recorded');
  assert.ok(pausedShownAt > clickAt, '"Paused" is shown after the click');
  assert.ok(touching.filter((i) => i < clickAt).length >= 3, 'the table mutated while live');
  assert.deepEqual(touching.filter((i) => i > clickAt), [], 'no table mutation after the pause');

  // Resume: mutations of the table come back after the second click.
  await page.click('#pause-updates');
  await waitFor(async () => (await ticks()) >= pausedAt + 2, { message: 'ticks after resuming' });
  const resumed = await flushAndRead(page, server, sessionId, (evs) =>
    evs.filter((e) => e.kind === 'mouse_interaction' && e.data.kind === INTERACTION.click
      && e.data.target === pauseButton).length >= 2);
  assertContiguous(resumed.batches);
  const clicks = [];
  const after = [];
  Replica.walk(resumed.events, (event, index, replica) => {
    if (event.kind === 'mouse_interaction' && event.data.kind === INTERACTION.click && event.data.target === pauseButton) {
      clicks.push(index);
    }
    if (event.kind === 'mutation' && clicks.length === 2 && replica.touches(event.data, body)) after.push(index);
  });
  assert.equal(clicks.length, 2);
  assert.ok(after.length >= 1, 'the table mutates again after resuming');

  await page.evaluate(() => window.northwindDashboard.pause());
  assertQuietConsole(problems);
  await page.close();
});
