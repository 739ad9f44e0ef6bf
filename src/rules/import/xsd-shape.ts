import { XMLParser } from 'fast-xml-parser';
import type { ElementSpec } from './xml-shape';

/**
 * Reads the (small, regular) CDC XSDs into {@link ElementSpec} trees so the importer can check
 * that the XSD shipped with a source package describes exactly the structure it knows
 * (`xml-shape.ts` / `raw-types.ts`). Only what the CDC XSDs use is understood —
 * `xs:element` (`name`, `type="xs:string"`, `minOccurs`, `maxOccurs`), `xs:complexType`,
 * `xs:sequence` — anything else is reported as unsupported.
 */

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
});

function nameOf(node: XmlNode): string {
  return Object.keys(node).find((k) => k !== ':@') ?? '';
}

function elementChildren(node: XmlNode): XmlNode[] {
  const children = node[nameOf(node)];
  return Array.isArray(children)
    ? (children as XmlNode[]).filter((c) => nameOf(c) !== '#text' && nameOf(c) !== '?xml')
    : [];
}

function attr(node: XmlNode, name: string): string | undefined {
  const attrs = node[':@'] as Record<string, unknown> | undefined;
  const v = attrs?.[name];
  return typeof v === 'string' ? v : undefined;
}

function toSpec(node: XmlNode, path: string): ElementSpec {
  const name = attr(node, 'name');
  if (name === undefined) {
    throw new Error(`${path}: xs:element without a name`);
  }
  const here = `${path}/${name}`;
  const minOccurs = attr(node, 'minOccurs') ?? '1';
  const maxOccurs = attr(node, 'maxOccurs') ?? '1';
  if (minOccurs !== '0' && minOccurs !== '1') {
    throw new Error(`${here}: unsupported minOccurs="${minOccurs}"`);
  }
  if (maxOccurs !== '1' && maxOccurs !== 'unbounded') {
    throw new Error(`${here}: unsupported maxOccurs="${maxOccurs}"`);
  }
  const base = { name, min: minOccurs === '0' ? 0 : 1, many: maxOccurs === 'unbounded' } as const;
  const type = attr(node, 'type');
  const children = elementChildren(node);
  if (type !== undefined) {
    if (type !== 'xs:string' || children.length > 0) {
      throw new Error(`${here}: unsupported element type "${type}"`);
    }
    return { ...base, content: 'text' };
  }
  const complex = children[0];
  if (children.length !== 1 || complex === undefined || nameOf(complex) !== 'xs:complexType') {
    throw new Error(`${here}: expected exactly one xs:complexType`);
  }
  const seqs = elementChildren(complex);
  const seq = seqs[0];
  if (seqs.length !== 1 || seq === undefined || nameOf(seq) !== 'xs:sequence') {
    throw new Error(`${here}: expected the complexType to hold exactly one xs:sequence`);
  }
  const content = elementChildren(seq).map((c) => {
    if (nameOf(c) !== 'xs:element') {
      throw new Error(`${here}: unsupported ${nameOf(c)} in xs:sequence`);
    }
    return toSpec(c, here);
  });
  return { ...base, content };
}

/**
 * Parses an XSD's single top-level element into an {@link ElementSpec} tree.
 *
 * @param xsd - the XSD text
 * @throws Error on any construct outside the subset the CDC XSDs use
 */
export function shapeFromXsd(xsd: string): ElementSpec {
  const doc = parser.parse(xsd) as XmlNode[];
  const schema = doc.find((n) => nameOf(n) === 'xs:schema');
  if (schema === undefined) {
    throw new Error('no xs:schema element');
  }
  const tops = elementChildren(schema);
  const top = tops[0];
  if (tops.length !== 1 || top === undefined || nameOf(top) !== 'xs:element') {
    throw new Error('expected exactly one top-level xs:element');
  }
  return toSpec(top, '');
}

/**
 * Lists every difference between two element trees (empty when they describe the same XML).
 *
 * @param known - the tree the importer knows
 * @param other - e.g. the tree read from a source package's XSD
 */
export function diffShapes(known: ElementSpec, other: ElementSpec, path = ''): string[] {
  const here = `${path}/${known.name}`;
  const out: string[] = [];
  if (known.name !== other.name) {
    return [`${path}: element <${known.name}> expected, XSD has <${other.name}>`];
  }
  if (known.min !== other.min) {
    out.push(`${here}: minOccurs ${known.min} expected, XSD has ${other.min}`);
  }
  if (known.many !== other.many) {
    out.push(
      `${here}: ${known.many ? 'unbounded' : 'single'} expected, XSD says ${other.many ? 'unbounded' : 'single'}`,
    );
  }
  if (known.content === 'text' || other.content === 'text') {
    if (known.content !== other.content) {
      out.push(
        `${here}: ${known.content === 'text' ? 'text' : 'complex'} content expected, XSD differs`,
      );
    }
    return out;
  }
  const a = known.content.map((s) => s.name).join(', ');
  const b = other.content.map((s) => s.name).join(', ');
  if (a !== b) {
    out.push(`${here}: sequence (${a}) expected, XSD has (${b})`);
    return out;
  }
  const others = other.content;
  known.content.forEach((s, i) => {
    const o = others[i];
    if (o !== undefined) {
      out.push(...diffShapes(s, o, here));
    }
  });
  return out;
}
