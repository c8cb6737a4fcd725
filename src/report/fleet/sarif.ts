import type {FleetJsonReport} from '../../fleet/result.js';
import type {Finding, GateResult} from '../../model.js';
import {anchorOf, findingPort, fingerprints, sanitize, sortFindings, type Anchor} from '../common.js';
import {fromJsonReport} from '../from-json.js';
import {SARIF_SCHEMA, reportedRules, sarifDriver, sarifResult, uriOf} from '../sarif.js';

/**
 * The fleet as one SARIF log with one run, for one upload-sarif step.
 * GitHub rejects an upload with several runs of one tool and category
 * (github/codeql-action#2959), so every service's results share the run:
 * - each result is located in its service's own files (repository-relative,
 *   as its JSON document has them), its message starts with `Service NAME:`
 *   and its properties carry `service` and `image`;
 * - fingerprints hash the service with the rule, file and port/protocol, so
 *   the same rule on the same port in two services (a shared manifest, a
 *   shared base image) stays two alerts, and moving lines keeps each;
 * - `automationDetails.id` is `portgate/fleet/`: the run's category, apart
 *   from single-image uploads of the same repository;
 * - a service that could not be gated is a tool execution notification of
 *   level error (GitHub lists them on the tool status page), and the
 *   invocation is then not successful: its findings are unknown, not absent.
 */

export const FLEET_AUTOMATION_ID = 'portgate/fleet/';

interface Item {
  service: string;
  result: GateResult;
  finding: Finding;
  anchor: Anchor;
}

export const fleetSarifLog = (r: FleetJsonReport) => {
  const items: Item[] = r.services.flatMap(s => {
    if (!s.report) return [];
    const result = fromJsonReport(s.report);
    return sortFindings(result.findings).map(finding => ({service: s.name, result, finding, anchor: anchorOf(finding, result)}));
  });
  const {ids, metas} = reportedRules(items.map(i => i.finding));
  const prints = fingerprints(items.map(i => [i.service, i.finding.rule, uriOf(i.anchor.path), findingPort(i.finding) ?? '']));
  const failed = r.services.filter(s => s.status === 'error');
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {driver: sarifDriver(metas)},
        automationDetails: {id: FLEET_AUTOMATION_ID},
        invocations: [
          {
            executionSuccessful: failed.length === 0,
            ...(failed.length && {
              toolExecutionNotifications: failed.map(s => ({
                level: 'error',
                message: {text: `Service ${sanitize(s.name)} (${sanitize(s.image)}) could not be gated (exit ${s.code}): ${sanitize(s.error ?? '')}`},
                properties: {service: sanitize(s.name), image: sanitize(s.image)}
              }))
            })
          }
        ],
        results: items.map((i, n) => sarifResult(i.finding, ids.indexOf(i.finding.rule), i.anchor, prints[n]!, i.result, undefined, i.service)),
        columnKind: 'utf16CodeUnits'
      }
    ]
  };
};

export const fleetSarif = (r: FleetJsonReport): string => `${JSON.stringify(fleetSarifLog(r), null, 2)}\n`;
