import {describe, expect, it} from 'vitest';
import {InputError} from '../../../src/errors.js';
import {parseLabelList} from '../../../src/policy/labels.js';
import {loadSpec, parsePeerFlag} from '../../../src/spec/index.js';

const y = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('portgate.yml policy:', () => {
  it('reads internalFrom peers as label selectors, with the key\'s place for the generated comments', () => {
    const spec = loadSpec(
      y('version: 1', 'ports: []', 'policy:', '  internalFrom:', '    - namespaceSelector: {matchLabels: {team: ops}}', '      podSelector: {}', '    - podSelector:', '        matchExpressions: [{key: app, operator: NotIn, values: [web]}, {key: tier, operator: Exists}]'),
      'portgate.yml'
    );
    expect(spec.policy).toEqual({
      internalFrom: [
        {namespaceSelector: {matchLabels: {team: 'ops'}, matchExpressions: []}, podSelector: {matchLabels: {}, matchExpressions: []}},
        {podSelector: {matchLabels: {}, matchExpressions: [{key: 'app', operator: 'NotIn', values: ['web']}, {key: 'tier', operator: 'Exists', values: []}]}}
      ],
      internalFromAt: {file: 'portgate.yml', line: 4, column: 3, endLine: 4, endColumn: 15}
    });
  });

  it('is absent when the spec has no policy:, and empty for `policy: {}`', () => {
    expect(loadSpec(y('version: 1', 'ports: []'), 'p.yml').policy).toBeUndefined();
    expect(loadSpec(y('version: 1', 'ports: []', 'policy: {}'), 'p.yml').policy).toEqual({});
  });

  // prettier-ignore
  it.each([
    ['an unknown key under policy', y('version: 1', 'ports: []', 'policy:', '  internalfrom: []'), 4, /unknown key `internalfrom` in policy\. Did you mean `internalFrom`\?/],
    ['a peer that is not a mapping', y('version: 1', 'ports: []', 'policy:', '  internalFrom: [monitoring]'), 4, /policy\.internalFrom\[0\] must be a mapping, but it is the string "monitoring"/],
    ['a label value that is a number', y('version: 1', 'ports: []', 'policy:', '  internalFrom:', '    - podSelector: {matchLabels: {tier: 1}}'), 5, /matchLabels\.tier must be a string, but it is the number 1/],
    ['a label key with a bad prefix', y('version: 1', 'ports: []', 'policy:', '  internalFrom:', '    - podSelector: {matchLabels: {Example.com/app: x}}'), 5, /label key "Example\.com\/app" has an invalid prefix/],
    ['Exists with values', y('version: 1', 'ports: []', 'policy:', '  internalFrom:', '    - podSelector: {matchExpressions: [{key: a, operator: Exists, values: [b]}]}'), 5, /operator Exists takes no `values`: remove them/],
    ['an unknown operator', y('version: 1', 'ports: []', 'policy:', '  internalFrom:', '    - podSelector: {matchExpressions: [{key: a, operator: Equals}]}'), 5, /must be In, NotIn, Exists or DoesNotExist/]
  ])('refuses %s at its line', (_, text, line, msg) => {
    let err: unknown;
    try {
      loadSpec(text, 'portgate.yml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(msg);
    expect((err as InputError).line).toBe(line);
  });
});

describe('--internal-from', () => {
  it('reads one peer written like a policy.internalFrom entry', () => {
    expect(parsePeerFlag('{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}, podSelector: {matchLabels: {app: prometheus}}}')).toEqual({
      namespaceSelector: {matchLabels: {'kubernetes.io/metadata.name': 'monitoring'}, matchExpressions: []},
      podSelector: {matchLabels: {app: 'prometheus'}, matchExpressions: []}
    });
    expect(parsePeerFlag('podSelector: {}')).toEqual({podSelector: {matchLabels: {}, matchExpressions: []}});
  });

  // prettier-ignore
  it.each([
    ['not YAML', '{podSelector: [', /--internal-from "\{podSelector: \[" is not YAML/],
    ['a bare word', 'monitoring', /the peer must be a mapping.*but it is the string "monitoring"/],
    ['an empty peer', '{}', /the peer must NOT have fewer than 1 properties/],
    ['an unknown key', '{ipBlock: {cidr: 10.0.0.0/8}}', /unknown key `ipBlock` in the peer\..*Allowed keys: podSelector, namespaceSelector/],
    ['a bad label value', '{podSelector: {matchLabels: {app: "a b"}}}', /label value "a b" of "app" is invalid/]
  ])('refuses %s, with an example', (_, text, msg) => {
    expect(() => parsePeerFlag(text)).toThrow(InputError);
    expect(() => parsePeerFlag(text)).toThrow(msg);
    expect(() => parsePeerFlag(text)).toThrow(/e\.g\. --internal-from '\{podSelector: \{matchLabels: \{app: gateway\}\}\}'/);
  });
});

describe('--pod-selector', () => {
  it.each([
    ['app=api', {app: 'api'}],
    ['app=api,tier=web', {app: 'api', tier: 'web'}],
    ['app.kubernetes.io/name==api', {'app.kubernetes.io/name': 'api'}],
    [' app = api ', {app: 'api'}],
    ['app=', {app: ''}]
  ])('%j → %j', (text, labels) => {
    expect(parseLabelList(text, '--pod-selector')).toEqual(labels);
  });

  it.each([
    ['app', /write labels as KEY=VALUE pairs/],
    ['app!=web', /write labels as KEY=VALUE pairs/],
    ['app in (a,b)', /write labels as KEY=VALUE pairs/],
    ['app=a,app=b', /label "app" is given twice/],
    ['-app=x', /label key "-app" is invalid/],
    ['app=a_', /label value "a_" of "app" is invalid/]
  ])('refuses %j', (text, msg) => {
    expect(() => parseLabelList(text, '--pod-selector')).toThrow(msg);
  });
});
