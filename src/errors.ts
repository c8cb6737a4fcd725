/**
 * Errors a user can act on. The CLI maps each class to an exit code and prints
 * only the message; anything else is a bug and keeps its stack trace.
 */

/** The documented exit codes; `internal` means a portgate bug. */
export const EXIT = {pass: 0, drift: 1, input: 2, environment: 3, internal: 4} as const;

/** Bad arguments, spec, Dockerfile or manifest: exit 2. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: number
  ) {
    super(message);
  }

  /** `file:line:column: message`, the shape editors and CI logs link. */
  get display(): string {
    if (!this.file) return this.message;
    const where = [this.file, this.line, this.column].filter(v => v !== undefined).join(':');
    return `${where}: ${this.message}`;
  }
}

/** Engine unreachable, image missing, probe impossible: exit 3. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
  constructor(
    message: string,
    /** What the user probably meant or should try, printed on a line of its own. */
    readonly hint?: string
  ) {
    super(message);
  }

  /** The message, and the hint on the next line. */
  get display(): string {
    return this.hint ? `${this.message}\n  hint: ${this.hint}` : this.message;
  }
}

export const describeError = (e: unknown): string =>
  e instanceof InputError || e instanceof EnvironmentError ? e.display : e instanceof Error ? e.message : String(e);
