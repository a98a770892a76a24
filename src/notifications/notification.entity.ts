import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { NoticeTemplate } from '../workflow/workflow.types';

export const notificationChannels = ['EMAIL', 'WHATSAPP'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

/**
 * queued: waiting for its send job; sending: a worker holds it (until lease_until); sent: the
 * provider accepted it; failed: the last attempt failed and a retry is scheduled; dead: no more
 * retries (permanent failure or attempts used up), listed for supervisors; cancelled: no longer
 * applies (the ticket's data were purged before it went out).
 */
export const notificationStatuses = [
  'queued',
  'sending',
  'sent',
  'failed',
  'dead',
  'cancelled',
] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

/**
 * How the recipient was chosen: the registry's contact of record, the contact the request came
 * from, or a staff account.
 */
export type RecipientKind = 'CONTACT_OF_RECORD' | 'REQUESTER_CONTACT' | 'STAFF';

/**
 * One message to one recipient over one channel: the delivery record. The recipient's address is
 * sealed (AES-GCM) and shown masked; the body is never stored: it is rendered at send time from
 * the ticket, so a temporary password lives only in its one-time secret.
 */
@Entity({ name: 'notifications' })
@Index('uq_notifications_fanout', ['outboxId', 'channel', 'recipientHash'], { unique: true })
@Index('ix_notifications_ticket', ['ticketId', 'createdAt'])
@Index('ix_notifications_status', ['status', 'updatedAt'], {
  where: "status IN ('queued', 'sending', 'failed', 'dead')",
})
export class Notification {
  /** Also the BullMQ job id of its send job. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** The outbox row (notify job) it was made from. */
  @Column({ name: 'outbox_id', type: 'uuid' })
  outboxId!: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId!: string;

  @Column({ type: 'varchar', length: 40 })
  event!: NoticeTemplate;

  @Column({ type: 'varchar', length: 10 })
  channel!: NotificationChannel;

  @Column({ type: 'varchar', length: 2 })
  language!: 'id' | 'en';

  @Column({ name: 'recipient_kind', type: 'varchar', length: 20 })
  recipientKind!: RecipientKind;

  /** The address (email, E.164 phone or WhatsApp chat id), sealed. */
  @Column({ name: 'recipient_sealed', type: 'text' })
  recipientSealed!: string;

  /** Keyed hash of the address: dedupes the fan-out and matches bounces, without the address. */
  @Column({ name: 'recipient_hash', type: 'varchar', length: 64 })
  recipientHash!: string;

  /** e.g. `bu***@gmail.com`, `+62812****7890`. */
  @Column({ name: 'recipient_masked', type: 'varchar', length: 100 })
  recipientMasked!: string;

  /** The staff account an alert goes to. */
  @Column({ name: 'staff_user_id', type: 'uuid', nullable: true })
  staffUserId!: string | null;

  /** The one-time secret (temporary password) this notice delivers; deleted after the send. */
  @Column({ name: 'secret_id', type: 'uuid', nullable: true })
  secretId!: string | null;

  /** The staff reply (ticket_messages) this notice delivers. */
  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId!: string | null;

  /** The workflow step an alert is about. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  step!: string | null;

  @Column({ type: 'varchar', length: 10, default: 'queued' })
  status!: NotificationStatus;

  /** Send attempts started. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /**
   * Attempts that stopped between handing the message over and recording it (a crashed worker):
   * the next attempt sends again with the same Message-ID, so a duplicate is possible and counted.
   */
  @Column({ name: 'uncertain_attempts', type: 'integer', default: 0 })
  uncertainAttempts!: number;

  /** A stable code and a short reason, never a secret or a message body. */
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  /** Our email Message-ID, or the provider's id (WhatsApp message id); bounces match on it. */
  @Index('ix_notifications_provider_id')
  @Column({ name: 'provider_message_id', type: 'varchar', length: 300, nullable: true })
  providerMessageId!: string | null;

  /** Until when the worker that set `sending` holds it. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /** WhatsApp: when the provider reported it delivered to the phone. */
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  /** WhatsApp: when the provider reported it read. */
  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;
}

/** A Cloud API webhook as it arrived (signature checked), kept before anything acts on it. */
@Entity({ name: 'whatsapp_webhook_events' })
export class WhatsAppWebhookEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'integer', default: 0 })
  messages!: number;

  @Column({ type: 'integer', default: 0 })
  statuses!: number;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
