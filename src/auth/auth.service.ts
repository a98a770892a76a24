import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import * as argon2 from 'argon2';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import type { Config } from '../config';
import type { Actor, AuditService } from '../audit/audit.service';
import { preparedQuery } from '../db/prepared';
import { AppError } from '../shared/errors';
import type { Clock } from '../shared/clock';
import type { LoginThrottle } from './login-throttle';
import { checkPasswordPolicy } from './password-policy';
import { RefreshToken } from './refresh-token.entity';
import type { ServiceKind, StaffRole } from './roles';
import { StaffUser } from './staff-user.entity';

export type Principal =
  | {
      kind: 'staff';
      id: string;
      username: string;
      fullName: string;
      role: StaffRole;
      mustChangePassword: boolean;
      sessionId: string;
    }
  | { kind: 'service'; id: string; name: string; role: ServiceKind };

export interface AccessClaims {
  sub: string;
  sid: string;
  role: StaffRole;
  typ: 'access';
}

export interface IssuedSession {
  user: StaffUser;
  claims: AccessClaims;
  refreshToken: string;
  refreshExpiresAt: Date;
}

/** argon2id at ASVS 5 Appendix C strength (m = 19 MiB, t = 2, p = 1). */
export const argon2Options = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const hashPassword = (password: string) => argon2.hash(password, argon2Options);
export const sha256Hex = (value: string) =>
  createHash('sha256').update(value, 'utf8').digest('hex');

const REFRESH_PREFIX = 'lkr_';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SERVICE_PREFIX = 'lks_';

/** A random password that satisfies every policy setting: 20 characters from four classes. */
export function generatePassword(): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%+=?@'];
  const all = sets.join('');
  const pick = (s: string) => s.charAt(randomInt(s.length));
  const chars = sets.map(pick);
  while (chars.length < 20) chars.push(pick(all));
  // Shuffle so the class order does not leak; randomInt is uniform (no modulo bias).
  return chars
    .map((c) => ({ c, k: randomInt(2 ** 40) }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.c)
    .join('');
}

export function createServiceToken(id: string): string {
  return `${SERVICE_PREFIX}${id.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
}

export interface AuthServiceDeps {
  dataSource: DataSource;
  audit: AuditService;
  throttle: LoginThrottle;
  clock: Clock;
  config: Pick<
    Config,
    | 'REFRESH_TOKEN_IDLE_SECONDS'
    | 'REFRESH_TOKEN_ABSOLUTE_SECONDS'
    | 'PASSWORD_MIN_LENGTH'
    | 'PASSWORD_REQUIRE_CHARACTER_CLASSES'
    | 'PASSWORD_HISTORY'
    | 'PASSWORD_MAX_AGE_DAYS'
  >;
}

export type AuthService = ReturnType<typeof createAuthService>;

export function createAuthService(deps: AuthServiceDeps) {
  const { dataSource, audit, throttle, clock, config } = deps;
  const prepared = preparedQuery(dataSource);
  const users = dataSource.getRepository(StaffUser);
  // A real hash to verify against when the account does not exist, so timing does not tell.
  const dummyHash = hashPassword(randomBytes(16).toString('hex'));

  async function issueSession(
    user: StaffUser,
    familyId: string,
    sessionExpiresAt: Date,
    manager: EntityManager,
  ) {
    const refreshToken = `${REFRESH_PREFIX}${randomBytes(32).toString('base64url')}`;
    const idle = new Date(clock.now().getTime() + config.REFRESH_TOKEN_IDLE_SECONDS * 1000);
    const expiresAt = idle < sessionExpiresAt ? idle : sessionExpiresAt;
    await manager.insert(RefreshToken, {
      userId: user.id,
      familyId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt,
      sessionExpiresAt,
      rotatedAt: null,
      revokedAt: null,
    });
    const claims: AccessClaims = { sub: user.id, sid: familyId, role: user.role, typ: 'access' };
    return { user, claims, refreshToken, refreshExpiresAt: expiresAt };
  }

  async function revokeSessions(userId: string, manager: EntityManager, exceptFamily?: string) {
    const qb = manager
      .createQueryBuilder()
      .update(RefreshToken)
      .set({ revokedAt: clock.now() })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (exceptFamily) qb.andWhere('family_id <> :exceptFamily', { exceptFamily });
    await qb.execute();
  }

  function passwordExpired(user: StaffUser): boolean {
    if (config.PASSWORD_MAX_AGE_DAYS === 0 || !user.passwordChangedAt) return false;
    return (
      clock.now().getTime() - user.passwordChangedAt.getTime() >
      config.PASSWORD_MAX_AGE_DAYS * 86_400_000
    );
  }

  async function refuseWhenThrottled(key: string, ip: string, actor: Actor): Promise<void> {
    const wait = await throttle.reserve(key, ip);
    if (wait === 0) return;
    await audit.record(actor, { action: 'auth.login.throttled', details: { ip } });
    throw new AppError(
      'TOO_MANY_ATTEMPTS',
      { retryAfterMinutes: Math.max(1, Math.ceil(wait / 60)) },
      undefined,
      { 'retry-after': String(wait) },
    );
  }

  return {
    async login(username: string, password: string, actor: Actor): Promise<IssuedSession> {
      const key = username.trim().toLowerCase();
      const ip = actor.ip ?? 'unknown';
      await refuseWhenThrottled(key, ip, actor);
      const user = await users.findOne({ where: { username: key } });
      const ok =
        user && !user.disabledAt
          ? await argon2.verify(user.passwordHash, password)
          : await argon2.verify(await dummyHash, password).then(() => false);
      if (!user || !ok) {
        await audit.record(
          {
            ...actor,
            type: user ? 'STAFF' : 'ANONYMOUS',
            id: user?.id ?? null,
            label: user?.username ?? null,
          },
          {
            action: 'auth.login.failed',
            details: {
              reason: user ? (user.disabledAt ? 'disabled' : 'password') : 'unknown_user',
            },
          },
        );
        throw new AppError('INVALID_CREDENTIALS');
      }
      await throttle.succeeded(key, ip);
      return dataSource.transaction(async (m) => {
        const now = clock.now();
        const mustChange = user.mustChangePassword || passwordExpired(user);
        await m.update(
          StaffUser,
          { id: user.id },
          { lastLoginAt: now, mustChangePassword: mustChange },
        );
        user.mustChangePassword = mustChange;
        const session = await issueSession(
          user,
          randomUUID(),
          new Date(now.getTime() + config.REFRESH_TOKEN_ABSOLUTE_SECONDS * 1000),
          m,
        );
        await audit.record(
          { ...actor, type: 'STAFF', id: user.id, label: user.username },
          { action: 'auth.login', targetType: 'session', targetId: session.claims.sid },
          m,
        );
        return session;
      });
    },

    /** Rotates a refresh token. A token presented twice revokes its whole family. */
    async refresh(refreshToken: string, actor: Actor): Promise<IssuedSession> {
      if (!refreshToken.startsWith(REFRESH_PREFIX)) throw new AppError('REFRESH_TOKEN_INVALID');
      return dataSource
        .transaction(async (m) => {
          const now = clock.now();
          const row = await m.findOne(RefreshToken, {
            where: { tokenHash: sha256Hex(refreshToken) },
          });
          if (!row || row.revokedAt) throw new AppError('REFRESH_TOKEN_INVALID');
          const claimed = await m
            .createQueryBuilder()
            .update(RefreshToken)
            .set({ rotatedAt: now })
            .where('id = :id AND rotated_at IS NULL', { id: row.id })
            .execute();
          if (claimed.affected !== 1) {
            // Reuse of a rotated token: someone else holds a copy. End the whole session.
            await m.update(
              RefreshToken,
              { familyId: row.familyId, revokedAt: IsNull() },
              { revokedAt: now },
            );
            await audit.record(
              { ...actor, type: 'STAFF', id: row.userId, label: null },
              {
                action: 'auth.refresh.reuse_detected',
                targetType: 'session',
                targetId: row.familyId,
              },
              m,
            );
            return { reuse: true } as const;
          }
          if (row.expiresAt <= now || row.sessionExpiresAt <= now)
            throw new AppError('REFRESH_TOKEN_INVALID');
          const user = await m.findOne(StaffUser, { where: { id: row.userId } });
          if (!user || user.disabledAt) throw new AppError('REFRESH_TOKEN_INVALID');
          return issueSession(user, row.familyId, row.sessionExpiresAt, m);
        })
        .then((result) => {
          if ('reuse' in result) throw new AppError('REFRESH_TOKEN_INVALID');
          return result;
        });
    },

    async logout(
      principal: Extract<Principal, { kind: 'staff' }>,
      everywhere: boolean,
      actor: Actor,
    ): Promise<void> {
      await dataSource.transaction(async (m) => {
        if (everywhere) await revokeSessions(principal.id, m);
        else
          await m.update(
            RefreshToken,
            { familyId: principal.sessionId, revokedAt: IsNull() },
            { revokedAt: clock.now() },
          );
        await audit.record(
          actor,
          {
            action: everywhere ? 'auth.logout.everywhere' : 'auth.logout',
            targetType: 'session',
            targetId: principal.sessionId,
          },
          m,
        );
      });
    },

    async changePassword(
      principal: Extract<Principal, { kind: 'staff' }>,
      currentPassword: string,
      newPassword: string,
      actor: Actor,
    ): Promise<void> {
      // Guessing the current password through this route is throttled like a login.
      await refuseWhenThrottled(principal.username, actor.ip ?? 'unknown', actor);
      const user = await users.findOneOrFail({ where: { id: principal.id } });
      if (!(await argon2.verify(user.passwordHash, currentPassword))) {
        await audit.record(actor, {
          action: 'auth.password.change_failed',
          targetType: 'staff_user',
          targetId: user.id,
        });
        throw new AppError('CURRENT_PASSWORD_WRONG');
      }
      await throttle.succeeded(principal.username, actor.ip ?? 'unknown');
      const problems = checkPasswordPolicy(newPassword, user, config);
      const recent = [user.passwordHash, ...user.passwordHistory].slice(
        0,
        Math.max(1, config.PASSWORD_HISTORY + 1),
      );
      for (const old of recent) {
        if (await argon2.verify(old, newPassword)) {
          problems.push({
            id: `tidak boleh sama dengan ${config.PASSWORD_HISTORY} kata sandi terakhir`,
            en: `must differ from the last ${config.PASSWORD_HISTORY} passwords`,
          });
          break;
        }
      }
      if (problems.length > 0) {
        throw new AppError(
          'PASSWORD_POLICY',
          { detail: problems.map((p) => p.id).join('; ') },
          { problems },
        );
      }
      await dataSource.transaction(async (m) => {
        await m.update(
          StaffUser,
          { id: user.id },
          {
            passwordHash: await hashPassword(newPassword),
            passwordHistory: [user.passwordHash, ...user.passwordHistory].slice(
              0,
              config.PASSWORD_HISTORY,
            ),
            mustChangePassword: false,
            passwordChangedAt: clock.now(),
          },
        );
        // Other sessions end; the one that changed the password goes on (ASVS 5 7.4.3).
        await revokeSessions(user.id, m, principal.sessionId);
        await audit.record(
          actor,
          { action: 'auth.password.changed', targetType: 'staff_user', targetId: user.id },
          m,
        );
      });
    },

    /** Resolves verified access-token claims to a live principal, or throws TOKEN_INVALID. */
    async principalFromClaims(claims: AccessClaims): Promise<Principal> {
      if (!UUID.test(claims.sub) || !UUID.test(claims.sid)) throw new AppError('TOKEN_INVALID');
      const rows: {
        id: string;
        username: string;
        full_name: string;
        role: StaffRole;
        must_change_password: boolean;
        live: boolean;
      }[] = await dataSource.query(
        `SELECT u.id, u.username, u.full_name, u.role, u.must_change_password,
                EXISTS (SELECT 1 FROM refresh_tokens r
                         WHERE r.family_id = $2 AND r.user_id = u.id
                           AND r.revoked_at IS NULL AND r.session_expires_at > $3) AS live
           FROM staff_users u
          WHERE u.id = $1 AND u.disabled_at IS NULL`,
        [claims.sub, claims.sid, clock.now()],
      );
      const row = rows[0];
      if (!row?.live) throw new AppError('TOKEN_INVALID');
      return {
        kind: 'staff',
        id: row.id,
        username: row.username,
        fullName: row.full_name,
        role: row.role,
        mustChangePassword: row.must_change_password,
        sessionId: claims.sid,
      };
    },

    /** Resolves a service-account token (`lks_...`), or throws TOKEN_INVALID. */
    async principalFromServiceToken(token: string): Promise<Principal> {
      const match = /^lks_([0-9a-f]{32})_[A-Za-z0-9_-]{43}$/.exec(token);
      if (!match?.[1]) throw new AppError('TOKEN_INVALID');
      const id = match[1].replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
      // Every call reads the account again (a revoked token stops at once): a named prepared
      // statement, because the bot makes a call per chat message.
      const [account] = await prepared<{
        id: string;
        name: string;
        kind: ServiceKind;
        token_hash: string;
        revoked: boolean;
      }>(
        'auth_service_account',
        `SELECT id, name, kind, token_hash, revoked_at IS NOT NULL AS revoked
           FROM service_accounts WHERE id = $1`,
        [id],
      );
      const presented = Buffer.from(sha256Hex(token), 'hex');
      const stored = Buffer.from(account?.token_hash ?? '0'.repeat(64), 'hex');
      if (!account || account.revoked || !timingSafeEqual(presented, stored))
        throw new AppError('TOKEN_INVALID');
      return { kind: 'service', id: account.id, name: account.name, role: account.kind };
    },

    revokeSessions,
  };
}
