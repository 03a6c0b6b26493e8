'use strict';
// The task dashboard: plain DOM over the Task API's own routes, with the caller's own credentials. Nothing here
// bypasses the API: a button a principal may not use is hidden, and the API refuses it anyway.

const STATES = ['scheduled', 'received', 'processing', 'done', 'failed', 'canceled'];
const CANCELABLE = ['scheduled', 'received', 'processing'];
const TYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const PRIORITIES = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
const KEY_STORAGE = 'taskpipeline-api-key';

const session = { key: sessionStorage.getItem(KEY_STORAGE) || '', me: null, stream: null, listeners: new Set() };
let stopRefreshing = () => {};

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function headers(extra) {
  const result = Object.assign({}, extra);
  if (session.key) result['X-Api-Key'] = session.key;
  return result;
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({}, options, { headers: headers(options && options.headers) }));
  const body = (response.headers.get('content-type') || '').includes('json') ? await response.json() : null;
  if (!response.ok) {
    const error = new Error(body && (body.detail || body.title) || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function showError(error) {
  const box = document.getElementById('error');
  box.textContent = error ? `${error.status ? error.status + ': ' : ''}${error.message}` : '';
  box.hidden = !error;
}

function canWrite() { return !!(session.me && session.me.scopes.includes('tasks:write')); }

function announce(text) { document.getElementById('live').textContent = text; }

function time(value) { return value ? new Date(value).toLocaleString() : ''; }

// ---- Credentials ----------------------------------------------------------------------------------------------

async function signIn() {
  try {
    session.me = await api('/api/me');
    document.getElementById('caller').textContent = `${session.me.name} (${session.me.scopes.join(', ') || 'no scopes'})`;
    showError(null);
  } catch (error) {
    session.me = null;
    document.getElementById('caller').textContent = 'not signed in';
    showError(error);
  }
  follow();
  render();
}

document.getElementById('key-form').addEventListener('submit', event => {
  event.preventDefault();
  session.key = document.getElementById('api-key').value.trim();
  sessionStorage.setItem(KEY_STORAGE, session.key);
  signIn();
});

// ---- Live events: the notification stream, read with fetch so that it carries the credentials ------------------

async function follow() {
  if (session.stream) session.stream.abort();
  if (!session.me) return;
  const controller = new AbortController();
  session.stream = controller;
  while (!controller.signal.aborted) {
    let wait = 2000;
    try {
      const response = await fetch('/api/notifications', { headers: headers({ Accept: 'text/event-stream' }), signal: controller.signal });
      // 429: this principal holds Notifications:MaxStreamsPerPrincipal streams (other tabs); 503: the database is away.
      if (!response.ok) {
        wait = Math.max(wait, 1000 * (Number(response.headers.get('Retry-After')) || 0));
        throw new Error(`notifications: ${response.status}`);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter(line => line.startsWith('data:')).map(line => line.slice(5).trim()).join('\n');
          const kind = (block.split('\n').find(line => line.startsWith('event:')) || 'event: message').slice(6).trim();
          if (data) session.listeners.forEach(listener => listener(kind, JSON.parse(data)));
        }
      }
    } catch (error) {
      if (controller.signal.aborted) return;
    }
    await new Promise(resolve => setTimeout(resolve, wait));
  }
}

// ---- Refreshing: at most one request of each kind in flight per tab, none while the tab is hidden ----------------

/**
 * Wraps a page's refresh so that it never overlaps itself: a call while one runs is remembered and made once when it
 * ends (however many came meanwhile), and a call while the tab is hidden waits until it is shown again. A slow API
 * then gets one request at a time from each page, not a pile of them.
 */
function coalesced(refresh) {
  let running = null;
  let again = false;
  let stale = false;
  const run = () => {
    if (document.visibilityState === 'hidden') { stale = true; return Promise.resolve(); }
    if (running) { again = true; return running; }
    stale = false;   // this refresh covers whatever was missed while hidden
    running = (async () => {
      try {
        do { again = false; await refresh(); } while (again && document.visibilityState !== 'hidden');
      } finally {
        if (again) stale = true;
        running = null;
      }
    })();
    return running;
  };
  run.resume = () => { if (stale) run(); };
  return run;
}

/**
 * Runs refresh (a coalesced one) now and then every `ms` after the previous one has ended, not on a fixed clock, so a
 * slow answer is never overtaken; skips while the tab is hidden and catches up at once when it is shown. Returns the
 * stop.
 */
function refreshEvery(refresh, ms) {
  let timer = null;
  let busy = false;
  let stopped = false;
  const tick = async () => {
    timer = null;
    if (stopped || busy || document.visibilityState === 'hidden') return;   // shown again: onVisibility restarts it
    busy = true;
    try { await refresh(); } finally { busy = false; }
    if (!stopped && !timer && document.visibilityState !== 'hidden') timer = setTimeout(tick, ms);
  };
  const onVisibility = () => {
    if (stopped || document.visibilityState === 'hidden') return;
    if (!timer && !busy) tick();
    refresh.resume();
  };
  document.addEventListener('visibilitychange', onVisibility);
  tick();
  return () => { stopped = true; clearTimeout(timer); document.removeEventListener('visibilitychange', onVisibility); };
}

/** Catches up, once the tab is shown again, on refreshes asked for (by events) while it was hidden. */
function resumeWhenShown(refresh) {
  const onVisibility = () => { if (document.visibilityState !== 'hidden') refresh.resume(); };
  document.addEventListener('visibilitychange', onVisibility);
  return () => document.removeEventListener('visibilitychange', onVisibility);
}

/** Calls refresh soon after events arrive (at most every 500 ms), while the page that registered it is shown. */
function onEvents(refresh) {
  let pending = null;
  const listener = (kind, task) => {
    announce(`task ${task.id} ${task.state}`);
    if (!pending) pending = setTimeout(() => { pending = null; refresh(); }, 500);
  };
  session.listeners.add(listener);
  return () => { session.listeners.delete(listener); clearTimeout(pending); };
}

// ---- Pages ----------------------------------------------------------------------------------------------------

let leavePage = () => {};

function render() {
  leavePage();
  leavePage = () => {};
  stopRefreshing();
  stopRefreshing = () => {};
  const main = document.getElementById('page');
  main.replaceChildren();
  const [path, query] = (location.hash.slice(1) || '/').split('?');
  const params = new URLSearchParams(query || '');
  for (const link of document.querySelectorAll('nav a')) {
    const target = link.getAttribute('href').slice(1);
    link.toggleAttribute('aria-current', target === path || (target !== '/' && path.startsWith(target)));
    if (link.hasAttribute('aria-current')) link.setAttribute('aria-current', 'page');
  }
  if (!session.me) {
    main.append(el('h2', {}, 'Sign in'), el('p', {}, 'Enter an API key above (the development key is the AppHost parameter producer-api-key).'));
    return;
  }
  if (path.startsWith('/task/')) taskPage(main, path.slice('/task/'.length));
  else if (path === '/tasks') tasksPage(main, params);
  else if (path === '/dead-letter') deadLetterPage(main, params);
  else overviewPage(main);
}

window.addEventListener('hashchange', () => { render(); document.getElementById('page').focus(); });

// Overview: counts, done per type, the pipeline's state, throughput and failures over the last minutes.
function overviewPage(main) {
  const cards = el('div', { class: 'cards', role: 'list' });
  const pipeline = el('div', { class: 'cards' });
  const chart = el('div');
  const types = el('tbody');
  main.append(
    el('h2', {}, 'Tasks by state'), cards,
    el('h2', {}, 'Pipeline'), pipeline,
    el('h2', {}, 'Throughput'), chart,
    el('h2', {}, 'Done by type'),
    el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Type'), el('th', { scope: 'col' }, 'Done'), el('th', { scope: 'col' }, 'Value sum'))), types)));

  const refresh = coalesced(async () => {
    try {
      const [stats, state, throughput] = await Promise.all([api('/api/stats'), api('/api/pipeline'), api('/api/stats/history')]);
      cards.replaceChildren(...STATES.map(name => el('a', { class: `card state-${name}`, role: 'listitem', href: `#/tasks?state=${name}` },
        el('div', { class: 'label' }, name), el('div', { class: 'value', 'data-testid': `count-${name}` }, stats.states[name].toLocaleString('en-US')))));
      pipeline.replaceChildren(
        el('div', { class: 'card' }, el('div', { class: 'label', id: 'backlog-label' }, 'Backlog / MaxBacklog'),
          el('div', { class: 'value', 'data-testid': 'backlog' }, `${state.backlog.toLocaleString('en-US')} / ${state.maxBacklog.toLocaleString('en-US')}`),
          el('meter', { min: 0, max: state.maxBacklog, value: Math.min(state.backlog, state.maxBacklog), 'aria-labelledby': 'backlog-label' })),
        el('div', { class: 'card' }, el('div', { class: 'label' }, 'Generation'), el('div', { class: 'value', 'data-testid': 'generation' }, generation(state))),
        el('div', { class: 'card' }, el('div', { class: 'label' }, 'Rate (tasks/s)'), el('div', { class: 'value' }, state.rate === 0 ? 'unlimited' : state.rate)),
        el('div', { class: 'card' }, el('div', { class: 'label' }, 'Consumers holding work'), el('div', { class: 'value', 'data-testid': 'consumers' }, state.consumersWorking)));
      types.replaceChildren(...stats.doneByType.map(row => el('tr', {},
        el('td', {}, row.type), el('td', { 'data-testid': `done-type-${row.type}` }, row.count.toLocaleString('en-US')), el('td', {}, row.valueSum.toLocaleString('en-US')))));
      chart.replaceChildren(
        drawChart(throughput.perSecond, 'seconds', 'per second, last 5 minutes', 's'),
        drawChart(throughput.perMinute, 'minutes', 'per minute, last hour', 'min'));
      showError(null);
    } catch (error) {
      showError(error);
    }
  });

  stopRefreshing = refreshEvery(refresh, 2000);
  leavePage = onEvents(refresh);
}

/** The generation card: running, paused, or finished with how many tasks were generated. */
function generation(state) {
  if (state.generation === 'finished') return `finished (${state.generated.toLocaleString('en-US')} generated)`;
  return state.generation || (state.paused ? 'paused' : 'running');
}

/**
 * One throughput chart from the database's history (GET /api/stats/history): done and failed per bucket, oldest
 * first, every bucket present. It shows what happened before the page was opened as well as since.
 */
function drawChart(buckets, name, caption, unit) {
  const width = 600, height = 120, ns = 'http://www.w3.org/2000/svg';
  const peak = Math.max(1, ...buckets.map(bucket => Math.max(bucket.done, bucket.failed)));
  const x = i => buckets.length > 1 ? (i / (buckets.length - 1)) * width : 0;
  const y = value => height - 4 - (Math.max(0, value) / peak) * (height - 8);
  const done = buckets.reduce((sum, bucket) => sum + bucket.done, 0);
  const failed = buckets.reduce((sum, bucket) => sum + bucket.failed, 0);
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('data-testid', `chart-${name}`);
  svg.setAttribute('data-done', done);
  svg.setAttribute('data-failed', failed);
  svg.setAttribute('data-buckets', buckets.length);
  svg.setAttribute('aria-label', `Throughput ${caption}: ${done.toLocaleString('en-US')} done and ${failed.toLocaleString('en-US')} failed; peak ${peak.toLocaleString('en-US')} per ${unit}`);
  for (const [key, color] of [['done', '#1a7f37'], ['failed', '#b42318']]) {
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', color);
    line.setAttribute('stroke-width', '2');
    line.setAttribute('points', buckets.map((bucket, i) => `${x(i).toFixed(1)},${y(bucket[key]).toFixed(1)}`).join(' '));
    svg.append(line);
  }
  const last = buckets[buckets.length - 1] || { done: 0, failed: 0 };
  return el('figure', {}, svg, el('figcaption', { class: 'legend' },
    `${caption}: `, el('span', { class: 'done' }, `done ${done.toLocaleString('en-US')}`), ' · ', el('span', { class: 'failed' }, `failed ${failed.toLocaleString('en-US')}`),
    ` · now ${last.done.toLocaleString('en-US')} done/${unit} · peak ${peak.toLocaleString('en-US')}/${unit}`));
}

// Tasks: filtered by state, type and priority, newest first, paged by cursor, updated live while on the first page.
function tasksPage(main, params) {
  const state = params.get('state') || '';
  const type = params.get('type') || '';
  const priority = params.get('priority') || '';
  const after = params.get('after') || '';
  const body = el('tbody');
  const pager = el('p');
  const apply = () => {
    const query = new URLSearchParams();
    if (stateSelect.value) query.set('state', stateSelect.value);
    if (typeSelect.value) query.set('type', typeSelect.value);
    if (prioritySelect.value) query.set('priority', prioritySelect.value);
    location.hash = `#/tasks${query.toString() ? '?' + query : ''}`;
  };
  const stateSelect = el('select', { id: 'filter-state', onchange: apply }, el('option', { value: '' }, 'any'), STATES.map(name => el('option', { value: name, selected: name === state }, name)));
  const typeSelect = el('select', { id: 'filter-type', onchange: apply }, el('option', { value: '' }, 'any'), TYPES.map(t => el('option', { value: t, selected: String(t) === type }, t)));
  const prioritySelect = el('select', { id: 'filter-priority', onchange: apply }, el('option', { value: '' }, 'any'), PRIORITIES.map(p => el('option', { value: p, selected: String(p) === priority }, p)));
  main.append(
    el('h2', {}, 'Tasks'),
    el('div', { class: 'filters' }, el('label', { for: 'filter-state' }, 'State', stateSelect), el('label', { for: 'filter-type' }, 'Type', typeSelect), el('label', { for: 'filter-priority' }, 'Priority', prioritySelect)),
    el('div', { class: 'scroll' }, el('table', { 'aria-label': 'Tasks, newest first' }, el('thead', {}, el('tr', {},
      ['Task', 'Type', 'Value', 'Priority', 'State', 'Due', 'Attempts', 'Updated', ''].map(name => el('th', { scope: 'col' }, name)))), body)),
    pager);

  const refresh = coalesced(async () => {
    try {
      const query = new URLSearchParams({ limit: '50' });
      if (state) query.set('state', state);
      if (type) query.set('type', type);
      if (priority) query.set('priority', priority);
      if (after) query.set('after', after);
      const page = await api(`/api/tasks?${query}`);
      body.replaceChildren(...page.items.map(task => taskRow(task, refresh)));
      const links = [];
      if (after) links.push(el('a', { href: `#/tasks?${new URLSearchParams(Object.entries({ state, type, priority }).filter(([, v]) => v))}` }, 'Newest'));
      if (page.next) {
        const next = new URLSearchParams(Object.entries({ state, type, priority }).filter(([, v]) => v));
        next.set('after', page.next);
        links.push(el('a', { href: `#/tasks?${next}` }, 'Older tasks'));
      }
      pager.replaceChildren(...links.flatMap((link, i) => i ? [' · ', link] : [link]));
      showError(null);
    } catch (error) {
      showError(error);
    }
  });

  if (!after) {
    stopRefreshing = refreshEvery(refresh, 3000);
    leavePage = onEvents(refresh);
  } else {
    refresh();
  }
}

function taskRow(task, refresh) {
  const waiting = CANCELABLE.includes(task.state);
  return el('tr', { 'data-task-id': task.id },
    el('td', {}, el('a', { href: `#/task/${task.id}` }, task.id)),
    el('td', {}, task.type), el('td', {}, task.value), el('td', { 'data-testid': 'priority' }, task.priority),
    el('td', { 'data-testid': 'state' }, task.state), el('td', { 'data-testid': 'due' }, time(task.runAt)), el('td', {}, task.attempts), el('td', {}, time(task.updatedAt)),
    el('td', {}, canWrite() && waiting ? el('button', { type: 'button', onclick: () => act(`/api/tasks/${task.id}/cancel`, `Cancel task ${task.id}?`, refresh) }, 'Cancel') : null));
}

async function act(path, question, refresh) {
  if (!window.confirm(question)) return;
  try {
    let result = await api(path, { method: 'POST' });
    if (result && result.requeued !== undefined) {
      // Retry-many requeues at most its limit per call (in bounded batches): call again while it says more are left.
      let requeued = result.requeued;
      while (result.more && result.requeued > 0) {
        result = await api(path, { method: 'POST' });
        requeued += result.requeued;
      }
      announce(`${requeued} task(s) requeued`);
    } else {
      announce(`task ${result.id} is ${result.state}`);
    }
    showError(null);
  } catch (error) {
    showError(error);
  }
  refresh();
}

// One task: every field, and what may be done with it.
function taskPage(main, id) {
  const details = el('dl');
  const actions = el('p');
  main.append(el('h2', {}, 'Task'), details, actions);

  const refresh = coalesced(async () => {
    try {
      const task = await api(`/api/tasks/${encodeURIComponent(id)}`);
      const fields = [['Id', task.id], ['Type', task.type], ['Value', task.value], ['State', task.state], ['Priority', task.priority], ['Due', time(task.runAt) || '—'], ['Attempts', task.attempts],
        ['Last error', task.lastError || '—'], ['Created', time(task.createdAt)], ['Updated', time(task.updatedAt)], ['Finished', time(task.finishedAt) || '—']];
      details.replaceChildren(...fields.flatMap(([name, value]) => [el('dt', {}, name), el('dd', { 'data-testid': `field-${name.toLowerCase().replace(' ', '-')}` }, value)]));
      const buttons = [];
      if (canWrite() && CANCELABLE.includes(task.state)) {
        buttons.push(el('button', { type: 'button', onclick: () => act(`/api/tasks/${task.id}/cancel`, `Cancel task ${task.id}?`, refresh) }, 'Cancel'));
      }
      if (canWrite() && (task.state === 'failed' || task.state === 'canceled')) {
        buttons.push(el('button', { type: 'button', class: 'primary', onclick: () => act(`/api/tasks/${task.id}/retry`, `Retry task ${task.id}?`, refresh) }, 'Retry'));
      }
      actions.replaceChildren(...buttons);
      showError(null);
    } catch (error) {
      showError(error);
    }
  });

  refresh();
  leavePage = onEvents(refresh);
  stopRefreshing = resumeWhenShown(refresh);
}

// The dead letter (failed) and canceled tasks: retry one, or every failed task of a type.
function deadLetterPage(main, params) {
  const state = params.get('state') === 'canceled' ? 'canceled' : 'failed';
  const body = el('tbody');
  const bulk = el('div', { class: 'filters' });
  main.append(
    el('h2', {}, state === 'failed' ? 'Failed tasks (the dead letter)' : 'Canceled tasks'),
    el('p', {}, el('a', { href: `#/dead-letter?state=${state === 'failed' ? 'canceled' : 'failed'}` }, state === 'failed' ? 'Show canceled tasks' : 'Show failed tasks')),
    bulk,
    el('div', { class: 'scroll' }, el('table', { 'aria-label': `${state} tasks` }, el('thead', {}, el('tr', {},
      ['Task', 'Type', 'Value', 'Attempts', 'Last error', 'Finished', ''].map(name => el('th', { scope: 'col' }, name)))), body)));

  if (canWrite()) {
    const typeSelect = el('select', { id: 'retry-type' }, el('option', { value: '' }, 'every type'), TYPES.map(t => el('option', { value: t }, `type ${t}`)));
    bulk.append(el('label', { for: 'retry-type' }, 'Retry all', typeSelect),
      el('button', { type: 'button', class: 'primary', onclick: () => {
        const query = new URLSearchParams({ state });
        if (typeSelect.value) query.set('type', typeSelect.value);
        act(`/api/tasks/retry?${query}`, `Retry every ${state} task${typeSelect.value ? ' of type ' + typeSelect.value : ''}?`, refresh);
      } }, 'Retry all'));
  }

  const refresh = coalesced(async () => {
    try {
      const page = await api(`/api/tasks?state=${state}&limit=100`);
      body.replaceChildren(...page.items.map(task => el('tr', { 'data-task-id': task.id },
        el('td', {}, el('a', { href: `#/task/${task.id}` }, task.id)), el('td', {}, task.type), el('td', {}, task.value), el('td', {}, task.attempts),
        el('td', { class: 'error' }, task.lastError || ''), el('td', {}, time(task.finishedAt)),
        el('td', {}, canWrite() ? el('button', { type: 'button', onclick: () => act(`/api/tasks/${task.id}/retry`, `Retry task ${task.id}?`, refresh) }, 'Retry') : null))));
      showError(null);
    } catch (error) {
      showError(error);
    }
  });

  stopRefreshing = refreshEvery(refresh, 3000);
  leavePage = onEvents(refresh);
}

document.getElementById('api-key').value = session.key;
signIn();
