// @ts-check
/**
 * A search box with a list of choices, after the WAI-ARIA 1.2 "editable combobox with list
 * autocomplete" pattern: the input has role combobox, `aria-expanded`, `aria-controls` and
 * `aria-activedescendant`; the popup is a listbox of options. Keys: Down/Up move through the
 * choices (Down opens the list), Enter picks, Escape closes (or clears), Tab leaves. A pointer
 * can pick too. The number of matches is announced in a polite live region.
 */
import { h } from './dom.js';

/**
 * @template T
 * @typedef {object} ComboOption
 * @property {string} label main line of the choice
 * @property {string} [badge] short code shown beside the label (e.g. "CVX 03")
 * @property {string} [detail] second line
 * @property {string} text what the input shows once it is picked
 * @property {T} value
 */

/**
 * @template T
 * @typedef {object} Combobox
 * @property {() => ComboOption<T> | undefined} value the picked choice
 * @property {(option: ComboOption<T> | undefined) => void} set picks a choice (or none)
 */

let counter = 0;
/** Longest list shown; more matches ask for more letters. */
const MAX_SHOWN = 30;

/**
 * Turns an input into a combobox.
 *
 * @template T
 * @param {object} o
 * @param {HTMLInputElement} o.input the text input (it must have a label)
 * @param {(query: string) => ComboOption<T>[]} o.search the choices matching a query, best first
 * @param {(option: ComboOption<T> | undefined) => void} [o.onChange] called when the pick changes
 * @param {string} [o.noun] what is searched, for messages ("vaccine")
 * @returns {Combobox<T>}
 */
export function combobox({ input, search, onChange = () => undefined, noun = 'choice' }) {
  counter += 1;
  const id = `combo-${counter}`;
  const list = h('ul', { id: `${id}-list`, role: 'listbox', class: 'combo-list', hidden: true });
  const labelId = input.labels?.[0]?.id;
  if (labelId !== undefined && labelId !== '') {
    list.setAttribute('aria-labelledby', labelId);
  }
  const hint = h('span', { id: `${id}-hint`, class: 'combo-hint', 'aria-live': 'polite' });
  const wrap = h('div', { class: 'combo' });
  input.replaceWith(wrap);
  wrap.append(input, list, hint);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('autocomplete', 'off');
  input.setAttribute('spellcheck', 'false');

  /** @type {ComboOption<T>[]} */
  let options = [];
  let active = -1;
  /** @type {ComboOption<T> | undefined} */
  let chosen;

  /** @param {string} query */
  function open(query) {
    const found = search(query);
    options = found.slice(0, MAX_SHOWN);
    active = -1;
    input.removeAttribute('aria-activedescendant');
    list.replaceChildren(
      ...options.map((o, i) =>
        h(
          'li',
          { id: `${id}-opt-${i}`, role: 'option', 'aria-selected': 'false', class: 'combo-option' },
          h('span', { class: 'combo-label' }, o.label),
          o.badge === undefined ? null : h('span', { class: 'combo-badge' }, o.badge),
          o.detail === undefined ? null : h('span', { class: 'combo-detail' }, o.detail),
        ),
      ),
    );
    const shown = options.length > 0;
    list.hidden = !shown;
    input.setAttribute('aria-expanded', String(shown));
    hint.textContent =
      found.length === 0
        ? `No ${noun} matches “${query}”.`
        : found.length > options.length
          ? `${found.length} matches, first ${options.length} shown: type more to narrow. Use the arrow keys to choose.`
          : `${found.length} ${found.length === 1 ? 'match' : 'matches'}. Use the arrow keys to choose.`;
  }

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  /** @param {number} i */
  function setActive(i) {
    const items = list.children;
    items[active]?.setAttribute('aria-selected', 'false');
    active = i;
    const item = items[i];
    if (item !== undefined) {
      item.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', item.id);
      item.scrollIntoView({ block: 'nearest' });
    }
  }

  /** @param {ComboOption<T> | undefined} option */
  function pick(option) {
    chosen = option;
    input.value = option?.text ?? '';
    input.removeAttribute('aria-invalid');
    hint.textContent = '';
    close();
    onChange(option);
  }

  input.addEventListener('input', () => {
    if (chosen !== undefined) {
      chosen = undefined;
      onChange(undefined);
    }
    const query = input.value.trim();
    if (query === '') {
      close();
      hint.textContent = '';
    } else {
      open(query);
    }
  });

  input.addEventListener('keydown', (event) => {
    switch (event.key) {
      case 'ArrowDown': {
        event.preventDefault();
        if (list.hidden) {
          const query = input.value.trim();
          if (query === '') {
            return;
          }
          open(query);
          if (event.altKey) {
            return;
          }
        }
        setActive(Math.min(active + 1, options.length - 1));
        return;
      }
      case 'ArrowUp':
        if (!list.hidden) {
          event.preventDefault();
          setActive(Math.max(active - 1, 0));
        }
        return;
      case 'Enter':
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          pick(options[active]);
        }
        return;
      case 'Escape':
        if (!list.hidden) {
          event.preventDefault();
          close();
        } else if (chosen === undefined && input.value !== '') {
          event.preventDefault();
          input.value = '';
          hint.textContent = '';
        }
        return;
      case 'Tab':
        close();
        return;
      default:
        return;
    }
  });

  input.addEventListener('blur', close);
  // Keep the focus in the input while a pointer picks an option.
  list.addEventListener('mousedown', (event) => {
    event.preventDefault();
  });
  list.addEventListener('click', (event) => {
    const item = event.target instanceof Element ? event.target.closest('li') : null;
    const index = item === null ? -1 : Array.prototype.indexOf.call(list.children, item);
    if (index >= 0) {
      pick(options[index]);
    }
  });

  return {
    value: () => chosen,
    set: (option) => {
      chosen = option;
      input.value = option?.text ?? '';
      hint.textContent = '';
      close();
    },
  };
}
