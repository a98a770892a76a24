import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actorOf, staffOf } from '../plugins/access';
import { errorResponses } from '../shared/schemas';
import type { AuthService, IssuedSession } from './auth.service';
import {
  ChangePasswordBodySchema,
  LoginBodySchema,
  LogoutBodySchema,
  MeResponseSchema,
  RefreshBodySchema,
  SessionResponseSchema,
} from './auth.schemas';
import { toStaffView } from './staff.service';

export const authRoutes: FastifyPluginAsyncTypebox<{
  auth: AuthService;
  accessTtlSeconds: number;
}> = async (app, { auth, accessTtlSeconds }) => {
  const sessionBody = (s: IssuedSession) => ({
    tokenType: 'Bearer' as const,
    accessToken: app.jwt.sign({ ...s.claims }),
    expiresIn: accessTtlSeconds,
    refreshToken: s.refreshToken,
    refreshExpiresAt: s.refreshExpiresAt.toISOString(),
    user: toStaffView(s.user),
  });

  app.post(
    '/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username and password',
        body: LoginBodySchema,
        response: { 200: SessionResponseSchema, ...errorResponses(429) },
      },
    },
    async (request) =>
      sessionBody(await auth.login(request.body.username, request.body.password, actorOf(request))),
  );

  app.post(
    '/refresh',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new access token and a new refresh token',
        body: RefreshBodySchema,
        response: { 200: SessionResponseSchema, ...errorResponses() },
      },
    },
    async (request) => sessionBody(await auth.refresh(request.body.refreshToken, actorOf(request))),
  );

  app.post(
    '/logout',
    {
      config: { access: 'staff', allowPendingPasswordChange: true },
      schema: {
        tags: ['auth'],
        summary: 'End this session, or every session of the account',
        body: Type.Optional(LogoutBodySchema),
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      // The body is optional: a bare POST ends this session only.
      const body = request.body as { everywhere?: boolean } | undefined;
      await auth.logout(staffOf(request), body?.everywhere ?? false, actorOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      config: {
        access: ['FRONT_OFFICE', 'HELPDESK', 'ADMIN_PPE', 'SUPERVISOR', 'AUDITOR', 'BOT', 'INTAKE'],
        allowPendingPasswordChange: true,
      },
      schema: {
        tags: ['auth'],
        summary: 'Who am I',
        response: { 200: MeResponseSchema, ...errorResponses() },
      },
    },
    (request) => {
      const p = request.principal;
      if (!p) throw new Error('principal missing after access check');
      return p.kind === 'staff'
        ? {
            kind: p.kind,
            id: p.id,
            username: p.username,
            fullName: p.fullName,
            role: p.role,
            mustChangePassword: p.mustChangePassword,
          }
        : { kind: p.kind, id: p.id, name: p.name, role: p.role };
    },
  );

  app.post(
    '/password',
    {
      config: { access: 'staff', allowPendingPasswordChange: true },
      schema: {
        tags: ['auth'],
        summary: 'Change my password (other sessions end)',
        body: ChangePasswordBodySchema,
        response: { 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      await auth.changePassword(
        staffOf(request),
        request.body.currentPassword,
        request.body.newPassword,
        actorOf(request),
      );
      return reply.status(204).send(null);
    },
  );
};
