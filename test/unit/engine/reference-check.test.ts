import {describe, expect, test} from 'vitest';
import {DockerEngine} from '../../../src/engine/docker-engine.js';
import {InputError} from '../../../src/errors.js';

// Connecting fails the test: a malformed reference must be refused before the engine is asked.
const untouchable = () => {
  throw new Error('the engine was asked');
};

describe('the engine adapter refuses malformed references before sending them', () => {
  test.each([
    ['a space', 'my app:ci', 'it contains whitespace'],
    ['a double slash', 'team//app', 'it has an empty path part, `//`'],
    ['a leading slash', '/app', 'it starts or ends with `/`'],
    ['a trailing slash', 'app/', 'it starts or ends with `/`'],
    ['`..`', 'team/../app', '`.` and `..` are not path parts']
  ])('%s: inspectImage and pull throw an InputError (exit 2), not "cannot reach the engine"', async (_what, ref, slip) => {
    const engine = new DockerEngine({connect: untouchable});
    const message = `the image ${JSON.stringify(ref)} is not a valid image reference: invalid reference format (${slip})`;
    await expect(engine.inspectImage(ref)).rejects.toThrow(InputError);
    await expect(engine.inspectImage(ref)).rejects.toThrow(message);
    await expect(engine.pull(ref)).rejects.toThrow(message);
  });
});
