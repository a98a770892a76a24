import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { OfficeCalendar } from '../workflow/working-calendar';

/** An office (an LPSE, a bureau): its time zone, working hours and workflow setting. */
@Entity({ name: 'offices' })
export class Office {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('uq_offices_code', { unique: true })
  @Column({ type: 'varchar', length: 40 })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** IANA zone: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT). */
  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone!: string;

  @Column({ name: 'working_hours', type: 'jsonb' })
  workingHours!: OfficeCalendar['workingHours'];

  /** Seed 003: requests from an LPSE helpdesk member go to the Admin PPE. */
  @Column({ name: 'helpdesk_requests_to_admin_ppe', type: 'boolean', default: false })
  helpdeskRequestsToAdminPpe!: boolean;

  /** Years an archived file is kept before its documents and personal data are deleted. */
  @Column({ name: 'retention_years', type: 'integer', default: 5 })
  retentionYears!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A day off an office adds or corrects (cuti bersama, a local holiday), on top of the shipped list. */
@Entity({ name: 'office_holidays' })
@Index('uq_office_holidays_day', ['officeId', 'date'], { unique: true })
export class OfficeHolidayOverride {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'office_id', type: 'uuid' })
  officeId!: string;

  @Column({ type: 'date' })
  date!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** OFFICE adds a day off; WORKING_DAY cancels a shipped holiday for this office. */
  @Column({ type: 'varchar', length: 20 })
  kind!: 'OFFICE' | 'CUTI_BERSAMA' | 'NATIONAL' | 'WORKING_DAY';
}
