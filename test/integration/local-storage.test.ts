import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  coalescedDirectorySync,
  createLocalStorage,
  DocumentNotFoundError,
  FileTooLargeError,
  InvalidStorageKeyError,
  isValidStorageKey,
  limitBytes,
  type DocumentStorage,
} from '../../src/documents/storage';
import { AppError } from '../../src/shared/errors';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream of `data` in chunks of `size` bytes. */
const chunked = (data: Buffer, size = 64 * 1024) => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return Readable.from(chunks);
};

/** Sends `good` bytes, then fails as a dropped upload connection would. */
function failingAfter(good: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(good);
      } else {
        setImmediate(() => this.destroy(new Error('connection reset by peer')));
      }
    },
  });
}

/** Every file and directory under `dir`, as relative paths. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('local document storage', () => {
  let base: string;
  let root: string;
  let storage: DocumentStorage;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'loket-storage-'));
    root = join(base, 'documents');
    storage = createLocalStorage(root);
  });

  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  test('round trip: what is put is what is got, with its size and SHA-256', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const key = `tickets/2026/03/${randomUUID()}`;
    const stored = await storage.put(key, chunked(data));
    expect(stored).toEqual({ size: data.length, sha256: sha256(data) });
    expect(await storage.exists(key)).toBe(true);
    const back = await readAll(await storage.get(key));
    expect(back.equals(data)).toBe(true);
  });

  test.each([
    [
      'an empty file',
      Buffer.alloc(0),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ],
    [
      '"abc"',
      Buffer.from('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    ],
  ])('SHA-256 of %s is the standard value', async (_name, data, expected) => {
    const key = randomUUID();
    expect(await storage.put(key, Readable.from([data]))).toEqual({
      size: data.length,
      sha256: expected,
    });
    expect((await readAll(await storage.get(key))).equals(data)).toBe(true);
  });

  test('files are 0600 and directories 0700', async () => {
    if (process.platform === 'win32') return;
    const key = `a/b/${randomUUID()}.pdf`;
    await storage.put(key, Readable.from([Buffer.from('%PDF-1.4\n')]));
    expect((await stat(join(root, key))).mode & 0o777).toBe(0o600);
    for (const dir of [root, join(root, 'a'), join(root, 'a', 'b')]) {
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
    }
  });

  test('putBuffer: the same file as put (content, size, SHA-256, 0600 in new 0700 directories), replacing, no temporary left', async () => {
    const data = randomBytes(300_000);
    const key = `inbound/2026-11/${randomUUID()}.eml`;
    expect(await storage.putBuffer(key, data)).toEqual({ size: data.length, sha256: sha256(data) });
    expect((await readAll(await storage.get(key))).equals(data)).toBe(true);
    if (process.platform !== 'win32') {
      expect((await stat(join(root, key))).mode & 0o777).toBe(0o600);
      for (const dir of [root, join(root, 'inbound'), join(root, 'inbound', '2026-11')])
        expect((await stat(dir)).mode & 0o777).toBe(0o700);
    }
    // A second file in the now existing directory, and an overwrite.
    const other = `inbound/2026-11/${randomUUID()}.eml`;
    await storage.putBuffer(other, Buffer.from('lama'));
    await storage.putBuffer(other, Buffer.alloc(0));
    expect((await readAll(await storage.get(other))).length).toBe(0);
    expect(await listTree(root)).toEqual(['inbound', 'inbound/2026-11', key, other].sort());
    await expect(storage.putBuffer('../escape', data)).rejects.toBeInstanceOf(
      InvalidStorageKeyError,
    );
  });

  test('directory fsyncs are shared: callers during one wait for the next, which all of them share', async () => {
    const started: { dir: string; finish: () => void }[] = [];
    const sync = coalescedDirectorySync(
      (dir) =>
        new Promise<void>((resolve) => {
          started.push({ dir, finish: resolve });
        }),
    );
    const settled = new Set<number>();
    const ask = (i: number, dir = 'd') =>
      sync(dir).then(() => {
        settled.add(i);
      });
    const flush = () => new Promise((r) => setImmediate(r));
    const first = ask(0);
    const during = [ask(1), ask(2), ask(3)];
    const elsewhere = ask(9, 'e');
    await flush();
    expect(started.map((s) => s.dir)).toEqual(['d', 'e']);
    started[0]?.finish();
    await first;
    await flush();
    // 1-3 asked while the first ran (maybe before their rename): they wait for a second one.
    expect([...settled]).toEqual([0]);
    expect(started.map((s) => s.dir)).toEqual(['d', 'e', 'd']);
    const late = ask(4);
    started[2]?.finish();
    await Promise.all(during);
    await flush();
    expect(settled.has(4)).toBe(false);
    expect(started).toHaveLength(4);
    started[3]?.finish();
    started[1]?.finish();
    await Promise.all([late, elsewhere]);
    expect(started).toHaveLength(4);
  });

  test('putBuffer without the hash: the same file, only its size reported', async () => {
    const data = randomBytes(50_000);
    const key = `inbound/2026-11/${randomUUID()}.eml`;
    expect(await storage.putBuffer(key, data, { hash: false })).toMatchObject({ size: 50_000 });
    expect((await readAll(await storage.get(key))).equals(data)).toBe(true);
  });

  test('putBuffer: many files into one directory at once, each whole', async () => {
    const files = Array.from({ length: 20 }, () => ({
      key: `tickets/mail/2026-11/${randomUUID()}`,
      data: randomBytes(10_000),
    }));
    await Promise.all(files.map((f) => storage.putBuffer(f.key, f.data)));
    for (const f of files)
      expect((await readAll(await storage.get(f.key))).equals(f.data)).toBe(true);
  });

  test('a source that fails midway leaves no file, partial or temporary', async () => {
    const key = `uploads/${randomUUID()}`;
    const err = await rejection(storage.put(key, failingAfter(randomBytes(100_000))));
    expect((err as Error).message).toBe('connection reset by peer');
    expect(await storage.exists(key)).toBe(false);
    expect(await listTree(root)).toEqual(['uploads']);
  });

  test('a failed overwrite keeps the previous document whole', async () => {
    const key = randomUUID();
    const first = randomBytes(50_000);
    await storage.put(key, chunked(first, 1000));
    await expect(storage.put(key, failingAfter(randomBytes(80_000)))).rejects.toThrow(
      'connection reset by peer',
    );
    expect((await readAll(await storage.get(key))).equals(first)).toBe(true);
    expect(await listTree(root)).toEqual([key]);
  });

  test('a successful overwrite replaces the document', async () => {
    const key = randomUUID();
    await storage.put(key, Readable.from([Buffer.from('lama')]));
    await storage.put(key, Readable.from([Buffer.from('baru')]));
    expect((await readAll(await storage.get(key))).toString()).toBe('baru');
  });

  test('concurrent writes to one key end with one of them, whole', async () => {
    const key = randomUUID();
    const versions = Array.from({ length: 5 }, () => randomBytes(200_000));
    await Promise.all(versions.map((v) => storage.put(key, chunked(v, 4096))));
    const back = await readAll(await storage.get(key));
    expect(versions.some((v) => v.equals(back))).toBe(true);
    expect(await listTree(root)).toEqual([key]);
  });

  test('limitBytes: over the limit fails with FILE_TOO_LARGE and stores nothing', async () => {
    const key = randomUUID();
    const source = chunked(randomBytes(10_001), 1000).pipe(limitBytes(10_000));
    const err = await rejection(storage.put(key, source));
    expect(err).toBeInstanceOf(FileTooLargeError);
    expect(err).toBeInstanceOf(AppError);
    expect((err as FileTooLargeError).code).toBe('FILE_TOO_LARGE');
    expect((err as FileTooLargeError).statusCode).toBe(413);
    expect((err as FileTooLargeError).maxBytes).toBe(10_000);
    expect(await storage.exists(key)).toBe(false);
    expect(await listTree(root)).toEqual([]);
  });

  test('limitBytes: exactly at the limit passes', async () => {
    const data = randomBytes(10_000);
    const key = randomUUID();
    const stored = await storage.put(key, chunked(data, 999).pipe(limitBytes(10_000)));
    expect(stored).toEqual({ size: 10_000, sha256: sha256(data) });
    expect(() => limitBytes(-1)).toThrow(RangeError);
    expect(() => limitBytes(1.5)).toThrow(RangeError);
  });

  test('FILE_TOO_LARGE names the limit in MB', () => {
    expect(new FileTooLargeError(5 * 1_048_576).params).toEqual({ maxMb: 5 });
    expect(new FileTooLargeError(512 * 1024).params).toEqual({ maxMb: 0.5 });
    expect(new FileTooLargeError(10_000).params).toEqual({ maxMb: 0.00954 });
  });

  const badKeys = [
    '',
    '..',
    '../outside',
    '../../etc/passwd',
    'a/../../outside',
    'a/b/../c',
    'a..b',
    '/etc/passwd',
    '/absolute',
    'a\\b',
    '..\\outside',
    'C:\\Windows',
    'a//b',
    'a/',
    './a',
    '.hidden',
    'a/.tmp',
    'UPPER',
    'a b',
    'a%2f..',
    'nul\u0000byte',
    'line\nbreak',
    'dokumen-é',
    '~/x',
    'x'.repeat(201),
  ];

  test.each(badKeys)('refuses the key %j in every operation', async (key) => {
    expect(isValidStorageKey(key)).toBe(false);
    const source = Readable.from([Buffer.from('x')]);
    const ops = [
      storage.put(key, source),
      storage.get(key),
      storage.delete(key),
      storage.exists(key),
    ];
    for (const op of ops) {
      const err = await rejection(op);
      expect(err).toBeInstanceOf(InvalidStorageKeyError);
      // The rejected key is not echoed into messages or logs.
      if (key.length > 0) expect((err as Error).message).not.toContain(key);
    }
    // The upload behind a refused put is released, not left hanging.
    expect(source.destroyed).toBe(true);
    expect(await listTree(base)).toEqual([]);
  });

  test.each([
    randomUUID(),
    `tickets/2026/03/${randomUUID()}.pdf`,
    `${randomUUID()}_ktp.jpg`,
    'a_b-c.d',
    'x'.repeat(200),
  ])('accepts the key %j', (key) => {
    expect(isValidStorageKey(key)).toBe(true);
  });

  test('delete removes the document, and deleting again is not an error', async () => {
    const key = `d/${randomUUID()}`;
    await storage.put(key, Readable.from([Buffer.from('hapus saya')]));
    await storage.delete(key);
    expect(await storage.exists(key)).toBe(false);
    await expect(storage.get(key)).rejects.toBeInstanceOf(DocumentNotFoundError);
    await expect(storage.delete(key)).resolves.toBeUndefined();
    await expect(storage.delete(`never/${randomUUID()}`)).resolves.toBeUndefined();
  });

  test('a missing key is a typed NOT_FOUND that does not reveal the key', async () => {
    const key = `missing/${randomUUID()}`;
    const err = await rejection(storage.get(key));
    expect(err).toBeInstanceOf(DocumentNotFoundError);
    expect(err).toBeInstanceOf(AppError);
    expect((err as DocumentNotFoundError).code).toBe('NOT_FOUND');
    expect((err as DocumentNotFoundError).statusCode).toBe(404);
    expect((err as DocumentNotFoundError).key).toBe(key);
    expect((err as Error).message).not.toContain(key);
    expect(await storage.exists(key)).toBe(false);
  });

  test('a key below a file, or naming a directory, is not found', async () => {
    const file = randomUUID();
    await storage.put(file, Readable.from([Buffer.from('x')]));
    await expect(storage.get(`${file}/child`)).rejects.toBeInstanceOf(DocumentNotFoundError);
    expect(await storage.exists(`${file}/child`)).toBe(false);
    await storage.put(`dir/${randomUUID()}`, Readable.from([Buffer.from('x')]));
    await expect(storage.get('dir')).rejects.toBeInstanceOf(DocumentNotFoundError);
    expect(await storage.exists('dir')).toBe(false);
  });

  test('a symbolic link planted under the root is not followed', async () => {
    if (process.platform === 'win32') return;
    const secret = join(base, 'secret.txt');
    await writeFile(secret, 'rahasia');
    await storage.put('placeholder', Readable.from([Buffer.from('x')]));
    await symlink(secret, join(root, 'link'));
    await expect(storage.get('link')).rejects.toThrow();
    expect(await storage.exists('link')).toBe(false);
  });
});
