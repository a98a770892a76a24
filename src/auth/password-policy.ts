import type { Config } from '../config';

/**
 * Staff password policy (ASVS 5 6.2.x and the seeds' office rules, all configurable):
 * a minimum length, at most 128 characters, not a common or context-specific password, optionally
 * the four character classes of seed 002. History and reuse are checked by the auth service.
 */
const COMMON = new Set(
  `password passw0rd p@ssw0rd p@ssword password1 password123 password1234 passwordpassword
  123456 1234567 12345678 123456789 1234567890 12345678910 0123456789 987654321 111111111111 000000000000
  qwerty qwertyuiop qwerty123 qwerty12345 asdfghjkl asdfghjkl123 zxcvbnm 1q2w3e4r5t6y 1qaz2wsx3edc qazwsxedc
  iloveyou iloveyou123 admin admin123 admin12345 administrator letmein letmein123 welcome welcome123
  welcome12345 changeme changeme123 secret secret123 monkey dragon football baseball sunshine princess
  superman batman trustno1 abc123 abc12345 abcdefgh abcd1234 abcdef123456 master master123
  indonesia indonesia123 indonesia45 merdeka merdeka45 merdeka1945 jakarta jakarta123 bismillah
  bismillah123 sayang sayang123 rahasia rahasia123 katasandi katasandi123 sandi123 garuda garuda123
  pancasila pancasila45 bandung surabaya semarang makassar medan balikpapan samarinda denpasar
  selamatdatang selamatpagi terimakasih cintaku cinta123 persija persib helpdesk helpdesk123
  lpse lpse123 lpse2026 spse spse123 spse2026 loket loket123 loket2026 pemerintah pemda123 pegawai
  pegawai123 pns12345 asn12345 kominfo bappenas bkn12345 sso12345 kemenkeu
  1q2w3e4r 1qaz2wsx zaq12wsx q1w2e3r4t5 aa123456 a1b2c3d4 abc123456 123qwe 123qweasd 1234qwer
  qwer1234 passw0rd1 p@ssw0rd1 summer2026 winter2026 january2026 desember2026`
    .split(/\s+/)
    .filter(Boolean),
);

const CONTEXT_WORDS = ['loket', 'lpse', 'spse', 'helpdesk', 'password', 'katasandi', 'sandi'];

export interface PasswordContext {
  username: string;
  fullName: string;
}

/** Returns the reasons the password fails the policy (empty when it passes), in English and Indonesian. */
export function checkPasswordPolicy(
  password: string,
  ctx: PasswordContext,
  config: Pick<Config, 'PASSWORD_MIN_LENGTH' | 'PASSWORD_REQUIRE_CHARACTER_CLASSES'>,
): { id: string; en: string }[] {
  const problems: { id: string; en: string }[] = [];
  const length = Array.from(password).length;
  if (length < config.PASSWORD_MIN_LENGTH) {
    problems.push({
      id: `minimal ${config.PASSWORD_MIN_LENGTH} karakter`,
      en: `at least ${config.PASSWORD_MIN_LENGTH} characters`,
    });
  }
  if (length > 128) problems.push({ id: 'maksimal 128 karakter', en: 'at most 128 characters' });
  if (config.PASSWORD_REQUIRE_CHARACTER_CLASSES) {
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) =>
      re.test(password),
    ).length;
    if (classes < 4) {
      problems.push({
        id: 'harus memuat huruf besar, huruf kecil, angka, dan simbol',
        en: 'must contain upper case, lower case, a digit and a symbol',
      });
    }
  }
  const lower = password.toLowerCase();
  const squashed = lower.replace(/[^a-z0-9]/g, '');
  if (COMMON.has(lower) || COMMON.has(squashed) || /^(.)\1+$/.test(password)) {
    problems.push({ id: 'terlalu umum dan mudah ditebak', en: 'too common and easy to guess' });
  }
  const contextWords = [
    ctx.username.toLowerCase(),
    ...ctx.fullName
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w.length >= 4),
  ].filter((w) => w.length >= 3);
  // A service word padded with digits ("loket2026!") is as weak as the word alone.
  const stripped = CONTEXT_WORDS.concat(contextWords).reduce(
    (acc, w) => acc.split(w).join(''),
    squashed,
  );
  if (
    contextWords.some((w) => lower.includes(w)) ||
    (stripped !== squashed && stripped.replace(/\d/g, '').length < 4)
  ) {
    problems.push({
      id: 'tidak boleh memuat nama pengguna, nama Anda, atau nama layanan',
      en: 'must not contain your username, your name or the service name',
    });
  }
  return problems;
}
