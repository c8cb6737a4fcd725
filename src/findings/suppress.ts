import type {Acceptance, Finding} from '../model.js';
import {isSourceLocation, portKey} from '../model.js';
import {finding} from './finding.js';

/** `./deploy\k8s.yaml` → `deploy/k8s.yaml`. */
const normalize = (path: string): string => path.replaceAll('\\', '/').replace(/^(\.\/)+/, '');

/** The finding's file is `file`, or ends with it at a folder boundary (a finding may carry an absolute path). */
const inFile = (f: Finding, file: string): boolean => {
  if (!isSourceLocation(f.location)) return false;
  const have = normalize(f.location.file);
  const want = normalize(file);
  return have === want || have.endsWith(`/${want}`);
};

/** An entry matches the findings of its rule on its ports (or, without ports, those that name no port), in its file when it names one. */
export const matches = (a: Acceptance, f: Finding): boolean =>
  a.rule === f.rule &&
  (a.ports ? f.port !== undefined && f.port >= a.ports[0] && f.port <= a.ports[1] && f.protocol === a.protocol : f.port === undefined) &&
  (a.file === undefined || inFile(f, a.file));

/** `exposed-not-declared 9000/tcp in deploy/k8s.yaml`: what an entry accepts, in words. */
export const describeAcceptance = (a: Acceptance): string => {
  const ports = a.ports && (a.ports[0] === a.ports[1] ? portKey({port: a.ports[0], protocol: a.protocol!}) : `${a.ports[0]}-${a.ports[1]}/${a.protocol}`);
  return [a.rule, ports ?? '(no port)', a.file && `in ${a.file}`].filter(Boolean).join(' ');
};

/** Whether `today` (YYYY-MM-DD) is after the entry's last day. */
export const isExpired = (a: Acceptance, today: string): boolean => a.until !== undefined && today > a.until;

/**
 * portgate.yml's `accept:` entries applied to the findings: a matched finding
 * is marked suppressed (every report shows it, the verdict ignores it); an
 * expired entry suppresses nothing and is a warning at its `until:` line; an
 * entry that matches nothing is a note. The first entry that matches wins.
 * Findings about suppressions are never suppressed themselves.
 */
export const applySuppressions = (findings: readonly Finding[], accept: readonly Acceptance[], today: string): Finding[] => {
  const matched = new Set<Acceptance>();
  const out = findings.map(f => {
    if (f.rule === 'suppression-expired' || f.rule === 'suppression-unused') return f;
    const candidates = accept.filter(a => matches(a, f));
    for (const a of candidates) matched.add(a);
    const a = candidates.find(x => !isExpired(x, today));
    return a ? {...f, suppressed: {reason: a.reason, ...(a.until !== undefined && {until: a.until}), location: a.location}} : f;
  });
  for (const [i, a] of accept.entries()) {
    const what = `accept[${i}] (${describeAcceptance(a)}, ${a.location.file}:${a.location.line})`;
    if (isExpired(a, today)) {
      const effect = matched.has(a) ? 'so the finding it accepted counts again: fix it and remove the entry, or review it and move `until:` to a new date' : 'and it matches nothing now: remove it';
      out.push(finding('suppression-expired', `${what} expired on ${a.until}, ${effect}.`, {location: a.untilLocation ?? a.location}));
    } else if (!matched.has(a)) {
      out.push(finding('suppression-unused', `${what} matches no finding of this run: remove it, or correct its rule, port, protocol or file.`, {location: a.location}));
    }
  }
  return out;
};
