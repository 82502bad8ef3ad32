// The objections panel: candidates' objections to questions, filtered by exam
// and status; any official reads them and opens the candidate's attempt; an
// admin decides each (reject, void the question, or change its key) and sees
// what the rescoring changed: who now passes, who now fails.

import { api, ApiError } from './api.js';
import {
  consoleState,
  errorKey,
  FieldErrors,
  formatInstant,
  goToLogin,
  h,
  isUnauthenticated,
  optionLabel,
  setErrorStatus,
  setStatus,
} from './official-common.js';
import { examFor, loadReviewExams, reviewState, rescoringView } from './official-review-common.js';
import { openResultDetail } from './official-review-detail.js';
import { formatDigits, t } from './i18n.js';

const filter = { examId: '', status: 'pending' };
let list = null;
let seq = 0;
let wired = false;
let resolving = null; // {objection, question (with options and correct)}
let outcome = null; // {objection, rescoring}
let formErrors = null;

const panel = () => document.getElementById('panel-objections');

function statusBadge(status) {
  return h('span', { class: `badge obj-${status}`, 'data-status': status, 'data-testid': 'objection-status', text: t(`obstatus.${status}`) });
}

function decisionCell(o) {
  if (o.status === 'pending') {
    return h('td', { class: 'muted', text: '—' });
  }
  const parts = [];
  if (o.status === 'rekeyed' && o.new_correct) {
    parts.push(h('p', { class: 'decision-line', text: t('ob.newKeyIs', { key: optionLabel(o.new_correct) }) }));
  }
  if (o.note) {
    parts.push(h('p', { class: 'decision-line' }, h('bdi', { text: o.note })));
  }
  parts.push(h('p', { class: 'decision-line muted small-text', text: t('ob.resolvedAt', { at: formatInstant(o.resolved_at) }) }));
  return h('td', { class: 'decision-cell' }, ...parts);
}

function renderExamFilter() {
  const select = document.getElementById('ob-exam');
  select.replaceChildren(
    h('option', { value: '', i18n: 'ob.allExams' }),
    ...reviewState.exams.map((e) => h('option', { value: e.id, text: `${e.title} — ${t(`estatus.${e.status}`)}` })),
  );
  select.value = examFor(filter.examId) ? filter.examId : '';
}

function renderRows() {
  const body = document.getElementById('ob-body');
  const summary = document.getElementById('ob-summary');
  if (!list) {
    body.replaceChildren();
    summary.textContent = '';
    return;
  }
  summary.textContent = list.length === 0 ? t('ob.none') : t('ob.count', { count: list.length });
  body.replaceChildren(
    ...list.map((o) => {
      const exam = examFor(o.exam_id);
      const actions = h('td', { class: 'actions-cell' });
      const view = h('button', { type: 'button', class: 'button secondary small', 'data-open-attempt': o.attempt_id, i18n: 'ob.viewAttempt' });
      view.setAttribute('aria-label', t('ob.viewAttemptLabel', { id: formatDigits(o.national_id) }));
      view.addEventListener('click', () => openResultDetail(o.exam_id, o.attempt_id, view));
      actions.append(view);
      if (consoleState.isAdmin && o.status === 'pending') {
        const resolve = h('button', { type: 'button', class: 'button primary small', 'data-role': 'admin', 'data-resolve': o.id, 'data-testid': 'resolve', i18n: 'ob.resolve' });
        resolve.setAttribute('aria-label', t('ob.resolveLabel', { id: formatDigits(o.national_id) }));
        resolve.addEventListener('click', () => openResolve(o, resolve));
        actions.append(' ', resolve);
      }
      return h(
        'tr',
        { 'data-objection-id': o.id, 'data-status': o.status, 'data-testid': 'objection-row' },
        h('td', { class: 'nowrap' }, formatInstant(o.created_at), exam ? h('bdi', { class: 'muted small-text block', text: exam.title }) : null),
        h('td', { class: 'nowrap', text: formatDigits(o.national_id) }),
        h('td', { class: 'stem-cell' }, h('span', { class: 'clamp', dir: 'auto', title: o.stem, text: o.stem })),
        h('td', { class: 'objection-text' }, h('bdi', { text: o.text })),
        h('td', {}, statusBadge(o.status)),
        decisionCell(o),
        actions,
      );
    }),
  );
}

async function loadRows() {
  const mine = ++seq;
  const params = new URLSearchParams();
  if (filter.examId) {
    params.set('exam_id', filter.examId);
  }
  if (filter.status) {
    params.set('status', filter.status);
  }
  panel().dataset.loaded = 'false';
  const table = document.getElementById('ob-table');
  table.setAttribute('aria-busy', 'true');
  try {
    const answer = (await api('GET', `/api/v1/official/objections?${params}`)) ?? [];
    if (mine !== seq) {
      return;
    }
    list = answer;
    renderRows();
  } catch (err) {
    if (mine !== seq) {
      return;
    }
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    list = null;
    renderRows();
    document.getElementById('ob-summary').textContent = t(errorKey(err));
  } finally {
    if (mine === seq) {
      table.removeAttribute('aria-busy');
      panel().dataset.loaded = 'true';
    }
  }
}

// ---- Deciding -----------------------------------------------------------------

function renderResolveBody() {
  const body = document.getElementById('od-body');
  if (!resolving) {
    body.replaceChildren();
    return;
  }
  const o = resolving.objection;
  const q = resolving.question;
  const meta = h('dl', { class: 'details compact-details' });
  const row = (key, value) => meta.append(h('dt', { i18n: key }), h('dd', {}, value));
  row('field.national_id', formatDigits(o.national_id));
  row('ob.createdAt', formatInstant(o.created_at));
  const parts = [meta, h('p', { class: 'q-stem', dir: 'auto', text: o.stem })];
  if (q) {
    parts.push(
      h(
        'ol',
        { class: 'q-options' },
        ...q.options.map((opt) => {
          const isKey = opt.key === q.correct;
          const chosen = opt.key === q.choice;
          return h(
            'li',
            { class: `q-option${isKey ? ' correct' : ''}${chosen ? ' chosen' : ''}`, 'data-key': opt.key },
            h('span', { class: 'q-option-key', text: optionLabel(opt.key) }),
            h('span', { class: 'q-option-text', dir: 'auto', text: opt.text }),
            isKey ? h('span', { class: 'badge badge-correct', text: `✓ ${t('ob.currentKey')}` }) : null,
            chosen ? h('span', { class: 'badge badge-chosen', text: t('rd.theirChoice') }) : null,
          );
        }),
      ),
    );
    if (q.voided) {
      parts.push(h('p', { class: 'status', text: t('ob.alreadyVoided') }));
    }
  }
  parts.push(h('blockquote', { class: 'objection-quote' }, h('p', { class: 'quote-label', i18n: 'ob.text' }), h('p', { dir: 'auto', text: o.text })));
  body.replaceChildren(...parts);

  const select = document.getElementById('od-correct');
  const keep = select.value;
  const keys = q ? q.options.map((opt) => opt.key) : ['a', 'b', 'c', 'd', 'e', 'f'];
  select.replaceChildren(
    h('option', { value: '', i18n: 'common.choose' }),
    ...keys.map((k) => h('option', { value: k, disabled: q && k === q.correct ? true : false, text: q && k === q.correct ? `${optionLabel(k)} (${t('ob.currentKey')})` : optionLabel(k) })),
  );
  select.value = keys.includes(keep) && !(q && keep === q.correct) ? keep : '';
}

function syncDecision() {
  const decision = document.querySelector('#od-form input[name="decision"]:checked')?.value ?? '';
  document.getElementById('od-correct-field').hidden = decision !== 'rekey';
}

async function openResolve(o, from) {
  const dialog = document.getElementById('objection-dialog');
  if (!dialog) {
    return;
  }
  const form = document.getElementById('od-form');
  form.reset();
  formErrors.set({});
  syncDecision();
  resolving = { objection: o, question: null, from };
  setStatus(document.getElementById('od-status'), { key: 'common.loading' });
  renderResolveBody();
  dialog.showModal();
  document.getElementById('od-heading').focus?.();
  try {
    // The question's options and key, as this exam has them now, from the candidate's attempt.
    const detail = await api('GET', `/api/v1/official/exams/${encodeURIComponent(o.exam_id)}/results/${encodeURIComponent(o.attempt_id)}`);
    if (resolving?.objection.id !== o.id) {
      return;
    }
    resolving.question = (detail.answers ?? []).find((a) => a.question_id === o.question_id) ?? null;
    setStatus(document.getElementById('od-status'), null);
    renderResolveBody();
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    setErrorStatus(document.getElementById('od-status'), err);
  }
  document.getElementById('od-reject').focus();
}

async function submitResolve(event) {
  event.preventDefault();
  if (!resolving) {
    return;
  }
  const decision = document.querySelector('#od-form input[name="decision"]:checked')?.value ?? '';
  const correct = document.getElementById('od-correct').value;
  const note = document.getElementById('od-note').value.trim();
  const errors = {};
  if (!decision) {
    errors.decision = 'required';
  }
  if (decision === 'rekey' && !correct) {
    errors.correct = 'required';
  }
  if (Object.keys(errors).length > 0) {
    formErrors.set(errors, { focus: true });
    return;
  }
  formErrors.set({});
  const body = { decision };
  if (decision === 'rekey') {
    body.correct = correct;
  }
  if (note) {
    body.note = note;
  }
  const status = document.getElementById('od-status');
  const submit = document.getElementById('od-submit');
  submit.disabled = true;
  setStatus(status, { key: 'common.sending' });
  try {
    const res = await api('POST', `/api/v1/official/objections/${encodeURIComponent(resolving.objection.id)}/resolve`, body);
    outcome = { objection: res.objection, rescoring: res.rescoring ?? null, stem: resolving.objection.stem };
    setStatus(status, null);
    document.getElementById('objection-dialog').close();
    renderOutcome();
    document.getElementById('ob-outcome').focus();
    if (outcome.rescoring) {
      document.dispatchEvent(new CustomEvent('reviewdatachange'));
    }
    await loadRows();
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    if (err instanceof ApiError && err.status === 400 && Object.keys(err.fields).length > 0) {
      const unplaced = formErrors.set(err.fields, { focus: true });
      if (unplaced.length > 0) {
        setErrorStatus(status, err);
      } else {
        setStatus(status, null);
      }
    } else if (err instanceof ApiError && err.code === 'already_resolved') {
      setStatus(status, { key: 'apiErr.already_resolved', kind: 'error' });
      loadRows();
    } else {
      setErrorStatus(status, err);
    }
  } finally {
    submit.disabled = false;
  }
}

function renderOutcome() {
  const card = document.getElementById('ob-outcome');
  const body = document.getElementById('ob-outcome-body');
  if (!outcome) {
    card.hidden = true;
    body.replaceChildren();
    return;
  }
  const o = outcome.objection;
  card.hidden = false;
  card.dataset.status = o.status;
  const lines = [
    h('p', { class: 'outcome-line' }, h('span', { text: t(`ob.decided.${o.status}`, { key: o.new_correct ? optionLabel(o.new_correct) : '' }) }), ' ', h('bdi', { class: 'muted', text: `«${o.stem}»` })),
  ];
  if (outcome.rescoring) {
    lines.push(rescoringView(outcome.rescoring));
  } else {
    lines.push(h('p', { class: 'muted', i18n: 'ob.noRescoring' }));
  }
  body.replaceChildren(...lines);
}

/** initObjections wires the panel once. */
export function initObjections() {
  if (wired) {
    return;
  }
  wired = true;
  document.getElementById('ob-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    filter.examId = document.getElementById('ob-exam').value;
    filter.status = document.getElementById('ob-status').value;
    loadRows();
  });
  for (const id of ['ob-exam', 'ob-status']) {
    document.getElementById(id).addEventListener('change', () => document.getElementById('ob-filter').requestSubmit());
  }
  const form = document.getElementById('od-form');
  if (form) {
    formErrors = new FieldErrors(form);
    form.addEventListener('submit', submitResolve);
    for (const radio of form.querySelectorAll('input[name="decision"]')) {
      radio.addEventListener('change', () => {
        syncDecision();
        formErrors.set({});
      });
    }
    const dialog = document.getElementById('objection-dialog');
    dialog.addEventListener('close', () => {
      const from = resolving?.from;
      resolving = null;
      if (from?.isConnected) {
        from.focus();
      }
    });
  }
  document.addEventListener('reviewexamsloaded', renderExamFilter);
  document.addEventListener('langchange', () => {
    renderExamFilter();
    renderRows();
    renderResolveBody();
    renderOutcome();
  });
}

/** showObjections reads the exams and the objections (each time the panel is opened). */
export async function showObjections() {
  initObjections();
  try {
    await loadReviewExams();
    renderExamFilter();
  } catch (err) {
    if (!isUnauthenticated(err)) {
      document.getElementById('ob-summary').textContent = t(errorKey(err));
    }
    return;
  }
  await loadRows();
}
