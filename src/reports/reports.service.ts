import type { DataSource } from 'typeorm';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import { decodeCursor, encodeCursor } from '../shared/schemas';
import { workflowDefinitions } from '../workflow/definitions';
import type { TimeStandard } from '../workflow/time-standard';
import type { Channel, TicketType, WorkflowDefinition } from '../workflow/workflow.types';

export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 366;
/** A CSV export of the breach list holds at most this many rows (the rest via `x-next-cursor`). */
export const CSV_MAX_ROWS = 10_000;

const DAY_MS = 86_400_000;

/** The period a report covers: `from` inclusive, `to` exclusive. */
export interface ReportRange {
  from: Date;
  to: Date;
  workflowId: string | null;
}

interface Label {
  id: string;
  en: string;
}

export interface StepReportItem {
  workflowId: string;
  workflowName: Label | null;
  step: string;
  label: Label;
  sop: string | null;
  /** The step's time standard from the definition; null when the definition is unknown. */
  timeStandard: TimeStandard | null;
  timeStandardByChannel: Partial<Record<Channel, TimeStandard>>;
  started: number;
  ended: number;
  medianWorkingMinutes: number | null;
  p90WorkingMinutes: number | null;
  withStandard: number;
  withinStandard: number;
  /** Open and not yet due: undecided, so left out of the share. */
  openNotYetDue: number;
  /** withinStandard / (withStandard - openNotYetDue); null when nothing with a standard is decided. */
  shareWithinStandard: number | null;
  breaches: number;
  openLate: number;
}

export interface VolumeRow {
  day: string | null;
  channel: Channel;
  type: TicketType | null;
  created: number;
  closed: number;
}

export interface BreachItem {
  ticketId: string;
  code: string;
  workflowId: string;
  step: string;
  label: Label;
  channel: Channel;
  type: TicketType | null;
  startedAt: string;
  dueAt: string;
  endedAt: string | null;
  breachedAt: string;
  /** Wall-clock minutes from the due time to the end (or to now while open), rounded up. */
  lateMinutes: number;
  workingMinutes: number | null;
}

interface Counts {
  created: number;
  closed: number;
}
const add = (acc: Counts, r: Counts) => {
  acc.created += r.created;
  acc.closed += r.closed;
};
function countsOf<K>(m: Map<K, Counts>, key: K): Counts {
  let v = m.get(key);
  if (!v) {
    v = { created: 0, closed: 0 };
    m.set(key, v);
  }
  return v;
}

export type ReportsService = ReturnType<typeof createReportsService>;

const invalid = (detail: string) => new AppError('VALIDATION_FAILED', { detail });

const round = (n: number | null, places: number): number | null => {
  if (n === null) return null;
  const f = 10 ** places;
  return Math.round(n * f) / f;
};

function stepInfo(def: WorkflowDefinition | undefined, step: string) {
  const s = def?.steps.find((x) => x.id === step);
  return {
    label: s ? { ...s.label } : { id: step, en: step },
    sop: s?.sop ?? null,
    timeStandard: s ? s.timeStandard : null,
    timeStandardByChannel: s?.timeStandardByChannel ? { ...s.timeStandardByChannel } : {},
    order: s && def ? def.steps.indexOf(s) : Number.MAX_SAFE_INTEGER,
  };
}

/**
 * Management reports over tickets and their step deadlines: how long each SOP step takes and how
 * often it meets its time standard, how many requests arrive by channel and type, and which
 * steps ran late. Read-only, parameterised SQL; `now` comes from the clock.
 */
export function createReportsService(deps: { dataSource: DataSource; clock: Clock }) {
  const { dataSource, clock } = deps;

  return {
    /** From the query: defaults to the last 30 days up to now; refuses empty and over-long ranges. */
    range(q: { from?: string; to?: string; workflowId?: string }): ReportRange {
      const parse = (name: string, v: string | undefined) => {
        if (v === undefined) return null;
        const ms = Date.parse(v);
        if (Number.isNaN(ms)) throw invalid(`${name} is not a date-time`);
        return new Date(ms);
      };
      const to = parse('to', q.to) ?? clock.now();
      const from = parse('from', q.from) ?? new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
      if (from.getTime() >= to.getTime()) throw invalid('from must be before to');
      if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS)
        throw invalid(`the range may be at most ${MAX_RANGE_DAYS} days`);
      return { from, to, workflowId: q.workflowId ?? null };
    },

    /** Per workflow and step, over the step rows that started in the range. */
    async steps(range: ReportRange): Promise<StepReportItem[]> {
      const now = clock.now();
      const rows: {
        workflow_id: string;
        step: string;
        started: number;
        ended: number;
        median: number | null;
        p90: number | null;
        with_standard: number;
        within_standard: number;
        open_not_yet_due: number;
        breaches: number;
        open_late: number;
      }[] = await dataSource.query(
        `SELECT d.workflow_id, d.step,
                count(*)::int AS started,
                count(d.ended_at)::int AS ended,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY d.working_minutes)
                  FILTER (WHERE d.ended_at IS NOT NULL) AS median,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY d.working_minutes)
                  FILTER (WHERE d.ended_at IS NOT NULL) AS p90,
                count(d.due_at)::int AS with_standard,
                (count(*) FILTER (WHERE d.ended_at <= d.due_at))::int AS within_standard,
                (count(*) FILTER (WHERE d.ended_at IS NULL AND d.due_at >= $3))::int
                  AS open_not_yet_due,
                count(d.breached_at)::int AS breaches,
                (count(*) FILTER (WHERE d.ended_at IS NULL AND d.due_at < $3))::int AS open_late
           FROM ticket_step_deadlines d
          WHERE d.started_at >= $1::timestamptz AND d.started_at < $2::timestamptz
            AND ($4::varchar IS NULL OR d.workflow_id = $4)
          GROUP BY d.workflow_id, d.step`,
        [range.from.toISOString(), range.to.toISOString(), now.toISOString(), range.workflowId],
      );
      const items = rows.map((r) => {
        const def = workflowDefinitions.get(r.workflow_id);
        const info = stepInfo(def, r.step);
        const decided = r.with_standard - r.open_not_yet_due;
        return {
          order: info.order,
          item: {
            workflowId: r.workflow_id,
            workflowName: def ? { ...def.name } : null,
            step: r.step,
            label: info.label,
            sop: info.sop,
            timeStandard: info.timeStandard,
            timeStandardByChannel: info.timeStandardByChannel,
            started: r.started,
            ended: r.ended,
            medianWorkingMinutes: round(r.median, 2),
            p90WorkingMinutes: round(r.p90, 2),
            withStandard: r.with_standard,
            withinStandard: r.within_standard,
            openNotYetDue: r.open_not_yet_due,
            shareWithinStandard: decided > 0 ? round(r.within_standard / decided, 4) : null,
            breaches: r.breaches,
            openLate: r.open_late,
          } satisfies StepReportItem,
        };
      });
      items.sort(
        (a, b) =>
          a.item.workflowId.localeCompare(b.item.workflowId) ||
          a.order - b.order ||
          a.item.step.localeCompare(b.item.step),
      );
      return items.map((i) => i.item);
    },

    /** Tickets created in the range by channel and type (and by the office's calendar day). */
    async volume(range: ReportRange, byDay: boolean) {
      const rows: VolumeRow[] = await dataSource.query(
        `SELECT CASE WHEN $4::boolean
                     THEN to_char(t.created_at AT TIME ZONE o.time_zone, 'YYYY-MM-DD') END AS day,
                t.channel, t.type,
                count(*)::int AS created,
                count(t.closed_at)::int AS closed
           FROM tickets t
           JOIN offices o ON o.id = t.office_id
          WHERE t.created_at >= $1::timestamptz AND t.created_at < $2::timestamptz
            AND ($3::varchar IS NULL OR t.workflow_id = $3)
          GROUP BY 1, 2, 3
          ORDER BY 1, 2, 3`,
        [range.from.toISOString(), range.to.toISOString(), range.workflowId, byDay],
      );
      const totals: Counts = { created: 0, closed: 0 };
      const byChannel = new Map<Channel, Counts>();
      const byType = new Map<TicketType | null, Counts>();
      for (const r of rows) {
        add(totals, r);
        add(countsOf(byChannel, r.channel), r);
        add(countsOf(byType, r.type), r);
      }
      return {
        totals,
        byChannel: [...byChannel]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([channel, v]) => ({ channel, ...v })),
        byType: [...byType]
          .sort(([a], [b]) => (a ?? '~').localeCompare(b ?? '~'))
          .map(([type, v]) => ({ type, ...v })),
        rows,
      };
    },

    /**
     * Breached steps that started in the range (the same rows the step report counts as
     * breaches), the latest due time first; keyset pagination on (due_at, id).
     */
    async breaches(
      range: ReportRange,
      page: { limit: number; cursor?: string | undefined },
    ): Promise<{ items: BreachItem[]; nextCursor: string | null }> {
      let after: [string, string] | [null, null] = [null, null];
      if (page.cursor !== undefined) {
        const parts = decodeCursor(page.cursor, 2);
        const [due, id] = parts ?? [];
        if (
          due === undefined ||
          id === undefined ||
          !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(due) ||
          Number.isNaN(Date.parse(due)) ||
          !/^\d{1,18}$/.test(id)
        ) {
          throw invalid('cursor is not valid');
        }
        after = [due, id];
      }
      const rows: {
        id: string;
        due_key: string;
        ticket_id: string;
        code: string;
        workflow_id: string;
        step: string;
        channel: Channel;
        type: TicketType | null;
        started_at: Date;
        due_at: Date;
        ended_at: Date | null;
        breached_at: Date;
        working_minutes: number | null;
        late_minutes: number;
      }[] = await dataSource.query(
        `SELECT d.id,
                to_char(d.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS due_key,
                d.ticket_id, t.code, d.workflow_id, d.step, t.channel, t.type,
                d.started_at, d.due_at, d.ended_at, d.breached_at, d.working_minutes,
                greatest(0, ceil(extract(epoch FROM (coalesce(d.ended_at, $3::timestamptz)
                                                    - d.due_at)) / 60))::int AS late_minutes
           FROM ticket_step_deadlines d
           JOIN tickets t ON t.id = d.ticket_id
          WHERE d.breached_at IS NOT NULL
            AND d.started_at >= $1::timestamptz AND d.started_at < $2::timestamptz
            AND ($4::varchar IS NULL OR d.workflow_id = $4)
            AND ($5::timestamptz IS NULL OR (d.due_at, d.id) < ($5::timestamptz, $6::bigint))
          ORDER BY d.due_at DESC, d.id DESC
          LIMIT $7`,
        [
          range.from.toISOString(),
          range.to.toISOString(),
          clock.now().toISOString(),
          range.workflowId,
          after[0],
          after[1],
          page.limit + 1,
        ],
      );
      const pageRows = rows.slice(0, page.limit);
      const last = pageRows.at(-1);
      return {
        items: pageRows.map((r) => ({
          ticketId: r.ticket_id,
          code: r.code,
          workflowId: r.workflow_id,
          step: r.step,
          label: stepInfo(workflowDefinitions.get(r.workflow_id), r.step).label,
          channel: r.channel,
          type: r.type,
          startedAt: r.started_at.toISOString(),
          dueAt: r.due_at.toISOString(),
          endedAt: r.ended_at ? r.ended_at.toISOString() : null,
          breachedAt: r.breached_at.toISOString(),
          lateMinutes: r.late_minutes,
          workingMinutes: r.working_minutes,
        })),
        nextCursor: rows.length > page.limit && last ? encodeCursor([last.due_key, last.id]) : null,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CSV

export type CsvValue = string | number | boolean | null | undefined;

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvValue;
}

/** UTF-8 byte order mark: Excel reads the file as UTF-8 only with it. */
export const CSV_BOM = '\uFEFF';

/**
 * One cell, RFC 4180: quoted when it holds a comma, a quote, CR or LF, with quotes doubled.
 * Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a
 * leading apostrophe first. Numbers and booleans are ours, never user text, and stay as they are.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A whole CSV file: BOM, header row, one CRLF-terminated line per row. */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: Iterable<T>): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))).join(','));
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`;
}

/** `loket-<report>-<from>-<to>.csv`, the instants in ISO basic format (no colons: Windows-safe). */
export function csvFileName(report: string, range: ReportRange): string {
  const compact = (d: Date) =>
    d
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}Z$/, 'Z');
  return `loket-${report}-${compact(range.from)}-${compact(range.to)}.csv`;
}

const standardText = (s: TimeStandard | null | undefined) =>
  !s ? null : s.kind === 'MINUTES' ? `${s.minutes}` : s.kind;

export const stepsCsvColumns: readonly CsvColumn<StepReportItem>[] = [
  { header: 'workflowId', value: (r) => r.workflowId },
  { header: 'step', value: (r) => r.step },
  { header: 'stepLabelId', value: (r) => r.label.id },
  { header: 'stepLabelEn', value: (r) => r.label.en },
  { header: 'sop', value: (r) => r.sop },
  { header: 'timeStandardKind', value: (r) => r.timeStandard?.kind ?? null },
  {
    header: 'timeStandardMinutes',
    value: (r) => (r.timeStandard?.kind === 'MINUTES' ? r.timeStandard.minutes : null),
  },
  {
    header: 'timeStandardByChannel',
    value: (r) =>
      Object.entries(r.timeStandardByChannel)
        .map(([ch, s]) => `${ch}=${standardText(s) ?? ''}`)
        .join(' '),
  },
  { header: 'started', value: (r) => r.started },
  { header: 'ended', value: (r) => r.ended },
  { header: 'medianWorkingMinutes', value: (r) => r.medianWorkingMinutes },
  { header: 'p90WorkingMinutes', value: (r) => r.p90WorkingMinutes },
  { header: 'withStandard', value: (r) => r.withStandard },
  { header: 'withinStandard', value: (r) => r.withinStandard },
  { header: 'openNotYetDue', value: (r) => r.openNotYetDue },
  { header: 'shareWithinStandard', value: (r) => r.shareWithinStandard },
  { header: 'breaches', value: (r) => r.breaches },
  { header: 'openLate', value: (r) => r.openLate },
];

export const volumeCsvColumns = (byDay: boolean): readonly CsvColumn<VolumeRow>[] => [
  ...(byDay ? [{ header: 'day', value: (r: VolumeRow) => r.day }] : []),
  { header: 'channel', value: (r) => r.channel },
  { header: 'type', value: (r) => r.type },
  { header: 'created', value: (r) => r.created },
  { header: 'closed', value: (r) => r.closed },
];

export const breachesCsvColumns: readonly CsvColumn<BreachItem>[] = [
  { header: 'code', value: (r) => r.code },
  { header: 'workflowId', value: (r) => r.workflowId },
  { header: 'step', value: (r) => r.step },
  { header: 'stepLabelId', value: (r) => r.label.id },
  { header: 'stepLabelEn', value: (r) => r.label.en },
  { header: 'channel', value: (r) => r.channel },
  { header: 'type', value: (r) => r.type },
  { header: 'startedAt', value: (r) => r.startedAt },
  { header: 'dueAt', value: (r) => r.dueAt },
  { header: 'endedAt', value: (r) => r.endedAt },
  { header: 'breachedAt', value: (r) => r.breachedAt },
  { header: 'lateMinutes', value: (r) => r.lateMinutes },
  { header: 'workingMinutes', value: (r) => r.workingMinutes },
  { header: 'ticketId', value: (r) => r.ticketId },
];
