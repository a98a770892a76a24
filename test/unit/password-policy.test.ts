import { checkPasswordPolicy } from '../../src/auth/password-policy';
import { generatePassword } from '../../src/auth/auth.service';

const ctx = { username: 'dewi.kusuma', fullName: 'Dewi Kusuma' };
const relaxed = { PASSWORD_MIN_LENGTH: 12, PASSWORD_REQUIRE_CHARACTER_CLASSES: false };
const strict = { PASSWORD_MIN_LENGTH: 8, PASSWORD_REQUIRE_CHARACTER_CLASSES: true };

describe('staff password policy', () => {
  test.each([
    ['a long passphrase', 'sungai mahakam di pagi hari'],
    ['digits and dashes only', '9382-1847-2910'],
    ['a mixed password', 'Teluk-Balikpapan-88'],
  ])('accepts %s', (_n, pw) => {
    expect(checkPasswordPolicy(pw, ctx, relaxed)).toEqual([]);
  });

  test.each([
    ['too short', 'Pendek-1'],
    ['a common password', 'password1234'],
    ['a common password in other case and with symbols', 'Selamat-Datang!'],
    ['one repeated character', 'aaaaaaaaaaaaaa'],
    ['the username', 'dewi.kusuma2026'],
    ['a part of the name', 'kusuma-kusuma-1'],
    ['the service name padded with digits', 'loket20262026'],
  ])('refuses %s', (_n, pw) => {
    expect(checkPasswordPolicy(pw, ctx, relaxed).length).toBeGreaterThan(0);
  });

  test('the seed 002 character classes are enforced only when configured', () => {
    expect(checkPasswordPolicy('sungai mahakam pagi', ctx, strict).map((p) => p.en)).toContain(
      'must contain upper case, lower case, a digit and a symbol',
    );
    expect(checkPasswordPolicy('Sungai-Mahakam-7', ctx, strict)).toEqual([]);
  });

  test('each problem is given in Indonesian and English', () => {
    const [problem] = checkPasswordPolicy('short', ctx, relaxed);
    expect(problem).toEqual({ id: 'minimal 12 karakter', en: 'at least 12 characters' });
  });

  test('generated passwords pass the strictest policy and differ each time', () => {
    const a = generatePassword();
    expect(a).toHaveLength(20);
    expect(
      checkPasswordPolicy(a, ctx, {
        PASSWORD_MIN_LENGTH: 16,
        PASSWORD_REQUIRE_CHARACTER_CLASSES: true,
      }),
    ).toEqual([]);
    expect(generatePassword()).not.toBe(a);
  });
});
