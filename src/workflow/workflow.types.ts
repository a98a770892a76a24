import type { Role } from '../auth/roles';
import type { SpseRole } from '../registry/spse-roles';
import type { TimeStandard } from './time-standard';

/** Request types. The engine treats them as data: a new type needs a definition, not engine code. */
export const ticketTypes = ['RESET_PASSWORD', 'USER_ID_INFO'] as const;
export type TicketType = (typeof ticketTypes)[number];

export const channels = ['WALK_IN', 'EMAIL', 'WHATSAPP', 'API'] as const;
export type Channel = (typeof channels)[number];

export const documentKinds = [
  'REQUEST_FORM',
  'SK_PENUNJUKAN',
  'SURAT_PERINTAH_PEMERIKSAAN',
  'KTP',
  'OTHER',
] as const;
export type DocumentKind = (typeof documentKinds)[number];

/** Every action any definition may use; each definition says where and by whom. */
export const actionNames = [
  'open',
  'completeness_result',
  'ask_to_complete',
  'document_added',
  'forward',
  'validity_result',
  'resolve',
  'reject',
  'notify',
  'archive',
  'classify',
] as const;
export type ActionName = (typeof actionNames)[number];

/** Notices to the requester; each is a template per channel and language (notifications). */
export const noticeTemplates = [
  'ticket-received',
  'documents-missing',
  'request-rejected',
  'password-reset',
  'user-id-info',
  'pickup-in-person',
  'deadline-breached',
  'staff-reply',
] as const;
export type NoticeTemplate = (typeof noticeTemplates)[number];

export type Effect =
  /**
   * A notice to the requester. `CONTACT_OF_RECORD` goes only to the registry's email or phone
   * (never a contact the request merely claims); `REQUESTER_CONTACT` to where they wrote from.
   */
  | {
      kind: 'NOTIFY_REQUESTER';
      template: NoticeTemplate;
      recipient: 'CONTACT_OF_RECORD' | 'REQUESTER_CONTACT';
    }
  /** Run the office's account connector (reset the password or look up the user ID). */
  | { kind: 'RESOLVE_ACCOUNT' };

export interface StepDefinition {
  id: string;
  label: { id: string; en: string };
  /** The SOP rows this step stands for, e.g. "5" or "12–14". */
  sop: string;
  timeStandard: TimeStandard;
  /** A different standard for some channels (seed 004 step 4: walk-in is called from the queue). */
  timeStandardByChannel?: Partial<Record<Channel, TimeStandard>>;
  terminal?: boolean;
}

export interface TransitionDefinition {
  action: ActionName;
  from: string;
  to: string;
  roles: readonly Role[];
  /** Taken only when the action's data has these values, e.g. `{ complete: false }`. */
  when?: Readonly<Record<string, boolean | string>>;
  requiresReason?: boolean;
  effects?: readonly Effect[];
  /**
   * The ticket leaves this definition: it continues at the initial step of the definition that
   * the action's data selects (an unclassified request once the helpdesk names its type). `to` is
   * the step recorded here, a terminal one.
   */
  handoff?: boolean;
}

export interface WorkflowDefinition {
  id: string;
  name: { id: string; en: string };
  /** Where the SOP comes from. */
  source: string;
  /** Null for a request whose type is not known yet (see definitions/unclassified.ts). */
  ticketType: TicketType | null;
  initialStep: string;
  steps: readonly StepDefinition[];
  transitions: readonly TransitionDefinition[];
  /** Required documents; an SPSE role may need a different set (an Auditor: the examination order). */
  requiredDocuments: {
    default: readonly DocumentKind[];
    bySpseRole?: Partial<Record<SpseRole, readonly DocumentKind[]>>;
  };
}
