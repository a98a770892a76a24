import { Type, type TSchema } from '@sinclair/typebox';
import { errorCodes } from './errors';

export const ErrorBodySchema = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.Union(Object.keys(errorCodes).map((c) => Type.Literal(c))),
    message: Type.String({
      description: 'Bahasa Indonesia by default; English with Accept-Language: en',
    }),
    reqId: Type.String(),
    details: Type.Optional(Type.Unknown()),
  },
  {
    $id: 'ErrorBody',
    description: 'Every error the API returns has this shape; `code` is stable.',
  },
);

/** The error responses a route may give, by status. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of [400, 401, 403, 500, ...statuses]) out[s] = Type.Ref('ErrorBody');
  return out;
}

/**
 * A POST that takes no body: nothing, or `{}` (JSON). Anything else (a field, text, an array) is
 * refused with 400 VALIDATION_FAILED. Use with `preValidation: noBodyIsEmpty`.
 */
export const EmptyBodySchema = Type.Object(
  {},
  { additionalProperties: false, description: 'No body, or `{}`' },
);

/** A request without a body validates as `{}` against EmptyBodySchema. */
export function noBodyIsEmpty(request: { body: unknown }): Promise<void> {
  if (request.body === undefined) request.body = {};
  return Promise.resolve();
}

export const UuidSchema = Type.String({ format: 'uuid' });
export const IdParamsSchema = Type.Object({ id: UuidSchema }, { additionalProperties: false });

/** Opaque keyset cursor: the route encodes the last row's sort key. */
export const PageQueryFields = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
};

export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, length: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(parts) &&
      parts.length === length &&
      parts.every((p) => typeof p === 'string' || typeof p === 'number')
    ) {
      return parts.map(String);
    }
  } catch {
    // fall through
  }
  return undefined;
}

/** A string that is one of `values`, as a union of literals (enumerated in the OpenAPI document). */
export const literalUnion = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

/** An optional body field that may also be null. */
export const OptionalNullable = <T extends ReturnType<typeof Type.String>>(s: T) =>
  Type.Optional(Type.Union([s, Type.Null()]));

/** A timestamp for a response: ISO 8601, or null. */
export const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
