import { Type } from '@sinclair/typebox';
import { literalUnion, OptionalNullable } from '../shared/schemas';
import { actionNames, channels, documentKinds, ticketTypes } from '../workflow/workflow.types';

export const TicketTypeSchema = literalUnion(ticketTypes);
export const ChannelSchema = literalUnion(channels);
export const DocumentKindSchema = literalUnion(documentKinds);
export const ActionNameSchema = literalUnion(actionNames);

export const CreateTicketBodySchema = Type.Object(
  {
    type: TicketTypeSchema,
    channel: ChannelSchema,
    language: Type.Optional(Type.Union([Type.Literal('id'), Type.Literal('en')])),
    requester: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 200 }),
        userId: OptionalNullable(Type.String({ maxLength: 100 })),
        nik: OptionalNullable(
          Type.String({ maxLength: 30, description: '16 digits; stored encrypted' }),
        ),
        nip: OptionalNullable(Type.String({ maxLength: 30 })),
        spseRole: OptionalNullable(Type.String({ maxLength: 40 })),
        agency: OptionalNullable(Type.String({ maxLength: 200 })),
        email: OptionalNullable(Type.String({ maxLength: 254 })),
        phone: OptionalNullable(Type.String({ maxLength: 30 })),
      },
      { additionalProperties: false },
    ),
    contact: Type.Object(
      {
        kind: Type.Union([
          Type.Literal('EMAIL'),
          Type.Literal('WHATSAPP'),
          Type.Literal('PHONE'),
          Type.Literal('NONE'),
        ]),
        address: OptionalNullable(Type.String({ maxLength: 254 })),
      },
      {
        additionalProperties: false,
        description: 'Where the request came from; a claim, never where secrets go.',
      },
    ),
    message: OptionalNullable(Type.String({ maxLength: 20000 })),
  },
  { additionalProperties: false },
);

const TicketSummaryFields = {
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  type: Type.Union([TicketTypeSchema, Type.Null()], {
    description: 'Null while an email request waits for the helpdesk to classify it',
  }),
  channel: ChannelSchema,
  language: Type.String(),
  workflowId: Type.String(),
  step: Type.String(),
  stepLabel: Type.String(),
  stepStartedAt: Type.String({ format: 'date-time' }),
  stepDueAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  stepBreached: Type.Boolean(),
  assigneeId: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
  requesterName: Type.String(),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  /** The requester asked the WhatsApp bot for a person; cleared by a staff reply. */
  needsPerson: Type.Boolean(),
};

export const TicketSummarySchema = Type.Object(TicketSummaryFields);

const Str = Type.Union([Type.String(), Type.Null()]);
const Json = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]);

export const TicketDetailSchema = Type.Object({
  ...TicketSummaryFields,
  requester: Type.Object({
    name: Type.String(),
    userId: Str,
    nik: Str,
    nikMasked: Str,
    nip: Str,
    spseRole: Str,
    agency: Str,
    email: Str,
    phone: Str,
  }),
  contact: Type.Object({ kind: Type.String(), address: Str }),
  registryEntryId: Str,
  missingDocuments: Type.Array(Type.String()),
  requiredDocuments: Type.Array(Type.String()),
  validity: Json,
  rejectReasonCode: Str,
  rejectNote: Str,
  resolution: Json,
  archiveNumber: Str,
  retainUntil: Str,
  allowedActions: Type.Array(Type.String()),
  deadlines: Type.Array(
    Type.Object({
      step: Type.String(),
      startedAt: Type.String({ format: 'date-time' }),
      dueAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      workingMinutes: Type.Union([Type.Integer(), Type.Null()]),
      breached: Type.Boolean(),
    }),
  ),
  events: Type.Array(
    Type.Object({
      at: Type.String({ format: 'date-time' }),
      actorType: Type.String(),
      actorId: Str,
      actorLabel: Str,
      actorRole: Str,
      action: Type.String(),
      fromStep: Str,
      toStep: Str,
      reason: Str,
      data: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  documents: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      fileName: Type.String(),
      contentType: Type.String(),
      sizeBytes: Type.Integer(),
      sha256: Type.String(),
      createdAt: Type.String({ format: 'date-time' }),
      deleted: Type.Boolean(),
    }),
  ),
  messages: Type.Array(
    Type.Object({
      id: Type.String(),
      direction: Type.String(),
      channel: Type.String(),
      body: Type.String(),
      authorType: Type.String(),
      createdAt: Type.String({ format: 'date-time' }),
    }),
  ),
});

export const ListTicketsQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    step: Type.Optional(Type.String({ maxLength: 40 })),
    type: Type.Optional(TicketTypeSchema),
    channel: Type.Optional(ChannelSchema),
    assigneeId: Type.Optional(Type.String({ format: 'uuid' })),
    breached: Type.Optional(Type.Boolean()),
    open: Type.Optional(Type.Boolean({ description: 'true: not archived; false: archived' })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    code: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);

/** What a client may ask for; `document_added` happens only when a document arrives. */
export const PublicActionNameSchema = literalUnion(
  actionNames.filter((a) => a !== 'document_added'),
);

export const ActionBodySchema = Type.Object(
  {
    action: PublicActionNameSchema,
    version: Type.Integer({ minimum: 1, description: 'The ticket version the client saw' }),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    reason: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const ActionResultSchema = Type.Object({
  ticket: TicketSummarySchema,
  temporaryPassword: Type.Optional(
    Type.String({
      description: 'Manual connector only: shown once, to set in SPSE; never shown again',
    }),
  ),
});

export const StatusQueryBodySchema = Type.Object(
  {
    code: Type.String({ pattern: '^[Ll][Kk][Tt]-[0-9]{4}-[0-9]{5,}$' }),
    contactAddress: Type.String({ minLength: 3, maxLength: 254 }),
  },
  { additionalProperties: false },
);
