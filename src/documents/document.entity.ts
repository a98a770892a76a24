import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { DocumentKind } from '../workflow/workflow.types';

/** A file attached to a ticket. The bytes live in storage under `storage_key`, never in a URL path. */
@Entity({ name: 'documents' })
@Index('ix_documents_ticket', ['ticketId', 'createdAt'])
export class TicketDocument {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId!: string;

  @Column({ type: 'varchar', length: 40 })
  kind!: DocumentKind;

  /** Sanitised; for display and downloads only. */
  @Column({ name: 'file_name', type: 'varchar', length: 120 })
  fileName!: string;

  /** Sniffed from the content, never taken from the name. */
  @Column({ name: 'content_type', type: 'varchar', length: 40 })
  contentType!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'storage_key', type: 'varchar', length: 200 })
  storageKey!: string;

  @Column({ name: 'uploaded_by_type', type: 'varchar', length: 12 })
  uploadedByType!: string;

  @Column({ name: 'uploaded_by_id', type: 'varchar', length: 64, nullable: true })
  uploadedById!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Set when the retention job removed the bytes. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
