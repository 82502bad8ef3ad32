// Score bars for the result page, drawn as inline SVG with DOM APIs. The CSP
// forbids style attributes, so a bar's length is the <rect>'s width attribute
// on a 0–100 viewBox, and its colours come from result.css classes.
//
// The numbers a bar shows are always written out in text beside it; the SVG
// itself is decoration for sighted readers and hidden from screen readers.

import { getLang } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const HEIGHT = 10;

function svgEl(tag, attrs) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, String(v));
  }
  return e;
}

function clamp(p) {
  const n = Number(p);
  if (!Number.isFinite(n)) {
    return 0;
  }
  return Math.min(100, Math.max(0, n));
}

/**
 * barSVG draws percent (a negative one shows an empty bar) on a 0–100 scale
 * with a vertical mark at required. Right to left in Persian: the bar grows
 * from the right edge, as the text reads.
 */
export function barSVG(percent, required, passed, { big = false } = {}) {
  const rtl = getLang() === 'fa';
  const width = clamp(percent);
  const mark = clamp(required);
  const svg = svgEl('svg', {
    class: `bar${big ? ' bar-big' : ''}`,
    viewBox: `0 0 100 ${HEIGHT}`,
    preserveAspectRatio: 'none',
    'aria-hidden': 'true',
    focusable: 'false',
  });
  svg.append(
    svgEl('rect', { class: 'bar-track', x: 0, y: 0, width: 100, height: HEIGHT }),
    svgEl('rect', {
      class: `bar-fill ${passed ? 'ok' : 'low'}`,
      x: rtl ? 100 - width : 0,
      y: 0,
      width,
      height: HEIGHT,
      'data-percent': String(percent),
    }),
    svgEl('line', {
      class: 'bar-mark',
      x1: rtl ? 100 - mark : mark,
      x2: rtl ? 100 - mark : mark,
      y1: -3,
      y2: HEIGHT + 3,
      'vector-effect': 'non-scaling-stroke',
      'data-percent': String(required),
    }),
  );
  return svg;
}
