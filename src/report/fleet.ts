import type {FleetJsonReport} from '../fleet/result.js';
import type {Format} from './index.js';
import type {FleetWriterOptions} from './fleet/common.js';
import {fleetCodeQuality} from './fleet/codequality.js';
import {fleetJunit} from './fleet/junit.js';
import {fleetMarkdown} from './fleet/markdown.js';
import {fleetSarif} from './fleet/sarif.js';
import {fleetText} from './fleet/text.js';

/**
 * The fleet's writers, one per format. Every one renders from the fleet's
 * JSON document, each service through its single-image writer on the
 * service's own document (report/fleet/common.ts), so a run split over CI
 * jobs and merged (`portgate merge`) prints what the one-machine run printed.
 */

export const fleetJson = (r: FleetJsonReport): string => `${JSON.stringify(r, null, 2)}\n`;

export const FLEET_WRITERS: Record<Format, (r: FleetJsonReport, opts: FleetWriterOptions) => string> = {
  text: (r, o) => fleetText(r, o),
  json: r => fleetJson(r),
  markdown: (r, o) => fleetMarkdown(r, o),
  sarif: r => fleetSarif(r),
  'gitlab-codequality': r => fleetCodeQuality(r),
  junit: r => fleetJunit(r)
};

export {fleetText, fleetMarkdown, fleetSarif, fleetJunit, fleetCodeQuality};
export type {FleetWriterOptions};
