import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {Ajv} from 'ajv';
import {parse} from 'yaml';
import {describe, expect, test} from 'vitest';
import schema from '../../../schema/portgate.schema.json' with {type: 'json'};
import {InputError} from '../../../src/errors.js';
import {RULES} from '../../../src/findings/rules.js';
import {loadSpec, parsePortValue, SCHEMA_URL} from '../../../src/spec/index.js';
import {parseDuration} from '../../../src/util/duration.js';

const DIR = join(import.meta.dirname, '../../fixtures/specs');
const fixtures = readdirSync(DIR).filter(f => f.endsWith('.yml')).sort();
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');
/** `# expect: ...` and `# schema: ...` header lines say what each fixture proves. */
const header = (text: string, key: string) => new RegExp(`^# ${key}: (.*)$`, 'm').exec(text)?.[1];

// A fresh validator with only the options any JSON Schema tool would need, so this checks the file, not portgate's use of it.
const ajv = new Ajv({allErrors: true, allowUnionTypes: true, strict: true}).addVocabulary(['enumDescriptions', 'defaultSnippets', 'markdownDescription']);
const validate = ajv.compile(schema);
const schemaAccepts = (data: unknown) => validate(data);

describe('schema/portgate.schema.json', () => {
  test('is a valid draft-07 schema that compiles in strict mode', () => {
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  test('its $id is the URL renderSpec puts in the yaml-language-server line', () => {
    expect(schema.$id).toBe(SCHEMA_URL);
  });

  test('lists exactly the rule catalogue, each with its title, so editors complete rule ids', () => {
    const props = schema.definitions.rules.properties as Record<string, {description: string}>;
    expect(Object.keys(props).sort()).toEqual(Object.keys(RULES).sort());
    for (const [id, meta] of Object.entries(RULES)) expect(props[id]!.description).toBe(`${meta.title} (default ${meta.severity}).`);
  });

  test('accept: names every rule but the suppression rules themselves', () => {
    const ids = schema.definitions.acceptance.properties.rule.enum;
    expect([...ids].sort()).toEqual(Object.keys(RULES).filter(id => !id.startsWith('suppression-')).sort());
  });

  test('a `served: false` port with an exposure is rejected, in editors too', () => {
    expect(schemaAccepts({version: 1, ports: [{port: 9000, served: false}]})).toBe(true);
    expect(schemaAccepts({version: 1, ports: [{port: 9000, served: true, exposure: 'internal'}]})).toBe(true);
    expect(schemaAccepts({version: 1, ports: [{port: 9000, served: false, exposure: 'internal'}]})).toBe(false);
  });

  test('every property has a description for hover and completion', () => {
    const missing: string[] = [];
    const walk = (s: Record<string, unknown>, at: string) => {
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        const target = typeof v.$ref === 'string' ? (schema.definitions as Record<string, Record<string, unknown>>)[v.$ref.split('/').pop()!]! : v;
        if (typeof v.description !== 'string' && typeof target.description !== 'string') missing.push(`${at}.${k}`);
        walk(v, `${at}.${k}`);
      }
    };
    walk(schema, '');
    for (const [name, def] of Object.entries(schema.definitions)) walk(def as Record<string, unknown>, name);
    expect(missing).toEqual([]);
  });
});

test('the fixture corpus is all there (an empty folder would run no fixture test)', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(29);
});

describe.each(fixtures)('fixture %s', file => {
  const text = read(file);
  const expectation = header(text, 'expect')!;

  if (file.startsWith('valid-')) {
    test('loadSpec accepts it and the schema accepts it', () => {
      const spec = loadSpec(text, file);
      expect(spec.ports).toHaveLength(Number(/(\d+) ports/.exec(expectation)![1]));
      expect(schemaAccepts(parse(text))).toBe(true);
    });
    return;
  }

  test('loadSpec rejects it at the expected place with the expected message', () => {
    const [, line, column, message] = /^(\d+):(\d+) (.*)$/.exec(expectation)!;
    let error: unknown;
    try {
      loadSpec(text, file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const e = error as InputError;
    expect([e.file, e.line, e.column]).toEqual([file, Number(line), Number(column)]);
    expect(e.message).toContain(message);
  });

  test(`the schema agrees (${header(text, 'schema')})`, () => {
    const verdict = header(text, 'schema')!.split(' ')[0];
    if (verdict === 'unparsable') return expect(() => parse(text)).toThrow();
    // "accepts": what JSON Schema cannot say (duplicates, range order and size, suffix conflicts, duration limits).
    expect(schemaAccepts(parse(text))).toBe(verdict === 'accepts');
  });
});

describe('the schema and the code accept the same values', () => {
  // prettier-ignore
  const portValues: unknown[] = [
    1, 80, 8080, 65535, 0, -1, 65536, 80.5, '80', '8080/tcp', '53/udp', '3868/sctp', '7000-7010', '7000-7010/udp', '1-1024',
    '0', '65536', '99999', '080', '00', '8080/', '/udp', '8080/UDP', '8080/tpc', 'http', '80 ', ' 80', '80-', '-80', '80--90',
    '1-2-3', '7000-70000', '0-10', '80/udp/tcp', '8e3', '0x50', '', true, null, [80], {port: 80}
  ];
  test.each(portValues.map(v => [JSON.stringify(v), v]))('port %s', (_label, v) => {
    const parsed = parsePortValue(v);
    expect(schemaAccepts({version: 1, ports: [{port: v}]})).toBe(typeof parsed !== 'string');
  });

  test.each([['7010-7000'], ['1-1025'], ['1-65535/udp']])('port %s: only the code refuses (range order and size)', v => {
    expect(typeof parsePortValue(v)).toBe('string');
    expect(schemaAccepts({version: 1, ports: [{port: v}]})).toBe(true);
  });

  // prettier-ignore
  const durations: unknown[] = ['30s', '2m', '1h', '500ms', '1.5s', '.5s', '10 s', '0', 0, '0s', '30', 30, '0.0', '', '-1s', '2d', '30S', '1e3s',
    ' 30s', '30s ', '10  s', 'soon', '1.s', true, 1.5];
  test.each(durations.map(v => [JSON.stringify(v), v]))('duration %s', (_label, v) => {
    let ok = true;
    try {
      parseDuration(v as string, 'run.timeout');
    } catch {
      ok = false;
    }
    expect(schemaAccepts({version: 1, ports: [], run: {settle: v}})).toBe(ok && (typeof v === 'string' || typeof v === 'number'));
  });
});
