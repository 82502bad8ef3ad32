// The officials' login form: username and password, then the console.

import { api, ApiError, generalMessageKey } from './api.js';
import { clearErrors, errorCount, setStatus, showFieldErrors, watchForm } from './form.js';
import { initI18n } from './i18n.js';

const form = document.getElementById('official-login-form');
const submit = document.getElementById('submit');

function clientErrors() {
  const errors = {};
  if (form.username.value.trim() === '') {
    errors.username = 'required';
  }
  if (form.password.value === '') {
    errors.password = 'required';
  }
  return errors;
}

async function onSubmit(event) {
  event.preventDefault();
  clearErrors(form);
  const local = clientErrors();
  if (Object.keys(local).length > 0) {
    showFieldErrors(form, local);
    setStatus(form, { key: 'form.fixErrors', vars: { count: errorCount(form) }, kind: 'error' });
    return;
  }
  submit.disabled = true;
  form.setAttribute('aria-busy', 'true');
  setStatus(form, { key: 'common.sending' });
  try {
    await api('POST', '/api/v1/official/login', { username: form.username.value.trim(), password: form.password.value });
    setStatus(form, { key: 'login.success', kind: 'ok' });
    window.location.assign('/official');
    return;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setStatus(form, { key: 'olog.invalid', kind: 'error' });
      form.password.value = '';
      form.password.focus();
    } else if (err instanceof ApiError && err.status === 429) {
      if (err.retryAfter !== null) {
        setStatus(form, { key: 'login.tooMany', vars: { seconds: err.retryAfter }, kind: 'error' });
      } else {
        setStatus(form, { key: 'login.tooManyNoWait', kind: 'error' });
      }
    } else if (err instanceof ApiError && err.status === 400 && Object.keys(err.fields).length > 0) {
      const unplaced = showFieldErrors(form, err.fields);
      setStatus(form, unplaced.length > 0
        ? { key: 'err.generic', kind: 'error' }
        : { key: 'form.fixErrors', vars: { count: errorCount(form) }, kind: 'error' });
    } else {
      setStatus(form, { key: generalMessageKey(err), kind: 'error' });
    }
  }
  submit.disabled = false;
  form.removeAttribute('aria-busy');
}

initI18n();
watchForm(form);
form.addEventListener('submit', onSubmit);
