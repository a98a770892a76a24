import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { SpseRole } from './spse-roles';

/**
 * The stored registration data that the SOP's validity check (seed 004, step 9) compares against.
 * NIK is personal data: encrypted (`nik_encrypted`), found by keyed hash (`nik_hash`), and its
 * masked form is kept for lists so that listing never decrypts.
 */
@Entity({ name: 'registry_entries' })
// Name-prefix search (LIKE 'x%') needs pattern ops under any collation; the migration creates it.
@Index('ix_registry_entries_name_prefix', { synchronize: false })
export class RegistryEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** SPSE user ID as registered; unique case-insensitively through `user_id_key`. */
  @Column({ name: 'user_id', type: 'varchar', length: 100 })
  userId!: string;

  @Index('uq_registry_entries_user_id_key', { unique: true })
  @Column({ name: 'user_id_key', type: 'varchar', length: 100 })
  userIdKey!: string;

  @Column({ name: 'full_name', type: 'varchar', length: 200 })
  fullName!: string;

  /** Lower-cased, single-spaced name for prefix search. */
  @Index('ix_registry_entries_name_key')
  @Column({ name: 'name_key', type: 'varchar', length: 200 })
  nameKey!: string;

  @Column({ name: 'nik_encrypted', type: 'text' })
  nikEncrypted!: string;

  @Index('ix_registry_entries_nik_hash')
  @Column({ name: 'nik_hash', type: 'varchar', length: 64 })
  nikHash!: string;

  @Column({ name: 'nik_masked', type: 'varchar', length: 16 })
  nikMasked!: string;

  @Index('ix_registry_entries_nip')
  @Column({ type: 'varchar', length: 18, nullable: true })
  nip!: string | null;

  @Column({ name: 'spse_role', type: 'varchar', length: 20 })
  spseRole!: SpseRole;

  @Column({ type: 'varchar', length: 200 })
  agency!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  unit!: string | null;

  @Index('ix_registry_entries_email')
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Index('ix_registry_entries_phone')
  @Column({ type: 'varchar', length: 20, nullable: true })
  phone!: string | null;

  @Column({ name: 'birth_place', type: 'varchar', length: 100, nullable: true })
  birthPlace!: string | null;

  @Column({ name: 'birth_date', type: 'date', nullable: true })
  birthDate!: string | null;

  @Column({ name: 'sk_reference', type: 'varchar', length: 200, nullable: true })
  skReference!: string | null;

  /** Where the entry came from, e.g. `csv:registrasi-2026.csv` or `api`. */
  @Column({ type: 'varchar', length: 200 })
  source!: string;

  /** Keyed hash of the entry's content; an import that brings the same content changes nothing. */
  @Column({ name: 'content_hash', type: 'varchar', length: 64 })
  contentHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
