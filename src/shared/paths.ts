import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The project root (where package.json is), whether running from src/ via tsx or from dist/. */
export const projectRoot = findRoot(__dirname);
export const templatesDir = join(projectRoot, 'templates');
