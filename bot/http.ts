import http from 'node:http';
import https from 'node:https';

/**
 * A small JSON-over-HTTP(S) client on node:http with keep-alive agents, for the bot's calls that
 * run once per chat message (Loket's API, the Graph API's send). `fetch` (undici and its web
 * streams) cost several times the CPU per request, on the same core as the conversation.
 */
export interface HttpAnswer {
  status: number;
  /** The parsed JSON body, or `{}` when it was empty or not JSON. */
  json: unknown;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /**
   * Send once more when a kept-alive connection turns out closed before any answer (the server
   * dropped it while idle): only for a request that is harmless to repeat.
   */
  retryStale?: boolean;
}

/** An error of the request itself: `code` as Node gives it (ECONNREFUSED, …) or `TIMEOUT`. */
export class HttpRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpRequestError';
  }
}

const MAX_ANSWER_BYTES = 8 * 1_048_576;

export function createHttpClient(options: { maxSockets?: number; idleMs?: number } = {}) {
  // An idle kept-alive connection is closed after 4 s, before a server's own idle timeout (Node's
  // default is 5 s) can close it under a request just written to it (a reset: for a send, an
  // uncertain attempt that is not repeated).
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 64,
    timeout: options.idleMs ?? 4000,
  };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

  function once(url: URL, req: HttpRequest): Promise<HttpAnswer> {
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const outgoing = (secure ? https : http).request(
        url,
        {
          method: req.method,
          agent: secure ? agents.https : agents.http,
          headers: {
            ...req.headers,
            ...(req.body !== undefined ? { 'content-length': Buffer.byteLength(req.body) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              res.destroy(new HttpRequestError('ANSWER_TOO_LARGE', 'the answer is too large'));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (err) => {
            clearTimeout(timer);
            reject(
              err instanceof HttpRequestError ? err : new HttpRequestError('RESET', err.message),
            );
          });
          res.on('end', () => {
            clearTimeout(timer);
            let json: unknown = {};
            try {
              if (size > 0) json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              json = {};
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      const timer = setTimeout(() => {
        outgoing.destroy(new HttpRequestError('TIMEOUT', 'no answer in time'));
      }, req.timeoutMs);
      outgoing.on('error', (err: Error & { code?: string }) => {
        clearTimeout(timer);
        const stale = outgoing.reusedSocket && err.code === 'ECONNRESET';
        reject(
          err instanceof HttpRequestError
            ? err
            : Object.assign(new HttpRequestError(err.code ?? 'NETWORK', err.message), { stale }),
        );
      });
      outgoing.end(req.body);
    });
  }

  return {
    async request(url: URL, req: HttpRequest): Promise<HttpAnswer> {
      try {
        return await once(url, req);
      } catch (err) {
        if (req.retryStale && (err as { stale?: boolean }).stale) return once(url, req);
        throw err;
      }
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
