// Takes the README's picture of the Aspire dashboard's resource page with Debian's Chromium (never a downloaded
// browser): `npm install playwright-core` in a scratch folder, then
//   node docs/dashboard-screenshot.mjs '<login URL the AppHost printed>' docs/aspire-dashboard.png
import { chromium } from 'playwright-core';

const [loginUrl, output = 'docs/aspire-dashboard.png'] = process.argv.slice(2);
if (!loginUrl) {
  console.error('usage: node docs/dashboard-screenshot.mjs <login URL> [output.png]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 820 } });
  await page.goto(loginUrl);
  // The resource grid is rendered by Blazor over a live connection: wait for the rows, then for the states to settle.
  await page.waitForSelector('text=producer', { timeout: 60000 });
  await page.waitForTimeout(5000);
  await page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
}
