import { Type } from '@sinclair/typebox';
import { PageQueryFields } from '../shared/schemas';
import { spseRoleCodes } from './spse-roles';

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);

export const SpseRoleSchema = Type.Union(spseRoleCodes.map((c) => Type.Literal(c)));

/**
 * Search criteria travel in a POST body, never the URL: an NIK in a query string would end up
 * in proxy and access logs. Exactly one criterion per request (the service checks).
 */
export const RegistrySearchBodySchema = Type.Object(
  {
    userId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Exact, case-insensitive' }),
    ),
    nip: Type.Optional(
      Type.String({ minLength: 1, maxLength: 30, description: '18 digits; spaces ignored' }),
    ),
    nik: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 30,
        description: '16 digits; spaces ignored; matched by keyed hash',
      }),
    ),
    email: Type.Optional(
      Type.String({ minLength: 1, maxLength: 254, description: 'Exact, case-insensitive' }),
    ),
    phone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 30,
        description: 'Any Indonesian form: 0812..., 62812..., +62 812-...',
      }),
    ),
    namePrefix: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Start of the full name, case-insensitive',
      }),
    ),
    ...PageQueryFields,
  },
  {
    additionalProperties: false,
    description: 'Exactly one of userId, nip, nik, email, phone, namePrefix.',
  },
);

const entryFields = {
  id: Type.String({ format: 'uuid' }),
  userId: Type.String(),
  fullName: Type.String(),
  nikMasked: Type.String({ description: 'First four and last four digits, e.g. 3171********0001' }),
  nip: Nullable(Type.String()),
  spseRole: SpseRoleSchema,
  spseRoleLabel: Type.String(),
  agency: Type.String(),
  unit: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String({ description: 'E.164, e.g. +6281234567890' })),
  birthPlace: Nullable(Type.String()),
  birthDate: Nullable(Type.String({ format: 'date' })),
  skReference: Nullable(Type.String()),
  source: Type.String({ description: 'Where the entry came from, e.g. csv:registrasi-2026.csv' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
};

/** A list item: never the full NIK. */
export const RegistryEntrySummarySchema = Type.Object(entryFields, { additionalProperties: false });

export const RegistryEntrySchema = Type.Object(
  {
    ...entryFields,
    nik: Type.Optional(
      Type.String({
        description: 'Full NIK; only for ADMIN_PPE and SUPERVISOR, and each view is audited',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RegistrySearchResponseSchema = Type.Object({
  items: Type.Array(RegistryEntrySummarySchema),
  nextCursor: Nullable(Type.String()),
});

export const ImportRowErrorSchema = Type.Object({
  line: Type.Integer({ description: 'Physical line in the file; the header is line 1' }),
  field: Type.String({ description: 'Column name, or (row) for the row as a whole' }),
  reason: Type.String(),
});

export const ImportReportSchema = Type.Object({
  importId: Type.String({ format: 'uuid' }),
  totalRows: Type.Integer(),
  inserted: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  errorRows: Type.Integer({ description: 'Rows not imported because of at least one error' }),
  errors: Type.Array(ImportRowErrorSchema),
  errorsTruncated: Type.Boolean({
    description: 'True when there were more errors than the list holds',
  }),
});

const importFields = {
  id: Type.String({ format: 'uuid' }),
  fileName: Type.String(),
  fileSha256: Type.String(),
  actorId: Nullable(Type.String()),
  totalRows: Type.Integer(),
  inserted: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  errorRows: Type.Integer(),
  finished: Type.Boolean({
    description: 'False while running or when it stopped on a database failure',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
};

export const ImportSummarySchema = Type.Object(importFields);
export const ImportDetailSchema = Type.Object({
  ...importFields,
  errors: Type.Array(ImportRowErrorSchema),
});

export const ListImportsQuerySchema = Type.Object(
  { limit: PageQueryFields.limit },
  { additionalProperties: false },
);
