import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { Config } from './config';
import { describeAdminBootstrap, runProcess, type Runtime } from './runtime';

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

/**
 * Deployments (start:api): on a database without any SUPERVISOR, create the first one and print
 * its one-time password once to this process's output, as npm start does.
 */
async function startApiWithBootstrap(runtime: Runtime): Promise<FastifyInstance> {
  const { config } = runtime;
  const admin = await runtime.container.staff.bootstrapSupervisor(
    config.LOKET_ADMIN_USERNAME,
    config.LOKET_ADMIN_PASSWORD,
  );
  for (const line of describeAdminBootstrap(admin)) process.stdout.write(`${line}\n`);
  return startApi(runtime);
}

if (require.main === module) runProcess('api', startApiWithBootstrap);
