// Comparing a replayed page with the page it was recorded from.
//
// `normalizedDom` runs inside a browser page (it is passed to page.evaluate, so it must
// not reach anything outside itself) and turns a document into lines, one per node, with
// what recording and replay may legitimately change normalized away:
//   - form state (`value`, `checked`, `selected` attributes: the recorder writes the
//     current, masked state there) and textarea contents (masked);
//   - <script> attributes and contents (never captured), comment text (masked), inline
//     handlers;
//   - <style> and stylesheet <link> compared by their CSSOM rules, not their text (the
//     recorder sends the live rules; a replayed link gets its text as a data: URL);
//   - attributes the replay keeps under `data-affidavit-replay-NAME` mapped back to NAME;
//   - URLs compared resolved (the recorder makes them absolute);
//   - blocked elements compared by tag only (the replay draws a placeholder);
//   - frames still on an empty about:blank count as having no document.
// Masked text in the replay (`******`, `[email]`, `[card]`, `[iban]`) matches any text;
// `compareDom` does that.

export function normalizedDom(which) {
  const doc = which === 'replay'
    ? document.getElementById('replay-frame').contentDocument
    : document;
  const RENAMED = 'data-affidavit-replay-';
  const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'poster', 'background', 'data']);
  const FORM_STATE = new Set(['value', 'checked', 'selected']);
  const FORM_TAGS = new Set(['input', 'textarea', 'select', 'option']);
  const lines = [];
  const rulesOf = (sheet) => {
    try {
      return [...sheet.cssRules].map((r) => r.cssText).join(' ');
    } catch {
      return '<unreadable>';
    }
  };
  // The viewer's own adopted sheet (placeholders) is not the page's.
  const adopted = (target) => (target.adoptedStyleSheets || [])
    .map(rulesOf)
    .filter((text) => !text.includes('data-affidavit-blocked'));
  const isBlank = (d) => !d || !d.documentElement
    || (d.URL === 'about:blank' && (!d.body || d.body.childNodes.length === 0));
  const attributes = (el, base) => {
    const out = [];
    for (const a of el.attributes) {
      let name = a.name;
      let value = a.value;
      if (name.startsWith(RENAMED)) name = name.slice(RENAMED.length);
      else if (el.hasAttribute(RENAMED + name)) continue;
      if (/^on/i.test(name)) continue;
      if (FORM_STATE.has(name) && FORM_TAGS.has(el.localName)) continue;
      // Fragment-only links stay relative to whatever page shows them.
      if (URL_ATTRS.has(name) && value && !/^(#|data:|blob:|javascript:)/i.test(value)) {
        try {
          value = new URL(value, base).href;
        } catch {
          // not a URL: compare as is
        }
      }
      out.push(`${name}=${JSON.stringify(value)}`);
    }
    return out.sort().join(' ');
  };
  const walk = (node, depth, base) => {
    const pad = ' '.repeat(depth);
    switch (node.nodeType) {
      case Node.DOCUMENT_NODE: {
        lines.push(`${pad}#document`);
        const sheets = adopted(node);
        if (sheets.length) lines.push(`${pad} adopted: ${sheets.join(' | ')}`);
        for (const child of node.childNodes) walk(child, depth + 1, node.baseURI);
        return;
      }
      case Node.DOCUMENT_TYPE_NODE:
        lines.push(`${pad}<!DOCTYPE ${node.name}>`);
        return;
      case Node.TEXT_NODE:
      case Node.CDATA_SECTION_NODE:
        lines.push(`${pad}#text ${JSON.stringify(node.data)}`);
        return;
      case Node.COMMENT_NODE:
        lines.push(`${pad}#comment`);
        return;
      case Node.ELEMENT_NODE:
        break;
      default:
        return;
    }
    const el = node;
    const tag = el.localName;
    if (el.hasAttribute('data-affidavit-block') || el.hasAttribute('data-affidavit-blocked')) {
      lines.push(`${pad}<${tag}> [blocked]`);
      return;
    }
    // Scripts are recorded as bare elements: no attributes, no contents.
    const attrs = tag === 'script' ? '' : attributes(el, base);
    lines.push(`${pad}<${tag}${attrs ? ` ${attrs}` : ''}>`);
    if ((tag === 'style' || tag === 'link') && el.sheet) lines.push(`${pad} rules: ${rulesOf(el.sheet)}`);
    if (tag === 'script' || tag === 'style' || tag === 'textarea') return;
    if (el.shadowRoot) {
      lines.push(`${pad} #shadow-root`);
      const sheets = adopted(el.shadowRoot);
      if (sheets.length) lines.push(`${pad}  adopted: ${sheets.join(' | ')}`);
      for (const child of el.shadowRoot.childNodes) walk(child, depth + 2, base);
    }
    for (const child of el.childNodes) walk(child, depth + 1, base);
    if (tag === 'iframe' || tag === 'frame') {
      let frameDoc = null;
      try {
        frameDoc = el.contentDocument;
      } catch {
        // cross-origin: never recorded
      }
      if (!isBlank(frameDoc)) walk(frameDoc, depth + 1, base);
    }
  };
  walk(doc, 0, doc.baseURI);
  return lines;
}

/** Whether every stylesheet link of the replay (frames included) has loaded its sheet. */
export function replayStylesLoaded() {
  const docs = [document.getElementById('replay-frame').contentDocument];
  const pending = [];
  while (docs.length) {
    const doc = docs.pop();
    if (!doc) continue;
    for (const link of doc.querySelectorAll('link[rel~=stylesheet]')) {
      if (!link.sheet) pending.push(link);
    }
    for (const frame of doc.querySelectorAll('iframe, frame')) {
      try {
        docs.push(frame.contentDocument);
      } catch {
        // cross-origin
      }
    }
  }
  return pending.length === 0;
}

const MASK_TOKEN = /\*{2,}|\[(email|card|iban)\]/g;

/** The replayed line as a pattern: masked parts match anything. */
function linePattern(line) {
  let pattern = '';
  let last = 0;
  for (const match of line.matchAll(MASK_TOKEN)) {
    pattern += escape(line.slice(last, match.index)) + '[\\s\\S]*?';
    last = match.index + match[0].length;
  }
  return new RegExp(`^${pattern}${escape(line.slice(last))}$`);
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Compares the original page's lines with the replay's; returns null when they match,
 * else a message with the first difference and the lines around it.
 */
export function compareDom(original, replayed) {
  const n = Math.max(original.length, replayed.length);
  for (let i = 0; i < n; i++) {
    const a = original[i];
    const b = replayed[i];
    if (a === b) continue;
    if (a !== undefined && b !== undefined && MASK_TOKEN.test(b)) {
      MASK_TOKEN.lastIndex = 0;
      if (linePattern(b).test(a)) continue;
    }
    MASK_TOKEN.lastIndex = 0;
    const from = Math.max(0, i - 3);
    const show = (lines) => lines.slice(from, i + 4).map((l, k) => `${from + k === i ? '>' : ' '} ${l}`).join('\n');
    return `DOMs differ at line ${i} (original ${original.length} lines, replay ${replayed.length}):\n`
      + `--- original\n${show(original)}\n--- replay\n${show(replayed)}`;
  }
  return null;
}
