import type {BaselineComparison, Finding, GateResult, Listener, Severity} from '../model.js';
import {portKey} from '../model.js';
import {describeListeners} from '../compare/views.js';
import {describeLocation, findingPort, imageRepository, sortFindings} from './common.js';

/**
 * What a change introduced and resolved, compared with a baseline report
 * (baseline/compare.ts marked the result): the lines the text and Markdown
 * reports lead with. Items carry raw text (process names, paths come from the
 * image and the repository): each writer escapes for its medium.
 */

export interface Change {
  subject: 'listener' | 'finding';
  /** `9229/tcp`, when the item names a port. */
  port?: string;
  rule?: string;
  severity?: Severity;
  /** A listener's addresses and owners; a finding's place (`Dockerfile:4`). */
  detail: string;
}

export interface Changes {
  comparison: BaselineComparison;
  /** Compared item by item; otherwise everything is new and `count` says how much. */
  compared: boolean;
  introduced: Change[];
  resolved: Change[];
  /** New findings and listening ports (each port once), resolved likewise. */
  count: {new: number; resolved: number};
}

const byPort = (ls: readonly Listener[]): Listener[][] => {
  const groups = new Map<string, Listener[]>();
  for (const l of [...ls].sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0))) groups.set(portKey(l), [...(groups.get(portKey(l)) ?? []), l]);
  return [...groups.values()];
};

const listenerChange = (ls: Listener[]): Change => ({subject: 'listener', port: portKey(ls[0]!), detail: describeListeners(ls)});

const findingChange = (f: Finding, r: GateResult, cwd: string | undefined): Change => ({
  subject: 'finding',
  ...(findingPort(f) && {port: findingPort(f)}),
  rule: f.rule,
  severity: f.severity,
  detail: describeLocation(f.location, r, cwd)
});

/** The result's changes, or undefined when it was not compared with a baseline. */
export const changesOf = (r: GateResult, cwd?: string): Changes | undefined => {
  const b = r.baseline;
  if (!b) return undefined;
  const introduced = [...byPort(r.listening.filter(l => l.baseline === 'new')).map(listenerChange), ...sortFindings(r.findings.filter(f => f.baseline === 'new')).map(f => findingChange(f, r, cwd))];
  const resolved = [...byPort(b.resolved.listening).map(listenerChange), ...sortFindings(b.resolved.findings).map(f => findingChange(f, r, cwd))];
  return {comparison: b, compared: b.status === 'compared', introduced, resolved, count: {new: introduced.length, resolved: resolved.length}};
};

/** `new listener 9229/tcp in service api` / `resolved finding risky-port 5005/tcp`: the words before the detail. */
export const changeHead = (state: 'new' | 'resolved', c: Change, service?: string): string =>
  `${state} ${c.subject}${c.rule ? ` ${c.rule}` : ''}${c.port ? ` ${c.port}` : ''}${service ? ` in service ${service}` : ''}`;

/** `error at Dockerfile:4`, `0.0.0.0 (node, pid 1)`: after the head. */
export const changeDetail = (c: Change): string => (c.subject === 'finding' ? `${c.severity}${c.detail ? ` at ${c.detail}` : ''}` : c.detail);

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `2 new, 1 resolved`, or `nothing new, nothing resolved`. */
export const describeChangeCounts = (c: {new: number; resolved: number}): string =>
  `${c.new ? `${c.new} new` : 'nothing new'}, ${c.resolved ? `${c.resolved} resolved` : 'nothing resolved'}`;

/**
 * Why nothing could be compared, in words (what it holds is then all new);
 * undefined when it was compared. `image` is this run's image; `service`
 * names the fleet's service.
 */
export const uncompared = (b: BaselineComparison, image: string, service?: string): string | undefined => {
  const subject = service ? `service ${service}` : 'this image';
  switch (b.status) {
    case 'compared':
      return undefined;
    case 'other-image':
      return `${subject}: ${b.report} gated ${b.image ?? 'another image'}, not ${imageRepository(image)}, so everything in it counts as new`;
    case 'absent':
      return service ? `new service ${service} (not in ${b.report})` : `${b.report} has no report of this image, so everything in it counts as new`;
    case 'not-gated':
      return `${subject}: ${b.report} could not gate it, so everything in it counts as new`;
  }
};

/** `3 findings, 1 listening port`: what an uncompared result holds, all of it new. */
export const describeNewItems = (c: Changes): string => {
  const findings = c.introduced.filter(x => x.subject === 'finding').length;
  const ports = c.introduced.length - findings;
  return `${plural(findings, 'finding')}, ${plural(ports, 'listening port')}`;
};
