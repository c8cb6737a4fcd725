import {describe, expect, test} from 'vitest';
import {debugAgentFindings} from '../../../src/compare/debug-agents.js';
import {resolveExpose} from '../../../src/dockerfile/index.js';
import type {ImageFacts} from '../../../src/engine/types.js';
import {agentSettings, type AgentInputs} from '../../../src/gate/agent-settings.js';
import {anchorsOf} from '../../../src/gate/run-gate.js';
import {emptyRun} from '../../../src/manifests/deployed-run.js';
import {planSandbox, specLayers} from '../../../src/sandbox/index.js';
import {loadSpec} from '../../../src/spec/index.js';

const DOCKERFILE = [
  'FROM eclipse-temurin:21-jre',
  'COPY app.jar /app.jar',
  'ENV JAVA_TOOL_OPTIONS="-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005"',
  'ENTRYPOINT ["java", "-jar", "/app.jar"]'
].join('\n');
const config = resolveExpose(DOCKERFILE, {file: 'Dockerfile'}).config;

const facts = (o: Partial<ImageFacts> = {}): ImageFacts => ({
  ref: 'orders:ci',
  id: 'sha256:1',
  exposedPorts: [],
  user: '',
  env: ['PATH=/usr/bin', 'JAVA_TOOL_OPTIONS=-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005', 'NODE_OPTIONS=--inspect=0.0.0.0'],
  entrypoint: ['java', '-jar', '/app.jar'],
  cmd: null,
  ...o
});

const inputs = (o: Partial<AgentInputs> = {}): AgentInputs => ({image: 'orders:ci', facts: facts(), config, anchors: anchorsOf(config), containers: [], plan: planSandbox([]), ...o});

/** rule port @ file:line, for every finding the settings produce. */
const found = (i: AgentInputs) => debugAgentFindings(agentSettings(i)).map(f => `${f.port ?? '-'} @ ${f.location && 'file' in f.location ? `${f.location.file}:${f.location.line}` : '(image)'}`);

describe('agentSettings: where each setting comes from, and where its finding points', () => {
  test("the image's ENV: the Dockerfile ENV line that sets it, else the FROM that brings it in", () => {
    expect(found(inputs())).toEqual(['5005 @ Dockerfile:3', '9229 @ Dockerfile:1']);
  });

  test('without a Dockerfile: the image', () => {
    expect(found(inputs({config: undefined, anchors: {}}))).toEqual(['5005 @ (image)', '9229 @ (image)']);
  });

  test('static-only without the image: the Dockerfile’s own ENV and ENTRYPOINT stand in for the image config', () => {
    const df = resolveExpose('FROM node:22\nCMD ["node", "--inspect=0.0.0.0:9229", "server.js"]\n', {file: 'Dockerfile'}).config;
    expect(found({image: 'web:ci', config: df, anchors: anchorsOf(df), containers: [], plan: planSandbox([])})).toEqual(['9229 @ Dockerfile:2']);
  });

  test("every manifest container's env and command/args, at their lines", () => {
    const run = emptyRun();
    run.env.push({name: 'NODE_OPTIONS', value: '--inspect=0.0.0.0:9230', at: {file: 'k8s.yaml', line: 21}});
    run.command = {value: ['dlv', 'exec', '/app', '--headless', '--listen=:40000'], at: {file: 'k8s.yaml', line: 18}};
    const containers = [{platform: 'kubernetes' as const, run, what: 'container api of Deployment api', at: {file: 'k8s.yaml', line: 12}, hostNetwork: false, batch: false}];
    expect(found(inputs({facts: facts({env: []}), containers}))).toEqual(['9230 @ k8s.yaml:21', '40000 @ k8s.yaml:18']);
  });

  test("portgate.yml's run: settings, not the manifest ones the plan copied (the manifest scan has their exact lines)", () => {
    const spec = loadSpec('version: 1\nports: []\nrun:\n  env:\n    NODE_OPTIONS: --inspect=0.0.0.0:9231\n  command: [python, -m, debugpy, --listen, "0.0.0.0:5678", app.py]\n', 'portgate.yml');
    const manifest = {source: {kind: 'manifest' as const, location: {file: 'k8s.yaml', line: 12}, what: 'container api'}, settings: {env: {JAVA_TOOL_OPTIONS: '-agentlib:jdwp=transport=dt_socket,server=y,address=*:5006'}}};
    const plan = planSandbox([manifest, ...specLayers(spec.run, spec.file, spec.locations.runKeys)]);
    expect(found(inputs({facts: facts({env: []}), plan}))).toEqual(['9231 @ portgate.yml:4', '5678 @ portgate.yml:6']);
  });
});
