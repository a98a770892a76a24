import {
  editDistance,
  findTicketCode,
  hasWords,
  isOnly,
  mentions,
} from '../../bot/conversation/keywords';
import {
  documentKindFromCaption,
  freshState,
  requiredDocumentsFor,
  step,
} from '../../bot/conversation/machine';
import type { ConversationState } from '../../bot/conversation/types';
import type { InboundMessage } from '../../bot/transport';

const text = (body: string, id = 'm1'): InboundMessage => ({
  transport: 'simulator',
  id,
  chatId: 'sim:1',
  timestamp: 0,
  kind: 'text',
  text: body,
});
const options = { idleMs: 30 * 60_000 };

describe('free-text keywords', () => {
  test.each([
    ['batal', 'cancel', true],
    ['BTAL', 'cancel', true],
    ['Batal!', 'cancel', true],
    ['saya mau batal', 'cancel', false],
    ['menu', 'menu', true],
    ['Menuu', 'menu', true],
    ['lewati', 'skip', true],
    ['tidak tahu', 'skip', true],
  ] as const)('isOnly(%j, %s) is %s', (input, intent, expected) => {
    expect(isOnly(input, intent)).toBe(expected);
  });

  test.each([
    ['Lupa pasword SPSE', 'reset', true],
    ['reset kata sandi', 'reset', true],
    ['katasandi saya terkunci', 'reset', true],
    ['lupa user id', 'userId', true],
    ['lupa userid', 'userId', true],
    ['Cek STATUS dong', 'status', true],
    ['mau bicara dengan ptugas', 'staff', true],
    ['Budi Santoso', 'staff', false],
    ['Dinas PUPR', 'reset', false],
  ] as const)('mentions(%j, %s) is %s', (input, intent, expected) => {
    expect(mentions(input, intent)).toBe(expected);
  });

  test('edit distance, codes and words', () => {
    expect(editDistance('petugas', 'ptugas')).toBe(1);
    expect(editDistance('status', 'ststus')).toBe(1);
    expect(editDistance('abc', 'xyz', 1)).toBeGreaterThan(1);
    expect(findTicketCode('status lkt 2611 00012 ya')).toBe('LKT-2611-00012');
    expect(findTicketCode('LKT-2611-00012')).toBe('LKT-2611-00012');
    expect(findTicketCode('2611-00012')).toBeNull();
    expect(hasWords('🙏🙏')).toBe(false);
    expect(hasWords('  ')).toBe(false);
    expect(hasWords('ok')).toBe(true);
  });
});

describe('the conversation machine', () => {
  test('is pure: the same state and event give the same outcome, and the input is not changed', () => {
    const state: ConversationState = {
      ...freshState(0),
      step: 'nik',
      flow: 'RESET_PASSWORD',
      form: { name: 'Budi', userId: null },
    };
    const before = JSON.stringify(state);
    const a = step(
      state,
      { type: 'message', now: 1000, message: text('3171012345670001') },
      options,
    );
    const b = step(
      state,
      { type: 'message', now: 1000, message: text('3171012345670001') },
      options,
    );
    expect(a).toEqual(b);
    expect(JSON.stringify(state)).toBe(before);
    expect(a.state.form.nik).toBe('3171012345670001');
    expect(a.replies).toEqual([{ type: 'menu', menu: 'role', key: 'ask.role.body' }]);
  });

  test('a 15-digit NIK is refused with the count, never echoed', () => {
    const state: ConversationState = {
      ...freshState(0),
      step: 'nik',
      flow: 'USER_ID_INFO',
      form: { name: 'Budi' },
    };
    const out = step(state, { type: 'message', now: 1, message: text('317101234567000') }, options);
    expect(out.state.step).toBe('nik');
    expect(out.replies).toEqual([{ type: 'text', key: 'fix.nik.length', params: { count: 15 } }]);
    expect(JSON.stringify(out.replies)).not.toContain('317101234567000');
  });

  test('confirming sends one createTicket command with the collected data and the kept documents', () => {
    const doc = {
      key: 'k',
      messageId: 'm',
      mimeType: 'application/pdf',
      size: 10,
      fileName: 'a.pdf',
      kind: 'SK_PENUNJUKAN' as const,
    };
    const state: ConversationState = {
      ...freshState(0),
      step: 'confirm',
      flow: 'RESET_PASSWORD',
      form: {
        name: 'Budi',
        userId: null,
        nik: '3171012345670001',
        spseRole: 'PPK',
        agency: 'X',
        email: 'b@x.go.id',
      },
      docs: [doc],
    };
    const out = step(state, { type: 'message', now: 1, message: text('Ya') }, options);
    expect(out.commands).toEqual([
      { type: 'createTicket', flow: 'RESET_PASSWORD', lang: 'id', form: state.form, docs: [doc] },
    ]);
    const done = step(
      out.state,
      {
        type: 'created',
        ticket: { id: 't', code: 'LKT-2611-00001' },
        missing: [],
        failedDocuments: [],
      },
      options,
    );
    expect(done.replies[0]).toMatchObject({
      key: 'created',
      params: { code: 'LKT-2611-00001' },
      important: true,
    });
    expect(done.state.form).toEqual({});
    expect(done.commands).toEqual([{ type: 'dropDocuments', keys: ['k'] }]);
  });

  test('the documents each SPSE role needs come from the workflow definition', () => {
    expect(requiredDocumentsFor('RESET_PASSWORD', 'PPK')).toEqual([
      'REQUEST_FORM',
      'SK_PENUNJUKAN',
    ]);
    expect(requiredDocumentsFor('USER_ID_INFO', 'AUDITOR')).toEqual([
      'REQUEST_FORM',
      'SURAT_PERINTAH_PEMERIKSAAN',
    ]);
    expect(documentKindFromCaption('ini SK penunjukan saya')).toBe('SK_PENUNJUKAN');
    expect(documentKindFromCaption('Formulir.pdf')).toBe('REQUEST_FORM');
    expect(documentKindFromCaption('foto')).toBeNull();
  });
});
