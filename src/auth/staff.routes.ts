import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actorOf } from '../plugins/access';
import { errorResponses, IdParamsSchema } from '../shared/schemas';
import {
  CreateServiceAccountBodySchema,
  CreateStaffBodySchema,
  ServiceAccountViewSchema,
  StaffViewSchema,
  StaffWithPasswordSchema,
  UpdateStaffBodySchema,
} from './auth.schemas';
import type { StaffService } from './staff.service';

const SUPERVISOR = ['SUPERVISOR'] as const;

/** Staff accounts and service accounts; SUPERVISOR only. */
export const staffRoutes: FastifyPluginAsyncTypebox<{ staff: StaffService }> = async (
  app,
  { staff },
) => {
  app.get(
    '/users',
    {
      config: { access: SUPERVISOR },
      schema: {
        tags: ['staff'],
        summary: 'List staff accounts',
        response: { 200: Type.Array(StaffViewSchema), ...errorResponses() },
      },
    },
    () => staff.list(),
  );

  app.post(
    '/users',
    {
      config: { access: SUPERVISOR },
      schema: {
        tags: ['staff'],
        summary: 'Create a staff account; its initial password is returned once',
        body: CreateStaffBodySchema,
        response: { 201: StaffWithPasswordSchema, ...errorResponses(409) },
      },
    },
    async (request, reply) => {
      const { user, initialPassword } = await staff.create(request.body, actorOf(request));
      return reply.status(201).send({ user, password: initialPassword });
    },
  );

  app.get(
    '/users/:id',
    {
      config: { access: SUPERVISOR },
      schema: {
        tags: ['staff'],
        params: IdParamsSchema,
        response: { 200: StaffViewSchema, ...errorResponses(404) },
      },
    },
    (request) => staff.get(request.params.id),
  );

  app.patch(
    '/users/:id',
    {
      config: { access: SUPERVISOR },
      schema: {
        tags: ['staff'],
        summary: 'Change name, email, role or disable; a role change or disable ends the sessions',
        params: IdParamsSchema,
        body: UpdateStaffBodySchema,
        response: { 200: StaffViewSchema, ...errorResponses(404) },
      },
    },
    (request) => staff.update(request.params.id, request.body, actorOf(request)),
  );

  app.post(
    '/users/:id/reset-password',
    {
      config: { access: SUPERVISOR },
      schema: {
        tags: ['staff'],
        summary: 'Set a new random password, returned once; it must be changed at next login',
        params: IdParamsSchema,
        response: { 200: StaffWithPasswordSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { user, temporaryPassword } = await staff.resetPassword(
        request.params.id,
        actorOf(request),
      );
      return { user, password: temporaryPassword };
    },
  );

  app.get(
    '/service-accounts',
    {
      config: { access: SUPERVISOR },
      schema: {
        tags: ['staff'],
        response: { 200: Type.Array(ServiceAccountViewSchema), ...errorResponses() },
      },
    },
    () => staff.listServiceAccounts(),
  );

  app.post(
    '/service-accounts',
    {
      config: { access: SUPERVISOR },
      schema: {
        tags: ['staff'],
        summary: 'Create a service account (BOT, INTAKE); its token is returned once',
        body: CreateServiceAccountBodySchema,
        response: {
          201: Type.Object({ account: ServiceAccountViewSchema, token: Type.String() }),
          ...errorResponses(409),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await staff.createServiceAccount(request.body, actorOf(request))),
  );

  app.delete(
    '/service-accounts/:id',
    {
      config: { access: SUPERVISOR },
      schema: {
        tags: ['staff'],
        summary: 'Revoke a service account token',
        params: IdParamsSchema,
        response: { 200: ServiceAccountViewSchema, ...errorResponses(404) },
      },
    },
    (request) => staff.revokeServiceAccount(request.params.id, actorOf(request)),
  );
};
