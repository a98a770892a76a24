import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ServiceKind } from './roles';

/**
 * A non-human caller (the WhatsApp bot, the email intake). Its API token is `lks_<id>_<secret>`;
 * only a SHA-256 of the whole token is stored.
 */
@Entity({ name: 'service_accounts' })
export class ServiceAccount {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_service_accounts_name', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 20 })
  kind!: ServiceKind;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
