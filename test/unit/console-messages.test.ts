import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/shared/paths';

const web = join(projectRoot, 'src', 'console', 'web');
const catalogue = (lang: string) =>
  JSON.parse(readFileSync(join(web, 'i18n', `${lang}.json`), 'utf8')) as Record<string, string>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : /\.tsx?$/.test(e.name)
        ? [readFileSync(join(dir, e.name), 'utf8')]
        : [],
  );
}

describe('console message catalogues', () => {
  const id = catalogue('id');
  const en = catalogue('en');

  test('Bahasa Indonesia and English have the same keys, none empty, placeholders alike', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(id).sort());
    for (const [key, text] of Object.entries(id)) {
      expect([key, text.trim().length > 0, (en[key] ?? '').trim().length > 0]).toEqual([
        key,
        true,
        true,
      ]);
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect([key, names(en[key] ?? '')]).toEqual([key, names(text)]);
    }
  });

  test('every literal key the components use is in the catalogues', () => {
    const used = new Set<string>();
    for (const src of sources(join(web, 'src'))) {
      for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z.]+)'/g)) used.add(m[1] ?? '');
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !(k in id))).toEqual([]);
  });
});

describe('waiting-room board texts', () => {
  const board = JSON.parse(
    readFileSync(join(projectRoot, 'src', 'console', 'public', 'board-messages.json'), 'utf8'),
  ) as Record<'id' | 'en', Record<string, string>>;
  const page = readFileSync(join(projectRoot, 'src', 'console', 'public', 'board.html'), 'utf8');
  const script = readFileSync(join(projectRoot, 'src', 'console', 'public', 'board.js'), 'utf8');

  test('both languages have the same keys and placeholders, one for every service', () => {
    expect(Object.keys(board.en).sort()).toEqual(Object.keys(board.id).sort());
    for (const service of ['RESET_PASSWORD', 'USER_ID_INFO', 'OTHER']) {
      expect(board.id[`service.${service}`]).toBeTruthy();
    }
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(board.id)) {
      expect([key, names(board.en[key] ?? '')]).toEqual([key, names(text)]);
    }
  });

  test('every key the page and its script use is in the catalogue', () => {
    const used = [
      ...[...page.matchAll(/data-t(?:-en)?="([\w.]+)"/g)].map((m) => m[1]),
      ...[...script.matchAll(/\bt\('(?:id|en)',\s*'([\w.]+)'|\bboth\('([\w.]+)'/g)].map(
        (m) => m[1] ?? m[2],
      ),
    ];
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((k) => !(k && k in board.id))).toEqual([]);
  });
});
