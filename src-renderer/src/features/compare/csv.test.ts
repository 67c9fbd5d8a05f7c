import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareTable } from './compareTable';
import { compareCsv, compareCsvRows, csvField, toCsv } from './csv';
import { key, report } from './testData';

/** A small RFC 4180 reader: the reference the writer must round-trip through. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

describe('csv', () => {
  it('quotes only fields that need it, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(toCsv([['a', 'b'], ['1', '']])).toBe('a,b\r\n1,\r\n');
  });

  it('round-trips any table of fields through an RFC 4180 reader', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\r', '\n', 'é', '→', '0') , maxLength: 12 });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), (rows) => {
        expect(parseCsv(toCsv(rows))).toEqual(rows);
      }),
    );
  });

  it('writes the compare table: value per replay, Δ and Δ % after each non-baseline one, summary rows last', () => {
    const a = report({ replay: { startedAt: 0, endedAt: 3000 }, events: [key('k', 0)], markers: [{ us: 1_000_000, text: 'log,in "1"' }] });
    const b = report({ replay: { startedAt: 0, endedAt: 3000 }, events: [key('k', 0)], markers: [{ us: 1_250_000, text: 'log,in "1"' }] });
    const t = compareTable([
      { report: a, points: [], usable: true },
      { report: b, points: [], usable: true },
    ]);
    const rows = parseCsv(compareCsv(t, [{ title: 'replay 1 p1' }, { title: 'replay 2 p2' }]));
    expect(rows[0]).toEqual(['segment', 'kind', 'unit', 'replay 1 p1', 'replay 2 p2', 'Δ replay 2 p2', 'Δ % replay 2 p2']);
    expect(rows[1]).toEqual(['start → log,in "1"', 'chain', 'ms', '1000.0', '1250.0', '250.0', '25.0']);
    expect(rows.at(-5)![0]).toBe('total duration');
    expect(rows.at(-4)).toEqual(['mean CPU (user + system)', 'summary', '%', '', '', '', '']);
    expect(rows.at(-2)).toEqual(['inject error p99', 'summary', 'ms', '0.90', '0.90', '0.00', '0.0']);
    expect(rows).toEqual(compareCsvRows(t, [{ title: 'replay 1 p1' }, { title: 'replay 2 p2' }]));
  });

  it('gives a replay left out of Δ its values but no Δ columns', () => {
    const a = report({ replay: { startedAt: 0, endedAt: 3000 } });
    const failed = report({ replay: { startedAt: 0, endedAt: 1000, state: 'failed' } });
    const t = compareTable([
      { report: failed, points: [], usable: false },
      { report: a, points: [], usable: true },
      { report: a, points: [], usable: true },
    ]);
    const rows = compareCsvRows(t, [{ title: 'r1' }, { title: 'r2' }, { title: 'r3' }]);
    expect(rows[0]).toEqual(['segment', 'kind', 'unit', 'r1', 'r2', 'r3', 'Δ r3', 'Δ % r3']);
    expect(rows[1]).toEqual(['start → end', 'chain', 'ms', '1000.0', '3000.0', '3000.0', '0.0', '0.0']);
  });
});
