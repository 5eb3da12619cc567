// The scripted activity the recorder benchmark measures, one per demo page: what a
// person (or the page itself) does for `durationMs`. Each run must be the same with and
// without the recorder, so the difference is the recorder's cost.

const typing = 'The quick brown fox jumps over the lazy dog 0123456789';

export const workloads = [
  {
    name: 'dashboard',
    page: 'dashboard.html?seed=7',
    // The page mutates itself four times a second; the visitor just watches and scrolls.
    async run(page, durationMs) {
      const end = Date.now() + durationMs;
      while (Date.now() < end) {
        await page.mouse.move(200 + Math.random() * 400, 200 + Math.random() * 300, { steps: 5 });
        await page.mouse.wheel(0, 120);
        await page.waitForTimeout(250);
      }
    },
  },
  {
    name: 'checkout',
    page: 'checkout.html',
    // A customer filling the form over and over: typing dominates.
    async run(page, durationMs) {
      const end = Date.now() + durationMs;
      const fields = ['#full-name', '#email', '#phone', '#password', '#delivery-notes'];
      while (Date.now() < end) {
        for (const field of fields) {
          await page.fill(field, '');
          await page.type(field, typing.slice(0, 20), { delay: 15 });
          if (Date.now() >= end) break;
        }
        await page.click('#newsletter');
        await page.click('#shipping-express');
      }
    },
  },
  {
    name: 'spa',
    page: 'spa.html',
    // Route changes: each replaces most of the view.
    async run(page, durationMs) {
      const end = Date.now() + durationMs;
      while (Date.now() < end) {
        await page.click('#nav-products');
        await page.click('#product-link-NW-1');
        await page.click('#add-to-cart');
        await page.click('#nav-settings');
        await page.goBack();
        await page.waitForTimeout(200);
      }
    },
  },
  {
    name: 'feed',
    page: 'feed.html',
    // 100 entries a second appended, as many removed.
    async run(page, durationMs) {
      await page.evaluate(() => window.northwindFeed.start());
      await page.waitForTimeout(durationMs);
      await page.evaluate(() => window.northwindFeed.stop());
    },
  },
];
