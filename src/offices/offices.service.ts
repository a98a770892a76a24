import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../config';
import { listIndonesianHolidays } from '../workflow/holidays-id';
import {
  defaultOfficeCalendar,
  type OfficeCalendar,
  type OfficeHoliday,
} from '../workflow/working-calendar';
import { Office, OfficeHolidayOverride } from './office.entity';

export const DEFAULT_OFFICE_CODE = 'default';

export type OfficesService = ReturnType<typeof createOfficesService>;

/**
 * Offices and their working calendars: the shipped national holidays and cuti bersama, plus each
 * office's own additions and corrections (`office_holidays`).
 */
export function createOfficesService(deps: {
  dataSource: DataSource;
  config: Pick<Config, 'OFFICE_TIMEZONE'>;
}) {
  const { dataSource, config } = deps;
  const national = listIndonesianHolidays();

  async function defaultOffice(manager: EntityManager = dataSource.manager): Promise<Office> {
    const found = await manager.findOne(Office, { where: { code: DEFAULT_OFFICE_CODE } });
    if (found) return found;
    // Created on first use, so a fresh install needs no setup; racing creators meet at the unique code.
    await manager
      .createQueryBuilder()
      .insert()
      .into(Office)
      .values({
        code: DEFAULT_OFFICE_CODE,
        name: 'Layanan Pengadaan Secara Elektronik',
        timeZone: config.OFFICE_TIMEZONE,
        workingHours: defaultOfficeCalendar(config.OFFICE_TIMEZONE).workingHours,
        helpdeskRequestsToAdminPpe: false,
        retentionYears: 5,
      })
      .orIgnore()
      .execute();
    return manager.findOneOrFail(Office, { where: { code: DEFAULT_OFFICE_CODE } });
  }

  async function calendarFor(
    office: Office,
    manager: EntityManager = dataSource.manager,
  ): Promise<OfficeCalendar> {
    const overrides = await manager.find(OfficeHolidayOverride, { where: { officeId: office.id } });
    const cancelled = new Set(overrides.filter((o) => o.kind === 'WORKING_DAY').map((o) => o.date));
    const holidays: OfficeHoliday[] = national.filter((h) => !cancelled.has(h.date));
    for (const o of overrides) {
      if (o.kind !== 'WORKING_DAY')
        holidays.push({
          date: o.date,
          name: o.name,
          kind: o.kind === 'NATIONAL' ? 'NATIONAL' : o.kind,
        });
    }
    return { timeZone: office.timeZone, workingHours: office.workingHours, holidays };
  }

  return { defaultOffice, calendarFor };
}
