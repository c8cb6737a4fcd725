import {InputError} from '../errors.js';
import type {Pos} from './source.js';

/**
 * An InputError at a 0-based position: Docker's own message (so it matches
 * what `docker build` prints), then what to do about it.
 */
export const problem = (file: string, at: Pos | undefined, docker: string, hint: string): InputError =>
  new InputError(`${docker} — ${hint}`, file, at && at.line + 1, at && at.character + 1);
