import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunningBot } from '../../bot/run';
import { systemActor } from '../../src/audit/audit.service';
import { projectRoot } from '../../src/shared/paths';
import { startWorkers, type Workers } from '../../src/worker';
import { startTestBot } from '../helpers/bot';
import { launchChromium } from '../helpers/browser';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app';

/**
 * The chat simulator inside the console (CHAT_SIMULATOR=staff): the console page frames the chat
 * page and hands it the signed-in member's token; the real bot answers. Outside the console the
 * same page, with no token, asks to sign in.
 */
const artifacts = join(projectRoot, 'test-artifacts', 'console');
jest.setTimeout(120_000);

describe('chat simulator in the console (staff mode)', () => {
  let t: TestApp;
  let workers: Workers;
  let bot: RunningBot;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    t = await createTestApp({
      env: { CHAT_SIMULATOR: 'staff', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    });
    workers = await startWorkers(t.container, t.redis);
    bot = await startTestBot(t);
    await t.container.staff.create(
      {
        username: 'agus.hd',
        fullName: 'Agus Helpdesk',
        role: 'HELPDESK',
        password: TEST_PASSWORD,
        mustChangePassword: false,
      },
      systemActor,
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close();
    await bot.close();
    await workers.close();
    await t.close();
  });

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'id-ID',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => {
      pageErrors.push(err.message);
    });
    return page;
  };

  test('a helpdesk member talks to the bot from the console; the bare page asks to sign in', async () => {
    const page = await newPage();
    await page.goto(`${t.baseUrl}/console/`);
    await page.getByLabel('Nama pengguna').fill('agus.hd');
    await page.getByLabel('Kata sandi').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('link', { name: 'Simulator chat', exact: true }).click();

    const chat = page.frameLocator('iframe.chat-frame');
    await chat.locator('#status', { hasText: 'Terhubung' }).waitFor();
    await chat.getByLabel('Pesan').fill('halo');
    await chat.getByLabel('Pesan').press('Enter');
    await chat.locator('#log', { hasText: 'Helpus' }).waitFor();
    // The menu comes as buttons; picking one goes on with the conversation.
    await chat.getByRole('button', { name: /reset/i }).first().click();
    await chat.locator('#log', { hasText: /nama lengkap/i }).waitFor();
    await page.screenshot({ path: join(artifacts, 'chat-in-console-1366.png'), fullPage: true });
    const bot = chat.locator('#log .msg.bot');
    for (const text of ['Sari Lestari', '3171010101900001']) {
      const before = await bot.count();
      await chat.getByLabel('Pesan').fill(text);
      await chat.getByLabel('Pesan').press('Enter');
      await bot.nth(before).waitFor();
    }

    // The tab keeps what resumes the chat (the session secret, the bot's replies), never what
    // the member typed; the chat id is not kept either.
    const stored = await page.evaluate<Record<string, string>>(
      '({ ...Object.fromEntries(Object.entries(sessionStorage)), ...Object.fromEntries(Object.entries(localStorage)) })',
    );
    const all = JSON.stringify(stored);
    expect(all).not.toContain('3171010101900001');
    expect(all).not.toContain('Sari Lestari');
    expect(all).not.toMatch(/sim:[0-9a-f]{8}-/);
    expect(stored['loket.sim.session']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored['loket.sim.transcript']).toContain('Helpus');

    // The token (and the page's language) is taken only from the console, its parent: a
    // sibling frame of this very origin is ignored.
    await page.route(`${t.baseUrl}/console/sibling.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<script>
          let posted = 0;
          for (let i = 0; i < parent.frames.length; i++) {
            const w = parent.frames[i];
            try {
              if (w.location.pathname !== '/console/chat.html') continue;
            } catch {
              continue;
            }
            w.postMessage({ type: 'loket.token', token: 'forged', lang: 'en' }, location.origin);
            posted += 1;
          }
          document.title = 'posted ' + posted;
        </script>`,
      }),
    );
    await page.evaluate(`new Promise((resolve) => {
      const f = document.createElement('iframe');
      f.src = '/console/sibling.html';
      f.onload = resolve;
      document.body.append(f);
    })`);
    const sibling = page.frames().find((f) => f.url().endsWith('/console/sibling.html'));
    await expect(sibling?.title()).resolves.toBe('posted 1');
    await page.waitForTimeout(500);
    await expect(chat.locator('#send').innerText()).resolves.toBe('Kirim');
    await page.evaluate(`document.querySelector('iframe.chat-frame').contentWindow.postMessage(
      { type: 'loket.token', token: null, lang: 'en' }, location.origin)`);
    await chat.locator('#send', { hasText: 'Send' }).waitFor();

    // Signing out removes every loket.sim.* key.
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.getByLabel('Nama pengguna').waitFor();
    const left = await page.evaluate<string[]>(
      '[...Object.keys(sessionStorage), ...Object.keys(localStorage)]',
    );
    expect(left.filter((k) => k.startsWith('loket.sim.'))).toEqual([]);

    // The same page outside the console has no token: staff mode refuses it, politely.
    const bare = await newPage();
    await bare.goto(`${t.baseUrl}/console/chat.html`);
    await bare.locator('#status', { hasText: 'Masuk ke konsol' }).waitFor();
    expect(await bare.locator('#text').isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
