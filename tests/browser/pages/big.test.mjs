// big.html through the real recorder and server: the ~5,000 nodes built before the
// snippet are all in the first full snapshot, which decodes, replays to the same node
// count as the live page, and holds every catalogue card.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useServerAndBrowser } from '../harness.mjs';
import {
  NODE, Replica, assertContiguous, assertQuietConsole, assertStartsWithKeyframe, flushAndRead,
  openRecorded,
} from './replay.mjs';

let server;
let browser;

useServerAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

test('big: the first full snapshot holds all of the 5,000-node page', async () => {
  const url = `${server.base}/demo/big.html`;
  const { page, problems, sessionId } = await openRecorded(browser, url);
  // What the recorder should see: every node, except that scripts are recorded without
  // their code (their text children are left out).
  const live = await page.evaluate(() => {
    let nodes = 1; // the document itself
    const walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!(node.parentNode && node.parentNode.nodeName === 'SCRIPT')) nodes++;
    }
    return { nodes, counted: Number(document.body.dataset.nodeCount) };
  });
  assert.ok(live.counted >= 5_000, `the page built its nodes (${live.counted})`);

  await page.waitForFunction(() => document.getElementById('recorder-status').textContent === 'Recording with Affidavit');
  const { batches, events } = await flushAndRead(page, server, sessionId, (evs) =>
    evs.some((e) => e.kind === 'mutation' && e.data.texts.some((t) => t.text === 'Recording with Affidavit')));
  assertContiguous(batches);
  assertStartsWithKeyframe(events, url);
  assert.equal(batches[0].events[1].kind, 'full_snapshot', 'the snapshot is in batch 0');
  assert.equal(events.filter((e) => e.kind === 'full_snapshot').length, 1, 'one snapshot');

  const snapshot = new Replica(events[1].data);
  assert.ok(snapshot.size >= 5_000, `the snapshot holds ≥ 5,000 nodes (${snapshot.size})`);
  assert.equal(snapshot.size, live.nodes, 'the snapshot holds every node of the page');
  assert.equal(snapshot.root.kind, NODE.document);

  // Every one of the 236 cards, with its content.
  const cards = snapshot.findAll((n) => n.kind === NODE.element && n.tag === 'article', snapshot.byId('catalogue').id);
  assert.equal(cards.length, 236);
  assert.deepEqual(cards.map((c) => c.attrs.id), Array.from({ length: 236 }, (_, i) => `item-NW-${1000 + i}`));
  const last = snapshot.byId('item-NW-1235');
  assert.match(snapshot.text(last.id), /NW-1235/);
  assert.equal(snapshot.findAll((n) => n.kind === NODE.element && n.tag === 'li', last.id).length, 3);
  assert.equal(snapshot.byId('node-count').children.length, 1);
  assert.equal(snapshot.text(snapshot.byId('node-count').id), live.counted.toLocaleString('en-GB'));

  // The page's own later changes still replay on top of it.
  const replay = Replica.fromEvents(events);
  assert.equal(replay.text(replay.byId('recorder-status').id), 'Recording with Affidavit');

  assertQuietConsole(problems);
  await page.close();
});
