// The officials' console: who is logged in, the tabs, and the panels
// (question bank, exams, results, statistics, objections, audit log). A reviewer gets the same views with every
// write control removed from the page; the server refuses their writes anyway.

import { api, ApiError, generalMessageKey } from './api.js';
import { consoleState, goToLogin, isUnauthenticated, loadSections } from './official-common.js';
import { initAudit, showAudit } from './official-audit.js';
import { initExams } from './official-exams.js';
import { initQuestions } from './official-questions.js';
import { initObjections, showObjections } from './official-review-objections.js';
import { initResults, showResults } from './official-review-results.js';
import { initStats, showStats } from './official-review-stats.js';
import { initI18n, t } from './i18n.js';

const statusBox = document.getElementById('page-status');
const tabs = [...document.querySelectorAll('[role="tab"]')];

function setPageStatus(key) {
  statusBox.dataset.i18n = key;
  statusBox.textContent = t(key);
  statusBox.hidden = false;
}

function renderMe() {
  const me = consoleState.me;
  if (!me) {
    return;
  }
  document.getElementById('me-name').textContent = me.display_name || me.username;
  const role = document.getElementById('me-role');
  role.textContent = t(`role.${me.role}`);
  role.dataset.role = me.role;
}

// Tabs: the WAI-ARIA pattern (arrow keys, Home and End move between tabs;
// the chosen tab is kept in the address's fragment).
function selectTab(tab, { focus = false, remember = true } = {}) {
  for (const other of tabs) {
    const on = other === tab;
    other.setAttribute('aria-selected', String(on));
    other.tabIndex = on ? 0 : -1;
    document.getElementById(other.getAttribute('aria-controls')).hidden = !on;
  }
  if (focus) {
    tab.focus();
  }
  const name = tab.id.replace(/^tab-/, '');
  if (remember && window.location.hash !== `#${name}`) {
    window.history.replaceState(null, '', `#${name}`);
  }
  if (name === 'audit') {
    showAudit();
  } else if (name === 'results') {
    showResults();
  } else if (name === 'stats') {
    showStats();
  } else if (name === 'objections') {
    showObjections();
  }
}

function wireTabs() {
  for (const tab of tabs) {
    tab.addEventListener('click', () => selectTab(tab));
    tab.addEventListener('keydown', (event) => {
      const i = tabs.indexOf(tab);
      const rtl = document.documentElement.dir === 'rtl';
      let next = null;
      if (event.key === 'ArrowLeft') {
        next = tabs[(i + (rtl ? 1 : -1) + tabs.length) % tabs.length];
      } else if (event.key === 'ArrowRight') {
        next = tabs[(i + (rtl ? -1 : 1) + tabs.length) % tabs.length];
      } else if (event.key === 'Home') {
        next = tabs[0];
      } else if (event.key === 'End') {
        next = tabs[tabs.length - 1];
      }
      if (next) {
        event.preventDefault();
        selectTab(next, { focus: true });
      }
    });
  }
}

/** dropWriteControls removes from the page every control only an admin may use. */
function dropWriteControls() {
  for (const el of document.querySelectorAll('[data-role="admin"]')) {
    el.remove();
  }
}

async function logout() {
  try {
    await api('POST', '/api/v1/logout');
  } catch (err) {
    if (!isUnauthenticated(err)) {
      setPageStatus(generalMessageKey(err));
      statusBox.focus();
      return;
    }
  }
  goToLogin();
}

async function load() {
  try {
    consoleState.me = await api('GET', '/api/v1/official/me');
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
      return;
    }
    setPageStatus(err instanceof ApiError && err.status === 403 ? 'console.notOfficial' : generalMessageKey(err));
    return;
  }
  consoleState.isAdmin = consoleState.me.role === 'admin';
  if (!consoleState.isAdmin) {
    dropWriteControls();
    document.getElementById('readonly-note').hidden = false;
  }
  renderMe();
  document.getElementById('whoami').hidden = false;
  document.getElementById('logout').hidden = false;

  wireTabs();
  window.addEventListener('hashchange', () => {
    const tab = tabs.find((x) => `#${x.id.replace(/^tab-/, '')}` === window.location.hash);
    if (tab && tab.getAttribute('aria-selected') !== 'true') {
      selectTab(tab, { remember: false });
    }
  });
  const wanted = tabs.find((tab) => `#${tab.id.replace(/^tab-/, '')}` === window.location.hash) ?? tabs[0];
  selectTab(wanted, { remember: wanted !== tabs[0] });

  statusBox.hidden = true;
  statusBox.textContent = '';
  delete statusBox.dataset.i18n;
  document.getElementById('console').hidden = false;

  initAudit();
  initResults();
  initStats();
  initObjections();
  await Promise.all([initQuestions(), initExams()]);
  try {
    await loadSections(api);
  } catch (err) {
    if (isUnauthenticated(err)) {
      goToLogin();
    }
  }
  document.body.dataset.ready = 'true';
}

initI18n();
document.getElementById('logout').addEventListener('click', logout);
document.addEventListener('langchange', renderMe);
load();
