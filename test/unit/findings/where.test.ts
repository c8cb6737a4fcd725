import {describe, expect, test} from 'vitest';
import {locate, type Anchors, type Subject} from '../../../src/findings/where.js';

const FROM = {file: 'Dockerfile', line: 9, column: 1};
const BASE = {file: 'Dockerfile', line: 1, column: 1};
const CMD = {file: 'Dockerfile', line: 14, column: 1, endLine: 14, endColumn: 30};
const PORTS = {file: 'portgate.yml', line: 2, column: 1};
const all: Anchors = {from: FROM, baseFrom: BASE, command: CMD, specPorts: PORTS};

describe('locate: one rule for every finding without a line of its own', () => {
  // prettier-ignore
  test.each<[string, Subject, Anchors, unknown]>([
    ['an inherited EXPOSE: the FROM that names the base image',         'inherited',  all,                              BASE],
    ['a listener: the ENTRYPOINT/CMD that starts it',                  'process',    all,                              CMD],
    ['a listener, command inherited: the FROM it comes in through',    'process',    {from: FROM, baseFrom: BASE},     BASE],
    ['an undeclared listener: the spec’s ports: key',                  'undeclared', all,                              PORTS],
    ['an undeclared listener without a spec: the ENTRYPOINT/CMD',      'undeclared', {from: FROM, command: CMD},       CMD],
    ['the image as a whole: the target stage’s FROM',                  'image',      all,                              FROM],
    ['no Dockerfile: the image, for writers to explain',               'process',    {},                               {image: 'app:1'}],
    ['no Dockerfile, but a spec: undeclared listeners go to ports:',   'undeclared', {specPorts: PORTS},               PORTS],
    ['no Dockerfile: an inherited EXPOSE has no line either',          'inherited',  {specPorts: PORTS},               {image: 'app:1'}]
  ])('%s', (_name, subject, anchors, expected) => {
    expect(locate(subject, anchors, 'app:1')).toEqual(expected);
  });

  test('returns a copy: a writer cannot move the anchor', () => {
    const l = locate('image', all, 'app:1');
    expect(l).not.toBe(FROM);
  });
});
