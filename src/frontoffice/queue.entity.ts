import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** Services of the front-office queue and their number prefixes (A-001, B-001, C-001). */
export const queueServices = {
  RESET_PASSWORD: 'A',
  USER_ID_INFO: 'B',
  OTHER: 'C',
} as const;
export type QueueService = keyof typeof queueServices;

export const guestStatuses = ['WAITING', 'CALLED', 'SERVING', 'DONE', 'NO_SHOW'] as const;
export type GuestStatus = (typeof guestStatuses)[number];

/** The last queue number given per office, office-local day and service. */
@Entity({ name: 'queue_counters' })
export class QueueCounter {
  @PrimaryColumn({ name: 'office_id', type: 'uuid' })
  officeId!: string;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  service!: QueueService;

  @Column({ type: 'integer' })
  value!: number;
}

/** A guest-book entry (seed 004 step 1) and its place in the queue. */
@Entity({ name: 'guest_book_entries' })
@Index('uq_guest_book_number', ['officeId', 'day', 'service', 'seq'], { unique: true })
@Index('ix_guest_book_waiting', ['officeId', 'day', 'status', 'seq'])
export class GuestBookEntry {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'office_id', type: 'uuid' })
  officeId!: string;

  /** The office-local date the number belongs to. */
  @Column({ type: 'date' })
  day!: string;

  @Column({ type: 'varchar', length: 20 })
  service!: QueueService;

  @Column({ type: 'integer' })
  seq!: number;

  /** e.g. A-007. */
  @Column({ name: 'queue_number', type: 'varchar', length: 10 })
  queueNumber!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  agency!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  purpose!: string | null;

  /** E.164. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  phone!: string | null;

  /** Another entry with this phone exists on the same day (allowed, flagged for the desk). */
  @Column({ name: 'duplicate_phone', type: 'boolean', default: false })
  duplicatePhone!: boolean;

  @Column({ type: 'varchar', length: 10, default: 'WAITING' })
  status!: GuestStatus;

  @Column({ type: 'varchar', length: 40, nullable: true })
  desk!: string | null;

  @Column({ name: 'called_at', type: 'timestamptz', nullable: true })
  calledAt!: Date | null;

  @Column({ name: 'serving_at', type: 'timestamptz', nullable: true })
  servingAt!: Date | null;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt!: Date | null;

  /** The walk-in ticket opened when the number was served. */
  @Column({ name: 'ticket_id', type: 'uuid', nullable: true })
  ticketId!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 64, nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
