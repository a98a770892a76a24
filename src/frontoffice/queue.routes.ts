import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actorOf } from '../plugins/access';
import { AppError } from '../shared/errors';
import {
  errorResponses,
  IdParamsSchema,
  isoOrNull,
  literalUnion,
  OptionalNullable,
} from '../shared/schemas';
import {
  guestStatuses,
  queueServices,
  type GuestBookEntry,
  type QueueService,
} from './queue.entity';
import type { QueueServiceApi } from './queue.service';
import type { BoardHub } from './board-hub';
import type { ServerResponse } from 'node:http';

const services = Object.keys(queueServices) as QueueService[];

const GuestSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  queueNumber: Type.String(),
  service: literalUnion(services),
  status: literalUnion(guestStatuses),
  name: Type.String(),
  agency: Type.Union([Type.String(), Type.Null()]),
  purpose: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  duplicatePhone: Type.Boolean({
    description: 'Another entry with this phone today (allowed; the desk may check)',
  }),
  desk: Type.Union([Type.String(), Type.Null()]),
  calledAt: Type.Union([Type.String(), Type.Null()]),
  servingAt: Type.Union([Type.String(), Type.Null()]),
  doneAt: Type.Union([Type.String(), Type.Null()]),
  ticketId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
const ServiceQueueSchema = Type.Object({
  service: literalUnion(services),
  prefix: Type.String(),
  waiting: Type.Integer(),
  minutesPerGuest: Type.Integer(),
  estimatedWaitMinutes: Type.Integer(),
});

const view = (e: GuestBookEntry) => ({
  id: e.id,
  queueNumber: e.queueNumber,
  service: e.service,
  status: e.status,
  name: e.name,
  agency: e.agency,
  purpose: e.purpose,
  phone: e.phone,
  duplicatePhone: e.duplicatePhone,
  desk: e.desk,
  calledAt: isoOrNull(e.calledAt),
  servingAt: isoOrNull(e.servingAt),
  doneAt: isoOrNull(e.doneAt),
  ticketId: e.ticketId,
  createdAt: e.createdAt.toISOString(),
});

const DESKS = ['FRONT_OFFICE', 'HELPDESK', 'SUPERVISOR'] as const;

/** The front office: guest book, queue numbers, desks calling them, and the public board. */
export const queueRoutes: FastifyPluginAsyncTypebox<{
  queue: QueueServiceApi;
  board: BoardHub;
}> = async (app, { queue, board }) => {
  /**
   * The board as the waiting room sees it, no names: `current` is the latest number still being
   * called (the big display), `called` the recent calls, and the waiting counts.
   */
  async function boardView() {
    const r = await queue.list();
    const recent = r.entries
      .filter((e) => (e.status === 'CALLED' || e.status === 'SERVING') && e.calledAt && e.desk)
      .sort((a, b) => (b.calledAt?.getTime() ?? 0) - (a.calledAt?.getTime() ?? 0) || b.seq - a.seq);
    const show = (e: GuestBookEntry) => ({
      queueNumber: e.queueNumber,
      desk: e.desk ?? '',
      service: e.service,
      calledAt: isoOrNull(e.calledAt) ?? '',
    });
    const current = recent.find((e) => e.status === 'CALLED');
    return {
      day: r.day,
      current: current ? show(current) : null,
      called: recent.slice(0, 8).map(show),
      services: r.services,
    };
  }

  /** Live boards: one snapshot per burst of changes, written to every open stream. */
  const MAX_STREAMS = 200;
  const streams = new Set<ServerResponse>();
  let scheduled = false;
  let unsubscribe: (() => void) | undefined;
  const broadcast = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      if (streams.size === 0) return;
      boardView()
        .then((view) => {
          const frame = `event: board\ndata: ${JSON.stringify(view)}\n\n`;
          for (const res of streams) res.write(frame);
        })
        .catch(() => undefined);
    }, 50);
  };
  const keepAlive = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 25_000);
  keepAlive.unref();
  // Open boards would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    clearInterval(keepAlive);
    unsubscribe?.();
    for (const res of streams) res.end();
    streams.clear();
    board.close();
  });

  app.post(
    '/queue/guests',
    {
      config: { access: ['FRONT_OFFICE', 'SUPERVISOR'] },
      schema: {
        tags: ['front office'],
        summary:
          'Write the guest book and give a queue number (A-001 reset, B-001 user ID, C-001 other)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            agency: OptionalNullable(Type.String({ maxLength: 200 })),
            service: literalUnion(services),
            purpose: OptionalNullable(Type.String({ maxLength: 500 })),
            phone: OptionalNullable(Type.String({ maxLength: 30 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            guest: GuestSchema,
            waitingAhead: Type.Integer(),
            estimatedWaitMinutes: Type.Integer(),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request, reply) => {
      const r = await queue.register(request.body, actorOf(request));
      reply.status(201);
      return {
        guest: view(r.entry),
        waitingAhead: r.waitingAhead,
        estimatedWaitMinutes: r.estimatedWaitMinutes,
      };
    },
  );

  app.get(
    '/queue',
    {
      config: { access: DESKS },
      schema: {
        tags: ['front office'],
        summary: "Today's guest book and queue, with waiting counts and estimated waits",
        response: {
          200: Type.Object({
            day: Type.String(),
            services: Type.Array(ServiceQueueSchema),
            guests: Type.Array(GuestSchema),
          }),
          ...errorResponses(),
        },
      },
    },
    async () => {
      const r = await queue.list();
      return { day: r.day, services: r.services, guests: r.entries.map(view) };
    },
  );

  app.post(
    '/queue/call-next',
    {
      config: { access: DESKS },
      schema: {
        tags: ['front office'],
        summary: 'Call the next waiting number to a desk (of one service, or any)',
        body: Type.Object(
          {
            desk: Type.String({ minLength: 1, maxLength: 40 }),
            service: Type.Optional(literalUnion(services)),
          },
          { additionalProperties: false },
        ),
        response: { 200: GuestSchema, ...errorResponses(409) },
      },
    },
    async (request) => view(await queue.callNext(request.body)),
  );

  for (const [action, summary] of [
    ['recall', 'Call the same number again'],
    ['no-show', 'The called guest did not come'],
    ['serve', 'The guest is at the desk: opens the walk-in ticket from the guest book'],
    ['done', 'Finished with this guest'],
  ] as const) {
    app.post(
      `/queue/guests/:id/${action}`,
      {
        config: { access: DESKS },
        schema: {
          tags: ['front office'],
          summary,
          params: IdParamsSchema,
          response: { 200: GuestSchema, ...errorResponses(404, 409) },
        },
      },
      async (request) => {
        const id = request.params.id;
        switch (action) {
          case 'recall':
            return view(await queue.recall(id));
          case 'no-show':
            return view(await queue.noShow(id));
          case 'serve': {
            const principal = request.principal;
            if (!principal) throw new AppError('UNAUTHENTICATED');
            return view(await queue.serve(id, principal, actorOf(request)));
          }
          case 'done':
            return view(await queue.done(id));
        }
      },
    );
  }

  app.get(
    '/queue/board',
    {
      config: { access: 'public' },
      schema: {
        tags: ['front office'],
        summary:
          'The waiting-room board: called numbers and desks, waiting counts; no personal data',
        response: {
          200: Type.Object({
            day: Type.String(),
            called: Type.Array(
              Type.Object({
                queueNumber: Type.String(),
                desk: Type.String(),
                service: literalUnion(services),
                calledAt: Type.String(),
              }),
            ),
            current: Type.Union([
              Type.Object({
                queueNumber: Type.String(),
                desk: Type.String(),
                service: literalUnion(services),
                calledAt: Type.String(),
              }),
              Type.Null(),
            ]),
            services: Type.Array(ServiceQueueSchema),
          }),
          ...errorResponses(),
        },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      return boardView();
    },
  );

  app.get(
    '/queue/board/events',
    {
      config: { access: 'public' },
      schema: {
        tags: ['front office'],
        summary: 'The board, live (server-sent events): a `board` snapshot now and on every change',
        description:
          'A reconnecting board (EventSource does it by itself) gets a full snapshot first, so it resynchronises after a drop.',
        response: { 200: Type.String({ description: 'text/event-stream' }), ...errorResponses() },
      },
    },
    async (request, reply) => {
      if (streams.size >= MAX_STREAMS) throw new AppError('SERVICE_UNAVAILABLE');
      const res = reply.raw;
      // Listen for the close before anything waits: a board gone meanwhile is dropped at once.
      const client = { gone: false };
      request.raw.on('close', () => {
        client.gone = true;
        streams.delete(res);
      });
      const first = JSON.stringify(await boardView());
      reply.hijack();
      if (client.gone || res.destroyed) {
        res.destroy();
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 3000\nevent: board\ndata: ${first}\n\n`);
      streams.add(res);
      unsubscribe ??= board.subscribe(broadcast);
    },
  );
};
