// The candidate's home page: who they are, their constituency, the eligibility decision and their exams.

import { api, ApiError, generalMessageKey } from './api.js';
import { renderEligibility } from './eligibility.js';
import { loadExamList, renderExamList } from './exam-list.js';
import { formatDate, formatDateTime, formatDigits, getLang, initI18n, t } from './i18n.js';

const statusBox = document.getElementById('page-status');
const content = document.getElementById('content');
let me = null;

function setPageStatus(key) {
  statusBox.dataset.i18n = key;
  statusBox.textContent = t(key);
  statusBox.hidden = false;
}

function constituencyText(c) {
  if (!c) {
    return '';
  }
  const name = getLang() === 'fa' ? c.name_fa : c.name_en || c.name_fa;
  const vars = {
    name,
    province: c.province ?? '',
    population: c.population ?? 0,
    households: c.households ?? 0,
  };
  // The province is only given in Persian, so the English text leaves it out.
  const key = c.kind === 'village' ? 'constituency.village' : 'constituency.city';
  return t(c.province ? key : `${key}NoProvince`, vars);
}

function row(dl, key, value, { ltr = false, id = '' } = {}) {
  const dt = document.createElement('dt');
  dt.textContent = t(key);
  const dd = document.createElement('dd');
  dd.textContent = value;
  if (id) {
    dd.id = id;
  }
  if (ltr) {
    dd.dir = 'ltr';
  }
  dl.append(dt, dd);
}

function render() {
  if (!me) {
    return;
  }
  document.getElementById('welcome').textContent = t('home.welcome', { name: `${me.first_name} ${me.last_name}` });
  renderEligibility(document.getElementById('eligibility'), me.eligible, me.ineligibility_reasons ?? []);

  const dl = document.getElementById('details');
  dl.replaceChildren();
  row(dl, 'field.national_id', formatDigits(me.national_id), { id: 'detail-national-id' });
  row(dl, 'field.father_name', me.father_name ?? '');
  row(dl, 'field.birth_date', formatDate(me.birth_date), { id: 'detail-birth-date' });
  row(dl, 'field.gender', me.gender ? t(`gender.${me.gender}`) : '');
  if (me.gender === 'male') {
    row(dl, 'field.military_service', me.military_service ? t(`military.${me.military_service}`) : t('home.militaryNotApplicable'));
  }
  row(dl, 'field.education', me.education ? t(`education.${me.education}`) : '');
  row(dl, 'field.constituency_id', constituencyText(me.constituency), { id: 'detail-constituency' });
  row(dl, 'field.mobile', formatDigits(me.mobile), { ltr: true });
  row(dl, 'field.email', me.email || t('home.noEmail'), { ltr: Boolean(me.email) });
  if (me.registered_at) {
    row(dl, 'field.registered_at', formatDateTime(me.registered_at));
  }
}

async function load() {
  try {
    me = await api('GET', '/api/v1/candidate/me');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      window.location.replace('/login');
      return;
    }
    setPageStatus(err instanceof ApiError && err.status < 500 && err.status !== 0 ? 'home.loadFailed' : generalMessageKey(err));
    return;
  }
  statusBox.hidden = true;
  statusBox.textContent = '';
  delete statusBox.dataset.i18n;
  content.hidden = false;
  render();
  loadExamList(me);
}

async function logout() {
  try {
    await api('POST', '/api/v1/logout');
  } catch (err) {
    // A session that is already gone is as good as a logout; any other failure
    // must not look like one (the person may be on a shared computer).
    if (!(err instanceof ApiError && err.status === 401)) {
      setPageStatus(generalMessageKey(err));
      statusBox.focus();
      return;
    }
  }
  window.location.assign('/login');
}

initI18n();
document.getElementById('logout').addEventListener('click', logout);
document.addEventListener('langchange', () => {
  render();
  if (me) {
    renderExamList();
  }
});
load();
