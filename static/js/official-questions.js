// The question bank panel: the sections with their active questions, a filtered
// and paged list, one question in a dialog (with the correct key marked, and
// for an admin a retire button), the form that adds one question, and the
// import of a CSV or JSON file with every refused line listed.

import { api, ApiError } from './api.js';
import {
  apiRaw,
  confirmAction,
  consoleState,
  errorKey,
  FieldErrors,
  formatInstant,
  goToLogin,
  h,
  isUnauthenticated,
  loadSections,
  num,
  optionLabel,
  renderPager,
  sectionLabel,
  setErrorStatus,
  setStatus,
} from './official-common.js';
import { getLang, has, t } from './i18n.js';

const PER_PAGE = 20;
const OPTION_KEYS = 'abcdef';
const MIN_OPTIONS = 2;
const MAX_OPTIONS = 6;
const MAX_IMPORT_BYTES = 8 << 20;
const SECTION_KEY = /^[a-z][a-z0-9_]{0,39}$/;

const filter = { section: '', status: 'active', q: '', page: 1 };
let listed = null; // the last page: {total, page, per_page, items}
let viewing = null; // the question in the dialog
let importLines = null; // the refused lines of the last import

// ---- Sections ----------------------------------------------------------------

function renderSections() {
  if (!consoleState.sectionsLoaded) {
    return;
  }
  const chips = document.getElementById('section-chips');
  const keys = Object.keys(consoleState.sections).sort();
  chips.replaceChildren(
    ...keys.map((key) => {
      const button = h(
        'button',
        { type: 'button', class: 'chip', 'data-section': key, 'aria-pressed': String(filter.section === key) },
        h('span', { class: 'chip-name', text: sectionLabel(key) }),
        h('span', { class: 'chip-count', 'data-testid': 'section-count', text: num(consoleState.sections[key]) }),
      );
      button.title = t('q.chipTitle', { count: consoleState.sections[key] });
      button.addEventListener('click', () => {
        filter.section = filter.section === key ? '' : key;
        document.getElementById('qf-section').value = filter.section;
        filter.page = 1;
        loadQuestions();
      });
      return h('li', {}, button);
    }),
  );
  if (keys.length === 0) {
    chips.replaceChildren(h('li', { class: 'placeholder', i18n: 'q.noSections' }));
  }

  const select = document.getElementById('qf-section');
  const options = [h('option', { value: '', i18n: 'q.allSections' })];
  for (const key of keys) {
    options.push(h('option', { value: key, text: `${sectionLabel(key)} — ${num(consoleState.sections[key])}` }));
  }
  // A section filtered on may have no active questions left; keep it choosable.
  if (filter.section && !keys.includes(filter.section)) {
    options.push(h('option', { value: filter.section, text: filter.section }));
  }
  select.replaceChildren(...options);
  select.value = filter.section;
}

// ---- The list ------------------------------------------------------------------

function statusBadge(status) {
  return h('span', { class: `badge badge-${status}`, 'data-status': status, text: t(`qstatus.${status}`) });
}

function renderQuestions() {
  const body = document.getElementById('questions-body');
  const summary = document.getElementById('questions-summary');
  if (!listed) {
    return;
  }
  summary.textContent = listed.total === 0 ? t('q.none') : t('q.count', { count: listed.total });
  body.replaceChildren(
    ...listed.items.map((q) => {
      const view = h('button', { type: 'button', class: 'button secondary small', 'data-question-id': q.id, i18n: 'common.view' });
      view.setAttribute('aria-label', t('q.viewLabel', { stem: q.stem.slice(0, 60) }));
      view.addEventListener('click', () => openQuestion(q.id, view));
      return h(
        'tr',
        { 'data-question-id': q.id },
        h('td', { class: 'stem-cell' }, h('span', { class: 'clamp', dir: 'auto', text: q.stem })),
        h('td', {}, h('bdi', { class: 'key', text: q.section })),
        h('td', { class: 'num', text: num(q.options.length) }),
        h('td', {}, statusBadge(q.status)),
        h('td', { class: 'nowrap', text: formatInstant(q.created_at) }),
        h('td', { class: 'actions-cell' }, view),
      );
    }),
  );
  const pager = document.getElementById('questions-pager');
  renderPagerInto(pager, listed, (page) => {
    filter.page = page;
    loadQuestions();
  });
}

function renderPagerInto(nav, page, go) {
  renderPager(nav, { page: page.page, perPage: page.per_page, total: page.total }, go, 'questions');
}

async function loadQuestions() {
  const params = new URLSearchParams({ page: String(filter.page), per_page: String(PER_PAGE) });
  if (filter.section) {
    params.set('section', filter.section);
  }
  if (filter.status) {
    params.set('status', filter.status);
  }
  if (filter.q) {
    params.set('q', filter.q);
  }
  const table = document.getElementById('questions-table');
  table.setAttribute('aria-busy', 'true');
  try {
    listed = await api('GET', `/api/v1/official/questions?${params}`);
    renderQuestions();
    for (const chip of document.querySelectorAll('#section-chips .chip')) {
      chip.setAttribute('aria-pressed', String(chip.dataset.section === filter.section));
    }
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    document.getElementById('questions-summary').textContent = t(errorKey(err));
  } finally {
    table.removeAttribute('aria-busy');
  }
}

function wireFilter() {
  const form = document.getElementById('question-filter');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filter.section = form.section.value;
    filter.status = form.status.value;
    filter.q = form.q.value.trim();
    filter.page = 1;
    loadQuestions();
  });
  form.section.addEventListener('change', () => form.requestSubmit());
  form.status.addEventListener('change', () => form.requestSubmit());
}

// ---- One question ----------------------------------------------------------

function renderQuestionDialog() {
  const q = viewing;
  const body = document.getElementById('qd-body');
  if (!q) {
    body.replaceChildren();
    return;
  }
  const meta = h('dl', { class: 'details compact-details' });
  const row = (key, value) => meta.append(h('dt', { i18n: key }), h('dd', {}, value));
  row('q.section', h('bdi', { class: 'key', text: sectionLabel(q.section) }));
  row('q.status', statusBadge(q.status));
  row('common.createdAt', formatInstant(q.created_at));
  if (q.frozen) {
    row('q.frozen', t('q.frozenText'));
  }
  if (q.replaces) {
    row('q.replaces', h('code', { dir: 'ltr', text: q.replaces }));
  }
  const options = h(
    'ol',
    { class: 'q-options', 'data-testid': 'question-options' },
    ...q.options.map((o) => {
      const correct = o.key === q.correct;
      return h(
        'li',
        { class: correct ? 'q-option correct' : 'q-option', 'data-key': o.key, 'data-correct': correct ? 'true' : false },
        h('span', { class: 'q-option-key', text: optionLabel(o.key) }),
        h('span', { class: 'q-option-text', dir: 'auto', text: o.text }),
        correct ? h('span', { class: 'badge badge-correct', 'data-testid': 'correct-mark', text: `✓ ${t('q.correctAnswer')}` }) : null,
      );
    }),
  );
  body.replaceChildren(meta, h('p', { class: 'q-stem', id: 'qd-stem', dir: 'auto', text: q.stem }), options);

  const actions = document.getElementById('qd-actions');
  actions.replaceChildren();
  if (consoleState.isAdmin && q.status === 'active') {
    const retire = h('button', { type: 'button', class: 'button danger small', id: 'qd-retire', 'data-testid': 'question-retire', i18n: 'q.retire' });
    retire.addEventListener('click', () => retireQuestion(q));
    actions.append(retire);
  }
}

async function openQuestion(id, opener) {
  const dialog = document.getElementById('question-dialog');
  setStatus(document.getElementById('qd-status'), null);
  try {
    viewing = await api('GET', `/api/v1/official/questions/${encodeURIComponent(id)}`);
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    viewing = null;
    setErrorStatus(document.getElementById('qd-status'), err);
  }
  renderQuestionDialog();
  dialog.addEventListener('close', () => opener?.isConnected && opener.focus(), { once: true });
  dialog.showModal();
}

async function retireQuestion(q) {
  if (!(await confirmAction('q.retireConfirm', {}, 'q.retire'))) {
    return;
  }
  const box = document.getElementById('qd-status');
  try {
    viewing = await api('POST', `/api/v1/official/questions/${encodeURIComponent(q.id)}/retire`);
    renderQuestionDialog();
    setStatus(box, { key: 'q.retired', kind: 'ok' });
    document.getElementById('qd-close').focus();
    await Promise.all([loadQuestions(), loadSections(api)]);
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    setErrorStatus(box, err);
  }
}

// ---- Adding one question -----------------------------------------------------

let addErrors = null;

function optionRows() {
  return [...document.querySelectorAll('#qa-options .option-row')];
}

function readOptions() {
  const form = document.getElementById('question-form');
  const checked = form.querySelector('input[name="correct"]:checked');
  return {
    texts: optionRows().map((row) => row.querySelector('input[type="text"]').value),
    correct: checked ? checked.value : '',
  };
}

function renderOptionRows(texts, correct) {
  const list = document.getElementById('qa-options');
  list.replaceChildren(
    ...texts.map((text, i) => {
      const key = OPTION_KEYS[i];
      const label = optionLabel(key);
      const radio = h('input', {
        type: 'radio',
        name: 'correct',
        value: key,
        id: `qa-correct-${key}`,
        'data-field': 'correct',
        'aria-describedby': 'qa-options-hint',
        checked: correct === key,
      });
      radio.setAttribute('aria-label', t('q.markCorrect', { option: label }));
      const input = h('input', {
        type: 'text',
        id: `qa-opt-${key}`,
        'data-field': `options[${i}].text`,
        maxlength: '500',
        value: text,
      });
      input.value = text;
      const remove = h('button', {
        type: 'button',
        class: 'icon-button',
        'data-remove': String(i),
        disabled: texts.length <= MIN_OPTIONS,
        text: '✕',
      });
      remove.setAttribute('aria-label', t('q.removeOption', { option: label }));
      remove.addEventListener('click', () => {
        const now = readOptions();
        now.texts.splice(i, 1);
        const removedKey = OPTION_KEYS[i];
        // The correct answer follows its text when the keys shift.
        let nextCorrect = now.correct;
        if (now.correct === removedKey) {
          nextCorrect = '';
        } else if (now.correct && OPTION_KEYS.indexOf(now.correct) > i) {
          nextCorrect = OPTION_KEYS[OPTION_KEYS.indexOf(now.correct) - 1];
        }
        renderOptionRows(now.texts, nextCorrect);
        (document.getElementById(`qa-opt-${OPTION_KEYS[Math.min(i, now.texts.length - 1)]}`))?.focus();
      });
      return h(
        'li',
        { class: 'option-row field' },
        h('div', { class: 'option-line' },
          radio,
          h('label', { for: `qa-opt-${key}`, class: 'option-label', text: t('q.optionN', { option: label }) }),
          input,
          remove),
        h('p', { class: 'field-error', 'data-error-for': `options[${i}].text`, hidden: true }),
      );
    }),
  );
  document.getElementById('qa-add-option').disabled = texts.length >= MAX_OPTIONS;
  addErrors?.render();
}

function addClientErrors(body) {
  const errors = {};
  if (body.section === '') {
    errors.section = 'required';
  } else if (!SECTION_KEY.test(body.section)) {
    errors.section = 'invalid';
  }
  if (body.stem === '') {
    errors.stem = 'required';
  }
  body.options.forEach((o, i) => {
    if (o.text === '') {
      errors[`options[${i}].text`] = 'required';
    }
  });
  if (body.correct === '') {
    errors.correct = 'required';
  }
  return errors;
}

function wireAddForm() {
  const form = document.getElementById('question-form');
  if (!form) {
    return;
  }
  addErrors = new FieldErrors(form);
  const status = document.getElementById('qa-status');
  renderOptionRows(['', '', '', ''], '');
  document.getElementById('qa-add-option').addEventListener('click', () => {
    const now = readOptions();
    if (now.texts.length < MAX_OPTIONS) {
      now.texts.push('');
      renderOptionRows(now.texts, now.correct);
      document.getElementById(`qa-opt-${OPTION_KEYS[now.texts.length - 1]}`).focus();
    }
  });
  const clear = (event) => {
    const field = event.target?.dataset?.field;
    if (field && addErrors.errors[field]) {
      const rest = { ...addErrors.errors };
      delete rest[field];
      addErrors.set(rest);
    }
  };
  form.addEventListener('input', clear);
  form.addEventListener('change', clear);
  document.addEventListener('langchange', () => {
    const now = readOptions();
    renderOptionRows(now.texts, now.correct);
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { texts, correct } = readOptions();
    const body = {
      section: form.section.value.trim().toLowerCase(),
      stem: form.stem.value.trim(),
      options: texts.map((text, i) => ({ key: OPTION_KEYS[i], text: text.trim() })),
      correct,
    };
    const local = addClientErrors(body);
    if (Object.keys(local).length > 0) {
      addErrors.set(local, { focus: true });
      setStatus(status, { key: 'form.fixErrors', vars: { count: addErrors.count }, kind: 'error' });
      return;
    }
    addErrors.set({});
    const submit = document.getElementById('qa-submit');
    submit.disabled = true;
    setStatus(status, { key: 'common.sending' });
    try {
      await api('POST', '/api/v1/official/questions', body);
      setStatus(status, { key: 'q.added', kind: 'ok' });
      form.stem.value = '';
      renderOptionRows(['', '', '', ''], '');
      await Promise.all([loadQuestions(), loadSections(api)]);
    } catch (err) {
      if (isUnauthenticated(err)) {
        goToLogin();
        return;
      }
      if (err instanceof ApiError && err.status === 400 && Object.keys(err.fields).length > 0) {
        const unplaced = addErrors.set(err.fields, { focus: true });
        setStatus(status, unplaced.length > 0
          ? { key: 'err.generic', kind: 'error' }
          : { key: 'form.fixErrors', vars: { count: addErrors.count }, kind: 'error' });
      } else {
        setErrorStatus(status, err);
      }
    } finally {
      submit.disabled = false;
    }
  });
}

// ---- Import -------------------------------------------------------------------

const FIELD_NAMES = {
  section: 'q.section',
  stem: 'q.stem',
  options: 'q.options',
  correct: 'q.correct',
};

/** fieldName names an API field of a question ("options[1].text" is "the text of option B"). */
function fieldName(field) {
  const m = /^options\[(\d+)\]\.(key|text)$/.exec(field);
  if (m) {
    return t(`q.option_${m[2]}`, { option: optionLabel(OPTION_KEYS[Number(m[1])] ?? m[1]) });
  }
  return FIELD_NAMES[field] ? t(FIELD_NAMES[field]) : field;
}

/**
 * lineMessage puts the server's (English) reason for a refused line into the
 * page's language; a reason it does not know is shown as it came.
 */
export function lineMessage(message) {
  const parts = message.split('; ');
  if (parts.every((p) => /^[a-z_]+(\[\d+\])?(\.[a-z_]+)?: [a-z_]+$/.test(p))) {
    return parts
      .map((p) => {
        const [field, code] = p.split(': ');
        const generic = field.replace(/\[\d+\]/g, '[]');
        const key = [`imp.${generic}.${code}`, `imp.${code}`].find((k) => has(k));
        return `${fieldName(field)}: ${key ? t(key) : code}`;
      })
      .join('؛ ');
  }
  const known = [
    [/^the same stem as line (\d+) in section (\S+)$/, (m) => t('imp.sameStem', { line: Number(m[1]), section: m[2] })],
    [/^a question with this stem is already in section (\S+)$/, (m) => t('imp.inBank', { section: m[1] })],
    [/^option_([a-f]) is filled after an empty option$/, (m) => t('imp.gap', { option: optionLabel(m[1]) })],
    [/^malformed CSV: (.*)$/, (m) => t('imp.malformed', { detail: m[1] })],
    [/^the file is not UTF-8 text$/, () => t('imp.notUtf8')],
    [/^no header row/, () => t('imp.noHeader')],
    [/^the header lacks the columns (.+?) \(expected/, (m) => t('imp.missingColumns', { columns: m[1] })],
    [/^the file holds no questions$/, () => t('imp.empty')],
    [/^more than (\d+) questions in one import$/, (m) => t('imp.tooMany', { count: Number(m[1]) })],
    [/^not a JSON array of questions/, () => t('imp.notArray')],
    [/^not a question:/, () => t('imp.notQuestion')],
  ];
  for (const [re, text] of known) {
    const m = re.exec(message);
    if (m) {
      return text(m);
    }
  }
  return null;
}

function renderImportLines() {
  const wrap = document.getElementById('import-errors');
  const body = document.getElementById('import-errors-body');
  if (!wrap) {
    return;
  }
  if (!importLines || importLines.length === 0) {
    wrap.hidden = true;
    body.replaceChildren();
    return;
  }
  body.replaceChildren(
    ...importLines.map((line) => {
      const translated = lineMessage(line.message);
      const cell = h('td', {}, h('span', { class: 'line-msg', text: translated ?? line.message }));
      if (translated && getLang() !== 'en') {
        cell.append(h('span', { class: 'raw-msg', lang: 'en', dir: 'ltr', text: line.message }));
      }
      return h('tr', { 'data-line': String(line.line) }, h('th', { scope: 'row', class: 'num', text: num(line.line) }), cell);
    }),
  );
  wrap.hidden = false;
}

function contentTypeOf(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv')) {
    return 'text/csv; charset=utf-8';
  }
  if (name.endsWith('.json')) {
    return 'application/json';
  }
  return null;
}

function wireImport() {
  const form = document.getElementById('import-form');
  if (!form) {
    return;
  }
  const errors = new FieldErrors(form);
  const status = document.getElementById('import-status');
  const input = document.getElementById('import-file');
  input.addEventListener('change', () => {
    errors.set({});
    setStatus(status, null);
    importLines = null;
    renderImportLines();
  });
  document.addEventListener('langchange', renderImportLines);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    importLines = null;
    renderImportLines();
    const file = input.files?.[0];
    let problem = null;
    let type = null;
    if (!file) {
      problem = 'required';
    } else if (!(type = contentTypeOf(file))) {
      problem = 'wrong_file_type';
    } else if (file.size > MAX_IMPORT_BYTES) {
      problem = 'file_too_large';
    }
    if (problem) {
      errors.set({ file: problem }, { focus: true });
      setStatus(status, null);
      return;
    }
    errors.set({});
    const submit = document.getElementById('import-submit');
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    setStatus(status, { key: 'q.importing' });
    try {
      const text = await file.text();
      const res = await apiRaw('POST', '/api/v1/official/questions/import', text, type);
      setStatus(status, { key: 'q.imported', vars: { count: res?.imported ?? 0, file: file.name }, kind: 'ok' });
      input.value = '';
      await Promise.all([loadSections(api), loadQuestions()]);
    } catch (err) {
      if (isUnauthenticated(err)) {
        goToLogin();
        return;
      }
      if (err instanceof ApiError && err.code === 'import_failed') {
        importLines = [...(err.lines ?? [])].sort((a, b) => a.line - b.line);
        const badLines = new Set(importLines.map((l) => l.line)).size;
        setStatus(status, { key: 'q.importFailed', vars: { count: badLines, file: file.name }, kind: 'error' });
        renderImportLines();
      } else {
        setErrorStatus(status, err);
      }
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
}

/** initQuestions wires the panel and loads the first page of questions. */
export async function initQuestions() {
  wireFilter();
  wireAddForm();
  wireImport();
  document.addEventListener('sectionschange', renderSections);
  document.addEventListener('langchange', () => {
    renderSections();
    renderQuestions();
    if (document.getElementById('question-dialog').open) {
      renderQuestionDialog();
    }
  });
  await loadQuestions();
}
