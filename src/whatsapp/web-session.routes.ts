import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import QRCode from 'qrcode';
import type { AuditService } from '../audit/audit.service';
import type { Config } from '../config';
import { actorOf } from '../plugins/access';
import { EmptyBodySchema, errorResponses, noBodyIsEmpty } from '../shared/schemas';
import { readWebSessionStatus, webSessionKeys } from './web-session';

/**
 * The whatsapp-web.js session for SUPERVISORs: its state and, while a phone must be linked, the
 * pairing QR as SVG (page: /console/whatsapp). Only SUPERVISOR: scanning that QR links a
 * phone to the bot.
 */
export const whatsappSessionRoutes: FastifyPluginAsyncTypebox<{
  redis: Redis;
  audit: AuditService;
  config: Pick<Config, 'REDIS_PREFIX' | 'WHATSAPP_TRANSPORT'>;
}> = async (app, { redis, audit, config }) => {
  const prefix = config.REDIS_PREFIX;
  app.get(
    '/whatsapp/session',
    {
      config: { access: ['SUPERVISOR'] },
      schema: {
        tags: ['whatsapp'],
        summary: 'The whatsapp-web.js session: state and, when pairing is needed, the QR to scan',
        description:
          'state: offline (no bot holds the session), standby, starting, needs_pairing, authenticated, ready, disconnected, stopped.',
        response: {
          200: Type.Object({
            transport: Type.String(),
            state: Type.String(),
            reason: Type.Union([Type.String(), Type.Null()]),
            updatedAt: Type.Union([Type.String(), Type.Null()]),
            qrSvg: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(),
        },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      const status = await readWebSessionStatus(redis, prefix);
      const qrSvg =
        status?.state === 'needs_pairing' && status.qr
          ? await QRCode.toString(status.qr, { type: 'svg', margin: 2, errorCorrectionLevel: 'L' })
          : null;
      return {
        transport: config.WHATSAPP_TRANSPORT,
        state: status?.state ?? 'offline',
        reason: status?.reason ?? null,
        updatedAt: status?.updatedAt ?? null,
        qrSvg,
      };
    },
  );

  app.post(
    '/whatsapp/session/pair',
    {
      config: { access: ['SUPERVISOR'] },
      preValidation: noBodyIsEmpty,
      schema: {
        tags: ['whatsapp'],
        summary:
          'Ask the bot for a fresh pairing QR (after a LOGOUT, or when the QR ran out of retries)',
        body: EmptyBodySchema,
        response: { 202: Type.Object({ requested: Type.Boolean() }), ...errorResponses() },
      },
    },
    async (request, reply) => {
      await redis.set(webSessionKeys(prefix).pairRequest, '1', 'EX', 600);
      await audit.record(actorOf(request), {
        action: 'whatsapp.pairing_requested',
        targetType: 'whatsapp_session',
      });
      return reply.status(202).send({ requested: true });
    },
  );
};
