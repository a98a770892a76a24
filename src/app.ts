import { randomUUID } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import { auditRoutes } from './audit/audit.routes';
import { authRoutes } from './auth/auth.routes';
import { staffRoutes } from './auth/staff.routes';
import type { Container } from './container';
import { healthRoutes } from './health.routes';
import { registerAccessControl, type Access } from './plugins/access';
import { registerErrorHandler } from './plugins/error-handler';
import { registryRoutes } from './registry/registry.routes';
import { reportsRoutes } from './reports/reports.routes';
import { ticketsRoutes } from './tickets/tickets.routes';
import fastifyCookie from '@fastify/cookie';
import { queueBoardRoutes } from './admin/queue-board';
import { botRoutes } from './whatsapp/bot.routes';
import { whatsappWebhookRoutes } from './whatsapp/webhook.routes';
import { whatsappSessionRoutes } from './whatsapp/web-session.routes';
import { chatSimulatorRoutes, type ChatSimulatorLimits } from './chat-simulator/simulator.routes';
import { simulatorMode, simulatorSealer } from './chat-simulator/channel';
import { queueRoutes } from './frontoffice/queue.routes';
import { NotificationSchema, notificationsRoutes } from './notifications/notifications.routes';
import { ErrorBodySchema } from './shared/schemas';
import { consoleRoutes } from './console/console.routes';
import { settingsRoutes } from './offices/settings.routes';
import { inboundEmailRoutes } from './email/inbound.routes';

/** Log paths that may hold credentials or personal data; pino replaces them with [redacted]. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-chat-session"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.initialPassword',
  '*.temporaryPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.secret',
  '*.nik',
  '*.NIK',
  '*.nikEncrypted',
];

/**
 * Errors are logged without what a database driver attaches to them: TypeORM's QueryFailedError
 * carries the statement's parameters (names, phones, sealed NIK) and PostgreSQL's `detail`.
 */
function serializeError(err: FastifyError): {
  type: string;
  message: string;
  stack: string;
  [key: string]: unknown;
} {
  return {
    type: err.name,
    message: err.message,
    code: err.code,
    statusCode: err.statusCode,
    stack: err.stack ?? '',
  };
}

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: serializeError },
  };
}

/**
 * Two validators: request bodies are checked strictly (no type coercion, unknown fields refused);
 * query strings and path parameters arrive as text, so those coerce.
 */
function validatorCompilers() {
  const base = {
    allErrors: false,
    strict: false,
    useDefaults: true,
    removeAdditional: false,
  } as const;
  const strictAjv = addFormats(new Ajv({ ...base, coerceTypes: false }));
  const coercingAjv = addFormats(new Ajv({ ...base, coerceTypes: 'array' }));
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema);
}

export interface BuildAppOptions {
  logger?: FastifyServerOptions['logger'];
  /** The chat simulator's limits, when not its defaults (tests). */
  chatSimulator?: Partial<ChatSimulatorLimits>;
}

export interface RouteInfo {
  method: string;
  url: string;
  access: Access | undefined;
  hasResponseSchema: boolean;
  hidden: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered, for the route-rule test and for operators. */
    routeTable: RouteInfo[];
  }
}

/** Builds the API (routes, docs, console) on a container; never listens. */
export async function buildApp(
  container: Container,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const { config } = container;
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.LOG_LEVEL),
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // A client that stalls mid-upload does not hold a connection (and a half-written file) forever.
    requestTimeout: 120_000,
    connectionTimeout: 130_000,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompilers());
  const routeTable: RouteInfo[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      routeTable.push({
        method,
        url: route.url,
        get access() {
          return route.config?.access;
        },
        hasResponseSchema: route.schema?.response !== undefined,
        hidden: route.schema?.hide === true,
      });
    }
  });
  registerErrorHandler(app, config.UPLOAD_MAX_BYTES);
  app.addSchema(ErrorBodySchema);
  app.addSchema(NotificationSchema);

  await app.register(fastifyJwt, {
    secret: container.secrets.jwtSecret,
    sign: {
      algorithm: 'HS256',
      iss: config.JWT_ISSUER,
      aud: config.JWT_AUDIENCE,
      // @fastify/jwt reads a number as seconds.
      expiresIn: config.ACCESS_TOKEN_TTL_SECONDS,
    },
    verify: {
      algorithms: ['HS256'],
      allowedIss: config.JWT_ISSUER,
      allowedAud: config.JWT_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'iss', 'aud', 'sub', 'sid', 'typ'],
    },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, {
    limits: {
      fileSize: config.UPLOAD_MAX_BYTES,
      files: 1,
      fields: 10,
      fieldSize: 10_000,
      parts: 12,
    },
    throwFileSizeLimit: true,
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Loket API',
        version: '0.1.0',
        description:
          'Helpdesk for account requests (password reset, user ID information). Errors have the shape ' +
          '`{ statusCode, code, message, reqId }`; `code` is stable, `message` is Bahasa Indonesia unless ' +
          '`Accept-Language: en`.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });

  registerAccessControl(app, container.auth);

  // Docs and console assets are public; they are the only routes registered without their own rule.
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), access: 'public' };
    });
    await scope.register(fastifySwaggerUi, { routePrefix: '/docs' });
    await scope.register(consoleRoutes, { prefix: '/console' });
  });

  await app.register(healthRoutes, { dataSource: container.dataSource, redis: container.redis });
  await app.register(authRoutes, {
    prefix: '/api/auth',
    auth: container.auth,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  await app.register(staffRoutes, { prefix: '/api', staff: container.staff });
  await app.register(registryRoutes, {
    prefix: '/api/registry',
    registry: container.registry,
    uploadMaxBytes: config.UPLOAD_MAX_BYTES,
  });
  await app.register(auditRoutes, {
    prefix: '/api/audit-events',
    dataSource: container.dataSource,
  });
  await app.register(ticketsRoutes, {
    prefix: '/api',
    tickets: container.tickets,
    documents: container.documents,
    dataSource: container.dataSource,
  });
  await app.register(notificationsRoutes, {
    prefix: '/api',
    dataSource: container.dataSource,
    notifier: container.notifier,
    audit: container.audit,
    redis: container.redis,
    config,
    clock: container.clock,
  });
  await app.register(whatsappWebhookRoutes, { dataSource: container.dataSource, config });
  await app.register(whatsappSessionRoutes, {
    prefix: '/api',
    redis: container.redis,
    audit: container.audit,
    config,
  });
  const simulator = simulatorMode(config);
  if (simulator !== 'off') {
    await app.register(chatSimulatorRoutes, {
      prefix: '/api',
      redis: container.redis,
      redisPrefix: config.REDIS_PREFIX,
      mode: simulator,
      messagesPerMinute: config.CHAT_SIMULATOR_MESSAGES_PER_MINUTE,
      uploadMaxBytes: config.UPLOAD_MAX_BYTES,
      sealer: simulatorSealer(container.secrets.jwtSecret),
      auth: container.auth,
      ...(options.chatSimulator ? { limits: options.chatSimulator } : {}),
    });
  }
  await app.register(queueRoutes, {
    prefix: '/api',
    queue: container.queue,
    board: container.board,
  });
  await app.register(queueBoardRoutes, {
    redis: container.redis,
    bullPrefix: `${config.REDIS_PREFIX}:bull`,
  });
  await app.register(reportsRoutes, {
    prefix: '/api/reports',
    dataSource: container.dataSource,
    clock: container.clock,
  });
  await app.register(inboundEmailRoutes, {
    prefix: '/api',
    dataSource: container.dataSource,
    audit: container.audit,
  });
  await app.register(settingsRoutes, {
    prefix: '/api',
    dataSource: container.dataSource,
    offices: container.offices,
    audit: container.audit,
  });
  await app.register(botRoutes, {
    prefix: '/api',
    dataSource: container.dataSource,
    inboundKey: container.secrets.whatsappInboundKey,
  });

  return app;
}
