import type {Finding, Location, Protocol} from '../model.js';
import {RULES, type RuleId} from './rules.js';

/** A finding of `rule` at its default severity; the spec's `rules:` overrides apply later, in one place. */
export const finding = (
  rule: RuleId,
  message: string,
  at: {port?: number; protocol?: Protocol; location?: Location} & Pick<Finding, 'category' | 'related'> = {}
): Finding => ({
  rule,
  severity: RULES[rule].severity,
  ...(at.port !== undefined && {port: at.port, protocol: at.protocol}),
  message,
  ...(at.location && {location: at.location}),
  ...(at.category && {category: at.category}),
  ...(at.related?.length && {related: at.related})
});
