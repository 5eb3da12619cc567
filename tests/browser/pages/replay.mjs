// Shared helpers for the per-page browser tests: open a demo page with the recorder
// running, flush and read the stored session back, and replay it with a small
// in-test replayer (snapshot + mutations → a map id → node) so assertions can name
// nodes by their `id` attribute the way a viewer would find them.
//
// How the session dump renders (affidavit session dump, one JSON line per batch):
// enums are their wire tags (numbers, see the constants below), tagged values are
// `[tag, payload]`, and node trees are flat pre-order lists of records:
//   [0, id, childCount]                       document
//   [1, id, name, publicId, systemId]         doctype
//   [2, id, childCount, tag, {attrs}, svg]    element
//   [3, id, text] / [4, id, text] / [5, …]    text / comment / cdata
//   [6, id, childCount]                       shadow root (its host's first child)

import assert from 'node:assert/strict';

import { sessionDump, waitFor, watchConsole } from '../harness.mjs';

export const NODE = { document: 0, doctype: 1, element: 2, text: 3, comment: 4, cdata: 5, shadow_root: 6 };
export const NAV = { load: 0, push: 1, replace: 2, pop: 3, hash: 4 };
export const MARKER = { paused: 0, resumed: 1, limit_reached: 2 };
export const INTERACTION = {
  mouse_up: 0, mouse_down: 1, click: 2, context_menu: 3, double_click: 4, focus: 5, blur: 6,
};
export const MEDIA = { play: 0, pause: 1, seek: 2, volume: 3 };
export const INPUT = { text: 0, checked: 1, selected: 2 };
export const RULE = { insert: 0, delete: 1 };
export const SHEET = { node: 0, constructed: 1 };

/**
 * Opens `url` in a new page, waits for the recorder and returns
 * {page, problems, sessionId}. `problems` is watchConsole's live list. `options`, when
 * given, is set as window.affidavitOptions before any page script runs (the loader reads
 * it, as a page's own inline script would set it).
 */
export async function openRecorded(browser, url, { options } = {}) {
  const page = await browser.newPage();
  if (options) await page.addInitScript((o) => { window.affidavitOptions = o; }, options);
  const problems = watchConsole(page);
  await page.goto(url);
  const sessionId = await page.evaluate(async () => {
    const recorder = await window.affidavitReady;
    return recorder ? recorder.sessionId : null;
  });
  assert.ok(sessionId, `the recorder started on ${url}: ${problems.join('; ')}`);
  return { page, problems, sessionId };
}

/** window.affidavit.flush() in the page. */
export function flush(page) {
  return page.evaluate(() => window.affidavit.flush());
}

/**
 * Flushes, then polls the stored session until `until(events, batches)` holds (flushing
 * again before each poll with `reflush`); returns
 * {batches, events} (events flattened in order, each with its batch's seq).
 */
export async function flushAndRead(page, server, sessionId, until = () => true, { timeout = 15_000, message, reflush = false } = {}) {
  await flush(page);
  return waitFor(
    async () => {
      // reflush: for events the recorder makes by itself later (a timer's), flush each poll.
      if (reflush) await flush(page);
      const batches = await sessionDump(server, sessionId);
      const events = flatten(batches);
      return until(events, batches) ? { batches, events } : false;
    },
    { timeout, interval: reflush ? 200 : 50, message: message ?? `session ${sessionId} to hold the expected events` },
  );
}

/** Every event of every batch, in order, with `seq` set to its batch's. */
export function flatten(batches) {
  return batches.flatMap((b) => b.events.map((e) => ({ ...e, seq: b.seq })));
}

/** Batches are numbered 0, 1, 2, … with no gap or repeat. */
export function assertContiguous(batches) {
  assert.ok(batches.length > 0, 'at least one batch was stored');
  assert.deepEqual(
    batches.map((b) => b.seq),
    batches.map((_, i) => i),
    'batch sequence numbers are contiguous from 0',
  );
}

/** The session starts as every recording must: meta, then a full snapshot. */
export function assertStartsWithKeyframe(events, url) {
  assert.deepEqual(events.slice(0, 2).map((e) => e.kind), ['meta', 'full_snapshot']);
  if (url) assert.equal(events[0].data.url, url);
}

/** Nothing went to the console but what `allowed` (regexps) explains. */
export function assertQuietConsole(problems, allowed = []) {
  const unexpected = problems.filter((p) => !allowed.some((re) => re.test(p)));
  assert.deepEqual(unexpected, [], 'nothing unexpected went to the page console');
}

export const ofKind = (events, kind) => events.filter((e) => e.kind === kind);

/** The index of the first event at or after `from` matching `predicate`, or -1. */
export function indexAfter(events, from, predicate) {
  for (let i = Math.max(0, from); i < events.length; i++) if (predicate(events[i], i)) return i;
  return -1;
}

/**
 * Asserts that events matching each predicate appear in this order (each after the one
 * before); returns their indices.
 */
export function assertInOrder(events, steps) {
  const found = [];
  let from = 0;
  for (const [label, predicate] of steps) {
    const at = indexAfter(events, from, predicate);
    assert.ok(at >= 0, `expected ${label} after event #${from} (${found.length} earlier steps found); kinds from there: ${events.slice(from).map((e) => e.kind).join(',')}`);
    found.push(at);
    from = at + 1;
  }
  return found;
}

/**
 * A minimal replayer: the DOM as a map id → node, built from a full snapshot and kept up
 * to date by mutations. Every reference a mutation makes (parent, next sibling, removed
 * node, changed text or attribute) must name a node the replay has, or apply() throws:
 * a replay that cannot apply an event is a recorder bug.
 */
export class Replica {
  constructor(snapshotData) {
    this.nodes = new Map();
    this.root = this.#build(snapshotData.root, null);
  }

  #build(records, parent) {
    assert.ok(Array.isArray(records) && records.length > 0, 'a node list is a non-empty array');
    let root;
    // Containers waiting for children: [node, remaining].
    const open = [];
    for (const record of records) {
      const [kind, id] = record;
      assert.ok(!this.nodes.has(id), `node id ${id} is used twice`);
      const node = { id, kind, parent: null, children: [] };
      let count = 0;
      switch (kind) {
        case NODE.document:
        case NODE.shadow_root:
          count = record[2];
          break;
        case NODE.element:
          count = record[2];
          node.tag = record[3];
          node.attrs = record[4];
          node.svg = record[5];
          break;
        case NODE.doctype:
          node.name = record[2];
          break;
        case NODE.text:
        case NODE.comment:
        case NODE.cdata:
          node.text = record[2];
          break;
        default:
          assert.fail(`unknown node kind ${kind} in ${JSON.stringify(record)}`);
      }
      this.nodes.set(id, node);
      if (open.length === 0) {
        assert.equal(root, undefined, 'records follow a complete tree');
        root = node;
        node.parent = parent;
      } else {
        const top = open[open.length - 1];
        node.parent = top[0].id;
        top[0].children.push(id);
        top[1] -= 1;
        if (top[1] === 0) open.pop();
      }
      if (count > 0) open.push([node, count]);
      // Pop containers completed by leaves.
      while (open.length && open[open.length - 1][1] === 0) open.pop();
    }
    assert.equal(open.length, 0, 'the node list holds every declared child');
    return root;
  }

  get(id) {
    const node = this.nodes.get(id);
    assert.ok(node, `the replay has node ${id}`);
    return node;
  }

  has(id) {
    return this.nodes.has(id);
  }

  #forget(id) {
    const node = this.nodes.get(id);
    if (!node) return;
    for (const child of node.children) this.#forget(child);
    this.nodes.delete(id);
  }

  /** Applies one mutation event's data in the protocol's order: removes, adds, texts, attributes. */
  apply(mutation) {
    for (const { parent, id } of mutation.removes) {
      const node = this.get(id);
      assert.equal(node.parent, parent, `removed node ${id} is a child of ${parent}`);
      const siblings = this.get(parent).children;
      siblings.splice(siblings.indexOf(id), 1);
      this.#forget(id);
    }
    for (const { parent, next_sibling: next, node: records } of mutation.adds) {
      const container = this.get(parent);
      const node = this.#build(records, parent);
      if (next === null || next === undefined) {
        container.children.push(node.id);
      } else {
        const at = container.children.indexOf(next);
        assert.ok(at >= 0, `next sibling ${next} of added node ${node.id} is a child of ${parent}`);
        container.children.splice(at, 0, node.id);
      }
    }
    for (const { id, text } of mutation.texts) {
      const node = this.get(id);
      assert.ok([NODE.text, NODE.comment, NODE.cdata].includes(node.kind), `text change on a text node (${id})`);
      node.text = text;
    }
    for (const { id, name, value } of mutation.attributes) {
      const node = this.get(id);
      assert.equal(node.kind, NODE.element, `attribute change on an element (${id})`);
      if (value === null || value === undefined) delete node.attrs[name];
      else node.attrs[name] = value;
    }
  }

  /** Replays `events` in order from the last full snapshot; returns the replica. */
  static fromEvents(events) {
    const replica = Replica.walk(events, () => {});
    assert.ok(replica, 'the session has a full snapshot');
    return replica;
  }

  /**
   * Replays `events` in order, calling `visit(event, index, replica)` for each one before
   * it is applied (the replica is undefined before the first full snapshot). Returns the
   * final replica.
   */
  static walk(events, visit) {
    let replica;
    events.forEach((event, index) => {
      if (event.kind === 'full_snapshot') {
        visit(event, index, replica);
        replica = new Replica(event.data);
        return;
      }
      visit(event, index, replica);
      if (event.kind === 'mutation') {
        assert.ok(replica, 'a mutation comes after a full snapshot');
        replica.apply(event.data);
      }
    });
    return replica;
  }

  /** Whether a mutation (not applied yet) changes anything at or below `ancestor`. */
  touches(mutation, ancestor) {
    const within = (id) => this.has(id) && this.isWithin(id, ancestor);
    return mutation.removes.some((r) => within(r.parent))
      || mutation.adds.some((a) => within(a.parent))
      || mutation.texts.some((t) => within(t.id))
      || mutation.attributes.some((a) => within(a.id));
  }

  /** The element whose `id` attribute is `idAttr` (searched below `within`, or everywhere). */
  byId(idAttr, within) {
    const found = this.find((n) => n.kind === NODE.element && n.attrs.id === idAttr, within);
    assert.ok(found, `the replay has an element #${idAttr}`);
    return found;
  }

  /** The first node below (and including) `within` in tree order that matches `predicate`. */
  find(predicate, within = this.root.id) {
    const stack = [within];
    while (stack.length) {
      const node = this.nodes.get(stack.pop());
      if (!node) continue;
      if (predicate(node)) return node;
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
    return undefined;
  }

  /** Every node below (and including) `within` matching `predicate`, in tree order. */
  findAll(predicate, within = this.root.id) {
    const out = [];
    const stack = [within];
    while (stack.length) {
      const node = this.nodes.get(stack.pop());
      if (!node) continue;
      if (predicate(node)) out.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
    return out;
  }

  /** The concatenated text of a subtree (textContent, shadow roots and frames included). */
  text(id) {
    return this.findAll((n) => n.kind === NODE.text, id).map((n) => n.text).join('');
  }

  /** Whether `id` is `ancestor` or below it. */
  isWithin(id, ancestor) {
    for (let current = this.nodes.get(id); current; current = this.nodes.get(current.parent)) {
      if (current.id === ancestor) return true;
      if (current.parent === null) return false;
    }
    return false;
  }

  /** Nodes in the replica. */
  get size() {
    return this.nodes.size;
  }
}

/**
 * Waits until `ms` of page time have passed since `since` (the page's performance.now()).
 * Only for asserting that something did NOT happen during a stretch of time; anything
 * that should happen is waited for by its own condition.
 */
export async function pageTimePasses(page, since, ms) {
  await page.waitForFunction(([t0, d]) => performance.now() - t0 >= d, [since, ms], { polling: 50 });
}

/** The page's performance.now(). */
export const pageNow = (page) => page.evaluate(() => performance.now());
