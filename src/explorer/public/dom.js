// @ts-check
/**
 * Small DOM helpers. Every text goes in as a text node (never innerHTML), so nothing from a
 * pasted resource or an answer can become markup.
 */

/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * Creates an element with attributes and children.
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | boolean | undefined>} [attrs] `class` sets the class
 *   name; `true` sets an empty attribute; `false` and undefined set nothing.
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) {
      continue;
    }
    if (name === 'class') {
      el.className = String(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, ...children);
  return el;
}

/**
 * Appends children, skipping empty ones.
 *
 * @param {Element} el
 * @param {...Child} children
 */
export function append(el, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    el.append(typeof child === 'number' ? String(child) : child);
  }
}

/**
 * The element with an id, of the expected kind.
 *
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} kind
 * @returns {T}
 */
export function byId(id, kind) {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) {
    throw new Error(`#${id} is missing from the page`);
  }
  return el;
}

/**
 * A `<time>` element for an ISO date, or a dash for none.
 *
 * @param {string | undefined} iso
 * @returns {Child}
 */
export function time(iso) {
  return iso === undefined ? '–' : h('time', { datetime: iso }, iso);
}
