// The statistics panel: the exam's numbers (sat, passed, pass rate, mean,
// median, SD, range, KR-20 and SEM with what they mean), a histogram of
// percents and the pass rate of each constituency as SVG charts with their
// numbers in tables, and the item analysis of every question with the
// questions to review marked in words, not only in colour.

import { api } from './api.js';
import { goToLogin, h, isUnauthenticated, num, optionLabel, sectionLabel, setErrorStatus, setStatus } from './official-common.js';
import { histogram, miniBar, rateBars } from './official-review-charts.js';
import {
  bindExamSelect,
  constituencyName,
  dec,
  loadConstituencies,
  loadReviewExams,
  pct,
  rate,
  reviewExam,
  reviewState,
} from './official-review-common.js';
import { getLang, t } from './i18n.js';

let stats = null;
let items = null;
let seq = 0;
let wired = false;
let showing = false;

const panel = () => document.getElementById('panel-stats');

function examPath(suffix) {
  return `/api/v1/official/exams/${encodeURIComponent(reviewState.examId)}${suffix}`;
}

// ---- Numbers ----------------------------------------------------------------

function renderNumbers() {
  const body = document.getElementById('st-numbers-body');
  const rel = document.getElementById('st-rel');
  const basis = document.getElementById('st-rel-basis');
  if (!stats) {
    body.replaceChildren();
    rel.replaceChildren();
    basis.textContent = '';
    return;
  }
  const row = (key, value, stat) =>
    h('tr', { 'data-stat': stat }, h('th', { scope: 'row', i18n: key }), h('td', { class: 'num', 'data-testid': `stat-${stat}`, text: value }));
  body.replaceChildren(
    row('st.sat', num(stats.sat), 'sat'),
    row('st.passedCount', num(stats.passed), 'passed'),
    row('st.passRate', rate(stats.pass_rate), 'pass_rate'),
    row('st.mean', pct(stats.mean, 2), 'mean'),
    row('st.median', pct(stats.median, 2), 'median'),
    row('st.sd', t('st.points', { n: dec(stats.sd, 2) }), 'sd'),
    row('st.min', pct(stats.min, 2), 'min'),
    row('st.max', pct(stats.max, 2), 'max'),
    row('st.kr20', stats.kr20 === null || stats.kr20 === undefined ? t('st.undefined') : dec(stats.kr20, 3), 'kr20'),
    row('st.sem', stats.sem === null || stats.sem === undefined ? t('st.undefined') : t('st.points', { n: dec(stats.sem, 2) }), 'sem'),
  );

  const figure = (key, value, note, stat) =>
    h('div', { class: 'rel-figure', 'data-stat': stat }, h('dt', { i18n: key }), h('dd', {}, h('span', { class: 'rel-value', text: value }), note ? h('span', { class: 'rel-note', text: note }) : null));
  const kr = stats.kr20;
  rel.replaceChildren(
    figure('st.kr20', kr === null || kr === undefined ? t('st.undefined') : dec(kr, 3), kr === null || kr === undefined ? t('st.krUndefined') : t(`st.krLevel.${krLevel(kr)}`), 'kr20'),
    figure('st.sem', stats.sem === null || stats.sem === undefined ? t('st.undefined') : t('st.points', { n: dec(stats.sem, 2) }), stats.sem === null || stats.sem === undefined ? '' : t('st.semNote', { n: dec(stats.sem, 1) }), 'sem'),
  );
  basis.textContent = t(stats.reliability_basis === 'positions' ? 'st.basisPositions' : 'st.basisItems', { k: stats.reliability_items ?? 0 });
}

function krLevel(kr) {
  if (kr >= 0.8) {
    return 'good';
  }
  if (kr >= 0.6) {
    return 'fair';
  }
  return 'low';
}

// ---- Charts -----------------------------------------------------------------

function rangeText(from, to) {
  return t('st.rangeText', { from: pct(from, 1), to: pct(to, 1) });
}

function renderHistogram() {
  const fig = document.getElementById('st-hist');
  const body = document.getElementById('st-hist-body');
  if (!stats) {
    fig.replaceChildren();
    body.replaceChildren();
    return;
  }
  const bins = stats.histogram ?? [];
  const e = reviewExam();
  const chart = histogram(bins, {
    passPercent: e ? e.pass_percent : null,
    rtl: getLang() === 'fa',
    labels: {
      title: t('st.histHeading'),
      desc: t('st.histDesc', { sat: stats.sat, bins: bins.filter((b) => b.count > 0).map((b) => `${rangeText(b.from, b.to)}: ${num(b.count)}`).join('؛ ') || t('st.nobody') }),
      axis: t('st.histAxis'),
      count: t('st.count'),
      pass: e ? t('st.passLineLabel', { percent: pct(e.pass_percent, 1) }) : '',
      bin: (from, to, count) => `${rangeText(from, to)}: ${t('st.candidates', { n: count })}`,
    },
  });
  fig.replaceChildren(chart, h('figcaption', { class: 'visually-hidden', text: t('st.histHeading') }));
  body.replaceChildren(
    ...bins.map((b) => h('tr', {}, h('th', { scope: 'row', class: 'num', text: rangeText(b.from, b.to) }), h('td', { class: 'num', text: num(b.count) }))),
  );
}

function renderConstituencies() {
  const fig = document.getElementById('st-const-chart');
  const body = document.getElementById('st-const-body');
  if (!stats) {
    fig.replaceChildren();
    body.replaceChildren();
    return;
  }
  // The names in the page's language, when the list of constituencies has them.
  const named = (c) => {
    const known = reviewState.constituencies.find((k) => k.id === c.constituency_id);
    return known ? constituencyName(known) : c.constituency;
  };
  const list = stats.by_constituency ?? [];
  if (list.length === 0) {
    fig.replaceChildren(h('p', { class: 'placeholder', i18n: 'st.nobody' }));
  } else {
    fig.replaceChildren(
      rateBars(
        list.map((c) => ({ key: String(c.constituency_id), label: named(c), value: c.pass_rate, text: rate(c.pass_rate) })),
        {
          rtl: getLang() === 'fa',
          title: t('st.constHeading'),
          desc: list.map((c) => `${named(c)}: ${rate(c.pass_rate)}`).join('؛ '),
        },
      ),
    );
  }
  body.replaceChildren(
    ...list.map((c) =>
      h(
        'tr',
        { 'data-constituency-id': String(c.constituency_id) },
        h('th', { scope: 'row' }, h('bdi', { text: named(c) })),
        h('td', { class: 'num', text: num(c.sat) }),
        h('td', { class: 'num', text: num(c.passed) }),
        h('td', { class: 'num', text: rate(c.pass_rate) }),
        h('td', { class: 'num', text: pct(c.mean, 2) }),
      ),
    ),
  );
}

// ---- Items ------------------------------------------------------------------

function optionsCell(it) {
  const keys = Object.keys(it.options ?? {}).sort();
  const shown = it.shown || 0;
  return h(
    'td',
    { class: 'options-cell' },
    h(
      'ul',
      { class: 'option-counts' },
      ...keys.map((k) => {
        const isKey = k === it.correct;
        const n = it.options[k];
        return h(
          'li',
          { class: isKey ? 'is-key' : false, 'data-key': k, 'data-count': String(n) },
          h('span', { class: 'opt-key', text: optionLabel(k) }),
          h('span', { class: 'opt-count num', text: num(n) }),
          shown > 0 ? h('span', { class: 'opt-share muted', text: `(${rate(n / shown, 0)})` }) : null,
          isKey ? h('span', { class: 'visually-hidden', text: t('st.isKey') }) : null,
          isKey ? h('span', { class: 'key-tick', 'aria-hidden': 'true', text: '✓' }) : null,
        );
      }),
    ),
  );
}

function renderItems() {
  const body = document.getElementById('st-items-body');
  const summary = document.getElementById('st-items-summary');
  if (!items) {
    body.replaceChildren();
    summary.textContent = '';
    return;
  }
  const onlyFlagged = document.getElementById('st-only-flagged').checked;
  const flagged = items.filter((it) => it.flagged).length;
  summary.textContent = items.length === 0 ? t('st.noItems') : t('st.itemsCount', { count: items.length, flagged });
  const rtl = getLang() === 'fa';
  const rows = [];
  items.forEach((it, i) => {
    if (onlyFlagged && !it.flagged) {
      return;
    }
    const review = [];
    if (it.flagged) {
      review.push(h('span', { class: 'badge badge-flag', 'data-testid': 'flag-mark', text: `⚑ ${t('st.flagged')}` }));
    }
    if (it.voided) {
      review.push(h('span', { class: 'badge badge-voided', text: `⊘ ${t('st.voided')}` }));
    }
    if (review.length === 0) {
      review.push(h('span', { class: 'muted', text: '—' }));
    }
    const disc = it.discrimination;
    rows.push(
      h(
        'tr',
        {
          class: [it.flagged ? 'flagged-row' : '', it.voided ? 'voided-row' : ''].join(' ').trim() || false,
          'data-question-id': it.question_id,
          'data-flagged': String(Boolean(it.flagged)),
          'data-testid': 'item-row',
        },
        h('td', { class: 'num', text: num(i + 1) }),
        h('td', { class: 'stem-cell' }, h('span', { class: 'clamp', dir: 'auto', title: it.stem, text: it.stem }), h('bdi', { class: 'muted small-text item-section', text: sectionLabel(it.section) })),
        h('td', { class: 'nowrap', text: optionLabel(it.correct) }),
        h('td', { class: 'num', text: num(it.shown) }),
        h('td', { class: 'num p-cell' }, h('span', { class: 'p-value', text: dec(it.p, 2) }), miniBar(it.p, { rtl })),
        h('td', { class: `num ${disc !== null && disc !== undefined && disc < 0 ? 'negative' : ''}`, text: disc === null || disc === undefined ? '—' : dec(disc, 2) }),
        h('td', { class: 'num', text: rate(it.blank_rate, 0) }),
        optionsCell(it),
        h('td', { class: 'review-cell' }, ...review),
      ),
    );
  });
  body.replaceChildren(...rows);
  if (rows.length === 0 && items.length > 0) {
    body.append(h('tr', {}, h('td', { colspan: '9', class: 'placeholder', i18n: 'st.noneFlagged' })));
  }
}

function renderAll() {
  renderNumbers();
  renderHistogram();
  renderConstituencies();
  renderItems();
}

function renderExamState() {
  const e = reviewExam();
  const state = document.getElementById('st-exam-state');
  if (!e) {
    state.textContent = '';
    return;
  }
  state.replaceChildren(
    h('span', { class: `badge badge-${e.status}`, text: t(`estatus.${e.status}`) }),
    ' ',
    h('span', { class: 'muted', text: t('rv.passLine', { percent: pct(e.pass_percent, 2) }) }),
  );
}

async function load() {
  renderExamState();
  if (!reviewState.examId) {
    stats = null;
    items = null;
    renderAll();
    setStatus(document.getElementById('st-status'), { key: 'rv.noExamsLong' });
    return;
  }
  const mine = ++seq;
  panel().dataset.loaded = 'false';
  panel().setAttribute('aria-busy', 'true');
  try {
    const [s, list] = await Promise.all([api('GET', examPath('/stats')), api('GET', examPath('/items'))]);
    if (mine !== seq) {
      return;
    }
    stats = s;
    items = list ?? [];
    setStatus(document.getElementById('st-status'), stats.sat === 0 ? { key: 'st.nobodyYet' } : null);
    renderAll();
  } catch (err) {
    if (mine !== seq) {
      return;
    }
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    stats = null;
    items = null;
    renderAll();
    setErrorStatus(document.getElementById('st-status'), err);
  } finally {
    if (mine === seq) {
      panel().removeAttribute('aria-busy');
      panel().dataset.loaded = 'true';
    }
  }
}

/** initStats wires the panel once. */
export function initStats() {
  if (wired) {
    return;
  }
  wired = true;
  bindExamSelect(document.getElementById('st-exam'));
  document.getElementById('st-only-flagged').addEventListener('change', renderItems);
  document.addEventListener('reviewexamchange', () => {
    if (!showing && !panel().hidden) {
      load();
    } else {
      stats = null;
      items = null;
    }
  });
  document.addEventListener('reviewdatachange', () => {
    if (!panel().hidden) {
      load();
    }
  });
  document.addEventListener('langchange', () => {
    renderExamState();
    renderAll();
  });
}

/** showStats reads the chosen exam's statistics and items (each time the panel is opened). */
export async function showStats() {
  initStats();
  showing = true;
  try {
    await Promise.all([loadReviewExams(), loadConstituencies()]);
  } catch (err) {
    if (!isUnauthenticated(err)) {
      setErrorStatus(document.getElementById('st-status'), err);
    }
    return;
  } finally {
    showing = false;
  }
  await load();
}
