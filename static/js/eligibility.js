// The eligibility decision with its reasons, shared by the register and home pages.

import { has, t } from './i18n.js';

/** reasonText is the sentence for an ineligibility reason code. */
export function reasonText(code) {
  return has(`reason.${code}`) ? t(`reason.${code}`) : t('reason.unknown', { code });
}

/**
 * renderEligibility fills box with the decision and, when ineligible, the list
 * of reasons. The box gets the class "eligible" or "ineligible".
 */
export function renderEligibility(box, eligible, reasons = []) {
  box.replaceChildren();
  box.classList.toggle('eligible', Boolean(eligible));
  box.classList.toggle('ineligible', !eligible);

  const status = document.createElement('p');
  status.className = 'eligibility-status';
  status.dataset.testid = 'eligibility-status';
  const mark = document.createElement('span');
  mark.className = 'eligibility-mark';
  mark.setAttribute('aria-hidden', 'true');
  mark.textContent = eligible ? '✓' : '✕';
  const text = document.createElement('span');
  text.className = 'eligibility-text';
  text.textContent = eligible ? t('elig.yes') : t('elig.no');
  status.append(mark, text);
  box.append(status);

  if (eligible) {
    const note = document.createElement('p');
    note.className = 'eligibility-note';
    note.textContent = t('elig.yesNote');
    box.append(note);
    return;
  }
  if (reasons.length > 0) {
    const heading = document.createElement('p');
    heading.className = 'eligibility-reasons-heading';
    heading.id = `${box.id || 'eligibility'}-reasons-heading`;
    heading.textContent = t('home.reasons');
    const list = document.createElement('ul');
    list.className = 'eligibility-reasons';
    list.setAttribute('aria-labelledby', heading.id);
    for (const code of reasons) {
      const li = document.createElement('li');
      li.dataset.reason = code;
      li.textContent = reasonText(code);
      list.append(li);
    }
    box.append(heading, list);
  }
}
