// The receipt check (/verify): paste a receipt, the server checks its Ed25519
// signature, and the page shows whether it is valid and what it attests.
// /verify#receipt=<receipt> fills the box and checks at once (the finished
// exam links here that way; a fragment never reaches the server's logs).

import { api, generalMessageKey } from './api.js';
import { applyExamTranslations, xt } from './exam-i18n.js';
import { dateLocale, formatDigits, initI18n, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const form = $('verify-form');
const area = $('receipt');
let result = null; // {valid, payload}
let publicKey = null;
let status = null; // {key, site}

function formatInstant(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return String(iso ?? '');
  }
  return new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'long', timeStyle: 'medium' }).format(d);
}

function row(dl, key, value, { ltr = false, id } = {}) {
  const dt = document.createElement('dt');
  dt.textContent = xt(key);
  const dd = document.createElement('dd');
  dd.textContent = value;
  if (ltr) {
    dd.dir = 'ltr';
  }
  if (id) {
    dd.id = id;
  }
  dl.append(dt, dd);
}

function renderResult() {
  const box = $('verify-result');
  if (!result) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.classList.toggle('valid', result.valid);
  box.classList.toggle('invalid', !result.valid);
  box.dataset.valid = String(result.valid);
  $('verify-mark').textContent = result.valid ? '✓' : '✕';
  $('verify-verdict-text').textContent = xt(result.valid ? 'verify.valid' : 'verify.invalid');
  $('verify-note').textContent = xt(result.valid ? 'verify.validNote' : 'verify.invalidNote');
  const dl = $('verify-payload');
  dl.replaceChildren();
  dl.hidden = !result.valid || !result.payload;
  if (result.valid && result.payload) {
    const p = result.payload;
    row(dl, 'field.national_id', formatDigits(p.national_id), { id: 'payload-national-id' });
    row(dl, 'field.finish_reason', p.finish_reason ? xt(`reason.${p.finish_reason}`) : '', { id: 'payload-finish-reason' });
    row(dl, 'field.submitted_at', formatInstant(p.submitted_at), { id: 'payload-submitted-at' });
    row(dl, 'field.attempt_id', p.attempt_id ?? '', { ltr: true, id: 'payload-attempt-id' });
    row(dl, 'field.exam_id', p.exam_id ?? '', { ltr: true, id: 'payload-exam-id' });
    row(dl, 'field.answers_sha256', p.answers_sha256 ?? '', { ltr: true, id: 'payload-answers-sha256' });
  }
}

function renderStatus() {
  const box = $('verify-status');
  box.hidden = !status;
  if (status) {
    box.textContent = status.site ? t(status.key) : xt(status.key);
    box.classList.toggle('status-error', Boolean(status.error));
  }
}

function renderError(key) {
  const err = $('receipt-error');
  err.hidden = !key;
  err.textContent = key ? xt(key) : '';
  area.closest('.field').classList.toggle('has-error', Boolean(key));
  if (key) {
    area.setAttribute('aria-invalid', 'true');
    area.setAttribute('aria-describedby', 'receipt-error receipt-hint');
  } else {
    area.removeAttribute('aria-invalid');
    area.setAttribute('aria-describedby', 'receipt-hint');
  }
}

function renderCli() {
  const receipt = area.value.trim() || 'RECEIPT';
  $('cli-command').textContent = `examd receipt verify --public-key ${publicKey ?? 'KEY'} ${receipt}`;
}

async function check() {
  const receipt = area.value.trim();
  result = null;
  renderResult();
  if (!receipt) {
    renderError('verify.empty');
    area.focus();
    return;
  }
  renderError(null);
  const button = $('verify-button');
  button.disabled = true;
  status = { key: 'verify.checking' };
  renderStatus();
  try {
    result = await api('POST', '/api/v1/receipts/verify', { receipt });
    status = null;
    renderStatus();
    renderResult();
    $('verify-result').focus();
  } catch (err) {
    status = { key: generalMessageKey(err), site: true, error: true };
    renderStatus();
  }
  button.disabled = false;
  renderCli();
}

async function loadKey() {
  try {
    const k = await api('GET', '/api/v1/receipts/key');
    publicKey = k.public_key;
  } catch {
    // the command keeps its KEY placeholder
  }
  renderCli();
}

initI18n();
applyExamTranslations();
document.addEventListener('langchange', () => {
  applyExamTranslations();
  renderResult();
  renderStatus();
  if (!$('receipt-error').hidden) {
    renderError('verify.empty');
  }
});
form.addEventListener('submit', (event) => {
  event.preventDefault();
  check();
});
area.addEventListener('input', () => {
  if (!$('receipt-error').hidden && area.value.trim()) {
    renderError(null);
  }
  renderCli();
});
loadKey();
const fromLink = /^#receipt=(.+)$/.exec(window.location.hash);
if (fromLink) {
  try {
    area.value = decodeURIComponent(fromLink[1]);
  } catch {
    area.value = fromLink[1];
  }
  renderCli();
  check();
}
