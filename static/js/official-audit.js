// The audit log panel: whether the hash chain is intact (or the first row where
// it breaks), and the log itself, newest first, paged and filtered by action.

import { api } from './api.js';
import { errorKey, formatInstant, goToLogin, h, isUnauthenticated, num, renderPager } from './official-common.js';
import { has, t } from './i18n.js';

const PER_PAGE = 25;

/** ACTIONS are the actions the platform writes today; others are listed by their code. */
const ACTIONS = [
  'official.login',
  'official.create',
  'official.disable',
  'official.enable',
  'question.create',
  'question.import',
  'question.update',
  'question.replace',
  'question.retire',
  'exam.create',
  'exam.update',
  'exam.publish',
  'exam.close',
  'exam.accommodation',
];

const filter = { action: '', page: 1 };
let listed = null;
let verified = null; // {valid, rows, first_bad_id?} or {error}
let wired = false;

function actionLabel(action) {
  return has(`action.${action}`) ? t(`action.${action}`) : action;
}

function renderActionOptions() {
  const select = document.getElementById('af-action');
  select.replaceChildren(
    h('option', { value: '', i18n: 'audit.allActions' }),
    ...ACTIONS.map((a) => h('option', { value: a, text: actionLabel(a) })),
  );
  select.value = filter.action;
}

function renderVerify() {
  const box = document.getElementById('audit-verify');
  const text = document.getElementById('audit-verify-text');
  box.classList.remove('verify-ok', 'verify-bad', 'verify-pending');
  delete text.dataset.i18n;
  if (!verified) {
    box.classList.add('verify-pending');
    box.dataset.valid = '';
    text.textContent = t('audit.verifying');
    return;
  }
  if (verified.error) {
    box.classList.add('verify-bad');
    box.dataset.valid = '';
    text.textContent = `${t('audit.verifyFailed')} ${t(errorKey(verified.error))}`;
    return;
  }
  box.dataset.valid = String(verified.valid);
  if (verified.valid) {
    box.classList.add('verify-ok');
    text.textContent = t('audit.intact', { rows: verified.rows });
  } else {
    box.classList.add('verify-bad');
    text.textContent = verified.first_bad_id
      ? t('audit.broken', { id: verified.first_bad_id, rows: verified.rows })
      : t('audit.brokenNoRow', { rows: verified.rows });
  }
}

async function verify() {
  verified = null;
  renderVerify();
  try {
    verified = await api('GET', '/api/v1/official/audit/verify');
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    verified = { error: err };
  }
  renderVerify();
  renderRows();
}

function shortID(id) {
  return id && id.length > 12 ? `${id.slice(0, 8)}…` : id || '—';
}

function detailsCell(details) {
  if (details === null || details === undefined || (typeof details === 'object' && Object.keys(details).length === 0)) {
    return h('td', { class: 'muted', text: '—' });
  }
  return h(
    'td',
    {},
    h('details', { class: 'audit-details' },
      h('summary', { i18n: 'audit.showDetails' }),
      h('pre', { dir: 'ltr', lang: 'en', text: JSON.stringify(details, null, 2) })),
  );
}

function renderRows() {
  if (!listed) {
    return;
  }
  const summary = document.getElementById('audit-summary');
  summary.textContent = listed.total === 0 ? t('audit.none') : t('audit.count', { count: listed.total });
  const bad = verified && !verified.valid ? verified.first_bad_id : null;
  document.getElementById('audit-body').replaceChildren(
    ...listed.items.map((r) => {
      const actorKind = has(`actor.${r.actor_kind}`) ? t(`actor.${r.actor_kind}`) : r.actor_kind;
      const objectType = has(`object.${r.object_type}`) ? t(`object.${r.object_type}`) : r.object_type;
      const hash = h('code', { dir: 'ltr', class: 'hash', text: `${(r.hash ?? '').slice(0, 12)}…` });
      hash.title = r.hash ?? '';
      const object = h('td', {}, h('span', { text: objectType || '—' }));
      if (r.object_id) {
        const id = h('code', { dir: 'ltr', class: 'object-id', text: shortID(r.object_id) });
        id.title = r.object_id;
        object.append(' ', id);
      }
      return h(
        'tr',
        { 'data-audit-id': String(r.id), class: r.id === bad ? 'bad-row' : false },
        h('td', { class: 'num', text: num(r.id, { useGrouping: false }) }),
        h('td', { class: 'nowrap', text: formatInstant(r.at, { withSeconds: true }) }),
        h('td', {}, h('bdi', { text: r.actor_name || '—' }), h('span', { class: 'muted small-text', text: ` (${actorKind})` })),
        h('td', {}, h('span', { class: 'action-label', text: actionLabel(r.action) }), h('code', { dir: 'ltr', class: 'action-code', text: r.action })),
        object,
        detailsCell(r.details),
        h('td', {}, hash),
      );
    }),
  );
  renderPager(document.getElementById('audit-pager'), { page: listed.page, perPage: listed.per_page, total: listed.total }, (page) => {
    filter.page = page;
    loadRows();
  }, 'audit');
}

async function loadRows() {
  const params = new URLSearchParams({ page: String(filter.page), per_page: String(PER_PAGE) });
  if (filter.action) {
    params.set('action', filter.action);
  }
  const table = document.getElementById('audit-table');
  table.setAttribute('aria-busy', 'true');
  try {
    listed = await api('GET', `/api/v1/official/audit?${params}`);
    renderRows();
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    document.getElementById('audit-summary').textContent = t(errorKey(err));
  } finally {
    table.removeAttribute('aria-busy');
  }
}

/** initAudit wires the panel; the log is read when the panel is shown. */
export function initAudit() {
  if (wired) {
    return;
  }
  wired = true;
  renderActionOptions();
  document.getElementById('audit-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    filter.action = document.getElementById('af-action').value;
    filter.page = 1;
    loadRows();
  });
  document.getElementById('af-action').addEventListener('change', () => document.getElementById('audit-filter').requestSubmit());
  document.getElementById('audit-reverify').addEventListener('click', () => {
    verify();
    loadRows();
  });
  document.addEventListener('langchange', () => {
    renderActionOptions();
    renderVerify();
    renderRows();
  });
}

/** showAudit reads the log and checks the chain again (each time the panel is opened). */
export function showAudit() {
  initAudit();
  verify();
  loadRows();
}
