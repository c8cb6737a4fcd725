import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {buildImage} from './engine.js';
import {listener} from './images.js';

/** What a generated service does, and so what the gate must say of it. */
export type ServiceKind = 'pass' | 'drift' | 'crash' | 'missing' | 'slow';

export interface MonorepoService {
  name: string;
  kind: ServiceKind;
  image: string;
  dir: string;
}

/**
 * One service's Dockerfile and portgate.yml. `pass` serves what it declares;
 * `drift` also opens JDWP (5005) and binds its metrics to loopback; `crash`
 * exits a second after binding; `missing` is never built; `slow` declares a
 * port that never opens, so its gate waits (for signal tests).
 */
const files = (kind: ServiceKind, port: number): {dockerfile: string; spec: string} => {
  const cmd: Record<ServiceKind, string> = {
    pass: `"tcp", "0.0.0.0", "${port}", "0.0.0.0", "${port + 1}"`,
    drift: `"tcp", "0.0.0.0", "${port}", "127.0.0.1", "${port + 1}", "0.0.0.0", "5005"`,
    crash: `"tcp", "0.0.0.0", "${port}", "--exit-after", "1", "3"`,
    missing: `"tcp", "0.0.0.0", "${port}"`,
    slow: `"tcp", "0.0.0.0", "${port}"`
  };
  return {
    dockerfile: `FROM scratch\nCOPY listen /listen\nEXPOSE ${port}\nENTRYPOINT ["/listen"]\nCMD [${cmd[kind]}]\n`,
    spec: `version: 1\nports:\n  - port: ${port}\n  - port: ${port + 1}\n    exposure: internal\n${kind === 'slow' ? '  - port: 9999\n    exposure: internal\n' : ''}`
  };
};

/**
 * A repository of services under services/<name>/, with a fleet file listing
 * them (or `services: auto`); images `<prefix><name>:test` built from the
 * static listener, except the `missing` ones.
 */
export const generateMonorepo = async (prefix: string, kinds: ServiceKind[], opts: {auto?: boolean} = {}): Promise<{root: string; services: MonorepoService[]}> => {
  const root = mkdtempSync(join(tmpdir(), 'portgate-monorepo-'));
  const bin = listener();
  const services = kinds.map((kind, i) => ({name: `svc${String(i + 1).padStart(2, '0')}-${kind}`, kind, image: `${prefix}svc${String(i + 1).padStart(2, '0')}-${kind}:test`, dir: `services/svc${String(i + 1).padStart(2, '0')}-${kind}`}));
  // Two builds at a time: the engine's classic builder on 2 cores.
  for (let i = 0; i < services.length; i += 2) {
    await Promise.all(
      services.slice(i, i + 2).map(async (s, j) => {
        const f = files(s.kind, 8000 + (i + j) * 10);
        mkdirSync(join(root, s.dir), {recursive: true});
        writeFileSync(join(root, s.dir, 'Dockerfile'), f.dockerfile);
        writeFileSync(join(root, s.dir, 'portgate.yml'), f.spec);
        if (s.kind !== 'missing') await buildImage({tag: s.image, files: {listen: bin, Dockerfile: f.dockerfile}});
      })
    );
  }
  const list = services.map(s => `  - name: ${s.name}\n    image: ${s.image}\n    context: ${s.dir}\n`).join('');
  writeFileSync(join(root, 'portgate.fleet.yml'), `version: 1\ndefaults:\n  timeout: 20s\n${opts.auto ? `  image: ${prefix}\${SERVICE}:test\nservices: auto\n` : `services:\n${list}`}`);
  return {root, services};
};
