import type {FleetJsonReport} from '../../fleet/result.js';
import {activeFindings, anchorOf, fallbackNote, findingPort, fingerprints, sanitize, sortFindings} from '../common.js';
import type {CodeQualityIssue} from '../codequality.js';
import {gradeOf} from '../../findings/rules.js';
import {fromJsonReport} from '../from-json.js';

/**
 * The fleet as one GitLab Code Quality list: every service's issues as the
 * single-image writer makes them (suppressed findings left out, graded per
 * finding), each description starting with `Service NAME:`, fingerprints
 * hashing the service with path, rule and port/protocol so that they are
 * unique across services. A service that could not be gated has no issues
 * (the format holds code issues only): the JUnit report has it as an error.
 */
export const fleetCodeQualityIssues = (r: FleetJsonReport): CodeQualityIssue[] => {
  const items = r.services.flatMap(s => {
    if (!s.report) return [];
    const result = fromJsonReport(s.report);
    return sortFindings(activeFindings(result.findings)).map(f => ({service: s.name, result, f, anchor: anchorOf(f, result)}));
  });
  const prints = fingerprints(items.map(i => [i.service, i.anchor.path, i.f.rule, findingPort(i.f) ?? '']));
  return items.map((i, n) => ({
    description: `Service ${sanitize(i.service)}: ${sanitize(i.f.message.split('\n', 1)[0]!).trim()}${fallbackNote(i.anchor, i.result)}`,
    check_name: i.f.rule,
    fingerprint: prints[n]!,
    severity: gradeOf(i.f),
    location: {path: i.anchor.path, lines: {begin: i.anchor.line}}
  }));
};

export const fleetCodeQuality = (r: FleetJsonReport): string => `${JSON.stringify(fleetCodeQualityIssues(r), null, 2)}\n`;
