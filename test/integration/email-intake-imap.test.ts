import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { pollImapOnce, REFUSED_KEYWORD } from '../../src/email/imap-poller';
import { createEmailIntake, type EmailIntake, type StoreResult } from '../../src/email/intake';
import { startWorkers, type Workers } from '../../src/worker';
import { DOVECOT_BINARY, startDovecot, type Dovecot } from '../helpers/dovecot';
import { eventually } from '../helpers/eventually';
import { createTestApp, type TestApp } from '../helpers/test-app';

const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');
const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'email', name));
const mail = (id: string, from: string, subject: string) =>
  Buffer.from(
    `From: ${from}\r\nTo: helpdesk@lpse.samarindakota.go.id\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0700\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMohon bantuan.\r\n`,
  );

jest.setTimeout(60_000);

// CI installs dovecot-imapd (.ci/run) and runs as root (the helper hands the maildir to
// `nobody`); a machine without either skips rather than fails.
const describeIfDovecot =
  existsSync(DOVECOT_BINARY) && process.getuid?.() === 0 ? describe : describe.skip;

describeIfDovecot('email intake over IMAP (a real Dovecot)', () => {
  let dovecot: Dovecot;
  let t: TestApp;
  let intake: EmailIntake;
  let client: ImapFlow;
  const stored: StoreResult[] = [];

  beforeAll(async () => {
    dovecot = await startDovecot();
    t = await createTestApp({
      clock: { now: () => new Date(MONDAY_0900_WIB) },
      env: {
        MAIL_FROM: 'Loket Helpdesk <helpdesk@lpse.samarindakota.go.id>',
        IMAP_URL: dovecot.url,
        IMAP_USER: dovecot.user,
        IMAP_PASSWORD: dovecot.password,
        SMTP_INTAKE_MAX_BYTES: '20000',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      },
    });
    intake = createEmailIntake({
      dataSource: t.container.dataSource,
      storage: t.container.storage,
      tickets: t.container.tickets,
      pii: t.container.secrets.pii,
      clock: t.container.clock,
      config: t.config,
    });
    client = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await client.connect();
  });
  afterAll(async () => {
    await client.logout();
    await t.close();
    await dovecot.stop();
  });

  const poll = (config: Partial<TestApp['config']> = {}) =>
    pollImapOnce({
      intake,
      dataSource: t.container.dataSource,
      config: { ...t.config, ...config },
      onStored: (s) => stored.push(s),
      log: () => undefined,
    });
  const processAll = async () => {
    for (const s of stored.splice(0)) await intake.process(s.id);
  };
  const tickets = async () =>
    Number(
      (await t.container.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM tickets'))[0]
        ?.n,
    );
  const flagsOf = async (mailbox: string) => {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const out: { uid: number; flags: string[] }[] = [];
      for await (const m of client.fetch('1:*', { uid: true, flags: true }, { uid: true }))
        out.push({ uid: m.uid, flags: [...(m.flags ?? [])].sort() });
      return out;
    } finally {
      lock.release();
    }
  };

  test('new mail is stored, then flagged; an oversized one is flagged as refused, never downloaded', async () => {
    await client.append('INBOX', fixture('gmail-new-request-pdf-jpeg.eml'));
    await client.append(
      'INBOX',
      mail('imap-2@contoh.go.id', 'Sari <sari@contoh.go.id>', 'Lupa user ID'),
    );
    await client.append(
      'INBOX',
      Buffer.concat([
        mail('imap-big@contoh.go.id', 'x@contoh.go.id', 'besar'),
        Buffer.alloc(30_000, 0x41),
      ]),
    );
    expect(await poll()).toEqual({ stored: 2, duplicates: 0, refused: 1 });
    await processAll();
    expect(await tickets()).toBe(2);
    const docs = await t.container.dataSource.query<{ n: string }[]>(
      'SELECT count(*) AS n FROM documents',
    );
    expect(Number(docs[0]?.n)).toBe(2);
    expect(await flagsOf('INBOX')).toEqual([
      { uid: 1, flags: ['\\Seen'] },
      { uid: 2, flags: ['\\Seen'] },
      { uid: 3, flags: [REFUSED_KEYWORD, '\\Seen'].sort() },
    ]);
    const cursor = await t.container.dataSource.query<{ last_uid: string }[]>(
      'SELECT last_uid FROM inbound_mailbox_cursors WHERE mailbox = $1',
      ['INBOX'],
    );
    expect(cursor[0]?.last_uid).toBe('3');
  });

  test('a second poll reads only what came after the cursor; a re-sent Message-ID is a duplicate', async () => {
    expect(await poll()).toEqual({ stored: 0, duplicates: 0, refused: 0 });
    await client.append('INBOX', fixture('gmail-new-request-pdf-jpeg.eml'));
    expect(await poll()).toEqual({ stored: 0, duplicates: 1, refused: 0 });
    expect(await tickets()).toBe(2);
  });

  test('UIDVALIDITY changed: the mailbox is read again, and the dedupe makes it harmless', async () => {
    await t.container.dataSource.query(
      `UPDATE inbound_mailbox_cursors SET uid_validity = 1, last_uid = 999 WHERE mailbox = 'INBOX'`,
    );
    expect(await poll()).toEqual({ stored: 0, duplicates: 3, refused: 1 });
    expect(await tickets()).toBe(2);
  });

  test('with IMAP_PROCESSED_MAILBOX, stored mail is moved out of the inbox', async () => {
    await client.mailboxCreate('Diproses');
    await client.append(
      'INBOX',
      mail('imap-move@contoh.go.id', 'Joko <joko@contoh.go.id>', 'Reset password'),
    );
    expect(await poll({ IMAP_PROCESSED_MAILBOX: 'Diproses' })).toEqual({
      stored: 1,
      duplicates: 0,
      refused: 0,
    });
    await processAll();
    expect(await tickets()).toBe(3);
    expect((await flagsOf('Diproses')).length).toBe(1);
    expect((await flagsOf('INBOX')).length).toBe(4);
  });

  test('the worker polls on its job scheduler and processes what it stored', async () => {
    const workerApp = await createTestApp({
      clock: { now: () => new Date(MONDAY_0900_WIB) },
      env: {
        MAIL_FROM: 'Loket Helpdesk <helpdesk@lpse.samarindakota.go.id>',
        EMAIL_INTAKE: 'imap',
        IMAP_URL: dovecot.url,
        IMAP_USER: dovecot.user,
        IMAP_PASSWORD: dovecot.password,
        IMAP_MAILBOX: 'Diproses',
        IMAP_POLL_SECONDS: '5',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      },
    });
    let workers: Workers | undefined;
    try {
      workers = await startWorkers(workerApp.container, workerApp.redis);
      const rows = await eventually(
        () =>
          workerApp.container.dataSource.query<{ type: string }[]>(
            `SELECT type FROM tickets WHERE contact_address = 'joko@contoh.go.id'`,
          ),
        (r) => r.length === 1,
        20_000,
      );
      expect(rows[0]?.type).toBe('RESET_PASSWORD');
    } finally {
      await workers?.close();
      await workerApp.close();
    }
  });
});
