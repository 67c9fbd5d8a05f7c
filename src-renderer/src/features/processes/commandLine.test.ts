import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCommandLine, parseCommandLine } from './commandLine';

const argv = (line: string) => {
  const r = parseCommandLine(line);
  if (!r.ok) throw new Error(r.error);
  return r.argv;
};

describe('parseCommandLine', () => {
  it('splits on whitespace', () => {
    expect(argv('  sleep   100 ')).toEqual(['sleep', '100']);
    expect(argv('/bin/ls\t-l /')).toEqual(['/bin/ls', '-l', '/']);
  });

  it('keeps quoted text together and literal', () => {
    expect(argv(`sh -c 'echo $HOME; ls "x"'`)).toEqual(['sh', '-c', 'echo $HOME; ls "x"']);
    expect(argv(`echo "a \\"b\\" \\\\ c" d`)).toEqual(['echo', 'a "b" \\ c', 'd']);
    expect(argv(`echo "a\\nb"`)).toEqual(['echo', 'a\\nb']);
    expect(argv(`echo a\\ b`)).toEqual(['echo', 'a b']);
    expect(argv(`echo '' ""`)).toEqual(['echo', '', '']);
    expect(argv(`pre'fix'"ed"`)).toEqual(['prefixed']);
  });

  it('says what is wrong', () => {
    expect(parseCommandLine("echo 'x")).toEqual({ ok: false, error: 'unterminated single quote' });
    expect(parseCommandLine('echo "x')).toEqual({ ok: false, error: 'unterminated double quote' });
    expect(parseCommandLine('echo \\')).toMatchObject({ ok: false });
    expect(parseCommandLine('   ')).toMatchObject({ ok: false });
  });

  it('formatCommandLine round-trips any argv', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (args) => {
        expect(argv(formatCommandLine(args))).toEqual(args);
      }),
    );
    expect(formatCommandLine(['sleep', '100'])).toBe('sleep 100');
    expect(formatCommandLine(['sh', '-c', "echo it's"])).toBe(`sh -c 'echo it'\\''s'`);
  });
});
