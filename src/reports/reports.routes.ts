import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import type { Role } from '../auth/roles';
import { systemClock, type Clock } from '../shared/clock';
import { errorResponses, PageQueryFields } from '../shared/schemas';
import { ChannelSchema, TicketTypeSchema } from '../tickets/tickets.schemas';
import {
  breachesCsvColumns,
  createReportsService,
  CSV_MAX_ROWS,
  csvFileName,
  DEFAULT_RANGE_DAYS,
  MAX_RANGE_DAYS,
  stepsCsvColumns,
  toCsv,
  volumeCsvColumns,
  type ReportRange,
} from './reports.service';

/** Supervisors and auditors read the reports; the Admin PPE may look (read-only anyway). */
const READERS: readonly Role[] = ['SUPERVISOR', 'AUDITOR', 'ADMIN_PPE'];

const RangeQueryFields = {
  from: Type.Optional(
    Type.String({
      format: 'date-time',
      description: `Start, inclusive (ISO 8601 with offset). Default: \`to\` minus ${DEFAULT_RANGE_DAYS} days.`,
    }),
  ),
  to: Type.Optional(
    Type.String({
      format: 'date-time',
      description: `End, exclusive. Default: now. At most ${MAX_RANGE_DAYS} days after \`from\`.`,
    }),
  ),
  workflowId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 60, description: 'e.g. seed004-reset-password' }),
  ),
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('csv')], {
      default: 'json',
      description: '`csv`: a download (UTF-8 with BOM, RFC 4180, header row)',
    }),
  ),
};

const RangeEchoFields = {
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  workflowId: Type.Union([Type.String(), Type.Null()]),
  generatedAt: Type.String({ format: 'date-time', description: 'The "now" of open and late' }),
};

const LabelSchema = Type.Object({ id: Type.String(), en: Type.String() });
const Num = Type.Union([Type.Number(), Type.Null()]);
const TimeStandardSchema = Type.Union([
  Type.Object({ kind: Type.Literal('MINUTES'), minutes: Type.Integer() }),
  Type.Object({ kind: Type.Literal('SAME_WORKING_DAY') }),
  Type.Object({ kind: Type.Literal('NONE') }),
]);

const StepsReportSchema = Type.Object({
  ...RangeEchoFields,
  items: Type.Array(
    Type.Object({
      workflowId: Type.String(),
      workflowName: Type.Union([LabelSchema, Type.Null()]),
      step: Type.String(),
      label: LabelSchema,
      sop: Type.Union([Type.String(), Type.Null()]),
      timeStandard: Type.Union([TimeStandardSchema, Type.Null()], {
        description: 'null when the workflow definition is no longer shipped',
      }),
      timeStandardByChannel: Type.Record(Type.String(), TimeStandardSchema),
      started: Type.Integer({ description: 'Step rows that started in the range' }),
      ended: Type.Integer(),
      medianWorkingMinutes: Num,
      p90WorkingMinutes: Num,
      withStandard: Type.Integer({ description: 'Rows with a due time' }),
      withinStandard: Type.Integer({ description: 'Ended at or before the due time' }),
      openNotYetDue: Type.Integer({ description: 'Still open, not yet due: undecided' }),
      shareWithinStandard: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
        description:
          'withinStandard / (withStandard - openNotYetDue); null when no row with a standard is decided',
      }),
      breaches: Type.Integer({ description: 'Marked late by the deadline scanner' }),
      openLate: Type.Integer({ description: 'Still open and past the due time' }),
    }),
  ),
});

const CountsFields = { created: Type.Integer(), closed: Type.Integer() };
const VolumeReportSchema = Type.Object({
  ...RangeEchoFields,
  groupBy: Type.Union([Type.Literal('none'), Type.Literal('day')]),
  totals: Type.Object(CountsFields),
  byChannel: Type.Array(Type.Object({ channel: ChannelSchema, ...CountsFields })),
  byType: Type.Array(
    Type.Object({ type: Type.Union([TicketTypeSchema, Type.Null()]), ...CountsFields }),
  ),
  rows: Type.Array(
    Type.Object({
      day: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
        description: "The office's calendar day; null unless groupBy=day",
      }),
      channel: ChannelSchema,
      type: Type.Union([TicketTypeSchema, Type.Null()]),
      ...CountsFields,
    }),
  ),
});

const BreachesReportSchema = Type.Object({
  ...RangeEchoFields,
  items: Type.Array(
    Type.Object({
      ticketId: Type.String({ format: 'uuid' }),
      code: Type.String(),
      workflowId: Type.String(),
      step: Type.String(),
      label: LabelSchema,
      channel: ChannelSchema,
      type: Type.Union([TicketTypeSchema, Type.Null()]),
      startedAt: Type.String({ format: 'date-time' }),
      dueAt: Type.String({ format: 'date-time' }),
      endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      breachedAt: Type.String({ format: 'date-time' }),
      lateMinutes: Type.Integer({
        description: 'Wall-clock minutes past the due time (rounded up)',
      }),
      workingMinutes: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

/** 200 is JSON, or with `format=csv` a CSV download. */
function jsonOrCsv<T extends TSchema>(schema: T, description: string) {
  return {
    200: {
      description,
      content: {
        'application/json': { schema },
        'text/csv': {
          schema: Type.String({
            description: 'UTF-8 with BOM, CRLF line ends, RFC 4180 quoting, a header row',
          }),
        },
      },
    },
    ...errorResponses(),
  };
}

function sendCsv(reply: FastifyReply, report: string, range: ReportRange, csv: string) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${csvFileName(report, range)}"`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(csv);
}

/** Reports for supervisors and auditors: SOP step times against the standards, volume, breaches. */
export const reportsRoutes: FastifyPluginAsyncTypebox<{
  dataSource: DataSource;
  clock?: Clock;
}> = async (app, { dataSource, clock = systemClock }) => {
  const reports = createReportsService({ dataSource, clock });
  const echo = (range: ReportRange) => ({
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    workflowId: range.workflowId,
    generatedAt: clock.now().toISOString(),
  });

  app.get(
    '/steps',
    {
      config: { access: READERS },
      schema: {
        tags: ['reports'],
        summary: 'Per workflow and step: durations and how often the time standard was met',
        description:
          'Over the step rows that started in [from, to). Median and p90 of working minutes over ended ' +
          'rows; the share within the standard leaves out open steps that are not yet due.',
        querystring: Type.Object(RangeQueryFields, { additionalProperties: false }),
        response: jsonOrCsv(StepsReportSchema, 'Step report'),
      },
    },
    async (request, reply) => {
      const range = reports.range(request.query);
      const items = await reports.steps(range);
      if (request.query.format === 'csv')
        return sendCsv(reply, 'steps', range, toCsv(stepsCsvColumns, items));
      return { ...echo(range), items };
    },
  );

  app.get(
    '/volume',
    {
      config: { access: READERS },
      schema: {
        tags: ['reports'],
        summary: 'Tickets created in the range by channel and type (and day), and how many closed',
        querystring: Type.Object(
          {
            ...RangeQueryFields,
            groupBy: Type.Optional(
              Type.Union([Type.Literal('none'), Type.Literal('day')], { default: 'none' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: jsonOrCsv(VolumeReportSchema, 'Volume report'),
      },
    },
    async (request, reply) => {
      const range = reports.range(request.query);
      const byDay = request.query.groupBy === 'day';
      const volume = await reports.volume(range, byDay);
      if (request.query.format === 'csv')
        return sendCsv(reply, 'volume', range, toCsv(volumeCsvColumns(byDay), volume.rows));
      return { ...echo(range), groupBy: byDay ? ('day' as const) : ('none' as const), ...volume };
    },
  );

  app.get(
    '/breaches',
    {
      config: { access: READERS },
      schema: {
        tags: ['reports'],
        summary: 'Steps that ran past their time standard, latest due time first',
        description:
          'Breached step rows that started in [from, to), keyset pagination (`limit`, `cursor`). ' +
          `With format=csv: every row from the cursor on, up to ${CSV_MAX_ROWS}; when there are ` +
          'more, the `x-next-cursor` header continues.',
        querystring: Type.Object(
          { ...RangeQueryFields, ...PageQueryFields },
          { additionalProperties: false },
        ),
        response: jsonOrCsv(BreachesReportSchema, 'Breach list'),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const range = reports.range(q);
      if (q.format === 'csv') {
        const all = await reports.breaches(range, { limit: CSV_MAX_ROWS, cursor: q.cursor });
        if (all.nextCursor) void reply.header('x-next-cursor', all.nextCursor);
        return sendCsv(reply, 'breaches', range, toCsv(breachesCsvColumns, all.items));
      }
      const page = await reports.breaches(range, { limit: q.limit ?? 50, cursor: q.cursor });
      return { ...echo(range), ...page };
    },
  );
};
