// The answer-save queue of one attempt: every change is kept in localStorage
// until the server acknowledges it, and retried with its seq (network drops,
// reloads, server errors) until then.
//
// Storage: one key per attempt and question, "exam-pending:<attempt>:<question>",
// holding the latest unacknowledged change {choice, flagged, seq}. A retry of an
// acknowledged seq is acknowledged again by the server without overwriting, so
// sending twice is safe; seq only ever grows per question.

import { api, ApiError } from './api.js';

const PREFIX = 'exam-pending:';
const MIN_BACKOFF = 1000;
const MAX_BACKOFF = 15000;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** pendingKey is the localStorage key of a question's unacknowledged change. */
export function pendingKey(attemptId, questionId) {
  return `${PREFIX}${attemptId}:${questionId}`;
}

/** readPending returns the unacknowledged changes stored for an attempt: question id → {choice, flagged, seq}. */
export function readPending(attemptId) {
  const out = new Map();
  const ls = storage();
  if (!ls) {
    return out;
  }
  const prefix = `${PREFIX}${attemptId}:`;
  for (let i = 0; i < ls.length; i++) {
    const key = ls.key(i);
    if (!key || !key.startsWith(prefix)) {
      continue;
    }
    try {
      const v = JSON.parse(ls.getItem(key));
      if (v && Number.isSafeInteger(v.seq) && (v.choice === null || typeof v.choice === 'string')) {
        out.set(key.slice(prefix.length), { choice: v.choice, flagged: Boolean(v.flagged), seq: v.seq });
      }
    } catch {
      // a damaged entry is dropped below by the caller's merge
    }
  }
  return out;
}

/**
 * SaveQueue sends the changes of one attempt, one request at a time, oldest
 * first, and reports its state through onState(state, count):
 * "saving", "saved", "offline" (no network), "retry" (server trouble),
 * "session" (logged out). onAck(saved, sentAt, receivedAt) gets each 200
 * answer with the performance.now() times around its request; onFatal(code)
 * is called when the attempt can take no more saves (time_over,
 * attempt_finished, not_found); onRejected(questionId, err) when the server
 * refused one change for good (400).
 */
export class SaveQueue {
  constructor({ attemptId, onState = () => {}, onAck = () => {}, onFatal = () => {}, onRejected = () => {} }) {
    this.attemptId = attemptId;
    this.onState = onState;
    this.onAck = onAck;
    this.onFatal = onFatal;
    this.onRejected = onRejected;
    this.pending = new Map(); // question id → {choice, flagged, seq}
    this.lastSeq = new Map(); // question id → highest seq known (sent or stored)
    this.counter = 0;
    this.running = false;
    this.stopped = false;
    this.timer = null;
    this.backoff = MIN_BACKOFF;
    this.waiters = [];
    this.state = 'idle';
    this.acked = false; // some save was acknowledged on this page
    this.onOnline = () => {
      this.backoff = MIN_BACKOFF;
      this.kick();
    };
    this.onOffline = () => {
      if (!this.running) {
        this.setState('offline');
      }
    };
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
  }

  /**
   * merge takes the server's answers and lays the stored unacknowledged changes
   * with a higher seq on top; it returns the merged answers (question id →
   * {choice, flagged, seq}) and queues those changes to be sent again. Stored
   * changes the server already has (seq not above its seq) are removed.
   */
  merge(serverAnswers, questionIds) {
    const known = new Set(questionIds);
    const merged = new Map();
    for (const [qid, a] of Object.entries(serverAnswers ?? {})) {
      merged.set(qid, { choice: a.choice ?? null, flagged: Boolean(a.flagged), seq: Number(a.seq) || 0 });
      this.bumpSeq(qid, Number(a.seq) || 0);
    }
    const ls = storage();
    for (const [qid, p] of readPending(this.attemptId)) {
      const server = merged.get(qid);
      if (!known.has(qid) || (server && server.seq >= p.seq)) {
        ls?.removeItem(pendingKey(this.attemptId, qid));
        continue;
      }
      merged.set(qid, p);
      this.pending.set(qid, p);
      this.bumpSeq(qid, p.seq);
    }
    // Changes of this page not in storage (storage disabled or full).
    for (const [qid, p] of this.pending) {
      const m = merged.get(qid);
      if (m && m.seq >= p.seq && m !== p) {
        this.pending.delete(qid); // the server has it (or newer)
      } else {
        merged.set(qid, p);
      }
    }
    if (this.pending.size > 0) {
      this.kick();
    }
    return merged;
  }

  bumpSeq(qid, seq) {
    if (seq > (this.lastSeq.get(qid) ?? 0)) {
      this.lastSeq.set(qid, seq);
    }
  }

  // A seq above every seq this question has had, on this page, in storage or on
  // the server; from the clock, so that a page reloaded without its storage
  // still goes on above what it sent before.
  nextSeq(qid) {
    this.counter = (this.counter + 1) % 1000;
    const seq = Math.max(Date.now() * 1000 + this.counter, (this.lastSeq.get(qid) ?? 0) + 1);
    this.lastSeq.set(qid, seq);
    return seq;
  }

  /** put records a change of one question and sends it. */
  put(qid, choice, flagged) {
    if (this.stopped) {
      return;
    }
    const entry = { choice, flagged: Boolean(flagged), seq: this.nextSeq(qid) };
    this.pending.set(qid, entry);
    try {
      storage()?.setItem(pendingKey(this.attemptId, qid), JSON.stringify(entry));
    } catch {
      // storage full or disabled: the change still waits in memory
    }
    this.backoff = MIN_BACKOFF;
    this.kick();
  }

  get size() {
    return this.pending.size;
  }

  setState(state) {
    this.state = state;
    this.onState(state, this.pending.size);
  }

  kick() {
    if (this.stopped) {
      return;
    }
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.running) {
      this.run();
    }
  }

  scheduleRetry() {
    if (this.stopped || this.timer !== null) {
      return;
    }
    // Jitter spreads the retries of many candidates coming back at once.
    const wait = this.backoff * (0.75 + Math.random() * 0.5);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run();
    }, wait);
  }

  oldest() {
    let best = null;
    for (const [qid, e] of this.pending) {
      if (!best || e.seq < best[1].seq) {
        best = [qid, e];
      }
    }
    return best;
  }

  async run() {
    if (this.running || this.stopped) {
      return;
    }
    this.running = true;
    let failed = null;
    try {
      while (!this.stopped && this.pending.size > 0) {
        const [qid, entry] = this.oldest();
        this.setState('saving');
        try {
          const sentAt = performance.now();
          const saved = await api('PUT',
            `/api/v1/attempts/${encodeURIComponent(this.attemptId)}/answers/${encodeURIComponent(qid)}`,
            { choice: entry.choice, flagged: entry.flagged, seq: entry.seq });
          this.acknowledge(qid, entry.seq);
          this.acked = true;
          this.backoff = MIN_BACKOFF;
          this.onAck(saved, sentAt, performance.now());
        } catch (err) {
          failed = this.handleError(qid, entry, err);
          if (failed) {
            break;
          }
        }
      }
    } finally {
      this.running = false;
    }
    if (this.stopped) {
      this.settle(false);
      return;
    }
    if (failed) {
      this.setState(failed);
      if (failed !== 'fatal') {
        this.scheduleRetry();
      }
      this.settle(false);
      return;
    }
    if (navigator.onLine === false) {
      this.setState('offline');
    } else {
      this.setState(this.acked ? 'saved' : 'idle');
    }
    this.settle(true);
  }

  acknowledge(qid, seq) {
    const now = this.pending.get(qid);
    if (now && now.seq === seq) {
      this.pending.delete(qid);
      storage()?.removeItem(pendingKey(this.attemptId, qid));
    }
  }

  drop(qid) {
    this.pending.delete(qid);
    storage()?.removeItem(pendingKey(this.attemptId, qid));
  }

  // handleError returns the state to stop in ("offline", "retry", "session",
  // "fatal"), or null to go on with the next change.
  handleError(qid, entry, err) {
    if (!(err instanceof ApiError) || err.status === 0) {
      return 'offline';
    }
    if (err.status === 401) {
      return 'session';
    }
    if (err.status === 409 || err.status === 404) {
      // The attempt takes no more saves: what is left can never be stored.
      this.stop();
      this.clearStored();
      this.onFatal(err.code);
      return 'fatal';
    }
    if (err.status === 400 || err.status === 413 || err.status === 422) {
      this.drop(qid);
      this.onRejected(qid, err);
      return null;
    }
    return 'retry'; // 5xx, 429, 408, a proxy's 403…
  }

  settle(ok) {
    if (ok || this.stopped || this.state !== 'saving') {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) {
        w(ok && this.pending.size === 0);
      }
    }
  }

  /** flush sends every waiting change now; it resolves true once none is left, false when a send fails. */
  flush() {
    if (this.pending.size === 0 && !this.running) {
      return Promise.resolve(true);
    }
    const p = new Promise((resolve) => this.waiters.push(resolve));
    this.backoff = MIN_BACKOFF;
    this.kick();
    return p;
  }

  /** clearStored forgets every stored change of the attempt. */
  clearStored() {
    const ls = storage();
    for (const qid of readPending(this.attemptId).keys()) {
      ls?.removeItem(pendingKey(this.attemptId, qid));
    }
    this.pending.clear();
  }

  /** stop ends all sending (the attempt is finished). */
  stop() {
    this.stopped = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
  }
}
