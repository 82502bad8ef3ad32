// What the officials' review panels (results, statistics, objections) share:
// the exams that have results, the chosen exam (one choice for all three
// panels), the constituencies, and how scores and rates are written.

import { api } from './api.js';
import { goToLogin, h, isUnauthenticated } from './official-common.js';
import { formatDigits, formatNumber, t } from './i18n.js';

/**
 * reviewState is what the review panels read: the exams that can have results
 * (every exam but drafts, newest first), the chosen one, and the constituencies.
 */
export const reviewState = {
  exams: [],
  examsLoaded: false,
  examId: '',
  constituencies: [],
};

const selects = new Set(); // the <select>s that choose the exam, kept in step

/** reviewExam is the chosen exam, or null. */
export function reviewExam() {
  return reviewState.exams.find((e) => e.id === reviewState.examId) ?? null;
}

/** examFor finds an exam of the list by id, or null. */
export function examFor(id) {
  return reviewState.exams.find((e) => e.id === id) ?? null;
}

/** examOver tells whether the sitting is over: closed, or past its closing time. */
export function examOver(e) {
  return Boolean(e) && (e.status === 'closed' || new Date(e.closes_at).getTime() <= Date.now());
}

function fillSelect(select) {
  const current = reviewState.examId;
  if (reviewState.exams.length === 0) {
    select.replaceChildren(h('option', { value: '', i18n: 'rv.noExams' }));
    select.disabled = true;
    return;
  }
  select.disabled = false;
  select.replaceChildren(
    ...reviewState.exams.map((e) => h('option', { value: e.id, text: `${e.title} — ${t(`estatus.${e.status}`)}` })),
  );
  select.value = current;
}

/**
 * bindExamSelect makes select one of the exam choosers: it lists the exams and
 * a choice there is the choice everywhere ("reviewexamchange" on document).
 */
export function bindExamSelect(select) {
  selects.add(select);
  fillSelect(select);
  select.addEventListener('change', () => chooseExam(select.value));
}

/** chooseExam makes id the chosen exam and tells the panels. */
export function chooseExam(id) {
  if (id === reviewState.examId) {
    return;
  }
  reviewState.examId = id;
  for (const s of selects) {
    s.value = id;
  }
  document.dispatchEvent(new CustomEvent('reviewexamchange', { detail: { examId: id } }));
}

/**
 * loadReviewExams reads the exams again (an exam may have been closed in the
 * meantime). The chosen exam stays; without one, the newest closed exam is
 * chosen, else the newest published one. It resolves false when the list
 * could not be read.
 */
export async function loadReviewExams() {
  let list;
  try {
    list = (await api('GET', '/api/v1/official/exams')) ?? [];
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
    }
    throw err;
  }
  reviewState.exams = list
    .filter((e) => e.status !== 'draft')
    .sort((a, b) => String(b.opens_at).localeCompare(String(a.opens_at)) || String(b.created_at).localeCompare(String(a.created_at)));
  reviewState.examsLoaded = true;
  const before = reviewState.examId;
  if (!examFor(before)) {
    const pick = reviewState.exams.find((e) => e.status === 'closed') ?? reviewState.exams[0];
    reviewState.examId = pick ? pick.id : '';
  }
  for (const s of selects) {
    fillSelect(s);
  }
  if (reviewState.examId !== before) {
    document.dispatchEvent(new CustomEvent('reviewexamchange', { detail: { examId: reviewState.examId } }));
  }
  document.dispatchEvent(new CustomEvent('reviewexamsloaded'));
  return reviewState.exams;
}

/** loadConstituencies reads the constituencies once. */
export async function loadConstituencies() {
  if (reviewState.constituencies.length === 0) {
    reviewState.constituencies = (await api('GET', '/api/v1/constituencies')) ?? [];
  }
  return reviewState.constituencies;
}

/** constituencyName is a constituency's name in the page's language. */
export function constituencyName(c) {
  return document.documentElement.lang === 'en' && c.name_en ? c.name_en : c.name_fa;
}

document.addEventListener('langchange', () => {
  for (const s of selects) {
    fillSelect(s);
  }
});

// ---- Numbers ------------------------------------------------------------------

/** pct writes a percent on the 0–100 scale (negative possible): "۶۶٫۷٪". */
export function pct(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) {
    return '—';
  }
  return formatNumber(Number(n) / 100, { style: 'percent', minimumFractionDigits: 0, maximumFractionDigits: digits });
}

/** rate writes a fraction 0–1 as a percent: 0.5 → "۵۰٪". */
export function rate(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) {
    return '—';
  }
  return formatNumber(Number(n), { style: 'percent', minimumFractionDigits: 0, maximumFractionDigits: digits });
}

/** dec writes a number with at most the given fraction digits; "—" for null. */
export function dec(n, digits = 2) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) {
    return '—';
  }
  return formatNumber(Number(n), { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

/** passBadge is the pass/fail mark: a word and a sign, not colour alone. */
export function passBadge(passed, attrs = {}) {
  if (passed === null || passed === undefined) {
    return h('span', { class: 'muted', text: '—' });
  }
  return h('span', {
    class: `badge ${passed ? 'badge-pass' : 'badge-fail'}`,
    'data-passed': String(passed),
    text: passed ? `✓ ${t('rv.passed')}` : `✗ ${t('rv.failed')}`,
    ...attrs,
  });
}

/** finishText is the words for a finish reason. */
export function finishText(reason) {
  return reason ? t(`finish.${reason}`) : t('rv.notFinished');
}

/**
 * rescoringView shows what a rescoring did: how many attempts were scored
 * again, and each candidate whose pass/fail changed, from what to what.
 */
export function rescoringView(res) {
  const changed = res?.changed ?? [];
  const box = h('div', { class: 'rescoring', 'data-testid': 'rescoring', 'data-rescored': String(res?.rescored ?? 0), 'data-changed': String(changed.length) });
  box.append(h('p', { class: 'rescoring-summary', text: t('rs.summary', { n: res?.rescored ?? 0 }) }));
  if (changed.length === 0) {
    box.append(h('p', { class: 'rescoring-none', 'data-testid': 'rescoring-none', text: t('rs.noneChanged') }));
    return box;
  }
  box.append(h('p', { class: 'rescoring-changed', text: t('rs.changed', { n: changed.length }) }));
  const rows = changed.map((c) =>
    h(
      'tr',
      { 'data-national-id': c.national_id, 'data-attempt-id': c.attempt_id, 'data-passed-after': String(c.passed_after) },
      h('td', { class: 'nowrap', text: formatDigits(c.national_id) }),
      h('td', { class: 'num', text: pct(c.percent_before, 2) }),
      h('td', { class: 'num', text: pct(c.percent_after, 2) }),
      h('td', {}, passBadge(c.passed_before)),
      h('td', {}, passBadge(c.passed_after)),
      h('td', { class: 'change-mark', text: c.passed_after ? t('rs.nowPasses') : t('rs.nowFails') }),
    ),
  );
  box.append(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data-table compact', 'data-testid': 'rescoring-table' },
        h('caption', { class: 'visually-hidden', i18n: 'rs.caption' }),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col', i18n: 'field.national_id' }),
            h('th', { scope: 'col', i18n: 'rs.percentBefore' }),
            h('th', { scope: 'col', i18n: 'rs.percentAfter' }),
            h('th', { scope: 'col', i18n: 'rs.before' }),
            h('th', { scope: 'col', i18n: 'rs.after' }),
            h('th', { scope: 'col', i18n: 'rs.change' }),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  );
  return box;
}
