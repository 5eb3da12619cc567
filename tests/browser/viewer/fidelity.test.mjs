// Every demo page recorded through the real server and replayed in the real viewer:
// the replayed DOM must equal the page's own at each marked moment and at the end
// (normalized as dom.mjs explains), with every recorded event applied.

import { test } from 'node:test';

import { useServerAndBrowser } from '../harness.mjs';
import { openRecorded } from '../pages/replay.mjs';
import { assertFaithful, markMoment, openReplay, signIn } from './replay.mjs';

let server;
let browser;
let viewer;

useServerAndBrowser({}, (s, b) => {
  server = s;
  browser = b;
});

/**
 * Records `path` (with `options` for the recorder), runs `script(page, mark)` where
 * `mark(name)` marks a moment, marks the end, and checks the replay at every moment.
 */
async function recordAndCompare(path, script, { options } = {}) {
  const { page, sessionId } = await openRecorded(browser, `${server.base}/demo/${path}`, { options });
  const moments = [await markMoment(page, 'start')];
  await script(page, async (name) => moments.push(await markMoment(page, name)));
  moments.push(await markMoment(page, 'end'));
  await page.evaluate(() => window.affidavit.flush());
  await page.close();
  if (!viewer) {
    viewer = await browser.newPage();
    await signIn(viewer, server);
  }
  await openReplay(viewer, server, sessionId);
  await assertFaithful(viewer, moments);
}

test('index: the page as loaded', async () => {
  await recordAndCompare('index.html', async () => {});
});

test('checkout: typing, the show-password toggle, choices and the order confirmation', async () => {
  await recordAndCompare('checkout.html', async (page, mark) => {
    await page.fill('#full-name', 'Jordan Avery');
    await page.fill('#email', 'jordan@example.com');
    await page.fill('#password', 'correct horse battery');
    await page.click('#toggle-password');
    await mark('password shown');
    await page.selectOption('#country', 'FR');
    await page.check('#shipping-express');
    await page.check('#newsletter');
    await page.fill('#delivery-notes', 'Leave it with the neighbour at no. 12');
    await page.fill('#coupon-search', 'spring');
    await mark('form filled');
    await page.click('#place-order');
    await page.waitForSelector('#order-confirmation');
  });
});

test('dashboard: cell updates, added and removed rows, pause and resume', async () => {
  await recordAndCompare('dashboard.html?seed=42&paused=1', async (page, mark) => {
    for (let i = 0; i < 5; i++) await page.evaluate(() => window.northwindDashboard.tick());
    await mark('after 5 ticks');
    for (let i = 0; i < 5; i++) await page.evaluate(() => window.northwindDashboard.tick());
    await mark('after 10 ticks');
    await page.click('#pause-updates');
    await page.waitForFunction(() => Number(document.getElementById('stat-updates').textContent.replace(/\D/g, '')) >= 14);
    await page.click('#pause-updates');
    await mark('after running live');
  });
});

test('spa: route changes with pushState, replaceState, hash links and back/forward', async () => {
  await recordAndCompare('spa.html', async (page, mark) => {
    await page.click('#sort-price');
    await page.click('#product-link-NW-1');
    await page.waitForSelector('#product-detail');
    await page.click('#add-to-cart');
    await mark('detail');
    await page.click('#nav-settings');
    await page.waitForSelector('#settings-name');
    await page.click('#login-button');
    await page.click('#link-privacy');
    await mark('settings');
    await page.goBack(); // #privacy → settings
    await page.goBack();
    await page.waitForSelector('#product-detail');
    await page.goBack();
    await page.waitForSelector('#product-list');
  });
});

test('shadow: shadow root, same-origin frame, CSSOM rules, adopted sheets, media and scroll', async () => {
  await recordAndCompare('shadow.html', async (page, mark) => {
    await page.waitForFunction(() => document.getElementById('demo-frame').contentDocument?.getElementById('frame-button'));
    await page.evaluate(() => document.getElementById('promo-card').shadowRoot.getElementById('shadow-button').click());
    await page.click('#css-insert-rule');
    await page.click('#css-insert-rule');
    await mark('rules inserted');
    await page.click('#css-delete-rule');
    await page.click('#adopted-swap');
    await page.click('#adopted-replace');
    await page.evaluate(() => document.getElementById('demo-frame').contentDocument.getElementById('frame-button').click());
    await page.click('#audio-seek');
    await page.evaluate(() => document.getElementById('scroll-box').scrollTo(40, 300));
    await mark('adopted and frame');
  });
});

test('big: about 5,000 nodes present before the recorder starts', async () => {
  await recordAndCompare('big.html', async () => {});
});

test('feed: entries added and dropped ten at a time', async () => {
  await recordAndCompare('feed.html', async (page, mark) => {
    await page.evaluate(() => window.northwindFeed.start());
    await page.waitForFunction(() => window.northwindFeed.added >= 60);
    await mark('while churning');
    await page.waitForFunction(() => window.northwindFeed.added >= 150);
    await page.evaluate(() => window.northwindFeed.stop());
  });
});

test('mutation storm: the replay is exact before the breaker trips and after recording resumes', async () => {
  await recordAndCompare('mutate-storm.html', async (page) => {
    await page.evaluate(() => window.northwindStorm.start());
    await page.waitForFunction(() => window.northwindStorm.stats().frames >= 30);
    await page.evaluate(() => window.northwindStorm.stop());
    // The breaker's cool-down ends with a resume marker and a fresh keyframe; from
    // there on the replay must be exact again.
    await page.waitForFunction(() => window.affidavit.stats().paused === null, null, { timeout: 15_000 });
  }, { options: { guard: { breakerCooldownMs: 1000 } } });
});

test('changes the page makes to a node in the task that removes it are not replayed onto a missing node', async () => {
  await recordAndCompare('index.html', async (page, mark) => {
    await page.evaluate(() => {
      const note = document.createElement('p');
      note.id = 'doomed';
      note.textContent = 'about to go';
      document.body.appendChild(note);
    });
    await mark('added');
    await page.evaluate(() => {
      const note = document.getElementById('doomed');
      note.remove();
      note.className = 'gone';
      note.firstChild.data = 'gone';
    });
  });
});
