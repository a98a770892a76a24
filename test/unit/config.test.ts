import { ConfigError, loadConfig } from '../../src/config';

describe('config', () => {
  test('defaults give a working development setup with no variables at all', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.LOKET_DEMO).toBe(false);
    expect(c.UPLOAD_MAX_BYTES).toBe(10 * 1024 * 1024);
  });

  test('values are converted from their text form', () => {
    const c = loadConfig({ PORT: '8080', TRUST_PROXY: 'true', LOKET_DEMO: 'false' });
    expect(c.PORT).toBe(8080);
    expect(c.TRUST_PROXY).toBe(true);
  });

  test('every bad value is listed at once, with its description', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'http://x',
        DATABASE_URL: 'mysql://x',
        NODE_ENV: 'staging',
      });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const key of ['PORT', 'REDIS_URL', 'DATABASE_URL', 'NODE_ENV'])
        expect(problems).toContain(key);
      expect((err as ConfigError).problems.length).toBeGreaterThanOrEqual(4);
    }
  });

  test('production demands the database and every secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /DATABASE_URL: required[\s\S]*JWT_SECRET: required[\s\S]*LOKET_ENCRYPTION_KEY: required[\s\S]*LOKET_HASH_KEY: required/,
    );
  });

  test('production sends real mail: without SMTP_URL it refuses to start', () => {
    const secrets = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://loket@db/loket',
      JWT_SECRET: 'x'.repeat(40),
      LOKET_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      LOKET_HASH_KEY: Buffer.alloc(32, 2).toString('base64'),
    };
    expect(() => loadConfig(secrets)).toThrow(/SMTP_URL: required when NODE_ENV=production/);
    expect(loadConfig({ ...secrets, SMTP_URL: 'smtp://relay.example.go.id:587' }).SMTP_URL).toBe(
      'smtp://relay.example.go.id:587',
    );
  });

  test('a short JWT secret is refused', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });
});

test('PUBLIC_URL takes an http(s) URL and refuses anything else', () => {
  expect(loadConfig({ PUBLIC_URL: 'https://loket.example.go.id' }).PUBLIC_URL).toBe(
    'https://loket.example.go.id',
  );
  expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL/);
});
