import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/shared/paths';

const webDir = join(projectRoot, 'src', 'console', 'web');
const builtIndex = join(projectRoot, 'dist', 'console', 'index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The integration tests serve the built console (as `npm start` does): build it when it is
 * missing or older than its sources, so `npm test` works on a clean checkout.
 */
export function ensureConsoleBuilt(): void {
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= newestMtime(webDir)) return;
  execFileSync(
    process.execPath,
    [
      join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(webDir, 'vite.config.mjs'),
    ],
    { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
