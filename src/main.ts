import { localApiUrl, startBot } from '../bot/run';
import { systemActor } from './audit/audit.service';
import { InternalBotRevoked, rotateInternalBotToken } from './auth/internal-bot';
import { simulatorMode } from './chat-simulator/channel';
import { runMigrations } from './db/migrations';
import { seedDemo } from './demo/demo-seed';
import { RedisUnavailableError } from './infra/redis';
import { describeAdminBootstrap, loadConfigOrExit, openRuntime } from './runtime';
import { publicUrl, startApi } from './server';
import { startWorkers } from './worker';

/**
 * `npm start`: the whole system in one process with embedded defaults, for a newcomer and for a
 * small office. Migrations run here as an explicit step before the API starts; the deployment
 * processes (start:api, start:worker) never migrate on boot.
 */
async function main(): Promise<void> {
  const demo = process.argv.includes('--demo');
  const config = loadConfigOrExit(demo ? { ...process.env, LOKET_DEMO: 'true' } : process.env);
  const say = (line: string) => process.stdout.write(`${line}\n`);

  if (config.LOKET_DEMO && config.NODE_ENV === 'production') {
    process.stderr.write('The demo seed is refused when NODE_ENV=production.\n');
    process.exit(1);
  }

  const runtime = await openRuntime(config, { startRedis: true, log: say });
  const applied = await runMigrations(runtime.dataSource);
  if (applied.length > 0) say(`Applied migrations: ${applied.join(', ')}`);

  const admin = await runtime.container.staff.bootstrapSupervisor(
    config.LOKET_ADMIN_USERNAME,
    config.LOKET_ADMIN_PASSWORD,
  );
  const demoInfo = config.LOKET_DEMO ? await seedDemo(runtime.container, systemActor) : undefined;

  const app = await startApi(runtime);
  const workers = await startWorkers(runtime.container, runtime.redis);
  const base = publicUrl(config, app);

  // The bot, in this process too, talking to the API over HTTP like the separate bot process.
  // Without LOKET_BOT_TOKEN it gets a fresh internal BOT token (the previous start's is revoked).
  const address = app.server.address();
  let token = config.LOKET_BOT_TOKEN;
  if (!token) {
    try {
      token = await rotateInternalBotToken({
        dataSource: runtime.dataSource,
        audit: runtime.container.audit,
        clock: runtime.container.clock,
      });
    } catch (err) {
      if (!(err instanceof InternalBotRevoked)) throw err;
      say(`Loket bot: ${err.message}`);
    }
  }
  const bot = token
    ? await startBot({
        config,
        redis: runtime.redis,
        apiUrl: localApiUrl(
          config.HOST,
          typeof address === 'object' && address ? address.port : config.PORT,
        ),
        token,
        log: say,
      })
    : null;
  const simulator = simulatorMode(config);

  const lines = [
    '',
    'Loket is running.',
    `  API:     ${base}/api`,
    `  Docs:    ${base}/docs`,
    `  Console: ${base}/console/`,
    `  Health:  ${base}/health`,
    `  Queues:  ${base}/admin/queues/ (SUPERVISOR; open it from the console)`,
    simulator === 'off'
      ? '  Chat:    the web chat simulator is off (CHAT_SIMULATOR=off)'
      : `  Chat:    ${base}/console/chat.html (the WhatsApp bot in a browser${simulator === 'staff' ? '; staff only' : ''})`,
    config.WHATSAPP_TRANSPORT === 'web'
      ? `  WhatsApp: whatsapp-web.js; pairing QR for SUPERVISORs at ${base}/console/whatsapp`
      : `  WhatsApp: ${config.WHATSAPP_TRANSPORT === 'cloud' ? 'Cloud API' : 'none (WHATSAPP_TRANSPORT=none)'}`,
    config.SMTP_URL
      ? `  Mail:    sent through ${new URL(config.SMTP_URL).host}`
      : `  Mail:    no SMTP_URL: written as .eml files under ${config.LOKET_DATA_DIR}/mail`,
  ];
  const adminLines = describeAdminBootstrap(admin);
  if (adminLines.length > 0) lines.push('', ...adminLines);
  if (demoInfo) lines.push('', ...demoInfo);
  say(lines.join('\n'));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('Stopping Loket…');
    await bot?.close();
    await app.close();
    await workers.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  if (err instanceof RedisUnavailableError) process.stderr.write(`\n${err.message}\n`);
  else
    process.stderr.write(
      `Loket could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  process.exit(1);
});
