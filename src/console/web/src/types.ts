import type { StaffRole } from './session';

export interface TicketSummary {
  id: string;
  code: string;
  /** Null: an email the intake could not classify; the helpdesk's `classify` sets it. */
  type: 'RESET_PASSWORD' | 'USER_ID_INFO' | 'ACCOUNT_CREATION' | null;
  channel: 'WALK_IN' | 'EMAIL' | 'WHATSAPP' | 'API';
  language: string;
  workflowId: string;
  step: string;
  stepLabel: string;
  stepStartedAt: string;
  stepDueAt: string | null;
  stepBreached: boolean;
  assigneeId: string | null;
  version: number;
  requesterName: string;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Requester {
  name: string;
  userId: string | null;
  nik: string | null;
  nikMasked: string | null;
  nip: string | null;
  spseRole: string | null;
  agency: string | null;
  email: string | null;
  phone: string | null;
}

export interface TicketDocument {
  id: string;
  kind: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  createdAt: string;
  deleted: boolean;
}

export interface TicketEvent {
  at: string;
  actorType: string;
  actorLabel: string | null;
  actorRole: string | null;
  action: string;
  fromStep: string | null;
  toStep: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}

export interface TicketMessage {
  id: string;
  direction: string;
  channel: string;
  body: string;
  authorType: string;
  createdAt: string;
}

export interface TicketDetail extends TicketSummary {
  requester: Requester;
  contact: { kind: string; address: string | null };
  registryEntryId: string | null;
  missingDocuments: string[];
  requiredDocuments: string[];
  validity: Record<string, unknown> | null;
  rejectReasonCode: string | null;
  rejectNote: string | null;
  resolution: Record<string, unknown> | null;
  archiveNumber: string | null;
  allowedActions: string[];
  events: TicketEvent[];
  documents: TicketDocument[];
  messages: TicketMessage[];
}

export interface FieldComparison {
  field: string;
  /** MATCH, MISMATCH, ABSENT_IN_REQUEST or ABSENT_IN_REGISTRY. */
  result: string;
  claimed: string | null;
  registered: string | null;
}

export interface Guest {
  id: string;
  queueNumber: string;
  service: 'RESET_PASSWORD' | 'USER_ID_INFO' | 'OTHER';
  status: 'WAITING' | 'CALLED' | 'SERVING' | 'DONE' | 'NO_SHOW';
  name: string;
  agency: string | null;
  purpose: string | null;
  phone: string | null;
  duplicatePhone: boolean;
  desk: string | null;
  calledAt: string | null;
  ticketId: string | null;
  createdAt: string;
}

export interface ServiceQueue {
  service: Guest['service'];
  prefix: string;
  waiting: number;
  minutesPerGuest: number;
  estimatedWaitMinutes: number;
}

export const documentKinds = [
  'REQUEST_FORM',
  'SK_PENUNJUKAN',
  'SURAT_PERINTAH_PEMERIKSAAN',
  'KTP',
  'OTHER',
] as const;

/** The steps each role works on ("my work"); the API still decides what each may do. */
export const workSteps: Record<StaffRole, string[]> = {
  FRONT_OFFICE: ['RECEIVED', 'AWAITING_REQUESTER'],
  HELPDESK: [
    'UNCLASSIFIED',
    'RECEIVED',
    'COMPLETENESS_CHECK',
    'INCOMPLETE',
    'READY_TO_FORWARD',
    'REJECTION',
    'NOTIFY_RESULT',
  ],
  ADMIN_PPE: ['VALIDITY_CHECK', 'RESOLUTION', 'REJECTION', 'NOTIFY_RESULT', 'ARCHIVING'],
  SUPERVISOR: [],
  AUDITOR: [],
};

export const allSteps = [
  'RECEIVED',
  'COMPLETENESS_CHECK',
  'INCOMPLETE',
  'AWAITING_REQUESTER',
  'READY_TO_FORWARD',
  'VALIDITY_CHECK',
  'RESOLUTION',
  'REJECTION',
  'NOTIFY_RESULT',
  'ARCHIVING',
  'ARCHIVED',
];
