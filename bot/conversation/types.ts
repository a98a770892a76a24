import type { SpseRole } from '../../src/registry/spse-roles';
import type { DocumentKind } from '../../src/workflow/workflow.types';
import type { InboundMessage } from '../transport';
import type { ReplyKey } from './catalogue';

export type Lang = 'id' | 'en';
export type Flow = 'RESET_PASSWORD' | 'USER_ID_INFO';
export type Step =
  | 'start'
  | 'menu'
  | 'name'
  | 'userId'
  | 'nik'
  | 'role'
  | 'agency'
  | 'email'
  | 'documents'
  | 'confirm'
  | 'statusCode'
  | 'staff';

/** What the requester has told so far (a claim; the API validates again). */
export interface RequestForm {
  name?: string;
  userId?: string | null;
  nik?: string;
  spseRole?: SpseRole;
  agency?: string;
  email?: string;
}

/** A document received in the chat and kept (its bytes in Redis under `key`) until it is attached. */
export interface KeptDocument {
  key: string;
  /** The inbound message it came in; also a stable id for it. */
  messageId: string;
  mimeType: string;
  size: number;
  fileName: string;
  /** What it is: named by the caption, or the next required one when the documents are asked for. */
  kind: DocumentKind | null;
}

export interface ConversationState {
  v: 1;
  lang: Lang;
  step: Step;
  flow: Flow | null;
  form: RequestForm;
  docs: KeptDocument[];
  /** The ticket of "talk to staff": later texts go to its thread. */
  staffTicket: { id: string; code: string; acked: boolean } | null;
  /** Milliseconds since the epoch of the last message, for the idle expiry. */
  updatedAt: number;
}

/** A document's intake, done by the dispatcher before the machine sees the message. */
export type DocumentIntake =
  | { ok: true; doc: KeptDocument }
  | { ok: false; reason: 'tooLarge' | 'type' | 'executable' | 'unavailable'; maxMb: number };

export interface TicketStatus {
  code: string;
  stepLabel: string;
  closed: boolean;
  missingDocuments: DocumentKind[];
}

export interface ChatTicket {
  id: string;
  code: string;
  missingDocuments: DocumentKind[];
}

/** Inputs: a message, or the result of a command the dispatcher performed. */
export type ConversationEvent =
  | { type: 'message'; now: number; message: InboundMessage; document?: DocumentIntake }
  | {
      type: 'created';
      ticket: { id: string; code: string };
      missing: DocumentKind[];
      failedDocuments: DocumentKind[];
    }
  | { type: 'createFailed' }
  | { type: 'status'; result: TicketStatus | null | 'failed' }
  | { type: 'chatTickets'; purpose: 'staff' | 'document'; tickets: ChatTicket[] | 'failed' }
  | { type: 'attached'; ok: boolean; code: string; kind: DocumentKind; messageId: string }
  | { type: 'forwarded'; ok: boolean; first: boolean };

export type MenuId = 'main' | 'role' | 'confirm';

export type Reply =
  | { type: 'text'; key: ReplyKey; params?: Record<string, unknown>; important?: boolean }
  | { type: 'menu'; menu: MenuId; key: ReplyKey; params?: Record<string, unknown> };

/** Outputs the dispatcher performs through Loket's API (each may answer with an event). */
export type Command =
  | { type: 'createTicket'; flow: Flow; lang: Lang; form: RequestForm; docs: KeptDocument[] }
  | { type: 'status'; code: string }
  | { type: 'chatTickets'; purpose: 'staff' | 'document' }
  | { type: 'attachDocument'; ticket: ChatTicket; doc: KeptDocument; kind: DocumentKind }
  | { type: 'flagStaff'; ticketId: string }
  | { type: 'postMessage'; ticketId: string; text: string; messageId: string; first: boolean }
  | { type: 'dropDocuments'; keys: string[] };

export interface Outcome {
  state: ConversationState;
  replies: Reply[];
  commands: Command[];
}

export interface MachineOptions {
  /** Idle time after which a conversation in progress is forgotten (with a notice). */
  idleMs: number;
}
