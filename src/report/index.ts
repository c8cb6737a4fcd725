import type {Writer} from './common.js';
import {toCodeQuality} from './codequality.js';
import {toJson} from './json.js';
import {toJunit} from './junit.js';
import {toMarkdown} from './markdown.js';
import {toSarif} from './sarif.js';
import {toText} from './text.js';

/** The names `--format` accepts, in the order help text lists them. */
export const FORMAT_NAMES = ['text', 'json', 'markdown', 'sarif', 'gitlab-codequality', 'junit'] as const;
export type Format = (typeof FORMAT_NAMES)[number];

/**
 * Every output format, by the name `--format` takes. Each writer is a pure
 * function of the same GateResult; the shells (CLI, action) write the string.
 */
export const FORMATS = {
  text: toText,
  json: toJson,
  markdown: toMarkdown,
  sarif: toSarif,
  'gitlab-codequality': toCodeQuality,
  junit: toJunit
} satisfies Record<Format, Writer>;

export const isFormat = (s: string): s is Format => (FORMAT_NAMES as readonly string[]).includes(s);

/** Conventional file name suffix per format, for shells that write a report next to another. */
export const EXTENSIONS = {
  text: '.txt',
  json: '.json',
  markdown: '.md',
  sarif: '.sarif',
  'gitlab-codequality': '.codequality.json',
  junit: '.junit.xml'
} as const satisfies Record<Format, string>;

export type {Writer, WriterOptions} from './common.js';
