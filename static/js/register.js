// The registration form: Persian-calendar birth date, constituencies from the
// API, server field errors next to their fields, and the eligibility result.

import { api, ApiError, generalMessageKey } from './api.js';
import { renderEligibility } from './eligibility.js';
import { clearErrors, errorCount, setStatus, showFieldErrors, watchForm } from './form.js';
import { dateLocale, formatDigits, formatNumber, getLang, initI18n, t } from './i18n.js';
import { daysInMonth, toGregorian, todayJalali } from './jalali.js';

const FIRST_YEAR = 1300;

const form = document.getElementById('register-form');
const year = document.getElementById('birth_year');
const month = document.getElementById('birth_month');
const day = document.getElementById('birth_day');
const constituency = document.getElementById('constituency_id');
const militaryField = document.getElementById('military-field');
const military = document.getElementById('military_service');
const submit = document.getElementById('submit');
const result = document.getElementById('result');

let constituencies = null; // the API's list, once loaded
let lastResult = null; // the 201 answer, re-rendered on a language switch

function option(value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

function placeholder() {
  return option('', '—');
}

// Month names come from Intl, in the page's language.
function monthName(m) {
  const iso = toGregorian(1400, m, 1);
  return new Intl.DateTimeFormat(dateLocale(), { month: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

function fillYears() {
  const keep = year.value;
  const last = todayJalali().year;
  const options = [placeholder()];
  for (let y = last; y >= FIRST_YEAR; y--) {
    options.push(option(String(y), formatNumber(y, { useGrouping: false })));
  }
  year.replaceChildren(...options);
  year.value = keep;
}

function fillMonths() {
  const keep = month.value;
  const options = [placeholder()];
  for (let m = 1; m <= 12; m++) {
    options.push(option(String(m), `${monthName(m)} (${formatNumber(m)})`));
  }
  month.replaceChildren(...options);
  month.value = keep;
}

// The days offered follow the chosen month and year (Intl tells the month's length).
function fillDays() {
  const keep = day.value;
  const last = year.value && month.value ? daysInMonth(Number(year.value), Number(month.value)) : 31;
  const options = [placeholder()];
  for (let d = 1; d <= last; d++) {
    options.push(option(String(d), formatNumber(d)));
  }
  day.replaceChildren(...options);
  day.value = Number(keep) <= last ? keep : '';
}

function fillConstituencies() {
  const keep = constituency.value;
  if (constituencies === null) {
    return;
  }
  const lang = getLang();
  const groups = [];
  for (const kind of ['city', 'village']) {
    const items = constituencies.filter((c) => c.kind === kind);
    if (items.length === 0) {
      continue;
    }
    const group = document.createElement('optgroup');
    group.label = t(kind === 'city' ? 'kind.cities' : 'kind.villages');
    for (const c of items) {
      group.append(option(String(c.id), lang === 'fa' ? c.name_fa : c.name_en || c.name_fa));
    }
    groups.push(group);
  }
  const other = constituencies.filter((c) => c.kind !== 'city' && c.kind !== 'village');
  constituency.replaceChildren(
    option('', t('common.choose')),
    ...groups,
    ...other.map((c) => option(String(c.id), lang === 'fa' ? c.name_fa : c.name_en || c.name_fa)),
  );
  constituency.value = keep;
}

async function loadConstituencies() {
  try {
    const list = await api('GET', '/api/v1/constituencies');
    constituencies = Array.isArray(list) ? list : [];
    fillConstituencies();
  } catch (err) {
    constituency.replaceChildren(option('', '—'));
    setStatus(form, { key: 'register.constituenciesFailed', kind: 'error' });
  }
}

function gender() {
  return form.querySelector('input[name="gender"]:checked')?.value ?? '';
}

function showMilitary() {
  const isMan = gender() === 'male';
  militaryField.hidden = !isMan;
  military.disabled = !isMan;
}

// collect builds the request body and the errors known before asking the server.
function collect() {
  const local = {};
  const body = {
    national_id: form.national_id.value.trim(),
    first_name: form.first_name.value.trim(),
    last_name: form.last_name.value.trim(),
    father_name: form.father_name.value.trim(),
    gender: gender(),
    mobile: form.mobile.value.trim(),
    education: form.education.value,
    password: form.password.value,
  };
  if (year.value && month.value && day.value) {
    const iso = toGregorian(Number(year.value), Number(month.value), Number(day.value));
    if (iso === null) {
      local.birth_date = 'not_a_date';
      body.birth_date = '';
    } else {
      body.birth_date = iso;
    }
  } else {
    local.birth_date = 'required';
    body.birth_date = '';
  }
  if (body.gender === 'male' && military.value) {
    body.military_service = military.value;
  }
  const email = form.email.value.trim();
  if (email) {
    body.email = email;
  }
  // An unchosen constituency is sent as 0 so that the server reports it with the other fields.
  body.constituency_id = constituency.value ? Number.parseInt(constituency.value, 10) : 0;
  if (!constituency.value) {
    local.constituency_id = 'required';
  }
  return { body, local };
}

function renderResult() {
  if (!lastResult) {
    return;
  }
  document.getElementById('result-id').textContent = t('register.doneFor', {
    nationalId: formatDigits(lastResult.national_id),
  });
  renderEligibility(
    document.getElementById('result-eligibility'),
    lastResult.eligible,
    lastResult.ineligibility_reasons ?? [],
  );
}

async function onSubmit(event) {
  event.preventDefault();
  clearErrors(form);
  const { body, local } = collect();
  submit.disabled = true;
  form.setAttribute('aria-busy', 'true');
  setStatus(form, { key: 'common.sending' });
  try {
    lastResult = await api('POST', '/api/v1/candidates', body);
    setStatus(form, null);
    form.reset();
    form.hidden = true;
    result.hidden = false;
    renderResult();
    result.focus();
  } catch (err) {
    let fields = {};
    if (err instanceof ApiError && err.status === 400 && err.code === 'validation_failed') {
      fields = { ...err.fields };
    } else if (err instanceof ApiError && err.status === 409 && err.code === 'already_registered') {
      fields = { national_id: 'already_registered' };
    }
    // What the page knows better (an impossible or incomplete date) wins over the server's "required".
    Object.assign(fields, local);
    const unplaced = Object.keys(fields).length > 0 ? showFieldErrors(form, fields) : [];
    if (errorCount(form) > 0 && unplaced.length === 0) {
      setStatus(form, { key: 'form.fixErrors', vars: { count: errorCount(form) }, kind: 'error' });
    } else {
      setStatus(form, { key: generalMessageKey(err), kind: 'error' });
    }
  } finally {
    submit.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

initI18n();
fillYears();
fillMonths();
fillDays();
showMilitary();
watchForm(form);
year.addEventListener('change', fillDays);
month.addEventListener('change', fillDays);
for (const radio of form.querySelectorAll('input[name="gender"]')) {
  radio.addEventListener('change', showMilitary);
}
form.addEventListener('submit', onSubmit);
document.addEventListener('langchange', () => {
  fillYears();
  fillMonths();
  fillDays();
  fillConstituencies();
  renderResult();
});
loadConstituencies();
