import { TransportError, type OutboundTransport } from './transport';

/**
 * The WhatsApp Business Cloud API as an outbound transport: `POST
 * <base>/<version>/<phone-number-id>/messages` with the bearer token. The base URL is config, so
 * tests and staging point it at a local server that speaks the same JSON.
 */
export interface CloudApiConfig {
  baseUrl: string;
  apiVersion: string;
  phoneNumberId: string;
  token: string;
  timeoutMs?: number;
}

/** Error codes that retrying the same message cannot fix (Meta's error code reference). */
const PERMANENT_CODES = new Set([
  // Not 100 (invalid parameter): Meta answers it for a wrong phone-number id or token scope too,
  // a setting the operator fixes; every notice must not die of it.
  131008, // required parameter missing
  131009, // parameter value invalid
  131026, // message undeliverable (not on WhatsApp, old app, ...)
  131047, // re-engagement: outside the 24-hour window
  131051, // unsupported message type
  132000, // template parameter count mismatch
  132001, // template does not exist
  132005, // template hydrated text too long
  132007, // template format character policy violated
  132012, // template parameter format mismatch
  132015, // template paused
  132016, // template disabled
]);

interface GraphError {
  error?: { message?: string; code?: number; error_subcode?: number };
}

/** The Cloud API addresses a person by digits only; a `@lid` identity is not a number. */
function cloudRecipient(to: string): string {
  const digits = to.replace(/^\+/, '').replace(/@(c\.us|s\.whatsapp\.net)$/, '');
  if (!/^[0-9]{8,15}$/.test(digits)) {
    throw new TransportError(true, 'NOT_A_PHONE', 'the recipient is not a phone number');
  }
  return digits;
}

export function createCloudApiTransport(config: CloudApiConfig): OutboundTransport {
  const url = `${config.baseUrl.replace(/\/$/, '')}/${config.apiVersion}/${config.phoneNumberId}/messages`;

  async function send(body: Record<string, unknown>): Promise<{ messageId: string }> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${config.token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          ...body,
        }),
        signal: AbortSignal.timeout(config.timeoutMs ?? 20_000),
      });
    } catch (err) {
      const timeout = err instanceof Error && err.name === 'TimeoutError';
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? '';
      // Refused or unresolved: the request never left. Anything else (a timeout, a reset) may
      // have reached Meta: the record counts it as uncertain.
      const neverSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(cause);
      throw new TransportError(
        false,
        timeout ? 'TIMEOUT' : `NETWORK${cause ? `_${cause}` : ''}`,
        'no answer',
        !neverSent,
      );
    }
    const json = (await res.json().catch(() => ({}))) as GraphError & {
      messages?: { id?: string }[];
    };
    if (res.ok) {
      const id = json.messages?.[0]?.id;
      if (!id)
        throw new TransportError(false, 'NO_MESSAGE_ID', 'the answer had no message id', true);
      return { messageId: id };
    }
    const code = json.error?.code;
    // Only Meta's known per-message codes are permanent. 401/403 (token), 404 (a wrong base URL),
    // 429 and 130429 (throughput), 131056 (pair rate), 5xx: retried, so a setting can be fixed.
    const permanent = code !== undefined && PERMANENT_CODES.has(code);
    const detail = (json.error?.message ?? `HTTP ${String(res.status)}`).slice(0, 200);
    throw new TransportError(
      permanent,
      code !== undefined ? `CLOUD_${String(code)}` : `HTTP_${String(res.status)}`,
      detail,
    );
  }

  return {
    name: 'cloud-api',
    sendText: (to, text) =>
      send({ to: cloudRecipient(to), type: 'text', text: { body: text.slice(0, 4096) } }),
    sendTemplate: (to, template) =>
      send({
        to: cloudRecipient(to),
        type: 'template',
        template: {
          name: template.name,
          language: { code: template.language },
          components: [
            {
              type: 'body',
              parameters: template.parameters.map((text) => ({ type: 'text', text })),
            },
          ],
        },
      }),
  };
}
