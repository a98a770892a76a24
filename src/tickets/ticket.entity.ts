import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { StaffRole } from '../auth/roles';
import type { SpseRole } from '../registry/spse-roles';
import type { Channel, DocumentKind, TicketType } from '../workflow/workflow.types';

export type ContactKind = 'EMAIL' | 'WHATSAPP' | 'PHONE' | 'NONE';

/**
 * A request. The requester's data are a claim until the validity check compares them with the
 * registry; the NIK is encrypted like the registry's. `version` guards every action.
 */
@Entity({ name: 'tickets' })
@Index('ix_tickets_open', ['closedAt', 'createdAt', 'id'])
@Index('ix_tickets_step', ['step', 'createdAt', 'id'])
export class Ticket {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_tickets_code', { unique: true })
  @Column({ type: 'varchar', length: 20 })
  code!: string;

  @Column({ name: 'office_id', type: 'uuid' })
  officeId!: string;

  /** Null while an email request waits for the helpdesk to classify it (`classify`). */
  @Column({ type: 'varchar', length: 30, nullable: true })
  type!: TicketType | null;

  @Column({ type: 'varchar', length: 12 })
  channel!: Channel;

  @Column({ type: 'varchar', length: 2 })
  language!: 'id' | 'en';

  @Column({ name: 'workflow_id', type: 'varchar', length: 60 })
  workflowId!: string;

  @Column({ type: 'varchar', length: 40 })
  step!: string;

  @Column({ name: 'step_started_at', type: 'timestamptz' })
  stepStartedAt!: Date;

  /** Due time of the current step; null when the step has no time standard. */
  @Column({ name: 'step_due_at', type: 'timestamptz', nullable: true })
  stepDueAt!: Date | null;

  @Column({ name: 'step_breached', type: 'boolean', default: false })
  stepBreached!: boolean;

  @Index('ix_tickets_assignee')
  @Column({ name: 'assignee_id', type: 'uuid', nullable: true })
  assigneeId!: string | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  // The requester as claimed.
  @Column({ name: 'requester_name', type: 'varchar', length: 200 })
  requesterName!: string;

  @Column({ name: 'requester_user_id', type: 'varchar', length: 100, nullable: true })
  requesterUserId!: string | null;

  @Column({ name: 'requester_nik_encrypted', type: 'text', nullable: true })
  requesterNikEncrypted!: string | null;

  @Index('ix_tickets_requester_nik_hash')
  @Column({ name: 'requester_nik_hash', type: 'varchar', length: 64, nullable: true })
  requesterNikHash!: string | null;

  @Column({ name: 'requester_nik_masked', type: 'varchar', length: 16, nullable: true })
  requesterNikMasked!: string | null;

  @Column({ name: 'requester_nip', type: 'varchar', length: 18, nullable: true })
  requesterNip!: string | null;

  @Column({ name: 'requester_spse_role', type: 'varchar', length: 20, nullable: true })
  requesterSpseRole!: SpseRole | null;

  @Column({ name: 'requester_agency', type: 'varchar', length: 200, nullable: true })
  requesterAgency!: string | null;

  @Column({ name: 'requester_email', type: 'varchar', length: 254, nullable: true })
  requesterEmail!: string | null;

  @Column({ name: 'requester_phone', type: 'varchar', length: 20, nullable: true })
  requesterPhone!: string | null;

  /** Where the request came from (a claim: never where secrets go). */
  @Column({ name: 'contact_kind', type: 'varchar', length: 10 })
  contactKind!: ContactKind;

  /** Opaque channel address: an email, an E.164 phone or a WhatsApp chat id. */
  @Index('ix_tickets_contact')
  @Column({ name: 'contact_address', type: 'varchar', length: 254, nullable: true })
  contactAddress!: string | null;

  @Column({ name: 'registry_entry_id', type: 'uuid', nullable: true })
  registryEntryId!: string | null;

  @Column({ name: 'missing_documents', type: 'jsonb', default: () => "'[]'" })
  missingDocuments!: DocumentKind[];

  /** The validity decision: the comparison, the phone confirmation, who decided. */
  @Column({ type: 'jsonb', nullable: true })
  validity!: Record<string, unknown> | null;

  @Column({ name: 'reject_reason_code', type: 'varchar', length: 40, nullable: true })
  rejectReasonCode!: string | null;

  @Column({ name: 'reject_note', type: 'text', nullable: true })
  rejectNote!: string | null;

  /** What resolving produced, without secrets: e.g. `{ kind: 'PASSWORD_RESET', secretId }`. */
  @Column({ type: 'jsonb', nullable: true })
  resolution!: Record<string, unknown> | null;

  @Column({ name: 'archive_number', type: 'varchar', length: 100, nullable: true })
  archiveNumber!: string | null;

  @Column({ name: 'retain_until', type: 'date', nullable: true })
  retainUntil!: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** Set when the requester asked the bot for a person ("talk to staff"); a staff reply clears it. */
  @Column({ name: 'needs_person_since', type: 'timestamptz', nullable: true })
  needsPersonSince!: Date | null;

  /** Set when the retention job removed the documents and personal data. */
  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt!: Date | null;

  @Column({ name: 'created_by_type', type: 'varchar', length: 12 })
  createdByType!: string;

  @Column({ name: 'created_by_id', type: 'varchar', length: 64, nullable: true })
  createdById!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Append-only history of a ticket (a trigger refuses UPDATE and DELETE). */
@Entity({ name: 'ticket_events' })
@Index('ix_ticket_events_ticket', ['ticketId', 'id'])
export class TicketEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'actor_type', type: 'varchar', length: 12 })
  actorType!: string;

  @Column({ name: 'actor_id', type: 'varchar', length: 64, nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_label', type: 'varchar', length: 200, nullable: true })
  actorLabel!: string | null;

  @Column({ name: 'actor_role', type: 'varchar', length: 20, nullable: true })
  actorRole!: StaffRole | 'BOT' | 'INTAKE' | 'SYSTEM' | null;

  /** `created`, an action name, `document.uploaded`, `deadline.breached`, ... */
  @Column({ type: 'varchar', length: 40 })
  action!: string;

  @Column({ name: 'from_step', type: 'varchar', length: 40, nullable: true })
  fromStep!: string | null;

  @Column({ name: 'to_step', type: 'varchar', length: 40, nullable: true })
  toStep!: string | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** No secrets, no NIK in clear. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  data!: Record<string, unknown>;
}

/** One row per step a ticket entered: when, when it was due, when it ended, whether it ran late. */
@Entity({ name: 'ticket_step_deadlines' })
@Index('ix_ticket_deadlines_ticket', ['ticketId', 'startedAt'])
@Index('ix_ticket_deadlines_due', ['dueAt'])
// The reports select steps by when they started.
@Index('ix_ticket_deadlines_started', ['startedAt'])
export class TicketStepDeadline {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId!: string;

  @Column({ name: 'workflow_id', type: 'varchar', length: 60 })
  workflowId!: string;

  @Column({ type: 'varchar', length: 40 })
  step!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** Working minutes the step took (set when it ends). */
  @Column({ name: 'working_minutes', type: 'integer', nullable: true })
  workingMinutes!: number | null;

  @Column({ name: 'breached_at', type: 'timestamptz', nullable: true })
  breachedAt!: Date | null;
}

/** The conversation with the requester: what came in by email or WhatsApp and what went out. */
@Entity({ name: 'ticket_messages' })
@Index('ix_ticket_messages_ticket', ['ticketId', 'createdAt'])
export class TicketMessage {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId!: string;

  @Column({ type: 'varchar', length: 3 })
  direction!: 'IN' | 'OUT';

  @Column({ type: 'varchar', length: 12 })
  channel!: Channel;

  @Column({ type: 'text' })
  body!: string;

  @Column({ name: 'author_type', type: 'varchar', length: 12 })
  authorType!: string;

  @Column({ name: 'author_id', type: 'varchar', length: 64, nullable: true })
  authorId!: string | null;

  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Monthly counter behind the ticket codes (LKT-YYMM-NNNNN), safe across API instances. */
@Entity({ name: 'ticket_counters' })
export class TicketCounter {
  @Column({ type: 'varchar', length: 4, primary: true })
  period!: string;

  @Column({ type: 'integer' })
  value!: number;
}

/** Reasons a request may be rejected; staff pick one and add a note. */
@Entity({ name: 'reject_reasons' })
export class RejectReason {
  @Column({ type: 'varchar', length: 40, primary: true })
  code!: string;

  @Column({ name: 'label_id', type: 'varchar', length: 200 })
  labelId!: string;

  @Column({ name: 'label_en', type: 'varchar', length: 200 })
  labelEn!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;
}
