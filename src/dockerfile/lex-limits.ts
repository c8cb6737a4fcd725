/**
 * Bounds on ARG/ENV expansion, which Docker does not have. A Dockerfile whose
 * variables each double the one before (`ARG A2=$A1$A1`, forty times) would
 * take portgate's memory and time without end, and `${A:-${A:-…}}` nested
 * thousands deep its stack. Both are far beyond any real Dockerfile, so the
 * file is refused as invalid input at the line that crosses the limit.
 */
import {ExpansionError} from './lex-modifiers.js';

/** Characters that all substitutions of one Dockerfile may produce together (nested ones count at every level). */
export const MAX_EXPANSION = 2 * 1024 * 1024;
/** `${…}` inside `${…}`: real Dockerfiles use two or three levels. */
export const MAX_NESTING = 64;
/** Port entries the EXPOSE lines of one Dockerfile may produce: every port of tcp, udp and sctp is 196,605. */
export const MAX_EXPOSE_PORTS = 3 * 65_536;

/** portgate's limit, not a Docker error: the hint says so. */
export class ExpansionLimitError extends ExpansionError {
  override name = 'ExpansionLimitError';
}

/** What one Dockerfile's substitutions have produced so far; every word expanded in it spends from the same budget. */
export class ExpansionBudget {
  private used = 0;
  private exposed = 0;

  constructor(readonly limit = MAX_EXPANSION) {}

  /** Counts the ports one EXPOSE spec produced (a range is many). */
  ports = (n: number): void => {
    this.exposed += n;
    if (this.exposed > MAX_EXPOSE_PORTS)
      throw new ExpansionLimitError(`EXPOSE produces more than ${MAX_EXPOSE_PORTS} port entries by this line (every port of tcp, udp and sctp is 196605)`);
  };

  /** Counts `n` more characters; throws once the Dockerfile has produced more than `limit`. */
  spend = (n: number): void => {
    this.used += n;
    if (this.used > this.limit)
      throw new ExpansionLimitError(`the ARG and ENV values expand to more than ${this.limit / (1024 * 1024)} MiB of text by this line (does each variable double the one before?)`);
  };
}

export const nestingError = (): ExpansionLimitError => new ExpansionLimitError(`\${…} is nested more than ${MAX_NESTING} levels deep`);
