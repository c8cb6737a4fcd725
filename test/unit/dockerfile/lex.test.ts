import {describe, expect, test} from 'vitest';
import {ExpansionError, processWord, processWords, type Builder} from '../../../src/dockerfile/lex.js';
import {reversePattern} from '../../../src/dockerfile/lex-pattern.js';

const ENV = new Map([
  ['P', '8080'],
  ['PORTS', '3000 4000/udp'],
  ['EMPTY', ''],
  ['V', 'v1.2.3'],
  ['PATHLIKE', '/tmp/tmp/bar.txt'],
  ['KOREAN', '한국어']
]);
const word = (w: string, builder: Builder = 'buildkit', escape = '\\'): string => processWord(w, ENV, {escape, builder});
const words = (w: string, builder: Builder = 'buildkit', escape = '\\'): string[] => processWords(w, ENV, {escape, builder});
const failure = (run: () => unknown): ExpansionError => {
  try {
    run();
  } catch (e) {
    if (e instanceof ExpansionError) return e;
    throw e;
  }
  throw new Error('expected an ExpansionError');
};

describe('processWord, both builders', () => {
  // prettier-ignore
  test.each([
    ['80',                 '80'],
    ['$P',                 '8080'],
    ['${P}',               '8080'],
    ['${P}/udp',           '8080/udp'],
    ['$P$P',               '80808080'],
    ['$NOPE',              ''],
    ['x${NOPE}y',          'xy'],
    ['$',                  '$'],
    ['$/tcp',              '$/tcp'],
    ['${P:-1}',            '8080'],
    ['${NOPE:-1}',         '1'],
    ['${EMPTY:-1}',        '1'],
    ['${NOPE:-$P}',        '8080'],
    ['${P:+1}',            '1'],
    ['${EMPTY:+1}',        ''],
    ['${NOPE:+1}',         ''],
    ['${P:?x}',            '8080'],
    ['${EMPTY?x}',         ''],
    ['${KOREAN}',          '한국어'],
    ['$1$@$#$?$*$!$$$-',   ''],
    ['$10',                ''],
    ['${P}0',              '80800'],
    ['$P_X',               ''],
    ["'$P'",               '$P'],
    ['"$P"',               '8080'],
    ['"\'$P\'"',           "'8080'"],
    ['\\$P',               '$P'],
    ['"\\$P"',             '$P'],
    ['"\\x"',              '\\x'],
    ['8\\0',               '80'],
    ['8\\',                '8'],
    ['"a b"c',             'a bc'],
    ["''",                 ''],
    ['${P:-"a b"}',        '8080'],
    ['${NOPE:-"a b"}',     'a b']
  ])('%s → %j', (input, expected) => {
    expect(word(input, 'buildkit')).toBe(expected);
    expect(word(input, 'classic')).toBe(expected);
  });

  test('a backtick escape makes the backslash an ordinary character', () => {
    expect(word('`$P', 'buildkit', '`')).toBe('$P');
    expect(word('c:\\$P', 'buildkit', '`')).toBe('c:\\8080');
    expect(word('"`""', 'classic', '`')).toBe('"');
  });
});

describe('processWords: EXPOSE word splitting happens after expansion', () => {
  // prettier-ignore
  test.each([
    ['$PORTS',           ['3000', '4000/udp']],
    ['"$PORTS"',         ['3000 4000/udp']],
    ["'$PORTS'",         ['$PORTS']],
    ['${NOPE}',          []],
    ['""',               []],
    ['${NOPE:-"1 2"}',   ['1', '2']],
    ['a\\ b',            ['a b']],
    ['x${PORTS}y',       ['x3000', '4000/udpy']],
    ['${EMPTY}80',       ['80']]
  ])('%s → %j', (input, expected) => {
    expect(words(input, 'buildkit')).toEqual(expected);
    expect(words(input, 'classic')).toEqual(expected);
  });
});

describe('BuildKit-only operators (moby/buildkit shell/lex_test.go)', () => {
  const env = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));
  // prettier-ignore
  test.each<[string, Record<string, string>, string]>([
    ['${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}',  {FOO: 'xxx', BAR: ''},       'xxx  ccc'],
    ['${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}',  {FOO: 'xxx', BAR: ''},       'aaa bbb '],
    ['${FOO#*x*y}',                       {FOO: 'xxyy'},               'y'],
    ['${FOO#*}',                          {FOO: 'xxyy'},               'xxyy'],
    ['${FOO##*x}',                        {FOO: 'xxyy'},               'yy'],
    ['${FOO#$BAR}',                       {FOO: 'xxyy', BAR: 'x'},     'xyy'],
    ['${FOO#?\\?}',                       {FOO: '???y'},               '?y'],
    ['${FOO%%\\**}',                      {FOO: 'xx**'},               'xx'],
    ['${FOO%%\\**\\*}',                   {FOO: 'a***yy*'},            'a'],
    ['${ABC:-.}${FOO%x}${ABC:-.}',        {FOO: 'xxyy'},               '.xxyy.'],
    ['${FOO#()[]{\\}^$.\\*\\?|\\\\}',     {FOO: '()[]{}^$.*?|\\x'},    'x'],
    ['${FOO/$N/.} - ${FOO//$N/.}',        {FOO: '/foo*/*/*.txt', N: '\\*/'}, '/foo.*/*.txt - /foo..*.txt'],
    ['${FOO/$N/} - ${FOO//$N/}',          {FOO: '/tmp/tmp/bar.txt', N: '/tmp'}, '/tmp/bar.txt - /bar.txt'],
    ['${FOO//\\//\\/}',                   {FOO: '/tmp/foo.txt'},       '\\/tmp\\/foo.txt'],
    ['${FOO/$BAR/ww}',                    {FOO: 'xxyy', BAR: ''},      'wwxxyy'],
    ['${FOO///}',                         {FOO: 'xxyy'},               'xxyy'],
    ['${V#v}',                            {V: 'v8080'},                '8080'],
    ['${V%.*}',                           {V: '8080.tcp'},             '8080'],
    // The replacement goes through Go's regexp template: an escaped `$0` is the match.
    ['${V//x/<\\$0>}',                    {V: 'axb'},                  'a<\\x>b']
  ])('%s', (input, vars, expected) => {
    expect(processWord(input, env(vars), {escape: '\\', builder: 'buildkit'})).toBe(expected);
  });

  test.each(['${FOO-1}', '${FOO+1}', '${FOO#1}', '${FOO%1}', '${FOO/1/2}'])('the classic builder of Docker 20.10 rejects %s', input => {
    expect(failure(() => word(input, 'classic')).message).toBe(`failed to process "${input}": missing ':' in substitution`);
  });

  test('reversePattern keeps escapes in front of what they escape', () => {
    expect(reversePattern('a\\*c')).toBe('c\\*a');
    expect(reversePattern('ab\\')).toBe('\\ba');
    expect(reversePattern('👽\\🚀🖖')).toBe('🖖\\🚀👽');
  });
});

describe('errors carry Docker wording', () => {
  // prettier-ignore
  test.each<[string, Builder, string, boolean]>([
    ['${NOPE:?}',      'buildkit', 'NOPE: is not allowed to be unset', true],
    ['${EMPTY:?}',     'buildkit', 'EMPTY: is not allowed to be empty', true],
    ['${EMPTY:?}',     'classic',  'EMPTY: is not allowed to be empty', true],
    ['${NOPE:?set it}', 'classic', 'NOPE: set it', true],
    ['${NOPE?msg$P}',  'buildkit', 'NOPE: msg8080', true],
    ['${NOPE',         'buildkit', 'unsupported modifier (\uFFFD) in substitution', false],
    ['${NOPE',         'classic',  "missing ':' in substitution", false],
    ['${',             'classic',  "syntax error: missing '}'", false],
    ['${}',            'buildkit', 'syntax error: bad substitution', false],
    ['${:-1}',         'buildkit', 'syntax error: bad substitution', false],
    ['${P:x}',         'buildkit', 'unsupported modifier (:x) in substitution', false],
    ['${P:x}',         'classic',  'unsupported modifier (x) in substitution', false],
    ['${P=1}',         'buildkit', 'unsupported modifier (=) in substitution', false],
    ['${P//x}',        'buildkit', "syntax error: missing '/' in ${}", false],
    ['${P#\\x}',       'buildkit', 'invalid pattern (\\x) in substitution: invalid escape \'\\x\'', false],
    ["'80",            'buildkit', 'unexpected end of statement while looking for matching single-quote', false],
    ['"80',            'classic',  'unexpected end of statement while looking for matching double-quote', false]
  ])('%s (%s) → %s', (input, builder, reason, missingValue) => {
    const e = failure(() => word(input, builder));
    expect(e.message).toBe(`failed to process ${JSON.stringify(input)}: ${reason}`);
    expect(e.missingValue).toBe(missingValue);
  });
});
