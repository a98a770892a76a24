import { Writable } from 'node:stream';
import { buildApp, loggerOptions } from '../../src/app';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app';

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  reqId: string;
}

describe('the API surface', () => {
  let t: TestApp;
  let supervisor: string;
  beforeAll(async () => {
    t = await createTestApp();
    supervisor = await t.tokenFor('SUPERVISOR');
  });
  afterAll(() => t.close());

  test('every route declares who may call it, and every API route has a response schema', () => {
    const routes = t.app.routeTable;
    expect(routes.length).toBeGreaterThan(15);
    const undeclared = routes
      .filter((r) => r.access === undefined)
      .map((r) => `${r.method} ${r.url}`);
    expect(undeclared).toEqual([]);
    const publicRoutes = routes
      .filter((r) => r.access === 'public' && r.method !== 'HEAD')
      .map((r) => r.url)
      .filter((url) => !url.startsWith('/docs') && !url.startsWith('/console'));
    // The only public API routes; anything else public must be added here on purpose.
    expect(publicRoutes.sort()).toEqual([
      '/api/auth/login',
      '/api/auth/refresh',
      // The web chat simulator's demo (CHAT_SIMULATOR=public, the default outside production):
      // a random session secret is the capability; rate limited.
      '/api/chat-simulator/events',
      '/api/chat-simulator/files',
      '/api/chat-simulator/messages',
      '/api/chat-simulator/sessions',
      '/api/chat-simulator/sessions',
      // The waiting-room board: numbers and desks only.
      '/api/queue/board',
      '/api/queue/board/events',
      '/health',
      '/ready',
      // Meta's webhook: the X-Hub-Signature-256 check is its authentication.
      '/webhooks/whatsapp',
      '/webhooks/whatsapp',
    ]);
    const noSchema = routes
      .filter((r) => r.url.startsWith('/api') && !r.hasResponseSchema)
      .map((r) => `${r.method} ${r.url}`);
    expect(noSchema).toEqual([]);
  });

  test('/health, /ready and the OpenAPI document answer', async () => {
    expect((await t.http('GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await t.http('GET', '/ready')).body).toEqual({
      status: 'ready',
      postgres: 'ok',
      redis: 'ok',
    });
    const doc = await t.http<{ openapi: string; paths: Record<string, unknown> }>(
      'GET',
      '/docs/json',
    );
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/users', '/api/registry/search']),
    );
    expect((await t.http('GET', '/docs')).status).toBeLessThan(400);
    expect((await t.http('GET', '/console/')).status).toBe(200);
  });

  test('malformed JSON gets 400 MALFORMED_JSON', async () => {
    const res = await t.http<ErrorBody>('POST', '/api/auth/login', {
      body: '{"username": "a", "password": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });

  test('prototype pollution in JSON is refused', async () => {
    const res = await t.http<ErrorBody>('POST', '/api/auth/login', {
      body: '{"username": "a", "password": "b", "__proto__": {"admin": true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  test('unknown fields get 400 VALIDATION_FAILED naming the field', async () => {
    const res = await t.http<ErrorBody>('POST', '/api/users', {
      token: supervisor,
      json: { username: 'newuser', fullName: 'New', role: 'HELPDESK', isAdmin: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toContain('isAdmin');
    expect(
      await t.container.dataSource.query(`SELECT 1 FROM staff_users WHERE username = 'newuser'`),
    ).toHaveLength(0);
  });

  test('wrong types are not coerced: 400 VALIDATION_FAILED', async () => {
    const res = await t.http<ErrorBody>('POST', '/api/auth/login', {
      json: { username: 12345, password: 'x' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const role = await t.http<ErrorBody>('POST', '/api/users', {
      token: supervisor,
      json: { username: 'x-user', fullName: 'X', role: 'KING' },
    });
    expect(role.status).toBe(400);
  });

  test('an oversize body gets 413 BODY_TOO_LARGE', async () => {
    const res = await t.http<ErrorBody>('POST', '/api/auth/login', {
      json: { username: 'a', password: 'x'.repeat(t.config.BODY_LIMIT_BYTES + 10) },
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('BODY_TOO_LARGE');
  });

  test('an unsupported content type gets 415', async () => {
    const res = await t.http<ErrorBody>('POST', '/api/auth/login', {
      body: 'username=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  test('an unknown route gets 404 ROUTE_NOT_FOUND and a bad id 400', async () => {
    expect((await t.http<ErrorBody>('GET', '/api/nothing-here')).body.code).toBe('ROUTE_NOT_FOUND');
    const bad = await t.http<ErrorBody>('GET', '/api/users/not-a-uuid', { token: supervisor });
    expect(bad.status).toBe(400);
    const missing = await t.http<ErrorBody>(
      'GET',
      '/api/users/00000000-0000-4000-8000-000000000000',
      { token: supervisor },
    );
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
  });

  test('a 5xx reveals nothing of the internals', async () => {
    const app = await buildApp(t.container, { logger: false });
    app.get('/boom', { config: { access: 'public' } }, () => {
      throw new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    await app.close();
    expect(res.statusCode).toBe(500);
    const body = res.json<ErrorBody>();
    expect(body.code).toBe('INTERNAL');
    expect(res.body).not.toContain('ECONNREFUSED');
    expect(res.body).not.toContain('hunter2');
    expect(body.reqId).toEqual(expect.any(String));
  });

  test('logs redact the authorization header and never contain passwords or tokens', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = await buildApp(t.container, {
      logger: { ...(loggerOptions('trace') as object), stream },
    });
    await t.container.staff.create(
      {
        username: 'logcheck',
        fullName: 'Log Check',
        role: 'HELPDESK',
        password: TEST_PASSWORD,
        mustChangePassword: false,
      },
      { type: 'SYSTEM', id: null, label: 'test' },
    );
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'logcheck', password: TEST_PASSWORD },
    });
    const token = login.json<{ accessToken: string; refreshToken: string }>();
    await app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
    await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'logcheck', password: 'Wrong-Password-Canary-991' },
    });
    // Whatever a handler logs later, the redaction paths hide credentials and NIK.
    app.log.info(
      {
        body: { password: 'Canary-Password-1', nik: '3171234567890001' },
        req: { headers: { authorization: 'Bearer canary-token' } },
      },
      'a careless log line',
    );
    await app.close();
    const all = lines.join('\n');
    expect(all).toContain('a careless log line');
    expect(all).toContain('[redacted]');
    for (const canary of ['Canary-Password-1', '3171234567890001', 'canary-token'])
      expect(all).not.toContain(canary);
    expect(all).not.toContain(TEST_PASSWORD);
    expect(all).not.toContain('Wrong-Password-Canary-991');
    expect(all).not.toContain(token.accessToken);
    expect(all).not.toContain(token.refreshToken);
  });

  test('the audit trail is append-only in the database, and readable by AUDITOR only (and SUPERVISOR)', async () => {
    await expect(
      t.container.dataSource.query(`UPDATE audit_events SET action = 'x'`),
    ).rejects.toThrow(/append-only/);
    await expect(t.container.dataSource.query(`DELETE FROM audit_events`)).rejects.toThrow(
      /append-only/,
    );
    const auditor = await t.tokenFor('AUDITOR');
    const page = await t.http<{ items: { action: string }[]; nextCursor: string | null }>(
      'GET',
      '/api/audit-events?limit=2',
      {
        token: auditor,
      },
    );
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.nextCursor).not.toBeNull();
    const next = await t.http<{ items: { action: string }[] }>(
      'GET',
      `/api/audit-events?limit=2&cursor=${page.body.nextCursor ?? ''}`,
      { token: auditor },
    );
    expect(next.body.items.length).toBeGreaterThan(0);
    const helpdesk = await t.tokenFor('HELPDESK');
    expect((await t.http('GET', '/api/audit-events', { token: helpdesk })).status).toBe(403);
    const badCursor = await t.http<ErrorBody>('GET', '/api/audit-events?cursor=zzz', {
      token: auditor,
    });
    expect(badCursor.status).toBe(400);
  });
});
