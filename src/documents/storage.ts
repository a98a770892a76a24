import { createHash, randomUUID } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../shared/errors';

/**
 * Where uploaded documents (request forms, SKs, KTP scans) are kept. Storage keys are generated
 * by Loket (a UUID, never the sender's file name: ASVS 5.0.0 5.3.2) and checked again here, so a
 * key can never name a file outside the storage root.
 */
export interface DocumentStorage {
  /** Writes `data` under `key`, replacing any earlier content; resolves once it is durable. */
  put(key: string, data: Readable): Promise<{ size: number; sha256: string }>;
  /** `put` for content already in memory (a mail, its attachment): one write, no stream. */
  putBuffer(key: string, data: Buffer): Promise<{ size: number; sha256: string }>;
  /** Without the SHA-256, for content no document row describes (a raw mail). */
  putBuffer(key: string, data: Buffer, options: { hash: false }): Promise<{ size: number }>;
  /** Throws DocumentNotFoundError when nothing is stored under `key`. */
  get(key: string): Promise<Readable>;
  /** Removes the document; deleting a key that holds nothing is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

/** No document under this key. Maps to NOT_FOUND (404); the key itself is not sent to clients. */
export class DocumentNotFoundError extends AppError {
  constructor(readonly key: string) {
    super('NOT_FOUND');
    this.name = 'DocumentNotFoundError';
  }
}

/**
 * A storage key that breaks the key rules. Keys come from Loket, not from users, so this is a
 * programming error and maps to INTERNAL (500).
 */
export class InvalidStorageKeyError extends Error {
  constructor() {
    // The key is not echoed: a rejected key may carry anything.
    super('invalid storage key');
    this.name = 'InvalidStorageKeyError';
  }
}

/** More bytes than allowed went through `limitBytes`. Maps to FILE_TOO_LARGE (413). */
export class FileTooLargeError extends AppError {
  constructor(readonly maxBytes: number) {
    // Three significant digits: a limit below 1 MB must not read as `0 MB`.
    super('FILE_TOO_LARGE', { maxMb: Number((maxBytes / 1_048_576).toPrecision(3)) });
    this.name = 'FileTooLargeError';
  }
}

export const MAX_STORAGE_KEY = 200;
/**
 * Segments of `[a-z0-9_.-]` joined by `/`, each starting with a letter, digit or `_`: so no
 * absolute path, no `.` or `..` segment, no hidden file (temporary files start with a dot), no
 * empty segment, no backslash and no upper case (keys stay unique on case-insensitive disks).
 */
const KEY = /^[a-z0-9_][a-z0-9_.-]*(?:\/[a-z0-9_][a-z0-9_.-]*)*$/;

export function isValidStorageKey(key: string): boolean {
  return key.length <= MAX_STORAGE_KEY && KEY.test(key) && !key.includes('..');
}

export function assertValidStorageKey(key: string): void {
  if (!isValidStorageKey(key)) throw new InvalidStorageKeyError();
}

/**
 * Counts the bytes passing through and fails with FileTooLargeError as soon as there are more
 * than `maxBytes`, before the excess is passed on. Wire it with `pipeline` (or forward the
 * source's errors), since `pipe` does not.
 */
export function limitBytes(maxBytes: number): Transform {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
    throw new RangeError('maxBytes must be a non-negative integer');
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new FileTooLargeError(maxBytes));
      else callback(null, chunk);
    },
  });
}

const isCode = (err: unknown, ...codes: string[]) =>
  typeof err === 'object' &&
  err !== null &&
  'code' in err &&
  typeof err.code === 'string' &&
  codes.includes(err.code);

/** fsync a directory so that a rename in it survives a crash; not possible on every platform. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a directory; the rename is still atomic there, only less durable.
  } finally {
    await handle?.close();
  }
}

const ignore = () => undefined;

type SyncDirectory = (dir: string) => Promise<void>;

/**
 * `syncDirectory` shared by concurrent writers (group commit): a caller whose rename is done waits
 * for a directory fsync that starts after it asked; every caller asking while one runs shares the
 * next one. N files renamed into one directory at once cost two directory fsyncs, not N.
 */
export function coalescedDirectorySync(sync: SyncDirectory = syncDirectory): SyncDirectory {
  interface Entry {
    running: Promise<void> | null;
    queued: Promise<void> | null;
  }
  const dirs = new Map<string, Entry>();
  const start = (dir: string, entry: Entry) => {
    const run = sync(dir)
      .catch(ignore)
      .then(() => {
        entry.running = null;
        if (!entry.queued && dirs.get(dir) === entry) dirs.delete(dir);
      });
    entry.running = run;
    return run;
  };
  return (dir) => {
    let entry = dirs.get(dir);
    if (!entry) {
      entry = { running: null, queued: null };
      dirs.set(dir, entry);
    }
    const { running } = entry;
    if (!running) return start(dir, entry);
    if (entry.queued) return entry.queued;
    const e = entry;
    // Starts once the running one is done: that one may have begun before this caller's rename.
    const queued = running.then(() => {
      e.queued = null;
      return start(dir, e);
    });
    e.queued = queued;
    return queued;
  };
}

/**
 * Writes a temporary file beside `path` with `write` (which must flush it), renames it into place
 * and flushes the directory; the temporary file is removed when anything fails.
 */
async function placeAtomically(
  path: string,
  syncDir: SyncDirectory,
  write: (temp: string) => Promise<void>,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${randomUUID()}.tmp`);
  try {
    await write(temp);
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(ignore);
    throw err;
  }
  await syncDir(dir);
}

// As the streamed write's file: `wx`, never follow or reuse an existing file; `flush`, fsync
// before close.
const TEMP_FILE = { flag: 'wx', mode: 0o600, flush: true } as const;

/** Streams `data` to a temporary file beside `path`, flushes it, then renames it into place. */
async function writeAtomically(
  path: string,
  data: Readable,
  syncDir: SyncDirectory,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await placeAtomically(path, syncDir, (temp) =>
    pipeline(data, tap, createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true })),
  );
  return { size, sha256: hash.digest('hex') };
}

/**
 * `writeAtomically` for a buffer: one write of the temporary file (no stream); its directory is
 * made only when the first attempt finds it missing (a directory known to exist costs nothing).
 */
async function writeBufferAtomically(
  path: string,
  data: Buffer,
  syncDir: SyncDirectory,
  hash: boolean,
): Promise<{ size: number; sha256: string }> {
  const sha256 = hash ? createHash('sha256').update(data).digest('hex') : '';
  await placeAtomically(path, syncDir, async (temp) => {
    try {
      await writeFile(temp, data, TEMP_FILE);
    } catch (err) {
      if (!isCode(err, 'ENOENT')) throw err;
      await mkdir(dirname(temp), { recursive: true, mode: 0o700 });
      await writeFile(temp, data, TEMP_FILE);
    }
  });
  return { size: data.length, sha256 };
}

/**
 * Documents as files under `rootDir`, which must be outside any web root (ASVS 4.0.3 12.4.1).
 * Directories it creates (the root included) are 0700 and files 0600; a document is written to a temporary file beside
 * its final name, flushed, then renamed, so a reader sees the old content or the whole new one,
 * and a failed write (source error, size limit, full disk) leaves nothing behind.
 */
export function createLocalStorage(rootDir: string): DocumentStorage {
  const root = resolve(rootDir);
  const syncDir = coalescedDirectorySync();

  const pathOf = (key: string): string => {
    assertValidStorageKey(key);
    const path = resolve(root, key);
    // Defence in depth: the key rules already keep every path inside the root.
    if (!path.startsWith(root + sep)) throw new InvalidStorageKeyError();
    return path;
  };

  return {
    async put(key, data) {
      // Attached before the first await: a source that fails while the directory is being made
      // (a dropped upload, `limitBytes`) must not become an unhandled 'error' event. The error
      // itself is not lost: `pipeline` rejects with a stream's stored error.
      data.on('error', ignore);
      try {
        const path = pathOf(key);
        const dir = dirname(path);
        await mkdir(dir, { recursive: true, mode: 0o700 });
        return await writeAtomically(path, data, syncDir);
      } catch (err) {
        // Nobody else will read the source now; release it (and the upload behind it).
        data.destroy();
        throw err;
      }
    },

    async putBuffer(key: string, data: Buffer, options?: { hash: false }) {
      return writeBufferAtomically(pathOf(key), data, syncDir, options?.hash !== false);
    },

    async get(key) {
      const path = pathOf(key);
      let handle;
      try {
        // No symbolic links: only Loket writes under the root, so a link there is planted.
        handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      } catch (err) {
        if (isCode(err, 'ENOENT', 'ENOTDIR', 'EISDIR')) throw new DocumentNotFoundError(key);
        throw err;
      }
      try {
        if (!(await handle.stat()).isFile()) throw new DocumentNotFoundError(key);
      } catch (err) {
        await handle.close();
        throw err;
      }
      // The stream owns the handle from here and closes it when done or destroyed.
      return handle.createReadStream();
    },

    async delete(key) {
      const path = pathOf(key);
      try {
        await unlink(path);
      } catch (err) {
        if (!isCode(err, 'ENOENT', 'ENOTDIR')) throw err;
      }
    },

    async exists(key) {
      const path = pathOf(key);
      try {
        // lstat, like `get`: a planted link is not a document.
        return (await lstat(path)).isFile();
      } catch (err) {
        if (isCode(err, 'ENOENT', 'ENOTDIR')) return false;
        throw err;
      }
    },
  };
}
