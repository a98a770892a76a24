import type { DataSource, EntityManager } from 'typeorm';
import type { Actor, AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/auth.service';
import type { OfficesService } from '../offices/offices.service';
import { normalisePhone } from '../registry/registry-csv';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import type { TicketsService } from '../tickets/tickets.service';
import { GuestBookEntry, queueServices, type GuestStatus, type QueueService } from './queue.entity';

/** Minutes a served guest takes when today has no finished one to measure yet. */
const DEFAULT_SERVICE_MINUTES = 10;

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
/** The office-local date, YYYY-MM-DD. */
export function officeDay(at: Date, timeZone: string): string {
  let f = dayFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormatters.set(timeZone, f);
  }
  return f.format(at);
}

export interface GuestInput {
  name: string;
  agency?: string | null;
  service: QueueService;
  purpose?: string | null;
  phone?: string | null;
}

export interface ServiceQueue {
  service: QueueService;
  prefix: string;
  waiting: number;
  /** Today's average service time (10 before any guest was served). */
  minutesPerGuest: number;
  /** Estimated minutes until a guest taking a number now is called. */
  estimatedWaitMinutes: number;
}

/** Trimmed and cut to `max`; empty becomes null. */
const blankToNull = (value: string | null | undefined, max: number): string | null => {
  const v = value?.trim().slice(0, max);
  return v === undefined || v === '' ? null : v;
};

const invalid = (field: string, reason: string) =>
  new AppError('VALIDATION_FAILED', {}, [{ field, reason }]);

/**
 * The front office's guest book and queue numbers (seed 004 steps 1-3). Numbers come from a
 * counter row per office, day and service, taken in the same transaction as the entry: no gaps
 * and no duplicates, whatever the number of API instances.
 */
export function createQueueService(deps: {
  dataSource: DataSource;
  offices: OfficesService;
  tickets: TicketsService;
  audit: AuditService;
  clock: Clock;
  /** Told after every change the waiting-room board shows (a call, a recall, a new number). */
  onBoardChange?: () => void;
}) {
  const { dataSource, offices, tickets, clock } = deps;
  const changed = <T>(value: T): T => {
    deps.onBoardChange?.();
    return value;
  };

  async function today(m: EntityManager = dataSource.manager) {
    const office = await offices.defaultOffice(m);
    return { office, day: officeDay(clock.now(), office.timeZone) };
  }

  async function serviceQueues(officeId: string, day: string): Promise<ServiceQueue[]> {
    const rows: { service: QueueService; waiting: string; avg_minutes: string | null }[] =
      await dataSource.query(
        `SELECT service,
                count(*) FILTER (WHERE status = 'WAITING') AS waiting,
                avg(extract(epoch FROM done_at - serving_at) / 60)
                  FILTER (WHERE status = 'DONE' AND serving_at IS NOT NULL) AS avg_minutes
           FROM guest_book_entries WHERE office_id = $1 AND day = $2 GROUP BY service`,
        [officeId, day],
      );
    return (Object.keys(queueServices) as QueueService[]).map((service) => {
      const row = rows.find((r) => r.service === service);
      const waiting = Number(row?.waiting ?? 0);
      const minutes = row?.avg_minutes ? Number(row.avg_minutes) : DEFAULT_SERVICE_MINUTES;
      return {
        service,
        prefix: queueServices[service],
        waiting,
        minutesPerGuest: Math.round(minutes),
        estimatedWaitMinutes: Math.round(waiting * minutes),
      };
    });
  }

  /** Moves an entry from one of `from` to `to` (with the fields given); 409 when it is not there. */
  async function transition(
    id: string,
    from: readonly GuestStatus[],
    to: GuestStatus,
    fields: Partial<GuestBookEntry>,
  ): Promise<GuestBookEntry> {
    return changed(await moveEntry(id, from, to, fields));
  }

  async function moveEntry(
    id: string,
    from: readonly GuestStatus[],
    to: GuestStatus,
    fields: Partial<GuestBookEntry>,
  ): Promise<GuestBookEntry> {
    return dataSource.transaction(async (m) => {
      const entry = await m.findOne(GuestBookEntry, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!entry) throw new AppError('NOT_FOUND');
      if (!from.includes(entry.status)) {
        throw new AppError('ACTION_NOT_ALLOWED', {}, { status: entry.status, allowedFrom: from });
      }
      Object.assign(entry, fields, { status: to });
      return m.save(entry);
    });
  }

  return {
    serviceQueues,
    today,

    async register(input: GuestInput, actor: Actor) {
      const name = input.name.trim();
      if (!name) throw invalid('name', 'required');
      let phone: string | null = null;
      if (input.phone?.trim()) {
        phone = normalisePhone(input.phone);
        if (!phone) throw invalid('phone', 'not a valid Indonesian phone number');
      }
      const entry = await dataSource.transaction(async (m) => {
        const { office, day } = await today(m);
        // The counter row is locked until this transaction ends: a failed entry gives its
        // number back, so the numbers have no gaps.
        const [counter] = await m.query<{ value: number }[]>(
          `INSERT INTO queue_counters (office_id, day, service, value) VALUES ($1, $2, $3, 1)
           ON CONFLICT (office_id, day, service) DO UPDATE SET value = queue_counters.value + 1
           RETURNING value`,
          [office.id, day, input.service],
        );
        const seq = counter?.value ?? 0;
        const duplicatePhone = phone
          ? (await m.count(GuestBookEntry, { where: { officeId: office.id, day, phone } })) > 0
          : false;
        return m.save(
          m.create(GuestBookEntry, {
            officeId: office.id,
            day,
            service: input.service,
            seq,
            queueNumber: `${queueServices[input.service]}-${String(seq).padStart(3, '0')}`,
            name: name.slice(0, 200),
            agency: blankToNull(input.agency, 200),
            purpose: blankToNull(input.purpose, 500),
            phone,
            duplicatePhone,
            status: 'WAITING',
            desk: null,
            calledAt: null,
            servingAt: null,
            doneAt: null,
            ticketId: null,
            createdBy: actor.id,
          }),
        );
      });
      changed(entry);
      const queues = await serviceQueues(entry.officeId, entry.day);
      const mine = queues.find((q) => q.service === entry.service);
      const waitingAhead = Math.max(0, (mine?.waiting ?? 1) - 1);
      return {
        entry,
        waitingAhead,
        estimatedWaitMinutes: waitingAhead * (mine?.minutesPerGuest ?? DEFAULT_SERVICE_MINUTES),
      };
    },

    async list() {
      const { office, day } = await today();
      const entries = await dataSource.getRepository(GuestBookEntry).find({
        where: { officeId: office.id, day },
        order: { createdAt: 'ASC', seq: 'ASC' },
      });
      return { day, entries, services: await serviceQueues(office.id, day) };
    },

    /**
     * The next waiting number (of one service, or of any in arrival order) to this desk. Two
     * desks calling at once each get a different number (the row is locked, the other skips it).
     */
    async callNext(input: { desk: string; service?: QueueService }) {
      const { office, day } = await today();
      // One statement: take the oldest waiting number that no other desk holds and mark it called
      // (in a CTE, so the driver returns its rows rather than an UPDATE's count).
      // One service is called in number order (the waiting index); any service, in arrival order.
      const rows = await dataSource.query<{ id: string }[]>(
        `WITH called AS (UPDATE guest_book_entries SET status = 'CALLED', desk = $3, called_at = $4
          WHERE id = (SELECT id FROM guest_book_entries
                       WHERE office_id = $1 AND day = $2 AND status = 'WAITING'
                         ${input.service ? 'AND service = $5 ORDER BY seq' : 'ORDER BY created_at, seq'}
                       LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING id)
         SELECT id FROM called`,
        [office.id, day, input.desk, clock.now(), ...(input.service ? [input.service] : [])],
      );
      const id = rows[0]?.id;
      if (!id) throw new AppError('QUEUE_EMPTY');
      return changed(await dataSource.getRepository(GuestBookEntry).findOneByOrFail({ id }));
    },

    /** Calls the same number again (the board shows it again). */
    recall: (id: string) => transition(id, ['CALLED'], 'CALLED', { calledAt: clock.now() }),

    noShow: (id: string) => transition(id, ['CALLED'], 'NO_SHOW', { doneAt: clock.now() }),

    /** The guest is at the desk: the walk-in ticket opens, prefilled from the guest book. */
    async serve(id: string, principal: Principal, actor: Actor) {
      const entry = await transition(id, ['CALLED'], 'SERVING', { servingAt: clock.now() });
      if (entry.service === 'OTHER') return entry;
      let ticket: { id: string };
      try {
        ticket = await tickets.create(
          {
            type: entry.service,
            channel: 'WALK_IN',
            requester: {
              name: entry.name,
              agency: entry.agency,
              phone: entry.phone,
            },
            contact: entry.phone ? { kind: 'PHONE', address: entry.phone } : { kind: 'NONE' },
            message: entry.purpose,
          },
          principal,
          actor,
        );
      } catch (err) {
        // No ticket: the number goes back to called, so serving can be tried again.
        await dataSource
          .getRepository(GuestBookEntry)
          .update({ id, status: 'SERVING' }, { status: 'CALLED', servingAt: null });
        throw err;
      }
      // Only the ticket link: a "done" clicked meanwhile must stay done.
      await dataSource.getRepository(GuestBookEntry).update({ id }, { ticketId: ticket.id });
      return dataSource.getRepository(GuestBookEntry).findOneByOrFail({ id });
    },

    done: (id: string) => transition(id, ['SERVING'], 'DONE', { doneAt: clock.now() }),
  };
}

export type QueueServiceApi = ReturnType<typeof createQueueService>;
