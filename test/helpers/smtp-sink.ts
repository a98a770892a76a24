import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the sink accepted, parsed by mailparser (a real MIME parser). */
export interface SinkMessage {
  messageId: string;
  to: string;
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpSink {
  port: number;
  url: string;
  messages: SinkMessage[];
  /** How many times each Message-ID arrived. */
  counts(): Map<string, number>;
  /** Answers RCPT TO for matching addresses with this code (e.g. 550 user unknown). */
  rejectRecipients(match: RegExp, code: number, text: string): void;
  /** Answers the next `n` messages' DATA with this code (e.g. 451 try later). */
  failNext(n: number, code: number, text: string): void;
  /** Holds each DATA answer this long (a slow server). */
  delayMs: number;
  /** Waits until `n` messages (in all) have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Closes the listener and drops open connections (a server going down). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/**
 * A real SMTP server in the test process (the `smtp-server` package, no TLS, any sender): the
 * receiving end that the notification workers talk SMTP to.
 */
export async function startSmtpSink(options: { port?: number; parse?: boolean } = {}) {
  const messages: SinkMessage[] = [];
  let rejected: { match: RegExp; code: number; text: string } | undefined;
  let failing: { n: number; code: number; text: string } | undefined;
  let server: SMTPServer | undefined;
  let port = options.port ?? 0;
  const parse = options.parse ?? true;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };

  const smtpError = (code: number, text: string) =>
    Object.assign(new Error(text), { responseCode: code });

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 25 * 1024 * 1024,
      onRcptTo(address, _session, callback) {
        if (rejected?.match.test(address.address)) {
          callback(smtpError(rejected.code, rejected.text));
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          void (async () => {
            if (failing && failing.n > 0) {
              failing.n--;
              callback(smtpError(failing.code, failing.text));
              return;
            }
            if (sink.delayMs > 0) await new Promise((r) => setTimeout(r, sink.delayMs));
            const raw = Buffer.concat(chunks).toString('utf8');
            const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';
            // Parsing before the answer keeps `parsed` ready when the sender records the send;
            // without it, the message is counted and answered in the same tick.
            const parsed = parse ? await simpleParser(raw) : ({} as ParsedMail);
            messages.push({
              messageId,
              to: session.envelope.rcptTo.map((r) => r.address).join(','),
              raw,
              parsed,
            });
            callback();
            wake();
          })();
        });
      },
    });

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = create();
      server.on('error', () => undefined);
      const s = server.server;
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        resolve();
      });
    });

  await listen();

  const sink: SmtpSink = {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    messages,
    delayMs: 0,
    counts() {
      const m = new Map<string, number>();
      for (const msg of messages) m.set(msg.messageId, (m.get(msg.messageId) ?? 0) + 1);
      return m;
    },
    rejectRecipients(match, code, text) {
      rejected = { match, code, text };
    },
    failNext(n, code, text) {
      failing = { n, code, text };
    },
    async waitFor(n, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`smtp sink: ${messages.length} of ${n} messages arrived`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 250));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      // Drop open connections at once, as a crashed or restarted server would.
      for (const conn of (s as unknown as { connections: Set<{ _socket?: { destroy(): void } }> })
        .connections) {
        conn._socket?.destroy();
      }
      await new Promise<void>((resolve) => {
        s.close(() => {
          resolve();
        });
      });
    },
    start: listen,
  };
  return sink;
}
