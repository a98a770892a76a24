import { randomBytes } from 'node:crypto';
import {
  checkChatId,
  checkEmail,
  checkIndonesianMobile,
  maskEmail,
  maskPhoneOrChat,
  noticeMessageId,
  parseNoticeMessageId,
  parseReplyAddress,
  replyAddress,
  scrubError,
} from '../../src/notifications/addressing';
import { classifyMailError } from '../../src/notifications/mailer';
import { createPiiCipher } from '../../src/shared/pii';

const pii = createPiiCipher(randomBytes(32), randomBytes(32));
const otherKey = createPiiCipher(randomBytes(32), randomBytes(32));

describe('recipients', () => {
  test.each([
    ['081234567890', '+6281234567890'],
    ['+62 812-3456-7890', '+6281234567890'],
    ['6285712345678', '+6285712345678'],
  ])('%s is an Indonesian mobile number (%s)', (input, e164) => {
    expect(checkIndonesianMobile(input)).toEqual({ ok: true, address: e164 });
  });

  test.each([
    ['(0541) 741234', 'a landline'],
    ['021-5550123', 'a Jakarta landline'],
    ['+14155552671', 'a foreign number'],
    ['0812', 'too short'],
    ['', 'empty'],
    ['bukan nomor', 'not a number'],
  ])('%s is refused (%s)', (input) => {
    expect(checkIndonesianMobile(input)).toEqual({ ok: false, code: 'INVALID_PHONE' });
  });

  test('emails are lower-cased and checked', () => {
    expect(checkEmail(' Budi.Santoso@SamarindaKota.go.id ')).toEqual({
      ok: true,
      address: 'budi.santoso@samarindakota.go.id',
    });
    for (const bad of ['budi@', '@gmail.com', 'budi gmail.com', 'a@b', null]) {
      expect(checkEmail(bad)).toEqual({ ok: false, code: 'INVALID_EMAIL' });
    }
    expect(checkEmail('x@example.org\r\nBcc: all@example.org').ok).toBe(false);
  });

  test('chat ids are what the WhatsApp transports give, nothing else', () => {
    expect(checkChatId('6281234567890@c.us').ok).toBe(true);
    expect(checkChatId('123456789012345@lid').ok).toBe(true);
    expect(checkChatId('6281234567890@g.us').ok).toBe(false); // a group
    expect(checkChatId('status@broadcast').ok).toBe(false);
    // The chat simulator's own chats: a random uuid, nothing else after `sim:`.
    expect(checkChatId('sim:0f8e4d2c-1b3a-4c5d-8e9f-a0b1c2d3e4f5').ok).toBe(true);
    expect(checkChatId('sim:../../etc').ok).toBe(false);
    expect(checkChatId('sim:0F8E4D2C-1B3A-4C5D-8E9F-A0B1C2D3E4F5x').ok).toBe(false);
  });

  test('masking keeps enough to recognise, not enough to reveal', () => {
    expect(maskEmail('budi.pribadi@gmail.com')).toBe('bu**********@gmail.com');
    expect(maskEmail('a@x.id')).toBe('a***@x.id');
    expect(maskPhoneOrChat('+6281234567890')).toBe('+62812*****890');
    expect(maskPhoneOrChat('6281234567890@c.us')).toBe('62812*****890@c.us');
    expect(maskPhoneOrChat('+6281234567890')).not.toContain('34567');
  });

  test('provider errors lose addresses and numbers before they are stored', () => {
    const scrubbed = scrubError(
      '550 5.1.1 <budi.santoso@samarindakota.go.id>: Recipient address rejected\r\nfor +62 812 3456 7890',
    );
    expect(scrubbed).not.toMatch(/samarinda|3456/);
    expect(scrubbed).toContain('Recipient address rejected');
    expect(scrubbed).not.toMatch(/[\r\n]/);
  });
});

describe('Message-ID and reply address', () => {
  test('our Message-ID names the ticket and the notice, and is recognised again', () => {
    const id = noticeMessageId(
      'LKT-2611-00042',
      '3f2a4c1e-8a7b-4c1d-9e2f-0a1b2c3d4e5f',
      'lpse.go.id',
    );
    expect(id).toBe('<LKT-2611-00042.3f2a4c1e-8a7b-4c1d-9e2f-0a1b2c3d4e5f@lpse.go.id>');
    expect(parseNoticeMessageId(id, 'lpse.go.id')).toEqual({
      ticketCode: 'LKT-2611-00042',
      notificationId: '3f2a4c1e-8a7b-4c1d-9e2f-0a1b2c3d4e5f',
    });
    expect(parseNoticeMessageId(id, 'elsewhere.go.id')).toBeNull();
    expect(parseNoticeMessageId('<CAF=abc@mail.gmail.com>', 'lpse.go.id')).toBeNull();
  });

  test('a reply address joins its ticket only with a genuine tag', () => {
    const address = replyAddress(pii, 'helpdesk@lpse.go.id', 'LKT-2611-00042');
    expect(address).toMatch(/^helpdesk\+lkt-2611-00042\.[0-9a-f]{10}@lpse\.go\.id$/);
    expect(parseReplyAddress(pii, address)).toBe('LKT-2611-00042');
    expect(parseReplyAddress(pii, `Budi <${address.toUpperCase()}>`)).toBe('LKT-2611-00042');
    // Someone else's ticket code with a made-up tag, or a tag from another installation.
    expect(parseReplyAddress(pii, 'helpdesk+lkt-2611-00043.0123456789@lpse.go.id')).toBeNull();
    expect(parseReplyAddress(otherKey, address)).toBeNull();
    expect(parseReplyAddress(pii, 'helpdesk@lpse.go.id')).toBeNull();
  });
});

describe('what a mail error means for the notice', () => {
  test.each([
    [
      { responseCode: 550, response: '550 5.1.1 user unknown', code: 'EENVELOPE' },
      true,
      'SMTP_550',
    ],
    [{ responseCode: 552, response: '552 mailbox full' }, true, 'SMTP_552'],
    [{ responseCode: 451, response: '451 4.7.1 greylisted' }, false, 'SMTP_451'],
    [{ responseCode: 421, response: '421 too many connections' }, false, 'SMTP_421'],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:25' }, false, 'ECONNECTION'],
    [{ code: 'ETIMEDOUT', message: 'Timeout' }, false, 'ETIMEDOUT'],
    [{ code: 'EENVELOPE', message: 'No recipients defined' }, true, 'EENVELOPE'],
    [new Error('something odd'), false, 'SEND_FAILED'],
  ])('%j: permanent %s (%s)', (err, permanent, code) => {
    const failure = classifyMailError(err);
    expect(failure.permanent).toBe(permanent);
    expect(failure.code).toBe(code);
  });
});
