import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { systemActor } from '../../src/audit/audit.service';
import { intakeActor, intakePrincipal } from '../../src/email/intake';
import type { StaffRole } from '../../src/auth/roles';
import { projectRoot } from '../../src/shared/paths';
import { CONSOLE_BUDGET_BYTES, consoleWeight } from '../../bench/console-weight';
import { startWorkers, type Workers } from '../../src/worker';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { launchChromium } from '../helpers/browser';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app';

/**
 * The staff console in a real browser (Debian's Chromium through playwright-core), served over
 * HTTP by the API with the built console, workers running and mail going to an SMTP sink.
 */

const artifacts = join(projectRoot, 'test-artifacts', 'console');
const DESKTOP = { width: 1366, height: 768 };
const TABLET = { width: 820, height: 1180 };
const fixture = (name: string) => join(projectRoot, 'test', 'fixtures', 'documents', name);

jest.setTimeout(180_000);

const registryCsv = [
  'user_id,full_name,nik,nip,spse_role,agency,unit,email,phone,birth_place,birth_date,sk_reference',
  'budi.ppk,Budi Santoso,6471021303801187,198003132017021375,PPK,Pemerintah Kota Samarinda,Bagian PBJ,budi.santoso@samarindakota.go.id,081234567890,Samarinda,1980-03-13,SK/1/2024',
].join('\n');

describe('staff console in Chromium', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let workers: Workers;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  // Whatever the CSP blocked or a script threw, on any page: none expected.
  const cspErrors: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    sink = await startSmtpSink();
    t = await createTestApp({
      env: {
        SMTP_URL: sink.url,
        MAIL_FROM: 'LPSE Kota Samarinda <helpdesk@lpse.samarindakota.go.id>',
        NOTIFY_RETRY_DELAY_MS: '100',
      },
    });
    const file = join(t.config.LOKET_DATA_DIR, 'registry.csv');
    writeFileSync(file, registryCsv);
    await t.container.registry.importCsvFile(file, {
      fileName: 'registry.csv',
      actor: systemActor,
    });
    workers = await startWorkers(t.container, t.redis);
    browser = await launchChromium();
  });

  afterEach(() => {
    expect(cspErrors.splice(0)).toEqual([]);
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser.close();
    await workers.close();
    await t.close();
    await sink.stop();
  });

  const staff = async (role: StaffRole, username: string, mustChangePassword = false) => {
    const user = await t.container.staff.create(
      {
        username,
        fullName: `${role === 'ADMIN_PPE' ? 'Admin' : 'Petugas'} ${username}`,
        role,
        password: TEST_PASSWORD,
        mustChangePassword,
      },
      systemActor,
    );
    return user;
  };

  /** A fresh browser profile (own sessionStorage) at the given size. */
  const newPage = async (viewport = DESKTOP): Promise<Page> => {
    const context = await browser.newContext({ viewport, locale: 'id-ID' });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text()))
        cspErrors.push(m.text());
    });
    page.on('pageerror', (err) => {
      pageErrors.push(err.message);
    });
    return page;
  };

  const login = async (page: Page, username: string, path = '/console/') => {
    await page.goto(`${t.baseUrl}${path}`);
    await page.getByLabel('Nama pengguna').fill(username);
    await page.getByLabel('Kata sandi').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('button', { name: 'Keluar' }).waitFor();
  };

  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  };

  const ticketStep = (page: Page) => page.locator('.ticket-head .badge').innerText();

  test('served at /console/: the SPA with a CSP, deep links, the board page, 404 for a missing file, under 200 KB gzip', async () => {
    const index = await t.http<string>('GET', '/console/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(index.body).toContain('<div id="app">');
    const deep = await t.http<string>(
      'GET',
      '/console/tickets/0b1d4c9e-1111-4222-8333-944455556666',
    );
    expect([deep.status, deep.headers.get('x-console-fallback')]).toEqual([200, '1']);
    expect(deep.body).toContain('<div id="app">');
    const board = await t.http<string>('GET', '/console/board.html');
    expect([board.status, board.headers.get('x-console-fallback')]).toEqual([200, null]);
    expect(deep.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    // The app's page keeps its policy by whatever path it is reached; the standalone pages get
    // their own (this origin's scripts, framed by the console only).
    const direct = await t.http<string>('GET', '/console/index.html');
    expect(direct.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const sloppy = await fetch(`${t.baseUrl}/console//index.html`);
    if (sloppy.status === 200) {
      expect(sloppy.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
    const boardCsp = board.headers.get('content-security-policy') ?? '';
    expect(boardCsp).toContain("default-src 'self'");
    expect(boardCsp).toContain("frame-ancestors 'self'");
    const missing = await t.http<{ code: string }>('GET', '/console/assets/nothing.js');
    expect([missing.status, missing.body.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
    // The first page load: every script and style the page references, gzipped.
    const weight = consoleWeight(join(projectRoot, 'dist', 'console'));
    expect(weight.files.length).toBeGreaterThanOrEqual(2);
    expect(weight.total).toBeLessThan(CONSOLE_BUDGET_BYTES);
  });

  test('a walk-in request from the guest book to the archive, with the board and the notice', async () => {
    await staff('FRONT_OFFICE', 'dewi.fo');
    await staff('HELPDESK', 'agus.hd');
    await staff('ADMIN_PPE', 'rina.ppe');

    // The waiting-room board, open before anyone is called.
    const board = await newPage();
    await board.goto(`${t.baseUrl}/console/board.html`);
    // Connected: the first snapshot clears the "connecting" status.
    await board.locator('#status:empty').waitFor({ state: 'attached' });

    // Front office: the guest book gives A-001.
    const front = await newPage();
    await login(front, 'dewi.fo');
    await front.getByRole('link', { name: 'Meja layanan', exact: true }).click();
    const book = front.getByRole('form', { name: 'Buku tamu' });
    await book.getByLabel('Nama', { exact: true }).fill('Budi Santoso');
    await book.getByLabel('Instansi').fill('Pemerintah Kota Samarinda');
    await book.getByLabel('Layanan').selectOption('RESET_PASSWORD');
    await book.getByLabel('Nomor HP').fill('0812-3456-7890');
    await book.getByLabel('Keperluan').fill('Lupa kata sandi SPSE');
    await book.getByRole('button', { name: 'Simpan dan beri nomor antrean' }).click();
    await expect(front.getByTestId('issued-number').innerText()).resolves.toBe('A-001');
    await shot(front, 'desk-front-office-1366');
    await front.setViewportSize(TABLET);
    await shot(front, 'desk-front-office-tablet');
    await front.setViewportSize(DESKTOP);
    // The front office has no validity, report or administration pages.
    const frontNav = await front.getByRole('navigation', { name: 'Navigasi utama' }).innerText();
    expect(frontNav).not.toMatch(/Laporan|Administrasi|Data registrasi/);

    // Helpdesk: call next; the board shows the number.
    const helpdesk = await newPage();
    await login(helpdesk, 'agus.hd');
    await helpdesk.getByRole('link', { name: 'Meja layanan', exact: true }).click();
    await helpdesk
      .getByRole('region', { name: 'Panggil antrean' })
      .getByLabel('Loket', { exact: true })
      .fill('Loket 2');
    await helpdesk.getByRole('button', { name: 'Panggil nomor berikutnya' }).click();
    await expect(helpdesk.getByTestId('called-number').innerText()).resolves.toBe('A-001');
    await board.locator('#number', { hasText: 'A-001' }).waitFor();
    expect(await board.locator('#desk').innerText()).toContain('Loket 2');
    expect(await board.locator('#service').innerText()).toBe('Reset kata sandi · Password reset');
    await shot(board, 'board-1366');

    // Serve: the walk-in ticket opens, prefilled from the guest book.
    await helpdesk
      .locator('tr[data-number="A-001"]')
      .getByRole('button', { name: 'Layani' })
      .click();
    await helpdesk.locator('.ticket-head h1').waitFor();
    expect(await ticketStep(helpdesk)).toBe('Permohonan diterima');
    const ticketUrl = helpdesk.url();
    expect(ticketUrl).toMatch(/\/console\/tickets\/[0-9a-f-]{36}$/);
    expect(await helpdesk.getByRole('region', { name: 'Data pemohon' }).innerText()).toContain(
      'Budi Santoso',
    );

    // The request form's details, entered at the desk.
    await helpdesk.getByRole('button', { name: 'Isi dari formulir' }).click();
    const form = helpdesk.getByRole('form', { name: 'Data formulir permohonan' });
    // The form gives a different name than the registry holds: the comparison marks it.
    await form.getByLabel('Nama lengkap').fill('Budi Susanto');
    await form.getByLabel('User ID').fill('budi.ppk');
    await form.getByLabel('NIK').fill('6471021303801187');
    await form.getByLabel('Peran SPSE').selectOption('PPK');
    await form.getByLabel('Email').fill('budi.santoso@samarindakota.go.id');
    await form.getByRole('button', { name: 'Simpan' }).click();
    await helpdesk.getByText('6471********1187').waitFor();
    // No NIK in clear on the helpdesk's screen.
    expect(await helpdesk.content()).not.toContain('6471021303801187');

    // Completeness: only the request form is there, the SK is missing.
    const upload = async (page: Page, kind: string, file: string) => {
      const f = page.getByRole('form', { name: 'Unggah dokumen' });
      await f.getByLabel('Jenis dokumen').selectOption(kind);
      await f.getByLabel(/^Berkas/).setInputFiles(fixture(file));
      await f.getByRole('button', { name: 'Unggah dokumen' }).click();
    };
    await upload(helpdesk, 'REQUEST_FORM', 'sk-penunjukan.pdf');
    await helpdesk.locator('.checklist li[data-kind="REQUEST_FORM"].ok').waitFor();
    await helpdesk.getByRole('button', { name: 'Mulai periksa berkas' }).click();
    await helpdesk.getByText('Pemeriksaan kelengkapan', { exact: true }).waitFor();
    expect(
      await helpdesk.locator('.checklist li[data-kind="SK_PENUNJUKAN"]').getAttribute('class'),
    ).toBe('missing');
    // The missing SK is ticked already; "incomplete" names it.
    await expect(
      helpdesk.getByRole('checkbox', { name: 'SK penunjukan' }).isChecked(),
    ).resolves.toBe(true);
    await helpdesk.getByRole('button', { name: 'Belum lengkap' }).click();
    await helpdesk.getByText('Diminta dari pemohon: SK penunjukan').waitFor();
    await helpdesk.getByRole('button', { name: 'Minta pemohon melengkapi' }).click();
    await helpdesk.getByText('Menunggu kelengkapan dari pemohon', { exact: true }).waitFor();

    // The requester brings the SK: uploading it returns the ticket to the completeness check.
    await upload(helpdesk, 'SK_PENUNJUKAN', 'sk-penunjukan.pdf');
    await helpdesk.locator('.checklist li[data-kind="SK_PENUNJUKAN"].ok').waitFor();
    await helpdesk.getByText('Pemeriksaan kelengkapan', { exact: true }).waitFor();
    // The document viewer: the PDF from the API (with the token) as a blob URL.
    await helpdesk
      .locator('.docs li', { hasText: 'SK penunjukan' })
      .getByRole('button', { name: 'Lihat' })
      .click();
    expect(await helpdesk.locator('.viewer iframe').getAttribute('src')).toMatch(/^blob:/);
    await shot(helpdesk, 'ticket-helpdesk-1366');
    await helpdesk.setViewportSize(TABLET);
    await shot(helpdesk, 'ticket-helpdesk-tablet');
    await helpdesk.setViewportSize(DESKTOP);
    await helpdesk.getByRole('button', { name: 'Berkas lengkap' }).click();
    await helpdesk.getByRole('button', { name: 'Teruskan ke Admin PPE' }).click();
    await helpdesk.getByText('Pemeriksaan kebenaran berkas', { exact: true }).waitFor();

    // The helpdesk may not decide validity: no button, and the API refuses it when called anyway.
    expect(await helpdesk.getByRole('button', { name: 'Data benar (valid)' }).count()).toBe(0);
    await helpdesk.getByText('Tidak ada langkah untuk peran Anda pada tahap ini.').waitFor();
    const ticketId = ticketUrl.split('/').at(-1) ?? '';
    const hdToken = await t.tokenFor('HELPDESK');
    const detail = await t.http<{ version: number }>('GET', `/api/tickets/${ticketId}`, {
      token: hdToken,
    });
    const refused = await t.http<{ code: string }>('POST', `/api/tickets/${ticketId}/actions`, {
      token: hdToken,
      json: { action: 'validity_result', version: detail.body.version, data: { valid: true } },
    });
    expect([refused.status, refused.body.code]).toEqual([403, 'ROLE_NOT_ALLOWED']);

    // Admin PPE: my work lists it; the comparison with the registry, side by side.
    const ppe = await newPage();
    await login(ppe, 'rina.ppe');
    await ppe
      .getByRole('region', { name: 'Tiket yang menunggu Anda' })
      .getByRole('link')
      .first()
      .click();
    await ppe.locator('table.compare').waitFor();
    const nikRow = ppe.locator('table.compare tr[data-field="nik"]');
    expect(await nikRow.getAttribute('class')).toBe('r-match');
    expect(await nikRow.innerText()).toContain('6471********1187');
    expect(await ppe.locator('table.compare tr.r-mismatch').count()).toBe(1);
    expect(await ppe.locator('table.compare tr[data-field="fullName"]').getAttribute('class')).toBe(
      'r-mismatch',
    );
    await ppe.getByText('1 kolom tidak cocok.').waitFor();
    await shot(ppe, 'ticket-validity-1366');
    await ppe.setViewportSize(TABLET);
    await shot(ppe, 'ticket-validity-tablet');
    await ppe.setViewportSize(DESKTOP);
    await ppe.getByRole('button', { name: 'Data benar (valid)' }).click();
    await ppe.getByRole('button', { name: 'Reset kata sandi' }).click();
    const tmp = await ppe.getByTestId('temporary-password').innerText();
    expect(tmp.length).toBeGreaterThanOrEqual(8);
    await shot(ppe, 'ticket-temporary-password-1366');
    await ppe.getByRole('button', { name: 'Sudah dicatat, tutup' }).click();
    expect(await ppe.getByTestId('temporary-password').count()).toBe(0);
    await ppe.getByRole('button', { name: 'Kirim pemberitahuan hasil' }).click();
    await ppe.getByText('Pengarsipan berkas', { exact: true }).waitFor();

    // The notice reaches the registry's contact of record, with the password shown once above.
    await sink.waitFor(1, 30_000);
    const mail = sink.messages.find((m) => m.to === 'budi.santoso@samarindakota.go.id');
    expect(mail).toBeDefined();
    expect(mail?.parsed.text ?? '').toContain(tmp);

    await ppe.getByLabel('Nomor arsip').fill('ARS/2026/0001');
    await ppe.getByRole('button', { name: 'Arsipkan', exact: true }).click();
    await ppe.getByText('Diarsipkan', { exact: true }).first().waitFor();
    await ppe.getByRole('heading', { name: 'Riwayat' }).scrollIntoViewIfNeeded();
    const history = await ppe.locator('.history').innerText();
    for (const step of [
      'Tiket dibuat',
      'Data formulir diisi',
      'Diteruskan ke Admin PPE',
      'Diarsipkan',
    ]) {
      expect(history).toContain(step);
    }
    await shot(ppe, 'ticket-archived-1366');

    // The list, at both sizes, in both languages.
    await ppe.getByRole('link', { name: 'Tiket', exact: true }).click();
    await ppe.locator('table.tickets').waitFor();
    await shot(ppe, 'tickets-1366');
    await ppe.getByRole('button', { name: 'English' }).click();
    await ppe.getByRole('heading', { name: 'Tickets' }).waitFor();
    await ppe.setViewportSize(TABLET);
    await shot(ppe, 'tickets-tablet-en');
  });

  test('the Admin PPE rejects an invalid request with a reason from the catalogue, using the keyboard', async () => {
    await staff('ADMIN_PPE', 'yusuf.ppe');
    // A walk-in at the validity check (the steps before it through the API).
    const hd = await t.tokenFor('HELPDESK');
    const created = await t.http<{ id: string }>('POST', '/api/tickets', {
      token: hd,
      json: {
        type: 'USER_ID_INFO',
        channel: 'WALK_IN',
        requester: { name: 'Budi Santoso', userId: 'budi.ppk', nip: '199001012015031002' },
        contact: { kind: 'NONE' },
      },
    });
    const id = created.body.id;
    let version = 1;
    for (const [action, data] of [
      ['open', undefined],
      ['completeness_result', { complete: true }],
      ['forward', undefined],
    ] as const) {
      const r = await t.http<{ ticket: { version: number } }>(
        'POST',
        `/api/tickets/${id}/actions`,
        {
          token: hd,
          json: { action, version, ...(data ? { data } : {}) },
        },
      );
      expect(r.status).toBe(200);
      version = r.body.ticket.version;
    }

    const page = await newPage();
    // Signing in by keyboard only: type, Tab, type, Enter.
    await page.goto(`${t.baseUrl}/console/tickets/${id}`);
    await page.getByLabel('Nama pengguna').focus();
    await page.keyboard.type('yusuf.ppe');
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('table.compare tr[data-field="nip"].r-mismatch').waitFor();
    await page
      .getByLabel('Catatan')
      .first()
      .fill('NIP pada formulir berbeda dengan data registrasi');
    await page.getByRole('button', { name: 'Data tidak benar' }).click();
    await page.getByText('Pemberitahuan penolakan', { exact: true }).waitFor();
    // The reason comes from the catalogue; reject stays disabled until one is chosen.
    const reject = page.getByRole('button', { name: 'Tolak', exact: true });
    expect(await reject.isDisabled()).toBe(true);
    await page.getByLabel('Alasan penolakan').selectOption('DATA_MISMATCH');
    await reject.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Pengarsipan berkas', { exact: true }).waitFor();
    const detail = await t.http<{ rejectReasonCode: string; step: string }>(
      'GET',
      `/api/tickets/${id}`,
      {
        token: hd,
      },
    );
    expect([detail.body.step, detail.body.rejectReasonCode]).toEqual([
      'ARCHIVING',
      'DATA_MISMATCH',
    ]);
    expect(await page.locator('.history').innerText()).toContain('Alasan: DATA_MISMATCH');
    await shot(page, 'ticket-rejected-1366');
  });

  test('supervisor pages: registry search and CSV import with its error report, reports, administration, audit', async () => {
    await staff('SUPERVISOR', 'hendra.sup');
    const page = await newPage();
    await login(page, 'hendra.sup');
    // My work for a supervisor: the breaches; then the registry.
    await page.getByRole('link', { name: 'Data registrasi', exact: true }).click();
    const search = page.getByRole('form', { name: 'Cari' });
    await search.getByLabel('Cari menurut').selectOption('namePrefix');
    await search.getByLabel('Kata kunci').fill('Budi');
    await search.getByRole('button', { name: 'Cari' }).click();
    await page.getByRole('link', { name: 'budi.ppk' }).click();
    // A supervisor is given the full NIK by the API (audited); the console shows what it gets.
    await page.getByText('6471021303801187').waitFor();
    await page.goBack();
    const importForm = page.getByRole('form', { name: 'Impor CSV' });
    await importForm
      .getByLabel('Berkas CSV')
      .setInputFiles(join(projectRoot, 'test', 'fixtures', 'registry', 'bad-rows.csv'));
    await importForm.getByRole('button', { name: 'Impor' }).click();
    await page.getByRole('table', { name: 'Baris yang ditolak' }).first().waitFor();
    expect(await page.getByRole('status').first().innerText()).toMatch(/\d+ ditolak/);
    await shot(page, 'registry-import-1366');

    await page.getByRole('link', { name: 'Laporan', exact: true }).click();
    await page.locator('svg.bars').first().waitFor();
    await shot(page, 'reports-1366');
    await page.setViewportSize(TABLET);
    await shot(page, 'reports-tablet');
    await page.setViewportSize(DESKTOP);

    await page.getByRole('link', { name: 'Administrasi', exact: true }).click();
    await page.getByRole('cell', { name: 'hendra.sup', exact: true }).waitFor();
    // A new rejection reason, offered to the Admin PPE at once; an office day off in the calendar.
    const reasonForm = page.getByRole('form', { name: 'Alasan penolakan baru' });
    await reasonForm.getByLabel('Kode').fill('SK_KADALUARSA');
    await reasonForm.getByLabel('Keterangan (Bahasa Indonesia)').fill('SK sudah tidak berlaku');
    await reasonForm.getByLabel('Keterangan (English)').fill('The letter has expired');
    await reasonForm.getByRole('button', { name: 'Buat' }).click();
    await page.getByRole('cell', { name: 'SK sudah tidak berlaku', exact: true }).waitFor();
    const offered = await t.http<{ code: string }[]>('GET', '/api/reject-reasons', {
      token: await t.tokenFor('ADMIN_PPE'),
    });
    expect(offered.body.map((r) => r.code)).toContain('SK_KADALUARSA');
    const dayForm = page.getByRole('form', { name: 'Tambah atau ubah hari' });
    await dayForm.getByLabel('Tanggal').fill(`${String(new Date().getFullYear())}-12-31`);
    await dayForm.getByLabel('Keterangan').fill('Tutup buku akhir tahun');
    await dayForm.getByRole('button', { name: 'Simpan hari' }).click();
    await page.getByRole('cell', { name: 'Tutup buku akhir tahun', exact: true }).waitFor();
    await shot(page, 'admin-1366');
    await page.getByRole('link', { name: 'Jejak audit', exact: true }).click();
    await page.getByText('registry.nik.unmasked', { exact: false }).first().waitFor();
    await shot(page, 'audit-1366');
    // The WhatsApp session page: no bot holds a session in this test, and the page says so.
    await page.getByRole('link', { name: 'Sesi WhatsApp', exact: true }).click();
    await expect(page.getByTestId('wa-state').innerText()).resolves.toBe('Bot tidak berjalan');
    // The message queue dashboard (Bull Board) opens with the cookie the API sets for it.
    await page.getByRole('link', { name: 'Administrasi', exact: true }).click();
    await page.getByRole('button', { name: 'Buka dasbor antrean pesan (Bull Board)' }).click();
    await page.waitForURL(/\/admin\/queues/);
    const dashboard = await page.goto(page.url());
    expect(dashboard?.status()).toBe(200);
  });

  test('an email the intake could not classify is classified by the helpdesk and starts its workflow', async () => {
    const ticket = await t.container.tickets.create(
      {
        type: null,
        channel: 'EMAIL',
        language: 'id',
        requester: { name: 'Rudi', email: 'rudi@example.go.id' },
        contact: { kind: 'EMAIL', address: 'rudi@example.go.id' },
        message: 'Selamat siang, mohon bantuannya untuk akun SPSE saya.',
      },
      intakePrincipal,
      intakeActor,
    );
    await staff('HELPDESK', 'wati.hd');
    const page = await newPage();
    await login(page, 'wati.hd', `/console/tickets/${ticket.id}`);
    expect(await page.locator('.ticket-head').innerText()).toContain('Belum diklasifikasi');
    const classify = page.getByRole('group', { name: 'Klasifikasi permohonan' });
    await classify.getByLabel('Jenis permohonan').selectOption('USER_ID_INFO');
    await classify.getByRole('button', { name: 'Klasifikasikan' }).click();
    await page.locator('.ticket-head', { hasText: 'Informasi user ID' }).waitFor();
    const after = await t.http<{ type: string; workflowId: string }>(
      'GET',
      `/api/tickets/${ticket.id}`,
      { token: await t.tokenFor('HELPDESK') },
    );
    expect([after.body.type, after.body.workflowId]).toEqual([
      'USER_ID_INFO',
      'seed004-user-id-info',
    ]);
  });

  test('inbound mail: the supervisor sees what the intake did and sends a failed mail through it again; the auditor only reads', async () => {
    const [row] = await t.container.dataSource.query<{ id: string }[]>(
      `INSERT INTO inbound_emails (dedupe_key, has_message_id, source, storage_key, size_bytes,
         status, detail, attempts, processed_at)
       VALUES (repeat('b', 64), true, 'SMTP', 'inbound/2026-11/failed.eml', 4096, 'FAILED',
         'error: QueryFailedError', 5, now())
       RETURNING id`,
    );
    await staff('SUPERVISOR', 'sari.sup');
    const page = await newPage();
    await login(page, 'sari.sup');
    await page.getByRole('link', { name: 'Email masuk', exact: true }).click();
    const failed = page.getByRole('row', { name: /Gagal diproses/ });
    await failed.getByText('error: QueryFailedError').waitFor();
    await shot(page, 'mail-1366');
    await failed.getByRole('button', { name: 'Proses ulang' }).click();
    await page.getByRole('row', { name: /Menunggu diproses/ }).waitFor();
    const status = await t.container.dataSource.query<{ status: string }[]>(
      'SELECT status FROM inbound_emails WHERE id = $1',
      [row?.id],
    );
    expect(status[0]?.status).toBe('RECEIVED');

    await t.container.dataSource.query(
      `UPDATE inbound_emails SET status = 'FAILED' WHERE id = $1`,
      [row?.id],
    );
    await staff('AUDITOR', 'yanto.aud');
    const auditor = await newPage();
    await login(auditor, 'yanto.aud');
    await auditor.getByRole('link', { name: 'Email masuk', exact: true }).click();
    await auditor.getByRole('row', { name: /Gagal diproses/ }).waitFor();
    expect(await auditor.getByRole('button', { name: 'Proses ulang' }).count()).toBe(0);
  });

  test('a role that must not see an action does not see it, and the API refuses it', async () => {
    await staff('FRONT_OFFICE', 'sari.fo');
    const page = await newPage(TABLET);
    await login(page, 'sari.fo');
    await page.getByRole('button', { name: 'Menu' }).click();
    const nav = await page.getByRole('navigation', { name: 'Navigasi utama' }).innerText();
    expect(nav).toContain('Meja layanan');
    expect(nav).not.toMatch(/Administrasi|Laporan|Jejak audit/);
    await shot(page, 'my-work-front-office-tablet');
    // A deep link to the administration page shows the API's refusal, not the data.
    await page.goto(`${t.baseUrl}/console/admin`);
    await page.getByText('Peran Anda tidak boleh melakukan ini.').first().waitFor();
    const token = await t.tokenFor('FRONT_OFFICE');
    expect((await t.http('GET', '/api/users', { token })).status).toBe(403);
    expect((await t.http('GET', '/api/reports/steps', { token })).status).toBe(403);

    // An auditor reads (audit trail, registry) but has no desk and no step to take.
    await staff('AUDITOR', 'tari.aud');
    const auditor = await newPage();
    await login(auditor, 'tari.aud');
    const auditorNav = await auditor
      .getByRole('navigation', { name: 'Navigasi utama' })
      .innerText();
    expect(auditorNav).toContain('Jejak audit');
    expect(auditorNav).not.toMatch(/Meja layanan|Administrasi/);
    // The registry entry as a reader without the NIK right: masked, as the API gives it.
    await auditor.getByRole('link', { name: 'Data registrasi', exact: true }).click();
    const search = auditor.getByRole('form', { name: 'Cari' });
    await search.getByLabel('Cari menurut').selectOption('userId');
    await search.getByLabel('Kata kunci').fill('budi.ppk');
    await search.getByRole('button', { name: 'Cari' }).click();
    await auditor.getByRole('link', { name: 'budi.ppk' }).click();
    await auditor.getByText('6471********1187').waitFor();
    expect(await auditor.content()).not.toContain('6471021303801187');
    // No import form for an auditor (the API refuses it too).
    await auditor.goBack();
    expect(await auditor.getByRole('form', { name: 'Impor CSV' }).count()).toBe(0);
    const opened = await t.http<{ id: string }>('POST', '/api/tickets', {
      token: await t.tokenFor('HELPDESK'),
      json: {
        type: 'USER_ID_INFO',
        channel: 'WALK_IN',
        requester: { name: 'Rudi' },
        contact: { kind: 'NONE' },
      },
    });
    await auditor.goto(`${t.baseUrl}/console/tickets/${opened.body.id}`);
    await auditor.getByText('Tidak ada langkah untuk peran Anda pada tahap ini.').waitFor();
  });

  test('an expired session goes back to login, keeps the route and the form, and restores both', async () => {
    await staff('FRONT_OFFICE', 'wati.fo');
    const page = await newPage();
    await login(page, 'wati.fo');
    await page.getByRole('link', { name: 'Meja layanan', exact: true }).click();
    const book = page.getByRole('form', { name: 'Buku tamu' });
    await book.getByLabel('Nama', { exact: true }).fill('Ani Kusuma');
    await book.getByLabel('Instansi').fill('Dinas Kesehatan');
    await book.getByLabel('Layanan').selectOption('USER_ID_INFO');

    // Every session of this account ends elsewhere (the refresh token dies with it).
    const other = await t.http<{ accessToken: string }>('POST', '/api/auth/login', {
      json: { username: 'wati.fo', password: TEST_PASSWORD },
    });
    expect(
      (
        await t.http('POST', '/api/auth/logout', {
          token: other.body.accessToken,
          json: { everywhere: true },
        })
      ).status,
    ).toBe(204);

    await page.getByRole('button', { name: 'Simpan dan beri nomor antrean' }).click();
    await page.getByText('Sesi Anda berakhir.', { exact: false }).waitFor();
    await shot(page, 'login-expired-1366');
    // No token was written to web storage that outlives the tab.
    const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage })');
    expect(stored).not.toMatch(/eyJ|refresh/i);

    await page.getByLabel('Nama pengguna').fill('wati.fo');
    await page.getByLabel('Kata sandi').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('heading', { name: 'Meja layanan' }).waitFor();
    expect(page.url()).toBe(`${t.baseUrl}/console/desk`);
    await expect(book.getByLabel('Nama', { exact: true }).inputValue()).resolves.toBe('Ani Kusuma');
    await expect(book.getByLabel('Instansi').inputValue()).resolves.toBe('Dinas Kesehatan');
    await expect(book.getByLabel('Layanan').inputValue()).resolves.toBe('USER_ID_INFO');
    await page.getByRole('button', { name: 'Simpan dan beri nomor antrean' }).click();
    await expect(page.getByTestId('issued-number').innerText()).resolves.toMatch(/^B-\d{3}$/);
  });

  test('a draft goes back only to its author: another user signing in at the tab never sees it', async () => {
    await staff('FRONT_OFFICE', 'rina.fo');
    await staff('FRONT_OFFICE', 'budi.fo');
    const page = await newPage();
    await login(page, 'rina.fo');
    await page.getByRole('link', { name: 'Meja layanan', exact: true }).click();
    const book = page.getByRole('form', { name: 'Buku tamu' });
    await book.getByLabel('Nama', { exact: true }).fill('Tamu Rahasia');
    await book.getByLabel('Instansi').fill('Dinas Rahasia');

    const other = await t.http<{ accessToken: string }>('POST', '/api/auth/login', {
      json: { username: 'rina.fo', password: TEST_PASSWORD },
    });
    await t.http('POST', '/api/auth/logout', {
      token: other.body.accessToken,
      json: { everywhere: true },
    });
    await page.getByRole('button', { name: 'Simpan dan beri nomor antrean' }).click();
    await page.getByText('Sesi Anda berakhir.', { exact: false }).waitFor();
    const saved = await page.evaluate<string>("sessionStorage.getItem('loket.drafts') ?? ''");
    expect(saved).toContain('Tamu Rahasia');

    // Someone else signs in at this tab: same page, empty form, and the draft is gone.
    await page.getByLabel('Nama pengguna').fill('budi.fo');
    await page.getByLabel('Kata sandi').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('heading', { name: 'Meja layanan' }).waitFor();
    await expect(book.getByLabel('Nama', { exact: true }).inputValue()).resolves.toBe('');
    await expect(book.getByLabel('Instansi').inputValue()).resolves.toBe('');
    const left = await page.evaluate<string>('JSON.stringify({ ...sessionStorage })');
    expect(left).not.toContain('Tamu Rahasia');

    // Signing out forgets drafts too.
    await book.getByLabel('Nama', { exact: true }).fill('Tamu Budi');
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.getByLabel('Nama pengguna').waitFor();
    expect(await page.evaluate<string | null>("sessionStorage.getItem('loket.drafts')")).toBeNull();
  });

  test('the first login with a temporary password forces a new one', async () => {
    await staff('HELPDESK', 'joko.hd', true);
    const page = await newPage();
    await page.goto(`${t.baseUrl}/console/tickets`);
    await page.getByLabel('Nama pengguna').fill('joko.hd');
    await page.getByLabel('Kata sandi').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('heading', { name: 'Ganti kata sandi' }).waitFor();
    await shot(page, 'password-forced-1366');
    await page.getByLabel('Kata sandi saat ini').fill(TEST_PASSWORD);
    await page.getByLabel('Kata sandi baru', { exact: true }).fill('Loket-Sandi-Baru-2026!');
    await page.getByLabel('Ulangi kata sandi baru').fill('Loket-Sandi-Baru-2026!');
    await page.getByRole('button', { name: 'Ganti kata sandi' }).click();
    await page.getByRole('heading', { name: 'Tugas saya' }).waitFor();
    // The old password no longer works.
    const old = await t.http('POST', '/api/auth/login', {
      json: { username: 'joko.hd', password: TEST_PASSWORD },
    });
    expect(old.status).toBe(401);
  });
});
