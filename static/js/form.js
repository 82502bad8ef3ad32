// Field errors next to their fields, and the form's aria-live status line.
//
// Markup contract: every control of a field carries data-field="<api field
// name>"; the field's message element is <p class="field-error"
// id="<field>-error" hidden>. A control's own hints stay in its
// aria-describedby; the error id is added in front while the error shows.

import { has, t } from './i18n.js';

const state = new WeakMap(); // form → { errors: {field: code}, status: {key, vars, kind} }

function formState(form) {
  let s = state.get(form);
  if (!s) {
    s = { errors: {}, status: null };
    state.set(form, s);
  }
  return s;
}

/** fieldMessage is the text for a server reason code on a field. */
export function fieldMessage(field, code) {
  if (has(`err.${field}.${code}`)) {
    return t(`err.${field}.${code}`);
  }
  if (has(`err.${code}`)) {
    return t(`err.${code}`);
  }
  return t('err.unknown');
}

function controlsOf(form, field) {
  return [...form.querySelectorAll(`[data-field="${CSS.escape(field)}"]`)];
}

function setDescribedBy(control, errorId, on) {
  if (control.dataset.describedbyBase === undefined) {
    control.dataset.describedbyBase = control.getAttribute('aria-describedby') ?? '';
  }
  const ids = control.dataset.describedbyBase.split(/\s+/).filter(Boolean);
  if (on) {
    ids.unshift(errorId);
  }
  if (ids.length > 0) {
    control.setAttribute('aria-describedby', ids.join(' '));
  } else {
    control.removeAttribute('aria-describedby');
  }
}

function render(form) {
  const { errors } = formState(form);
  for (const box of form.querySelectorAll('.field-error')) {
    const field = box.id.replace(/-error$/, '');
    const code = errors[field];
    box.textContent = code ? fieldMessage(field, code) : '';
    box.hidden = !code;
    box.closest('.field')?.classList.toggle('has-error', Boolean(code));
    for (const control of controlsOf(form, field)) {
      if (code) {
        control.setAttribute('aria-invalid', 'true');
      } else {
        control.removeAttribute('aria-invalid');
      }
      setDescribedBy(control, box.id, Boolean(code));
    }
  }
  renderStatus(form);
}

function statusBox(form) {
  return form.querySelector('[data-status]');
}

function renderStatus(form) {
  const box = statusBox(form);
  if (!box) {
    return;
  }
  const { status } = formState(form);
  box.textContent = status ? (status.text ?? t(status.key, status.vars)) : '';
  box.classList.toggle('status-error', status?.kind === 'error');
  box.classList.toggle('status-ok', status?.kind === 'ok');
  box.hidden = !status;
}

/**
 * showFieldErrors shows errors ({field: reason code}) next to their fields,
 * focuses the first bad control in page order and returns the fields that
 * have no place on this form.
 */
export function showFieldErrors(form, errors) {
  const s = formState(form);
  s.errors = {};
  const unplaced = [];
  for (const [field, code] of Object.entries(errors ?? {})) {
    if (form.querySelector(`#${CSS.escape(field)}-error`)) {
      s.errors[field] = String(code);
    } else {
      unplaced.push(field);
    }
  }
  render(form);
  const first = [...form.querySelectorAll('[data-field]')].find(
    (el) => s.errors[el.dataset.field] && !el.disabled && el.offsetParent !== null,
  );
  first?.focus();
  return unplaced;
}

/** clearFieldError removes the error of one field (called when the person edits it). */
export function clearFieldError(form, field) {
  const s = formState(form);
  if (s.errors[field]) {
    delete s.errors[field];
    render(form);
  }
}

/** clearErrors removes every field error and the status line. */
export function clearErrors(form) {
  const s = formState(form);
  s.errors = {};
  s.status = null;
  render(form);
}

/** errorCount is how many fields show an error now. */
export function errorCount(form) {
  return Object.keys(formState(form).errors).length;
}

/**
 * setStatus writes the form's aria-live status line: a text key with vars
 * (re-translated on a language switch) or, with {text}, a fixed text.
 */
export function setStatus(form, status) {
  formState(form).status = status;
  renderStatus(form);
}

/** watchForm clears a field's error as soon as it is edited, and re-translates on a language switch. */
export function watchForm(form) {
  const clear = (event) => {
    const field = event.target?.dataset?.field;
    if (field) {
      clearFieldError(form, field);
    }
  };
  form.addEventListener('input', clear);
  form.addEventListener('change', clear);
  document.addEventListener('langchange', () => render(form));
}
