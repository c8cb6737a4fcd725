import {describe, expect, it} from 'vitest';
import type {Finding, GateResult, Listener} from '../../../src/model.js';
import {FORMATS, FORMAT_NAMES, isFormat} from '../../../src/report/index.js';
import {toJsonReport} from '../../../src/report/json.js';
import {LIMIT} from '../../../src/report/markdown.js';
import {portRows} from '../../../src/report/table.js';
import {CWD, FIXTURES, hostileResult, loadResult, reversed} from './fixtures.js';

// eslint-disable-next-line no-control-regex
const ESC = /\u001b/;
const all = [...FIXTURES.map(name => [name, loadResult(name)] as const), ['hostile', hostileResult()] as const];

describe('registry', () => {
  it('has exactly the documented formats', () => {
    expect(Object.keys(FORMATS)).toEqual(FORMAT_NAMES);
    expect(FORMAT_NAMES).toEqual(['text', 'json', 'markdown', 'sarif', 'gitlab-codequality', 'junit']);
    expect(isFormat('sarif')).toBe(true);
    expect(isFormat('toString')).toBe(false);
  });
});

describe.each(all)('every format, %s', (_, result) => {
  it.each(FORMAT_NAMES)('%s is deterministic, order-independent, newline-terminated, escape-free', format => {
    const out = FORMATS[format](result, {cwd: CWD});
    expect(FORMATS[format](reversed(result), {cwd: CWD})).toBe(out);
    expect(out.endsWith('\n')).toBe(true);
    // JSON formats keep the hostile text, JSON-escaped as \u001b; nothing emits a raw ESC.
    expect(out).not.toMatch(ESC);
  });
});

describe('table', () => {
  it('has one row per port/protocol from any view or finding, in port order', () => {
    expect(portRows(loadResult('failing-service')).map(r => r.key)).toEqual([
      '53/tcp', '53/udp', '5005/tcp', '8080/tcp', '8081/tcp', '8443/tcp', '9000/tcp', '9100/tcp'
    ]);
  });
});

describe('text', () => {
  it('colours only when asked, and colour is the only difference', () => {
    const r = loadResult('failing-service');
    const plain = FORMATS.text(r, {color: false});
    const color = FORMATS.text(r, {color: true});
    expect(color).toContain('\u001b[1;31mFAIL\u001b[0m');
    expect(color).toContain('\u001b[31mrisky-port');
    // eslint-disable-next-line no-control-regex
    expect(color.replace(/\u001b\[[\d;]*m/g, '')).toBe(plain);
  });

  it('ends with a one-line verdict', () => {
    const lines = FORMATS.text(loadResult('no-spec'), {}).trimEnd().split('\n');
    expect(lines.at(-1)).toBe('PASS localhost:5000/edge/proxy:pr-481: 1 error, 1 warning, 0 notes (gate never fails)');
  });
});

describe('json', () => {
  it('has the documented top-level keys in a fixed order', () => {
    const out = JSON.parse(FORMATS.json(loadResult('failing-service'), {}));
    expect(Object.keys(out)).toEqual(['version', 'verdict', 'failOn', 'image', 'dockerfile', 'spec', 'exposed', 'listening', 'declared', 'findings', 'container', 'timing']);
    expect(Object.keys(out.timing)[0]).toBe('totalMs');
    expect(Object.keys(out.findings[0])).toEqual(['rule', 'severity', 'port', 'protocol', 'message', 'location']);
  });

  it('writes container: null when nothing ran, and drops fields the contract does not name', () => {
    const r: GateResult = {...loadResult('passing'), container: undefined};
    expect(toJsonReport(r).container).toBeNull();
    expect(toJsonReport(r).listening[0]).not.toHaveProperty('inode');
  });
});

describe('markdown', () => {
  const huge = (): GateResult => {
    const listening: Listener[] = [];
    const findings: Finding[] = [];
    for (let port = 1000; port < 4000; port++) {
      listening.push({port, protocol: 'tcp', address: '0.0.0.0', family: 'ipv4', scope: 'wildcard', process: {pid: 1, name: 'busybox', command: 'busybox'}});
      findings.push({rule: 'undeclared-listener', severity: 'error', port, protocol: 'tcp', message: `${port}/tcp listens on 0.0.0.0 but portgate.yml does not declare it.`, location: {image: 'big'}});
    }
    return {...loadResult('crashed'), listening, findings};
  };

  it(`stays under ${LIMIT} bytes and says how much it left out`, () => {
    const md = FORMATS.markdown(huge(), {});
    expect(Buffer.byteLength(md)).toBeLessThan(LIMIT);
    expect(md).toMatch(/_… and \d+ more ports not shown; see the JSON report\._/);
    expect(md).toMatch(/_… and \d+ more findings not shown; see the SARIF or JSON report\._/);
    expect(md).toContain('<details><summary>Container logs (exited with code 1)</summary>');
  });

  it('keeps hostile text from breaking tables, injecting HTML or mentioning people', () => {
    const md = FORMATS.markdown(hostileResult(), {cwd: CWD});
    // Code spans render literally (no HTML, no mentions); everything outside them must be escaped.
    const prose = md.replace(/(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)/g, '');
    expect(prose).not.toContain('<script>');
    expect(prose).not.toMatch(/@admin/);
    expect(prose).toContain('&lt;script&gt;');
    // Every row has as many cells as its table's header (the port table 5, the findings table 4).
    let cells = 0;
    for (const line of md.split('\n')) {
      if (!line.startsWith('| ')) {
        cells = 0;
        continue;
      }
      const n = line.replace(/\\\|/g, '').split('|').length - 2;
      cells ||= n;
      expect(n, line).toBe(cells);
    }
    // The logs contain ``` and ````: the fence must be longer than both.
    expect(md).toMatch(/\n`````text\nbefore\n```\nfenced ```` text\n```\nafter\n`````\n/);
  });
});

describe('--static-only results (the image was not run)', () => {
  const {container: _ran, ...rest} = loadResult('failing-service');
  const result: GateResult = {...rest, listening: []};

  it.each(['text', 'markdown'] as const)('%s says the image was not run instead of claiming nothing listens', format => {
    const out = FORMATS[format](result, {cwd: CWD});
    expect(out).toContain('static-only: the image was not run');
    expect(out).toContain('(not run)');
    expect(FORMATS[format](loadResult('failing-service'), {cwd: CWD})).not.toContain('(not run)');
  });

  it('json reports no container', () => {
    expect(JSON.parse(FORMATS.json(result, {})).container).toBeNull();
  });
});
