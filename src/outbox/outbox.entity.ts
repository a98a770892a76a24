import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The transactional outbox: an effect written in the same transaction as the state change, and
 * moved into BullMQ by the relay (job id = outbox id). Payloads hold ids, never personal data.
 */
@Entity({ name: 'outbox' })
@Index('ix_outbox_pending', ['createdAt'], { where: 'published_at IS NULL' })
@Index('ix_outbox_unprocessed', ['publishedAt'], {
  where: 'processed_at IS NULL AND published_at IS NOT NULL',
})
export class OutboxMessage {
  /** Also the BullMQ job id, so a row published twice is still one job. */
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The queue it goes to. */
  @Column({ type: 'varchar', length: 60 })
  queue!: string;

  /** The job name (dotted). */
  @Column({ type: 'varchar', length: 60 })
  name!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /**
   * When its job finished (the notify fan-out recorded its notifications). A row published but
   * not processed for a while is published again: a Redis that lost its data loses no notice.
   */
  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** The last relay error, without payload data. */
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;
}

/**
 * A one-time secret (a temporary password) sealed with AES-256-GCM for the notification that
 * delivers it. Deleted after delivery; expires after a short TTL either way.
 */
@Entity({ name: 'one_time_secrets' })
export class OneTimeSecret {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId!: string;

  @Column({ type: 'varchar', length: 30 })
  purpose!: 'TEMPORARY_PASSWORD';

  @Column({ type: 'text' })
  sealed!: string;

  @Index('ix_one_time_secrets_expiry')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
