// Fieldbook's local page: plain JavaScript over the JSON API of
// `fieldbook ui` (collector/ui_api.c).  Every write goes to the same
// library calls as the command line; the page only draws and asks.
// Text from records is always set as text, never as HTML.
'use strict';

const state = {
  secret: '', lang: 'vi', info: null, view: 'member',
  labels: {},           // code -> label, for the vocabularies
  members: [],          // for the visit form and the attendance checklist
};

// --- talking to the server ---------------------------------------------

function takeSecret() {
  const m = /(?:^#|&)s=([0-9a-f]{64})(?:&|$)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem('fieldbook-secret', m[1]);
    history.replaceState(null, '', location.pathname);
  }
  state.secret = sessionStorage.getItem('fieldbook-secret') || '';
  state.lang = localStorage.getItem('fieldbook-lang') || 'vi';
}

async function api(method, path, body) {
  const opts = { method, headers: { 'X-Fieldbook-Secret': state.secret,
                                    'X-Fieldbook-Lang': state.lang } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res, doc;
  try {
    res = await fetch(path, opts);
    doc = await res.json();
  } catch (e) {
    return { ok: false, doc: { error: 'unreachable', message: t('err.server'), field: null } };
  }
  return { ok: res.ok, doc };
}

function t(key, vars) {
  let s = (state.info && state.info.text[key]) || key;
  if (vars) for (const k of Object.keys(vars)) s = s.split('{' + k + '}').join(String(vars[k]));
  return s;
}

// --- small DOM helpers ---------------------------------------------------

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids) if (kid !== null && kid !== undefined)
    e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  return e;
}

function notice(text, bad) {
  const n = document.getElementById('notice');
  n.textContent = text || '';
  n.className = bad ? 'bad' : '';
}

function view() { return document.getElementById('view'); }

function dayShown(iso) {
  if (!iso || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso || '';
  return state.lang === 'vi' ? iso.slice(8, 10) + '/' + iso.slice(5, 7) + '/' + iso.slice(0, 4) : iso;
}

function money(n) {
  return String(Math.round(Number(n) || 0)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

function label(code) { return state.labels[code] || code; }

function shown(f, v) {
  if (v === undefined || v === null) return '';
  if (f.kind === 'date') return dayShown(v);
  if (f.kind === 'enum') return label(v);
  if (f.kind === 'topics') return v.split(',').filter(Boolean).map(label).join(', ');
  if (f.kind === 'amount') return v === '' ? '' : money(v);
  return v;
}

function fieldsOf(type) { return state.info.types[type]; }

// --- start ------------------------------------------------------------------

async function start() {
  takeSecret();
  document.getElementById('lang').value = state.lang;
  document.getElementById('lang').addEventListener('change', async (e) => {
    state.lang = e.target.value;
    localStorage.setItem('fieldbook-lang', state.lang);
    await loadInfo();
    show(state.view);
  });
  for (const b of document.querySelectorAll('#tabs button'))
    b.addEventListener('click', () => show(b.dataset.view));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && document.querySelector('form.record')) {
      document.querySelector('form.record').remove();
      notice('');
    }
  });
  if (!state.secret) {
    notice('Mở địa chỉ mà lệnh "fieldbook ui" in ra. / Open the address "fieldbook ui" printed.', true);
    return;
  }
  if (await loadInfo()) show('member');
}

async function loadInfo() {
  const r = await api('GET', '/api/info');
  if (!r.ok) { notice(r.doc.message || 'Fieldbook', true); return false; }
  state.info = r.doc;
  state.labels = {};
  for (const type of Object.keys(r.doc.types))
    for (const f of r.doc.types[type])
      for (const v of f.vocab || []) state.labels[v.code] = v.label;
  document.documentElement.lang = state.lang;
  document.title = t('title');
  document.getElementById('title').textContent = t('title') + ' — ' +
    (r.doc.branch_name || r.doc.branch);
  document.getElementById('lang-label').textContent = t('language');
  for (const v of ['member', 'training', 'visit', 'report', 'sync'])
    document.getElementById('tab-' + v).textContent = t('tab.' + v);
  return true;
}

function show(v) {
  state.view = v;
  for (const b of document.querySelectorAll('#tabs button'))
    if (b.dataset.view === v) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  notice('');
  if (v === 'report') return showReport();
  if (v === 'sync') return showSync();
  return showList(v);
}

// --- lists ----------------------------------------------------------------------

const columns = {
  member: ['full_name', 'role', 'birth_year', 'phone', 'joined'],
  training: ['start_date', 'title', 'topics', 'location'],
  visit: ['visit_date', 'reason', 'label', 'amount_vnd', 'support'],
};

async function loadMembers() {
  const r = await api('GET', '/api/list?type=member');
  state.members = r.ok ? r.doc.items : [];
}

async function showList(type, keep) {
  const search = keep ? keep.search : '';
  const all = keep ? keep.all : false;
  const box = view();
  box.replaceChildren();
  const input = el('input', { type: 'search', id: 'search', value: search,
                              'aria-label': t('search'), placeholder: t('search') });
  const deleted = el('input', { type: 'checkbox', id: 'show-deleted' });
  deleted.checked = all;
  const table = el('table', { id: 'list' });
  const count = el('span', { id: 'count' });
  box.append(
    el('div', { class: 'bar' },
      el('button', { type: 'button', class: 'primary', id: 'add',
                     onclick: () => openForm(type, null) }, t('add.' + type)),
      input,
      el('label', {}, deleted, ' ', t('show.deleted')),
      count),
    el('div', { id: 'form-slot' }),
    table);
  const refresh = async () => {
    const q = '/api/list?type=' + type + '&search=' + encodeURIComponent(input.value) +
              (deleted.checked ? '&all=1' : '');
    const r = await api('GET', q);
    if (!r.ok) { notice(r.doc.message, true); return; }
    drawTable(type, table, r.doc.items, { search: input.value, all: deleted.checked });
    count.textContent = t('count', { n: r.doc.count });
  };
  let timer = null;
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(refresh, 200); });
  deleted.addEventListener('change', refresh);
  await refresh();
}

function drawTable(type, table, items, keep) {
  const fields = fieldsOf(type);
  const cols = columns[type];
  const head = el('tr', {});
  for (const c of cols) head.append(el('th', { class: c === 'amount_vnd' ? 'num' : null },
                                        t(c === 'label' ? 'f.person' : 'f.' + c)));
  head.append(el('th', {}, ''));
  table.replaceChildren(el('thead', {}, head));
  const body = el('tbody', {});
  for (const it of items) {
    const tr = el('tr', { class: it.deleted ? 'deleted' : null, 'data-id': it.id });
    for (const c of cols) {
      const f = fields.find((x) => x.name === c) || { kind: 'text' };
      tr.append(el('td', { class: c === 'amount_vnd' ? 'num' : null }, shown(f, it[c])));
    }
    const acts = el('td', { class: 'actions' });
    if (it.deleted) {
      acts.append(el('button', { type: 'button', onclick: () => setDeleted(type, it, false, keep) },
                     t('restore')));
    } else {
      acts.append(el('button', { type: 'button', onclick: () => openForm(type, it) }, t('edit')), ' ',
                  el('button', { type: 'button', class: 'danger',
                                 onclick: () => setDeleted(type, it, true, keep) }, t('delete')));
    }
    tr.append(acts);
    body.append(tr);
  }
  table.append(body);
}

async function setDeleted(type, it, del, keep) {
  if (del && !confirm(t('confirm.delete', { name: it.label || it.title || it.short_id }))) return;
  const r = await api('POST', del ? '/api/delete' : '/api/restore', { id: it.id });
  if (!r.ok) { notice(r.doc.message, true); return; }
  await showList(type, keep);
  notice(t(del ? 'done.deleted' : 'done.restored', { name: it.label || it.short_id }));
}

// --- forms ---------------------------------------------------------------------

function input(f, value, type) {
  const id = 'f-' + f.name;
  const req = f.required ? el('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null;
  const box = el('div', { class: 'field' + (f.kind === 'notes' || f.kind === 'topics' ? ' wide' : ''),
                          'data-field': f.name });
  const err = el('div', { class: 'err', id: 'err-' + f.name, role: 'alert' });
  let ctl;
  if (f.kind === 'topics') {
    const have = (value || '').split(',');
    const set = el('div', { class: 'checks' });
    for (const v of f.vocab) {
      const cb = el('input', { type: 'checkbox', name: f.name, value: v.code });
      cb.checked = have.includes(v.code);
      set.append(el('label', {}, cb, v.label));
    }
    ctl = el('fieldset', { 'aria-describedby': err.id },
             el('legend', {}, t('f.' + f.name), req), set);
    box.append(ctl, err);
    return box;
  }
  if (f.kind === 'enum' || (f.kind === 'ref' && type === 'visit')) {
    ctl = el('select', { id, name: f.name, 'aria-describedby': err.id });
    const opts = f.kind === 'enum' ? f.vocab.map((v) => [v.code, v.label])
      : state.members.map((m) => [m.id, m.full_name + (m.birth_year ? ' (' + m.birth_year + ')' : '')]);
    if (!f.required || !value) ctl.append(el('option', { value: '' }, f.required ? t('choose') : ''));
    for (const [code, text] of opts) ctl.append(el('option', { value: code }, text));
    ctl.value = value || (f.name === 'role' ? 'member' : '');
  } else if (f.kind === 'notes') {
    ctl = el('textarea', { id, name: f.name, rows: 2, 'aria-describedby': err.id });
    ctl.value = value || '';
  } else {
    const kinds = { date: 'date', phone: 'tel', year: 'number' };
    ctl = el('input', { id, name: f.name, type: kinds[f.kind] || 'text',
                        inputmode: f.kind === 'amount' ? 'numeric' : null,
                        min: f.kind === 'year' ? 1900 : null, max: f.kind === 'year' ? 2200 : null,
                        'aria-describedby': err.id });
    ctl.value = value || '';
  }
  box.append(el('label', { for: id }, t('f.' + f.name), req), ctl, err);
  return box;
}

function formValues(form, type) {
  const out = {};
  for (const f of fieldsOf(type)) {
    if (f.kind === 'topics') {
      out[f.name] = [...form.querySelectorAll('input[name="' + f.name + '"]:checked')]
        .map((c) => c.value).join(',');
    } else {
      const ctl = form.querySelector('[name="' + f.name + '"]');
      if (ctl) out[f.name] = ctl.value;
    }
  }
  return out;
}

function showFieldError(form, doc) {
  for (const e of form.querySelectorAll('.err')) e.textContent = '';
  for (const e of form.querySelectorAll('.invalid')) e.classList.remove('invalid');
  const box = doc.field && form.querySelector('[data-field="' + doc.field + '"]');
  if (box) {
    box.classList.add('invalid');
    box.querySelector('.err').textContent = doc.message;
    const ctl = box.querySelector('input, select, textarea');
    if (ctl) ctl.focus();
    notice(t('not.saved'), true);
  } else {
    form.querySelector('.form-err').textContent = doc.message;
    notice(t('not.saved'), true);
  }
}

async function openForm(type, rec) {
  const slot = document.getElementById('form-slot');
  if (type !== 'member') await loadMembers();
  let full = rec;
  if (rec) {
    const r = await api('GET', '/api/record?id=' + encodeURIComponent(rec.id));
    if (!r.ok) { notice(r.doc.message, true); return; }
    full = r.doc;
  }
  const form = el('form', { class: 'record', id: 'record-form', novalidate: true });
  form.append(el('h2', {}, t((rec ? 'edit.' : 'add.') + type)));
  for (const f of fieldsOf(type)) form.append(input(f, full ? full[f.name] : '', type));
  let checklist = null;
  if (type === 'training') {
    checklist = el('div', { class: 'checks attend', id: 'attendance' });
    const have = new Set(full ? full.attendees || [] : []);
    for (const m of state.members) {
      const cb = el('input', { type: 'checkbox', name: 'attendee', value: m.id });
      cb.checked = have.has(m.id);
      checklist.append(el('label', {}, cb, m.full_name));
    }
    const filter = el('input', { type: 'search', id: 'attend-filter', placeholder: t('search'),
                                 'aria-label': t('search') });
    filter.addEventListener('input', () => {
      const q = fold(filter.value);
      for (const l of checklist.children) l.hidden = q && !fold(l.textContent).includes(q);
    });
    form.append(el('div', { class: 'field wide', 'data-field': 'attendance' },
      el('fieldset', {}, el('legend', {}, t('attendance')), filter, checklist),
      el('div', { class: 'err', id: 'err-attendance', role: 'alert' })));
  }
  form.append(el('div', { class: 'err form-err wide' }),
    el('div', { class: 'buttons' },
      el('button', { type: 'submit', class: 'primary', id: 'save' }, t('save')),
      el('button', { type: 'button', onclick: () => { form.remove(); notice(''); } }, t('cancel'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const fields = formValues(form, type);
    const r = rec ? await api('POST', '/api/edit', { id: rec.id, fields })
                  : await api('POST', '/api/add', { type, fields });
    if (!r.ok) { showFieldError(form, r.doc); return; }
    const id = rec ? rec.id : r.doc.id;
    if (checklist) {
      const members = [...checklist.querySelectorAll('input:checked')].map((c) => c.value);
      const a = await api('POST', '/api/attendance', { training: id, members });
      if (!a.ok) { showFieldError(form, Object.assign({}, a.doc, { field: 'attendance' })); return; }
    }
    const keep = { search: document.getElementById('search').value,
                   all: document.getElementById('show-deleted').checked };
    await showList(type, keep);
    notice(t(rec ? 'done.saved' : 'done.added') +
           (r.doc.phone_fixed ? ' ' + t('phone.fixed') : ''));
  });
  slot.replaceChildren(form);
  const first = form.querySelector('input, select, textarea');
  if (first) first.focus();
}

function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'd')
    .toLowerCase();
}

// --- the report ---------------------------------------------------------------

function csvDownload(name, rows) {
  const text = '\ufeff' + rows.map((r) => r.map((c) => {
    const s = String(c === undefined || c === null ? '' : c);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }).join(',')).join('\r\n') + '\r\n';
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })),
                      download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

const SVGNS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// A horizontal bar chart: rows of [label, value].
function barChart(rows, title) {
  const w = 600, rowH = 24, labelW = 260, h = rows.length * rowH + 8;
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const s = svg('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, role: 'img',
                         'aria-label': title });
  rows.forEach(([name, v], i) => {
    const y = 4 + i * rowH;
    s.append(svg('text', { x: labelW - 6, y: y + 16, 'text-anchor': 'end' }, name));
    s.append(svg('rect', { x: labelW, y: y + 3, height: rowH - 8, fill: '#0b5d3b',
                           width: Math.max(v ? 2 : 0, (w - labelW - 50) * v / max) }));
    s.append(svg('text', { x: labelW + 6 + (w - labelW - 50) * v / max, y: y + 16 }, String(v)));
  });
  return s;
}

async function showReport(year) {
  const box = view();
  const y = year || state.info.year;
  const r = await api('GET', '/api/report?year=' + y);
  box.replaceChildren();
  if (!r.ok) { notice(r.doc.message, true); return; }
  const d = r.doc;
  const yearIn = el('input', { type: 'number', id: 'year', value: y, min: 1900, max: 2200,
                               'aria-label': t('year') });
  yearIn.addEventListener('change', () => showReport(yearIn.value));
  box.append(el('div', { class: 'bar' }, el('h2', {}, t('report.title', { year: d.year })),
                el('label', {}, t('year') + ' ', yearIn)));
  const cards = el('div', { class: 'cards' });
  box.append(cards);

  // Coverage of the target groups, each a bar against its target.
  const cov = el('div', { class: 'card', id: 'coverage' }, el('h2', {}, t('report.targets')));
  const rowsT = [['group', 'total', 'trained', 'percent', 'target_percent']];
  const rowsN = [['group', 'id', 'full_name', 'role']];
  for (const g of d.targets) {
    rowsT.push([g.group, g.total, g.trained, g.percent.toFixed(1), g.target_percent]);
    for (const p of g.not_trained) rowsN.push([g.group, p.id, p.full_name, p.role]);
    if (!g.total && g.group !== 'branch_heads_deputies') continue;
    const pct = Math.min(100, g.percent);
    cov.append(el('div', { class: 'cover', 'data-group': g.group },
      el('div', {}, t('group.' + g.group) + ': ' +
         t('report.trained', { trained: g.trained, total: g.total, pct: Math.round(g.percent),
                                target: g.target_percent })),
      (() => {
        const m = el('div', { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100,
                              'aria-valuenow': Math.round(pct) });
        const fill = el('div', { class: 'fill' + (g.percent < g.target_percent ? ' short' : '') });
        fill.style.width = pct + '%';
        const tgt = el('div', { class: 'target', title: t('target') });
        tgt.style.left = 'calc(' + g.target_percent + '% - 3px)';
        m.append(fill, tgt);
        return m;
      })(),
      g.not_trained.length ? el('div', {}, t('report.not.trained')) : null,
      g.not_trained.length ? el('ul', { class: 'people' },
        ...g.not_trained.map((p) => el('li', {}, p.full_name + ' — ' + label(p.role)))) : null));
  }
  cov.append(el('div', { class: 'bar' },
    el('button', { type: 'button', onclick: () => csvDownload('targets-' + d.year + '.csv', rowsT) },
       t('csv.targets')),
    el('button', { type: 'button', onclick: () => csvDownload('not-trained-' + d.year + '.csv', rowsN) },
       t('csv.not.trained'))));
  cards.append(cov);

  // Members by role.
  const roles = el('div', { class: 'card', id: 'roles' }, el('h2', {}, t('report.roles')));
  const rowsR = [['role', 'members']];
  const tb = el('tbody', {});
  for (const [code, n] of Object.entries(d.members_by_role)) {
    rowsR.push([code, n]);
    if (n) tb.append(el('tr', {}, el('td', {}, label(code)), el('td', { class: 'num' }, n)));
  }
  roles.append(el('table', {}, tb),
    el('div', { class: 'bar' }, el('button', { type: 'button',
      onclick: () => csvDownload('members-by-role-' + d.year + '.csv', rowsR) }, t('csv.roles'))));
  cards.append(roles);

  // Courses by topic.
  const topics = el('div', { class: 'card', id: 'topics' },
    el('h2', {}, t('report.topics', { courses: d.courses, attendances: d.attendances,
                                      trainees: d.trainees })));
  const rowsC = [['topic', 'courses', 'attendances']];
  const chartC = [];
  for (const [code, v] of Object.entries(d.courses_by_topic)) {
    rowsC.push([code, v.courses, v.attendances]);
    if (v.courses) chartC.push([label(code), v.courses]);
  }
  topics.append(chartC.length ? barChart(chartC, t('report.topics.chart')) : el('p', {}, t('none')),
    el('div', { class: 'bar' }, el('button', { type: 'button',
      onclick: () => csvDownload('courses-by-topic-' + d.year + '.csv', rowsC) }, t('csv.topics'))));
  cards.append(topics);

  // Visits by reason.
  const visits = el('div', { class: 'card', id: 'visits' },
    el('h2', {}, t('report.visits', { visits: d.visits, amount: money(d.amount_vnd) })));
  const rowsV = [['reason', 'visits', 'amount_vnd']];
  const chartV = [];
  for (const [code, v] of Object.entries(d.visits_by_reason)) {
    rowsV.push([code, v.visits, v.amount_vnd]);
    if (v.visits) chartV.push([label(code), v.visits]);
  }
  visits.append(chartV.length ? barChart(chartV, t('report.visits.chart')) : el('p', {}, t('none')),
    el('div', { class: 'bar' }, el('button', { type: 'button',
      onclick: () => csvDownload('visits-by-reason-' + d.year + '.csv', rowsV) }, t('csv.visits'))));
  cards.append(visits);
}

// --- sync and conflicts ---------------------------------------------------------

function syncSaid(s) {
  const r = s.result;
  if (!r) return '';
  if (r.ok) return t('sync.ok', { sent: r.sent, received: r.received }) +
                   (r.rejected ? ' ' + t('sync.rejected', { n: r.rejected }) : '');
  const why = { 69: 'sync.fail.net', 75: 'sync.fail.busy', 77: 'sync.fail.auth',
                64: 'sync.fail.setup', 76: 'sync.fail.version' }[r.exit] || 'sync.fail.other';
  return t(why) + ' ' + t('sync.nothing.lost') + (r.message ? ' (' + r.message + ')' : '');
}

async function showSync() {
  const box = view();
  box.replaceChildren();
  const bar = el('progress', { id: 'sync-progress', max: 1, value: 0 });
  bar.hidden = true;
  const said = el('p', { id: 'sync-result', role: 'status', 'aria-live': 'polite' });
  const step = el('span', { id: 'sync-step' });
  const button = el('button', { type: 'button', class: 'primary', id: 'sync-now' }, t('sync.now'));
  const conflicts = el('div', { id: 'conflicts' });
  box.append(el('div', { class: 'card sync' }, el('h2', {}, t('sync.title')),
                el('div', { class: 'bar' }, button, bar, step), said),
             el('h2', {}, t('conflicts.title')), conflicts);
  const poll = async () => {
    const r = await api('GET', '/api/sync');
    if (!r.ok) { said.textContent = r.doc.message; return; }
    const s = r.doc;
    bar.hidden = !s.running;
    button.disabled = s.running;
    if (s.running) {
      if (s.fraction >= 0) bar.value = s.fraction; else bar.removeAttribute('value');
      step.textContent = s.step ? t('sync.step.' + s.step, { done: s.done, total: s.total }) : '';
      setTimeout(poll, 500);
    } else {
      step.textContent = '';
      said.textContent = syncSaid(s);
      said.className = s.result && !s.result.ok ? 'err' : '';
      if (s.result) loadConflicts(conflicts);
    }
  };
  button.addEventListener('click', async () => {
    said.textContent = '';
    const r = await api('POST', '/api/sync', {});
    if (!r.ok) { said.textContent = r.doc.message; return; }
    poll();
  });
  await poll();
  await loadConflicts(conflicts);
}

async function loadConflicts(box) {
  const r = await api('GET', '/api/conflicts');
  box.replaceChildren();
  if (!r.ok) { box.append(el('p', { class: 'err' }, r.doc.message)); return; }
  if (!r.doc.items.length) { box.append(el('p', { id: 'no-conflicts' }, t('conflicts.none'))); return; }
  for (const k of r.doc.items) {
    const f = (fieldsOf(k.type) || []).find((x) => x.name === k.field) || { kind: 'text' };
    const del = k.kind === 'delete';
    const side = (which, value, note) => el('div', { class: 'side' },
      el('div', {}, note),
      el('div', { class: 'value' }, value === null ? t('conflict.deleted') : shown(f, value) || '—'),
      el('button', { type: 'button', class: 'primary', 'data-keep': which,
                     onclick: () => settle(k, which, box) }, t('conflict.keep')));
    box.append(el('div', { class: 'card', 'data-conflict': k.id },
      el('h2', {}, (k.label || k.record) + ' — ' + t('f.' + k.field)),
      el('div', { class: 'conflict' },
        side('current', del ? null : k.current, t('conflict.current')),
        side('other', k.other, k.other_here ? t('conflict.other.here')
                                            : t('conflict.other', { laptop: k.other_device.slice(0, 8) })))));
  }
}

async function settle(k, keep, box) {
  const r = await api('POST', '/api/resolve', { id: k.id, keep });
  if (!r.ok) { notice(r.doc.message, true); return; }
  notice(t('conflict.settled'));
  await loadConflicts(box);
}

document.addEventListener('DOMContentLoaded', start);
