import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export interface ImportRowError {
  line: number;
  field: string;
  reason: string;
}

/** One CSV import: who, what file, what came of it, and the per-row error report. */
@Entity({ name: 'registry_imports' })
export class RegistryImport {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName!: string;

  @Column({ name: 'file_sha256', type: 'varchar', length: 64 })
  fileSha256!: string;

  @Column({ name: 'actor_id', type: 'varchar', length: 64, nullable: true })
  actorId!: string | null;

  @Column({ name: 'total_rows', type: 'integer', default: 0 })
  totalRows!: number;

  @Column({ name: 'inserted_rows', type: 'integer', default: 0 })
  insertedRows!: number;

  @Column({ name: 'updated_rows', type: 'integer', default: 0 })
  updatedRows!: number;

  @Column({ name: 'unchanged_rows', type: 'integer', default: 0 })
  unchangedRows!: number;

  @Column({ name: 'error_rows', type: 'integer', default: 0 })
  errorRows!: number;

  /** Line, field and reason per bad row; never the rejected value itself (it may be an NIK). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  errors!: ImportRowError[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
