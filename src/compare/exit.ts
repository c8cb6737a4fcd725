import type {ContainerOutcome} from '../model.js';

/**
 * The container-exited message: the cause first (what the sandbox did, or
 * what the service needed), then the fix, then the evidence and log tail.
 * A user must never learn only that the container exited.
 */
export const exitMessage = (c: ContainerOutcome): string => {
  const head = `The container exited with code ${c.exitCode ?? 'unknown'}${c.oomKilled ? ' (killed at the memory limit)' : ''} while portgate waited for its listeners.`;
  const causes = (c.causes ?? []).map(d => {
    const evidence = d.evidence ? ` It printed: ${d.evidence}` : '';
    return ` Cause: ${d.explanation} Fix: ${d.fix}.${evidence}`;
  });
  const logs = c.logs?.trim() ? ` Last log lines:\n${c.logs.trimEnd()}` : ' It printed nothing.';
  return head + causes.join('') + logs;
};
