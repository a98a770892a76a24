import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessClaims, AuthService, Principal } from '../auth/auth.service';
import type { Role } from '../auth/roles';
import type { Actor } from '../audit/audit.service';
import { AppError } from '../shared/errors';
import { QUEUE_BOARD_COOKIE } from '../admin/queue-board';

/**
 * Who may call a route. Every route declares one in `config.access`; a route without it is refused
 * at run time (deny by default), and a test walks every registered route to catch it earlier.
 * - 'public': no login (health, docs, login itself, the console's static files);
 * - 'staff': any signed-in staff member;
 * - a list of roles: only those staff roles or service-account kinds.
 */
export type Access = 'public' | 'staff' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Reachable while the account must still change its password (me, change password, logout). */
    allowPendingPasswordChange?: boolean;
    /**
     * Also takes the access token from the queue board's cookie (browser pages that cannot send
     * a bearer header). Only the queue board's routes set this.
     */
    cookieAuth?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  const base = { ip: request.ip, requestId: request.id };
  if (!p) return { type: 'ANONYMOUS', id: null, label: null, ...base };
  return p.kind === 'staff'
    ? { type: 'STAFF', id: p.id, label: p.username, ...base }
    : { type: 'SERVICE', id: p.id, label: p.name, ...base };
}

export function staffOf(request: FastifyRequest): Extract<Principal, { kind: 'staff' }> {
  const p = request.principal;
  if (p?.kind !== 'staff') throw new AppError('FORBIDDEN');
  return p;
}

function describeAccess(access: Access): string {
  if (access === 'public') return 'Public.';
  if (access === 'staff') return 'Any signed-in staff member.';
  return `Roles: ${access.join(', ')}.`;
}

export function registerAccessControl(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', null);

  // Document each route's rule in the OpenAPI document.
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined || route.schema?.hide) return;
    route.schema = { ...(route.schema ?? {}) };
    const schema = route.schema as { description?: string; security?: unknown[] };
    schema.description = [schema.description, describeAccess(access)].filter(Boolean).join(' ');
    if (access !== 'public') schema.security = [{ bearerAuth: [] }];
  });

  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.url) return; // unknown route: the not-found handler answers
    const { access, allowPendingPasswordChange } = request.routeOptions.config;
    if (access === undefined) {
      request.log.error(
        { route: request.routeOptions.url },
        'route declares no access rule; refused',
      );
      throw new AppError('FORBIDDEN');
    }
    if (access === 'public') return;

    const header = request.headers.authorization;
    const match = header ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
    const fromCookie =
      !header && request.routeOptions.config.cookieAuth
        ? request.cookies[QUEUE_BOARD_COOKIE]
        : undefined;
    const token = match?.[1] ?? fromCookie;
    if (!token) throw new AppError('UNAUTHENTICATED');

    if (token.startsWith('lks_') && !fromCookie) {
      request.principal = await auth.principalFromServiceToken(token);
    } else {
      let claims: AccessClaims;
      try {
        claims = fromCookie
          ? request.server.jwt.verify<AccessClaims>(fromCookie)
          : await request.jwtVerify<AccessClaims>();
      } catch (err) {
        const code = (err as { code?: string }).code;
        throw new AppError(
          code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED' || code === 'FAST_JWT_EXPIRED'
            ? 'TOKEN_EXPIRED'
            : 'TOKEN_INVALID',
        );
      }
      const raw = claims as Partial<Record<keyof AccessClaims, unknown>>;
      if (raw.typ !== 'access' || typeof raw.sid !== 'string' || typeof raw.sub !== 'string') {
        throw new AppError('TOKEN_INVALID');
      }
      request.principal = await auth.principalFromClaims(claims);
    }

    const p = request.principal;
    const allowed = access === 'staff' ? p.kind === 'staff' : access.includes(p.role);
    if (!allowed) {
      request.log.warn(
        { route: request.routeOptions.url, role: p.role, principal: p.id },
        'access denied',
      );
      throw new AppError('FORBIDDEN');
    }
    if (p.kind === 'staff' && p.mustChangePassword && !allowPendingPasswordChange) {
      throw new AppError('PASSWORD_CHANGE_REQUIRED');
    }
  });
}
