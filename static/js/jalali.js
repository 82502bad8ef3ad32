// Persian (Solar Hijri) ⇄ Gregorian conversion.
//
// All calendar knowledge comes from the browser's own Intl (ICU); this module
// holds no Jalali arithmetic. Persian → Gregorian starts from a rough estimate
// and steps day by day until Intl reports the wanted Persian date.

const persianParts = new Intl.DateTimeFormat('en-US-u-ca-persian-nu-latn', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

const DAY_MS = 24 * 60 * 60 * 1000;

// partsOf returns the Persian {year, month, day} of a UTC midnight timestamp.
function partsOf(ms) {
  const out = {};
  for (const p of persianParts.formatToParts(new Date(ms))) {
    if (p.type === 'year' || p.type === 'month' || p.type === 'day') {
      out[p.type] = Number.parseInt(p.value, 10);
    }
  }
  return { year: out.year, month: out.month, day: out.day };
}

function compare(a, b) {
  return (a.year - b.year) || (a.month - b.month) || (a.day - b.day);
}

function pad(n, width) {
  return String(n).padStart(width, '0');
}

function isoOf(ms) {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/**
 * toGregorian converts a Persian date to "YYYY-MM-DD" (Gregorian), or returns
 * null when the Persian date does not exist (e.g. 31 Esfand, or 30 Esfand of a
 * common year) or the arguments are not whole numbers in range.
 */
export function toGregorian(jy, jm, jd) {
  const y = Number(jy);
  const m = Number(jm);
  const d = Number(jd);
  if (![y, m, d].every(Number.isInteger) || y < 1 || y > 9000 || m < 1 || m > 12 || d < 1 || d > 31) {
    return null;
  }
  const want = { year: y, month: m, day: d };
  // 1 Farvardin falls on 20–22 March; months 1–6 have 31 days, the rest about 30.
  // The estimate is only a starting point: Intl decides.
  const dayOfYear = (m - 1) * 30 + Math.min(m - 1, 6) + (d - 1);
  let ms = Date.UTC(y + 621, 2, 21) + dayOfYear * DAY_MS;
  let cmp = compare(partsOf(ms), want);
  const step = cmp < 0 ? DAY_MS : -DAY_MS;
  // The estimate is never more than a few days off; the bound is a safety net.
  for (let i = 0; cmp !== 0 && i < 40; i++) {
    const next = ms + step;
    const nextCmp = compare(partsOf(next), want);
    if (Math.sign(nextCmp) === -Math.sign(cmp) && nextCmp !== 0) {
      return null; // stepped over the wanted date: it does not exist
    }
    ms = next;
    cmp = nextCmp;
  }
  return cmp === 0 ? isoOf(ms) : null;
}

/**
 * toJalali converts a Gregorian "YYYY-MM-DD" to the Persian {year, month, day},
 * or returns null when the string is not a real Gregorian date.
 */
export function toJalali(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso ?? ''));
  if (!match) {
    return null;
  }
  const [y, m, d] = match.slice(1).map((s) => Number.parseInt(s, 10));
  const ms = Date.UTC(y, m - 1, d);
  if (isoOf(ms) !== match[0]) {
    return null; // e.g. 2021-02-30 rolled over into March
  }
  return partsOf(ms);
}

/** daysInMonth returns how many days the Persian month has (29, 30 or 31), asking Intl. */
export function daysInMonth(jy, jm) {
  for (let d = 31; d > 29; d--) {
    if (toGregorian(jy, jm, d) !== null) {
      return d;
    }
  }
  return 29;
}

/** todayJalali returns today's Persian date in the browser's local time. */
export function todayJalali() {
  const now = new Date();
  return partsOf(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()));
}
