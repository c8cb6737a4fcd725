import {describe, expect, test} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {parseBoolean, parseBuildArgs, parseChoice, parseLines, readInputs, versionMatches} from '../../../src/action/inputs.js';

const from = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('parseBoolean', () => {
  // prettier-ignore
  test.each([
    ['true', true], ['True', true], ['TRUE', true], [' true\n', true],
    ['false', false], ['False', false], ['FALSE', false],
    ['', true]
  ])('%j → %s', (value, expected) => {
    expect(parseBoolean(value, 'comment', true)).toBe(expected);
  });

  test.each(['yes', 'on', '1', 'tru'])('refuses %j, naming the input, the value and what is allowed', value => {
    expect(() => parseBoolean(value, 'comment', true)).toThrow(new InputError(`input comment is "${value}"; expected true or false.`));
  });
});

describe('parseChoice', () => {
  const allowed = ['error', 'warning', 'never'] as const;

  test('accepts an allowed value and falls back on empty', () => {
    expect(parseChoice(' warning ', 'fail-on', allowed, 'error')).toBe('warning');
    expect(parseChoice('', 'fail-on', allowed, 'error')).toBe('error');
  });

  test('is case-sensitive and lists the allowed values', () => {
    expect(() => parseChoice('Error', 'fail-on', allowed, 'error')).toThrow('input fail-on is "Error"; expected one of error, warning, never.');
  });
});

describe('parseBuildArgs', () => {
  test('one KEY=VALUE per line; the value keeps later = signs, spaces and commas', () => {
    const text = 'VERSION=1.2\n\n  # a comment\nFLAGS=--a=b --c,d\r\nEMPTY=\n';
    expect(parseBuildArgs(text)).toEqual({VERSION: '1.2', FLAGS: '--a=b --c,d', EMPTY: ''});
  });

  test('a later line wins, as with repeated --build-arg', () => {
    expect(parseBuildArgs('A=1\nA=2')).toEqual({A: '2'});
  });

  test.each(['VERSION', '=1', 'MY VAR=1', '1X=2'])('refuses %j with the line and the expected form', line => {
    expect(() => parseBuildArgs(`OK=1\n${line}`)).toThrow(`input build-args has "${line}"; expected one KEY=VALUE per line, e.g. VERSION=1.2.`);
  });
});

test('parseLines drops blanks and comment lines and trims', () => {
  expect(parseLines(' k8s/deploy.yml \n\n# staging\nk8s/svc,prod.yml\n')).toEqual(['k8s/deploy.yml', 'k8s/svc,prod.yml']);
});

describe('readInputs', () => {
  test('only image set: every other input takes action.yml’s default', () => {
    expect(readInputs(from({image: 'app:ci'}))).toEqual({
      image: 'app:ci',
      dockerfile: undefined,
      spec: undefined,
      buildArgs: {},
      target: undefined,
      timeoutMs: undefined,
      probe: 'auto',
      probeImage: undefined,
      failOn: 'error',
      comment: true,
      sarif: undefined,
      baseline: undefined,
      githubToken: '',
      manifests: [],
      compose: [],
      container: undefined,
      staticOnly: false,
      pull: 'missing',
      engineWaitMs: 0,
      builder: 'buildkit',
      version: undefined
    });
  });

  test('engine-wait, builder and version', () => {
    expect(readInputs(from({image: 'app:ci', 'engine-wait': '1m', builder: 'classic', version: 'v1.2.3'}))).toMatchObject({engineWaitMs: 60_000, builder: 'classic', version: '1.2.3'});
    expect(() => readInputs(from({image: 'app:ci', builder: 'kaniko'}))).toThrow('input builder is "kaniko"; expected one of buildkit, classic.');
    expect(() => readInputs(from({image: 'app:ci', 'engine-wait': 'long'}))).toThrow(InputError);
    expect(() => readInputs(from({image: 'app:ci', version: 'latest'}))).toThrow('input version is "latest"; expected a portgate version such as 1, 1.2 or 1.2.3 (a leading v is fine).');
  });

  test.each([
    ['0.1.0', '0.1.0', true],
    ['0.1', '0.1.7', true],
    ['0', '0.9.0', true],
    ['0.1.0', '0.1.1', false],
    ['1', '0.1.0', false],
    ['0.1', '0.10.0', false],
    ['1.2.3', '1.2.3-rc.1', false],
    ['1.2.3-rc.1', '1.2.3-rc.1', true]
  ])('version %s accepts portgate %s: %s', (wanted, actual, ok) => {
    expect(versionMatches(wanted, actual)).toBe(ok);
  });

  test('static-only and pull are validated like the other choices', () => {
    expect(readInputs(from({image: 'app:ci', 'static-only': 'true', pull: 'never'}))).toMatchObject({staticOnly: true, pull: 'never'});
    expect(() => readInputs(from({image: 'app:ci', pull: 'sometimes'}))).toThrow('input pull is "sometimes"; expected one of missing, always, never.');
  });

  test('every input set', () => {
    const inputs = readInputs(
      from({
        image: ' app:ci ',
        dockerfile: 'docker/Dockerfile',
        spec: 'portgate.yml',
        'build-args': 'A=1',
        target: 'runtime',
        timeout: '1m',
        settle: '500ms',
        probe: 'sidecar',
        'probe-image': 'busybox:1.36',
        'fail-on': 'warning',
        comment: 'false',
        sarif: 'out/portgate.sarif',
        baseline: ' artifacts/main.json ',
        'github-token': 'ghs_x',
        manifests: 'k8s/a.yml\nk8s/b.yml',
        compose: 'compose.yml',
        container: ' web ',
        sandbox: 'strict',
        network: 'none'
      })
    );
    expect(inputs).toMatchObject({sandbox: 'strict', network: 'none'});
    expect(inputs).toMatchObject({image: 'app:ci', buildArgs: {A: '1'}, timeoutMs: 60_000, settle: 500, probe: 'sidecar', failOn: 'warning', comment: false});
    expect(inputs).toMatchObject({sarif: 'out/portgate.sarif', baseline: 'artifacts/main.json', manifests: ['k8s/a.yml', 'k8s/b.yml'], compose: ['compose.yml'], target: 'runtime', container: 'web'});
  });

  test.each([
    [{}, 'input image is required'],
    [{image: 'a', probe: 'docker'}, 'input probe is "docker"; expected one of auto, host, sidecar, exec.'],
    [{image: 'a', 'fail-on': 'note'}, 'input fail-on is "note"; expected one of error, warning, never.'],
    [{image: 'a', sandbox: 'paranoid'}, 'input sandbox is "paranoid"; expected one of default, strict.'],
    [{image: 'a', network: 'host'}, 'input network is "host"; expected one of isolated, none.'],
    [{image: 'a', timeout: '30'}, 'input timeout 30 has no unit'],
    [{image: 'a', settle: 'soon'}, 'input settle "soon" is not a duration'],
    [{image: 'my app:ci'}, 'input image "my app:ci" is not a valid image reference: invalid reference format (it contains whitespace)'],
    [{image: 'team//app'}, 'input image "team//app" is not a valid image reference: invalid reference format'],
    [{image: 'App:ci'}, 'input image "App:ci" is not a valid image reference: invalid reference format: repository name (library/App) must be lowercase'],
    [{image: 'a', 'probe-image': 'busybox/'}, 'input probe-image "busybox/" is not a valid image reference: invalid reference format (it starts or ends with `/`)']
  ])('%j is refused with an InputError', (values, message) => {
    expect(() => readInputs(from(values))).toThrow(InputError);
    expect(() => readInputs(from(values))).toThrow(message);
  });
});
