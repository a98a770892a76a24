import { SMTPServer } from 'smtp-server';

/**
 * The SMTP sink of the notification benchmark, run as its own process (`node --import tsx`, pinned
 * like the servers of run.ts) so that receiving mail does not compete with the senders for a CPU.
 * It accepts every message (no AUTH needed, no STARTTLS), reads only the header block of each one
 * for its Message-ID (a regex, no MIME parsing) and counts messages and distinct Message-IDs.
 *
 * IPC with the parent (process.send):
 *   -> { type: 'listening', port }                 once, when it accepts connections
 *   <- { type: 'reset' }                           forget every count and id
 *   -> { type: 'reset-done' }
 *   <- { type: 'expect', n }                       answer `reached` as soon as n messages are in
 *   -> { type: 'reached', stats }
 *   <- { type: 'stats' }
 *   -> { type: 'stats', stats }
 * where stats = { total, distinct, withoutId }: messages accepted, distinct Message-IDs among
 * them, and messages that had no Message-ID header.
 */
export interface SinkStats {
  total: number;
  distinct: number;
  withoutId: number;
}
export type SinkRequest = { type: 'reset' } | { type: 'expect'; n: number } | { type: 'stats' };
export type SinkReport =
  | { type: 'listening'; port: number }
  | { type: 'reset-done' }
  | { type: 'reached'; stats: SinkStats }
  | { type: 'stats'; stats: SinkStats };

const HEADER_END = Buffer.from('\r\n\r\n');
const MESSAGE_ID = /^message-id:[ \t]*([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)/im;

function main(): void {
  const send = (report: SinkReport) => process.send?.(report);
  let ids = new Set<string>();
  let total = 0;
  let withoutId = 0;
  let expected = Number.POSITIVE_INFINITY;
  const stats = (): SinkStats => ({ total, distinct: ids.size, withoutId });

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'loket bench sink',
    // As many connections as anyone opens; each sender pools only a few.
    maxClients: 1000,
    closeTimeout: 1000,
    onData(stream, _session, callback) {
      const head: Buffer[] = [];
      let headLength = 0;
      let headDone = false;
      stream.on('data', (chunk: Buffer) => {
        if (headDone) return;
        head.push(chunk);
        headLength += chunk.length;
        if (chunk.includes(HEADER_END) || headLength > 64 * 1024) headDone = true;
      });
      stream.on('end', () => {
        const raw = Buffer.concat(head, headLength);
        const end = raw.indexOf(HEADER_END);
        const header = (end >= 0 ? raw.subarray(0, end) : raw).toString('latin1');
        const id = MESSAGE_ID.exec(header)?.[1]
          ?.replace(/\r\n[ \t]+/g, ' ')
          .trim();
        total++;
        if (id) ids.add(id);
        else withoutId++;
        callback();
        if (total === expected) {
          expected = Number.POSITIVE_INFINITY;
          send({ type: 'reached', stats: stats() });
        }
      });
    },
  });
  server.on('error', (err) => {
    process.stderr.write(`smtp sink: ${err.message}\n`);
  });

  process.on('message', (msg: SinkRequest) => {
    switch (msg.type) {
      case 'reset':
        ids = new Set();
        total = 0;
        withoutId = 0;
        expected = Number.POSITIVE_INFINITY;
        send({ type: 'reset-done' });
        break;
      case 'expect':
        if (total >= msg.n) send({ type: 'reached', stats: stats() });
        else expected = msg.n;
        break;
      case 'stats':
        send({ type: 'stats', stats: stats() });
        break;
    }
  });
  // The parent went away (or closed the channel): stop.
  process.on('disconnect', () => {
    server.close(() => process.exit(0));
  });
  process.on('SIGTERM', () => {
    server.close(() => process.exit(0));
  });

  const listener = server.listen(0, '127.0.0.1', () => {
    const address = listener.address();
    if (address === null || typeof address === 'string') throw new Error('sink: no TCP port');
    send({ type: 'listening', port: address.port });
  });
}

main();
