import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { actorOf } from '../plugins/access';
import { AppError } from '../shared/errors';
import { errorResponses, literalUnion } from '../shared/schemas';
import { RejectReason } from '../tickets/ticket.entity';
import { OfficeHolidayOverride } from './office.entity';
import type { OfficesService } from './offices.service';

const overrideKinds = ['OFFICE', 'CUTI_BERSAMA', 'NATIONAL', 'WORKING_DAY'] as const;

const DateParams = Type.Object(
  { date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) },
  { additionalProperties: false },
);
const Label = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const ReasonSchema = Type.Object({
  code: Type.String(),
  labelId: Type.String(),
  labelEn: Type.String(),
  active: Type.Boolean(),
});
const OverrideSchema = Type.Object({
  date: Type.String(),
  name: Type.String(),
  kind: literalUnion(overrideKinds),
});

/** A real calendar date (2027-02-30 is refused), as YYYY-MM-DD. */
function isRealDate(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

/**
 * SUPERVISOR settings the console's administration page edits: the office's working calendar
 * (its own days off and corrections on top of the shipped national list, which every deadline
 * computed afterwards uses) and the catalogue of rejection reasons. Every change is audited.
 */
export const settingsRoutes: FastifyPluginAsyncTypebox<{
  dataSource: DataSource;
  offices: OfficesService;
  audit: AuditService;
}> = async (app, { dataSource, offices, audit }) => {
  app.get(
    '/offices/calendar',
    {
      config: { access: ['SUPERVISOR', 'AUDITOR'] },
      schema: {
        tags: ['administration'],
        summary: "The office's working hours and the days off of one year (shipped and its own)",
        querystring: Type.Object(
          { year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            office: Type.Object({
              code: Type.String(),
              name: Type.String(),
              timeZone: Type.String(),
            }),
            workingHours: Type.Unknown(),
            year: Type.Integer(),
            holidays: Type.Array(
              Type.Object({ date: Type.String(), name: Type.String(), kind: Type.String() }),
            ),
            overrides: Type.Array(OverrideSchema),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const office = await offices.defaultOffice();
      const calendar = await offices.calendarFor(office);
      const year = request.query.year ?? new Date().getUTCFullYear();
      const overrides = await dataSource
        .getRepository(OfficeHolidayOverride)
        .find({ where: { officeId: office.id }, order: { date: 'ASC' } });
      return {
        office: { code: office.code, name: office.name, timeZone: office.timeZone },
        workingHours: calendar.workingHours,
        year,
        holidays: calendar.holidays
          .filter((h) => h.date.startsWith(`${String(year)}-`))
          .sort((a, b) => a.date.localeCompare(b.date))
          .map((h) => ({ date: h.date, name: h.name, kind: h.kind })),
        overrides: overrides.map((o) => ({ date: o.date, name: o.name, kind: o.kind })),
      };
    },
  );

  app.put(
    '/offices/holidays/:date',
    {
      config: { access: ['SUPERVISOR'] },
      schema: {
        tags: ['administration'],
        summary:
          'Adds or corrects one day: a day off of the office (OFFICE, CUTI_BERSAMA, NATIONAL) or WORKING_DAY to cancel a shipped holiday',
        params: DateParams,
        body: Type.Object(
          { name: Label, kind: literalUnion(overrideKinds) },
          { additionalProperties: false },
        ),
        response: { 200: OverrideSchema, ...errorResponses(400) },
      },
    },
    async (request) => {
      const { date } = request.params;
      if (!isRealDate(date)) throw new AppError('VALIDATION_FAILED');
      const office = await offices.defaultOffice();
      const name = request.body.name.trim();
      await dataSource.transaction(async (m) => {
        await m.query(
          `INSERT INTO office_holidays (office_id, date, name, kind) VALUES ($1, $2, $3, $4)
           ON CONFLICT (office_id, date) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind`,
          [office.id, date, name, request.body.kind],
        );
        await audit.record(
          actorOf(request),
          {
            action: 'calendar.day_set',
            targetType: 'office',
            targetId: office.id,
            details: { date, kind: request.body.kind, name },
          },
          m,
        );
      });
      return { date, name, kind: request.body.kind };
    },
  );

  app.delete(
    '/offices/holidays/:date',
    {
      config: { access: ['SUPERVISOR'] },
      schema: {
        tags: ['administration'],
        summary: "Removes the office's own entry for a day (the shipped list applies again)",
        params: DateParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const office = await offices.defaultOffice();
      const { date } = request.params;
      await dataSource.transaction(async (m) => {
        const removed = await m.query<{ kind: string }[]>(
          `WITH d AS (DELETE FROM office_holidays WHERE office_id = $1 AND date = $2 RETURNING kind)
           SELECT kind FROM d`,
          [office.id, date],
        );
        if (removed.length === 0) throw new AppError('NOT_FOUND');
        await audit.record(
          actorOf(request),
          {
            action: 'calendar.day_removed',
            targetType: 'office',
            targetId: office.id,
            details: { date, kind: removed[0]?.kind },
          },
          m,
        );
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/admin/reject-reasons',
    {
      config: { access: ['SUPERVISOR'] },
      schema: {
        tags: ['administration'],
        summary: 'Every rejection reason, the retired ones too',
        response: { 200: Type.Array(ReasonSchema), ...errorResponses() },
      },
    },
    async () =>
      (await dataSource.getRepository(RejectReason).find({ order: { code: 'ASC' } })).map(
        reasonView,
      ),
  );

  app.post(
    '/admin/reject-reasons',
    {
      config: { access: ['SUPERVISOR'] },
      schema: {
        tags: ['administration'],
        summary: 'Adds a rejection reason (409 CONFLICT when the code exists)',
        body: Type.Object(
          {
            code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,39}$' }),
            labelId: Label,
            labelEn: Label,
          },
          { additionalProperties: false },
        ),
        response: { 201: ReasonSchema, ...errorResponses(400, 409) },
      },
    },
    async (request, reply) => {
      const { code } = request.body;
      const reason = await dataSource.transaction(async (m) => {
        const inserted = await m.query<unknown[]>(
          `INSERT INTO reject_reasons (code, label_id, label_en, active) VALUES ($1, $2, $3, true)
           ON CONFLICT (code) DO NOTHING RETURNING code`,
          [code, request.body.labelId.trim(), request.body.labelEn.trim()],
        );
        if (inserted.length === 0) throw new AppError('CONFLICT');
        await audit.record(
          actorOf(request),
          { action: 'reject_reason.created', targetType: 'reject_reason', targetId: code },
          m,
        );
        return m.findOneOrFail(RejectReason, { where: { code } });
      });
      return reply.code(201).send(reasonView(reason));
    },
  );

  app.patch(
    '/admin/reject-reasons/:code',
    {
      config: { access: ['SUPERVISOR'] },
      schema: {
        tags: ['administration'],
        summary:
          'Changes a reason’s labels or retires it (active=false: no longer offered; past rejections keep it)',
        params: Type.Object(
          { code: Type.String({ maxLength: 40 }) },
          { additionalProperties: false },
        ),
        body: Type.Object(
          {
            labelId: Type.Optional(Label),
            labelEn: Type.Optional(Label),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ReasonSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { code } = request.params;
      const reason = await dataSource.transaction(async (m) => {
        const found = await m.findOne(RejectReason, {
          where: { code },
          lock: { mode: 'pessimistic_write' },
        });
        if (!found) throw new AppError('NOT_FOUND');
        const { labelId, labelEn, active } = request.body;
        if (labelId !== undefined) found.labelId = labelId.trim();
        if (labelEn !== undefined) found.labelEn = labelEn.trim();
        if (active !== undefined) found.active = active;
        await m.save(found);
        await audit.record(
          actorOf(request),
          {
            action: 'reject_reason.changed',
            targetType: 'reject_reason',
            targetId: code,
            details: { fields: Object.keys(request.body) },
          },
          m,
        );
        return found;
      });
      return reasonView(reason);
    },
  );
};

function reasonView(r: RejectReason) {
  return { code: r.code, labelId: r.labelId, labelEn: r.labelEn, active: r.active };
}
