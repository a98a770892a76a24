import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks the WhatsApp Cloud API's JSON (the only fake in the WhatsApp tests:
 * Meta's Graph API): it records every send, answers with a wamid, serves media by id (metadata,
 * then the bytes at a short-lived URL on itself, both behind the bearer token) and lets a test
 * answer a send its own way (rate limit, undeliverable, a proxy's HTML 404).
 */
export interface GraphRequest {
  method: string;
  path: string;
  auth: string | undefined;
  body: {
    to?: string;
    recipient?: string;
    type: string;
    text?: { body: string };
    interactive?: {
      type: string;
      body: { text: string };
      action: {
        button: string;
        sections: { title: string; rows: { id: string; title: string; description?: string }[] }[];
      };
    };
    template?: {
      name: string;
      language: { code: string };
      components: { type: string; parameters: { type: string; text: string }[] }[];
    };
  };
}

export type GraphAnswer = { status: number; json?: unknown; text?: string } | undefined;

export interface FakeGraph {
  baseUrl: string;
  /** Every POST to /<version>/<phone-number-id>/messages, in order. */
  requests: GraphRequest[];
  /** Every GET (media metadata and downloads), by path. */
  gets: string[];
  /** Media by id: what GET /<version>/<id> describes and its URL serves. */
  media: Map<string, { data: Buffer; mimeType: string; declaredSize?: number }>;
  /** Answers a send differently when it returns an answer (else a wamid). */
  respond: ((req: GraphRequest) => GraphAnswer) | null;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      resolve(data);
    });
  });

export async function startFakeGraph(token: string): Promise<FakeGraph> {
  const fake: Omit<FakeGraph, 'baseUrl' | 'close'> = {
    requests: [],
    gets: [],
    media: new Map(),
    respond: null,
  };
  let baseUrl = '';
  const server: Server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const path = req.url ?? '';
      const json = (status: number, body: unknown) => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET') {
        fake.gets.push(path);
        if (req.headers.authorization !== `Bearer ${token}`) {
          json(401, { error: { message: 'Invalid OAuth access token', code: 190 } });
          return;
        }
        const download = /^\/media-bytes\/([^/?]+)/.exec(path);
        const meta = /^\/v[0-9.]+\/([^/?]+)$/.exec(path);
        const id = decodeURIComponent(download?.[1] ?? meta?.[1] ?? '');
        const item = fake.media.get(id);
        if (!item) {
          json(404, { error: { message: 'Unsupported get request', code: 100 } });
          return;
        }
        if (download) {
          res.setHeader('content-type', item.mimeType);
          res.end(item.data);
          return;
        }
        json(200, {
          messaging_product: 'whatsapp',
          id,
          url: `${baseUrl}/media-bytes/${encodeURIComponent(id)}?ext=1`,
          mime_type: item.mimeType,
          sha256: 'x',
          file_size: item.declaredSize ?? item.data.length,
        });
        return;
      }
      const request: GraphRequest = {
        method: req.method ?? '',
        path,
        auth: req.headers.authorization,
        body: JSON.parse(raw || '{}') as GraphRequest['body'],
      };
      fake.requests.push(request);
      const answer = fake.respond?.(request);
      if (answer) {
        res.statusCode = answer.status;
        if (answer.text !== undefined) {
          res.setHeader('content-type', 'text/html');
          res.end(answer.text);
        } else json(answer.status, answer.json ?? {});
        return;
      }
      const to = request.body.to ?? request.body.recipient ?? '';
      json(200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: to }],
        messages: [{ id: `wamid.HBgN${String(fake.requests.length)}` }],
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return Object.assign(fake, {
    baseUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  });
}

/** Meta's webhook envelope around one change value (field `messages`). */
export function cloudEnvelope(phoneNumberId: string, ...values: Record<string, unknown>[]) {
  return {
    object: 'whatsapp_business_account',
    entry: values.map((value, i) => ({
      id: `10229012934039${String(i)}`,
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '6281100001111', phone_number_id: phoneNumberId },
            ...value,
          },
        },
      ],
    })),
  };
}
