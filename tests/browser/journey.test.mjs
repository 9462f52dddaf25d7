// A monitoring analyst's first session: sign in, file a report, find it in the triage queue,
// link it to an incident, then switch the interface to French. Runs the real binary with the
// demo data against Debian's Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.KINGA_BIN;
let server, browser, base, logins = {};
const dataDir = mkdtempSync(join(tmpdir(), 'kinga-browser-'));

function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(bin, ['serve', '--demo', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + out)), 120_000);
    server.stdout.on('data', (chunk) => {
      out += chunk;
      for (const line of out.split('\n')) {
        const m = line.match(/^\s+(\w+)\s+(\S+@demo\.kinga\.example)\s+(\S+)/);
        if (m) logins[m[1]] = { email: m[2], password: m[3] };
      }
      const url = out.match(/Kinga listening on (http:\/\/\S+?)\/?\s*$/m);
      if (url) { clearTimeout(timer); resolve(url[1]); }
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

before(async () => {
  base = await startServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

test('sign in, report, triage, link, and read it in French', async () => {
  const analyst = logins.analyst;
  assert.ok(analyst, 'the demo printed the analyst sign-in');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });

  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', analyst.email);
  await page.fill('input[name=password]', analyst.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/\/incidents/);
  assert.match(await page.textContent('body'), /Sign out/);

  // File a report as a monitor would.
  const text = `Armed men burnt houses near the Bossangoa church (${Date.now()})`;
  await page.goto(`${base}/reports/new`);
  const form = page.locator('#report-form');
  await form.locator('select[name=country]').selectOption('CAF');
  await form.locator('input[name=occurred_on]').fill('2013-12-05');
  await form.locator('textarea[name=text]').fill(text);
  await form.locator('input[name=place_name]').fill('Bossangoa');
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/reports\/[0-9a-f-]{36}/);
  const reportUrl = page.url();

  // It waits in the triage queue.
  await page.goto(`${base}/reports/triage`);
  const queue = page.locator('#triage-queue');
  assert.ok(await queue.getByText(text).count() > 0, 'the new report is in the triage queue');

  // Link it to a documented incident of the same days.
  await page.goto(reportUrl);
  const link = page.locator('#link-form');
  const code = await (async () => {
    await page.goto(`${base}/incidents?country=CAF&from=2013-12-05&to=2013-12-05`);
    return (await page.locator('#incident-list tbody tr td').first().textContent()).trim();
  })();
  await page.goto(reportUrl);
  await link.locator('input[name=incident]').fill(code);
  await link.locator('button[type=submit]').click();
  await page.waitForLoadState('networkidle');
  assert.match(await page.textContent('body'), new RegExp(code));

  // The incident page lists the report and its history.
  await page.goto(`${base}/incidents?q=${encodeURIComponent(code)}`);
  await page.locator('#incident-list tbody tr a').first().click();
  await page.waitForSelector('#incident-facts');
  assert.ok(await page.getByText(text).count() > 0, 'the linked report shows on the incident');

  // Switch the interface to French.
  await page.goto(`${base}/incidents?country=CAF&from=2013-12-01&to=2013-12-31`);
  await page.click('#lang-switch');
  await page.waitForLoadState('networkidle');
  const body = await page.textContent('body');
  assert.match(body, /Se déconnecter/);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await page.screenshot({ path: join(here, '..', '..', 'docs', 'screenshot.png') });
  await page.close();
});

test('a protected source typed by a monitor is sealed and opens only for the legal officer', async () => {
  const { monitor, legal } = logins;
  assert.ok(monitor && legal, 'the demo printed the monitor and legal officer sign-ins');
  const witness = `Oumarou Bekondji-Sallet ${Date.now()}`;
  const signIn = async (who) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name=email]', who.email);
    await page.fill('input[name=password]', who.password);
    await page.click('button[type=submit]');
    // Monitors land on the report form, everyone else on the incidents.
    await page.waitForURL(/\/(incidents|reports\/new)/);
    return { context, page };
  };

  const m = await signIn(monitor);
  await m.page.goto(`${base}/reports/new`);
  const form = m.page.locator('#report-form');
  await form.locator('input[name=occurred_on]').fill('2013-12-06');
  await form.locator('textarea[name=text]').fill('Men in uniform took two boys from the school.');
  const source = form.locator('[data-testid=protected-source-form]');
  assert.match(await source.textContent(), /legal officers and administrators/);
  await source.locator('input[name=witness_name]').fill(witness);
  await source.locator('input[name=exact_location]').fill('behind the Bekondji school');
  await form.locator('button[type=submit]').click();
  await m.page.waitForURL(/\/reports\/[0-9a-f-]{36}\?submitted=1&sealed=1/);
  const reportUrl = m.page.url().split('?')[0];
  const seen = await m.page.locator('#protected-source').textContent();
  assert.match(seen, /The protected source was sealed/);
  assert.match(seen, /Sealed/);
  assert.ok(!(await m.page.textContent('body')).includes(witness), 'the monitor does not read it back');
  await m.context.close();

  const l = await signIn(legal);
  await l.page.goto(reportUrl);
  assert.ok(!(await l.page.textContent('body')).includes(witness), 'closed until asked');
  await l.page.locator('[data-testid=sealed-show]').click();
  await l.page.waitForSelector('[data-testid=sealed-values]');
  assert.match(await l.page.locator('[data-testid=sealed-values]').textContent(), new RegExp(witness));
  await l.context.close();
});
