import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RuleProblem } from '../problem';
import { pointer } from '../problem';
import type { ElementSpec } from './xml-shape';

/**
 * Strict XML → raw-JSON conversion for the CDC supporting data.
 *
 * fast-xml-parser is used only as a tokenizer (`preserveOrder`, no value parsing, no entity
 * processing, no trimming); every decision about the JSON is made here, against an
 * {@link ElementSpec} tree:
 * - element names are kept; `many` elements become arrays, others single values;
 * - a leaf becomes its text, entities decoded, line ends normalised (XML 1.0 §2.11), trimmed;
 *   an empty element becomes `""`, an absent one an absent property;
 * - properties come out in XSD sequence order, whatever the parser does;
 * - anything the spec does not describe is a problem (nothing is dropped silently).
 */

/** Key fast-xml-parser uses for attributes in `preserveOrder` mode. */
const ATTRS = ':@';
const TEXT = '#text';
const CDATA = '#cdata';
const COMMENT = '#comment';

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: false,
  ignorePiTags: false,
  commentPropName: COMMENT,
  cdataPropName: CDATA,
  captureMetaData: true,
});

const META = XMLParser.getMetaDataSymbol() as symbol;

/** The five predefined XML entities (XML 1.0 §4.6) and character references (§4.1). */
const ENTITY = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(lt|gt|amp|apos|quot));/g;
const PREDEFINED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  apos: "'",
  quot: '"',
};

/** Result of reading one XML document. */
export interface XmlReadResult {
  /** The converted root element (its content; the caller wraps it under the root's name). */
  readonly value: Record<string, unknown>;
  /** Every problem found; when non-empty, `value` must not be used. */
  readonly problems: readonly RuleProblem[];
}

class Reader {
  readonly problems: RuleProblem[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly file: string,
    text: string,
  ) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        this.lineStarts.push(i + 1);
      }
    }
  }

  /** 1-based line of a parser node, if the parser recorded its position. */
  private lineOf(node: XmlNode | undefined): number | undefined {
    const meta = node === undefined ? undefined : (node as Record<symbol, unknown>)[META];
    if (typeof meta !== 'object' || meta === null) {
      return undefined;
    }
    const start = (meta as { startIndex?: unknown }).startIndex;
    if (typeof start !== 'number') {
      return undefined;
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= start) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo + 1;
  }

  problem(path: readonly (string | number)[], node: XmlNode | undefined, message: string): void {
    const line = this.lineOf(node);
    this.problems.push({
      file: this.file,
      pointer: pointer(...path),
      message: line === undefined ? message : `line ${line}: ${message}`,
    });
  }

  decode(raw: string, path: readonly (string | number)[], node: XmlNode): string {
    const stray = raw.replace(ENTITY, '');
    if (stray.includes('&')) {
      this.problem(path, node, `undefined entity or bare "&" in ${JSON.stringify(raw)}`);
    }
    return raw.replace(ENTITY, (whole, hex?: string, dec?: string, name?: string) => {
      if (name !== undefined) {
        return PREDEFINED[name] ?? whole;
      }
      const code = hex !== undefined ? parseInt(hex, 16) : parseInt(dec ?? '', 10);
      if (!isXmlChar(code)) {
        this.problem(path, node, `character reference ${whole} is not a legal XML character`);
        return whole;
      }
      return String.fromCodePoint(code);
    });
  }

  convert(node: XmlNode, spec: ElementSpec, path: readonly (string | number)[]): unknown {
    const children = node[spec.name];
    this.checkNoAttributes(node, spec.name, path);
    if (!Array.isArray(children)) {
      this.problem(path, node, `<${spec.name}> could not be read`);
      return spec.content === 'text' ? '' : {};
    }
    return spec.content === 'text'
      ? this.convertLeaf(node, children as XmlNode[], spec.name, path)
      : this.convertComplex(node, children as XmlNode[], spec, spec.content, path);
  }

  private checkNoAttributes(node: XmlNode, name: string, path: readonly (string | number)[]): void {
    const attrs = node[ATTRS];
    if (attrs !== undefined) {
      const names = Object.keys(attrs as object).join(', ');
      this.problem(path, node, `<${name}> has attribute(s) ${names}; the XSD declares none`);
    }
  }

  private convertLeaf(
    node: XmlNode,
    children: readonly XmlNode[],
    name: string,
    path: readonly (string | number)[],
  ): string {
    let text = '';
    for (const child of children) {
      const kind = nodeName(child);
      if (kind === TEXT) {
        text += this.decode(textOf(child), path, node);
      } else if (kind === CDATA) {
        text += cdataText(child);
      } else if (kind === COMMENT) {
        this.problem(path, child, `unexpected comment inside <${name}>`);
      } else {
        this.problem(path, child, `unexpected element <${kind}> inside text element <${name}>`);
      }
    }
    return xmlTrim(text);
  }

  private convertComplex(
    node: XmlNode,
    children: readonly XmlNode[],
    spec: ElementSpec,
    specs: readonly ElementSpec[],
    path: readonly (string | number)[],
  ): Record<string, unknown> {
    const collected = new Map<string, unknown[]>();
    let position = 0;
    for (const child of children) {
      const kind = nodeName(child);
      if (kind === TEXT) {
        if (xmlTrim(textOf(child)) !== '') {
          this.problem(
            path,
            node,
            `unexpected text ${JSON.stringify(child[TEXT])} in <${spec.name}>`,
          );
        }
        continue;
      }
      if (kind === COMMENT || kind === CDATA || kind.startsWith('?') || kind.startsWith('!')) {
        this.problem(path, child, `unexpected ${kind} in <${spec.name}>`);
        continue;
      }
      const index = specs.findIndex((s) => s.name === kind);
      const childSpec = specs[index];
      if (childSpec === undefined) {
        this.problem(
          [...path, kind],
          child,
          `unknown element <${kind}> in <${spec.name}> (the XSD allows: ${specs.map((s) => s.name).join(', ')})`,
        );
        continue;
      }
      const values = collected.get(kind) ?? [];
      if (index < position) {
        this.problem(
          [...path, kind],
          child,
          `<${kind}> out of XSD sequence order in <${spec.name}> (it comes after <${specs[position]?.name ?? '?'}>)`,
        );
      } else if (values.length > 0 && !childSpec.many) {
        this.problem(
          [...path, kind],
          child,
          `<${kind}> repeated in <${spec.name}>; the XSD allows one`,
        );
      }
      position = Math.max(position, index);
      const childPath = childSpec.many ? [...path, kind, values.length] : [...path, kind];
      values.push(this.convert(child, childSpec, childPath));
      collected.set(kind, values);
    }
    const out: Record<string, unknown> = {};
    for (const s of specs) {
      const values = collected.get(s.name);
      if (values === undefined) {
        if (s.min === 1) {
          this.problem(
            [...path, s.name],
            node,
            `required element <${s.name}> missing in <${spec.name}>`,
          );
        }
        continue;
      }
      out[s.name] = s.many ? values : values[0];
    }
    return out;
  }
}

function nodeName(node: XmlNode): string {
  return Object.keys(node).find((k) => k !== ATTRS) ?? '';
}

function cdataText(node: XmlNode): string {
  const parts = node[CDATA];
  if (!Array.isArray(parts)) {
    return '';
  }
  return (parts as XmlNode[]).map(textOf).join('');
}

/** Trims XML white space (space, tab, CR, LF — XML 1.0 §2.3 `S`), nothing else. */
function xmlTrim(text: string): string {
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** The text of a `#text` node (always a string: the parser is told not to convert values). */
function textOf(node: XmlNode): string {
  const t = node[TEXT];
  return typeof t === 'string' ? t : '';
}

function isXmlChar(c: number): boolean {
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

/** XML 1.0 §2.11: CR LF and lone CR become LF. Also drops a leading byte-order mark. */
function normaliseLineEnds(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/**
 * Parses one supporting-data XML document and converts its root element against `root`.
 *
 * @param file - name to report problems under (the XML file name)
 * @param xml - the document text
 * @param root - the expected root element
 * @returns the root element's converted content, and every problem found
 */
export function readXml(file: string, xml: string, root: ElementSpec): XmlReadResult {
  const text = normaliseLineEnds(xml);
  const reader = new Reader(file, text);
  const rootPath = [root.name];
  // The parser itself accepts malformed XML (unclosed or mismatched tags), so well-formedness
  // is checked first. XMLValidator is deprecated in favour of the separate fast-xml-validator
  // package; it still ships with fast-xml-parser 5, so no extra dependency is added for it.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const wellFormed = XMLValidator.validate(text);
  if (wellFormed !== true) {
    const { msg, line } = wellFormed.err;
    reader.problems.push({
      file,
      pointer: '',
      message: `line ${line}: not well-formed XML: ${msg}`,
    });
    return { value: {}, problems: reader.problems };
  }
  if (/<!DOCTYPE/i.test(text)) {
    reader.problems.push({ file, pointer: '', message: 'DOCTYPE declarations are not supported' });
    return { value: {}, problems: reader.problems };
  }
  const nodes = parser.parse(text) as XmlNode[];
  let value: Record<string, unknown> = {};
  let roots = 0;
  for (const node of nodes) {
    const kind = nodeName(node);
    if (kind === '?xml') {
      checkDeclaration(reader, node);
    } else if (kind === TEXT) {
      if (xmlTrim(textOf(node)) !== '') {
        reader.problem([], node, 'text outside the root element');
      }
    } else if (kind === root.name) {
      roots++;
      value = reader.convert(node, root, rootPath) as Record<string, unknown>;
    } else {
      reader.problem(
        [],
        node,
        `unexpected ${kind.startsWith('#') ? kind : `<${kind}>`} at top level (expected <${root.name}>)`,
      );
    }
  }
  if (roots !== 1) {
    reader.problems.push({
      file,
      pointer: '',
      message: `expected exactly one <${root.name}> root element, found ${roots}`,
    });
  }
  return { value, problems: reader.problems };
}

function checkDeclaration(reader: Reader, node: XmlNode): void {
  const attrs = (node[ATTRS] ?? {}) as Record<string, unknown>;
  const encoding = attrs['encoding'];
  if (typeof encoding === 'string' && !/^(utf-8|us-ascii)$/i.test(encoding)) {
    reader.problem([], node, `unsupported encoding "${encoding}" (the importer reads UTF-8)`);
  }
}
