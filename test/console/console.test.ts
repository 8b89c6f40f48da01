/**
 * The console page end to end, in real headless Chromium (Debian's `chromium`, driven by playwright-core)
 * against the local stack with the simulator: signed in with the keyboard, a call dialled and answered
 * through the page's call panel shows up in its live event stream and in the call's timeline, and a
 * webhook channel's deliveries are listed with a working replay button. The page must log no error
 * (a Content-Security-Policy violation included).
 *
 * `CONSOLE_SCREENSHOT=docs/images/console.png npx vitest run test/console` writes the README's picture.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { LocalStack } from '../../local/stack.js';
import { api, testStack } from '../support/stack.js';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Flags for a closed network and a root user (see docs/console.md): no sandbox, no background traffic.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let stack: LocalStack;
let browser: Browser;
let page: Page;
let receiver: Server;
let received = 0;
const pageErrors: string[] = [];
const failed: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`,
    );
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  stack = await testStack({
    simulator: { frontEnds: { 'broadworks-cti': { eventResponseTimeoutMs: 2000 } } },
    connector: { subscriptionPollMs: 50, reconcileMs: 200 },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on(
    'response',
    (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.request().method()} ${r.url()}`),
  );
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  receiver?.close();
});

const region = (name: string) => page.getByRole('region', { name });

describe('console page', () => {
  it('is served by the HTTP API with its media types, cache policy and security headers', async () => {
    const index = await fetch(`${stack.httpUrl}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await index.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const js = await fetch(`${stack.httpUrl}${script}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${stack.httpUrl}/console`)).status).toBe(200);
    const missing = await fetch(`${stack.httpUrl}/console/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    const outside = await fetch(`${stack.httpUrl}/console/..%2Fpackage.json`);
    expect(outside.status).toBe(404);
  });

  it('refuses a wrong key, signs in from the keyboard and streams the events of a call dialled through the page', async () => {
    await page.goto(`${stack.httpUrl}/console/`);
    await page.getByLabel('API key').fill('not-a-key');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('refused');

    await page.getByLabel('API key').fill(stack.adminKey);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Stream: open' }).waitFor({ timeout: 20_000 });
    await region('Links').getByText('sim-broadworks').waitFor();

    // a webhook channel for the deliveries panel, made through the API as an integrator would
    const admin = api(stack, stack.adminKey);
    const hook = await admin.post('/v1/channels', {
      type: 'webhook',
      url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`,
    });
    expect(hook.status).toBe(201);
    const sub = await admin.post('/v1/subscriptions', {
      channel: hook.body.id,
      link: 'sim-broadworks',
      target: { type: 'user', id: 'alice@sim.example' },
      events: ['call'],
    });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);

    const calls = region('Call panel');
    await calls.getByLabel('Link').selectOption('sim-broadworks');
    await calls.getByLabel('User').selectOption('alice@sim.example');
    await calls.getByLabel('Number to dial').fill('1002');
    await calls.getByRole('button', { name: 'Dial' }).click();
    await calls.getByText(/^Dialled 1002/).waitFor();

    const events = region('Events');
    const row = (type: string, user: string, link = 'sim-broadworks') =>
      events.locator(`tr[data-type="${type}"]`).filter({ hasText: user }).filter({ hasText: link });
    await row('call.originated', 'alice@sim.example').first().waitFor();
    await row('call.received', 'bob@sim.example').first().waitFor();

    // Bob answers from the page, holds and retrieves
    await calls.getByLabel('User').selectOption('bob@sim.example');
    await calls.getByRole('heading', { name: 'Calls of bob@sim.example' }).waitFor();
    await calls.getByRole('button', { name: /^answer call / }).click();
    await row('call.answered', 'bob@sim.example').first().waitFor();
    await row('call.answered', 'alice@sim.example').first().waitFor();
    await calls.getByRole('button', { name: /^hold call / }).click();
    await row('call.held', 'bob@sim.example').first().waitFor();
    await calls.getByRole('button', { name: /^retrieve call / }).click();
    await row('call.retrieved', 'bob@sim.example').first().waitFor();

    // the filters: only link events left, then back to all
    await events.getByLabel('Family').selectOption('link');
    await expect.poll(() => events.locator('tr[data-type^="call."]').count()).toBe(0);
    await events.getByLabel('Family').selectOption('');
    await events.getByLabel('Target').fill('bob');
    await expect.poll(() => row('call.originated', 'alice@sim.example').count()).toBe(0);
    await events.getByLabel('Target').fill('');

    // the call's timeline: one leg per side
    await row('call.received', 'bob@sim.example').first().getByRole('button').click();
    const timeline = page.getByRole('region', { name: /^Call \S+ on sim-broadworks$/ });
    await expect
      .poll(() => timeline.getByRole('heading', { level: 3 }).allTextContents())
      .toEqual(
        expect.arrayContaining([
          expect.stringContaining('alice@sim.example'),
          expect.stringContaining('bob@sim.example'),
        ]),
      );

    // Bob transfers the caller to carol (blind); carol answers and hangs up: every leg ends
    await calls.getByLabel('Transfer to').fill('1003');
    await calls.getByRole('button', { name: /^transfer call / }).click();
    await row('call.received', 'carol@sim.example').first().waitFor();
    await row('call.released', 'bob@sim.example').first().waitFor();
    await calls.getByLabel('User').selectOption('carol@sim.example');
    await calls.getByRole('heading', { name: 'Calls of carol@sim.example' }).waitFor();
    await calls.getByRole('button', { name: /^answer call / }).click();
    await row('call.answered', 'carol@sim.example').first().waitFor();
    await calls.getByRole('button', { name: /^release call / }).click();
    await row('call.released', 'alice@sim.example').first().waitFor();
    await row('call.released', 'carol@sim.example').first().waitFor();
    // each leg's events once, although alice also has a user subscription (a webhook channel's) whose
    // copies of the same BroadWorks events are not the console's system channel's
    await expect
      .poll(() => timeline.getByRole('heading', { level: 3 }).allTextContents())
      .toEqual([
        expect.stringContaining('alice@sim.example'),
        expect.stringContaining('bob@sim.example'),
        expect.stringContaining('carol@sim.example'),
      ]);
    await expect.poll(() => timeline.locator('li').filter({ hasText: 'call.released' }).count()).toBe(3);
    expect(await timeline.locator('li').filter({ hasText: 'call.received' }).count()).toBe(2);
    expect(await timeline.locator('li').filter({ hasText: 'call.transferred' }).count()).toBeGreaterThan(0);

    // the webhook channel's deliveries, then a replay of one of them
    await expect.poll(() => received, { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    const deliveries = region('Webhook deliveries');
    // a first-attempt success is listed once its link's latest are written (within a second): refresh
    // until it shows, as a user would
    await expect
      .poll(
        async () => {
          await deliveries.getByRole('button', { name: 'Refresh' }).click();
          return deliveries.getByText('call.released').count();
        },
        { timeout: 15_000, interval: 300 },
      )
      .toBeGreaterThan(0);
    const before = received;
    await deliveries
      .getByRole('button', { name: /^replay delivery / })
      .first()
      .click();
    await deliveries.getByText('Replay queued: 1 event(s)').waitFor();
    await expect.poll(() => received, { timeout: 15_000 }).toBeGreaterThan(before);

    // the same panel drives another vendor's link: Avaya IP Office MTCTI-3 (protobuf over a websocket)
    await calls.getByLabel('Link').selectOption('sim-mtcti3');
    const alice = calls.getByLabel('User').locator('option', { hasText: /alice/i });
    await alice.first().waitFor({ state: 'attached' });
    await calls.getByLabel('User').selectOption((await alice.first().getAttribute('value'))!);
    await calls.getByLabel('Number to dial').fill('1002');
    await calls.getByRole('button', { name: 'Dial' }).click();
    await events.locator('tr[data-type="call.received"]').filter({ hasText: 'sim-mtcti3' }).first().waitFor();
    await calls.getByRole('button', { name: /^release call / }).click();
    await events.locator('tr[data-type="call.released"]').filter({ hasText: 'sim-mtcti3' }).first().waitFor();

    if (process.env.CONSOLE_SCREENSHOT)
      await page.screenshot({ path: process.env.CONSOLE_SCREENSHOT, fullPage: true });
    // the wrong key's 401 is the only answer the page saw fail (and the only error it logged)
    expect(failed).toEqual([expect.stringMatching(/^401 GET .*\/v1\/links$/)]);
    expect(pageErrors).toEqual([expect.stringContaining('401')]);
  }, 120_000);

  it('passes an accessibility audit (axe-core, WCAG 2 A and AA: labels, names, contrast, structure)', async () => {
    // the signed-in page as the previous test left it: stream, timeline, call panel and deliveries shown
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    const result = await page.evaluate(async () => {
      // runs in the page (this file's types know no DOM)
      const page = globalThis as unknown as {
        axe: { run: (ctx: unknown, o: unknown) => Promise<any> };
        document: unknown;
      };
      const r = await page.axe.run(page.document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
      });
      return {
        passes: r.passes.length as number,
        violations: (r.violations as any[]).map((v) => ({
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')),
        })),
      };
    });
    expect(result.violations).toEqual([]);
    expect(result.passes).toBeGreaterThan(10);
  });

  it('removes its channel when the page goes away', async () => {
    const admin = api(stack, stack.adminKey);
    const websockets = async () =>
      ((await admin.get('/v1/channels')).body.items as { type: string }[]).filter(
        (c) => c.type === 'websocket',
      ).length;
    expect(await websockets()).toBe(1);
    await page.goto('about:blank');
    await expect.poll(websockets, { timeout: 10_000 }).toBe(0);
  });
});
