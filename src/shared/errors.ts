/**
 * Stable error codes of the API. Clients depend on these strings: never rename one, only add.
 * Each code has a message in templates/errors/id.json and templates/errors/en.json (a test checks).
 */
export const errorCodes = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
  FILE_TOO_LARGE: 413,
  FILE_MISSING: 400,
  CSV_NOT_UTF8: 400,
  CSV_EMPTY: 400,
  CSV_BAD_HEADER: 400,
  CSV_MALFORMED: 400,
  UNAUTHENTICATED: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  INVALID_CREDENTIALS: 401,
  REFRESH_TOKEN_INVALID: 401,
  TOO_MANY_ATTEMPTS: 429,
  FORBIDDEN: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  PASSWORD_POLICY: 400,
  CURRENT_PASSWORD_WRONG: 400,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  CONFLICT: 409,
  VERSION_CONFLICT: 409,
  ACTION_NOT_ALLOWED: 409,
  TICKET_CLOSED: 409,
  ROLE_NOT_ALLOWED: 403,
  REASON_REQUIRED: 400,
  PHONE_NOT_OF_RECORD: 400,
  FILE_TYPE_NOT_ALLOWED: 415,
  FILE_EMPTY: 400,
  USERNAME_TAKEN: 409,
  LAST_SUPERVISOR: 409,
  NOTIFICATION_NOT_DEAD: 409,
  SECRET_EXPIRED: 409,
  WEBHOOK_SIGNATURE_INVALID: 401,
  QUEUE_EMPTY: 409,
  CHAT_SESSION_UNKNOWN: 404,
  CHAT_RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorCodes;

export type ErrorParams = Record<string, string | number>;

/** An error the API reports to its client with a stable code; services throw these. */
export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams = {},
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
    this.name = 'AppError';
    this.statusCode = errorCodes[code];
  }
}

export const notFound = () => new AppError('NOT_FOUND');
export const forbidden = () => new AppError('FORBIDDEN');
