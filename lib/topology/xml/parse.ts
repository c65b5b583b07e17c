// Secure XML → element tree with positions. The parser (saxes) is non-validating and never reads
// external resources; on top of that any DOCTYPE is refused the moment it is seen, so no DTD,
// entity declaration, external entity (XXE) or entity-expansion bomb is ever processed.
import { SaxesParser } from 'saxes';
import { dtdRefused, malformed } from './errors.js';

export interface XmlElement {
  /** Local name (prefix removed). */
  name: string;
  /** Namespace URI: the root's only ('' when none, and for every other element). */
  uri: string;
  /** Unprefixed attributes, keyed by lower-case name (Lync writes PascalCase; hand edits may not). */
  attrs: Map<string, string>;
  children: XmlElement[];
  /** Text content, trimmed (only direct text children). */
  text: string;
  /** 1-based position of the start tag. */
  line: number;
  column: number;
}

/** Deeper than any real topology document (about 8 levels); stops pathological nesting early. */
const MAX_DEPTH = 128;

export interface ParseOptions {
  /** Local names (lower case) whose subtrees are checked for well-formedness but not kept (Ports, ...). */
  skip?: ReadonlySet<string>;
}

export function parseXml(text: string, sourceName: string, options: ParseOptions = {}): XmlElement {
  // A byte-order mark is not markup; Topology Builder writes one.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Namespaces are resolved here for the root only (the readers match local names): saxes' own
  // namespace processing costs ~10% of an import and adds nothing the import uses.
  const parser = new SaxesParser({ xmlns: false, position: true });
  const skip = options.skip;
  const stack: XmlElement[] = [];
  let depth = 0;
  /** Depth at which a skipped subtree started (0: not in one). */
  let skippedAt = 0;
  let root: XmlElement | undefined;
  let startLine = 1;
  let startColumn = 1;

  parser.on('doctype', () => {
    // Reported where the declaration starts (saxes emits it once the whole DOCTYPE is read).
    const at = positionOf(body, body.lastIndexOf('<!DOCTYPE', parser.position));
    throw dtdRefused(sourceName, at.line, at.column);
  });
  parser.on('error', (err) => {
    throw malformed(sourceName, parser.line, parser.column, stripPosition(err.message));
  });
  parser.on('opentagstart', (tag) => {
    // The parser has read "<", the name and one more character; report the column of "<" (1-based).
    startLine = parser.line;
    startColumn = Math.max(1, parser.column - tag.name.length - 1);
  });
  parser.on('opentag', (tag) => {
    if (++depth > MAX_DEPTH) {
      throw malformed(sourceName, parser.line, parser.column, `elements are nested more than ${MAX_DEPTH} levels deep`);
    }
    if (skippedAt) return;
    const colon = tag.name.indexOf(':');
    const local = colon < 0 ? tag.name : tag.name.slice(colon + 1);
    if (skip && depth > 1 && skip.has(local.toLowerCase())) {
      skippedAt = depth;
      return;
    }
    const attrs = new Map<string, string>();
    for (const name in tag.attributes) {
      // Unprefixed attributes only: namespace declarations and xsi:* carry nothing the import reads.
      if (name.indexOf(':') < 0 && name !== 'xmlns') attrs.set(name.toLowerCase(), tag.attributes[name]!);
    }
    const uri = depth === 1 ? tag.attributes[colon < 0 ? 'xmlns' : `xmlns:${tag.name.slice(0, colon)}`] ?? '' : '';
    const el: XmlElement = { name: local, uri, attrs, children: [], text: '', line: startLine, column: startColumn };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  const onText = (t: string) => {
    if (skippedAt) return;
    const el = stack[stack.length - 1];
    if (el && NON_SPACE.test(t)) el.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    if (skippedAt) {
      if (depth-- === skippedAt) skippedAt = 0;
      return;
    }
    depth--;
    const el = stack.pop();
    if (el && el.text) el.text = el.text.trim();
  });

  parser.write(body).close();
  if (!root) throw malformed(sourceName, parser.line, parser.column, 'the document has no root element');
  return root;
}

const NON_SPACE = /\S/;

function positionOf(text: string, index: number): { line: number; column: number } {
  if (index < 0) return { line: 1, column: 1 };
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}

/** saxes prefixes its messages with `line:column: `; the record carries its own position. */
function stripPosition(message: string): string {
  return message.replace(/^(?:[^:]*:)?\d+:\d+:\s*/, '').replace(/\.$/, '');
}

// ---- tree helpers ---------------------------------------------------------------

export function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs.get(name.toLowerCase());
}

export function isNamed(el: XmlElement, name: string): boolean {
  return el.name.toLowerCase() === name.toLowerCase();
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => isNamed(c, name));
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => isNamed(c, name));
}

/** Every descendant named `name`, not looking inside a match (so nested same-name elements stay with their parent). */
export function findAll(el: XmlElement, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (isNamed(c, name)) out.push(c);
    else findAll(c, name, out);
  }
  return out;
}

/** The first descendant named `name` (breadth-first). */
export function findFirst(el: XmlElement, name: string): XmlElement | undefined {
  const queue = [...el.children];
  for (let i = 0; i < queue.length; i++) {
    const c = queue[i]!;
    if (isNamed(c, name)) return c;
    queue.push(...c.children);
  }
  return undefined;
}
