import { randomBytes } from 'node:crypto';
import {
  inboundKeyFrom,
  MAX_SEALED_BYTES,
  messageValues,
  openMessageValues,
  sealMessageValues,
} from '../../src/whatsapp/inbound-seal';

describe('webhook messages sealed for the bot', () => {
  const key = inboundKeyFrom(randomBytes(32));
  const eventId = '3f1d2c4b-0000-4000-8000-000000000001';
  const values = [
    {
      metadata: null,
      contacts: [{ wa_id: '6281234567890' }],
      messages: [{ id: 'wamid.1', from: '6281234567890', text: { body: 'NIK 3171012345670001' } }],
    },
  ];

  test('open gives back what was sealed, and nothing of it shows', () => {
    const sealed = sealMessageValues(key, eventId, values) ?? '';
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('6281234567890');
    expect(openMessageValues(key, eventId, sealed)).toEqual(values);
  });

  test('another key, another event id or a changed body does not open', () => {
    const sealed = sealMessageValues(key, eventId, values) ?? '';
    expect(openMessageValues(inboundKeyFrom(randomBytes(32)), eventId, sealed)).toBeNull();
    expect(openMessageValues(key, '3f1d2c4b-0000-4000-8000-000000000002', sealed)).toBeNull();
    const [v, iv, tag, ct = ''] = sealed.split('.');
    const flipped = `${ct.startsWith('A') ? 'B' : 'A'}${ct.slice(1)}`;
    expect(openMessageValues(key, eventId, [v, iv, tag, flipped].join('.'))).toBeNull();
    // A shortened tag is refused (GCM would otherwise check only its first bytes).
    const short = Buffer.from(tag ?? '', 'base64url')
      .subarray(0, 4)
      .toString('base64url');
    expect(openMessageValues(key, eventId, [v, iv, short, ct].join('.'))).toBeNull();
    expect(openMessageValues(key, eventId, 'not sealed')).toBeNull();
  });

  test('a payload over the limit is not sealed (the job carries the id only)', () => {
    const big = [{ messages: [{ id: 'x', text: { body: 'a'.repeat(MAX_SEALED_BYTES) } }] }];
    expect(sealMessageValues(key, eventId, big)).toBeNull();
  });

  test('only the change values with messages are taken, without statuses', () => {
    expect(
      messageValues({
        entry: [
          {
            changes: [
              { value: { statuses: [{ id: 's' }] } },
              {
                value: {
                  metadata: { phone_number_id: '1' },
                  messages: [{ id: 'm' }],
                  statuses: [],
                },
              },
            ],
          },
        ],
      }),
    ).toEqual([{ metadata: { phone_number_id: '1' }, contacts: [], messages: [{ id: 'm' }] }]);
  });
});
