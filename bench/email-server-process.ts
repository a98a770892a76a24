import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config';
import { createContainer } from '../src/container';
import { createDataSource } from '../src/db/data-source';
import { createRedis } from '../src/infra/redis';
import { resolveSecrets } from '../src/shared/secrets';
import { startEmailIntake } from '../src/email/email-workers';
import { startWorkers } from '../src/worker';

/**
 * The receiving side of the `email` bench case, in its own process (pinned to CPU 0 by run.ts),
 * started with argv[2]:
 *   baseline  a plain smtp-server that accepts every message and discards it;
 *   loket     Loket's email intake with EMAIL_INTAKE=smtp (src/email/email-workers.ts): the
 *             listener (which processes what it stored itself) and the inbound-email worker, on
 *             the database and Redis of the environment. The acknowledgements are committed to the outbox with each ticket;
 *             with BENCH_EMAIL_ACKS=1 the whole worker process (src/worker.ts) runs instead, so
 *             the relay and the notification workers also send them (to SMTP_URL).
 * IPC: -> { type: 'listening', port } once it accepts connections; it stops on SIGTERM.
 */
async function main(): Promise<void> {
  const mode = process.argv[2];
  const send = (m: { type: 'listening'; port: number }) => process.send?.(m);
  if (mode === 'baseline') {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      disableReverseLookup: true,
      size: 26_214_400,
      onData(stream, _session, callback) {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          callback();
        });
      },
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
    });
    process.once('SIGTERM', () => {
      server.close(() => process.exit(0));
    });
    return;
  }
  const config = loadConfig({ ...process.env, EMAIL_INTAKE: 'smtp', SMTP_INTAKE_PORT: '0' });
  const dataSource = createDataSource(config.DATABASE_URL ?? '', config.DATABASE_POOL_SIZE);
  await dataSource.initialize();
  const redis = createRedis(config.REDIS_URL);
  const container = createContainer({
    config,
    dataSource,
    redis,
    secrets: resolveSecrets(config),
  });
  const prefix = `${config.REDIS_PREFIX}:bull`;
  let intake;
  let close: () => Promise<void>;
  if (process.env.BENCH_EMAIL_ACKS === '1') {
    const workers = await startWorkers(container, redis);
    intake = workers.emailIntake;
    close = () => workers.close();
  } else {
    const started = await startEmailIntake({
      container,
      connection: redis,
      prefix,
      log: () => undefined,
    });
    intake = started;
    close = async () => {
      await started?.close();
    };
  }
  const port = intake?.smtp?.port;
  if (!port) throw new Error('the SMTP intake did not start');
  send({ type: 'listening', port });
  process.once('SIGTERM', () => {
    void close()
      .then(async () => {
        redis.disconnect();
        await dataSource.destroy();
      })
      .finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
