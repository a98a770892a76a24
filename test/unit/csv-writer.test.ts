import { parse } from 'csv-parse/sync';
import {
  CSV_BOM,
  csvCell,
  csvFileName,
  toCsv,
  type CsvColumn,
} from '../../src/reports/reports.service';

describe('CSV writer (reports)', () => {
  test('RFC 4180: quotes only what needs it, doubles quotes, keeps CR and LF inside quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('a\rb')).toBe('"a\rb"');
    expect(csvCell('')).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(0.6667)).toBe('0.6667');
    expect(csvCell(true)).toBe('true');
    expect(csvCell('Pengarsipan berkas – 13')).toBe('Pengarsipan berkas – 13');
  });

  test('formula injection: text starting with = + - @ tab or CR gets a leading apostrophe', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+62 812')).toBe("'+62 812");
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    // Only at the start, and never for our own numbers.
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(-5)).toBe('-5');
  });

  test('a file: BOM, header row, CRLF rows; a CSV parser reads back exactly what was written', () => {
    interface Row {
      name: string;
      n: number | null;
    }
    const columns: CsvColumn<Row>[] = [
      { header: 'name', value: (r) => r.name },
      { header: 'n', value: (r) => r.n },
    ];
    const rows: Row[] = [
      { name: 'Budi Santoso, S.T.', n: 1 },
      { name: 'Rina "Helpdesk"\r\nLPSE', n: null },
      { name: '=HYPERLINK("http://evil.example","klik")', n: 3 },
    ];
    const csv = toCsv(columns, rows);
    expect(csv.startsWith(CSV_BOM)).toBe(true);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv).toBe(
      `${CSV_BOM}name,n\r\n` +
        `"Budi Santoso, S.T.",1\r\n` +
        `"Rina ""Helpdesk""\r\nLPSE",\r\n` +
        `"'=HYPERLINK(""http://evil.example"",""klik"")",3\r\n`,
    );
    const back = parse<Record<string, string>>(csv, { bom: true, columns: true });
    expect(back).toEqual([
      { name: 'Budi Santoso, S.T.', n: '1' },
      { name: 'Rina "Helpdesk"\r\nLPSE', n: '' },
      { name: `'=HYPERLINK("http://evil.example","klik")`, n: '3' },
    ]);
    expect(toCsv(columns, [])).toBe(`${CSV_BOM}name,n\r\n`);
  });

  test('file name: report and range in ISO basic format, nothing a file system refuses', () => {
    expect(
      csvFileName('breaches', {
        from: new Date('2026-11-01T00:00:00Z'),
        to: new Date('2026-11-30T17:00:00.500Z'),
        workflowId: null,
      }),
    ).toBe('loket-breaches-20261101T000000Z-20261130T170000Z.csv');
  });
});
