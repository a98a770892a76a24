import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, type ErrorParams } from '../shared/errors';
import { errorMessage, pickLanguage } from '../shared/messages';

interface Mapped {
  code: ErrorCode;
  params?: ErrorParams;
  details?: unknown;
  headers?: Record<string, string>;
}

function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = `${error.validationContext ?? 'body'}${first.instancePath || ''}`;
  if (first.keyword === 'additionalProperties') {
    const extra = (first.params as { additionalProperty?: string }).additionalProperty ?? '?';
    return `${where}: unknown field "${extra}"`;
  }
  return `${where} ${first.message ?? 'is invalid'}`;
}

/** Maps everything thrown in a request to one of the stable codes. */
function mapError(error: FastifyError | AppError | Error, uploadMaxBytes: number): Mapped {
  if (error instanceof AppError)
    return {
      code: error.code,
      params: error.params,
      details: error.details,
      headers: error.headers,
    };
  const fe = error as FastifyError;
  if (fe.validation) {
    return {
      code: 'VALIDATION_FAILED',
      params: { detail: describeValidation(fe) },
      details: fe.validation.map((v) => ({
        path: v.instancePath,
        keyword: v.keyword,
        message: v.message,
        params: v.params,
      })),
    };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return { code: 'UNSUPPORTED_MEDIA_TYPE' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'BODY_TOO_LARGE' };
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
      return { code: 'FILE_TOO_LARGE', params: { maxMb: Math.round(uploadMaxBytes / 1_048_576) } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'MALFORMED_JSON' };
    default:
      break;
  }
  if (error instanceof SyntaxError && fe.statusCode === 400) return { code: 'MALFORMED_JSON' };
  // PostgreSQL refusing a value the schemas let through (a NUL byte, an impossible date): the
  // client's input, so 400; a deadlock or serialization failure: a retryable conflict.
  const sqlState = (error as { driverError?: { code?: unknown } }).driverError?.code;
  if (typeof sqlState === 'string') {
    if (['22021', '22P02', '22007', '22008', '22001', '22003'].includes(sqlState)) {
      return {
        code: 'VALIDATION_FAILED',
        params: { detail: 'a value cannot be stored (a control character, or out of range)' },
      };
    }
    if (sqlState === '40P01' || sqlState === '40001') return { code: 'CONFLICT' };
  }
  // busboy's words for a cut or garbled multipart body.
  if (
    /^(Unexpected end of form|Multipart: Boundary not found|Malformed part header)/.test(
      error.message,
    )
  ) {
    return {
      code: 'VALIDATION_FAILED',
      params: { detail: 'the multipart body is incomplete or malformed' },
    };
  }
  if (fe.statusCode === 413) return { code: 'BODY_TOO_LARGE' };
  if (fe.statusCode === 415) return { code: 'UNSUPPORTED_MEDIA_TYPE' };
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { code: 'VALIDATION_FAILED', params: { detail: fe.message } };
  }
  return { code: 'INTERNAL' };
}

export function registerErrorHandler(app: FastifyInstance, uploadMaxBytes: number): void {
  const send = (request: FastifyRequest, reply: FastifyReply, mapped: Mapped) => {
    const err = new AppError(mapped.code, mapped.params ?? {});
    const lang = pickLanguage(request.headers['accept-language']);
    for (const [k, v] of Object.entries(mapped.headers ?? {})) void reply.header(k, v);
    return reply
      .status(err.statusCode)
      .header('content-language', lang)
      .send({
        statusCode: err.statusCode,
        code: mapped.code,
        message: errorMessage(mapped.code, lang, mapped.params),
        reqId: request.id,
        ...(mapped.details !== undefined ? { details: mapped.details } : {}),
      });
  };

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const mapped = mapError(error, uploadMaxBytes);
    if (mapped.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error');
    else request.log.info({ code: mapped.code }, 'request rejected');
    return send(request, reply, mapped);
  });

  app.setNotFoundHandler({}, (request, reply) => send(request, reply, { code: 'ROUTE_NOT_FOUND' }));
}
