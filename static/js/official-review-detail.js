// One candidate's attempt, for officials: the attempt and its score, the score
// of each section against its minimum, every answer beside the correct key
// (officials may see keys), the timeline from the audit log, and the signed
// receipt with a check of its signature.

import { api } from './api.js';
import {
  errorKey,
  formatInstant,
  goToLogin,
  h,
  isUnauthenticated,
  num,
  optionLabel,
  sectionLabel,
  setErrorStatus,
  setStatus,
} from './official-common.js';
import { dec, finishText, passBadge, pct } from './official-review-common.js';
import { formatDigits, has, t } from './i18n.js';

let current = null; // {examId, attemptId, detail}
let opener = null;
let wired = false;

function outcomeOf(a) {
  if (a.voided) {
    return 'voided';
  }
  if (!a.choice) {
    return 'blank';
  }
  return a.choice === a.correct ? 'correct' : 'wrong';
}

const OUTCOME_MARK = { correct: '✓', wrong: '✗', blank: '○', voided: '⊘' };

function metaList(d) {
  const dl = h('dl', { class: 'details compact-details detail-meta' });
  const row = (key, value, attrs = {}) => dl.append(h('dt', { i18n: key }), h('dd', attrs, value));
  row('field.national_id', formatDigits(d.national_id), { 'data-testid': 'rd-national-id' });
  row('rv.constituency', h('bdi', { text: d.constituency }));
  row('rd.number', num(d.number));
  row('rd.startedAt', formatInstant(d.started_at, { withSeconds: true }));
  row('rd.deadlineAt', formatInstant(d.deadline_at, { withSeconds: true }));
  row('rv.submittedAt', formatInstant(d.submitted_at, { withSeconds: true }));
  row('rv.finish', finishText(d.finish_reason));
  row('rd.extra', d.extra_seconds ? t('common.minutes', { n: Math.round((d.extra_seconds / 60) * 100) / 100 }) : t('common.none'));
  row('rv.score', t('rv.scoreOf', { score: dec(d.score), max: dec(d.max_score) }));
  row('rv.percent', pct(d.percent, 2), { 'data-testid': 'rd-percent' });
  row('rv.result', passBadge(d.passed, { 'data-testid': 'rd-passed' }));
  return dl;
}

function sectionsTable(sections) {
  if (!Array.isArray(sections) || sections.length === 0) {
    return null;
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data-table compact' },
      h('caption', { i18n: 'rd.sections' }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', i18n: 'ex.sectionTitle' }),
          h('th', { scope: 'col', i18n: 'rv.score' }),
          h('th', { scope: 'col', i18n: 'rv.percent' }),
          h('th', { scope: 'col', i18n: 'ex.minPercent' }),
          h('th', { scope: 'col', i18n: 'rd.counts' }),
          h('th', { scope: 'col', i18n: 'rv.result' }),
        ),
      ),
      h(
        'tbody',
        {},
        ...sections.map((s) =>
          h(
            'tr',
            { 'data-section': s.key },
            h('th', { scope: 'row' }, h('bdi', { text: s.title || s.key })),
            h('td', { class: 'num', text: t('rv.scoreOf', { score: dec(s.score), max: dec(s.max) }) }),
            h('td', { class: 'num', text: pct(s.percent, 2) }),
            h('td', { class: 'num', text: pct(s.min_percent, 2) }),
            h('td', { class: 'nowrap', text: t('rd.countsText', { correct: s.correct ?? 0, wrong: s.wrong ?? 0, blank: s.blank ?? 0 }) }),
            h('td', {}, passBadge(s.passed)),
          ),
        ),
      ),
    ),
  );
}

function answerItem(a, i) {
  const outcome = outcomeOf(a);
  const options = h(
    'ol',
    { class: 'q-options answer-options' },
    ...(a.options ?? []).map((o) => {
      const isKey = o.key === a.correct;
      const chosen = o.key === a.choice;
      const classes = ['q-option'];
      if (isKey) {
        classes.push('correct');
      }
      if (chosen) {
        classes.push('chosen', isKey ? 'chosen-right' : 'chosen-wrong');
      }
      return h(
        'li',
        { class: classes.join(' '), 'data-key': o.key, 'data-correct': isKey ? 'true' : false, 'data-chosen': chosen ? 'true' : false },
        h('span', { class: 'q-option-key', text: optionLabel(o.key) }),
        h('span', { class: 'q-option-text', dir: 'auto', text: o.text }),
        isKey ? h('span', { class: 'badge badge-correct', 'data-testid': 'key-mark', text: `✓ ${t('q.correctAnswer')}` }) : null,
        chosen ? h('span', { class: `badge ${isKey ? 'badge-chosen' : 'badge-chosen-wrong'}`, 'data-testid': 'choice-mark', text: t('rd.theirChoice') }) : null,
      );
    }),
  );
  const head = h(
    'div',
    { class: 'answer-head' },
    h('span', { class: 'answer-number', text: t('rd.questionN', { n: i + 1 }) }),
    h('bdi', { class: 'muted small-text', text: sectionLabel(a.section) }),
    h('span', { class: `badge outcome outcome-${outcome}`, 'data-testid': 'outcome', text: `${OUTCOME_MARK[outcome]} ${t(`outcome.${outcome}`)}` }),
    a.flagged ? h('span', { class: 'badge badge-flag', text: `⚑ ${t('rd.flaggedByCandidate')}` }) : null,
  );
  const foot = h(
    'p',
    { class: 'answer-foot muted small-text' },
    a.saved_at ? t('rd.savedAt', { at: formatInstant(a.saved_at, { withSeconds: true }) }) : t('rd.neverSaved'),
  );
  return h(
    'li',
    { class: `answer outcome-${outcome}`, 'data-question-id': a.question_id, 'data-outcome': outcome, 'data-testid': 'answer' },
    head,
    h('p', { class: 'answer-stem', dir: 'auto', text: a.stem }),
    options,
    foot,
  );
}

function answersSection(answers) {
  const list = answers ?? [];
  const counts = { correct: 0, wrong: 0, blank: 0, voided: 0 };
  for (const a of list) {
    counts[outcomeOf(a)] += 1;
  }
  return h(
    'section',
    { class: 'detail-part', 'aria-labelledby': 'rd-answers-heading' },
    h('h3', { id: 'rd-answers-heading', i18n: 'rd.answers' }),
    h('p', { class: 'summary', 'data-testid': 'rd-answers-summary', text: t('rd.answersSummary', { total: list.length, ...counts }) }),
    h('ol', { class: 'answers', id: 'rd-answers' }, ...list.map(answerItem)),
  );
}

function actionLabel(action) {
  return has(`action.${action}`) ? t(`action.${action}`) : action;
}

function timelineSection(timeline) {
  const rows = (timeline ?? []).map((r) => {
    const kind = has(`actor.${r.actor_kind}`) ? t(`actor.${r.actor_kind}`) : r.actor_kind;
    const details =
      r.details && typeof r.details === 'object' && Object.keys(r.details).length > 0
        ? h('details', { class: 'audit-details' }, h('summary', { i18n: 'audit.showDetails' }), h('pre', { dir: 'ltr', lang: 'en', text: JSON.stringify(r.details, null, 2) }))
        : h('span', { class: 'muted', text: '—' });
    return h(
      'tr',
      { 'data-action': r.action },
      h('td', { class: 'nowrap', text: formatInstant(r.at, { withSeconds: true }) }),
      // Officials are named; a candidate's own events need no name here (the attempt is theirs).
      h('td', {}, r.actor_kind === 'official' && r.actor_name ? h('bdi', { text: r.actor_name }) : null, r.actor_kind === 'official' ? h('span', { class: 'muted small-text', text: ` (${kind})` }) : h('span', { text: kind })),
      h('td', {}, h('span', { class: 'action-label', text: actionLabel(r.action) }), h('code', { dir: 'ltr', class: 'action-code', text: r.action })),
      h('td', {}, details),
    );
  });
  return h(
    'section',
    { class: 'detail-part', 'aria-labelledby': 'rd-timeline-heading' },
    h('h3', { id: 'rd-timeline-heading', i18n: 'rd.timeline' }),
    rows.length === 0
      ? h('p', { class: 'placeholder', i18n: 'rd.noTimeline' })
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data-table compact', 'data-testid': 'rd-timeline' },
            h('caption', { class: 'visually-hidden', i18n: 'rd.timeline' }),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col', i18n: 'audit.at' }),
                h('th', { scope: 'col', i18n: 'audit.actor' }),
                h('th', { scope: 'col', i18n: 'audit.action' }),
                h('th', { scope: 'col', i18n: 'audit.details' }),
              ),
            ),
            h('tbody', {}, ...rows),
          ),
        ),
  );
}

function receiptSection(receipt) {
  const part = h('section', { class: 'detail-part', 'aria-labelledby': 'rd-receipt-heading' }, h('h3', { id: 'rd-receipt-heading', i18n: 'rd.receipt' }));
  if (!receipt) {
    part.append(h('p', { class: 'placeholder', i18n: 'rd.noReceipt' }));
    return part;
  }
  const area = h('textarea', { id: 'rd-receipt', class: 'receipt-text', rows: '3', dir: 'ltr', readonly: true, spellcheck: 'false', 'data-testid': 'rd-receipt' });
  area.value = receipt;
  const status = h('p', { class: 'status', id: 'rd-receipt-status', role: 'status', 'aria-live': 'polite', hidden: true });
  const check = h('button', { type: 'button', class: 'button secondary small', id: 'rd-verify', i18n: 'rd.verify' });
  check.addEventListener('click', async () => {
    setStatus(status, { key: 'common.sending' });
    try {
      const res = await api('POST', '/api/v1/receipts/verify', { receipt });
      setStatus(status, res?.valid ? { key: 'rd.receiptValid', kind: 'ok' } : { key: 'rd.receiptInvalid', kind: 'error' });
    } catch (err) {
      setErrorStatus(status, err);
    }
  });
  part.append(
    h('label', { for: 'rd-receipt', class: 'visually-hidden', i18n: 'rd.receipt' }),
    area,
    h('div', { class: 'receipt-actions' }, check, status),
  );
  return part;
}

function render() {
  const body = document.getElementById('rd-body');
  const heading = document.getElementById('rd-heading');
  if (!current?.detail) {
    return;
  }
  const d = current.detail;
  delete heading.dataset.i18n;
  heading.replaceChildren(h('span', { text: t('rd.headingOf') }), ' ', h('bdi', { text: d.candidate }));
  body.replaceChildren(
    metaList(d),
    sectionsTable(d.section_scores) ?? '',
    answersSection(d.answers),
    timelineSection(d.timeline),
    receiptSection(d.receipt),
  );
  body.dataset.attemptId = d.attempt_id;
}

/**
 * openResultDetail shows one attempt in the page's result dialog; the focus
 * goes back to from (the button that opened it) when the dialog closes.
 */
export async function openResultDetail(examId, attemptId, from = null) {
  wire();
  opener = from ?? document.activeElement;
  const dialog = document.getElementById('result-dialog');
  const body = document.getElementById('rd-body');
  const heading = document.getElementById('rd-heading');
  const status = document.getElementById('rd-status');
  current = { examId, attemptId, detail: null };
  heading.dataset.i18n = 'rd.heading';
  heading.textContent = t('rd.heading');
  body.replaceChildren();
  delete body.dataset.attemptId;
  setStatus(status, { key: 'common.loading' });
  if (!dialog.open) {
    dialog.showModal();
  }
  heading.focus();
  try {
    const detail = await api('GET', `/api/v1/official/exams/${encodeURIComponent(examId)}/results/${encodeURIComponent(attemptId)}`);
    if (current?.attemptId !== attemptId) {
      return;
    }
    current.detail = detail;
    setStatus(status, null);
    render();
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    setStatus(status, { key: errorKey(err), kind: 'error' });
  }
}

function wire() {
  if (wired) {
    return;
  }
  wired = true;
  const dialog = document.getElementById('result-dialog');
  dialog.addEventListener('close', () => {
    current = null;
    if (opener && opener.isConnected) {
      opener.focus();
    }
    opener = null;
  });
  document.addEventListener('langchange', render);
}
