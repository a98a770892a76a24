import { Command, InvalidArgumentError } from 'commander';
import { systemActor, type Actor } from '../audit/audit.service';
import { serviceKinds, staffRoles, type ServiceKind, type StaffRole } from '../auth/roles';
import { diffEntitiesAgainstMigrations, runMigrations, writeMigration } from '../db/migrations';
import { createDataSource } from '../db/data-source';
import { openPostgresServer, withScratchDatabase } from '../db/scratch';
import { seedDemo } from '../demo/demo-seed';
import { join } from 'node:path';
import { loadConfigOrExit, openDatabase, openRuntime, type Runtime } from '../runtime';
import { projectRoot } from '../shared/paths';
import { runRegistryImport } from './registry-import';

/** Admin tasks: `npm run loket -- <command>`. */
const cliActor: Actor = {
  type: 'SYSTEM',
  id: null,
  label: `cli:${process.env.USER ?? 'operator'}`,
};
const say = (line: string) => process.stdout.write(`${line}\n`);

async function withRuntime(fn: (rt: Runtime) => Promise<number | undefined>): Promise<void> {
  const rt = await openRuntime(loadConfigOrExit(), {
    startRedis: false,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  try {
    process.exitCode = (await fn(rt)) ?? 0;
  } finally {
    await rt.close();
  }
}

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (value: string): T => {
    if (!(values as readonly string[]).includes(value))
      throw new InvalidArgumentError(`one of ${values.join(', ')}`);
    return value as T;
  };

/** A server for throw-away databases: the test or main database server when configured, else embedded. */
const scratchServer = () =>
  openPostgresServer(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL);

const program = new Command('loket').description('Loket administration');

program
  .command('migrate')
  .description('Apply pending database migrations')
  .action(async () => {
    const config = loadConfigOrExit();
    const db = await openDatabase(config, (l) => process.stderr.write(`${l}\n`));
    const ds = createDataSource(db.url, 2);
    await ds.initialize();
    try {
      const applied = await runMigrations(ds);
      say(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations.');
    } finally {
      await ds.destroy();
      await db.stop();
    }
  });

program
  .command('migration:generate')
  .argument('<Name>', 'PascalCase name, e.g. AddTickets')
  .description('Write a migration for what the entities changed (computed on a scratch database)')
  .action(async (name: string) => {
    const server = await scratchServer();
    try {
      const diff = await withScratchDatabase(server, diffEntitiesAgainstMigrations);
      if (diff.up.length === 0) {
        say('The entities match the migrations: nothing to generate.');
        return;
      }
      say(
        `Wrote ${writeMigration(join(projectRoot, 'migrations'), name, diff)}; read it, then commit it.`,
      );
    } finally {
      await server.stop();
    }
  });

program
  .command('migration:check')
  .description('Fail when an entity changed without its migration')
  .action(async () => {
    const server = await scratchServer();
    try {
      const diff = await withScratchDatabase(server, diffEntitiesAgainstMigrations);
      if (diff.up.length > 0) {
        process.stderr.write(
          `The entities differ from the migrations. Run npm run db:migration:generate -- <Name>. Missing:\n${diff.up.map((q) => `  ${q}`).join('\n')}\n`,
        );
        process.exitCode = 1;
      } else say('Migrations match the entities.');
    } finally {
      await server.stop();
    }
  });

program
  .command('user:create')
  .description('Create a staff account; prints its one-time password')
  .requiredOption('-u, --username <username>')
  .requiredOption('-n, --name <fullName>')
  .requiredOption('-r, --role <role>', staffRoles.join(' | '), oneOf(staffRoles))
  .option('-e, --email <email>')
  .action((opts: { username: string; name: string; role: StaffRole; email?: string }) =>
    withRuntime(async (rt) => {
      const { user, initialPassword } = await rt.container.staff.create(
        {
          username: opts.username,
          fullName: opts.name,
          role: opts.role,
          email: opts.email ?? null,
        },
        cliActor,
      );
      say(
        `Created ${user.role} ${user.username}. One-time password (change at first login): ${initialPassword}`,
      );
      return 0;
    }),
  );

program
  .command('user:reset-password')
  .argument('<username>')
  .description('Give a staff account a new one-time password and end its sessions')
  .action((username: string) =>
    withRuntime(async (rt) => {
      const user = (await rt.container.staff.list()).find(
        (u) => u.username === username.toLowerCase(),
      );
      if (!user) {
        process.stderr.write(`No staff account ${username}\n`);
        return 1;
      }
      const { temporaryPassword } = await rt.container.staff.resetPassword(user.id, cliActor);
      say(
        `New one-time password for ${user.username} (change at first login): ${temporaryPassword}`,
      );
      return 0;
    }),
  );

program
  .command('service-account:create')
  .description('Create a service account (BOT, INTAKE); prints its API token once')
  .requiredOption('-n, --name <name>')
  .requiredOption('-k, --kind <kind>', serviceKinds.join(' | '), oneOf(serviceKinds))
  .action((opts: { name: string; kind: ServiceKind }) =>
    withRuntime(async (rt) => {
      const { account, token } = await rt.container.staff.createServiceAccount(opts, cliActor);
      say(`Created ${account.kind} service account ${account.name}. Token (shown once): ${token}`);
      return 0;
    }),
  );

program
  .command('registry:import')
  .argument('<file>', 'CSV file (UTF-8)')
  .description(
    'Import registration data from a CSV file, with a progress bar and a per-row error report',
  )
  .action((file: string) =>
    withRuntime((rt) => runRegistryImport(rt.container.registry, file, cliActor)),
  );

program
  .command('seed:demo')
  .description(
    'Load the demo seed: one staff account per role, a BOT token, a sample registry (refused in production)',
  )
  .action(() =>
    withRuntime(async (rt) => {
      say((await seedDemo(rt.container, systemActor)).join('\n'));
      return 0;
    }),
  );

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
