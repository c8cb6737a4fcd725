import {expect, test} from 'vitest';
import {neutralizeCommands as neutralize} from '../../../src/report/sanitize.js';

test('log lines that would be workflow commands are broken apart; the rest is untouched', () => {
  const logs = 'Last log lines:\n::error::injected\n  ::set-output name=verdict::pass\nok :: fine\n::';
  expect(neutralize(logs)).toBe('Last log lines:\n:\u200b:error::injected\n  :\u200b:set-output name=verdict::pass\nok :: fine\n:\u200b:');
  expect(neutralize(logs).split('\n').some(l => /^\s*::/.test(l))).toBe(false);
});
