import {Document, isMap, isScalar, type Node} from 'yaml';
import type {GeneratedPolicy} from './generate.js';

/** `# text` lines carry a leading space after the `#`, as the rest of portgate's YAML does. */
const lines = (text: string): string => text.split('\n').map(l => ` ${l}`).join('\n');

/**
 * One YAML document per policy, with the generator's comments attached to
 * the nodes they explain (yaml's Document API, so quoting and indentation
 * stay the library's). A comment `before` a map entry goes above its key.
 */
const renderOne = (p: GeneratedPolicy): string => {
  // Written as YAML 1.1, as kubectl reads it: a label value `no` or `on` is quoted, so it stays a string.
  const doc = new Document(p.object, {version: '1.1'});
  for (const c of p.comments) {
    const parent = doc.getIn(c.path.slice(0, -1), true) as Node | undefined;
    const last = c.path[c.path.length - 1];
    const pair = isMap(parent) ? parent.items.find(i => isScalar(i.key) && i.key.value === last) : undefined;
    const node = doc.getIn(c.path, true) as Node | undefined;
    if (!node) throw new Error(`policy comment for missing node ${c.path.join('.')}`);
    if (c.place === 'inline') node.comment = lines(c.text).trimEnd();
    else if (pair && isScalar(pair.key)) pair.key.commentBefore = lines(c.text);
    else node.commentBefore = lines(c.text);
  }
  doc.commentBefore = lines(p.header.join('\n'));
  return doc.toString({lineWidth: 0, indentSeq: true});
};

/** Policies as a YAML stream: `---` between documents, ready for `kubectl apply -f`. */
export const renderPolicies = (policies: GeneratedPolicy[]): string => policies.map(renderOne).join('---\n');
