import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What became of an inbound mail. `RECEIVED`: stored, not processed yet (the sweeper queues such
 * rows again). The rest are final.
 */
export const inboundEmailStatuses = [
  'RECEIVED',
  'TICKET_CREATED',
  'THREAD_JOINED',
  'BOUNCE',
  'IGNORED_AUTOMATIC',
  'IGNORED_LOOP',
  'REJECTED_MALFORMED',
  'FAILED',
] as const;
export type InboundEmailStatus = (typeof inboundEmailStatuses)[number];

/**
 * One mail that reached the intake, recorded before it is acknowledged to the sending server.
 * The raw message is kept in document storage under `storage_key`; this row holds no address or
 * text in clear (the sender as a keyed hash, for the acknowledgement rate limit).
 */
@Entity({ name: 'inbound_emails' })
@Index('ix_inbound_emails_status', ['status', 'receivedAt'])
@Index('ix_inbound_emails_sender', ['senderHash', 'receivedAt'])
export class InboundEmail {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** sha256 of the normalised Message-ID, or of the headers and body when there is none. */
  @Index('uq_inbound_emails_dedupe', { unique: true })
  @Column({ name: 'dedupe_key', type: 'varchar', length: 64 })
  dedupeKey!: string;

  @Column({ name: 'has_message_id', type: 'boolean' })
  hasMessageId!: boolean;

  @Column({ type: 'varchar', length: 8 })
  source!: 'SMTP' | 'IMAP';

  @Column({ name: 'storage_key', type: 'varchar', length: 200 })
  storageKey!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ name: 'sender_hash', type: 'varchar', length: 64, nullable: true })
  senderHash!: string | null;

  @Column({ type: 'varchar', length: 20 })
  status!: InboundEmailStatus;

  /** A short machine-readable reason (no personal data), e.g. `auto-submitted`, `own-address`. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  detail!: string | null;

  @Index('ix_inbound_emails_ticket')
  @Column({ name: 'ticket_id', type: 'uuid', nullable: true })
  ticketId!: string | null;

  @Column({ type: 'boolean', default: false })
  acknowledged!: boolean;

  /** Attachments that did not pass the document rules: sanitised names, for the acknowledgement. */
  @Column({ name: 'rejected_files', type: 'jsonb', default: () => "'[]'" })
  rejectedFiles!: string[];

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;

  /** When the retention deleted the raw mail of one that made no ticket (the row stays, for dedupe). */
  @Column({ name: 'raw_deleted_at', type: 'timestamptz', nullable: true })
  rawDeletedAt!: Date | null;
}

/** Where the IMAP poller stands in a mailbox: its UIDVALIDITY and the last UID stored. */
@Entity({ name: 'inbound_mailbox_cursors' })
export class InboundMailboxCursor {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  mailbox!: string;

  @Column({ name: 'uid_validity', type: 'bigint' })
  uidValidity!: string;

  @Column({ name: 'last_uid', type: 'bigint' })
  lastUid!: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
