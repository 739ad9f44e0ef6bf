/**
 * A small document model and its two renderings, Markdown (GitHub-flavoured: tables) and plain,
 * self-contained HTML. Generated documentation is built once as blocks and rendered either way,
 * so no Markdown → HTML converter is needed; every text is escaped for its target.
 */

/** Text, or a link to another page of the same documentation (optionally to a heading id). */
export type Inline =
  | string
  | { readonly text: string; readonly page: string; readonly fragment?: string }
  | { readonly strong: string };

/** A table cell: one or more lines. */
export type Cell = readonly (readonly Inline[])[];

/** A block of a page. */
export type Block =
  | {
      readonly kind: 'heading';
      readonly level: 1 | 2 | 3 | 4 | 5;
      readonly text: string;
      readonly id?: string;
    }
  | { readonly kind: 'paragraph'; readonly content: readonly Inline[] }
  | { readonly kind: 'note'; readonly content: readonly Inline[] }
  | { readonly kind: 'list'; readonly items: readonly (readonly Inline[])[] }
  | {
      readonly kind: 'table';
      readonly header: readonly string[];
      readonly rows: readonly (readonly Cell[])[];
    };

/** One page; `name` is the file name without extension (`index`, `mmr`). */
export interface DocPage {
  readonly name: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

/** The output formats of `docs`. */
export type DocFormat = 'markdown' | 'html';

/** File extension of a format. */
export function extensionOf(format: DocFormat): string {
  return format === 'markdown' ? 'md' : 'html';
}

/**
 * A heading id: lower case, runs of anything but letters and digits → "-" (GitHub's anchors
 * differ in details; the HTML and the Markdown both carry explicit ids, so links always work).
 *
 * @param text - Heading text.
 */
export function anchorOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

function mdEscape(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

function mdInline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') {
        return mdEscape(p);
      }
      if ('strong' in p) {
        // CommonMark: no white space just inside the delimiters, or it is not bold.
        const inner = p.strong.trim();
        const lead = p.strong.slice(0, p.strong.length - p.strong.trimStart().length);
        const trail = p.strong.slice(p.strong.trimEnd().length);
        return `${lead}**${mdEscape(inner)}**${trail}`;
      }
      const target = `${p.page}.md${p.fragment === undefined ? '' : `#${p.fragment}`}`;
      return `[${mdEscape(p.text)}](${encodeURI(target)})`;
    })
    .join('');
}

function mdBlock(b: Block): string {
  switch (b.kind) {
    case 'heading': {
      const id = b.id ?? anchorOf(b.text);
      return `${'#'.repeat(b.level)} ${mdEscape(b.text)} <a id="${id}"></a>`;
    }
    case 'paragraph':
      return mdInline(b.content);
    case 'note':
      return `> ${mdInline(b.content)}`;
    case 'list':
      return b.items.map((i) => `- ${mdInline(i)}`).join('\n');
    case 'table': {
      const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
      return [
        row(b.header.map(mdEscape)),
        row(b.header.map(() => '---')),
        ...b.rows.map((r) => row(r.map((cell) => cell.map(mdInline).join('<br>')))),
      ].join('\n');
    }
  }
}

/**
 * A page as GitHub-flavoured Markdown.
 *
 * @param page - The page.
 */
export function renderMarkdown(page: DocPage): string {
  return page.blocks.map(mdBlock).join('\n\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

function htmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function htmlInline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') {
        return htmlEscape(p);
      }
      if ('strong' in p) {
        return `<strong>${htmlEscape(p.strong)}</strong>`;
      }
      const target = `${p.page}.html${p.fragment === undefined ? '' : `#${p.fragment}`}`;
      return `<a href="${htmlEscape(encodeURI(target))}">${htmlEscape(p.text)}</a>`;
    })
    .join('');
}

function htmlBlock(b: Block): string {
  switch (b.kind) {
    case 'heading': {
      const id = b.id ?? anchorOf(b.text);
      return `<h${b.level} id="${htmlEscape(id)}">${htmlEscape(b.text)}</h${b.level}>`;
    }
    case 'paragraph':
      return `<p>${htmlInline(b.content)}</p>`;
    case 'note':
      return `<p class="note">${htmlInline(b.content)}</p>`;
    case 'list':
      return `<ul>\n${b.items.map((i) => `  <li>${htmlInline(i)}</li>`).join('\n')}\n</ul>`;
    case 'table': {
      const head = b.header.map((h) => `<th>${htmlEscape(h)}</th>`).join('');
      const rows = b.rows.map(
        (r) =>
          `  <tr>${r.map((cell) => `<td>${cell.map(htmlInline).join('<br>')}</td>`).join('')}</tr>`,
      );
      return `<table>\n  <thead><tr>${head}</tr></thead>\n  <tbody>\n${rows.map((x) => `  ${x}`).join('\n')}\n  </tbody>\n</table>`;
    }
  }
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1a1a1a}
table{border-collapse:collapse;margin:0.5rem 0 1rem}th,td{border:1px solid #bbb;padding:0.25rem 0.5rem;vertical-align:top;text-align:left}
th{background:#f0f0f0}.note{border-left:4px solid #bbb;padding-left:0.75rem;color:#444}h4,h5{margin-bottom:0.25rem}`;

/**
 * A page as a self-contained HTML document (inline CSS, no scripts).
 *
 * @param page - The page.
 */
export function renderHtml(page: DocPage): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${htmlEscape(page.title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    ...page.blocks.map(htmlBlock),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * A page in a format.
 *
 * @param page - The page.
 * @param format - Markdown or HTML.
 */
export function renderPage(page: DocPage, format: DocFormat): string {
  return format === 'markdown' ? renderMarkdown(page) : renderHtml(page);
}
