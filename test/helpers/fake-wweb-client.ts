import { EventEmitter } from 'node:events';
import type { WwebClientLike, WwebMessageLike } from '../../bot/transports/whatsapp-web';

/**
 * A stand-in for whatsapp-web.js's Client: an EventEmitter with the library's event names and
 * payload shapes (`qr` string, `authenticated`, `auth_failure` message, `ready`, `message`
 * Message, `disconnected` reason such as 'LOGOUT' or 'NAVIGATION'), recording what is sent.
 * No browser, no WhatsApp.
 */
export class FakeWwebClient extends EventEmitter implements WwebClientLike {
  static created: FakeWwebClient[] = [];
  readonly sent: { chatId: string; content: string; at: number }[] = [];
  initialized = false;
  destroyed = false;
  state: string | null = 'CONNECTED';
  /** The next sendMessage calls throw this (e.g. a detached-frame error). */
  sendError: Error | undefined;
  messages = new Map<string, WwebMessageLike>();
  private seq = 0;

  constructor() {
    super();
    FakeWwebClient.created.push(this);
  }

  initialize(): Promise<void> {
    this.initialized = true;
    return Promise.resolve();
  }

  destroy(): Promise<void> {
    this.destroyed = true;
    return Promise.resolve();
  }

  getState(): Promise<string | null> {
    return Promise.resolve(this.state);
  }

  sendMessage(chatId: string, content: string): Promise<{ id: { _serialized: string } }> {
    if (this.sendError) return Promise.reject(this.sendError);
    this.sent.push({ chatId, content, at: Date.now() });
    return Promise.resolve({ id: { _serialized: `true_${chatId}_OUT${String(++this.seq)}` } });
  }

  getMessageById(id: string): Promise<WwebMessageLike | undefined> {
    return Promise.resolve(this.messages.get(id));
  }
}

let n = 0;

/** A Message as the library builds it (see whatsapp-web.js src/structures/Message.js). */
export function wwebMessage(
  overrides: Partial<WwebMessageLike> & { from?: string } = {},
): WwebMessageLike {
  const from = overrides.from ?? '6281234567890@c.us';
  const local = `3EB0${String(++n).padStart(16, '0')}`;
  return {
    id: { fromMe: false, remote: from, id: local, _serialized: `false_${from}_${local}` },
    from,
    to: '6289999999999@c.us',
    fromMe: false,
    body: 'halo',
    type: 'chat',
    timestamp: 1_763_900_000,
    hasMedia: false,
    isStatus: false,
    broadcast: false,
    _data: { notifyName: 'Budi' },
    downloadMedia: () => Promise.resolve(undefined),
    ...overrides,
  };
}
