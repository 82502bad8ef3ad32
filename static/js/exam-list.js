// The candidate's exams on the home page (GET /api/v1/candidate/exams), each
// with what can be done now: start, continue, or, for a handed-in attempt,
// see the result page (score once published, objections) and the receipt.
// Ineligible candidates are told why they cannot sit.

import { api, ApiError } from './api.js';
import { applyExamTranslations, formatDuration, formatPercent, xt } from './exam-i18n.js';
import { formatDateTime, formatNumber } from './i18n.js';

let exams = null; // the list once loaded
let eligible = null;
let failed = false;

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') {
      e.className = v;
    } else if (k === 'text') {
      e.textContent = v;
    } else if (v !== undefined && v !== null) {
      e.setAttribute(k, v);
    }
  }
  e.append(...children);
  return e;
}

function examHref(ex, attemptId) {
  const q = new URLSearchParams({ exam: ex.id });
  if (attemptId) {
    q.set('attempt', attemptId);
  }
  return `/exam?${q}`;
}

function resultHref(attemptId) {
  return `/result?${new URLSearchParams({ attempt: attemptId })}`;
}

function item(ex) {
  const titleId = `exam-title-${ex.id}`;
  const info = el('div', { class: 'exam-item-info' },
    el('h3', { id: titleId, text: ex.title }),
    el('p', { text: xt('list.window', { opens: formatDateTime(ex.opens_at), closes: formatDateTime(ex.closes_at) }) }),
    el('p', { text: xt('list.facts', {
      duration: formatDuration(ex.duration_seconds),
      questions: formatNumber(ex.question_count ?? 0),
      pass: formatPercent(ex.pass_percent),
    }) }),
    el('p', { text: xt('list.attempts', { used: ex.attempts_used ?? 0, max: ex.max_attempts ?? 1 }) }));

  const action = el('div', { class: 'exam-item-action' });
  const li = el('li', { class: 'exam-item', 'data-exam-id': ex.id }, info, action);
  const attempt = ex.attempt ?? null;
  const canStart = ex.open_now && (ex.attempts_used ?? 0) < (ex.max_attempts ?? 1);
  const link = (key, href, cls) => el('a', { class: cls, href, 'aria-describedby': titleId, 'data-action': key, text: xt(key) });

  if (attempt && attempt.state === 'running') {
    li.dataset.state = 'running';
    action.append(el('span', { class: 'badge running', text: xt('list.running') }),
      link('list.resume', examHref(ex), 'button primary'));
    return li;
  }
  if (attempt && attempt.state === 'submitted') {
    li.dataset.state = 'submitted';
    li.dataset.results = ex.results_published ? 'published' : 'pending';
    li.classList.add('finished');
    action.append(el('span', { class: 'badge ok', 'data-testid': 'handed-in',
      text: xt(attempt.finish_reason === 'timeout' ? 'list.timedOut' : 'list.handedIn') }));
    if (ex.results_published) {
      action.append(el('span', { class: 'badge ok', 'data-testid': 'results-out', text: xt('list.resultsOut') }));
    }
    // The result page also takes objections, so it is offered before publication too.
    action.append(el('a', {
      class: ex.results_published ? 'button primary' : '',
      href: resultHref(attempt.id),
      'aria-describedby': titleId,
      'data-action': 'list.result',
      text: xt(ex.results_published ? 'list.result' : 'list.resultPending'),
    }), link('list.receipt', examHref(ex, attempt.id), ''));
    if (canStart) {
      action.append(link('list.again', examHref(ex), 'button secondary'));
    }
    return li;
  }
  if (canStart) {
    li.dataset.state = 'open';
    action.append(link('list.start', examHref(ex), 'button primary'));
    return li;
  }
  if (Date.parse(ex.opens_at) > Date.now()) {
    li.dataset.state = 'upcoming';
    action.append(el('span', { class: 'badge', text: xt('list.notYet', { time: formatDateTime(ex.opens_at) }) }),
      link('list.details', examHref(ex), ''));
    return li;
  }
  li.dataset.state = 'closed';
  li.classList.add('closed');
  action.append(el('span', { class: 'badge', text: xt('list.closed') }));
  return li;
}

/** renderExamList draws the list (again, e.g. after a language change). */
export function renderExamList() {
  applyExamTranslations(document.getElementById('exams'));
  const status = document.getElementById('exams-status');
  const list = document.getElementById('exam-list');
  status.removeAttribute('data-exam-i18n');
  let key = null;
  if (eligible === false) {
    key = 'list.ineligible';
  } else if (failed) {
    key = 'list.failed';
  } else if (exams === null) {
    key = 'list.loading';
  } else if (exams.length === 0) {
    key = 'list.none';
  }
  status.hidden = !key;
  status.textContent = key ? xt(key) : '';
  status.classList.toggle('status', key === 'list.failed' || key === 'list.ineligible');
  status.classList.toggle('status-error', key === 'list.failed');
  list.hidden = Boolean(key);
  list.replaceChildren(...(key ? [] : exams.map(item)));
}

/** loadExamList fetches the candidate's exams; only an eligible candidate has any to sit. */
export async function loadExamList(me) {
  eligible = Boolean(me?.eligible);
  failed = false;
  if (!eligible) {
    renderExamList();
    return;
  }
  renderExamList();
  try {
    exams = await api('GET', '/api/v1/candidate/exams');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      window.location.replace('/login');
      return;
    }
    failed = true;
  }
  renderExamList();
}
