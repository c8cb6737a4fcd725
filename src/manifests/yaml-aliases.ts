import {isAlias, visit, type Document, type Node} from 'yaml';

/**
 * How far a manifest's aliases may multiply, in the yaml library's own
 * measure (uses of an anchor × the aliases nested inside it). Its default of
 * 100 would refuse a Compose file whose 101 services merge `<<: *defaults`;
 * a "billion laughs" document crosses 10 000 within a few levels.
 */
export const MAX_ALIAS_COUNT = 10_000;

/** The first problem with the document's aliases, and the node to cite; undefined when there is none. */
export const aliasProblem = (doc: Document.Parsed): {node: Node; message: string} | undefined => {
  // A node that contains an alias to itself is a cycle: portgate's readers would follow it forever.
  const anchors = new Map<string, Node>();
  let cycle: {node: Node; message: string} | undefined;
  visit(doc, {
    Node: (_key, node, path) => {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target && path.includes(target)) {
          cycle = {node, message: `anchor '${node.source}' value contains itself (the alias *${node.source} is inside it), which Kubernetes and Compose refuse: write the value out`};
          return visit.BREAK;
        }
      } else if (node.anchor) anchors.set(node.anchor, node);
      return undefined;
    }
  });
  if (cycle) return cycle;
  // The library's "billion laughs" check runs while it converts the document; the result is not needed.
  try {
    doc.toJS({maxAliasCount: MAX_ALIAS_COUNT});
  } catch (e) {
    if (e instanceof RangeError) return {node: doc.contents as Node, message: 'the document nests too deep to read: no manifest needs thousands of levels'};
    if (!(e instanceof ReferenceError)) throw e;
    return {
      node: firstAlias(doc) ?? (doc.contents as Node),
      message: `this document's aliases (*name) multiply beyond ${MAX_ALIAS_COUNT} uses, as in a "billion laughs" attack: write the repeated parts out instead of nesting aliases`
    };
  }
  return undefined;
};

const firstAlias = (doc: Document.Parsed): Node | undefined => {
  let found: Node | undefined;
  visit(doc, {
    Alias: (_key, node) => {
      found = node;
      return visit.BREAK;
    }
  });
  return found;
};
