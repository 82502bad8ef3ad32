// The exam page (/exam?exam=<exam id>[&attempt=<attempt id>]): the start page
// with the rules, sitting the exam one question at a time under the server's
// clock with autosave, and the finished view with the signed receipt.

import { api, ApiError, generalMessageKey } from './api.js';
import { applyExamTranslations, formatDuration, formatPercent, xt } from './exam-i18n.js';
import { SaveQueue } from './exam-save.js';
import { dateLocale, formatDateTime, formatDigits, formatNumber, getLang, initI18n, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(window.location.search);
const examId = params.get('exam') ?? '';
const attemptParam = params.get('attempt') ?? '';

const WARNINGS = [
  { ms: 5 * 60 * 1000, key: 'sit.warn5' },
  { ms: 60 * 1000, key: 'sit.warn1' },
];

const state = {
  view: null, // "start" | "sit" | "done"
  exam: null, // the candidate's exam (GET /candidate/exams) on the start page
  me: null,
  attempt: null, // the AttemptView
  answers: new Map(), // question id → {choice, flagged, seq}
  index: 0,
  phase: 'sitting', // "sitting" | "over" (time is up, waiting for the server to finish it)
  queue: null,
  deadlineMs: 0,
  warned: new Set(),
  timerId: null,
  finishTimer: null,
  finishBackoff: 1000,
  saveState: 'idle',
  savedAt: null,
  alertKey: null,
  pageStatus: null, // {key, kind, link, vars, fromExam}
  startStatus: null,
  publicKey: null,
  rejected: null,
};

// ---- The server's clock --------------------------------------------------
//
// offset turns performance.now() (monotonic, immune to the user changing the
// computer's clock) into the server's time. Each answer carrying server_now
// gives a sample, taken at the middle of its round trip; a sample from a slow
// round trip is only used when no better recent one exists.

const clock = { offset: null, rtt: Infinity, at: 0 };

function syncClock(serverNow, sentAt, receivedAt) {
  const server = Date.parse(serverNow);
  if (Number.isNaN(server)) {
    return;
  }
  const rtt = Math.max(0, receivedAt - sentAt);
  const stale = receivedAt - clock.at > 60_000;
  if (clock.offset === null || stale || rtt <= clock.rtt * 1.5 + 50) {
    clock.offset = server - (sentAt + rtt / 2);
    clock.rtt = rtt;
    clock.at = receivedAt;
  }
}

function serverNow() {
  return clock.offset === null ? Date.now() : performance.now() + clock.offset;
}

/** call is api() that also reads the server's clock from the answer. */
async function call(method, path, body) {
  const sentAt = performance.now();
  const res = await api(method, path, body);
  if (res && typeof res === 'object' && res.server_now) {
    syncClock(res.server_now, sentAt, performance.now());
  }
  return res;
}

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
  const dd = el('dd', { id, dir: ltr ? 'ltr' : undefined, text: value });
  dl.append(el('dt', { text: label }), dd);
}

function formatInstant(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return '';
  }
  return new Intl.DateTimeFormat(dateLocale(), { dateStyle: 'long', timeStyle: 'medium' }).format(d);
}

function formatClock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n) => formatNumber(n, { minimumIntegerDigits: 2, useGrouping: false });
  return h > 0 ? `${formatNumber(h)}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

function showOnly(view) {
  state.view = view;
  $('start-view').hidden = view !== 'start';
  $('sit-view').hidden = view !== 'sit';
  $('done-view').hidden = view !== 'done';
  document.body.dataset.view = view;
}

// The page-wide status line: loading, and errors that leave no view to show.
function setPageStatus(status) {
  state.pageStatus = status;
  renderPageStatus();
}

function renderPageStatus() {
  const box = $('page-status');
  const text = $('page-status-text');
  const s = state.pageStatus;
  if (!s) {
    box.hidden = true;
    return;
  }
  text.removeAttribute('data-i18n');
  text.textContent = s.fromExam ? xt(s.key, s.vars) : t(s.key, s.vars);
  box.classList.toggle('status-error', s.kind === 'error');
  $('page-status-link').hidden = !s.link;
  box.hidden = false;
}

function fail(key, { fromExam = true } = {}) {
  showOnly(null);
  setPageStatus({ key, kind: 'error', link: true, fromExam });
  $('page-status').focus();
}

function failWith(err) {
  if (err instanceof ApiError && err.status === 401) {
    window.location.replace('/login');
    return;
  }
  if (err instanceof ApiError && err.status === 404) {
    fail('exam.notFound');
    return;
  }
  if (err instanceof ApiError && err.status > 0 && err.status < 500) {
    fail('exam.loadFailed');
    return;
  }
  fail(generalMessageKey(err), { fromExam: false });
}

function setUrl(exam, attempt) {
  const q = new URLSearchParams();
  if (exam) {
    q.set('exam', exam);
  }
  if (attempt) {
    q.set('attempt', attempt);
  }
  window.history.replaceState(null, '', `/exam?${q}`);
}

// ---- Start page --------------------------------------------------------------

function renderStart() {
  const ex = state.exam;
  $('start-title').textContent = ex.title;
  document.title = `${ex.title} — ${xt('exam.pageTitle')}`;

  const dl = $('start-facts');
  dl.replaceChildren();
  fact(dl, xt('start.duration'), formatDuration(ex.duration_seconds), { id: 'fact-duration' });
  fact(dl, xt('start.questions'), xt('start.questionsValue', { count: ex.question_count }), { id: 'fact-questions' });
  fact(dl, xt('start.pass'), xt('start.passValue', { percent: formatPercent(ex.pass_percent) }), { id: 'fact-pass' });
  if (ex.penalty_wrong !== undefined) {
    fact(dl, xt('start.penalty'), penaltyText(ex.penalty_wrong, ex.penalty_wrong_fraction), { id: 'fact-penalty' });
  }
  fact(dl, xt('start.window'), xt('start.windowValue', { opens: formatDateTime(ex.opens_at), closes: formatDateTime(ex.closes_at) }));
  fact(dl, xt('start.attempts'), xt('start.attemptsValue', { used: ex.attempts_used, max: ex.max_attempts }), { id: 'fact-attempts' });

  const body = $('start-sections').tBodies[0];
  body.replaceChildren();
  for (const s of ex.sections ?? []) {
    body.append(el('tr', {},
      el('th', { scope: 'row', text: s.title }),
      el('td', { text: formatNumber(s.draw) }),
      el('td', { text: formatPercent(s.min_percent) })));
  }

  const button = $('start-button');
  let blocked = null;
  if (state.me && state.me.eligible === false) {
    blocked = { key: 'start.ineligible' };
  } else if (!ex.open_now) {
    blocked = Date.parse(ex.opens_at) > Date.now()
      ? { key: 'start.notYet', vars: { time: formatDateTime(ex.opens_at) } }
      : { key: 'start.closed' };
  } else if (ex.attempts_used >= ex.max_attempts) {
    blocked = { key: 'start.exhausted' };
  }
  button.hidden = Boolean(blocked);
  if (blocked && !state.startStatus) {
    state.startStatus = { ...blocked, kind: 'error' };
  }
  renderStartStatus();

  const prev = ex.attempt && ex.attempt.state === 'submitted' ? ex.attempt : null;
  $('start-previous').hidden = !prev;
  if (prev) {
    $('start-previous-link').href = `/exam?exam=${encodeURIComponent(ex.id)}&attempt=${encodeURIComponent(prev.id)}`;
  }
}

function penaltyText(penalty, fraction) {
  if (!Number(penalty)) {
    return xt('start.penaltyNone');
  }
  return xt('start.penaltyValue', { fraction: formatDigits(fraction || String(penalty)) });
}

function renderStartStatus() {
  const box = $('start-status');
  const s = state.startStatus;
  box.hidden = !s;
  if (s) {
    box.textContent = s.fromSite ? t(s.key, s.vars) : xt(s.key, s.vars);
    box.classList.toggle('status-error', s.kind === 'error');
  }
}

function showStart(ex) {
  state.exam = ex;
  setPageStatus(null);
  showOnly('start');
  renderStart();
  $('start-title').focus();
}

async function startExam() {
  const button = $('start-button');
  button.disabled = true;
  state.startStatus = { key: 'start.starting' };
  renderStartStatus();
  try {
    const view = await call('POST', `/api/v1/exams/${encodeURIComponent(state.exam.id)}/attempts`);
    state.startStatus = null;
    renderStartStatus();
    applyView(view);
  } catch (err) {
    button.disabled = false;
    if (err instanceof ApiError && err.status === 401) {
      window.location.replace('/login');
      return;
    }
    const byCode = {
      not_eligible: 'start.ineligible',
      exam_not_open: 'start.closed',
      attempts_exhausted: 'start.exhausted',
    };
    if (err instanceof ApiError && byCode[err.code]) {
      state.startStatus = { key: byCode[err.code], kind: 'error' };
      button.hidden = true;
    } else if (err instanceof ApiError && err.status === 404) {
      state.startStatus = { key: 'start.notFoundErr', kind: 'error' };
      button.hidden = true;
    } else {
      state.startStatus = { key: generalMessageKey(err), kind: 'error', fromSite: true };
    }
    renderStartStatus();
    $('start-status').focus?.();
  }
}

// ---- Dispatch on an attempt's state ------------------------------------------

function applyView(view) {
  state.attempt = view;
  if (!attemptParam || attemptParam !== view.attempt_id) {
    setUrl(view.exam?.id || examId, view.attempt_id);
  }
  if (view.state === 'submitted') {
    showDone(view);
  } else {
    showSitting(view);
  }
}

// ---- Sitting -------------------------------------------------------------------

function question() {
  return state.attempt.questions[state.index];
}

function answerOf(qid) {
  return state.answers.get(qid) ?? { choice: null, flagged: false, seq: 0 };
}

function sectionTitle(key) {
  return state.attempt.exam?.sections?.find((s) => s.key === key)?.title ?? key;
}

function showSitting(view) {
  const firstTime = state.view !== 'sit';
  state.deadlineMs = Date.parse(view.deadline_at);
  state.phase = 'sitting';
  if (!state.queue) {
    state.queue = new SaveQueue({
      attemptId: view.attempt_id,
      onState: onSaveState,
      onAck: (saved, sentAt, receivedAt) => {
        syncClock(saved.server_now, sentAt, receivedAt);
        if (saved.deadline_at) {
          state.deadlineMs = Date.parse(saved.deadline_at);
        }
        state.savedAt = saved.saved_at;
      },
      onFatal: onSaveFatal,
      onRejected: onSaveRejected,
    });
  }
  state.answers = state.queue.merge(view.answers, view.questions.map((q) => q.id));
  setPageStatus(null);
  showOnly('sit');
  $('sit-title').textContent = view.exam?.title ?? '';
  document.title = `${view.exam?.title ?? ''} — ${xt('exam.pageTitle')}`;
  if (firstTime) {
    // Thresholds already behind us at load are not announced again.
    const left = state.deadlineMs - serverNow();
    state.warned = new Set(WARNINGS.filter((w) => left <= w.ms).map((w) => w.key));
    state.index = firstUnanswered();
  }
  buildNav();
  renderQuestion();
  renderSaveState();
  startTimer();
  if (firstTime) {
    $('q-number').focus();
  }
}

function firstUnanswered() {
  const i = state.attempt.questions.findIndex((q) => !answerOf(q.id).choice);
  return i < 0 ? 0 : i;
}

function renderQuestion() {
  const qs = state.attempt.questions;
  const q = question();
  const a = answerOf(q.id);
  const over = state.phase !== 'sitting';
  $('question').dataset.questionId = q.id;
  $('question').dataset.index = String(state.index);
  $('q-number').textContent = xt('sit.questionOf', { n: state.index + 1, total: qs.length });
  $('q-section').textContent = sectionTitle(q.section);
  $('q-stem').textContent = q.stem;

  const box = $('q-options');
  box.replaceChildren();
  q.options.forEach((o, i) => {
    const id = `opt-${i}`;
    const input = el('input', { type: 'radio', name: 'choice', id, value: o.key, disabled: over });
    input.checked = a.choice === o.key;
    input.addEventListener('change', () => {
      if (input.checked) {
        choose(o.key);
      }
    });
    box.append(el('label', { class: 'option', for: id, dataset: { key: o.key, position: String(i + 1) } },
      input,
      el('span', { class: 'option-num', 'aria-hidden': 'true', text: formatNumber(i + 1) }),
      el('span', { class: 'option-text', text: o.text })));
  });
  $('q-fieldset').disabled = over;

  $('prev').disabled = state.index === 0;
  $('next').disabled = state.index === qs.length - 1;
  $('flag').setAttribute('aria-pressed', String(a.flagged));
  $('flag').classList.toggle('on', a.flagged);
  $('flag').disabled = over;
  $('clear').disabled = over || !a.choice;
  $('submit-open').disabled = over;
  updateNav();
}

// The options' checked state and the buttons, without rebuilding (keeps focus).
function refreshAnswer() {
  const a = answerOf(question().id);
  for (const input of $('q-options').querySelectorAll('input')) {
    input.checked = input.value === a.choice;
  }
  $('flag').setAttribute('aria-pressed', String(a.flagged));
  $('flag').classList.toggle('on', a.flagged);
  $('clear').disabled = state.phase !== 'sitting' || !a.choice;
  updateNav();
}

function buildNav() {
  const box = $('nav-groups');
  box.replaceChildren();
  let list = null;
  let section = null;
  state.attempt.questions.forEach((q, i) => {
    if (q.section !== section) {
      section = q.section;
      const hid = `nav-sec-${i}`;
      list = el('ol', { class: 'nav-grid', 'aria-labelledby': hid });
      box.append(el('div', { class: 'nav-group' }, el('h3', { id: hid, class: 'nav-section', text: sectionTitle(q.section) }), list));
    }
    const b = el('button', { type: 'button', class: 'nav-item', dataset: { index: String(i), questionId: q.id }, text: formatNumber(i + 1) });
    b.addEventListener('click', () => go(i));
    list.append(el('li', {}, b));
  });
  updateNav();
}

function updateNav() {
  let answered = 0;
  const qs = state.attempt.questions;
  for (const b of $('nav-groups').querySelectorAll('.nav-item')) {
    const i = Number(b.dataset.index);
    const a = answerOf(qs[i].id);
    const has = Boolean(a.choice);
    answered += has ? 1 : 0;
    b.classList.toggle('answered', has);
    b.classList.toggle('blank', !has);
    b.classList.toggle('flagged', a.flagged);
    b.classList.toggle('current', i === state.index);
    if (i === state.index) {
      b.setAttribute('aria-current', 'step');
    } else {
      b.removeAttribute('aria-current');
    }
    const parts = [xt('sit.navItem', { n: i + 1 }), xt(has ? 'sit.navAnswered' : 'sit.navBlank')];
    if (a.flagged) {
      parts.push(xt('sit.navFlagged'));
    }
    b.setAttribute('aria-label', parts.join(getLang() === 'fa' ? '، ' : ', '));
  }
  $('nav-summary').textContent = xt('sit.summary', { answered, total: qs.length });
}

function go(i, { focus = true } = {}) {
  const n = state.attempt.questions.length;
  if (i < 0 || i >= n || i === state.index) {
    return;
  }
  state.index = i;
  renderQuestion();
  if (focus) {
    $('q-number').focus();
  }
}

function change(qid, patch) {
  if (state.phase !== 'sitting' || !state.queue) {
    return;
  }
  const a = answerOf(qid);
  const next = { ...a, ...patch };
  if (next.choice === a.choice && next.flagged === a.flagged) {
    return;
  }
  state.answers.set(qid, next);
  state.queue.put(qid, next.choice, next.flagged);
  refreshAnswer();
}

function choose(key) {
  change(question().id, { choice: key });
}

function toggleFlag() {
  const q = question();
  change(q.id, { flagged: !answerOf(q.id).flagged });
}

function isTextField(target) {
  if (!(target instanceof Element)) {
    return false;
  }
  if (target.isContentEditable || target.closest('textarea, select, [contenteditable="true"]')) {
    return true;
  }
  if (target instanceof HTMLInputElement) {
    return !['radio', 'checkbox', 'button', 'submit', 'reset'].includes(target.type);
  }
  return false;
}

const DIGITS = { '۱': 1, '۲': 2, '۳': 3, '۴': 4, '۵': 5, '۶': 6, '١': 1, '٢': 2, '٣': 3, '٤': 4, '٥': 5, '٦': 6 };

function onKey(event) {
  if (state.view !== 'sit' || event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) {
    return;
  }
  if ($('confirm-dialog').open || isTextField(event.target)) {
    return;
  }
  // The physical key (code) first, so a Persian keyboard layout works the same.
  const code = event.code || '';
  let digit = null;
  const m = /^(?:Digit|Numpad)([1-6])$/.exec(code);
  if (m) {
    digit = Number(m[1]);
  } else if (/^[1-6]$/.test(event.key)) {
    digit = Number(event.key);
  } else if (DIGITS[event.key]) {
    digit = DIGITS[event.key];
  }
  const letter = /^Key[A-Z]$/.test(code) ? code.slice(3) : (event.key || '').toUpperCase();
  if (digit !== null) {
    const opt = question().options[digit - 1];
    if (opt && state.phase === 'sitting') {
      event.preventDefault();
      choose(opt.key);
    }
    return;
  }
  switch (letter) {
    case 'N':
      event.preventDefault();
      go(state.index + 1);
      break;
    case 'P':
      event.preventDefault();
      go(state.index - 1);
      break;
    case 'F':
      event.preventDefault();
      toggleFlag();
      break;
    default:
  }
}

// ---- Save status -------------------------------------------------------------

function onSaveState(s) {
  state.saveState = s;
  if (s === 'saving' || s === 'saved') {
    state.rejected = null;
  }
  renderSaveState();
}

function renderSaveState() {
  const box = $('save-status');
  const text = $('save-status-text');
  const queue = state.queue;
  const count = queue ? queue.size : 0;
  let s = state.saveState;
  if (s === 'saved' && count > 0) {
    s = 'saving';
  }
  box.dataset.state = s;
  text.removeAttribute('data-exam-i18n');
  $('relogin').hidden = s !== 'session';
  switch (s) {
    case 'saving':
      text.textContent = xt('save.saving');
      break;
    case 'saved':
      text.textContent = state.savedAt
        ? xt('save.savedAt', { time: new Intl.DateTimeFormat(dateLocale(), { timeStyle: 'medium' }).format(new Date(state.savedAt)) })
        : xt('save.saved');
      break;
    case 'offline':
      text.textContent = count > 0 ? xt('save.offline', { count }) : xt('save.offlineIdle');
      break;
    case 'retry':
      text.textContent = xt('save.retry', { count });
      break;
    case 'session':
      text.textContent = xt('save.sessionEnded');
      break;
    case 'fatal':
      text.textContent = xt('save.finished');
      break;
    default:
      text.textContent = state.rejected ? xt('save.rejected', { n: state.rejected }) : xt('save.idle');
  }
  if (state.rejected && s !== 'saving') {
    text.textContent = xt('save.rejected', { n: state.rejected });
  }
}

function onSaveRejected(qid) {
  // The server refused this change for good: show what it has instead.
  const i = state.attempt.questions.findIndex((q) => q.id === qid);
  state.rejected = i + 1;
  refreshFromServer();
}

function onSaveFatal(code) {
  if (code === 'time_over') {
    timeOver({ pollNow: true });
    return;
  }
  // Handed in elsewhere (another device) or gone: the server's view decides.
  if (state.phase === 'sitting') {
    state.phase = 'over';
    renderQuestion();
  }
  state.finishBackoff = 1000;
  scheduleFinishPoll(0);
}

async function refreshFromServer() {
  try {
    const view = await call('GET', `/api/v1/attempts/${encodeURIComponent(state.attempt.attempt_id)}`);
    applyView(view);
  } catch {
    // the next save or the timer tries again
  }
}

// ---- Timer ---------------------------------------------------------------------

function startTimer() {
  if (state.timerId === null) {
    state.timerId = setInterval(tick, 250);
  }
  tick();
}

function stopTimer() {
  if (state.timerId !== null) {
    clearInterval(state.timerId);
    state.timerId = null;
  }
}

function tick() {
  if (state.view !== 'sit') {
    return;
  }
  const left = state.deadlineMs - serverNow();
  const timer = $('timer');
  const text = formatClock(left);
  if (timer.textContent !== text) {
    timer.textContent = text;
  }
  timer.classList.toggle('warn', left <= WARNINGS[0].ms);
  timer.classList.toggle('danger', left <= WARNINGS[1].ms);
  timer.dataset.remainingMs = String(Math.max(0, Math.round(left)));
  if (state.phase !== 'sitting') {
    return;
  }
  for (const w of WARNINGS) {
    if (left <= w.ms && left > 0 && !state.warned.has(w.key)) {
      state.warned.add(w.key);
      announce(w.key);
    }
  }
  if (left <= 0) {
    timeOver({ pollNow: false });
  }
}

function announce(key) {
  state.alertKey = key;
  const box = $('timer-alert');
  box.textContent = xt(key);
  box.dataset.key = key;
  box.classList.toggle('over', key === 'sit.timeOver');
  box.hidden = false;
}

// Time is up by the server's clock: no more changes. The answers still waiting
// are sent (the server takes them during its grace), then the page waits for the
// server to finish the attempt as a timeout and shows the finished view.
function timeOver({ pollNow }) {
  if (state.view !== 'sit') {
    return;
  }
  if (state.phase !== 'over') {
    state.phase = 'over';
    announce('sit.timeOver');
    $('confirm-dialog').open && $('confirm-dialog').close();
    renderQuestion();
    state.queue?.flush();
  }
  const grace = (state.attempt.grace_seconds ?? state.attempt.exam?.grace_seconds ?? 0) * 1000;
  // A little after deadline + grace by the server's clock, spread over a second
  // so that a whole sitting does not ask at the same instant.
  const wait = pollNow ? 0 : Math.max(0, state.deadlineMs + grace - serverNow()) + 300 + Math.random() * 1000;
  state.finishBackoff = 1000;
  scheduleFinishPoll(wait);
}

function scheduleFinishPoll(wait) {
  if (state.finishTimer !== null) {
    clearTimeout(state.finishTimer);
  }
  state.finishTimer = setTimeout(pollFinished, wait);
}

async function pollFinished() {
  state.finishTimer = null;
  if (state.view !== 'sit') {
    return;
  }
  try {
    const view = await call('GET', `/api/v1/attempts/${encodeURIComponent(state.attempt.attempt_id)}`);
    if (view.state === 'submitted') {
      applyView(view);
      return;
    }
    state.attempt = view;
    if (view.remaining_ms > 0) {
      // The server says time is left (more was granted, or this clock ran
      // ahead): back to the exam until its deadline.
      const deadline = Date.parse(view.deadline_at);
      const extended = deadline > state.deadlineMs;
      state.deadlineMs = deadline;
      state.phase = 'sitting';
      if (extended) {
        announce('sit.extended');
      } else {
        $('timer-alert').hidden = true;
      }
      renderQuestion();
      return;
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      onSaveState('session');
    }
  }
  const wait = state.finishBackoff;
  state.finishBackoff = Math.min(state.finishBackoff * 2, 5000);
  scheduleFinishPoll(wait);
}

// ---- Handing in ------------------------------------------------------------------

function chips(list, numbers) {
  list.replaceChildren();
  for (const n of numbers) {
    const b = el('button', { type: 'button', class: 'q-chip', 'aria-label': xt('confirm.goto', { n }), text: formatNumber(n) });
    b.addEventListener('click', () => {
      $('confirm-dialog').close();
      go(n - 1);
    });
    list.append(el('li', { dataset: { n: String(n) } }, b));
  }
}

function renderConfirm() {
  const qs = state.attempt.questions;
  const unanswered = [];
  const flagged = [];
  qs.forEach((q, i) => {
    const a = answerOf(q.id);
    if (!a.choice) {
      unanswered.push(i + 1);
    }
    if (a.flagged) {
      flagged.push(i + 1);
    }
  });
  $('confirm-unanswered-heading').textContent = unanswered.length
    ? xt('confirm.unanswered', { count: unanswered.length })
    : xt('confirm.allAnswered');
  chips($('confirm-unanswered'), unanswered);
  $('confirm-unanswered').hidden = unanswered.length === 0;
  $('confirm-flagged-heading').textContent = flagged.length
    ? xt('confirm.flagged', { count: flagged.length })
    : xt('confirm.noFlagged');
  chips($('confirm-flagged'), flagged);
  $('confirm-flagged').hidden = flagged.length === 0;
}

function setConfirmStatus(key, kind, fromSite = false) {
  const box = $('confirm-status');
  box.hidden = !key;
  box.textContent = key ? (fromSite ? t(key) : xt(key)) : '';
  box.classList.toggle('status-error', kind === 'error');
}

function openConfirm() {
  if (state.phase !== 'sitting') {
    return;
  }
  renderConfirm();
  setConfirmStatus(null);
  $('confirm-yes').disabled = false;
  $('confirm-dialog').showModal();
  $('confirm-no').focus();
}

async function submitExam() {
  const yes = $('confirm-yes');
  yes.disabled = true;
  setConfirmStatus('confirm.flushing');
  const flushed = await state.queue.flush();
  if (state.view !== 'sit' || state.phase !== 'sitting') {
    return; // time ran out meanwhile; the time-over path takes over
  }
  if (!flushed) {
    setConfirmStatus('confirm.cannotFlush', 'error');
    yes.disabled = false;
    return;
  }
  setConfirmStatus('confirm.submitting');
  try {
    const view = await call('POST', `/api/v1/attempts/${encodeURIComponent(state.attempt.attempt_id)}/submit`);
    $('confirm-dialog').close();
    applyView(view);
  } catch (err) {
    yes.disabled = false;
    if (err instanceof ApiError && err.status === 401) {
      setConfirmStatus('save.sessionEnded', 'error');
      return;
    }
    setConfirmStatus(generalMessageKey(err), 'error', true);
  }
}

// ---- Finished ----------------------------------------------------------------------

function showDone(view) {
  state.attempt = view;
  state.phase = 'over';
  stopTimer();
  if (state.finishTimer !== null) {
    clearTimeout(state.finishTimer);
    state.finishTimer = null;
  }
  if (state.queue) {
    state.queue.stop();
    state.queue.clearStored();
  } else {
    const q = new SaveQueue({ attemptId: view.attempt_id });
    q.stop();
    q.clearStored();
  }
  if ($('confirm-dialog').open) {
    $('confirm-dialog').close();
  }
  setPageStatus(null);
  showOnly('done');
  renderDone();
  $('done-title').focus();
  loadPublicKey();
}

function renderDone() {
  const view = state.attempt;
  const timeout = view.finish_reason === 'timeout';
  $('done-view').dataset.finishReason = view.finish_reason ?? '';
  $('done-title').textContent = xt(timeout ? 'done.timeout' : 'done.submitted');
  document.title = `${xt(timeout ? 'done.timeout' : 'done.submitted')} — ${xt('exam.pageTitle')}`;
  const dl = $('done-facts');
  dl.replaceChildren();
  fact(dl, xt('done.exam'), view.exam?.title ?? '');
  if (view.submitted_at) {
    fact(dl, xt('done.submittedAt'), formatInstant(view.submitted_at), { id: 'done-submitted-at' });
  }
  if (view.finish_reason) {
    fact(dl, xt('done.reason'), xt(`reason.${view.finish_reason}`), { id: 'done-reason' });
  }
  const answered = Object.values(view.answers ?? {}).filter((a) => a.choice).length;
  fact(dl, xt('done.answered'), xt('done.answeredValue', { answered, total: view.questions?.length ?? 0 }), { id: 'done-answered' });
  fact(dl, xt('done.attemptId'), view.attempt_id, { id: 'done-attempt-id', ltr: true });

  const receipt = view.receipt ?? '';
  $('receipt-box').hidden = !receipt;
  $('no-receipt').hidden = Boolean(receipt);
  $('receipt').value = receipt;
  $('verify-link').href = receipt ? `/verify#receipt=${encodeURIComponent(receipt)}` : '/verify';
  renderCli();
}

function renderCli() {
  const receipt = state.attempt?.receipt || 'RECEIPT';
  $('cli-command').textContent = `examd receipt verify --public-key ${state.publicKey ?? 'KEY'} ${receipt}`;
}

async function loadPublicKey() {
  if (state.publicKey) {
    renderCli();
    return;
  }
  try {
    const k = await api('GET', '/api/v1/receipts/key');
    state.publicKey = k.public_key;
    renderCli();
  } catch {
    // the command keeps its KEY placeholder; /verify works without it
  }
}

async function copyReceipt() {
  const area = $('receipt');
  const status = $('copy-status');
  try {
    await navigator.clipboard.writeText(area.value);
    status.textContent = xt('done.copied');
  } catch {
    area.focus();
    area.select();
    status.textContent = xt('done.copyFailed');
  }
}

// ---- Loading -------------------------------------------------------------------------

async function load() {
  try {
    if (attemptParam) {
      applyView(await call('GET', `/api/v1/attempts/${encodeURIComponent(attemptParam)}`));
      return;
    }
    if (!examId) {
      fail('exam.noExam');
      return;
    }
    const [exams, me] = await Promise.all([
      api('GET', '/api/v1/candidate/exams'),
      api('GET', '/api/v1/candidate/me'),
    ]);
    state.me = me;
    const ex = (exams ?? []).find((e) => e.id === examId);
    if (!ex) {
      fail('exam.notFound');
      return;
    }
    state.exam = ex;
    if (ex.attempt && ex.attempt.state === 'running') {
      applyView(await call('GET', `/api/v1/attempts/${encodeURIComponent(ex.attempt.id)}`));
      return;
    }
    showStart(ex);
  } catch (err) {
    failWith(err);
  }
}

function rerender() {
  applyExamTranslations();
  renderPageStatus();
  if (state.view === 'start') {
    renderStart();
  } else if (state.view === 'sit') {
    buildNav();
    renderQuestion();
    renderSaveState();
    if (state.alertKey && !$('timer-alert').hidden) {
      $('timer-alert').textContent = xt(state.alertKey);
    }
    if ($('confirm-dialog').open) {
      renderConfirm();
    }
    tick();
  } else if (state.view === 'done') {
    renderDone();
  }
}

initI18n();
applyExamTranslations();
document.addEventListener('langchange', rerender);
document.addEventListener('keydown', onKey);
$('start-button').addEventListener('click', startExam);
for (const [id, step] of [['prev', -1], ['next', 1]]) {
  $(id).addEventListener('click', () => {
    go(state.index + step, { focus: false });
    // At the first or last question the button turns off and would drop the focus.
    if ($(id).disabled) {
      $('q-number').focus();
    }
  });
}
$('flag').addEventListener('click', toggleFlag);
$('clear').addEventListener('click', () => choose(null));
$('submit-open').addEventListener('click', openConfirm);
$('confirm-no').addEventListener('click', () => $('confirm-dialog').close());
$('confirm-yes').addEventListener('click', submitExam);
$('copy-receipt').addEventListener('click', copyReceipt);
load();
