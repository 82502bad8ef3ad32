// The exams panel: the list with each exam's status, one exam's rules with
// publish and close (after a confirmation), the editor of a draft with live
// checks as the official types and the server's field errors next to the
// fields, and the extra time granted to candidates on the chosen exam.

import { api, ApiError } from './api.js';
import {
  confirmAction,
  consoleState,
  FieldErrors,
  formatInstant,
  goToLogin,
  h,
  isUnauthenticated,
  latinDigits,
  loadSections,
  num,
  parseNumber,
  setErrorStatus,
  setStatus,
  timeZoneName,
} from './official-common.js';
import { formatDigits, t } from './i18n.js';

const SECTION_KEY = /^[a-z][a-z0-9_]{0,39}$/;
const MAX_SECTIONS = 20;
const MAX_DURATION_MINUTES = 24 * 60;
const MAX_OBJECTION_HOURS = 90 * 24;

let exams = [];
let selectedId = null;
let accommodations = [];
let editingId = null; // the draft being edited, or null for a new exam
let editorOpen = false;

let formErrors = null;
const touched = new Set();
let submitted = false;
let serverErrors = {};

// ---- Values and conversions -------------------------------------------------

function pad(n) {
  return String(n).padStart(2, '0');
}

/** toRFC3339 turns a datetime-local value (the browser's local time) into an RFC 3339 UTC instant. */
export function toRFC3339(local) {
  if (!local) {
    return null;
  }
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) {
    return null;
  }
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** toLocalInput turns an RFC 3339 instant into a datetime-local value in the browser's time zone. */
export function toLocalInput(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) {
    return '';
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** parseRatio reads a penalty such as "1/3", "۱/۳", "0.25" or "0"; null when empty, NaN when unreadable. */
export function parseRatio(s) {
  const v = latinDigits(s).replace(/\s+/g, '');
  if (v === '') {
    return null;
  }
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (m) {
    return Number(m[2]) === 0 ? Number.NaN : Number(m[1]) / Number(m[2]);
  }
  if (/^-\d+\/\d+$/.test(v)) {
    return -1;
  }
  return parseNumber(v);
}

function trimNumber(n) {
  return String(Math.round(n * 1000) / 1000);
}

// ---- The list --------------------------------------------------------------------

function statusBadge(status) {
  return h('span', { class: `badge badge-${status}`, 'data-status': status, 'data-testid': 'exam-status', text: t(`estatus.${status}`) });
}

function questionTotal(e) {
  return (e.sections ?? []).reduce((sum, s) => sum + (s.draw ?? 0), 0);
}

function minutesText(seconds) {
  return t('common.minutes', { n: Math.round((seconds / 60) * 100) / 100 });
}

function renderList() {
  const body = document.getElementById('exams-body');
  if (exams.length === 0) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: '7', class: 'placeholder', i18n: 'ex.none' })));
    return;
  }
  body.replaceChildren(
    ...exams.map((e) => {
      const view = h('button', { type: 'button', class: 'button secondary small', 'data-exam-id': e.id, i18n: 'common.view' });
      view.setAttribute('aria-label', t('ex.viewLabel', { title: e.title }));
      view.addEventListener('click', () => selectExam(e.id, { focus: true }));
      return h(
        'tr',
        { 'data-exam-id': e.id, 'data-testid': 'exam-row', class: e.id === selectedId ? 'selected' : false, 'aria-current': e.id === selectedId ? 'true' : false },
        h('td', { class: 'title-cell', 'data-testid': 'exam-title' }, h('bdi', { text: e.title })),
        h('td', {}, statusBadge(e.status)),
        h('td', { class: 'nowrap', text: formatInstant(e.opens_at) }),
        h('td', { class: 'nowrap', text: formatInstant(e.closes_at) }),
        h('td', { class: 'nowrap', text: minutesText(e.duration_seconds) }),
        h('td', { class: 'num', text: num(questionTotal(e)) }),
        h('td', { class: 'actions-cell' }, view),
      );
    }),
  );
}

async function loadExams() {
  try {
    exams = (await api('GET', '/api/v1/official/exams')) ?? [];
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    setErrorStatus(document.getElementById('exams-status'), err);
    return;
  }
  setStatus(document.getElementById('exams-status'), null);
  // Newest first; the section titles of older exams give way to newer ones.
  exams.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  for (const e of [...exams].reverse()) {
    for (const s of e.sections ?? []) {
      if (s.title) {
        consoleState.sectionTitles[s.key] = s.title;
      }
    }
  }
  renderList();
  document.dispatchEvent(new CustomEvent('sectionschange'));
}

// ---- One exam ------------------------------------------------------------------

function selected() {
  return exams.find((e) => e.id === selectedId) ?? null;
}

function renderDetail() {
  const card = document.getElementById('exam-detail');
  const e = selected();
  if (!e || editorOpen) {
    card.hidden = true;
    return;
  }
  card.hidden = false;
  card.dataset.examId = e.id;
  document.getElementById('detail-heading').replaceChildren(h('bdi', { text: e.title }));
  const badge = document.getElementById('detail-status');
  badge.className = `badge badge-${e.status}`;
  badge.dataset.status = e.status;
  badge.textContent = t(`estatus.${e.status}`);

  const actions = document.getElementById('detail-actions');
  actions.replaceChildren();
  if (consoleState.isAdmin) {
    if (e.status === 'draft') {
      const edit = h('button', { type: 'button', class: 'button secondary', id: 'exam-edit', 'data-testid': 'exam-edit', i18n: 'ex.edit' });
      edit.addEventListener('click', () => openEditor(e));
      const publish = h('button', { type: 'button', class: 'button primary', id: 'exam-publish', 'data-testid': 'exam-publish', i18n: 'ex.publish' });
      publish.addEventListener('click', () => publishExam(e));
      actions.append(publish, edit);
    } else if (e.status === 'published') {
      const close = h('button', { type: 'button', class: 'button danger', id: 'exam-close', 'data-testid': 'exam-close', i18n: 'ex.close' });
      close.addEventListener('click', () => closeExam(e));
      actions.append(close);
    }
  }
  actions.hidden = actions.childElementCount === 0;

  const dl = document.getElementById('detail-rules');
  dl.replaceChildren();
  const row = (key, value, attrs = {}) => dl.append(h('dt', { i18n: key }), h('dd', attrs, value));
  row('ex.opensAt', formatInstant(e.opens_at));
  row('ex.closesAt', formatInstant(e.closes_at));
  row('ex.duration', minutesText(e.duration_seconds));
  row('ex.grace', t('common.seconds', { n: e.grace_seconds }));
  row('ex.pointsCorrect', num(e.points_correct));
  row('ex.penalty', formatDigits(e.penalty_wrong_fraction || '0'), { dir: 'ltr' });
  row('ex.passPercent', t('common.percent', { n: e.pass_percent }));
  row('ex.maxAttempts', num(e.max_attempts));
  row('ex.shuffle', [
    e.shuffle_questions ? t('ex.shuffleQuestions') : null,
    e.shuffle_options ? t('ex.shuffleOptions') : null,
  ].filter(Boolean).join('، ') || t('common.none'));
  row('ex.objection', t('common.hours', { n: Math.round((e.objection_window_seconds / 3600) * 100) / 100 }));
  row('ex.resultsPublished', t(e.results_published ? 'common.yes' : 'common.no'));
  row('common.createdAt', formatInstant(e.created_at));
  if (e.published_at) {
    row('ex.publishedAt', formatInstant(e.published_at));
  }
  if (e.closed_at) {
    row('ex.closedAt', formatInstant(e.closed_at));
  }

  document.getElementById('detail-sections-body').replaceChildren(
    ...(e.sections ?? []).map((s) =>
      h(
        'tr',
        { 'data-section': s.key },
        h('td', {}, h('bdi', { text: s.title || s.key })),
        h('td', {}, h('bdi', { class: 'key', text: s.key })),
        h('td', { class: 'num', text: num(s.draw) }),
        h('td', { class: 'num', text: num(e.pool_sizes?.[s.key] ?? 0) }),
        h('td', { class: 'num', text: t('common.percent', { n: s.min_percent }) }),
      ),
    ),
  );

  const accForm = document.getElementById('acc-form');
  if (accForm) {
    accForm.hidden = e.status === 'closed';
  }
  renderAccommodations();
}

async function selectExam(id, { focus = false } = {}) {
  selectedId = id;
  accommodations = [];
  editorOpen = false;
  setStatus(document.getElementById('detail-status-line'), null);
  setStatus(document.getElementById('acc-status'), null);
  if (document.getElementById('exam-editor')) {
    document.getElementById('exam-editor').hidden = true;
  }
  renderList();
  renderDetail();
  if (focus) {
    document.getElementById('detail-heading').focus();
  }
  await loadAccommodations();
}

/** replaceExam puts a fresh copy of an exam into the list. */
function replaceExam(e) {
  const i = exams.findIndex((x) => x.id === e.id);
  if (i >= 0) {
    exams[i] = e;
  } else {
    exams.unshift(e);
  }
}

async function publishExam(e) {
  if (!(await confirmAction('ex.publishConfirm', { title: e.title }, 'ex.publish'))) {
    return;
  }
  const box = document.getElementById('detail-status-line');
  setStatus(box, { key: 'common.sending' });
  try {
    replaceExam(await api('POST', `/api/v1/official/exams/${encodeURIComponent(e.id)}/publish`));
    renderList();
    renderDetail();
    setStatus(box, { key: 'ex.published', kind: 'ok' });
    loadExams().then(renderDetail);
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    if (err instanceof ApiError && err.status === 400 && Object.keys(err.fields).some((f) => f.endsWith('.draw'))) {
      setStatus(box, { key: 'ex.publishPoolShort', kind: 'error' });
    } else {
      setErrorStatus(box, err);
    }
  }
}

async function closeExam(e) {
  if (!(await confirmAction('ex.closeConfirm', { title: e.title }, 'ex.close'))) {
    return;
  }
  const box = document.getElementById('detail-status-line');
  setStatus(box, { key: 'common.sending' });
  try {
    replaceExam(await api('POST', `/api/v1/official/exams/${encodeURIComponent(e.id)}/close`));
    renderList();
    renderDetail();
    setStatus(box, { key: 'ex.closed', kind: 'ok' });
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    setErrorStatus(box, err);
  }
}

// ---- Accommodations --------------------------------------------------------------

function renderAccommodations() {
  const table = document.getElementById('acc-table');
  const empty = document.getElementById('acc-empty');
  table.hidden = accommodations.length === 0;
  empty.hidden = accommodations.length > 0;
  document.getElementById('acc-body').replaceChildren(
    ...accommodations.map((a) =>
      h(
        'tr',
        { 'data-national-id': a.national_id },
        h('td', { class: 'nowrap', text: formatDigits(a.national_id) }),
        h('td', { class: 'nowrap', text: minutesText(a.extra_seconds) }),
        h('td', {}, h('bdi', { text: a.reason })),
        h('td', { class: 'nowrap', text: formatInstant(a.granted_at) }),
      ),
    ),
  );
}

async function loadAccommodations() {
  const id = selectedId;
  if (!id) {
    return;
  }
  try {
    const list = (await api('GET', `/api/v1/official/exams/${encodeURIComponent(id)}/accommodations`)) ?? [];
    if (id === selectedId) {
      accommodations = list;
      renderAccommodations();
    }
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    setErrorStatus(document.getElementById('acc-status'), err);
  }
}

function wireAccommodations() {
  const form = document.getElementById('acc-form');
  if (!form) {
    return;
  }
  const errors = new FieldErrors(form);
  const status = document.getElementById('acc-status');
  const clear = (event) => {
    const field = event.target?.dataset?.field;
    if (field && errors.errors[field]) {
      const rest = { ...errors.errors };
      delete rest[field];
      errors.set(rest);
    }
  };
  form.addEventListener('input', clear);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const nationalID = latinDigits(form.national_id.value).replace(/[\s-]/g, '');
    const minutes = parseNumber(form.minutes.value);
    const reason = form.reason.value.trim();
    const local = {};
    if (nationalID === '') {
      local.national_id = 'required';
    } else if (!/^\d{10}$/.test(nationalID)) {
      local.national_id = 'invalid';
    }
    if (minutes === null) {
      local.extra_seconds = 'required';
    } else if (Number.isNaN(minutes) || minutes <= 0 || minutes > MAX_DURATION_MINUTES) {
      local.extra_seconds = 'out_of_range';
    }
    if (reason === '') {
      local.reason = 'required';
    }
    if (Object.keys(local).length > 0) {
      errors.set(local, { focus: true });
      setStatus(status, { key: 'form.fixErrors', vars: { count: errors.count }, kind: 'error' });
      return;
    }
    errors.set({});
    const submit = document.getElementById('acc-submit');
    submit.disabled = true;
    setStatus(status, { key: 'common.sending' });
    try {
      const a = await api('POST', `/api/v1/official/exams/${encodeURIComponent(selectedId)}/accommodations`, {
        national_id: nationalID,
        extra_seconds: Math.round(minutes * 60),
        reason,
      });
      setStatus(status, { key: 'acc.granted', vars: { nationalId: formatDigits(a.national_id) }, kind: 'ok' });
      form.reset();
      await loadAccommodations();
    } catch (err) {
      if (isUnauthenticated(err)) {
        goToLogin();
        return;
      }
      if (err instanceof ApiError && err.status === 400 && Object.keys(err.fields).length > 0) {
        const unplaced = errors.set(err.fields, { focus: true });
        setStatus(status, unplaced.length > 0
          ? { key: 'err.generic', kind: 'error' }
          : { key: 'form.fixErrors', vars: { count: errors.count }, kind: 'error' });
      } else {
        setErrorStatus(status, err);
      }
    } finally {
      submit.disabled = false;
    }
  });
}

// ---- The editor ----------------------------------------------------------------

function sectionRows() {
  return [...document.querySelectorAll('#exam-sections .section-row')];
}

function readRows() {
  return sectionRows().map((row) => ({
    key: row.querySelector('[data-part="key"]').value,
    title: row.querySelector('[data-part="title"]').value,
    draw: row.querySelector('[data-part="draw"]').value,
    min: row.querySelector('[data-part="min"]').value,
  }));
}

function poolText(key) {
  const k = key.trim().toLowerCase();
  if (!k) {
    return '';
  }
  const n = consoleState.sections[k] ?? 0;
  return n > 0 ? t('ex.poolHint', { n }) : t('ex.poolEmpty');
}

function renderRows(rows) {
  const box = document.getElementById('exam-sections');
  box.replaceChildren(
    ...rows.map((r, i) => {
      const id = (part) => `exam-sec-${i}-${part}`;
      const field = (part, labelKey, attrs, apiName) =>
        h(
          'div',
          { class: `field sec-${part}` },
          h('label', { for: id(part), i18n: labelKey }),
          h('input', { id: id(part), type: 'text', 'data-part': part, 'data-field': `sections[${i}].${apiName}`, ...attrs }),
          part === 'key' ? h('p', { class: 'hint pool-hint', id: id('pool'), 'aria-live': 'polite', 'data-testid': 'pool-hint', text: poolText(r.key) }) : null,
          h('p', { class: 'field-error', 'data-error-for': `sections[${i}].${apiName}`, hidden: true }),
        );
      const remove = h('button', { type: 'button', class: 'icon-button', 'data-remove-section': String(i), disabled: rows.length <= 1, text: '✕' });
      remove.setAttribute('aria-label', t('ex.removeSection', { n: i + 1 }));
      remove.addEventListener('click', () => removeRow(i));
      const row = h(
        'div',
        { class: 'section-row', role: 'group', 'aria-label': t('ex.sectionN', { n: i + 1 }) },
        h('span', { class: 'row-number', 'aria-hidden': 'true', text: num(i + 1) }),
        field('key', 'ex.sectionKey', { list: 'section-keys', dir: 'ltr', autocapitalize: 'none', spellcheck: 'false', maxlength: '40', 'aria-describedby': id('pool') }, 'key'),
        field('title', 'ex.sectionTitle', { maxlength: '200' }, 'title'),
        field('draw', 'ex.draw', { inputmode: 'numeric', dir: 'ltr', maxlength: '4' }, 'draw'),
        field('min', 'ex.minPercent', { inputmode: 'decimal', dir: 'ltr', maxlength: '6' }, 'min_percent'),
        h('div', { class: 'row-remove' }, remove),
      );
      row.querySelector('[data-part="key"]').value = r.key;
      row.querySelector('[data-part="title"]').value = r.title;
      row.querySelector('[data-part="draw"]').value = r.draw;
      row.querySelector('[data-part="min"]').value = r.min;
      return row;
    }),
  );
  document.getElementById('exam-add-section').disabled = rows.length >= MAX_SECTIONS;
}

function shiftSectionFields(set, removed) {
  const out = new Set();
  for (const f of set) {
    const m = /^sections\[(\d+)\]\.(.+)$/.exec(f);
    if (!m) {
      out.add(f);
    } else if (Number(m[1]) < removed) {
      out.add(f);
    } else if (Number(m[1]) > removed) {
      out.add(`sections[${Number(m[1]) - 1}].${m[2]}`);
    }
  }
  return out;
}

function removeRow(i) {
  const rows = readRows();
  rows.splice(i, 1);
  const shifted = shiftSectionFields(touched, i);
  touched.clear();
  shifted.forEach((f) => touched.add(f));
  serverErrors = Object.fromEntries(Object.entries(serverErrors).filter(([f]) => !f.startsWith('sections[')));
  renderRows(rows);
  refreshErrors();
  document.getElementById(`exam-sec-${Math.min(i, rows.length - 1)}-key`)?.focus();
}

function addRow() {
  const rows = readRows();
  if (rows.length >= MAX_SECTIONS) {
    return;
  }
  rows.push({ key: '', title: '', draw: '', min: '0' });
  renderRows(rows);
  refreshErrors();
  document.getElementById(`exam-sec-${rows.length - 1}-key`).focus();
}

function showDate(input, out) {
  const iso = toRFC3339(input.value);
  out.textContent = iso ? t('ex.shownAs', { when: formatInstant(iso) }) : '';
}

function refreshDates() {
  showDate(document.getElementById('exam-opens'), document.getElementById('exam-opens-shown'));
  showDate(document.getElementById('exam-closes'), document.getElementById('exam-closes-shown'));
  document.getElementById('exam-tz-hint').textContent = t('ex.tzHint', { tz: timeZoneName() });
}

/** examValues reads the editor as typed. */
function examValues() {
  const form = document.getElementById('exam-form');
  return {
    title: form.title.value.trim(),
    rows: readRows(),
    duration: parseNumber(form.duration.value),
    opens: form.opens_at.value,
    closes: form.closes_at.value,
    grace: parseNumber(form.grace.value),
    objection: parseNumber(form.objection.value),
    points: parseNumber(form.points.value),
    penalty: parseRatio(form.penalty.value),
    penaltyText: latinDigits(form.penalty.value).replace(/\s+/g, ''),
    pass: parseNumber(form.pass.value),
    attempts: parseNumber(form.attempts.value),
    shuffleQuestions: form.shuffle_questions.checked,
    shuffleOptions: form.shuffle_options.checked,
  };
}

/** validateExam applies the server's rules in the browser: {field: {code, vars}}. */
export function validateExam(v, counts) {
  const e = {};
  const bad = (field, code, vars) => {
    e[field] = { code, vars };
  };
  if (v.title === '') {
    bad('title', 'required');
  } else if ([...v.title].length > 200) {
    bad('title', 'too_long');
  }
  if (v.rows.length === 0) {
    bad('sections', 'required');
  }
  const seen = new Set();
  v.rows.forEach((r, i) => {
    const f = `sections[${i}]`;
    const key = r.key.trim().toLowerCase();
    if (key === '') {
      bad(`${f}.key`, 'required');
    } else if (!SECTION_KEY.test(key)) {
      bad(`${f}.key`, 'invalid');
    } else if (seen.has(key)) {
      bad(`${f}.key`, 'duplicate');
    }
    seen.add(key);
    const draw = parseNumber(r.draw);
    const pool = counts[key] ?? 0;
    if (draw === null) {
      bad(`${f}.draw`, 'required');
    } else if (Number.isNaN(draw) || !Number.isInteger(draw)) {
      bad(`${f}.draw`, 'not_integer');
    } else if (draw <= 0) {
      bad(`${f}.draw`, 'too_small');
    } else if (key !== '' && draw > pool) {
      bad(`${f}.draw`, 'pool_too_small', { pool, draw });
    }
    const min = parseNumber(r.min);
    if (min === null) {
      bad(`${f}.min_percent`, 'required');
    } else if (Number.isNaN(min) || min < 0 || min > 100) {
      bad(`${f}.min_percent`, 'out_of_range');
    }
  });
  if (v.duration === null) {
    bad('duration_seconds', 'required');
  } else if (Number.isNaN(v.duration) || Math.round(v.duration * 60) <= 0) {
    bad('duration_seconds', 'too_small');
  } else if (v.duration > MAX_DURATION_MINUTES) {
    bad('duration_seconds', 'too_large');
  }
  const opens = toRFC3339(v.opens);
  const closes = toRFC3339(v.closes);
  if (!opens) {
    bad('opens_at', 'required');
  }
  if (!closes) {
    bad('closes_at', 'required');
  } else if (opens && Date.parse(closes) <= Date.parse(opens)) {
    bad('closes_at', 'not_after_opens_at');
  }
  if (v.grace !== null && (Number.isNaN(v.grace) || !Number.isInteger(v.grace) || v.grace < 0 || v.grace > 3600)) {
    bad('grace_seconds', 'out_of_range');
  }
  if (v.objection !== null && (Number.isNaN(v.objection) || v.objection < 0 || v.objection > MAX_OBJECTION_HOURS)) {
    bad('objection_window_seconds', 'out_of_range');
  }
  if (v.points !== null && (Number.isNaN(v.points) || v.points <= 0 || v.points > 1000)) {
    bad('points_correct', 'out_of_range');
  }
  if (v.penalty !== null && Number.isNaN(v.penalty)) {
    bad('penalty_wrong', 'invalid');
  } else if (v.penalty !== null && (v.penalty < 0 || v.penalty > 10)) {
    bad('penalty_wrong', 'out_of_range');
  }
  if (v.pass === null) {
    bad('pass_percent', 'required');
  } else if (Number.isNaN(v.pass) || v.pass < 0 || v.pass > 100) {
    bad('pass_percent', 'out_of_range');
  }
  if (v.attempts !== null && (Number.isNaN(v.attempts) || !Number.isInteger(v.attempts) || v.attempts < 1 || v.attempts > 10)) {
    bad('max_attempts', 'out_of_range');
  }
  return e;
}

function examBody(v) {
  return {
    title: v.title,
    sections: v.rows.map((r) => ({
      key: r.key.trim().toLowerCase(),
      // An untitled section takes the title another exam gives the same bank section.
      title: r.title.trim() || consoleState.sectionTitles[r.key.trim().toLowerCase()] || '',
      draw: parseNumber(r.draw),
      min_percent: parseNumber(r.min),
    })),
    duration_seconds: Math.round(v.duration * 60),
    opens_at: toRFC3339(v.opens),
    closes_at: toRFC3339(v.closes),
    grace_seconds: v.grace ?? 0,
    shuffle_questions: v.shuffleQuestions,
    shuffle_options: v.shuffleOptions,
    points_correct: v.points ?? 1,
    penalty_wrong: v.penalty === null ? 0 : v.penaltyText,
    pass_percent: v.pass,
    max_attempts: v.attempts ?? 1,
    objection_window_seconds: v.objection === null ? undefined : Math.round(v.objection * 3600),
  };
}

/** withPools adds the pool size to the server's "pool_too_small" errors, as the live check words them. */
function withPools(fields, rows) {
  const out = {};
  for (const [field, code] of Object.entries(fields)) {
    const m = /^sections\[(\d+)\]\.draw$/.exec(field);
    if (m && code === 'pool_too_small') {
      const r = rows[Number(m[1])];
      const key = (r?.key ?? '').trim().toLowerCase();
      out[field] = { code, vars: { pool: consoleState.sections[key] ?? 0, draw: parseNumber(r?.draw) ?? 0 } };
    } else {
      out[field] = { code };
    }
  }
  return out;
}

/** refreshErrors shows the live errors of the fields the official has touched, and the server's. */
function refreshErrors() {
  if (!formErrors || !editorOpen) {
    return { client: {} };
  }
  const client = validateExam(examValues(), consoleState.sections);
  const shown = { ...serverErrors };
  for (const [field, e] of Object.entries(client)) {
    if (submitted || touched.has(field)) {
      shown[field] = e;
    }
  }
  formErrors.set(shown);
  for (const [i, r] of readRows().entries()) {
    const hint = document.getElementById(`exam-sec-${i}-pool`);
    if (hint) {
      hint.textContent = poolText(r.key);
    }
    const title = document.getElementById(`exam-sec-${i}-title`);
    if (title) {
      title.placeholder = consoleState.sectionTitles[r.key.trim().toLowerCase()] ?? '';
    }
  }
  return { client };
}

function fillEditor(e) {
  const form = document.getElementById('exam-form');
  const rows = e
    ? e.sections.map((s) => ({ key: s.key, title: s.title === s.key ? '' : s.title, draw: String(s.draw), min: trimNumber(s.min_percent) }))
    : [{ key: '', title: '', draw: '', min: '0' }];
  form.title.value = e?.title ?? '';
  renderRows(rows);
  form.duration.value = e ? trimNumber(e.duration_seconds / 60) : '';
  form.opens_at.value = e ? toLocalInput(e.opens_at) : '';
  form.closes_at.value = e ? toLocalInput(e.closes_at) : '';
  form.grace.value = String(e?.grace_seconds ?? 30);
  form.objection.value = e ? trimNumber(e.objection_window_seconds / 3600) : '72';
  form.points.value = e ? trimNumber(e.points_correct) : '1';
  form.penalty.value = e?.penalty_wrong_fraction ?? '0';
  form.pass.value = e ? trimNumber(e.pass_percent) : '';
  form.attempts.value = String(e?.max_attempts ?? 1);
  form.shuffle_questions.checked = e ? e.shuffle_questions : true;
  form.shuffle_options.checked = e ? e.shuffle_options : true;
}

function openEditor(e) {
  const editor = document.getElementById('exam-editor');
  if (!editor) {
    return;
  }
  editingId = e?.id ?? null;
  editorOpen = true;
  touched.clear();
  submitted = false;
  serverErrors = {};
  fillEditor(e);
  setStatus(document.getElementById('exam-form-status'), null);
  editor.hidden = false;
  document.getElementById('exam-detail').hidden = true;
  renderEditorHeading();
  refreshDates();
  refreshErrors();
  const heading = document.getElementById('editor-heading');
  heading.focus();
  heading.scrollIntoView({ block: 'start' });
}

function renderEditorHeading() {
  const heading = document.getElementById('editor-heading');
  if (heading) {
    heading.textContent = editingId ? t('ex.editHeading') : t('ex.newHeading');
  }
}

function closeEditor() {
  editorOpen = false;
  document.getElementById('exam-editor').hidden = true;
  renderDetail();
}

function wireEditor() {
  const form = document.getElementById('exam-form');
  if (!form) {
    return;
  }
  formErrors = new FieldErrors(form);
  document.getElementById('exam-new').addEventListener('click', () => openEditor(null));
  document.getElementById('exam-add-section').addEventListener('click', addRow);
  document.getElementById('exam-cancel').addEventListener('click', () => {
    closeEditor();
    document.getElementById('exam-new').focus();
  });
  const edited = (event) => {
    const field = event.target?.dataset?.field;
    if (!field) {
      return;
    }
    touched.add(field);
    delete serverErrors[field];
    // A section's key decides whether its draw fits the pool.
    const m = /^sections\[(\d+)\]\.key$/.exec(field);
    if (m) {
      delete serverErrors[`sections[${m[1]}].draw`];
    }
    if (field === 'opens_at' || field === 'closes_at') {
      delete serverErrors.closes_at;
      refreshDates();
    }
    refreshErrors();
  };
  form.addEventListener('input', edited);
  form.addEventListener('change', edited);
  // Leaving a field counts as having been there: its required value is checked then.
  form.addEventListener('focusout', (event) => {
    const field = event.target?.dataset?.field;
    if (field && editorOpen && !touched.has(field) && event.relatedTarget?.id !== 'exam-cancel') {
      touched.add(field);
      refreshErrors();
    }
  });
  document.addEventListener('sectionschange', refreshErrors);
  document.addEventListener('langchange', () => {
    if (editorOpen) {
      renderRows(readRows());
      renderEditorHeading();
      refreshDates();
      refreshErrors();
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = document.getElementById('exam-form-status');
    submitted = true;
    serverErrors = {};
    const { client } = refreshErrors();
    if (Object.keys(client).length > 0) {
      formErrors.set(client, { focus: true });
      setStatus(status, { key: 'form.fixErrors', vars: { count: formErrors.count }, kind: 'error' });
      return;
    }
    const v = examValues();
    const save = document.getElementById('exam-save');
    save.disabled = true;
    form.setAttribute('aria-busy', 'true');
    setStatus(status, { key: 'common.sending' });
    try {
      const saved = editingId
        ? await api('PUT', `/api/v1/official/exams/${encodeURIComponent(editingId)}`, examBody(v))
        : await api('POST', '/api/v1/official/exams', examBody(v));
      replaceExam(saved);
      editorOpen = false;
      document.getElementById('exam-editor').hidden = true;
      await selectExam(saved.id, { focus: true });
      setStatus(document.getElementById('detail-status-line'), { key: 'ex.saved', kind: 'ok' });
      loadExams().then(renderDetail);
    } catch (err) {
      if (isUnauthenticated(err)) {
        goToLogin();
        return;
      }
      if (err instanceof ApiError && err.status === 400 && Object.keys(err.fields).length > 0) {
        serverErrors = withPools(err.fields, v.rows);
        const unplaced = formErrors.set(serverErrors, { focus: true });
        setStatus(status, unplaced.length > 0
          ? { key: 'err.generic', kind: 'error' }
          : { key: 'form.fixErrors', vars: { count: formErrors.count }, kind: 'error' });
        // The pools may have changed under us: read them again for the live check.
        loadSections(api).catch(() => {});
      } else {
        setErrorStatus(status, err);
      }
    } finally {
      save.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
}

/** initExams wires the panel and loads the list of exams. */
export async function initExams() {
  wireEditor();
  wireAccommodations();
  document.addEventListener('langchange', () => {
    renderList();
    renderDetail();
  });
  await loadExams();
}
