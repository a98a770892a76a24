import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type {} from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { actorOf } from '../plugins/access';
import { AppError } from '../shared/errors';
import { errorResponses, IdParamsSchema } from '../shared/schemas';
import type { RegistryService } from './registry.service';
import {
  ImportDetailSchema,
  ImportReportSchema,
  ImportSummarySchema,
  ListImportsQuerySchema,
  RegistryEntrySchema,
  RegistrySearchBodySchema,
  RegistrySearchResponseSchema,
} from './registry.schemas';

const READERS = ['HELPDESK', 'ADMIN_PPE', 'SUPERVISOR', 'AUDITOR'] as const;
const IMPORTERS = ['ADMIN_PPE', 'SUPERVISOR'] as const;
const IMPORT_READERS = ['ADMIN_PPE', 'SUPERVISOR', 'AUDITOR'] as const;

/** The registry: search and view entries, import CSV files, read the import reports. */
export const registryRoutes: FastifyPluginAsyncTypebox<{
  registry: RegistryService;
  uploadMaxBytes: number;
}> = async (app, { registry, uploadMaxBytes }) => {
  app.post(
    '/search',
    {
      config: { access: READERS },
      schema: {
        tags: ['registry'],
        summary: 'Find registry entries by exactly one criterion (keyset pagination by name)',
        body: RegistrySearchBodySchema,
        response: { 200: RegistrySearchResponseSchema, ...errorResponses() },
      },
    },
    (request) => registry.search(request.body),
  );

  app.get(
    '/entries/:id',
    {
      config: { access: READERS },
      schema: {
        tags: ['registry'],
        summary: 'One registry entry; ADMIN_PPE and SUPERVISOR also get the full NIK (audited)',
        params: IdParamsSchema,
        response: { 200: RegistryEntrySchema, ...errorResponses(404) },
      },
    },
    (request) => {
      const principal = request.principal;
      if (!principal) throw new AppError('UNAUTHENTICATED');
      return registry.get(request.params.id, { role: principal.role }, actorOf(request));
    },
  );

  app.post(
    '/imports',
    {
      config: { access: IMPORTERS },
      schema: {
        tags: ['registry'],
        summary: 'Import a registry CSV (multipart field `file`, UTF-8, `,` or `;` separated)',
        description:
          'Columns: user_id, full_name, nik, spse_role, agency (required); nip, unit, email, phone, ' +
          'birth_place, birth_date, sk_reference (optional). Good rows are imported even when others ' +
          'are bad; the report lists each bad row by line, field and reason.',
        consumes: ['multipart/form-data'],
        response: { 200: ImportReportSchema, ...errorResponses(413, 415) },
      },
    },
    async (request) => {
      const part = await request.file({ limits: { fileSize: uploadMaxBytes } });
      if (part?.fieldname !== 'file') {
        part?.file.resume();
        throw new AppError('FILE_MISSING');
      }
      const dir = await mkdtemp(join(tmpdir(), 'loket-registry-'));
      try {
        const path = join(dir, 'upload.csv');
        await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
        if (part.file.truncated) throw new app.multipartErrors.RequestFileTooLargeError();
        return await registry.importCsvFile(path, {
          fileName: part.filename,
          actor: actorOf(request),
        });
      } finally {
        // The upload holds NIKs: it must not outlive the request, whatever happened.
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  app.get(
    '/imports',
    {
      config: { access: IMPORT_READERS },
      schema: {
        tags: ['registry'],
        summary: 'Registry imports, newest first',
        querystring: ListImportsQuerySchema,
        response: { 200: Type.Array(ImportSummarySchema), ...errorResponses() },
      },
    },
    (request) => registry.listImports(request.query.limit ?? 50),
  );

  app.get(
    '/imports/:id',
    {
      config: { access: IMPORT_READERS },
      schema: {
        tags: ['registry'],
        summary: 'One import with its per-row error report',
        params: IdParamsSchema,
        response: { 200: ImportDetailSchema, ...errorResponses(404) },
      },
    },
    (request) => registry.getImport(request.params.id),
  );
};
