import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createCloudApiTransport } from '../../bot/cloud-api';
import { createHttpClient, HttpRequestError } from '../../bot/http';
import { freePort } from '../../src/infra/ports';

/** The bot's keep-alive JSON client (bot/http.ts) against a local server. */
describe("the bot's HTTP client", () => {
  let server: Server;
  let base: string;
  /** How many requests each connection carried; the second on one is dropped when asked. */
  const served = new Map<Socket, number>();
  let dropReused = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (dropReused && n > 1) {
        req.socket.destroy(); // an idle connection the server closed: no answer at all
        return;
      }
      if (req.url?.startsWith('/slow')) return; // never answers
      if (req.url === '/text') {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test('JSON in and out on one kept-alive connection; a body that is not JSON reads as {}', async () => {
    const http = createHttpClient();
    try {
      served.clear();
      const a = await http.request(new URL(`${base}/x`), {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: JSON.stringify({ café: 1 }),
        timeoutMs: 2000,
      });
      expect(a).toEqual({
        status: 200,
        json: { method: 'POST', body: '{"café":1}', auth: 'Bearer t' },
      });
      await http.request(new URL(`${base}/x`), { method: 'GET', headers: {}, timeoutMs: 2000 });
      expect([...served.values()]).toEqual([2]);
      const bad = await http.request(new URL(`${base}/text`), {
        method: 'GET',
        headers: {},
        timeoutMs: 2000,
      });
      expect(bad).toEqual({ status: 502, json: {} });
    } finally {
      http.close();
    }
  });

  test('an idle kept-alive connection is closed before a server would close it', async () => {
    const http = createHttpClient({ idleMs: 200 });
    const get = () =>
      http.request(new URL(`${base}/x`), { method: 'GET', headers: {}, timeoutMs: 2000 });
    try {
      served.clear();
      await get();
      await get();
      expect([...served.values()]).toEqual([2]);
      await new Promise((r) => setTimeout(r, 500));
      await get();
      expect([...served.values()]).toEqual([2, 1]);
    } finally {
      http.close();
    }
  });

  test('a timeout is an error of its own', async () => {
    const http = createHttpClient();
    try {
      await expect(
        http.request(new URL(`${base}/slow`), { method: 'GET', headers: {}, timeoutMs: 200 }),
      ).rejects.toMatchObject({ name: 'HttpRequestError', code: 'TIMEOUT' });
    } finally {
      http.close();
    }
  });

  test('a kept-alive connection closed by the server: a read is sent again, anything else is not', async () => {
    const http = createHttpClient();
    const get = (retryStale: boolean) =>
      http.request(new URL(`${base}/x`), {
        method: 'POST',
        headers: {},
        body: '{}',
        timeoutMs: 2000,
        retryStale,
      });
    try {
      dropReused = false;
      await get(false); // opens the connection that the next request reuses
      dropReused = true;
      await expect(get(true)).resolves.toMatchObject({ status: 200 });
      // The retried request went on a new connection; reuse that one, without the retry.
      const err = (await get(false).catch((e: unknown) => e)) as HttpRequestError;
      expect(err).toBeInstanceOf(HttpRequestError);
      expect(err.code).toBe('ECONNRESET');
    } finally {
      dropReused = false;
      http.close();
    }
  });

  test('a Cloud API send that never left is certain; one without an answer is uncertain', async () => {
    const cloud = (baseUrl: string) =>
      createCloudApiTransport({
        baseUrl,
        apiVersion: 'v23.0',
        phoneNumberId: '1',
        token: 't',
        timeoutMs: 200,
      });
    const refused = await cloud(`http://127.0.0.1:${String(await freePort())}`)
      .sendText('6281234567890', 'halo')
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'NETWORK_ECONNREFUSED',
      permanent: false,
      uncertain: false,
    });
    // The local server never answers '/slow…'; a base URL ending there makes the send path slow.
    const silent = await cloud(`${base}/slow`)
      .sendText('6281234567890', 'halo')
      .catch((e: unknown) => e);
    expect(silent).toMatchObject({ code: 'TIMEOUT', permanent: false, uncertain: true });
  });
});
