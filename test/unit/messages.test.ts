import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCodes } from '../../src/shared/errors';
import { errorMessage, pickLanguage } from '../../src/shared/messages';
import { templatesDir } from '../../src/shared/paths';

describe('API error messages', () => {
  test.each(['id', 'en'])('templates/errors/%s.json has exactly the known codes', (lang) => {
    const catalogue = JSON.parse(
      readFileSync(join(templatesDir, 'errors', `${lang}.json`), 'utf8'),
    ) as object;
    expect(Object.keys(catalogue).sort()).toEqual(Object.keys(errorCodes).sort());
  });

  test('messages differ by language and fill their parameters', () => {
    expect(errorMessage('FILE_TOO_LARGE', 'id', { maxMb: 10 })).toBe(
      'Berkas terlalu besar. Ukuran maksimal 10 MB.',
    );
    expect(errorMessage('FILE_TOO_LARGE', 'en', { maxMb: 10 })).toBe(
      'The file is too large. The maximum is 10 MB.',
    );
  });

  test('parameters are not HTML-escaped in JSON messages', () => {
    expect(
      errorMessage('VALIDATION_FAILED', 'en', { detail: 'body/name must be <= 5 & "x"' }),
    ).toContain('<= 5 & "x"');
  });

  test('Bahasa Indonesia unless English comes first', () => {
    expect(pickLanguage(undefined)).toBe('id');
    expect(pickLanguage('id-ID,id;q=0.9,en;q=0.8')).toBe('id');
    expect(pickLanguage('en-GB,en;q=0.9')).toBe('en');
  });
});
