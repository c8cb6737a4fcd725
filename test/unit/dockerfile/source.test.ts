import {describe, expect, test} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {fields, readSource, shellWords, type Word} from '../../../src/dockerfile/source.js';

const exposeWords = (text: string): string[] => {
  const ins = readSource(text, 'Dockerfile').instructions.find(i => i.keyword === 'EXPOSE');
  return fields(ins!.args).map(w => w.text);
};
/** `line:col-line:col`, 1-based, of each word of the first EXPOSE. */
const spans = (text: string): string[] => {
  const ins = readSource(text, 'Dockerfile').instructions.find(i => i.keyword === 'EXPOSE');
  const at = (w: Word): string => `${w.start.line + 1}:${w.start.character + 1}-${w.end.line + 1}:${w.end.character + 1}`;
  return fields(ins!.args).map(at);
};

describe('logical lines', () => {
  // prettier-ignore
  test.each<[string, string, string[]]>([
    ['one line',                       'EXPOSE 80 443',                                   ['80', '443']],
    ['tabs and runs of spaces',        'EXPOSE\t80 \t  443',                              ['80', '443']],
    ['continuation',                   'EXPOSE 80 \\\n  443/tcp',                         ['80', '443/tcp']],
    ['space after the escape',         'EXPOSE 80 \\  \t\n  443',                        ['80', '443']],
    ['comment inside continuation',    'EXPOSE 80 \\\n  # comment\n  443',               ['80', '443']],
    ['blank line inside continuation', 'EXPOSE 80 \\\n\n   \n  443',                     ['80', '443']],
    ['word across lines',              'EXPOSE 8\\\n0',                                   ['80']],
    ['CRLF',                           'EXPOSE 80 \\\r\n  443\r\n',                       ['80', '443']],
    ['quotes do not group',            'EXPOSE "80 90"',                                  ['"80', '90"']],
    ['JSON is one word',               'EXPOSE ["80"]',                                   ['["80"]']],
    ['inline # is a word',             'EXPOSE 80 # web',                                 ['80', '#', 'web']],
    ['keyword in any case',            'expose 80',                                       ['80']]
  ])('%s', (_name, body, expected) => {
    expect(exposeWords(`FROM scratch\n${body}\n`)).toEqual(expected);
  });

  test('a commented-out instruction ending in a backslash does not continue', () => {
    expect(exposeWords('FROM scratch\n#EXPOSE 9999 \\\nEXPOSE 3000\n')).toEqual(['3000']);
  });

  test('the escape directive switches continuations to a backtick', () => {
    const src = readSource('# escape=`\nFROM scratch\nEXPOSE 80 `\n 90 c:\\x\n', 'Dockerfile');
    expect(src.escape).toBe('`');
    expect(fields(src.instructions[1]!.args).map(w => w.text)).toEqual(['80', '90', 'c:\\x']);
  });

  test('word positions are 1-based in the original text, across continuations', () => {
    expect(spans('FROM scratch\nEXPOSE 80 \\\n  # c\n  443/tcp 8\\\n0\n')).toEqual(['2:8-2:10', '4:3-4:10', '4:11-5:2']);
  });
});

describe('flags', () => {
  // prettier-ignore
  test.each<[string, string[], string]>([
    ['EXPOSE --x 80',                 ['--x'],                     '80'],
    ['EXPOSE --x=1 --y 80',           ['--x=1', '--y'],            '80'],
    ['EXPOSE -- 80',                  [],                          '80'],
    ['EXPOSE --x',                    ['--x'],                     ''],
    ['COPY --from=build /a /b',       ['--from=build'],            '/a /b'],
    ['EXPOSE 80 --x',                 [],                          '80 --x'],
    ['EXPOSE --a="b c" 80',           ['--a=b c'],                 '80']
  ])('%s', (line, flags, args) => {
    const ins = readSource(`FROM scratch\n${line}\n`, 'Dockerfile').instructions[1]!;
    expect(ins.flags).toEqual(flags);
    expect(ins.args.value).toBe(args);
  });
});

describe('shellWords (ENV and ARG): quote-aware, raw', () => {
  const split = (args: string, escape = '\\'): string[] => {
    const ins = readSource(`FROM scratch\nENV ${args}\n`, 'Dockerfile').instructions[1]!;
    return shellWords(ins.args, escape).map(w => w.text);
  };
  // prettier-ignore
  test.each<[string, string[]]>([
    ['A=1 B=2',               ['A=1', 'B=2']],
    ['A="1 2" B=3',           ['A="1 2"', 'B=3']],
    ["A='1 2'",               ["A='1 2'"]],
    ['A=1\\ 2',               ['A=1\\ 2']],
    ['A="a \\" b"',           ['A="a \\" b"']],
    ["A='a \\' b'",           ["A='a \\'", "b'"]],
    ['A=""',                  ['A=""']],
    ['""',                    ['""']]
  ])('%s', (args, expected) => {
    expect(split(args)).toEqual(expected);
  });
});

describe('escape directive errors', () => {
  test.each([
    ['# escape=x\nFROM scratch\n', "invalid escape token 'x' does not match ` or \\"],
    ['# escape=`\n# escape=\\\nFROM scratch\n', 'only one escape parser directive can be used']
  ])('%j', (text, message) => {
    expect(() => readSource(text, 'Dockerfile')).toThrow(InputError);
    expect(() => readSource(text, 'Dockerfile')).toThrow(message);
  });
});
