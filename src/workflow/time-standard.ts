import { addWorkingMinutes, endOfWorkingDay, type OfficeCalendar } from './working-calendar';

/**
 * A step's time standard as the SOPs state it in the "Mutu Baku – Waktu" column: a number of
 * minutes ("5 menit", "15 menit"), "the same working day" (seed 004 step 4: "pada hari yang sama
 * ... (hari dan jam kerja)"), or none ("N/A", a step the requester performs).
 */
export type TimeStandard =
  { kind: 'MINUTES'; minutes: number } | { kind: 'SAME_WORKING_DAY' } | { kind: 'NONE' };

/**
 * When a step that starts at `start` is due, in the office's working time; `null` when the step
 * has no time standard, so it can never be late.
 */
export function computeDueAt(
  start: Date,
  standard: TimeStandard,
  calendar: OfficeCalendar,
): Date | null {
  switch (standard.kind) {
    case 'MINUTES':
      return addWorkingMinutes(start, standard.minutes, calendar);
    case 'SAME_WORKING_DAY':
      return endOfWorkingDay(start, calendar);
    case 'NONE':
      return null;
    default:
      // Workflow definitions are data: a kind stored by a newer version must fail loudly here
      // rather than leave a step without a deadline.
      throw new RangeError(
        `unknown time standard kind ${JSON.stringify((standard as { kind: unknown }).kind)}`,
      );
  }
}
