// The candidate login form.

import { api, ApiError, generalMessageKey } from './api.js';
import { clearErrors, errorCount, setStatus, showFieldErrors, watchForm } from './form.js';
import { initI18n } from './i18n.js';

const form = document.getElementById('login-form');
const submit = document.getElementById('submit');

async function onSubmit(event) {
  event.preventDefault();
  clearErrors(form);
  const body = {
    national_id: form.national_id.value.trim(),
    password: form.password.value,
  };
  submit.disabled = true;
  form.setAttribute('aria-busy', 'true');
  setStatus(form, { key: 'common.sending' });
  try {
    await api('POST', '/api/v1/candidate/login', body);
    setStatus(form, { key: 'login.success', kind: 'ok' });
    window.location.assign('/home');
    return;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setStatus(form, { key: 'login.invalid', kind: 'error' });
      form.password.value = '';
      form.national_id.focus();
    } else if (err instanceof ApiError && err.status === 429) {
      if (err.retryAfter !== null) {
        setStatus(form, { key: 'login.tooMany', vars: { seconds: err.retryAfter }, kind: 'error' });
      } else {
        setStatus(form, { key: 'login.tooManyNoWait', kind: 'error' });
      }
    } else if (err instanceof ApiError && err.status === 400 && Object.keys(err.fields).length > 0) {
      const unplaced = showFieldErrors(form, err.fields);
      if (unplaced.length > 0) {
        setStatus(form, { key: 'err.generic', kind: 'error' });
      } else {
        setStatus(form, { key: 'form.fixErrors', vars: { count: errorCount(form) }, kind: 'error' });
      }
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
