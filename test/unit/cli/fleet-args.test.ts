import {describe, expect, test} from 'vitest';
import {parseCliArgs} from '../../../src/cli/args.js';

/** `check --fleet` passes on only the flags the user gave: commander's defaults must not override the fleet file's. */
describe('check --fleet flags', () => {
  test('none given: fail-on, probe, probe-image, pull and builder are left to the fleet file', () => {
    const a = parseCliArgs(['check', '--fleet']);
    expect(a).toMatchObject({command: 'check-fleet', fleet: 'portgate.fleet.yml', services: []});
    for (const k of ['failOn', 'probe', 'probeImage', 'pull', 'builder']) expect(a, k).not.toHaveProperty(k);
  });

  test('given, even with the default value: the command line wins', () => {
    expect(parseCliArgs(['check', '--fleet', 'f.yml', '--fail-on', 'error', '--probe', 'auto', '--probe-image', 'busybox:1.37', '--pull', 'never', '--builder', 'classic'])).toMatchObject({
      failOn: 'error',
      probe: 'auto',
      probeImage: 'busybox:1.37',
      pull: 'never',
      builder: 'classic'
    });
  });

  test('matrix: --dind takes a tag prefix or none', () => {
    expect(parseCliArgs(['matrix', '--format', 'gitlab'])).toMatchObject({command: 'matrix', image: 'node:24-alpine', dind: '29'});
    expect(parseCliArgs(['matrix', '--format', 'gitlab', '--dind', 'none'])).toMatchObject({dind: 'none'});
    expect(() => parseCliArgs(['matrix', '--format', 'gitlab', '--dind', '29; rm -rf /'])).toThrow('--dind is a tag prefix of docker:<version>-dind');
  });
});
