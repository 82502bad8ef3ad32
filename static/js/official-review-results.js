// The results panel: every candidate's best attempt of the chosen exam, paged
// and sorted by the server (the column headers sort), filtered by
// constituency, pass/fail, finish reason and a name or national ID; exports of
// exactly the filtered rows; a candidate's whole attempt on a click; and, for
// admins, publishing the results to candidates and rescoring.

import { api } from './api.js';
import {
  confirmAction,
  formatInstant,
  goToLogin,
  h,
  isUnauthenticated,
  latinDigits,
  renderPager,
  setErrorStatus,
  setStatus,
} from './official-common.js';
import {
  bindExamSelect,
  constituencyName,
  dec,
  examOver,
  finishText,
  loadConstituencies,
  loadReviewExams,
  passBadge,
  pct,
  rescoringView,
  reviewExam,
  reviewState,
} from './official-review-common.js';
import { openResultDetail } from './official-review-detail.js';
import { formatDigits, t } from './i18n.js';

const PER_PAGE = 25;

const filter = { constituency: '', passed: '', finish_reason: '', q: '', sort: 'name', order: 'asc', page: 1 };
let listed = null; // the last answer of the results API
let seq = 0; // answers to older requests are dropped
let wired = false;
let showing = false;
let rescored = null; // the last rescoring's outcome, shown under the publish buttons

const panel = () => document.getElementById('panel-results');

/** resultsQuery is the filter as the API's query; paged adds page and per_page. */
function resultsQuery(paged) {
  const params = new URLSearchParams();
  for (const key of ['constituency', 'passed', 'finish_reason', 'q']) {
    if (filter[key] !== '') {
      params.set(key, filter[key]);
    }
  }
  params.set('sort', filter.sort);
  params.set('order', filter.order);
  if (paged) {
    params.set('page', String(filter.page));
    params.set('per_page', String(PER_PAGE));
  }
  return params;
}

function examPath(suffix = '') {
  return `/api/v1/official/exams/${encodeURIComponent(reviewState.examId)}${suffix}`;
}

// ---- The exam's state and the admin's buttons -------------------------------------

function renderExamState() {
  const e = reviewExam();
  const state = document.getElementById('rv-exam-state');
  const card = document.getElementById('rv-publish');
  if (!e) {
    state.textContent = '';
    card.hidden = true;
    return;
  }
  card.hidden = false;
  state.replaceChildren(
    h('span', { class: `badge badge-${e.status}`, 'data-status': e.status, text: t(`estatus.${e.status}`) }),
    ' ',
    h('span', { class: 'muted', text: t('rv.passLine', { percent: pct(e.pass_percent, 2) }) }),
  );
  const results = document.getElementById('rv-results-state');
  results.dataset.published = String(Boolean(e.results_published));
  results.className = `results-state ${e.results_published ? 'is-published' : 'is-unpublished'}`;
  results.textContent = e.results_published ? t('rv.resultsPublished') : examOver(e) ? t('rv.resultsUnpublished') : t('rv.resultsNotYet');

  const publish = document.getElementById('rv-publish-results');
  if (publish) {
    publish.hidden = Boolean(e.results_published);
    publish.disabled = !examOver(e);
  }
  const old = document.getElementById('rv-rescoring');
  if (old && (!rescored || rescored.exam_id !== e.id)) {
    old.remove();
  }
}

async function publishResults() {
  const e = reviewExam();
  if (!e || !(await confirmAction('rv.publishConfirm', { title: e.title }, 'rv.publishResults'))) {
    return;
  }
  const box = document.getElementById('rv-publish-status');
  setStatus(box, { key: 'common.sending' });
  try {
    const updated = await api('POST', examPath('/publish-results'));
    Object.assign(e, updated ?? { results_published: true });
    e.results_published = true;
    renderExamState();
    setStatus(box, { key: 'rv.publishedNow', kind: 'ok' });
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    setErrorStatus(box, err);
  }
}

async function rescore() {
  const e = reviewExam();
  if (!e || !(await confirmAction('rv.rescoreConfirm', { title: e.title }, 'rv.rescore'))) {
    return;
  }
  const box = document.getElementById('rv-publish-status');
  setStatus(box, { key: 'common.sending' });
  try {
    rescored = await api('POST', examPath('/rescore'));
    setStatus(box, { key: 'rv.rescored', kind: 'ok' });
    document.getElementById('rv-rescoring')?.remove();
    const view = rescoringView(rescored);
    view.id = 'rv-rescoring';
    box.after(view);
    document.dispatchEvent(new CustomEvent('reviewdatachange'));
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    setErrorStatus(box, err);
  }
}

// ---- Filters and exports --------------------------------------------------------

function renderConstituencies() {
  const select = document.getElementById('rv-constituency');
  select.replaceChildren(
    h('option', { value: '', i18n: 'rv.allConstituencies' }),
    ...reviewState.constituencies.map((c) => h('option', { value: String(c.id), text: constituencyName(c) })),
  );
  select.value = filter.constituency;
}

function renderExports() {
  const qs = resultsQuery(false).toString();
  for (const [id, ext] of [['rv-csv', 'csv'], ['rv-xlsx', 'xlsx']]) {
    const a = document.getElementById(id);
    if (!reviewState.examId) {
      a.hidden = true;
      a.removeAttribute('href');
      continue;
    }
    a.hidden = false;
    a.href = `${examPath(`/results.${ext}`)}?${qs}`;
    a.setAttribute('download', `results.${ext}`);
  }
}

function readFilterForm() {
  filter.constituency = document.getElementById('rv-constituency').value;
  filter.passed = document.getElementById('rv-passed').value;
  filter.finish_reason = document.getElementById('rv-finish').value;
  // Digits typed on a Persian keyboard are sent as ASCII (the server reads both).
  filter.q = latinDigits(document.getElementById('rv-q').value).trim();
  filter.page = 1;
}

// ---- The table ----------------------------------------------------------------

function renderSortHeaders() {
  for (const th of document.querySelectorAll('#rv-table th[data-sort]')) {
    const on = th.dataset.sort === filter.sort;
    if (on) {
      th.setAttribute('aria-sort', filter.order === 'desc' ? 'descending' : 'ascending');
    } else {
      th.removeAttribute('aria-sort');
    }
    th.querySelector('.sort-mark').textContent = on ? (filter.order === 'desc' ? '▼' : '▲') : '↕';
    th.classList.toggle('sorted', on);
  }
}

function sectionsCell(sections) {
  if (!Array.isArray(sections) || sections.length === 0) {
    return h('td', { class: 'muted', text: '—' });
  }
  return h(
    'td',
    { class: 'sections-cell' },
    h(
      'ul',
      { class: 'section-scores' },
      ...sections.map((s) =>
        h(
          'li',
          { class: s.passed ? 'section-ok' : 'section-low', 'data-section': s.key },
          h('bdi', { text: s.title || s.key }),
          ': ',
          h('span', { class: 'num', text: pct(s.percent, 1) }),
          s.passed ? null : h('span', { class: 'section-flag', text: ` ${t('rv.belowMin', { min: pct(s.min_percent, 1) })}` }),
        ),
      ),
    ),
  );
}

/** constituencyLabel is a row's constituency in the page's language, when the list has it. */
function constituencyLabel(r) {
  const known = reviewState.constituencies.find((k) => k.id === r.constituency_id);
  return known ? constituencyName(known) : r.constituency;
}

function renderRows() {
  const body = document.getElementById('rv-body');
  const summary = document.getElementById('rv-summary');
  if (!listed) {
    body.replaceChildren();
    summary.textContent = '';
    document.getElementById('rv-pager').hidden = true;
    return;
  }
  summary.textContent = listed.total === 0 ? t('rv.none') : t('rv.count', { count: listed.total });
  body.replaceChildren(
    ...listed.items.map((r) => {
      const view = h('button', { type: 'button', class: 'button secondary small', 'data-attempt-id': r.attempt_id, i18n: 'rv.open' });
      view.setAttribute('aria-label', t('rv.openLabel', { name: r.candidate }));
      return h(
        'tr',
        {
          class: 'clickable',
          'data-attempt-id': r.attempt_id,
          'data-national-id': r.national_id,
          'data-percent': String(r.percent),
          'data-passed': String(r.passed),
          'data-testid': 'result-row',
        },
        h('td', { class: 'name-cell' }, h('bdi', { text: r.candidate })),
        h('td', { class: 'nowrap', 'data-testid': 'national-id', text: formatDigits(r.national_id) }),
        h('td', {}, h('bdi', { text: constituencyLabel(r) })),
        h('td', { class: 'num', text: t('rv.scoreOf', { score: dec(r.score), max: dec(r.max_score) }) }),
        h('td', { class: 'num percent-cell', 'data-testid': 'percent', text: pct(r.percent, 2) }),
        sectionsCell(r.section_scores),
        h('td', {}, passBadge(r.passed)),
        h('td', { class: 'nowrap', text: finishText(r.finish_reason) }),
        h('td', { class: 'nowrap', text: formatInstant(r.submitted_at) }),
        h('td', { class: 'actions-cell' }, view),
      );
    }),
  );
  if (listed.items.length === 0) {
    body.append(h('tr', {}, h('td', { colspan: '10', class: 'placeholder', text: t('rv.none') })));
  }
  renderPager(document.getElementById('rv-pager'), { page: listed.page, perPage: listed.per_page, total: listed.total }, (page) => {
    filter.page = page;
    loadRows();
  }, 'rv');
}

async function loadRows() {
  renderSortHeaders();
  renderExports();
  if (!reviewState.examId) {
    listed = null;
    renderRows();
    setStatus(document.getElementById('rv-status'), { key: 'rv.noExamsLong' });
    return;
  }
  const mine = ++seq;
  const table = document.getElementById('rv-table');
  table.setAttribute('aria-busy', 'true');
  panel().dataset.loaded = 'false';
  try {
    const answer = await api('GET', `${examPath('/results')}?${resultsQuery(true)}`);
    if (mine !== seq) {
      return;
    }
    listed = answer;
    setStatus(document.getElementById('rv-status'), null);
    renderRows();
  } catch (err) {
    if (mine !== seq) {
      return;
    }
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    listed = null;
    renderRows();
    setErrorStatus(document.getElementById('rv-status'), err);
  } finally {
    if (mine === seq) {
      table.removeAttribute('aria-busy');
      panel().dataset.loaded = 'true';
    }
  }
}

function openRow(tr) {
  const opener = tr.querySelector('button[data-attempt-id]');
  openResultDetail(reviewState.examId, tr.dataset.attemptId, opener);
}

/** initResults wires the panel once; the data is read when the panel is shown. */
export function initResults() {
  if (wired) {
    return;
  }
  wired = true;
  bindExamSelect(document.getElementById('rv-exam'));
  document.getElementById('rv-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    readFilterForm();
    loadRows();
  });
  for (const id of ['rv-constituency', 'rv-passed', 'rv-finish']) {
    document.getElementById(id).addEventListener('change', () => document.getElementById('rv-filter').requestSubmit());
  }
  for (const button of document.querySelectorAll('#rv-table .sort-button')) {
    button.addEventListener('click', () => {
      const key = button.dataset.sort;
      if (filter.sort === key) {
        filter.order = filter.order === 'asc' ? 'desc' : 'asc';
      } else {
        filter.sort = key;
        filter.order = 'asc';
      }
      filter.page = 1;
      loadRows();
    });
  }
  document.getElementById('rv-body').addEventListener('click', (event) => {
    const tr = event.target.closest('tr[data-attempt-id]');
    if (tr) {
      openRow(tr);
    }
  });
  document.getElementById('rv-publish-results')?.addEventListener('click', publishResults);
  document.getElementById('rv-rescore')?.addEventListener('click', rescore);
  document.addEventListener('reviewexamchange', () => {
    filter.page = 1;
    rescored = null;
    setStatus(document.getElementById('rv-publish-status'), null);
    renderExamState();
    if (!showing && !panel().hidden) {
      loadRows();
    }
  });
  document.addEventListener('reviewexamsloaded', renderExamState);
  document.addEventListener('reviewdatachange', () => {
    if (!panel().hidden) {
      loadRows();
    } else {
      listed = null;
    }
  });
  document.addEventListener('langchange', () => {
    renderConstituencies();
    renderExamState();
    renderSortHeaders();
    renderRows();
    if (rescored && document.getElementById('rv-rescoring')) {
      const view = rescoringView(rescored);
      view.id = 'rv-rescoring';
      document.getElementById('rv-rescoring').replaceWith(view);
    }
  });
}

/** showResults reads the exams and the chosen exam's results (each time the panel is opened). */
export async function showResults() {
  initResults();
  showing = true;
  try {
    await Promise.all([
      loadReviewExams(),
      loadConstituencies().then(renderConstituencies),
    ]);
  } catch (err) {
    if (!isUnauthenticated(err)) {
      setErrorStatus(document.getElementById('rv-status'), err);
    }
    return;
  } finally {
    showing = false;
  }
  renderExamState();
  await loadRows();
}
