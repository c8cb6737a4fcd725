import {expect, test} from 'vitest';
import {imageView, unreachable} from '../../../src/manifests/image-view.js';
import {ctx, declare, expose} from './build.js';

test('static mode: a port declared `served: false` stands in for no listener, EXPOSEd or not', () => {
  const view = imageView(ctx({listeners: undefined, declared: [declare(8080), declare(9000, 'public', 'tcp', {served: false})], exposed: [expose(8080), expose(9000)]}));
  expect(view.facts.map(f => `${f.port}/${f.protocol}`)).toEqual(['8080/tcp']);
  expect(unreachable(view, 9000, 'tcp')?.problem).toBe('neither portgate.yml nor EXPOSE lists 9000/tcp (they list: 8080/tcp)');
  expect(unreachable(view, 8080, 'tcp')).toBeUndefined();
});
