import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * Every environment variable Loket reads, in one schema. `loadConfig` parses it once per process;
 * a bad or missing value stops the process with a list of every problem.
 * Keep `.env.example` and `docker-compose.yml` in step (a test checks both).
 */
const Bool = (defaultValue: boolean, description: string) =>
  Type.Boolean({ default: defaultValue, description });
const Int = (defaultValue: number, min: number, max: number, description: string) =>
  Type.Integer({ default: defaultValue, minimum: min, maximum: max, description });
const Str = (description: string, extra: Record<string, unknown> = {}) =>
  Type.String({ description, ...extra });

export const ConfigSchema = Type.Object(
  {
    NODE_ENV: Type.Union(
      [Type.Literal('development'), Type.Literal('production'), Type.Literal('test')],
      {
        default: 'development',
        description: 'development | production | test',
      },
    ),
    HOST: Str('Address the API listens on', { default: '127.0.0.1' }),
    PORT: Int(3000, 0, 65535, 'Port the API listens on'),
    PUBLIC_URL: Type.Optional(
      Str('Public base URL of the API, e.g. https://loket.example.go.id', {
        pattern: '^https?://[^\\s]+$',
      }),
    ),
    TRUST_PROXY: Bool(
      false,
      'Trust X-Forwarded-* from a reverse proxy (needed for per-IP throttling behind one)',
    ),
    LOG_LEVEL: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info', description: 'pino log level' },
    ),
    LOKET_DATA_DIR: Str(
      'Directory for embedded PostgreSQL data, generated dev keys, mail files and uploads',
      {
        default: './.loket',
      },
    ),

    DATABASE_URL: Type.Optional(
      Str('PostgreSQL URL; unset: an embedded PostgreSQL under LOKET_DATA_DIR/pg', {
        pattern: '^postgres(ql)?://',
      }),
    ),
    DATABASE_POOL_SIZE: Int(10, 1, 200, 'PostgreSQL connection pool size per process'),
    EMBEDDED_PG_PORT: Int(
      54329,
      1,
      65535,
      'Port of the embedded PostgreSQL (only when DATABASE_URL is unset)',
    ),

    REDIS_URL: Str('Redis URL (BullMQ, login throttling)', {
      default: 'redis://127.0.0.1:6379',
      pattern: '^rediss?://',
    }),
    REDIS_PREFIX: Str('Prefix of every Redis key Loket writes', {
      default: 'loket',
      pattern: '^[a-zA-Z0-9_-]+$',
    }),
    REDIS_AUTOSTART: Bool(
      true,
      'npm start only: start redis-server as a child process when nothing answers at REDIS_URL',
    ),

    JWT_SECRET: Type.Optional(
      Str(
        'HS256 secret for access tokens, at least 32 characters; generated under LOKET_DATA_DIR outside production',
        {
          minLength: 32,
        },
      ),
    ),
    JWT_ISSUER: Str('iss claim of access tokens', { default: 'loket' }),
    JWT_AUDIENCE: Str('aud claim of access tokens', { default: 'loket-api' }),
    ACCESS_TOKEN_TTL_SECONDS: Int(900, 60, 3600, 'Lifetime of an access token'),
    REFRESH_TOKEN_IDLE_SECONDS: Int(
      1800,
      60,
      86400,
      'A refresh token unused this long expires (idle timeout)',
    ),
    REFRESH_TOKEN_ABSOLUTE_SECONDS: Int(
      43200,
      300,
      604800,
      'A login session ends this long after login (absolute timeout)',
    ),

    LOKET_ENCRYPTION_KEY: Type.Optional(
      Str(
        'AES-256-GCM key for personal data (NIK), 32 bytes as base64 or 64 hex chars; generated outside production',
      ),
    ),
    LOKET_HASH_KEY: Type.Optional(
      Str(
        'HMAC-SHA256 key for looking up personal data by keyed hash, at least 32 bytes (base64 or hex); generated outside production',
      ),
    ),

    PASSWORD_MIN_LENGTH: Int(12, 8, 128, 'Minimum staff password length'),
    PASSWORD_REQUIRE_CHARACTER_CLASSES: Bool(
      false,
      'Require upper case, lower case, digit and symbol (seed 002 policy); off by default, as ASVS 5 advises',
    ),
    PASSWORD_HISTORY: Int(
      3,
      0,
      24,
      'A new password may not repeat any of the last N passwords (seed 000: 3)',
    ),
    PASSWORD_MAX_AGE_DAYS: Int(
      0,
      0,
      3650,
      'Force a change after N days (seed 000: 90); 0 disables periodic change',
    ),
    LOGIN_MAX_FAILURES_PER_ACCOUNT: Int(
      10,
      1,
      100,
      'Failed logins on one account from one IP within the window before throttling (from all IPs together: 5 times this)',
    ),
    LOGIN_MAX_FAILURES_PER_IP: Int(
      50,
      1,
      10000,
      'Failed logins per client IP within the window before throttling',
    ),
    LOGIN_FAILURE_WINDOW_SECONDS: Int(900, 10, 86400, 'Window of the failed-login counters'),

    LOKET_ADMIN_USERNAME: Str('Username of the first SUPERVISOR account', {
      default: 'admin',
      pattern: '^[a-z0-9._-]{3,64}$',
    }),
    LOKET_ADMIN_PASSWORD: Type.Optional(
      Str('Password of the first SUPERVISOR; unset: a one-time password is printed once'),
    ),
    LOKET_DEMO: Bool(
      false,
      'Load the demo seed (sample registry, one staff account per role); refused in production',
    ),

    SMTP_URL: Type.Optional(
      Str(
        'SMTP URL for outgoing mail; required in production; unset elsewhere: .eml files under LOKET_DATA_DIR/mail',
        {
          pattern: '^smtps?://',
        },
      ),
    ),
    MAIL_FROM: Str('From address of outgoing mail', {
      default: 'Loket Helpdesk <helpdesk@loket.localhost>',
    }),

    SMTP_POOL_SIZE: Int(5, 1, 50, 'Pooled SMTP connections per worker process'),
    MAIL_REPLY_ADDRESS: Type.Optional(
      Str(
        'Mailbox replies go to (the email intake); each notice uses a per-ticket plus address of it. Unset: the address of MAIL_FROM',
      ),
    ),
    NOTIFY_ATTEMPTS: Int(8, 1, 50, 'Send attempts of a notice before it is dead'),
    NOTIFY_RETRY_DELAY_MS: Int(
      30_000,
      10,
      3_600_000,
      'First retry delay of a failed send; doubles each attempt (8 attempts from 30 s: about 2 hours)',
    ),
    NOTIFY_CONCURRENCY: Int(8, 1, 100, 'Notices a worker process sends at once'),
    NOTIFY_LEASE_SECONDS: Int(
      120,
      2,
      3600,
      'How long a worker holds a notice it is sending; a crashed worker releases it after this',
    ),
    NOTIFY_SWEEP_AFTER_SECONDS: Int(
      600,
      1,
      86_400,
      'A notice or outbox row stuck this long (e.g. Redis lost its data) is queued again',
    ),
    WHATSAPP_WEBHOOK_RETENTION_DAYS: Int(
      30,
      1,
      3650,
      'Days a received Cloud API webhook (raw payload: numbers and message text) is kept once handed on',
    ),
    EMAIL_UNROUTED_RETENTION_DAYS: Int(
      30,
      1,
      3650,
      'Days the raw copy of a mail that made no ticket (bounce, automatic reply, loop, malformed) is kept',
    ),
    WORKER_LOCK_SECONDS: Int(
      30,
      2,
      600,
      'BullMQ job lock; a job of a worker that died is retried after about this long',
    ),

    WHATSAPP_TRANSPORT: Type.Union(
      [Type.Literal('none'), Type.Literal('cloud'), Type.Literal('web')],
      {
        default: 'none',
        description:
          'How the bot reaches WhatsApp: none (notices wait in the queue) | cloud (WhatsApp Business Cloud API) | web (a linked phone through whatsapp-web.js)',
      },
    ),
    WHATSAPP_CLOUD_BASE_URL: Str('Graph API base URL (a local server in tests and staging)', {
      default: 'https://graph.facebook.com',
      pattern: '^https?://[^\\s]+$',
    }),
    WHATSAPP_CLOUD_API_VERSION: Str('Graph API version in the path', {
      default: 'v23.0',
      pattern: '^v[0-9]+\\.[0-9]+$',
    }),
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: Type.Optional(
      Str('Cloud API phone-number id the bot sends from (required with WHATSAPP_TRANSPORT=cloud)', {
        pattern: '^[0-9]{5,30}$',
      }),
    ),
    WHATSAPP_CLOUD_TOKEN: Type.Optional(
      Str('Cloud API access token (system user); required with WHATSAPP_TRANSPORT=cloud'),
    ),
    WHATSAPP_CLOUD_APP_SECRET: Type.Optional(
      Str('Meta app secret: webhooks must carry its X-Hub-Signature-256 (unset: webhooks refused)'),
    ),
    WHATSAPP_CLOUD_VERIFY_TOKEN: Type.Optional(
      Str('Verify token of the webhook subscription handshake (unset: handshake refused)'),
    ),
    WHATSAPP_WEB_CHROMIUM_PATH: Str('Chromium the whatsapp-web.js transport drives', {
      default: '/usr/bin/chromium',
    }),
    WHATSAPP_WEB_CLIENT_ID: Str(
      'Name of the whatsapp-web.js session (LocalAuth) under LOKET_DATA_DIR/whatsapp-web',
      { default: 'loket', pattern: '^[-_A-Za-z0-9]{1,64}$' },
    ),
    WHATSAPP_WEB_CHAT_GAP_MS: Int(
      2000,
      0,
      60_000,
      'whatsapp-web.js: least time between two messages to the same chat',
    ),
    WHATSAPP_WEB_SENDS_PER_MINUTE: Int(
      30,
      1,
      600,
      'whatsapp-web.js: most messages sent per minute to all chats together',
    ),
    WHATSAPP_WEB_LOCK_SECONDS: Int(
      30,
      5,
      600,
      'whatsapp-web.js: the session lock (one bot instance holds it); another instance takes over this long after the holder dies',
    ),
    CHAT_SIMULATOR: Type.Optional(
      Type.Union([Type.Literal('off'), Type.Literal('staff'), Type.Literal('public')], {
        description:
          'The web chat simulator (/console/chat.html): off | staff (signed-in staff only) | public (anyone: a demo). Unset: public outside production, off in production',
      }),
    ),
    CHAT_SIMULATOR_MESSAGES_PER_MINUTE: Int(
      30,
      1,
      1000,
      'Messages and files one simulator session may send per minute',
    ),
    LOKET_API_URL: Type.Optional(
      Str("Loket's API as the bot reaches it; unset: http://127.0.0.1:PORT", {
        pattern: '^https?://[^\\s]+$',
      }),
    ),
    LOKET_BOT_TOKEN: Type.Optional(
      Str(
        'The BOT service-account token the bot calls the API with (npm run loket -- service-account:create -k BOT)',
        {
          pattern: '^lks_',
        },
      ),
    ),

    BODY_LIMIT_BYTES: Int(1_048_576, 1024, 104_857_600, 'Largest JSON body the API accepts'),
    UPLOAD_MAX_BYTES: Int(
      10_485_760,
      1024,
      1_073_741_824,
      'Largest uploaded file (documents, CSV imports)',
    ),
    TEMP_SECRET_TTL_MINUTES: Int(
      1440,
      5,
      10080,
      'How long a temporary password waits, sealed, for its notice before it expires',
    ),
    DOCUMENTS_DIR: Type.Optional(
      Str('Where uploaded documents are stored; unset: LOKET_DATA_DIR/documents'),
    ),
    REGISTRY_IMPORT_BATCH_SIZE: Int(
      1000,
      1,
      10000,
      'Rows per transaction when importing the registry',
    ),
    OFFICE_TIMEZONE: Str(
      'IANA time zone of the office (Asia/Jakarta = WIB, Asia/Makassar = WITA, Asia/Jayapura = WIT)',
      {
        default: 'Asia/Jakarta',
      },
    ),
    BOT_IDLE_MINUTES: Int(
      30,
      1,
      1440,
      'A WhatsApp conversation idle this long is forgotten (data not yet sent deleted); the next message gets a notice',
    ),
    BOT_FLOOD_LIMIT: Int(
      10,
      2,
      1000,
      'Messages per chat in 10 seconds the bot answers; beyond it they are still processed in order but answered once',
    ),

    EMAIL_INTAKE: Type.Optional(
      Type.Union(
        [Type.Literal('off'), Type.Literal('smtp'), Type.Literal('imap'), Type.Literal('both')],
        {
          description:
            'Email intake: off | smtp (listener) | imap (poll a mailbox) | both. Unset: smtp in development (127.0.0.1 only), off otherwise',
        },
      ),
    ),
    SMTP_INTAKE_HOST: Str('Address the SMTP intake listens on', { default: '127.0.0.1' }),
    SMTP_INTAKE_PORT: Int(2525, 0, 65535, 'Port of the SMTP intake listener'),
    SMTP_INTAKE_RECIPIENTS: Type.Optional(
      Str(
        'Comma-separated addresses the SMTP intake accepts mail for (their +tag forms too); every other recipient is refused. Unset: the reply mailbox (MAIL_REPLY_ADDRESS, else MAIL_FROM)',
      ),
    ),
    SMTP_INTAKE_MAX_BYTES: Int(
      26_214_400,
      1024,
      104_857_600,
      'Largest message the SMTP and IMAP intake accept (SMTP refuses bigger ones with 552)',
    ),
    SMTP_INTAKE_MAX_RECIPIENTS: Int(50, 1, 1000, 'Recipients per message the SMTP intake takes'),
    SMTP_INTAKE_TLS_KEY: Type.Optional(
      Str('PEM private key file: enables STARTTLS on the SMTP intake (with SMTP_INTAKE_TLS_CERT)'),
    ),
    SMTP_INTAKE_TLS_CERT: Type.Optional(Str('PEM certificate file for SMTP intake STARTTLS')),
    SMTP_INTAKE_AUTH_USER: Type.Optional(
      Str(
        'When set, the SMTP intake requires AUTH (PLAIN/LOGIN) with this user; only after STARTTLS unless NODE_ENV is not production',
      ),
    ),
    SMTP_INTAKE_AUTH_PASSWORD: Type.Optional(Str('Password for SMTP_INTAKE_AUTH_USER')),
    IMAP_URL: Type.Optional(
      Str('IMAP server of the intake mailbox, e.g. imaps://mail.example.go.id:993', {
        pattern: '^imaps?://[^\\s]+$',
      }),
    ),
    IMAP_USER: Type.Optional(Str('IMAP user of the intake mailbox')),
    IMAP_PASSWORD: Type.Optional(Str('IMAP password of the intake mailbox')),
    IMAP_MAILBOX: Str('Mailbox the IMAP intake reads', { default: 'INBOX' }),
    IMAP_PROCESSED_MAILBOX: Type.Optional(
      Str('Where stored mail is moved; unset: it stays and is flagged \\Seen'),
    ),
    IMAP_POLL_SECONDS: Int(60, 5, 86_400, 'How often the IMAP intake polls the mailbox'),
    EMAIL_INTAKE_CONCURRENCY: Int(
      8,
      1,
      100,
      'Stored mails a worker process turns into tickets at once (most of a mail is I/O waits)',
    ),
    EMAIL_ACK_LIMIT_PER_HOUR: Int(
      5,
      0,
      1000,
      'Acknowledgements per sender address per hour; beyond it tickets are still opened, silently',
    ),
  },
  { additionalProperties: true },
);

export type Config = Static<typeof ConfigSchema>;
export const configKeys = Object.keys(ConfigSchema.properties) as (keyof Config)[];

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of configKeys) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const problems = [...Value.Errors(ConfigSchema, converted)].map((e) => {
    const key = e.path.replace(/^\//, '') || '(root)';
    const schema = (ConfigSchema.properties as Record<string, TSchema | undefined>)[key];
    const hint = schema?.description ? ` (${schema.description})` : '';
    return `${key}: ${e.message}${hint}`;
  });
  const config = converted as Config;
  if (config.NODE_ENV === 'production') {
    for (const key of [
      'DATABASE_URL',
      'JWT_SECRET',
      'LOKET_ENCRYPTION_KEY',
      'LOKET_HASH_KEY',
      // Without it mail would only be written to .eml files (with temporary passwords in them).
      'SMTP_URL',
    ] as const) {
      if (config[key] === undefined) problems.push(`${key}: required when NODE_ENV=production`);
    }
  }
  const intake = config.EMAIL_INTAKE;
  if ((intake === 'imap' || intake === 'both') && (!config.IMAP_URL || !config.IMAP_USER))
    problems.push('IMAP_URL, IMAP_USER: required when EMAIL_INTAKE reads IMAP');
  if (Boolean(config.SMTP_INTAKE_TLS_KEY) !== Boolean(config.SMTP_INTAKE_TLS_CERT))
    problems.push('SMTP_INTAKE_TLS_KEY, SMTP_INTAKE_TLS_CERT: set both or neither');
  if (Boolean(config.SMTP_INTAKE_AUTH_USER) !== Boolean(config.SMTP_INTAKE_AUTH_PASSWORD))
    problems.push('SMTP_INTAKE_AUTH_USER, SMTP_INTAKE_AUTH_PASSWORD: set both or neither');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
