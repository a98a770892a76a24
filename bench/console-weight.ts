import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const CONSOLE_BUDGET_BYTES = 200 * 1024;

/**
 * What the console's first page load fetches: the scripts and styles that dist/console/index.html
 * references (entry, CSS, module preloads), each gzipped as a server would send it.
 */
export function consoleWeight(distDir: string): {
  files: { path: string; bytes: number; gzip: number }[];
  js: number;
  css: number;
  total: number;
} {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/console\/([^"]+\.(?:js|css))"/g)].map(
    (m) => m[1] ?? '',
  );
  const files = [...new Set(refs)].map((path) => {
    const content = readFileSync(join(distDir, path));
    return { path, bytes: content.length, gzip: gzipSync(content, { level: 6 }).length };
  });
  const sum = (ext: string) =>
    files.filter((f) => f.path.endsWith(ext)).reduce((n, f) => n + f.gzip, 0);
  const js = sum('.js');
  const css = sum('.css');
  return { files, js, css, total: js + css };
}

export function consoleWeightLines(distDir: string): string[] {
  const w = consoleWeight(distDir);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    ...w.files.map((f) => `console ${f.path}: ${kb(f.bytes)} raw, ${kb(f.gzip)} gzip`),
    `console first page load: JS ${kb(w.js)} + CSS ${kb(w.css)} = ${kb(w.total)} gzip ` +
      `(goal < ${kb(CONSOLE_BUDGET_BYTES)}): ${w.total < CONSOLE_BUDGET_BYTES ? 'met' : 'MISSED'}`,
  ];
}
