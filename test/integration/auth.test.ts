import { createHmac } from 'node:crypto';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app';

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; mustChangePassword: boolean; role: string };
}
interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  reqId: string;
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function signHs256(
  payload: object,
  secret: string,
  header: object = { alg: 'HS256', typ: 'JWT' },
): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

describe('staff authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '1000' },
    });
  });
  afterAll(() => t.close());

  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    t.http<Session & ErrorBody>('POST', '/api/auth/login', {
      json: { username, password },
      headers,
    });

  async function staff(
    role: 'HELPDESK' | 'SUPERVISOR' | 'AUDITOR',
    username: string,
    mustChange = false,
  ) {
    await t.container.staff.create(
      {
        username,
        fullName: `Petugas ${username}`,
        role,
        password: TEST_PASSWORD,
        mustChangePassword: mustChange,
      },
      { type: 'SYSTEM', id: null, label: 'test' },
    );
  }

  test('login returns an access and a refresh token; /me tells who is signed in; the login is audited', async () => {
    await staff('HELPDESK', 'siti');
    const res = await login('Siti', TEST_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.refreshToken).toMatch(/^lkr_/);
    const me = await t.http('GET', '/api/auth/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'staff', username: 'siti', role: 'HELPDESK' });
    const audit: unknown[] = await t.container.dataSource.query(
      `SELECT action FROM audit_events WHERE actor_id = $1 AND action = 'auth.login'`,
      [res.body.user.id],
    );
    expect(audit).toHaveLength(1);
  });

  test('a wrong password and an unknown user get the same answer', async () => {
    await staff('HELPDESK', 'budi');
    const wrong = await login('budi', 'not-the-password-1');
    const unknown = await login('nobody-here', 'not-the-password-1');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.code).toBe(wrong.body.code);
    expect(unknown.body.message).toBe(wrong.body.message);
    expect(wrong.body.message).toBe('Nama pengguna atau kata sandi salah.');
  });

  test('failed logins are throttled per account (in Redis), even for the right password, and for unknown names alike', async () => {
    await staff('HELPDESK', 'dewi');
    for (let i = 0; i < 3; i++)
      expect((await login('dewi', `wrong-${i}-password`)).status).toBe(401);
    const blocked = await login('dewi', TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await login('ghost', `wrong-${i}-password`);
    expect((await login('ghost', 'anything-at-all')).status).toBe(429);
    const keys = await t.redis.keys(`${t.config.REDIS_PREFIX}:login-fail:acct:*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
  });

  test('concurrent wrong guesses cannot slip past the limit', async () => {
    await staff('HELPDESK', 'paralel');
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login('paralel', `wrong-guess-${i}`)),
    );
    expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(3);
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(9);
  });

  test('a stranger guessing from another IP does not lock the owner out', async () => {
    const proxied = await createTestApp({
      env: { TRUST_PROXY: 'true', LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' },
    });
    try {
      await proxied.tokenFor('HELPDESK', 'owner');
      const from = (ip: string, password: string) =>
        proxied.http('POST', '/api/auth/login', {
          json: { username: 'owner', password },
          headers: { 'x-forwarded-for': ip },
        });
      for (let i = 0; i < 4; i++) await from('203.0.113.9', `wrong-${i}-password`);
      expect((await from('203.0.113.9', TEST_PASSWORD)).status).toBe(429);
      expect((await from('198.51.100.7', TEST_PASSWORD)).status).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  test('failed logins are throttled per client IP across accounts', async () => {
    const strict = await createTestApp({
      env: { LOGIN_MAX_FAILURES_PER_IP: '4', LOGIN_MAX_FAILURES_PER_ACCOUNT: '100' },
    });
    try {
      for (let i = 0; i < 4; i++) {
        await strict.http('POST', '/api/auth/login', {
          json: { username: `user${i}`, password: 'wrong-password-x' },
        });
      }
      const res = await strict.http<ErrorBody>('POST', '/api/auth/login', {
        json: { username: 'fresh', password: 'x' },
      });
      expect(res.status).toBe(429);
    } finally {
      await strict.close();
    }
  });

  test('errors are in Bahasa Indonesia by default and in English on request', async () => {
    const en = await login('nobody', 'wrong-password-x', { 'accept-language': 'en-US,en;q=0.9' });
    expect(en.body.message).toBe('Wrong username or password.');
    expect(en.body.reqId).toEqual(expect.any(String));
    expect(en.headers.get('content-language')).toBe('en');
  });

  test('an access token lives ACCESS_TOKEN_TTL_SECONDS', async () => {
    await staff('HELPDESK', 'ttlcheck');
    const token = (await login('ttlcheck', TEST_PASSWORD)).body.accessToken;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      exp: number;
      iat: number;
    };
    expect(claims.exp - claims.iat).toBe(t.config.ACCESS_TOKEN_TTL_SECONDS);
  });

  describe('access tokens', () => {
    let token: string;
    let userId: string;
    beforeAll(async () => {
      await staff('SUPERVISOR', 'rahmat');
      const res = await login('rahmat', TEST_PASSWORD);
      token = res.body.accessToken;
      userId = res.body.user.id;
    });

    const call = (tok: string) => t.http<ErrorBody>('GET', '/api/users', { token: tok });

    test('a valid token works', async () => {
      expect((await call(token)).status).toBe(200);
    });

    test('no token, a garbled header or a bad token get 401 with a code', async () => {
      expect((await t.http<ErrorBody>('GET', '/api/users')).body.code).toBe('UNAUTHENTICATED');
      expect(
        (await t.http<ErrorBody>('GET', '/api/users', { headers: { authorization: 'Basic abc' } }))
          .status,
      ).toBe(401);
      expect((await call('not.a.jwt')).body.code).toBe('TOKEN_INVALID');
    });

    /** Access-token claims signed as Loket would, with some changed (undefined drops a claim). */
    const claims = (changes: Record<string, unknown> = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return {
        sub: userId,
        sid: 'x',
        role: 'SUPERVISOR',
        typ: 'access',
        iat: now,
        exp: now + 600,
        iss: 'loket',
        aud: 'loket-api',
        ...changes,
      };
    };
    const secret = () => t.container.secrets.jwtSecret;
    const hour = () => Math.floor(Date.now() / 1000) - 3600;

    test.each([
      ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${token.split('.')[1] ?? ''}.`],
      [
        'tampered payload',
        () => {
          const [h, , s] = token.split('.');
          return `${h ?? ''}.${b64(claims({ iat: undefined, iss: undefined, aud: undefined, exp: 9999999999 }))}.${s ?? ''}`;
        },
      ],
      ['truncated signature', () => token.slice(0, -4)],
      [
        'signed with another secret',
        () => signHs256(claims(), 'another-secret-another-secret-1234'),
      ],
      ['expired', () => signHs256(claims({ iat: hour() - 3600, exp: hour() }), secret())],
      ['wrong audience', () => signHs256(claims({ aud: 'other' }), secret())],
      ['wrong issuer', () => signHs256(claims({ iss: 'evil' }), secret())],
      [
        'no issuer and no audience',
        () => signHs256(claims({ iss: undefined, aud: undefined }), secret()),
      ],
      [
        'HS512 instead of the pinned HS256',
        () => {
          const head = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(claims())}`;
          return `${head}.${createHmac('sha512', secret()).update(head).digest('base64url')}`;
        },
      ],
      [
        'a refresh token used as an access token',
        async () => (await login('rahmat', TEST_PASSWORD)).body.refreshToken,
      ],
    ])('%s gets 401', async (_name, make) => {
      const res = await call(await make());
      expect(res.status).toBe(401);
      expect(['TOKEN_INVALID', 'TOKEN_EXPIRED']).toContain(res.body.code);
    });

    test('an expired token says so', async () => {
      const expired = signHs256(claims({ iat: hour() - 3600, exp: hour() }), secret());
      expect((await call(expired)).body.code).toBe('TOKEN_EXPIRED');
    });
  });

  test('a wrong role gets 403 and the denial does not change anything', async () => {
    await staff('HELPDESK', 'agus');
    const token = (await login('agus', TEST_PASSWORD)).body.accessToken;
    const res = await t.http<ErrorBody>('POST', '/api/users', {
      token,
      json: { username: 'sneaky', fullName: 'Sneaky', role: 'SUPERVISOR' },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(
      await t.container.dataSource.query(`SELECT 1 FROM staff_users WHERE username = 'sneaky'`),
    ).toHaveLength(0);
  });

  test('a new account must change its password before anything else; the policy is enforced', async () => {
    await staff('SUPERVISOR', 'lestari', true);
    const s = await login('lestari', TEST_PASSWORD);
    expect(s.body.user.mustChangePassword).toBe(true);
    const blocked = await t.http<ErrorBody>('GET', '/api/users', { token: s.body.accessToken });
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await t.http('GET', '/api/auth/me', { token: s.body.accessToken })).status).toBe(200);

    const change = (currentPassword: string, newPassword: string) =>
      t.http<ErrorBody & { details?: { problems: { en: string }[] } }>(
        'POST',
        '/api/auth/password',
        {
          token: s.body.accessToken,
          json: { currentPassword, newPassword },
        },
      );
    expect((await change('wrong-current-pass', 'Sungai-Mahakam-2026')).body.code).toBe(
      'CURRENT_PASSWORD_WRONG',
    );
    const short = await change(TEST_PASSWORD, 'Pendek1!');
    expect(short.body.code).toBe('PASSWORD_POLICY');
    expect(short.body.message).toContain('minimal 12 karakter');
    expect((await change(TEST_PASSWORD, 'password1234')).body.code).toBe('PASSWORD_POLICY');
    expect((await change(TEST_PASSWORD, 'lestari-sekali-2026')).body.code).toBe('PASSWORD_POLICY');
    expect((await change(TEST_PASSWORD, 'loket20262026')).body.code).toBe('PASSWORD_POLICY');
    expect((await change(TEST_PASSWORD, TEST_PASSWORD)).body.code).toBe('PASSWORD_POLICY');
    expect((await change(TEST_PASSWORD, 'Sungai-Mahakam-2026')).status).toBe(204);
    expect((await t.http('GET', '/api/users', { token: s.body.accessToken })).status).toBe(200);
    expect((await login('lestari', TEST_PASSWORD)).status).toBe(401);
    expect((await login('lestari', 'Sungai-Mahakam-2026')).status).toBe(200);
  });

  test('changing the password ends the other sessions but not this one', async () => {
    await staff('HELPDESK', 'joko');
    const a = await login('joko', TEST_PASSWORD);
    const b = await login('joko', TEST_PASSWORD);
    const res = await t.http('POST', '/api/auth/password', {
      token: a.body.accessToken,
      json: { currentPassword: TEST_PASSWORD, newPassword: 'Teluk-Balikpapan-88' },
    });
    expect(res.status).toBe(204);
    expect((await t.http('GET', '/api/auth/me', { token: a.body.accessToken })).status).toBe(200);
    expect((await t.http('GET', '/api/auth/me', { token: b.body.accessToken })).status).toBe(401);
    expect(
      (await t.http('POST', '/api/auth/refresh', { json: { refreshToken: b.body.refreshToken } }))
        .status,
    ).toBe(401);
  });

  test('refresh rotates; presenting an old refresh token ends the whole session', async () => {
    await staff('HELPDESK', 'ratna');
    const first = await login('ratna', TEST_PASSWORD);
    const second = await t.http<Session>('POST', '/api/auth/refresh', {
      json: { refreshToken: first.body.refreshToken },
    });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
    expect((await t.http('GET', '/api/auth/me', { token: second.body.accessToken })).status).toBe(
      200,
    );

    const replay = await t.http<ErrorBody>('POST', '/api/auth/refresh', {
      json: { refreshToken: first.body.refreshToken },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('REFRESH_TOKEN_INVALID');
    // The thief's replay revoked the family: the legitimate holder is signed out too.
    expect(
      (
        await t.http('POST', '/api/auth/refresh', {
          json: { refreshToken: second.body.refreshToken },
        })
      ).status,
    ).toBe(401);
    expect((await t.http('GET', '/api/auth/me', { token: second.body.accessToken })).status).toBe(
      401,
    );
    const audit: unknown[] = await t.container.dataSource.query(
      `SELECT 1 FROM audit_events WHERE action = 'auth.refresh.reuse_detected'`,
    );
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });

  test('an idle refresh token expires', async () => {
    let now = Date.now();
    const idle = await createTestApp({
      env: { REFRESH_TOKEN_IDLE_SECONDS: '60' },
      clock: { now: () => new Date(now) },
    });
    try {
      await idle.tokenFor('HELPDESK', 'idle');
      const s = await idle.http<Session>('POST', '/api/auth/login', {
        json: { username: 'idle', password: TEST_PASSWORD },
      });
      now += 61_000;
      expect(
        (
          await idle.http('POST', '/api/auth/refresh', {
            json: { refreshToken: s.body.refreshToken },
          })
        ).status,
      ).toBe(401);
    } finally {
      await idle.close();
    }
  });

  test('after logout the access token is refused at once', async () => {
    await staff('HELPDESK', 'hendra');
    const s = await login('hendra', TEST_PASSWORD);
    expect(
      (await t.http('POST', '/api/auth/logout', { token: s.body.accessToken, json: {} })).status,
    ).toBe(204);
    expect((await t.http('GET', '/api/auth/me', { token: s.body.accessToken })).status).toBe(401);
    expect(
      (await t.http('POST', '/api/auth/refresh', { json: { refreshToken: s.body.refreshToken } }))
        .status,
    ).toBe(401);
  });

  test('a role change or a disable ends the sessions at once; a disabled account cannot sign in', async () => {
    const supervisor = await t.tokenFor('SUPERVISOR');
    await staff('HELPDESK', 'yuliana');
    const s = await login('yuliana', TEST_PASSWORD);
    const patch = (json: object) =>
      t.http('PATCH', `/api/users/${s.body.user.id}`, { token: supervisor, json });
    expect((await patch({ role: 'AUDITOR' })).status).toBe(200);
    expect((await t.http('GET', '/api/auth/me', { token: s.body.accessToken })).status).toBe(401);
    const again = await login('yuliana', TEST_PASSWORD);
    expect(again.body.user.role).toBe('AUDITOR');
    expect((await patch({ disabled: true })).status).toBe(200);
    expect((await t.http('GET', '/api/auth/me', { token: again.body.accessToken })).status).toBe(
      401,
    );
    expect((await login('yuliana', TEST_PASSWORD)).status).toBe(401);
  });

  test('a SUPERVISOR creates staff; the initial password is shown once and must be changed', async () => {
    const supervisor = await t.tokenFor('SUPERVISOR');
    const res = await t.http<{
      user: { id: string; mustChangePassword: boolean };
      password: string;
    }>('POST', '/api/users', {
      token: supervisor,
      json: {
        username: 'fitri',
        fullName: 'Fitri Hasanah',
        role: 'FRONT_OFFICE',
        email: 'fitri@lpse.example.go.id',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.user.mustChangePassword).toBe(true);
    const rows: { password_hash: string }[] = await t.container.dataSource.query(
      'SELECT password_hash FROM staff_users WHERE id = $1',
      [res.body.user.id],
    );
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(rows[0]?.password_hash).not.toContain(res.body.password);
    expect((await login('fitri', res.body.password)).body.user.mustChangePassword).toBe(true);
    const dup = await t.http<ErrorBody>('POST', '/api/users', {
      token: supervisor,
      json: { username: 'FITRI', fullName: 'Another', role: 'HELPDESK' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('USERNAME_TAKEN');
  });

  test('service accounts: token shown once, works for its kind only, and stops working when revoked', async () => {
    const supervisor = await t.tokenFor('SUPERVISOR');
    const created = await t.http<{ account: { id: string }; token: string }>(
      'POST',
      '/api/service-accounts',
      {
        token: supervisor,
        json: { name: 'wa-bot', kind: 'BOT' },
      },
    );
    expect(created.status).toBe(201);
    const botToken = created.body.token;
    expect(botToken).toMatch(/^lks_/);
    const stored: { token_hash: string }[] = await t.container.dataSource.query(
      'SELECT token_hash FROM service_accounts WHERE id = $1',
      [created.body.account.id],
    );
    expect(stored[0]?.token_hash).not.toContain(botToken.slice(4, 20));
    expect((await t.http('GET', '/api/auth/me', { token: botToken })).body).toMatchObject({
      kind: 'service',
      role: 'BOT',
    });
    expect((await t.http('GET', '/api/users', { token: botToken })).status).toBe(403);
    expect(
      (await t.http('GET', '/api/auth/me', { token: `${botToken.slice(0, -2)}xx` })).status,
    ).toBe(401);
    expect(
      (
        await t.http('DELETE', `/api/service-accounts/${created.body.account.id}`, {
          token: supervisor,
        })
      ).status,
    ).toBe(200);
    expect((await t.http('GET', '/api/auth/me', { token: botToken })).status).toBe(401);
  });
});
