// Pieces the officials' console shares: building elements, dates and numbers,
// status lines and field errors that re-translate on a language switch, paging,
// a confirmation dialog, and requests whose body is not JSON (imports).

import { ApiError, generalMessageKey } from './api.js';
import { dateLocale, formatNumber, getLang, has, t } from './i18n.js';

/**
 * h builds an element: attrs.class, attrs.text (textContent) and attrs.i18n
 * (a data-i18n key, filled now) are special; false/null attributes are left out,
 * true ones are set empty; the children (nodes or strings) are appended.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) {
      continue;
    }
    if (name === 'class') {
      el.className = value;
    } else if (name === 'text') {
      el.textContent = value;
    } else if (name === 'i18n') {
      el.dataset.i18n = value;
      el.textContent = t(value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child);
    }
  }
  return el;
}

/** formatInstant shows an RFC 3339 instant in the Persian calendar, in the browser's time zone. */
export function formatInstant(value, { withSeconds = false } = {}) {
  if (!value) {
    return '—';
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    return '—';
  }
  return new Intl.DateTimeFormat(dateLocale(), {
    dateStyle: 'medium',
    timeStyle: withSeconds ? 'medium' : 'short',
  }).format(d);
}

/** timeZoneName is the browser's IANA time zone (times are entered and shown in it). */
export function timeZoneName() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** num formats a number with the current language's digits. */
export function num(n, options) {
  return formatNumber(Number(n ?? 0), options);
}

/** latinDigits reads Persian and Arabic-Indic digits and the Persian decimal separator as ASCII. */
export function latinDigits(s) {
  return String(s ?? '')
    .replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) & 0xf))
    .replace(/[\u066B]/g, '.')
    .replace(/[\u066C\u060C,]/g, '')
    .trim();
}

/** parseNumber reads a typed number (any digits); null when empty, NaN when not a number. */
export function parseNumber(s) {
  const v = latinDigits(s);
  if (v === '') {
    return null;
  }
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(v) ? Number(v) : Number.NaN;
}

/** optionLabel is how an option key (a–f) is shown: الف، ب، ج… in Persian, A–F in English. */
export function optionLabel(key) {
  return has(`optkey.${key}`) ? t(`optkey.${key}`) : String(key).toUpperCase();
}

// ---- Status lines ---------------------------------------------------------

const statuses = new Map(); // element → {key, vars, kind, text}

function renderStatusBox(box) {
  const s = statuses.get(box);
  box.textContent = s ? (s.text ?? t(s.key, s.vars)) : '';
  box.classList.toggle('status-error', s?.kind === 'error');
  box.classList.toggle('status-ok', s?.kind === 'ok');
  box.hidden = !s;
}

/** setStatus writes an aria-live status element: {key, vars, kind: 'ok'|'error'|undefined} or null to hide it. */
export function setStatus(box, status) {
  if (!box) {
    return;
  }
  if (status) {
    statuses.set(box, status);
  } else {
    statuses.delete(box);
  }
  renderStatusBox(box);
}

/** setErrorStatus shows the general text for a failed request. */
export function setErrorStatus(box, err) {
  setStatus(box, { key: errorKey(err), kind: 'error' });
}

/** errorKey is the text key for an API error that belongs to no field. */
export function errorKey(err) {
  if (err instanceof ApiError && has(`apiErr.${err.code}`)) {
    return `apiErr.${err.code}`;
  }
  return generalMessageKey(err);
}

document.addEventListener('langchange', () => {
  for (const box of statuses.keys()) {
    if (box.isConnected) {
      renderStatusBox(box);
    } else {
      statuses.delete(box);
    }
  }
});

// ---- Field errors ---------------------------------------------------------

/**
 * fieldMessage is the text of a reason code on a field. Row indexes do not
 * matter for the words: "sections[2].draw" is looked up as "sections[].draw".
 */
export function fieldMessage(field, code, vars = {}) {
  const generic = field.replace(/\[\d+\]/g, '[]');
  for (const key of [`err.${generic}.${code}`, `err.${code}`]) {
    if (has(key)) {
      return t(key, vars);
    }
  }
  return t('err.unknown');
}

function errorBoxId(form, field) {
  return `${form.id || 'form'}--${field.replace(/[^A-Za-z0-9_-]/g, '-')}-error`;
}

/**
 * FieldErrors shows errors next to fields. Markup: a field's controls carry
 * data-field="<api field name>" and its message element is
 * <p class="field-error" data-error-for="<api field name>" hidden>.
 * Values are a reason code or {code, vars}.
 */
export class FieldErrors {
  constructor(form) {
    this.form = form;
    this.errors = {};
    document.addEventListener('langchange', () => this.render());
  }

  /** set replaces the errors and returns the fields that have no place on the form. */
  set(errors, { focus = false } = {}) {
    this.errors = {};
    const unplaced = [];
    for (const [field, e] of Object.entries(errors ?? {})) {
      if (this.box(field)) {
        this.errors[field] = typeof e === 'string' ? { code: e } : e;
      } else {
        unplaced.push(field);
      }
    }
    this.render();
    if (focus) {
      const first = [...this.form.querySelectorAll('[data-field]')].find(
        (el) => this.errors[el.dataset.field] && !el.disabled && el.offsetParent !== null,
      );
      first?.focus();
    }
    return unplaced;
  }

  get count() {
    return Object.keys(this.errors).length;
  }

  box(field) {
    return this.form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
  }

  render() {
    for (const box of this.form.querySelectorAll('[data-error-for]')) {
      const field = box.dataset.errorFor;
      const e = this.errors[field];
      box.id = errorBoxId(this.form, field);
      box.textContent = e ? fieldMessage(field, e.code, e.vars) : '';
      box.hidden = !e;
      box.closest('.field')?.classList.toggle('has-error', Boolean(e));
      for (const control of this.form.querySelectorAll(`[data-field="${CSS.escape(field)}"]`)) {
        if (control.dataset.describedbyBase === undefined) {
          control.dataset.describedbyBase = control.getAttribute('aria-describedby') ?? '';
        }
        const ids = control.dataset.describedbyBase.split(/\s+/).filter(Boolean);
        if (e) {
          control.setAttribute('aria-invalid', 'true');
          ids.unshift(box.id);
        } else {
          control.removeAttribute('aria-invalid');
        }
        if (ids.length > 0) {
          control.setAttribute('aria-describedby', ids.join(' '));
        } else {
          control.removeAttribute('aria-describedby');
        }
      }
    }
  }
}

// ---- Paging ----------------------------------------------------------------

/**
 * renderPager fills nav with "page N of M" and previous/next buttons that call
 * go(page). The buttons are ids prefix-prev and prefix-next.
 */
export function renderPager(nav, { page, perPage, total }, go, prefix) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const prev = h('button', { type: 'button', class: 'button secondary small', id: `${prefix}-prev`, i18n: 'pager.prev', disabled: page <= 1 });
  const next = h('button', { type: 'button', class: 'button secondary small', id: `${prefix}-next`, i18n: 'pager.next', disabled: page >= pages });
  prev.addEventListener('click', () => go(page - 1));
  next.addEventListener('click', () => go(page + 1));
  nav.replaceChildren(prev, h('span', { class: 'pager-text', text: t('pager.text', { page, pages, total }) }), next);
  nav.hidden = total <= perPage && page <= 1;
}

// ---- Confirmation ----------------------------------------------------------

/**
 * confirmAction asks in the page's <dialog id="confirm-dialog"> and resolves
 * true when the person confirms. The cancel button has the focus first, so an
 * Enter pressed by habit does not confirm.
 */
export function confirmAction(messageKey, vars = {}, confirmKey = 'common.confirm') {
  const dialog = document.getElementById('confirm-dialog');
  const text = document.getElementById('confirm-text');
  const ok = document.getElementById('confirm-ok');
  text.textContent = t(messageKey, vars);
  ok.dataset.i18n = confirmKey;
  ok.textContent = t(confirmKey);
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

// ---- Requests with a raw body ----------------------------------------------

/**
 * apiRaw sends body (a string) with the given content type and returns the JSON
 * answer. It throws ApiError; for a refused import the error carries lines
 * ([{line, message}]).
 */
export async function apiRaw(method, path, body, contentType) {
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': contentType, Accept: 'application/json' },
      body,
    });
  } catch (err) {
    throw new ApiError(0, 'network', String(err));
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (res.ok) {
    return data;
  }
  const e = data && typeof data === 'object' ? data.error ?? {} : {};
  const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText, e.fields ?? {});
  err.lines = Array.isArray(e.errors) ? e.errors : Array.isArray(data?.errors) ? data.errors : [];
  return Promise.reject(err);
}

/** isUnauthenticated tells whether the session is gone (the console then goes to its login page). */
export function isUnauthenticated(err) {
  return err instanceof ApiError && err.status === 401;
}

/** goToLogin leaves for the officials' login page. */
export function goToLogin() {
  window.location.assign('/official/login');
}

/** langIs reports whether the page is in the given language. */
export function langIs(lang) {
  return getLang() === lang;
}

// ---- What the panels share -------------------------------------------------

/**
 * consoleState is what every panel reads: the official (and whether they may
 * write), the active questions per bank section, and the section titles that
 * exams give to bank sections.
 */
export const consoleState = {
  me: null,
  isAdmin: false,
  sectionsLoaded: false,
  sections: {}, // section key → active questions
  sectionTitles: {}, // section key → a title an exam gives it
};

/** sectionLabel is a section key with the title an exam gives it, when one does. */
export function sectionLabel(key) {
  const title = consoleState.sectionTitles[key];
  return title && title !== key ? `${title} (${key})` : key;
}

/**
 * loadSections reads the active question count of every section, fills the
 * shared datalist of section keys and tells the panels ("sectionschange").
 */
export async function loadSections(api) {
  consoleState.sections = (await api('GET', '/api/v1/official/sections')) ?? {};
  consoleState.sectionsLoaded = true;
  const list = document.getElementById('section-keys');
  if (list) {
    list.replaceChildren(
      ...Object.keys(consoleState.sections)
        .sort()
        .map((key) => h('option', { value: key, label: sectionLabel(key) })),
    );
  }
  document.dispatchEvent(new CustomEvent('sectionschange'));
  return consoleState.sections;
}
