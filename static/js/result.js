// The result page (/result?attempt=<attempt id>): the candidate's score once an
// admin has published the exam's results (overall percent against the pass
// mark, a clear pass/fail statement and a bar per section against its
// minimum), a friendly note before that, and the form to object to one of the
// attempt's questions while the objection window is open.

import { api, ApiError, generalMessageKey } from './api.js';
import { formatPercent } from './exam-i18n.js';
import { formatDateTime, formatNumber, getLang, initI18n, t } from './i18n.js';
import { applyResultTranslations, hasResultText, rt } from './result-i18n.js';
import { barSVG } from './result-bars.js';

const $ = (id) => document.getElementById(id);

const attemptId = new URLSearchParams(window.location.search).get('attempt') ?? '';
const MAX_OBJECTION = 2000;
const STEM_IN_LIST = 70;

const state = {
  attempt: null, // GET /api/v1/attempts/:id
  result: null, // GET /api/v1/attempts/:id/result, once published
  phase: null, // "published" | "unpublished" | "running"
  pageStatus: null, // {key, site, kind, link}
  filed: new Set(), // question ids already objected to (earlier visits included)
  objStatus: null, // {key, vars, site, kind}
  objErrors: {}, // field → {key, vars}
  sending: false,
};

// ---- Small helpers ---------------------------------------------------------

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') {
      e.className = v;
    } else if (k === 'dataset') {
      Object.assign(e.dataset, v);
    } else if (k === 'text') {
      e.textContent = v;
    } else if (v !== undefined && v !== null && v !== false) {
      e.setAttribute(k, v === true ? '' : v);
    }
  }
  e.append(...children);
  return e;
}

function fact(dl, label, value, { id, ltr = false } = {}) {
  dl.append(el('dt', { text: label }), el('dd', { id, dir: ltr ? 'ltr' : undefined, text: value }));
}

// A raw score may carry a fraction when wrong answers take points off.
function formatScore(n) {
  return formatNumber(Number(n) || 0, { maximumFractionDigits: 2 });
}

function listOf(items) {
  try {
    return new Intl.ListFormat(getLang() === 'fa' ? 'fa' : 'en', { type: 'conjunction' }).format(items);
  } catch {
    return items.join(getLang() === 'fa' ? '، ' : ', ');
  }
}

function text(s) {
  return s.site ? t(s.key, s.vars) : rt(s.key, s.vars);
}

// ---- Page status (loading, and errors that leave nothing else to show) -------

function renderPageStatus() {
  const box = $('page-status');
  const s = state.pageStatus;
  if (!s) {
    box.hidden = true;
    return;
  }
  const span = $('page-status-text');
  span.removeAttribute('data-i18n');
  span.textContent = text(s);
  box.classList.toggle('status-error', s.kind === 'error');
  $('page-status-link').hidden = !s.link;
  box.hidden = false;
}

function fail(key, { site = false } = {}) {
  $('result-view').hidden = true;
  state.pageStatus = { key, site, kind: 'error', link: true };
  renderPageStatus();
  $('page-status').focus();
}

function failWith(err) {
  if (err instanceof ApiError && err.status === 401) {
    window.location.replace('/login');
    return;
  }
  if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
    fail('result.notFound');
    return;
  }
  if (err instanceof ApiError && err.status > 0 && err.status < 500) {
    fail('result.loadFailed');
    return;
  }
  fail(generalMessageKey(err), { site: true });
}

// ---- The result ---------------------------------------------------------------

function sectionTitle(key) {
  const fromResult = state.result?.section_scores?.find((s) => s.key === key);
  const fromExam = state.attempt?.exam?.sections?.find((s) => s.key === key);
  return fromResult?.title || fromExam?.title || key;
}

function renderFacts() {
  const a = state.attempt;
  const dl = $('attempt-facts');
  dl.replaceChildren();
  const submittedAt = state.result?.submitted_at ?? a.submitted_at;
  if (submittedAt) {
    fact(dl, rt('result.handedInAt'), formatDateTime(submittedAt), { id: 'fact-submitted-at' });
  }
  if (a.finish_reason) {
    fact(dl, rt('result.finishReason'), rt(`result.reason.${a.finish_reason}`), { id: 'fact-finish-reason' });
  }
  fact(dl, rt('result.attemptId'), a.attempt_id, { id: 'fact-attempt-id', ltr: true });
}

function renderVerdict(r) {
  const card = $('verdict-card');
  card.dataset.passed = String(Boolean(r.passed));
  $('verdict-mark').textContent = r.passed ? '✓' : '✗';
  $('verdict').textContent = rt(r.passed ? 'result.passed' : 'result.failed');

  const vars = { percent: formatPercent(r.percent), pass: formatPercent(r.pass_percent) };
  const low = (r.section_scores ?? []).filter((s) => !s.passed);
  let note;
  if (r.passed) {
    note = rt('result.passedNote', vars);
  } else {
    note = rt(r.percent >= r.pass_percent ? 'result.overallMet' : 'result.overallBelow', vars);
  }
  $('verdict-note').textContent = note;
  const sections = $('verdict-sections');
  sections.hidden = r.passed || low.length === 0;
  sections.textContent = low.length === 0 ? ''
    : rt(low.length === 1 ? 'result.sectionsBelow' : 'result.sectionsBelowMany', { sections: listOf(low.map((s) => `«${s.title || s.key}»`)) });

  const percent = $('overall-percent');
  percent.textContent = formatPercent(r.percent);
  percent.dataset.percent = String(r.percent);
  $('pass-percent').textContent = rt('result.passMark', { percent: formatPercent(r.pass_percent) });
  $('pass-percent').dataset.percent = String(r.pass_percent);
  $('raw-score').textContent = rt('result.rawScore', { score: formatScore(r.score), max: formatScore(r.max_score) });
  // The overall bar shows the overall criterion alone; the verdict above says
  // whether the sections' minimums were met too.
  $('overall-bar').replaceChildren(barSVG(r.percent, r.pass_percent, r.percent >= r.pass_percent, { big: true }));
}

function sectionItem(s) {
  const ok = Boolean(s.passed);
  return el('li', { class: `section-score ${ok ? 'ok' : 'low'}`, dataset: { key: s.key, passed: String(ok) } },
    el('div', { class: 'section-head' },
      el('h3', { class: 'section-title', text: s.title || s.key }),
      el('p', { class: 'section-verdict' },
        el('span', { class: 'section-mark', 'aria-hidden': 'true', text: ok ? '✓' : '✗' }),
        el('span', { text: rt(ok ? 'result.sectionPassed' : 'result.sectionFailed') }))),
    barSVG(s.percent, s.min_percent, ok),
    el('dl', { class: 'section-numbers' },
      el('div', {},
        el('dt', { text: rt('result.sectionScore') }),
        el('dd', { class: 'section-percent', dataset: { percent: String(s.percent) }, text: formatPercent(s.percent) })),
      el('div', {},
        el('dt', { text: rt('result.sectionMin') }),
        el('dd', { class: 'section-min', dataset: { percent: String(s.min_percent) }, text: formatPercent(s.min_percent) }))),
    el('p', { class: 'section-counts', text: rt('result.sectionCounts', {
      correct: s.correct ?? 0, wrong: s.wrong ?? 0, blank: s.blank ?? 0,
      score: formatScore(s.score), max: formatScore(s.max),
    }) }));
}

function renderPublished() {
  const r = state.result;
  renderVerdict(r);
  $('section-scores').replaceChildren(...(r.section_scores ?? []).map(sectionItem));
  $('bar-scale').textContent = rt('result.scale', { from: formatPercent(0), to: formatPercent(100) });
}

// ---- Objections -------------------------------------------------------------

function questionLabel(q, i) {
  const stem = q.stem.length > STEM_IN_LIST ? `${q.stem.slice(0, STEM_IN_LIST).trimEnd()}…` : q.stem;
  const vars = { n: i + 1, section: sectionTitle(q.section), stem };
  // The mark goes first: a long stem is cut off at the select's edge.
  return rt(state.filed.has(q.id) ? 'obj.optionFiled' : 'obj.option', vars);
}

function renderQuestionChoice() {
  const select = $('objection-question');
  const chosen = select.value;
  const questions = state.attempt.questions ?? [];
  select.replaceChildren(
    el('option', { value: '', text: rt('obj.choose') }),
    ...questions.map((q, i) => el('option', { value: q.id, dataset: { number: String(i + 1) }, text: questionLabel(q, i) })));
  select.value = questions.some((q) => q.id === chosen) ? chosen : '';
  renderPreview();
}

function renderPreview() {
  const box = $('objection-preview');
  const questions = state.attempt.questions ?? [];
  const i = questions.findIndex((q) => q.id === $('objection-question').value);
  box.hidden = i < 0;
  if (i < 0) {
    return;
  }
  const q = questions[i];
  $('preview-heading').textContent = rt('obj.previewHeading', { n: i + 1, section: sectionTitle(q.section) });
  $('preview-stem').textContent = q.stem;
  const choice = state.attempt.answers?.[q.id]?.choice ?? null;
  $('preview-options').replaceChildren(...(q.options ?? []).map((o) =>
    el('li', { class: o.key === choice ? 'chosen' : undefined, dataset: { key: o.key }, text: o.text })));
  const picked = (q.options ?? []).findIndex((o) => o.key === choice);
  $('preview-answer').textContent = picked < 0
    ? rt('obj.noAnswer')
    : `${rt('obj.yourAnswer')}: ${formatNumber(picked + 1)}. ${q.options[picked].text}`;
}

function renderCount() {
  const n = $('objection-text').value.length;
  $('objection-count').textContent = rt('obj.count', { n, max: MAX_OBJECTION });
}

function renderObjectionErrors() {
  for (const field of ['question_id', 'text']) {
    const box = $(`${field}-error`);
    const e = state.objErrors[field];
    box.hidden = !e;
    box.textContent = e ? rt(e.key, e.vars) : '';
    box.closest('.field').classList.toggle('has-error', Boolean(e));
    const control = $(field === 'text' ? 'objection-text' : 'objection-question');
    const base = field === 'text' ? ['objection-hint', 'objection-count'] : [];
    if (e) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', [box.id, ...base].join(' '));
    } else {
      control.removeAttribute('aria-invalid');
      if (base.length > 0) {
        control.setAttribute('aria-describedby', base.join(' '));
      } else {
        control.removeAttribute('aria-describedby');
      }
    }
  }
}

function renderObjectionStatus() {
  const box = $('objection-status');
  const s = state.objStatus;
  box.hidden = !s;
  box.textContent = s ? text(s) : '';
  box.dataset.state = s?.state ?? '';
  box.classList.toggle('status-error', s?.kind === 'error');
  box.classList.toggle('status-ok', s?.kind === 'ok');
}

function renderObjections() {
  $('objection-hint').textContent = rt('obj.textHint', { max: MAX_OBJECTION });
  renderQuestionChoice();
  renderCount();
  renderObjectionErrors();
  renderObjectionStatus();
  $('objection-submit').disabled = state.sending;
}

function fieldError(field, code) {
  const key = `obj.err.${field}.${code}`;
  return { key: hasResultText(key) ? key : 'obj.err.unknown', vars: { max: MAX_OBJECTION } };
}

function setObjStatus(s) {
  state.objStatus = s;
  renderObjectionStatus();
}

async function fileObjection(event) {
  event.preventDefault();
  if (state.sending) {
    return;
  }
  const questionId = $('objection-question').value;
  const body = { question_id: questionId, text: $('objection-text').value.trim() };
  state.objErrors = {};
  if (!questionId) {
    state.objErrors.question_id = fieldError('question_id', 'choose');
  }
  if (!body.text) {
    state.objErrors.text = fieldError('text', 'required');
  }
  if (Object.keys(state.objErrors).length > 0) {
    setObjStatus({ key: 'obj.fix', kind: 'error', state: 'invalid' });
    renderObjectionErrors();
    focusFirstError();
    return;
  }
  renderObjectionErrors();
  const n = (state.attempt.questions ?? []).findIndex((q) => q.id === questionId) + 1;
  state.sending = true;
  $('objection-submit').disabled = true;
  $('objection-form').setAttribute('aria-busy', 'true');
  setObjStatus({ key: 'obj.sending', state: 'sending' });
  try {
    const o = await api('POST', `/api/v1/attempts/${encodeURIComponent(attemptId)}/objections`, body);
    state.filed.add(questionId);
    $('objection-text').value = '';
    $('objection-question').value = '';
    setObjStatus({ key: 'obj.accepted', vars: { n }, kind: 'ok', state: o?.status || 'pending' });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      window.location.replace('/login');
      return;
    }
    if (err instanceof ApiError && err.code === 'objection_window_closed') {
      setObjStatus({ key: 'obj.windowClosed', kind: 'error', state: 'window_closed' });
    } else if (err instanceof ApiError && err.code === 'attempt_running') {
      setObjStatus({ key: 'obj.attemptRunning', kind: 'error', state: 'attempt_running' });
    } else if (err instanceof ApiError && err.status === 400 && Object.keys(err.fields).length > 0) {
      for (const [field, code] of Object.entries(err.fields)) {
        if (field === 'question_id' || field === 'text') {
          state.objErrors[field] = fieldError(field, code);
        }
      }
      if (err.fields.question_id === 'already_objected') {
        state.filed.add(questionId);
      }
      setObjStatus(Object.keys(state.objErrors).length > 0
        ? { key: 'obj.fix', kind: 'error', state: 'invalid' }
        : { key: 'err.generic', site: true, kind: 'error', state: 'error' });
    } else {
      setObjStatus({ key: generalMessageKey(err), site: true, kind: 'error', state: 'error' });
    }
  } finally {
    state.sending = false;
    $('objection-form').removeAttribute('aria-busy');
  }
  renderObjections();
  focusFirstError();
}

function focusFirstError() {
  if (state.objErrors.question_id) {
    $('objection-question').focus();
  } else if (state.objErrors.text) {
    $('objection-text').focus();
  }
}

function clearFieldOnEdit(field) {
  if (state.objErrors[field]) {
    delete state.objErrors[field];
    renderObjectionErrors();
  }
}

// ---- Rendering and loading -------------------------------------------------

function render() {
  applyResultTranslations();
  renderPageStatus();
  const a = state.attempt;
  if (!a) {
    return;
  }
  const title = state.result?.exam_title || a.exam?.title || '';
  $('result-title').textContent = title;
  document.title = title ? `${title} — ${rt('result.pageTitle')}` : rt('result.pageTitle');
  renderFacts();
  $('published').hidden = state.phase !== 'published';
  $('not-published').hidden = state.phase !== 'unpublished';
  $('still-running').hidden = state.phase !== 'running';
  $('objection-card').hidden = state.phase === 'running';
  document.body.dataset.phase = state.phase;
  if (state.phase === 'published') {
    renderPublished();
  }
  if (state.phase === 'running' && a.exam?.id) {
    $('continue-link').href = `/exam?exam=${encodeURIComponent(a.exam.id)}`;
  }
  if (state.phase !== 'running') {
    renderObjections();
  }
}

async function load() {
  if (!attemptId) {
    fail('result.noAttempt');
    return;
  }
  const path = `/api/v1/attempts/${encodeURIComponent(attemptId)}`;
  try {
    // The attempt first: reading it also finishes one whose time ran out, so
    // that the result asked for next is the final one.
    state.attempt = await api('GET', path);
  } catch (err) {
    failWith(err);
    return;
  }
  if (state.attempt.state !== 'submitted') {
    state.phase = 'running';
  } else {
    try {
      state.result = await api('GET', `${path}/result`);
      state.phase = 'published';
    } catch (err) {
      if (err instanceof ApiError && err.code === 'results_not_published') {
        state.phase = 'unpublished';
      } else if (err instanceof ApiError && err.code === 'attempt_running') {
        state.phase = 'running';
      } else {
        failWith(err);
        return;
      }
    }
  }
  if (state.phase !== 'running') {
    // Objections filed on earlier visits are marked too.
    try {
      const own = await api('GET', `${path}/objections`);
      for (const o of own.items ?? []) {
        state.filed.add(o.question_id);
      }
    } catch {
      // Only a mark in the list is lost; filing still works.
    }
  }
  state.pageStatus = null;
  $('result-view').hidden = false;
  render();
}

initI18n();
applyResultTranslations();
$('objection-form').addEventListener('submit', fileObjection);
$('objection-question').addEventListener('change', () => {
  clearFieldOnEdit('question_id');
  renderPreview();
});
$('objection-text').addEventListener('input', () => {
  clearFieldOnEdit('text');
  renderCount();
});
document.addEventListener('langchange', render);
load();
