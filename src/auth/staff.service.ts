import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Actor, AuditService } from '../audit/audit.service';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import {
  createServiceToken,
  generatePassword,
  hashPassword,
  sha256Hex,
  type AuthService,
} from './auth.service';
import type { ServiceKind, StaffRole } from './roles';
import { ServiceAccount } from './service-account.entity';
import { StaffUser } from './staff-user.entity';

export interface StaffView {
  id: string;
  username: string;
  fullName: string;
  email: string | null;
  role: StaffRole;
  mustChangePassword: boolean;
  disabled: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export function toStaffView(u: StaffUser): StaffView {
  return {
    id: u.id,
    username: u.username,
    fullName: u.fullName,
    email: u.email,
    role: u.role,
    mustChangePassword: u.mustChangePassword,
    disabled: u.disabledAt !== null,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}

export interface ServiceAccountView {
  id: string;
  name: string;
  kind: ServiceKind;
  revoked: boolean;
  lastUsedAt: string | null;
  createdAt: string;
}

const toServiceView = (a: ServiceAccount): ServiceAccountView => ({
  id: a.id,
  name: a.name,
  kind: a.kind,
  revoked: a.revokedAt !== null,
  lastUsedAt: a.lastUsedAt?.toISOString() ?? null,
  createdAt: a.createdAt.toISOString(),
});

export interface CreateStaffInput {
  username: string;
  fullName: string;
  email?: string | null;
  role: StaffRole;
  /** When absent a random one is generated; either way it must be changed at first login. */
  password?: string;
  /** Only the demo seed turns this off. */
  mustChangePassword?: boolean;
}

export type StaffService = ReturnType<typeof createStaffService>;

/** Staff and service-account management (SUPERVISOR through the API, operators through the CLI). */
export function createStaffService(deps: {
  dataSource: DataSource;
  audit: AuditService;
  auth: AuthService;
  clock: Clock;
}) {
  const { dataSource, audit, auth, clock } = deps;
  const users = dataSource.getRepository(StaffUser);

  return {
    async list(): Promise<StaffView[]> {
      return (await users.find({ order: { username: 'ASC' } })).map(toStaffView);
    },

    async get(id: string): Promise<StaffView> {
      const u = await users.findOne({ where: { id } });
      if (!u) throw new AppError('NOT_FOUND');
      return toStaffView(u);
    },

    async countSupervisors(): Promise<number> {
      return users.count({ where: { role: 'SUPERVISOR' } });
    },

    /** Returns the account and its initial password, which is shown once and never stored in clear. */
    async create(
      input: CreateStaffInput,
      actor: Actor,
    ): Promise<{ user: StaffView; initialPassword: string }> {
      const username = input.username.trim().toLowerCase();
      const initialPassword = input.password ?? generatePassword();
      const passwordHash = await hashPassword(initialPassword);
      return dataSource.transaction(async (m) => {
        if (await m.exists(StaffUser, { where: { username } }))
          throw new AppError('USERNAME_TAKEN');
        const user = m.create(StaffUser, {
          username,
          fullName: input.fullName.trim(),
          email: input.email?.trim().toLowerCase() ?? null,
          role: input.role,
          passwordHash,
          passwordHistory: [],
          mustChangePassword: input.mustChangePassword ?? true,
          passwordChangedAt: null,
          disabledAt: null,
          lastLoginAt: null,
        });
        await m.save(user);
        await audit.record(
          actor,
          {
            action: 'staff.created',
            targetType: 'staff_user',
            targetId: user.id,
            details: { username, role: input.role },
          },
          m,
        );
        return { user: toStaffView(user), initialPassword };
      });
    },

    /** A role change or a disable ends every session of the account at once. */
    async update(
      id: string,
      patch: { fullName?: string; email?: string | null; role?: StaffRole; disabled?: boolean },
      actor: Actor,
    ): Promise<StaffView> {
      return dataSource.transaction(async (m) => {
        const u = await m.findOne(StaffUser, {
          where: { id },
          lock: { mode: 'pessimistic_write' },
        });
        if (!u) throw new AppError('NOT_FOUND');
        const losesSupervisor =
          u.role === 'SUPERVISOR' &&
          !u.disabledAt &&
          ((patch.role !== undefined && patch.role !== 'SUPERVISOR') || patch.disabled === true);
        if (losesSupervisor) {
          const others = await m
            .createQueryBuilder(StaffUser, 's')
            .where("s.role = 'SUPERVISOR' AND s.disabled_at IS NULL AND s.id <> :id", { id: u.id })
            .getCount();
          if (others === 0) throw new AppError('LAST_SUPERVISOR');
        }
        const changes: Record<string, unknown> = {};
        if (patch.fullName !== undefined && patch.fullName.trim() !== u.fullName)
          u.fullName = changes.fullName = patch.fullName.trim();
        if (patch.email !== undefined && patch.email !== u.email)
          u.email = changes.email = patch.email?.trim().toLowerCase() ?? null;
        let endSessions = false;
        if (patch.role !== undefined && patch.role !== u.role) {
          changes.role = { from: u.role, to: patch.role };
          u.role = patch.role;
          endSessions = true;
        }
        if (patch.disabled !== undefined && patch.disabled !== (u.disabledAt !== null)) {
          u.disabledAt = patch.disabled ? clock.now() : null;
          changes.disabled = patch.disabled;
          endSessions ||= patch.disabled;
        }
        await m.save(u);
        if (endSessions) await auth.revokeSessions(u.id, m);
        if (Object.keys(changes).length > 0) {
          await audit.record(
            actor,
            {
              action: 'staff.updated',
              targetType: 'staff_user',
              targetId: u.id,
              details: {
                fields: Object.keys(changes),
                ...(changes.role ? { role: changes.role } : {}),
              },
            },
            m,
          );
        }
        return toStaffView(u);
      });
    },

    /** Sets a new random password that must be changed at next login, and ends every session. */
    async resetPassword(
      id: string,
      actor: Actor,
    ): Promise<{ user: StaffView; temporaryPassword: string }> {
      const temporaryPassword = generatePassword();
      const passwordHash = await hashPassword(temporaryPassword);
      return dataSource.transaction(async (m) => {
        const u = await m.findOne(StaffUser, {
          where: { id },
          lock: { mode: 'pessimistic_write' },
        });
        if (!u) throw new AppError('NOT_FOUND');
        u.passwordHistory = [u.passwordHash, ...u.passwordHistory].slice(0, 24);
        u.passwordHash = passwordHash;
        u.mustChangePassword = true;
        await m.save(u);
        await auth.revokeSessions(u.id, m);
        await audit.record(
          actor,
          { action: 'staff.password_reset', targetType: 'staff_user', targetId: u.id },
          m,
        );
        return { user: toStaffView(u), temporaryPassword };
      });
    },

    async listServiceAccounts(): Promise<ServiceAccountView[]> {
      return (await dataSource.getRepository(ServiceAccount).find({ order: { name: 'ASC' } })).map(
        toServiceView,
      );
    },

    /** Returns the account and its token, which is shown once and stored only as a hash. */
    async createServiceAccount(
      input: { name: string; kind: ServiceKind },
      actor: Actor,
    ): Promise<{ account: ServiceAccountView; token: string }> {
      const id = randomUUID();
      const token = createServiceToken(id);
      return dataSource.transaction(async (m) => {
        if (await m.exists(ServiceAccount, { where: { name: input.name } }))
          throw new AppError('USERNAME_TAKEN');
        const account = m.create(ServiceAccount, {
          id,
          name: input.name,
          kind: input.kind,
          tokenHash: sha256Hex(token),
          createdBy: actor.type === 'STAFF' ? actor.id : null,
          revokedAt: null,
          lastUsedAt: null,
        });
        await m.save(account);
        await audit.record(
          actor,
          {
            action: 'service_account.created',
            targetType: 'service_account',
            targetId: id,
            details: { name: input.name, kind: input.kind },
          },
          m,
        );
        return { account: toServiceView(account), token };
      });
    },

    async revokeServiceAccount(id: string, actor: Actor): Promise<ServiceAccountView> {
      return dataSource.transaction(async (m) => {
        const a = await m.findOne(ServiceAccount, { where: { id } });
        if (!a) throw new AppError('NOT_FOUND');
        if (!a.revokedAt) {
          a.revokedAt = clock.now();
          await m.save(a);
          await audit.record(
            actor,
            { action: 'service_account.revoked', targetType: 'service_account', targetId: id },
            m,
          );
        }
        return toServiceView(a);
      });
    },

    /**
     * First start: when no SUPERVISOR exists, create one. Returns the one-time password when it was
     * generated (to print once), or null when LOKET_ADMIN_PASSWORD supplied it or nothing was done.
     */
    async bootstrapSupervisor(
      username: string,
      password: string | undefined,
    ): Promise<{ created: boolean; username: string; oneTimePassword: string | null }> {
      if ((await this.countSupervisors()) > 0)
        return { created: false, username, oneTimePassword: null };
      const { initialPassword } = await this.create(
        { username, fullName: 'Supervisor', role: 'SUPERVISOR', ...(password ? { password } : {}) },
        { type: 'SYSTEM', id: null, label: 'bootstrap' },
      );
      return { created: true, username, oneTimePassword: password ? null : initialPassword };
    },
  };
}
