import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { officeDay } from '../src/frontoffice/queue.service';

const root = join(__dirname, '..');

interface WorkerResult {
  desk: string;
  mode: string;
  ms: number;
  numbers: string[];
}

/** Starts one desk process; resolves once it is connected and waiting for the go. */
function startDesk(mode: 'loket' | 'raw', desk: string, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench', 'call-next-worker.ts')],
    {
      cwd: root,
      env: { ...process.env, ...env, MODE: mode, DESK: desk },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const done = new Promise<WorkerResult>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`${desk} (${mode}) exited with ${String(code)}`));
        return;
      }
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as WorkerResult);
    });
  });
  return { go: () => child.stdin.end('go\n'), done };
}

/**
 * `callnext`: COUNT waiting numbers of one service, called by two desk processes at once until the
 * queue is empty; numbers per second, and proof that every number was called exactly once (no
 * duplicates, no gaps), from the processes' answers and from the table. Then the same with the raw
 * `UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED)` loop in plain pg, on the same rows.
 */
export async function runCallNextBench(options: {
  dataSource: DataSource;
  env: Record<string, string>;
  count?: number;
  concurrency?: number;
}): Promise<string[]> {
  const { dataSource: ds, env } = options;
  const count = options.count ?? 10_000;
  const concurrency = options.concurrency ?? 4;
  const [office] = await ds.query<{ id: string; time_zone: string }[]>(
    `SELECT id, time_zone FROM offices ORDER BY created_at LIMIT 1`,
  );
  if (!office) throw new Error('no office');
  const day = officeDay(new Date(), office.time_zone);
  const lines: string[] = [];

  const fill = async () => {
    await ds.query(`DELETE FROM guest_book_entries WHERE office_id = $1 AND day = $2`, [
      office.id,
      day,
    ]);
    await ds.query(
      `INSERT INTO guest_book_entries (office_id, day, service, seq, queue_number, name, status)
       SELECT $1, $2, 'RESET_PASSWORD', s, 'A-' || lpad(s::text, greatest(3, length(s::text)), '0'),
              'Tamu ' || s, 'WAITING'
         FROM generate_series(1, $3::int) s`,
      [office.id, day, count],
    );
    await ds.query(
      `INSERT INTO queue_counters (office_id, day, service, value) VALUES ($1, $2, 'RESET_PASSWORD', $3)
       ON CONFLICT (office_id, day, service) DO UPDATE SET value = EXCLUDED.value`,
      [office.id, day, count],
    );
    await ds.query('ANALYZE guest_book_entries');
  };

  const run = async (mode: 'loket' | 'raw') => {
    await fill();
    const deskEnv = {
      ...env,
      OFFICE_ID: office.id,
      QUEUE_DAY: day,
      CALL_NEXT_CONCURRENCY: String(concurrency),
    };
    const desks = [startDesk(mode, 'Loket 1', deskEnv), startDesk(mode, 'Loket 2', deskEnv)];
    // Give both a moment to connect, then start them together.
    await new Promise((r) => setTimeout(r, mode === 'loket' ? 4000 : 1000));
    for (const d of desks) d.go();
    const results = await Promise.all(desks.map((d) => d.done));
    const all = results.flatMap((r) => r.numbers);
    const unique = new Set(all);
    const seqs = [...unique].map((n) => Number(n.split('-')[1])).sort((a, b) => a - b);
    const gaps =
      seqs.length === count && seqs.every((s, i) => s === i + 1) ? 0 : count - unique.size;
    const [table] = await ds.query<{ called: string; waiting: string; desks: string }[]>(
      `SELECT count(*) FILTER (WHERE status = 'CALLED') AS called,
              count(*) FILTER (WHERE status = 'WAITING') AS waiting,
              count(DISTINCT desk) AS desks
         FROM guest_book_entries WHERE office_id = $1 AND day = $2`,
      [office.id, day],
    );
    const seconds = Math.max(...results.map((r) => r.ms)) / 1000;
    const rate = all.length / seconds;
    const ok =
      all.length === count &&
      unique.size === count &&
      gaps === 0 &&
      Number(table?.called) === count;
    lines.push(
      `call next, ${mode === 'loket' ? 'Loket (queue service as behind POST /api/queue/call-next)' : 'raw pg UPDATE ... SKIP LOCKED'}: ` +
        `${String(count)} numbers by 2 processes x ${String(concurrency)} in flight in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} numbers/s; ` +
        `split ${results.map((r) => `${r.desk} ${String(r.numbers.length)}`).join(', ')}; ` +
        `answers ${String(all.length)}, distinct ${String(unique.size)}, duplicates ${String(all.length - unique.size)}, gaps ${String(gaps)}; ` +
        `table: ${String(table?.called)} called, ${String(table?.waiting)} waiting -> ${ok ? 'no duplicates, no gaps' : 'FAILED'}`,
    );
    return rate;
  };

  const loket = await run('loket');
  const raw = await run('raw');
  lines.push(`call next: Loket ${(loket / raw).toFixed(2)}x the raw statement`);
  await ds.query(`DELETE FROM guest_book_entries WHERE office_id = $1 AND day = $2`, [
    office.id,
    day,
  ]);
  return lines;
}
