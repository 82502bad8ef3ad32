// Charts of the statistics panel, drawn as SVG with the DOM (no library): a
// histogram of percents with the pass line, horizontal bars of rates, and the
// small bar beside each item's facility. Every chart has a title and a
// description for screen readers, and its numbers are also in a table.

import { formatNumber } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';
let uid = 0;

/** svg builds an SVG element with attributes and children (nodes or strings). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child);
    }
  }
  return el;
}

function frame(width, height, title, desc, cls) {
  const id = `chart-${++uid}`;
  return svg(
    'svg',
    {
      class: `chart-svg ${cls}`,
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
      preserveAspectRatio: 'xMidYMid meet',
    },
    svg('title', { id: `${id}-title` }, title),
    svg('desc', { id: `${id}-desc` }, desc),
  );
}

/** niceStep is a step for count ticks: 1, 2, 5, 10, 20, 50… so that about five ticks fit. */
function niceStep(max) {
  if (max <= 5) {
    return 1;
  }
  const raw = max / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) {
    if (m * pow >= raw) {
      return m * pow;
    }
  }
  return 10 * pow;
}

const n0 = (n) => formatNumber(n, { maximumFractionDigits: 1 });

/**
 * anchor turns a physical alignment into SVG's text-anchor: the text takes the
 * page's direction (so Persian labels with digits read right), and in
 * right-to-left text "start" is the right edge.
 */
function anchor(side, rtl) {
  if (side === 'middle') {
    return 'middle';
  }
  return (side === 'left') !== rtl ? 'start' : 'end';
}

/**
 * histogram draws bins [{from, to, count}] of percents as bars (one rect.bar
 * per bin that has candidates), with count ticks, the bin edges along the
 * bottom and a dashed line at the pass percent.
 * labels: {title, desc, axis, count, pass, bin(from, to, count)}.
 */
export function histogram(bins, { passPercent = null, rtl = false, labels }) {
  const W = 720;
  const H = 300;
  const m = { left: 48, right: 32, top: 46, bottom: 56 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const sorted = [...bins].sort((a, b) => a.from - b.from);
  const root = frame(W, H, labels.title, labels.desc, 'histogram');
  if (sorted.length === 0) {
    return root;
  }
  const lo = sorted[0].from;
  const hi = sorted[sorted.length - 1].to;
  const span = hi - lo || 1;
  const x = (v) => m.left + ((v - lo) / span) * pw;
  const maxCount = Math.max(1, ...sorted.map((b) => b.count));
  const step = niceStep(maxCount);
  const top = Math.ceil(maxCount / step) * step;
  const y = (c) => m.top + ph - (c / top) * ph;

  const grid = svg('g', { class: 'grid', 'aria-hidden': 'true' });
  for (let c = 0; c <= top; c += step) {
    grid.append(
      svg('line', { x1: m.left, x2: W - m.right, y1: y(c), y2: y(c), class: c === 0 ? 'axis' : 'gridline' }),
      svg('text', { x: m.left - 8, y: y(c), class: 'tick', 'text-anchor': anchor('right', rtl), 'dominant-baseline': 'middle' }, n0(c)),
    );
  }
  root.append(grid);

  const bars = svg('g', { class: 'bars' });
  for (const b of sorted) {
    const x0 = x(b.from);
    const x1 = x(b.to);
    const gap = Math.min(3, (x1 - x0) / 6);
    if (b.count > 0) {
      bars.append(
        svg(
          'rect',
          {
            class: 'bar',
            x: x0 + gap,
            y: y(b.count),
            width: Math.max(1, x1 - x0 - 2 * gap),
            height: y(0) - y(b.count),
            'data-from': b.from,
            'data-to': b.to,
            'data-count': b.count,
          },
          svg('title', {}, labels.bin(b.from, b.to, b.count)),
        ),
        svg('text', { class: 'bar-label', x: (x0 + x1) / 2, y: y(b.count) - 6, 'text-anchor': 'middle', 'aria-hidden': 'true' }, n0(b.count)),
      );
    }
  }
  root.append(bars);

  // Bin edges; with many bins every other edge, so the labels do not collide.
  const edges = [lo, ...sorted.map((b) => b.to)];
  const every = edges.length > 12 ? 2 : 1;
  const ticks = svg('g', { class: 'x-ticks', 'aria-hidden': 'true' });
  edges.forEach((v, i) => {
    if (i % every === 0 || i === edges.length - 1) {
      ticks.append(
        svg('line', { x1: x(v), x2: x(v), y1: y(0), y2: y(0) + 5, class: 'axis' }),
        svg('text', { x: x(v), y: y(0) + 20, class: 'tick', 'text-anchor': 'middle' }, formatNumber(v / 100, { style: 'percent', maximumFractionDigits: 1 })),
      );
    }
  });
  root.append(ticks);
  root.append(svg('text', { class: 'axis-title', x: m.left + pw / 2, y: H - 10, 'text-anchor': 'middle', 'aria-hidden': 'true' }, labels.axis));
  root.append(
    svg('text', { class: 'axis-title', x: 14, y: m.top + ph / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${m.top + ph / 2})`, 'aria-hidden': 'true' }, labels.count),
  );

  if (passPercent !== null && passPercent >= lo && passPercent <= hi) {
    const px = x(passPercent);
    root.append(
      svg(
        'g',
        { class: 'pass-line', 'data-percent': passPercent },
        svg('line', { x1: px, x2: px, y1: 20, y2: y(0) }),
        svg('text', { x: px + (px > W - 140 ? -6 : 6), y: 16, 'text-anchor': anchor(px > W - 140 ? 'right' : 'left', rtl), class: 'pass-label' }, labels.pass),
      ),
    );
  }
  return root;
}

/**
 * rateBars draws one horizontal bar per row [{key, label, value (0–1), text}]
 * on a 0–100% track: labels at the reading start, bars growing in the
 * reading direction (right to left in Persian).
 */
export function rateBars(rows, { rtl, title, desc }) {
  const W = 720;
  const rowH = 30;
  const labelW = 190;
  const valueW = 70;
  const m = { top: 8, bottom: 8 };
  const H = m.top + m.bottom + Math.max(1, rows.length) * rowH;
  const trackW = W - labelW - valueW - 24;
  const root = frame(W, H, title, desc, 'rate-bars');
  rows.forEach((r, i) => {
    const cy = m.top + i * rowH + rowH / 2;
    const w = Math.max(0, Math.min(1, r.value)) * trackW;
    const trackStart = rtl ? W - labelW - 12 - trackW : labelW + 12;
    const barX = rtl ? trackStart + trackW - w : trackStart;
    const labelX = rtl ? W - 4 : labelW;
    // The value sits past the end of the track, where no bar can cover it.
    const valueX = rtl ? trackStart - 8 : trackStart + trackW + 8;
    root.append(
      svg(
        'g',
        { class: 'rate-row', 'data-key': r.key },
        svg('text', { class: 'row-label', x: labelX, y: cy, 'text-anchor': anchor('right', rtl), 'dominant-baseline': 'middle' }, r.label),
        svg('rect', { class: 'track', x: trackStart, y: cy - 8, width: trackW, height: 16, rx: 3 }),
        svg('rect', { class: 'bar', x: barX, y: cy - 8, width: Math.max(w, 0.5), height: 16, rx: 3, 'data-value': r.value }, svg('title', {}, `${r.label}: ${r.text}`)),
        svg('text', { class: 'bar-value', x: valueX, y: cy, 'text-anchor': anchor(rtl ? 'right' : 'left', rtl), 'dominant-baseline': 'middle' }, r.text),
      ),
    );
  });
  return root;
}

/** miniBar is the small bar of a fraction 0–1 beside a number (the number says it; the bar is decoration). */
export function miniBar(value, { rtl, cls = '' } = {}) {
  const W = 64;
  const H = 10;
  const v = Math.max(0, Math.min(1, Number(value) || 0));
  const w = v * W;
  return svg(
    'svg',
    { class: `mini-bar ${cls}`, viewBox: `0 0 ${W} ${H}`, width: W, height: H, 'aria-hidden': 'true', focusable: 'false' },
    svg('rect', { class: 'track', x: 0, y: 0, width: W, height: H, rx: 2 }),
    svg('rect', { class: 'fill', x: rtl ? W - w : 0, y: 0, width: w, height: H, rx: 2 }),
  );
}
