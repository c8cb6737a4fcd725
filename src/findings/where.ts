import type {Location, SourceLocation} from '../model.js';

/**
 * Where a finding that has no line of its own points: the one rule every
 * output format follows (findings carry the result in `location`, so text,
 * Markdown, JSON, SARIF, Code Quality, JUnit and annotations agree).
 *
 * - a port the base image EXPOSEs: the FROM line that names the base image;
 * - a listener (a process the image starts) and a crash: the ENTRYPOINT or
 *   CMD line that starts it, else the FROM line it is inherited through;
 *   a listener whose fix is a portgate.yml entry: the spec's `ports:` key;
 * - anything else about the image as a whole: the target stage's FROM line.
 *
 * Without a Dockerfile (and no spec line that applies) the location stays
 * `{image}`: writers say in words that no file line applies (report/common.ts
 * describeImageWide).
 */
export interface Anchors {
  /** The target stage's FROM. */
  from?: SourceLocation;
  /** The FROM that names the external base image. */
  baseFrom?: SourceLocation;
  /** The ENTRYPOINT or CMD instruction in effect (ENTRYPOINT first: it names the program). */
  command?: SourceLocation;
  /** portgate.yml's `ports:` key. */
  specPorts?: SourceLocation;
}

export type Subject =
  /** A port inherited from the base image's EXPOSE. */
  | 'inherited'
  /** A listener, or the process that opens listeners (container-exited). */
  | 'process'
  /** A listener fixed by adding it to portgate.yml. */
  | 'undeclared'
  /** The image as a whole (untrusted-reader, findings from newer stages). */
  | 'image';

export const locate = (subject: Subject, a: Anchors, image: string): Location => {
  const found =
    subject === 'inherited'
      ? (a.baseFrom ?? a.from)
      : subject === 'undeclared'
        ? (a.specPorts ?? a.command ?? a.baseFrom ?? a.from)
        : subject === 'process'
          ? (a.command ?? a.baseFrom ?? a.from)
          : a.from;
  return found ? {...found} : {image};
};
