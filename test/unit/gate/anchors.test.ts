import {expect, test} from 'vitest';
import {resolveExpose} from '../../../src/dockerfile/index.js';
import {anchorsOf} from '../../../src/gate/run-gate.js';

test('the command anchor is the ENTRYPOINT (it names the program), else the CMD; none without a Dockerfile', () => {
  const both = resolveExpose('FROM alpine AS base\nCMD ["serve"]\nFROM base\nENTRYPOINT ["/app"]\nCMD ["--port", "80"]\n', {file: 'Dockerfile'}).config;
  expect(anchorsOf(both)).toEqual({from: {file: 'Dockerfile', line: 3, column: 1}, baseFrom: {file: 'Dockerfile', line: 1, column: 1}, command: expect.objectContaining({line: 4})});
  const cmdOnly = resolveExpose('FROM alpine\nCMD ["serve"]\n', {file: 'Dockerfile'}).config;
  expect(anchorsOf(cmdOnly).command).toMatchObject({line: 2});
  expect(anchorsOf(resolveExpose('FROM alpine\n', {file: 'Dockerfile'}).config)).not.toHaveProperty('command');
  expect(anchorsOf(undefined)).toEqual({});
});
