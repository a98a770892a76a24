import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigSchema, configKeys, loadConfig } from '../../src/config';

/**
 * Keeps the deployment files (docker-compose.yml, .env.example, Dockerfile) in step with the one
 * config schema (src/config.ts) and with package.json's entry points.
 */

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

type EnvValue = string | number | boolean | null;
interface ComposeService {
  image?: string;
  command?: string | string[];
  environment?: Record<string, EnvValue> | string[];
  env_file?: string | (string | { path: string; required?: boolean })[];
  depends_on?: string[] | Record<string, { condition?: string } | null>;
  restart?: string;
  volumes?: (string | { source?: string; target: string })[];
}
interface ComposeFile {
  services?: Record<string, ComposeService | undefined>;
  volumes?: Record<string, unknown>;
}

const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = compose.services ?? {};
const service = (name: string): ComposeService => services[name] ?? {};

const loketServices = ['migrate', 'api', 'worker', 'bot'];
const knownKeys = new Set<string>(configKeys);
const secretKeys = ['JWT_SECRET', 'LOKET_ENCRYPTION_KEY', 'LOKET_HASH_KEY'];

/** A service's environment as KEY -> raw value (undefined: passed through from the host). */
function environmentOf(name: string): Record<string, EnvValue | undefined> {
  const env = service(name).environment;
  if (env === undefined) return {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(
    env.map((entry) => {
      const eq = entry.indexOf('=');
      return eq === -1 ? [entry, undefined] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }),
  );
}

const commandOf = (name: string): string[] => {
  const command = service(name).command;
  return typeof command === 'string' ? command.trim().split(/\s+/) : (command ?? []);
};

const dependsOn = (name: string, on: string): string | undefined => {
  const deps = service(name).depends_on;
  if (deps === undefined) return undefined;
  if (Array.isArray(deps)) return deps.includes(on) ? 'service_started' : undefined;
  if (!(on in deps)) return undefined;
  return deps[on]?.condition ?? 'service_started';
};

// Compose interpolation: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error},
// ${VAR:+alternative}, ${VAR+alternative} and $VAR.
const interpolationPattern = /\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_]\w*)/g;
const requiredInterpolation = /^\$\{([A-Za-z_]\w*):?\?[^}]*\}$/;

/** Substitutes like `docker compose` does with `vars` as its .env; a required variable that is unset throws. */
function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(
    interpolationPattern,
    (
      match: string,
      braced: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
    ) => {
      if (match === '$$') return '$';
      const name = braced ?? bare ?? '';
      const value = vars[name];
      const unset = value === undefined || (op?.startsWith(':') === true && value === '');
      const kind = op?.at(-1);
      if (kind === '-') return unset ? (arg ?? '') : value;
      if (kind === '+') return unset ? '' : (arg ?? '');
      if (unset) {
        throw new Error(
          kind === '?'
            ? `docker compose would refuse to start: ${name}: ${arg ?? ''}`
            : `${match} has neither a default (:-) nor a required marker (:?)`,
        );
      }
      return value;
    },
  );
}

/** Every variable docker-compose.yml interpolates (from .env or the shell). */
const composeVariables = new Set(
  [...composeText.matchAll(interpolationPattern)]
    .map((m) => m[1] ?? m[4])
    .filter((name): name is string => name !== undefined),
);

/** What an operator's .env holds after following .env.example's generation hints. */
const sampleDotEnv: Record<string, string> = {
  POSTGRES_PASSWORD: randomBytes(32).toString('hex'),
  JWT_SECRET: randomBytes(32).toString('base64'),
  LOKET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  LOKET_HASH_KEY: randomBytes(32).toString('base64'),
};

const resolvedEnvironment = (name: string): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.entries(environmentOf(name)).map(([key, value]) => [
      key,
      value === undefined || value === null ? undefined : interpolate(String(value), sampleDotEnv),
    ]),
  );

const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

describe('docker-compose.yml', () => {
  it('has the infrastructure and every Loket process', () => {
    const expected = ['postgres', 'redis', 'mailpit', ...loketServices];
    expect(expected.filter((name) => services[name] === undefined)).toEqual([]);
  });

  it('sets only keys of the config schema on the Loket services, as strings', () => {
    const unknown: string[] = [];
    const notStrings: string[] = [];
    for (const name of loketServices) {
      const env = environmentOf(name);
      expect(Object.keys(env).length).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(env)) {
        if (!knownKeys.has(key)) unknown.push(`${name}: ${key}`);
        if (typeof value === 'boolean') notStrings.push(`${name}: ${key} (quote it)`);
      }
    }
    expect(unknown).toEqual([]);
    expect(notStrings).toEqual([]);
  });

  it('reads no env_file but .env on the Loket services', () => {
    const others = loketServices.flatMap((name) => {
      const envFile = service(name).env_file;
      const files = envFile === undefined ? [] : Array.isArray(envFile) ? envFile : [envFile];
      return files
        .map((f) => (typeof f === 'string' ? f : f.path))
        .filter((path) => path !== '.env')
        .map((path) => `${name}: ${path}`);
    });
    expect(others).toEqual([]);
  });

  it('runs the migrate CLI once, before the API and the workers start', () => {
    expect(commandOf('migrate')).toEqual(['node', 'dist/src/cli/index.js', 'migrate']);
    expect(service('migrate').restart).toBe('no');
    expect(dependsOn('migrate', 'postgres')).toBe('service_healthy');
    for (const name of ['api', 'worker']) {
      expect({ name, migrate: dependsOn(name, 'migrate') }).toEqual({
        name,
        migrate: 'service_completed_successfully',
      });
      expect({ name, redis: dependsOn(name, 'redis') }).toEqual({ name, redis: 'service_healthy' });
    }
  });

  it("runs package.json's entry points, all from one image", () => {
    expect(commandOf('api').join(' ')).toBe(scripts['start:api']);
    expect(commandOf('worker').join(' ')).toBe(scripts['start:worker']);
    expect(commandOf('bot').join(' ')).toBe(scripts['start:bot']);
    const images = new Set(loketServices.map((name) => service(name).image));
    expect([...images]).toHaveLength(1);
    expect([...images][0]).toEqual(expect.any(String));
  });

  it('gives every variable it reads a default (${VAR:-x}) or a message when unset (${VAR:?why})', () => {
    const loose = [...composeText.matchAll(interpolationPattern)]
      .filter((m) => m[0] !== '$$' && (m[2] === undefined || m[2].endsWith('+')))
      .map((m) => m[0]);
    expect(loose).toEqual([]);
  });

  it('keeps every Redis key (BullMQ): append-only, never evicting', () => {
    const command = commandOf('redis').join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
  });

  it('keeps LOKET_DATA_DIR on volumes: one shared by the API and workers, one for the bot session', () => {
    const dataVolume = (name: string) => {
      const dir = resolvedEnvironment(name).LOKET_DATA_DIR;
      const mounts = (service(name).volumes ?? []).map((v) =>
        typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v,
      );
      return mounts.find((m) => m.target === dir)?.source;
    };
    const declared = Object.keys(compose.volumes ?? {});
    expect(declared).toContain(dataVolume('api'));
    expect(dataVolume('worker')).toBe(dataVolume('api'));
    expect(declared).toContain(dataVolume('bot'));
    expect(dataVolume('bot')).not.toBe(dataVolume('api'));
  });

  it('holds no literal secret: each comes from .env as a required ${VAR:?message}', () => {
    const problems: string[] = [];
    for (const name of loketServices) {
      const env = environmentOf(name);
      for (const key of secretKeys) {
        const value = env[key];
        if (typeof value !== 'string' || !requiredInterpolation.test(value)) {
          problems.push(`${name}: ${key}=${String(value)}`);
        }
      }
    }
    // Any other secret-like variable on any service: a whole ${...} without a non-empty default.
    for (const name of Object.keys(services)) {
      for (const [key, value] of Object.entries(environmentOf(name))) {
        if (!/PASSWORD|SECRET|TOKEN|_KEY$/.test(key) || value === undefined || value === null)
          continue;
        if (!/^\$\{[A-Za-z_]\w*(?:(?::?\?[^}]*)|:?-)?\}$/.test(String(value))) {
          problems.push(`${name}: ${key}=${String(value)}`);
        }
      }
    }
    const postgresPassword = String(environmentOf('postgres').POSTGRES_PASSWORD);
    if (!requiredInterpolation.test(postgresPassword)) {
      problems.push(`postgres: POSTGRES_PASSWORD=${postgresPassword}`);
    }
    const postgresVariable = requiredInterpolation.exec(postgresPassword)?.[1];
    for (const name of loketServices) {
      const url = String(environmentOf(name).DATABASE_URL);
      const password =
        /^postgres(?:ql)?:\/\/(?:\$\{[^}]*\}|[^:/@$])*:(\$\{[^}]*\}|[^@]*)@/.exec(url)?.[1] ?? '';
      const variable = requiredInterpolation.exec(password)?.[1];
      if (variable === undefined || variable !== postgresVariable) {
        problems.push(`${name}: DATABASE_URL password is not the postgres service's: ${url}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(loketServices)(
    'gives %s a production environment that loadConfig accepts (secrets from a sample .env)',
    (name) => {
      const env = resolvedEnvironment(name);
      const config = loadConfig(env);
      expect(config.NODE_ENV).toBe('production');

      const postgres = Object.fromEntries(
        Object.entries(environmentOf('postgres')).map(([k, v]) => [
          k,
          interpolate(String(v), sampleDotEnv),
        ]),
      );
      const db = new URL(config.DATABASE_URL ?? '');
      expect({
        host: db.hostname,
        user: decodeURIComponent(db.username),
        password: decodeURIComponent(db.password),
        database: db.pathname.slice(1),
      }).toEqual({
        host: 'postgres',
        user: postgres.POSTGRES_USER,
        password: sampleDotEnv.POSTGRES_PASSWORD,
        database: postgres.POSTGRES_DB,
      });
      expect(new URL(config.REDIS_URL).hostname).toBe('redis');
      expect(new URL(config.SMTP_URL ?? '').host).toBe('mailpit:1025');
      expect(config.HOST).toBe('0.0.0.0');
    },
  );
});

describe('.env.example', () => {
  const lines = read('.env.example').split(/\r?\n/);
  const entries = lines
    .map((line) => /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ key: m[2] ?? '', commented: m[1] !== undefined, value: m[3] ?? '' }));
  const documented = new Set(entries.map((e) => e.key));

  it('names every key of the config schema', () => {
    expect(configKeys.filter((key) => !documented.has(key))).toEqual([]);
  });

  it('names no key that neither the config schema nor docker-compose.yml reads', () => {
    const extra = [...documented].filter(
      (key) => !knownKeys.has(key) && !composeVariables.has(key),
    );
    expect(extra).toEqual([]);
  });

  it('documents every variable docker-compose.yml reads', () => {
    expect([...composeVariables].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('names each key once', () => {
    const keys = entries.map((e) => e.key);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  it("shows each schema default as '# KEY=default'", () => {
    const properties = ConfigSchema.properties as Record<
      string,
      { default?: string | number | boolean }
    >;
    const wrong = configKeys.flatMap((key) => {
      const fallback = properties[key]?.default;
      if (fallback === undefined) return [];
      const line = `# ${key}=${String(fallback)}`;
      return lines.includes(line) ? [] : [line];
    });
    expect(wrong).toEqual([]);
  });

  it('has an empty placeholder, never a value, for each secret', () => {
    const placeholders = [...secretKeys, 'POSTGRES_PASSWORD'].map((key) =>
      entries.find((e) => e.key === key),
    );
    expect(placeholders).toEqual(
      [...secretKeys, 'POSTGRES_PASSWORD'].map((key) => ({ key, commented: false, value: '' })),
    );
  });
});

describe('Dockerfile', () => {
  const instructions = read('Dockerfile')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: string[][] = [];
  for (const line of instructions) {
    if (/^FROM\s/i.test(line)) stages.push([line]);
    else stages.at(-1)?.push(line);
  }
  const runtime = stages.at(-1) ?? [];

  it('builds in one stage and runs in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
  });

  it('never downloads a browser when installing dependencies', () => {
    const build = stages.find((stage) => stage.some((l) => /^RUN\s.*\bnpm ci\b/i.test(l))) ?? [];
    const install = build.findIndex((l) => /^RUN\s.*\bnpm ci\b/i.test(l));
    expect(install).toBeGreaterThan(0);
    const skip = /\bPUPPETEER_SKIP_DOWNLOAD[= ]\s*["']?(true|1)\b/;
    expect(
      build.slice(0, install + 1).some((l) => /^(ENV|ARG|RUN)\s/i.test(l) && skip.test(l)),
    ).toBe(true);
  });

  it('runs as a user other than root', () => {
    const users = runtime.filter((l) => /^USER\s/i.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('starts the API in production mode by default, with a health check', () => {
    expect(runtime.some((l) => /^ENV\s.*\bNODE_ENV[= ]production\b/.test(l))).toBe(true);
    const cmd = runtime.filter((l) => /^CMD\s/.test(l)).at(-1) ?? '';
    expect((JSON.parse(cmd.replace(/^CMD\s+/, '')) as string[]).join(' ')).toBe(
      scripts['start:api'],
    );
    expect(runtime.some((l) => /^HEALTHCHECK\s.*\/health\b/.test(l))).toBe(true);
  });

  it('ships what the processes read at run time', () => {
    const copied = runtime.filter((l) => /^COPY\s/i.test(l)).join('\n');
    const missing = [
      'dist',
      'node_modules',
      'templates',
      'package.json',
      'src/console/public',
    ].filter((path) => !new RegExp(`\\s(/app/)?${path}\\s`).test(copied));
    expect(missing).toEqual([]);
  });
});
