import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ActorType = 'STAFF' | 'SERVICE' | 'SYSTEM' | 'ANONYMOUS';

/**
 * Append-only audit trail. The application only inserts; a trigger in the migration refuses
 * UPDATE and DELETE. `details` never holds secrets or personal data in clear.
 */
@Entity({ name: 'audit_events' })
@Index('ix_audit_events_target', ['targetType', 'targetId'])
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Index('ix_audit_events_at')
  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ name: 'actor_type', type: 'varchar', length: 12 })
  actorType!: ActorType;

  @Index('ix_audit_events_actor')
  @Column({ name: 'actor_id', type: 'varchar', length: 64, nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_label', type: 'varchar', length: 200, nullable: true })
  actorLabel!: string | null;

  @Index('ix_audit_events_action')
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 40, nullable: true })
  targetType!: string | null;

  @Column({ name: 'target_id', type: 'varchar', length: 64, nullable: true })
  targetId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Record<string, unknown>;
}
