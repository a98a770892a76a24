import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { Pool } from 'pg';

/**
 * The `email` case of `npm run bench`: mail into Loket's SMTP intake. Each round runs, one after
 * the other, a receiving process pinned to CPU 0 (bench/email-server-process.ts) and this
 * process's sender pinned to CPU 1 (nodemailer, pooled, 10 connections):
 *
 *   baseline  a plain smtp-server that accepts and discards: messages per second from the first
 *             send until every message got its 250.
 *   Loket     the email intake (EMAIL_INTAKE=smtp): each message is stored (raw file and
 *             inbound_emails row, both durable) before its 250, then processed in the same process
 *             from the raw the listener holds (the inbound-email queue takes only what overflows
 *             or fails) into a ticket with its document and its acknowledgement committed to the
 *             outbox.
 *             BENCH_EMAIL_ACKS=1 runs the whole worker process instead, which also sends the
 *             acknowledgements (outbox relay, notification workers, SMTP to a second discarding
 *             server on CPU 1, as to a relay in production); sending notices alone is the
 *             `notify` case's measure.
 *             Messages per second from the first send until the database holds every ticket with
 *             its document; the rate at which the 250s came back is shown too.
 *
 * The same BENCH_EMAIL_COUNT messages (default 300) both ways: unique Message-IDs and senders, a
 * short Indonesian request and a 200 KB PDF attached. Afterwards every Message-ID must have made
 * exactly one ticket message and one document (lost / duplicated are reported). The ratio of a
 * round is Loket's rate over the baseline's; the case reports the median (goal >= 0.30x).
 */
export const EMAIL_COUNT = Number(process.env.BENCH_EMAIL_COUNT ?? 300);
const PDF_BYTES = 200 * 1024;

export interface EmailOptions {
  dbUrl: string;
  env: Record<string, string>;
  rounds: number;
  pin: (cpu: number, cmd: string[]) => string[];
  children: Set<ChildProcess>;
  root: string;
}

export interface EmailRound {
  baseline: number;
  loketAccepted: number;
  loket: number;
  lost: number;
  duplicated: number;
}

async function startServer(
  opts: EmailOptions,
  mode: 'baseline' | 'loket',
  env: NodeJS.ProcessEnv,
  cpu = 0,
): Promise<{ port: number; stop(): Promise<void> }> {
  const profile =
    mode === 'loket' && process.env.BENCH_PROFILE_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
      : [];
  const [bin, ...args] = opts.pin(cpu, [
    'node',
    ...profile,
    '--import',
    'tsx',
    'bench/email-server-process.ts',
    mode,
  ]);
  const child = spawn(bin ?? 'node', args, {
    cwd: opts.root,
    env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  opts.children.add(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { type: string; port: number }) => {
      resolve(m.port);
    });
    child.once('exit', (code) => {
      reject(new Error(`email bench ${mode} server exited with ${String(code)}`));
    });
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          opts.children.delete(child);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Sends `count` messages through a pooled transport; resolves when every one was accepted. */
async function sendAll(port: number, round: string, count: number, pdf: Buffer): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 10,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  try {
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        transport.sendMail({
          from: `Pemohon ${String(i)} <pemohon.${round}.${String(i)}@bench.example>`,
          to: 'helpdesk@bench.localhost',
          subject: 'Permohonan reset password SPSE',
          messageId: `<bench-${round}-${String(i)}@bench.example>`,
          text: 'Yth. Helpdesk, saya lupa password akun SPSE. Terlampir formulir permohonan. Terima kasih.',
          attachments: [
            { filename: 'formulir-permohonan.pdf', content: pdf, contentType: 'application/pdf' },
          ],
        }),
      ),
    );
  } finally {
    transport.close();
  }
}

export async function runEmailBench(opts: EmailOptions): Promise<EmailRound[]> {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(PDF_BYTES - 9)]);
  const pool = new Pool({ connectionString: opts.dbUrl, max: 2 });
  const rounds: EmailRound[] = [];
  const count = EMAIL_COUNT;
  try {
    for (let r = 1; r <= opts.rounds; r++) {
      const tag = `${randomBytes(3).toString('hex')}r${String(r)}`;
      const env = {
        ...process.env,
        ...opts.env,
        REDIS_PREFIX: `bench-email-${tag}`,
        MAIL_FROM: 'Loket Bench <helpdesk@bench.localhost>',
        LOG_LEVEL: 'silent',
      };

      const base = await startServer(opts, 'baseline', env);
      let t0 = performance.now();
      await sendAll(base.port, `b${tag}`, count, pdf);
      const baseline = count / ((performance.now() - t0) / 1000);
      await base.stop();

      // The acknowledgements go by SMTP, as in production, to a discarding server on the
      // sender's CPU (the .eml-file fallback of a development setup is not what is measured).
      const ackSink = await startServer(opts, 'baseline', env, 1);
      const loket = await startServer(opts, 'loket', {
        ...env,
        SMTP_URL: `smtp://127.0.0.1:${String(ackSink.port)}`,
      });
      const done = async () =>
        (
          await pool.query<{ messages: string; documents: string; distinct_ids: string }>(
            `SELECT count(*) AS messages, count(DISTINCT m.external_id) AS distinct_ids,
                    (SELECT count(*) FROM documents d JOIN ticket_messages m2 ON m2.ticket_id = d.ticket_id
                      WHERE m2.external_id LIKE $1) AS documents
               FROM ticket_messages m WHERE m.external_id LIKE $1`,
            [`bench-l${tag}-%`],
          )
        ).rows[0];
      t0 = performance.now();
      await sendAll(loket.port, `l${tag}`, count, pdf);
      const accepted = count / ((performance.now() - t0) / 1000);
      let last = await done();
      let lastChange = performance.now();
      let lastDocs = -1;
      while (Number(last?.documents ?? 0) < count) {
        await new Promise((res) => setTimeout(res, 25));
        last = await done();
        const docs = Number(last?.documents ?? 0);
        if (docs !== lastDocs) {
          lastDocs = docs;
          lastChange = performance.now();
        } else if (performance.now() - lastChange > 60_000) break; // stalled: report the loss
      }
      const loketRate = Number(last?.documents ?? 0) / ((lastChange - t0) / 1000);
      await loket.stop();
      await ackSink.stop();
      const messages = Number(last?.messages ?? 0);
      const distinct = Number(last?.distinct_ids ?? 0);
      rounds.push({
        baseline,
        loketAccepted: accepted,
        loket: loketRate,
        lost: count - distinct,
        duplicated: messages - distinct,
      });
      process.stdout.write(
        `email round ${String(r)}: baseline ${baseline.toFixed(0)} msg/s, Loket ${loketRate.toFixed(0)} msg/s to tickets (${accepted.toFixed(0)} msg/s accepted), ratio ${(loketRate / baseline).toFixed(3)}\n`,
      );
    }
  } finally {
    await pool.end();
  }
  return rounds;
}

export function emailSummary(
  rounds: EmailRound[],
  median: (xs: number[]) => number,
  pinning: string,
): { table: string[]; goal: string } {
  const ratio = median(rounds.map((r) => r.loket / r.baseline));
  const lost = rounds.reduce((s, r) => s + r.lost, 0);
  const duplicated = rounds.reduce((s, r) => s + r.duplicated, 0);
  const table = [
    `Email intake, ${String(EMAIL_COUNT)} messages with a 200 KB PDF per round, ${String(rounds.length)} rounds, ${pinning}`,
    `${'case'.padEnd(56)} ${'median msg/s'.padStart(12)}`,
    `${'baseline: smtp-server, accept and discard'.padEnd(56)} ${median(
      rounds.map((r) => r.baseline),
    )
      .toFixed(1)
      .padStart(12)}`,
    `${'Loket: SMTP listener, stored (250 after the raw is durable)'.padEnd(56)} ${median(
      rounds.map((r) => r.loketAccepted),
    )
      .toFixed(1)
      .padStart(12)}`,
    `${'Loket: to tickets with their document'.padEnd(56)} ${median(rounds.map((r) => r.loket))
      .toFixed(1)
      .padStart(12)}`,
    `lost ${String(lost)}, duplicated ${String(duplicated)}`,
  ];
  const verdict =
    lost > 0 || duplicated > 0 ? 'INVALID (lost or duplicated)' : ratio >= 0.3 ? 'met' : 'MISSED';
  return {
    table,
    goal: `email intake to tickets: ${ratio.toFixed(3)}x the discarding smtp-server (goal >= 0.30x): ${verdict}`,
  };
}
