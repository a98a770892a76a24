/**
 * Free-text understanding for the common words requesters type, tolerant of case, punctuation
 * and small typos (edit distance: none for words of up to 3 letters, 1 up to 6, 2 beyond).
 * Pure functions; the words are matching data, not reply text.
 */

export type Intent =
  | 'cancel'
  | 'menu'
  | 'reset'
  | 'userId'
  | 'forgot'
  | 'status'
  | 'staff'
  | 'english'
  | 'indonesian'
  | 'yes'
  | 'no'
  | 'edit'
  | 'skip'
  | 'greeting';

/** Words (or two-word phrases) per intent. Multi-word phrases also match written as one word. */
const vocabulary: Readonly<Record<Intent, readonly string[]>> = {
  cancel: ['batal', 'batalkan', 'cancel', 'stop'],
  menu: ['menu', 'mulai', 'ulang', 'restart', 'start'],
  reset: ['reset', 'kata sandi', 'password', 'sandi', 'pasword'],
  userId: ['user id', 'userid', 'username', 'nama pengguna'],
  forgot: ['lupa', 'forgot', 'forget'],
  status: ['status', 'cek tiket', 'cek status', 'check status'],
  staff: ['petugas', 'staff', 'operator', 'admin', 'manusia', 'human', 'agent'],
  english: ['english', 'inggris'],
  indonesian: ['indonesia', 'bahasa indonesia', 'indonesian'],
  yes: ['ya', 'iya', 'yes', 'y', 'ok', 'oke', 'benar', 'betul', 'setuju', 'kirim', 'send'],
  no: ['tidak', 'no', 'bukan', 'salah'],
  edit: ['ubah', 'edit', 'perbaiki', 'koreksi', 'ganti'],
  skip: ['lewati', 'skip', 'nanti', 'later', 'tidak tahu', 'tidak ingat', 'tdk tahu', 'lupa', '-'],
  greeting: [
    'halo',
    'hallo',
    'hai',
    'hi',
    'hello',
    'selamat pagi',
    'selamat siang',
    'assalamualaikum',
    'permisi',
    'pagi',
    'siang',
    'sore',
    'malam',
  ],
};

/** Lower case, accents dropped, punctuation to spaces, runs of spaces collapsed. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}@.-]+/gu, ' ')
    .replace(/(^|\s)[.-]+(?=\s|$)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Levenshtein distance, stopping early past `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length] ?? max + 1;
}

function tolerance(word: string): number {
  if (word.length <= 3) return 0;
  if (word.length <= 6) return 1;
  return 2;
}

function close(candidate: string, keyword: string): boolean {
  if (candidate === keyword) return true;
  const max = tolerance(keyword);
  return max > 0 && editDistance(candidate, keyword, max) <= max;
}

/** The words of the text, and every pair of neighbours (joined with and without a space). */
function candidates(normalised: string): string[] {
  const words = normalised.split(' ').filter(Boolean);
  const out = [...words];
  for (let i = 0; i + 1 < words.length; i++) {
    out.push(`${words[i] ?? ''} ${words[i + 1] ?? ''}`, `${words[i] ?? ''}${words[i + 1] ?? ''}`);
  }
  return out;
}

/** Whether any word (or pair) of the text is one of the intent's words, give or take a typo. */
export function mentions(text: string, intent: Intent): boolean {
  const cands = candidates(normaliseText(text));
  return vocabulary[intent].some((k) => cands.some((c) => close(c, k)));
}

/**
 * Whether the whole message is just the intent's word (`batal`, `Menu!`, `btal`), so a name or
 * an agency that merely contains the word is not taken for a command.
 */
export function isOnly(text: string, intent: Intent): boolean {
  const n = normaliseText(text);
  if (!n || n.split(' ').length > 2) return false;
  return vocabulary[intent].some(
    (k) => close(n, k) || close(n.replace(/ /g, ''), k.replace(/ /g, '')),
  );
}

/** A ticket code anywhere in the text (`lkt 2611 00012` and `LKT-2611-00012` alike). */
export function findTicketCode(text: string): string | null {
  const m = /\blkt[\s\-_.]*([0-9]{4})[\s\-_.]*([0-9]{5})\b/i.exec(text);
  return m ? `LKT-${m[1] ?? ''}-${m[2] ?? ''}` : null;
}

/** Whether the text carries any letter or digit at all (not empty, not only emoji or symbols). */
export function hasWords(text: string | undefined): boolean {
  return /[\p{L}\p{N}]/u.test(text ?? '');
}
