import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { Config } from './config';
import { loadConfigOrExit, openRuntime, type Runtime } from './runtime';

export async function startApi(runtime: Runtime): Promise<FastifyInstance> {
  const app = await buildApp(runtime.container);
  await app.listen({ host: runtime.config.HOST, port: runtime.config.PORT });
  return app;
}

export function publicUrl(config: Config, app: FastifyInstance): string {
  if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/$/, '');
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  return `http://${host}:${port}`;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const runtime = await openRuntime(config, {
    startRedis: false,
    log: (l) => process.stdout.write(`${l}\n`),
  });
  const app = await startApi(runtime);
  const stop = async () => {
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
