import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  documentLabels,
  documentName,
  emailParts,
  formatDateTime,
  joinList,
  loadNotificationTemplates,
  notificationLanguages,
  requiredTemplateFiles,
  singleLine,
  TemplateLoadError,
  TemplateRenderError,
  whatsAppNotices,
  zoneAbbreviation,
  type NoticeData,
  type OfficeInfo,
  type WhatsAppNotice,
} from '../../src/notifications/templates';
import { templatesDir } from '../../src/shared/paths';
import type { AnyNotice } from '../../src/notifications/notice-data';
import {
  cloudTemplateFor,
  loadCloudTemplateMap,
} from '../../src/notifications/whatsapp-cloud-templates';
import {
  documentKinds,
  noticeTemplates,
  type NoticeTemplate,
} from '../../src/workflow/workflow.types';

type Lang = (typeof notificationLanguages)[number];

const templates = loadNotificationTemplates();

/** Monday 23 November 2026, 06:05 UTC: 13.05 WIB, 14.05 WITA, 15.05 WIT. */
const instant = new Date('2026-11-23T06:05:00Z');
const TICKET = 'LKT-2611-00042';
const PASSWORD = 'Xk7#pQ2m+Rt9@vLw4Hz!';

const office: OfficeInfo = {
  name: 'LPSE Provinsi Kalimantan Timur',
  timeZone: 'Asia/Makassar',
  address: 'Jl. Kesuma Bangsa No. 2, Samarinda',
  phone: '(0541) 741021',
  hours: 'Senin–Kamis 07.30–16.00, Jumat 07.30–16.30 WITA',
};

const requester = { name: 'Siti Rahmawati', ticketCode: TICKET, office };

const samples: { [K in NoticeTemplate]: NoticeData[K] } = {
  'ticket-received': { ...requester, requestType: 'RESET_PASSWORD', receivedAt: instant },
  'documents-missing': {
    ...requester,
    requestType: 'RESET_PASSWORD',
    missingDocuments: [...documentKinds],
    note: 'SK yang dilampirkan sudah tidak berlaku.',
  },
  'request-rejected': {
    ...requester,
    requestType: 'USER_ID_INFO',
    reasonLabel: 'Data permohonan tidak sesuai dengan data registrasi',
    note: 'NIP pada SK berbeda dengan data SPSE.',
  },
  'password-reset': {
    ...requester,
    userId: 'siti.rahma',
    temporaryPassword: PASSWORD,
    expiresAt: instant,
  },
  'user-id-info': { ...requester, userId: 'siti.rahma' },
  'pickup-in-person': { ...requester, requestType: 'RESET_PASSWORD' },
  'deadline-breached': {
    ticketCode: TICKET,
    office,
    requestType: 'RESET_PASSWORD',
    stepLabel: 'Pemeriksaan kebenaran berkas',
    dueAt: instant,
    assigneeName: 'Ahmad Fauzi',
  },
  'staff-reply': {
    ...requester,
    message: 'Mohon kirim ulang SK dalam format PDF.\nTerima kasih.',
    staffName: 'Rina (Helpdesk)',
  },
};

/** Fields a notice may leave out; every other field must make the render throw when missing. */
const optionalFields: Record<NoticeTemplate, readonly string[]> = {
  'ticket-received': ['queueNumber'],
  'documents-missing': ['note'],
  'request-rejected': ['note'],
  'password-reset': [],
  'user-id-info': [],
  'pickup-in-person': [],
  'deadline-breached': ['assigneeName'],
  'staff-reply': ['staffName'],
};

interface Expected {
  /** In every part: email text, email HTML, WhatsApp. */
  all: string[];
  email?: string[];
  whatsApp?: string[];
}

const WITA_ID = 'Senin, 23 November 2026 pukul 14.05 WITA';
const WITA_EN = 'Monday, 23 November 2026 at 14:05 WITA';

const expected: Record<NoticeTemplate, Record<Lang, Expected>> = {
  'ticket-received': {
    id: {
      all: [WITA_ID, 'reset kata sandi (password)', 'hari kerja yang sama'],
      email: ['Yth. Bapak/Ibu Siti Rahmawati', 'Langkah selanjutnya', 'data registrasi'],
    },
    en: {
      all: [WITA_EN, 'password reset', 'same working day'],
      email: ['Dear Siti Rahmawati', 'Next step'],
    },
  },
  'documents-missing': {
    id: {
      all: [
        'belum lengkap',
        'Formulir permohonan',
        'SK Penunjukan',
        'Surat Perintah Pemeriksaan',
        'KTP',
        'Lainnya',
        'SK yang dilampirkan sudah tidak berlaku.',
      ],
      email: ['balas email ini dengan melampirkan dokumen'],
      whatsApp: ['kirim foto atau berkas PDF dokumen tersebut di chat ini'],
    },
    en: {
      all: [
        'not complete',
        'Request form',
        'Appointment decree (SK Penunjukan)',
        'Examination order (Surat Perintah Pemeriksaan)',
        'Identity card (KTP)',
        'Other',
      ],
      email: ['reply to this email with the documents attached'],
      whatsApp: ['Send a photo or a PDF of each document in this chat'],
    },
  },
  'request-rejected': {
    id: {
      all: [
        'ditolak',
        'Data permohonan tidak sesuai dengan data registrasi',
        'NIP pada SK berbeda dengan data SPSE.',
        'permohonan baru',
      ],
    },
    en: { all: ['rejected', 'NIP pada SK berbeda dengan data SPSE.', 'new request'] },
  },
  'password-reset': {
    id: {
      all: [
        'siti.rahma',
        PASSWORD,
        WITA_ID,
        'segera login dan wajib mengganti kata sandi',
        'jangan berikan kepada siapa pun, termasuk petugas kami',
      ],
      email: ['tidak pernah meminta kata sandi Anda'],
    },
    en: {
      all: [
        'siti.rahma',
        PASSWORD,
        WITA_EN,
        'log in at once and change your password',
        'do not share it with anyone, including our staff',
      ],
      email: ['never ask for your password'],
    },
  },
  'user-id-info': {
    id: { all: ['siti.rahma', 'segera login dengan User ID tersebut', 'ganti kata sandi'] },
    en: { all: ['siti.rahma', 'Log in at once with this user ID', 'change your password'] },
  },
  'pickup-in-person': {
    id: {
      all: [
        'KTP asli',
        'hari dan jam kerja',
        'Jl. Kesuma Bangsa No. 2, Samarinda',
        'segera login dan wajib mengganti kata sandi',
      ],
    },
    en: {
      all: [
        'original identity card (KTP)',
        'working day during office hours',
        'Jl. Kesuma Bangsa No. 2, Samarinda',
        'log in at once and change the password',
      ],
    },
  },
  'deadline-breached': {
    id: { all: ['Pemeriksaan kebenaran berkas', WITA_ID, 'Ahmad Fauzi', 'mutu baku'] },
    en: { all: ['Pemeriksaan kebenaran berkas', WITA_EN, 'Ahmad Fauzi', 'time standard'] },
  },
  'staff-reply': {
    id: { all: ['Mohon kirim ulang SK dalam format PDF.', 'Terima kasih.', 'Rina (Helpdesk)'] },
    en: { all: ['Mohon kirim ulang SK dalam format PDF.', 'Terima kasih.', 'Rina (Helpdesk)'] },
  },
};

/** A rendering helper that takes the union of names (the typed API wants one name at a time). */
function renderEmail(name: NoticeTemplate, lang: Lang, data: unknown) {
  return templates.renderEmail(name, lang, data as never);
}
function renderWhatsApp(name: WhatsAppNotice, lang: Lang, data: unknown) {
  return templates.renderWhatsApp(name, lang, data as never);
}

/** Key phrases are checked case-insensitively: a phrase may open a sentence in one channel. */
function expectContains(output: string, phrase: string) {
  expect(output.toLowerCase()).toContain(phrase.toLowerCase());
}

function expectClean(output: string) {
  expect(output).not.toMatch(/\{\{|\}\}/);
  expect(output).not.toMatch(/undefined|\bnull\b|NaN|\[object Object\]/);
  expect(output.trim()).not.toBe('');
}

const cases = noticeTemplates.flatMap((name) =>
  notificationLanguages.map((lang) => [name, lang] as const),
);

describe('notification templates: every notice in both languages', () => {
  test.each(cases)('%s (%s) by email: subject, HTML and text', (name, lang) => {
    const email = renderEmail(name, lang, samples[name]);
    const exp = expected[name][lang];
    for (const part of [email.subject, email.html, email.text]) expectClean(part);

    expect(email.subject).toMatch(new RegExp(`^\\[${TICKET}\\] \\S`));
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject).not.toContain(PASSWORD);

    for (const body of [email.text, email.html]) {
      expect(body).toContain(TICKET);
      expect(body).toContain(office.name);
      for (const s of [...exp.all, ...(exp.email ?? [])]) expectContains(body, s);
    }

    expect(email.html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(email.html).toContain(`<html lang="${lang}">`);
    expect(email.html).toContain('<title>');
    // Inline styles only, nothing fetched from outside.
    expect(email.html).not.toMatch(/<style|<link|<script|<img|src=|url\(|@import|https?:/i);
    expect(email.text).not.toMatch(/<\/?[a-z][^>]*>/i);
    expect(email.text.endsWith('\n')).toBe(true);
  });

  test.each(cases.filter(([name]) => name !== 'deadline-breached'))(
    '%s (%s) by WhatsApp: short plain text',
    (name, lang) => {
      const text = renderWhatsApp(name as WhatsAppNotice, lang, samples[name]);
      const exp = expected[name][lang];
      expectClean(text);
      expect(text).toContain(TICKET);
      expect(text).toContain(
        lang === 'id' ? 'Yth. Bapak/Ibu Siti Rahmawati' : 'Dear Siti Rahmawati',
      );
      for (const s of [...exp.all, ...(exp.whatsApp ?? [])]) expectContains(text, s);
      expect(text).not.toMatch(/<\/?[a-z][^>]*>|&[a-z]+;|&#/i);
      expect(text.length).toBeLessThan(1200);
    },
  );

  test('the requester is greeted politely and the safety line is in every requester email', () => {
    for (const name of whatsAppNotices) {
      const id = renderEmail(name, 'id', samples[name]);
      const en = renderEmail(name, 'en', samples[name]);
      expect(id.text).toContain('Yth. Bapak/Ibu Siti Rahmawati,');
      expect(id.text).toContain('tidak pernah meminta kata sandi Anda');
      expect(id.html).toContain('tidak pernah meminta kata sandi Anda');
      expect(en.text).toContain('never ask for your password');
      expect(id.text).toContain('Hormat kami,');
    }
  });

  test('password-reset in Indonesian: user ID, password, expiry and the change-at-first-login line', () => {
    const { subject, text, html } = templates.renderEmail(
      'password-reset',
      'id',
      samples['password-reset'],
    );
    expect(subject).toBe(
      `[${TICKET}] Reset kata sandi selesai – segera login dan ganti kata sandi`,
    );
    expect(text).toContain(`User ID              : siti.rahma`);
    expect(text).toContain(`Kata sandi sementara : ${PASSWORD}`);
    expect(text).toContain(`berlaku sampai ${WITA_ID}`);
    expect(text).toContain('Langkah selanjutnya: segera login dan wajib mengganti kata sandi');
    expect(html).toContain(`>${PASSWORD}</td>`);
    const wa = templates.renderWhatsApp('password-reset', 'id', samples['password-reset']);
    // Monospace, so WhatsApp formatting never touches a user ID or password.
    expect(wa).toContain('```siti.rahma```');
    expect(wa).toContain(`\`\`\`${PASSWORD}\`\`\``);
    expect(wa).toContain('*Segera login dan wajib mengganti kata sandi*');
  });

  test('ticket-received names the queue number for a walk-in, and what happens next', () => {
    const data = { ...samples['ticket-received'], queueNumber: 'B-017' };
    const email = templates.renderEmail('ticket-received', 'id', data);
    expect(email.text).toContain('Nomor antrean: B-017');
    expect(email.text).toContain('nomor antrean Anda dipanggil');
    expect(email.text).not.toContain('hari kerja yang sama');
    expect(templates.renderWhatsApp('ticket-received', 'en', data)).toContain(
      'Queue number: *B-017*',
    );
  });

  test('ticket-received names the attachments the email intake refused, escaped in HTML', () => {
    const data = {
      ...samples['ticket-received'],
      requestType: 'UNCLASSIFIED' as const,
      rejectedFiles: ['setup.exe', 'scan <besar>.pdf'],
    };
    const id = templates.renderEmail('ticket-received', 'id', data);
    expect(id.text).toContain('Permohonan layanan akun Anda telah kami terima');
    expect(id.text).toContain('Lampiran berikut tidak dapat kami terima');
    expect(id.text).toContain('- scan <besar>.pdf');
    expect(id.html).toContain('<li>scan &lt;besar&gt;.pdf</li>');
    const en = templates.renderEmail('ticket-received', 'en', data);
    expect(en.text).toContain('We could not accept the following attachments');
    expect(en.text).toContain('- setup.exe');
    expect(
      templates.renderEmail('ticket-received', 'id', samples['ticket-received']).text,
    ).not.toContain('Lampiran berikut');
  });

  test('optional fields can be absent or null without leaving a trace', () => {
    const bare: OfficeInfo = { name: 'LPSE Kota Jayapura', timeZone: 'Asia/Jayapura' };
    const email = templates.renderEmail('request-rejected', 'id', {
      ...samples['request-rejected'],
      office: bare,
      note: null,
    });
    expect(email.text).not.toContain('Keterangan');
    expect(email.text).not.toContain('Telp.');
    expectClean(email.text);
    const staff = templates.renderEmail('deadline-breached', 'id', {
      ...samples['deadline-breached'],
      office: bare,
      assigneeName: null,
    });
    expect(staff.text).toContain('belum ditugaskan');
    expect(staff.text).toContain('Senin, 23 November 2026 pukul 15.05 WIT');
    const userIdPickup = templates.renderEmail('pickup-in-person', 'id', {
      ...samples['pickup-in-person'],
      requestType: 'USER_ID_INFO',
      office: bare,
    });
    expect(userIdPickup.text).not.toContain('kata sandi sementara');
    expect(userIdPickup.text).not.toContain('Alamat:');
  });

  test('dates follow the office time zone: WIB, WITA, WIT', () => {
    const at = (timeZone: string) =>
      templates.renderEmail('ticket-received', 'id', {
        ...samples['ticket-received'],
        office: { ...office, timeZone },
      }).text;
    expect(at('Asia/Jakarta')).toContain('Senin, 23 November 2026 pukul 13.05 WIB');
    expect(at('Asia/Pontianak')).toContain('Senin, 23 November 2026 pukul 13.05 WIB');
    expect(at('Asia/Makassar')).toContain('Senin, 23 November 2026 pukul 14.05 WITA');
    expect(at('Asia/Jayapura')).toContain('Senin, 23 November 2026 pukul 15.05 WIT');
  });
});

describe('escaping and header safety', () => {
  const hostile = '<script>alert("x")</script> & Co';

  test('a requester name is escaped in HTML and literal in text and WhatsApp', () => {
    const data = { ...samples['staff-reply'], name: hostile, message: '<b>hi</b>\nline two' };
    const email = templates.renderEmail('staff-reply', 'id', data);
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<b>hi</b>');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(email.html).toContain('&lt;b&gt;hi&lt;/b&gt;<br>\nline two');
    expect(email.text).toContain(`Yth. Bapak/Ibu ${hostile},`);
    expect(email.text).toContain('<b>hi</b>\nline two');
    expect(templates.renderWhatsApp('staff-reply', 'id', data)).toContain(hostile);
  });

  test('the office name and every other field are escaped in HTML too', () => {
    const email = templates.renderEmail('documents-missing', 'en', {
      ...samples['documents-missing'],
      office: { ...office, name: 'LPSE <i>Kaltim</i>' },
      note: 'see <a href="http://evil.example">here</a>',
    });
    expect(email.html).not.toMatch(/<i>|<a /);
    expect(email.html).toContain('LPSE &lt;i&gt;Kaltim&lt;/i&gt;');
    expect(email.text).toContain('LPSE <i>Kaltim</i>');
  });

  test('a subject stays on one line even when the data hold line breaks', () => {
    const email = templates.renderEmail('ticket-received', 'en', {
      ...samples['ticket-received'],
      ticketCode: `${TICKET}\r\nBcc: attacker@example.com`,
    });
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject).toBe(
      `[${TICKET} Bcc: attacker@example.com] We have received your request`,
    );
    const staff = templates.renderEmail('deadline-breached', 'id', {
      ...samples['deadline-breached'],
      stepLabel: 'Pemeriksaan\nkebenaran\u2028berkas\t',
    });
    expect(staff.subject).toBe(`[${TICKET}] Batas waktu terlampaui: Pemeriksaan kebenaran berkas`);
    expect(singleLine(' a\r\n\r\nb\u0000c ')).toBe('a b c');
  });

  test('no template prints raw output ({{{ }}})', () => {
    for (const sub of ['email', 'whatsapp', 'partials']) {
      for (const file of readdirSync(join(templatesDir, sub))) {
        expect(
          `${sub}/${file}: ${readFileSync(join(templatesDir, sub, file), 'utf8')}`,
        ).not.toMatch(/\{\{\{|\{\{&/);
      }
    }
  });
});

describe('the template set on disk', () => {
  test('every notice has all its files in both languages', () => {
    const email = new Set(readdirSync(join(templatesDir, 'email')));
    const whatsApp = new Set(readdirSync(join(templatesDir, 'whatsapp')));
    const missing: string[] = [];
    for (const name of noticeTemplates) {
      for (const lang of ['id', 'en']) {
        for (const part of ['subject', 'html', 'text']) {
          const file = `${name}.${lang}.${part}.hbs`;
          if (!email.has(file)) missing.push(`email/${file}`);
        }
        if (name !== 'deadline-breached' && !whatsApp.has(`${name}.${lang}.hbs`)) {
          missing.push(`whatsapp/${name}.${lang}.hbs`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(requiredTemplateFiles()).toHaveLength(noticeTemplates.length * 2 * 3 + 7 * 2);
    expect(emailParts).toEqual(['subject', 'html', 'text']);
  });

  test('no stray files: each file belongs to a known notice, language and part', () => {
    const known = new Set<string>(noticeTemplates);
    for (const file of readdirSync(join(templatesDir, 'email'))) {
      const m = /^([a-z-]+)\.(id|en)\.(subject|html|text)\.hbs$/.exec(file);
      expect([file, m !== null && known.has(m[1] ?? '')]).toEqual([file, true]);
    }
    for (const file of readdirSync(join(templatesDir, 'whatsapp'))) {
      if (file === 'cloud-templates.json') continue; // the Cloud API's approved-template map
      const m = /^([a-z-]+)\.(id|en)\.hbs$/.exec(file);
      expect([file, m !== null && m[1] !== 'deadline-breached' && known.has(m[1] ?? '')]).toEqual([
        file,
        true,
      ]);
    }
  });
});

describe('loading stops start-up on a broken template set', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loket-templates-'));
    for (const sub of ['email', 'whatsapp', 'partials']) {
      cpSync(join(templatesDir, sub), join(dir, sub), { recursive: true });
    }
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const loadError = (): TemplateLoadError => {
    try {
      loadNotificationTemplates(dir);
    } catch (err) {
      if (err instanceof TemplateLoadError) return err;
      throw err;
    }
    throw new Error('the template set loaded');
  };

  test('the copy loads', () => {
    expect(loadNotificationTemplates(dir).dir).toBe(dir);
  });

  test('a missing template file and a missing partial are both named', () => {
    rmSync(join(dir, 'email', 'password-reset.en.text.hbs'));
    rmSync(join(dir, 'whatsapp', 'user-id-info.id.hbs'));
    rmSync(join(dir, 'partials', 'safety.id.html.hbs'));
    const err = loadError();
    expect(err.problems).toContain('email/password-reset.en.text.hbs: file missing');
    expect(err.problems).toContain('whatsapp/user-id-info.id.hbs: file missing');
    expect(err.message).toContain('unknown partial "safety.id.html"');
    expect(err.message).toContain('email/ticket-received.id.html.hbs');
    expect(err.message).toMatch(/cannot be loaded \(\d+ problems\)/);
  });

  test('an unknown partial is named with the file that uses it', () => {
    writeFileSync(
      join(dir, 'whatsapp', 'staff-reply.en.hbs'),
      'Dear {{name}},\n{{> no-such-partial}}\n',
    );
    expect(loadError().problems).toEqual([
      'whatsapp/staff-reply.en.hbs (line 2): unknown partial "no-such-partial" (no file partials/no-such-partial.hbs)',
    ]);
  });

  test('a missing partials directory stops loading', () => {
    rmSync(join(dir, 'partials'), { recursive: true });
    expect(loadError().problems[0]).toBe('partials/: directory missing');
  });

  test('syntax errors, unknown helpers and raw output are refused', () => {
    writeFileSync(join(dir, 'email', 'user-id-info.en.subject.hbs'), '{{#if userId}}x\n');
    writeFileSync(join(dir, 'email', 'user-id-info.en.text.hbs'), '{{shout name}}\n');
    writeFileSync(join(dir, 'whatsapp', 'user-id-info.en.hbs'), '{{{name}}}\n');
    writeFileSync(join(dir, 'partials', 'extra.hbs'), '{{> (list name)}}\n');
    const { problems } = loadError();
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/^email\/user-id-info\.en\.subject\.hbs: .+/m);
    expect(problems.join('\n')).toMatch(/^email\/user-id-info\.en\.text\.hbs: .*shout/m);
    expect(problems.join('\n')).toContain(
      'whatsapp/user-id-info.en.hbs (line 1): unescaped output ({{{...}}} or {{&...}}) is not allowed',
    );
    expect(problems.join('\n')).toContain('partials/extra.hbs (line 1): dynamic partial names');
  });
});

describe('rendering with bad data throws a clear error', () => {
  const withoutField = (data: object, field: string): Record<string, unknown> =>
    Object.fromEntries(Object.entries(data).filter(([key]) => key !== field));

  const fieldCases = cases.flatMap(([name, lang]) =>
    Object.keys(samples[name])
      .filter((field) => !optionalFields[name].includes(field))
      .map((field) => [name, lang, field] as const),
  );

  test.each(fieldCases)('%s (%s) without %s', (name, lang, field) => {
    const data = withoutField(samples[name], field);
    expect(() => renderEmail(name, lang, data)).toThrow(TemplateRenderError);
    if (name !== 'deadline-breached') {
      expect(() => renderWhatsApp(name, lang, data)).toThrow(TemplateRenderError);
    }
  });

  test('the error names the template and the field, never the data', () => {
    const data = withoutField(samples['password-reset'], 'userId');
    expect(() => renderEmail('password-reset', 'id', data)).toThrow(
      /^Notification template email\/password-reset\.id\.html\.hbs: missing field "userId" at \d+:\d+$/,
    );
    try {
      renderWhatsApp('password-reset', 'id', data);
    } catch (err) {
      expect(String(err)).not.toContain(PASSWORD);
    }
    expect(() =>
      renderWhatsApp(
        'password-reset',
        'en',
        withoutField(samples['password-reset'], 'temporaryPassword'),
      ),
    ).toThrow('missing field "temporaryPassword"');
  });

  test('a template bug that looks up into a secret does not quote it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loket-templates-'));
    try {
      for (const sub of ['email', 'whatsapp', 'partials']) {
        cpSync(join(templatesDir, sub), join(dir, sub), { recursive: true });
      }
      writeFileSync(join(dir, 'whatsapp', 'password-reset.id.hbs'), '{{temporaryPassword.x}}\n');
      writeFileSync(join(dir, 'whatsapp', 'password-reset.en.hbs'), '{{temporaryPassword.x.y}}\n');
      const broken = loadNotificationTemplates(dir);
      for (const lang of notificationLanguages) {
        let message = '';
        try {
          broken.renderWhatsApp('password-reset', lang, samples['password-reset']);
        } catch (err) {
          message = String(err);
        }
        expect(message).toMatch(/Notification template whatsapp\/password-reset/);
        expect(message).not.toContain(PASSWORD);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad values: an unknown document kind, an empty list, an invalid date, an unknown zone', () => {
    const missing = samples['documents-missing'];
    expect(() =>
      renderEmail('documents-missing', 'id', { ...missing, missingDocuments: ['PASPOR'] }),
    ).toThrow('documentName: unknown document kind "PASPOR"');
    expect(() =>
      templates.renderEmail('documents-missing', 'id', { ...missing, missingDocuments: [] }),
    ).toThrow('documentNames: expected a non-empty list of document kinds');
    expect(() =>
      templates.renderEmail('password-reset', 'id', {
        ...samples['password-reset'],
        expiresAt: new Date('not a date'),
      }),
    ).toThrow('formatDateTime: expected a date');
    expect(() =>
      templates.renderEmail('user-id-info', 'id', {
        ...samples['user-id-info'],
        office: { ...office, timeZone: 'Asia/Atlantis' },
      }),
    ).not.toThrow(); // user-id-info shows no date
    expect(() =>
      templates.renderEmail('ticket-received', 'id', {
        ...samples['ticket-received'],
        office: { ...office, timeZone: 'Asia/Atlantis' },
      }),
    ).toThrow('unknown time zone "Asia/Atlantis"');
  });

  test('wrong names, languages and data do not compile, and fail at run time too', () => {
    expect(() =>
      // @ts-expect-error temporaryPassword is missing
      templates.renderEmail('password-reset', 'id', {
        ...requester,
        userId: 'siti.rahma',
        expiresAt: instant,
      }),
    ).toThrow(TemplateRenderError);
    expect(() =>
      templates.renderWhatsApp('user-id-info', 'id', {
        ...samples['user-id-info'],
        // @ts-expect-error not a field of user-id-info
        temporaryPassword: PASSWORD,
      }),
    ).not.toThrow();
    expect(() =>
      // @ts-expect-error staff alerts have no WhatsApp template
      templates.renderWhatsApp('deadline-breached', 'id', samples['deadline-breached']),
    ).toThrow('Notification template deadline-breached: unknown template');
    // @ts-expect-error not a notice
    expect(() => templates.renderEmail('welcome', 'id', samples['user-id-info'])).toThrow(
      'unknown template',
    );
    // @ts-expect-error not a language
    expect(() => templates.renderEmail('user-id-info', 'fr', samples['user-id-info'])).toThrow(
      'unknown language',
    );
    expect(() => renderEmail('user-id-info', 'id', null)).toThrow('the data must be an object');
  });
});

describe('formatting helpers', () => {
  test('Indonesian and English dates in the office time zone', () => {
    expect(formatDateTime(instant, 'id', 'Asia/Makassar')).toBe(WITA_ID);
    expect(formatDateTime(instant, 'en', 'Asia/Makassar')).toBe(WITA_EN);
    expect(formatDateTime(instant, 'id', 'Asia/Jakarta')).toBe(
      'Senin, 23 November 2026 pukul 13.05 WIB',
    );
    expect(formatDateTime(instant, 'en', 'Asia/Jayapura')).toBe(
      'Monday, 23 November 2026 at 15:05 WIT',
    );
    // Late evening in Jakarta is already the next day in Jayapura.
    const late = new Date('2026-11-23T16:30:00Z');
    expect(formatDateTime(late, 'id', 'Asia/Jakarta')).toBe(
      'Senin, 23 November 2026 pukul 23.30 WIB',
    );
    expect(formatDateTime(late, 'id', 'Asia/Jayapura')).toBe(
      'Selasa, 24 November 2026 pukul 01.30 WIT',
    );
    // Midnight is 00.00, not 24.00; Friday is "Jumat" whatever the ICU version says.
    expect(formatDateTime(new Date('2026-08-13T17:00:00Z'), 'id', 'Asia/Jakarta')).toBe(
      'Jumat, 14 Agustus 2026 pukul 00.00 WIB',
    );
    expect(formatDateTime(instant, 'id', 'Asia/Makassar', { dateOnly: true })).toBe(
      'Senin, 23 November 2026',
    );
    expect(formatDateTime('2026-11-23T06:05:00Z', 'id', 'Asia/Makassar')).toBe(WITA_ID);
  });

  test('zone abbreviations: WIB, WITA, WIT, otherwise the UTC offset', () => {
    expect(zoneAbbreviation('Asia/Jakarta')).toBe('WIB');
    expect(zoneAbbreviation('Asia/Pontianak')).toBe('WIB');
    expect(zoneAbbreviation('Asia/Makassar')).toBe('WITA');
    expect(zoneAbbreviation('Asia/Jayapura')).toBe('WIT');
    expect(zoneAbbreviation('Asia/Tokyo')).toBe('UTC+9');
    expect(zoneAbbreviation('Asia/Kolkata')).toBe('UTC+5:30');
    expect(zoneAbbreviation('UTC')).toBe('UTC');
    expect(zoneAbbreviation('America/New_York', instant)).toBe('UTC-5');
    expect(formatDateTime(instant, 'en', 'Asia/Kolkata')).toBe(
      'Monday, 23 November 2026 at 11:35 UTC+5:30',
    );
    expect(() => zoneAbbreviation('Mars/Olympus')).toThrow('unknown time zone');
  });

  test('document names per language, and list joining', () => {
    expect(documentKinds.map((k) => documentName(k, 'id'))).toEqual([
      'Formulir permohonan',
      'SK Penunjukan',
      'Surat Perintah Pemeriksaan',
      'KTP',
      'Lainnya',
    ]);
    expect(Object.keys(documentLabels).sort()).toEqual([...documentKinds].sort());
    expect(joinList(['KTP'], 'id')).toBe('KTP');
    expect(joinList(['KTP', 'SK Penunjukan'], 'id')).toBe('KTP dan SK Penunjukan');
    expect(joinList(['A', 'B', 'C'], 'id')).toBe('A, B, dan C');
    expect(joinList(['A', 'B', 'C'], 'en')).toBe('A, B and C');
    expect(joinList([], 'en')).toBe('');
    expect(() => joinList([null], 'en')).toThrow('list: expected text items, got null');
  });
});

describe('WhatsApp Cloud API approved templates (outside the 24-hour window)', () => {
  const map = loadCloudTemplateMap();

  test.each(whatsAppNotices.flatMap((n) => notificationLanguages.map((l) => [n, l] as const)))(
    '%s (%s) maps to an approved name with every parameter filled',
    (name, lang) => {
      const notice = { name, data: samples[name] } as AnyNotice;
      const message = cloudTemplateFor(map, notice, lang);
      expect(message?.name).toMatch(/^loket_[a-z_]+$/);
      expect(message?.language).toBe(lang === 'id' ? 'id' : 'en_US');
      expect(message?.parameters.length).toBeGreaterThan(1);
      for (const p of message?.parameters ?? []) expect(p.trim()).not.toBe('');
      expect(message?.parameters[1]).toBe(TICKET);
    },
  );

  test('dates, lists and request types are written as the requester reads them', () => {
    const received = cloudTemplateFor(
      map,
      { name: 'ticket-received', data: samples['ticket-received'] },
      'id',
    );
    expect(received?.parameters).toContain('Senin, 23 November 2026 pukul 14.05 WITA');
    const missing = cloudTemplateFor(
      map,
      { name: 'documents-missing', data: samples['documents-missing'] },
      'id',
    );
    expect(missing?.parameters[2]).toMatch(/ dan |^[^,]+$/);
  });

  test('a map without a notice, or naming a field a notice lacks, is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loket-cloud-'));
    try {
      cpSync(templatesDir, dir, { recursive: true });
      const file = join(dir, 'whatsapp', 'cloud-templates.json');
      const json = JSON.parse(readFileSync(file, 'utf8')) as {
        templates: Record<string, { parameters: string[] }>;
      };
      delete json.templates['staff-reply'];
      writeFileSync(file, JSON.stringify(json));
      expect(() => loadCloudTemplateMap(dir)).toThrow(/staff-reply/);
      const broken = loadCloudTemplateMap();
      const entry = broken.templates['user-id-info'];
      if (entry) entry.parameters = ['name', 'noSuchField'];
      expect(() =>
        cloudTemplateFor(broken, { name: 'user-id-info', data: samples['user-id-info'] }, 'id'),
      ).toThrow(/noSuchField/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
