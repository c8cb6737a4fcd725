import {InputError} from '../errors.js';
import type {LabelSelector} from '../manifests/k8s-model.js';

/**
 * Kubernetes name and label syntax, which the API server enforces but the
 * OpenAPI schema (and so kubernetes-models' validation) does not:
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 */
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What is wrong with a label key, or undefined. */
export const labelKeyIssue = (key: string): string | undefined => {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `label key "${key}" has an invalid prefix "${prefix}": it must be a DNS subdomain such as app.kubernetes.io`;
  }
  if (name.length > 63 || !NAME.test(name)) return `label key "${key}" is invalid: the name part must be 1-63 letters, digits, -, _ or . and start and end with a letter or digit`;
  return undefined;
};

/** What is wrong with a label value, or undefined. */
export const labelValueIssue = (key: string, value: string): string | undefined =>
  value === '' || (value.length <= 63 && NAME.test(value))
    ? undefined
    : `label value "${value}" of "${key}" is invalid: it must be at most 63 letters, digits, -, _ or . and start and end with a letter or digit`;

/** Every problem of a selector's keys and values (matchLabels, then matchExpressions). */
export const selectorIssues = (s: LabelSelector): string[] => [
  ...Object.entries(s.matchLabels).flatMap(([k, v]) => [labelKeyIssue(k), labelValueIssue(k, v)]),
  ...s.matchExpressions.flatMap(e => [labelKeyIssue(e.key), ...e.values.map(v => labelValueIssue(e.key, v))])
].filter((x): x is string => x !== undefined);

/** A namespace name: a DNS label. */
export const namespaceIssue = (ns: string): string | undefined =>
  ns.length <= 63 && DNS_LABEL.test(ns) ? undefined : `namespace "${ns}" is not a valid name: at most 63 lower-case letters, digits and -, starting and ending with a letter or digit`;

/** A NetworkPolicy name: a DNS subdomain. */
export const objectNameIssue = (name: string): string | undefined =>
  name.length <= 253 && DNS_SUBDOMAIN.test(name) ? undefined : `"${name}" is not a valid object name: at most 253 lower-case letters, digits, - and ., starting and ending with a letter or digit`;

/**
 * `--pod-selector app=api,tier=web`: kubectl's equality form (`-l`), each
 * key and value checked. Set-based forms are for the spec, not a flag.
 */
export const parseLabelList = (text: string, flag: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([^=!\s]+)\s*==?\s*([^=]*?)\s*$/.exec(part);
    if (!m) throw new InputError(`${flag} "${text}": write labels as KEY=VALUE pairs separated by commas, e.g. ${flag} app=api,tier=web.`);
    const [, key, value] = m as unknown as [string, string, string];
    const issue = labelKeyIssue(key) ?? labelValueIssue(key, value);
    if (issue) throw new InputError(`${flag}: ${issue}.`);
    if (key in out) throw new InputError(`${flag}: label "${key}" is given twice.`);
    out[key] = value;
  }
  return out;
};
