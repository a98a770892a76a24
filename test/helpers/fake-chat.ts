import { randomUUID } from 'node:crypto';
import { menuAsText } from '../../bot/conversation/catalogue';
import { LoketApiError, type BotTicketInput, type LoketClient } from '../../bot/loket-client';
import {
  TransportError,
  type ChatMenu,
  type ChatTransport,
  type InboundHandler,
  type InboundMedia,
  type InboundMessage,
} from '../../bot/transport';

/** What the bot sent to one chat: the text, or a menu with its rows. */
export interface SentReply {
  to: string;
  text: string;
  menu?: ChatMenu;
}

/**
 * An in-memory chat transport: records every reply, serves media from a map, counts downloads.
 * The dialogue tests hand messages to the dispatcher as a real transport would.
 */
export function fakeChatTransport(name: 'simulator' | 'web' | 'cloud' = 'simulator') {
  const sent: SentReply[] = [];
  const media = new Map<string, Buffer>();
  const downloads: string[] = [];
  let handler: InboundHandler | null = null;
  const transport: ChatTransport = {
    name,
    start(h) {
      handler = h;
      return Promise.resolve();
    },
    stop() {
      handler = null;
      return Promise.resolve();
    },
    sendText(to, text) {
      sent.push({ to, text });
      return Promise.resolve({ messageId: randomUUID() });
    },
    sendTemplate(to, template) {
      sent.push({ to, text: `[template ${template.name}]` });
      return Promise.resolve({ messageId: randomUUID() });
    },
    sendMenu(to, menu) {
      sent.push({ to, text: menuAsText(menu), menu });
      return Promise.resolve({ messageId: randomUUID() });
    },
    downloadMedia(m: InboundMedia, maxBytes: number) {
      downloads.push(m.ref);
      const data = media.get(m.ref);
      if (!data) return Promise.reject(new TransportError(false, 'HTTP_404', 'gone'));
      if (data.length > maxBytes)
        return Promise.reject(new TransportError(true, 'MEDIA_TOO_LARGE', 'too large'));
      return Promise.resolve({ data, mimeType: m.mimeType });
    },
  };
  return {
    transport,
    sent,
    media,
    downloads,
    deliver: (m: InboundMessage) => {
      if (!handler) throw new Error('not started');
      return handler(m);
    },
  };
}

export interface FakeTicket {
  id: string;
  code: string;
  input: BotTicketInput;
  documents: { kind: string; fileName: string; mimeType: string; size: number }[];
  messages: { body: string; externalId: string }[];
  missingDocuments: string[];
  needsPerson: boolean;
  closed: boolean;
}

/** Loket's API as the bot sees it, in memory (the Cloud API test runs the real one). */
export function fakeLoketClient() {
  const tickets: FakeTicket[] = [];
  let n = 0;
  const byId = (id: string) => {
    const t = tickets.find((x) => x.id === id);
    if (!t) throw new LoketApiError(404, 'NOT_FOUND');
    return t;
  };
  const client: LoketClient = {
    claimNotice: () => Promise.reject(new Error('not in this fake')),
    reportNotice: () => Promise.reject(new Error('not in this fake')),
    inboundKey: () => Promise.reject(new Error('not in this fake')),
    createTicket(input) {
      const t: FakeTicket = {
        id: randomUUID(),
        code: `LKT-2611-${String(++n).padStart(5, '0')}`,
        input: structuredClone(input),
        documents: [],
        messages: [],
        missingDocuments: [],
        needsPerson: false,
        closed: false,
      };
      tickets.push(t);
      return Promise.resolve({ id: t.id, code: t.code });
    },
    uploadDocument(ticketId, d) {
      const t = byId(ticketId);
      t.documents.push({
        kind: d.kind,
        fileName: d.fileName,
        mimeType: d.mimeType,
        size: d.data.length,
      });
      t.missingDocuments = t.missingDocuments.filter((k) => k !== d.kind);
      return Promise.resolve({ documentId: randomUUID() });
    },
    ticketStatus(code, contactAddress) {
      const t = tickets.find((x) => x.code === code && x.input.contact.address === contactAddress);
      return Promise.resolve(
        t
          ? {
              code: t.code,
              step: 'CHECK_COMPLETENESS',
              stepLabel: 'Pemeriksaan kelengkapan',
              closed: t.closed,
              missingDocuments: t.missingDocuments,
              updatedAt: new Date().toISOString(),
            }
          : null,
      );
    },
    chatTickets(chatId) {
      return Promise.resolve(
        tickets
          .filter((t) => t.input.contact.address === chatId && !t.closed)
          .reverse()
          .map((t) => ({
            id: t.id,
            code: t.code,
            step: 'CHECK_COMPLETENESS',
            missingDocuments: t.missingDocuments,
            needsPerson: t.needsPerson,
          })),
      );
    },
    markNeedsPerson(ticketId) {
      byId(ticketId).needsPerson = true;
      return Promise.resolve();
    },
    postRequesterMessage(ticketId, body, externalId) {
      byId(ticketId).messages.push({ body, externalId });
      return Promise.resolve();
    },
    webhookMessages: () => Promise.reject(new Error('not in this fake')),
  };
  return { client, tickets };
}
