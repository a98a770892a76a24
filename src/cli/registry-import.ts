import { basename } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Actor } from '../audit/audit.service';
import type { ImportPhase, RegistryService } from '../registry/registry.service';
import { AppError } from '../shared/errors';
import { errorMessage } from '../shared/messages';

const phaseLabel: Record<ImportPhase, string> = { check: 'checking ', import: 'importing' };

/**
 * `loket registry:import <file>`: imports a registry CSV with a progress bar on stderr, then
 * prints the summary and every reported row error on stdout. Exit code 0 when the file was
 * processed (even with bad rows), 1 when the file itself was refused.
 */
export async function runRegistryImport(
  registry: RegistryService,
  file: string,
  actor: Actor,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const say = (line: string) => out.write(`${line}\n`);
  const bar = new SingleBar(
    {
      stream: err,
      format: '{phase} [{bar}] {percentage}% | {mb} MB',
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: false,
    },
    Presets.shades_classic,
  );
  let started = false;
  const stopBar = () => {
    if (started) bar.stop();
    started = false;
  };

  try {
    const report = await registry.importCsvFile(file, {
      fileName: basename(file),
      actor,
      onProgress: (read, total, phase) => {
        const payload = { phase: phaseLabel[phase], mb: (total / 2 / 1_048_576).toFixed(1) };
        if (!started) {
          bar.start(Math.max(total, 1), read, payload);
          started = true;
        } else {
          bar.update(read, payload);
        }
      },
    });
    stopBar();

    say(`Import ${report.importId}`);
    say(`  rows:      ${report.totalRows}`);
    say(`  inserted:  ${report.inserted}`);
    say(`  updated:   ${report.updated}`);
    say(`  unchanged: ${report.unchanged}`);
    say(`  rejected:  ${report.errorRows}`);
    if (report.errors.length > 0) {
      say('');
      say('Rejected rows (line, field: reason):');
      for (const e of report.errors) say(`  line ${e.line}, ${e.field}: ${e.reason}`);
      if (report.errorsTruncated)
        say(`  ... more errors not listed (${report.errorRows} rows rejected in all)`);
    }
    return 0;
  } catch (error) {
    stopBar();
    if (error instanceof AppError) {
      err.write(
        `${errorMessage(error.code, 'id', error.params)}\n${errorMessage(error.code, 'en', error.params)}\n`,
      );
      return 1;
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      err.write(`Berkas tidak dapat dibaca: ${file}\nCannot read the file: ${file}\n`);
      return 1;
    }
    throw error;
  }
}
