// Fieldbook's local page: plain JavaScript over the JSON API of
// `fieldbook ui` (collector/ui_api.c).  Every write goes to the same
// library calls as the command line; the page only draws and asks.
// Text from records is always set as text, never as HTML.
//
// Keyboard: every control is a button, a link, a checkbox or a field,
// in the order it is read, so Tab and Shift+Tab reach everything and
// Enter or Space does it.  After an action focus goes where the work
// goes on: into a form that opens (its first field), to the field a
// refused value names, to the notice that says what was saved, back to
// the button that opened a form that is closed (Escape closes it).
'use strict';

const state = {
  secret: '', lang: 'vi', info: null, view: 'member',
  labels: {},           // code -> label, for the vocabularies
  stale: false,         // the server is gone or has another key: say so, once
};

// Members a picker or the attendance checklist shows at once; a search
// (on the server, the lists' own matching) finds the others.
const PICK_LIMIT = 60;

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

// The one line for when the page has lost its server: `fieldbook ui`
// stopped, or was started again (a new port, or a new key).  Before
// the page's words have come there is only this line, in both languages.
const LOST = 'Trang không kết nối được với Fieldbook: nếu lệnh "fieldbook ui" đã được chạy lại,' +
  ' hãy mở địa chỉ mới mà lệnh in ra. / The page cannot reach Fieldbook: if "fieldbook ui"' +
  ' was started again, open the new address it printed.';

function banner(text) {
  const b = document.getElementById('banner');
  b.textContent = text.charAt(0).toUpperCase() + text.slice(1);
  b.hidden = false;
  state.stale = true;
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
    const message = state.info ? t('err.server') : LOST;
    banner(message);
    return { ok: false, doc: { error: 'unreachable', message, field: null } };
  }
  if (res.status === 403 && doc.error === 'restarted') banner(doc.message);
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
  if (bad && state.stale) return;     // the banner says it already
  n.textContent = text || '';
  n.className = bad ? 'bad' : '';
}

// Focus the notice, so that what it says is read and Tab goes on into
// the page from there.
function focusNotice() {
  document.getElementById('notice').focus();
}

function focusIf(e) {
  if (e && e.isConnected) { e.focus(); return true; }
  return false;
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

function fieldOf(type, name) {
  return (fieldsOf(type) || []).find((x) => x.name === name) || null;
}

// A member as the pickers show her: her name, and her year of birth to
// tell two of one name apart.
function memberShown(m) {
  return m.full_name + (m.birth_year ? ' (' + m.birth_year + ')' : '');
}

// --- start ------------------------------------------------------------------

async function start() {
  takeSecret();
  // The new address pasted into this tab (after `fieldbook ui` was
  // started again) changes only the fragment, which loads nothing:
  // take its key and start the page afresh.
  window.addEventListener('hashchange', () => {
    if (/(?:^#|&)s=[0-9a-f]{64}(?:&|$)/.test(location.hash)) {
      takeSecret();
      location.reload();
    }
  });
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
    if (e.key !== 'Escape') return;
    const form = document.querySelector('form.record');
    if (form) { e.preventDefault(); closeForm(form); }
  });
  if (!state.secret) {
    banner('Mở địa chỉ mà lệnh "fieldbook ui" in ra. / Open the address "fieldbook ui" printed.');
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
  document.getElementById('tabs').setAttribute('aria-label', t('title'));
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

function listKeep() {
  const s = document.getElementById('search'), d = document.getElementById('show-deleted');
  return { search: s ? s.value : '', all: d ? d.checked : false };
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
  const count = el('span', { id: 'count', role: 'status' });
  const add = el('button', { type: 'button', class: 'primary', id: 'add' }, t('add.' + type));
  add.addEventListener('click', () => openForm(type, null, add));
  box.append(
    el('div', { class: 'bar' }, add, input, el('label', {}, deleted, ' ', t('show.deleted')), count),
    el('div', { id: 'form-slot' }),
    table);
  const refresh = async () => {
    const q = '/api/list?type=' + type + '&search=' + encodeURIComponent(input.value) +
              (deleted.checked ? '&all=1' : '');
    const r = await api('GET', q);
    if (!r.ok) { notice(r.doc.message, true); return; }
    drawTable(type, table, r.doc.items);
    count.textContent = t('count', { n: r.doc.count });
  };
  let timer = null;
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(refresh, 200); });
  deleted.addEventListener('change', refresh);
  await refresh();
}

function nameOf(it) { return it.label || it.title || it.short_id; }

function drawTable(type, table, items) {
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
    drawActions(type, it, acts);
    tr.append(acts);
    body.append(tr);
  }
  table.append(body);
}

// A row's buttons: Change and Delete, or Restore for a deleted one.  Each
// names its record for a screen reader ("Sửa: Nguyễn Thị Lan").
function drawActions(type, it, acts) {
  const name = nameOf(it);
  acts.replaceChildren();
  if (it.deleted) {
    acts.append(el('button', { type: 'button', class: 'restore', 'aria-label': t('restore') + ': ' + name,
                               onclick: () => setDeleted(type, it, false) }, t('restore')));
    return;
  }
  const edit = el('button', { type: 'button', class: 'edit', 'aria-label': t('edit') + ': ' + name },
                  t('edit'));
  edit.addEventListener('click', () => openForm(type, it, edit));
  const del = el('button', { type: 'button', class: 'danger delete', 'aria-label': t('delete') + ': ' + name },
                 t('delete'));
  del.addEventListener('click', () => confirmDelete(type, it, acts));
  acts.append(edit, ' ', del);
}

// Delete asks first, in the row itself (a question and two buttons, the
// first focused), so that the keyboard answers it as it answers the rest
// of the page; Escape or Cancel puts the row's buttons back.
function confirmDelete(type, it, acts) {
  const yes = el('button', { type: 'button', class: 'danger', id: 'confirm-delete' }, t('delete'));
  const back = () => { drawActions(type, it, acts); focusIf(acts.querySelector('.delete')); };
  const no = el('button', { type: 'button', id: 'confirm-cancel', onclick: back }, t('cancel'));
  yes.addEventListener('click', () => setDeleted(type, it, true));
  const ask = el('div', { class: 'confirm', role: 'group', 'aria-label': t('delete') },
                 el('span', { id: 'confirm-text' }, t('confirm.delete', { name: nameOf(it) })), ' ', yes, ' ', no);
  ask.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); back(); }
  });
  yes.setAttribute('aria-describedby', 'confirm-text');
  acts.replaceChildren(ask);
  yes.focus();
}

async function setDeleted(type, it, del) {
  const keep = listKeep();
  const r = await api('POST', del ? '/api/delete' : '/api/restore', { id: it.id });
  if (!r.ok) { notice(r.doc.message, true); return; }
  await showList(type, keep);
  notice(t(del ? 'done.deleted' : 'done.restored', { name: nameOf(it) }));
  focusNotice();
}

// --- forms ---------------------------------------------------------------------

// One field's box: its label, its control and the place for its error,
// which the control names in aria-describedby.  pre makes the ids
// ("f-": a record's form; another for a conflict's new value).
function input(f, value, type, pre, extra) {
  pre = pre || 'f-';
  const id = pre + f.name;
  const errId = (pre === 'f-' ? '' : pre) + 'err-' + f.name;
  const req = f.required ? el('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null;
  const box = el('div', { class: 'field' + (f.kind === 'notes' || f.kind === 'topics' ? ' wide' : ''),
                          'data-field': f.name });
  const err = el('div', { class: 'err', id: errId, role: 'alert' });
  let ctl;
  if (f.kind === 'topics') {
    const have = (value || '').split(',');
    const set = el('div', { class: 'checks' });
    for (const v of f.vocab) {
      const cb = el('input', { type: 'checkbox', name: f.name, value: v.code, 'aria-describedby': errId });
      cb.checked = have.includes(v.code);
      set.append(el('label', {}, cb, v.label));
    }
    ctl = el('fieldset', { id, 'aria-describedby': errId },
             el('legend', {}, (extra && extra.title) || t('f.' + f.name), req), set);
    box.append(ctl, err);
    return box;
  }
  if (f.kind === 'ref' && type === 'visit') {
    const picker = memberPicker(f, value, extra && extra.valueLabel, id, errId);
    box.append(el('label', { for: id }, (extra && extra.title) || t('f.' + f.name), req), picker, err);
    return box;
  }
  if (f.kind === 'enum') {
    ctl = el('select', { id, name: f.name, 'aria-describedby': errId });
    if (!f.required || !value) ctl.append(el('option', { value: '' }, f.required ? t('choose') : ''));
    for (const v of f.vocab) ctl.append(el('option', { value: v.code }, v.label));
    ctl.value = value || (f.name === 'role' ? 'member' : '');
  } else if (f.kind === 'notes') {
    ctl = el('textarea', { id, name: f.name, rows: 2, 'aria-describedby': errId });
    ctl.value = value || '';
  } else {
    const kinds = { date: 'date', phone: 'tel', year: 'number' };
    ctl = el('input', { id, name: f.name, type: kinds[f.kind] || 'text',
                        inputmode: f.kind === 'amount' ? 'numeric' : null,
                        min: f.kind === 'year' ? 1900 : null, max: f.kind === 'year' ? 2200 : null,
                        'aria-describedby': errId });
    ctl.value = value || '';
  }
  box.append(el('label', { for: id }, (extra && extra.title) || t('f.' + f.name), req), ctl, err);
  return box;
}

// The value a field's box holds, as the API takes it.
function boxValue(box, f) {
  if (f.kind === 'topics')
    return [...box.querySelectorAll('input[name="' + f.name + '"]:checked')].map((c) => c.value).join(',');
  const ctl = box.querySelector('[name="' + f.name + '"]');
  return ctl ? ctl.value : undefined;
}

function formValues(form, type) {
  const out = {};
  for (const f of fieldsOf(type)) {
    const box = form.querySelector('[data-field="' + f.name + '"]');
    const v = box ? boxValue(box, f) : undefined;
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}

// A refused value: its message beside its field, the field marked
// invalid and focused.
function markInvalid(box, message) {
  box.classList.add('invalid');
  box.querySelector('.err').textContent = message;
  const ctls = box.querySelectorAll('input:not([type=search]), select, textarea');
  for (const c of ctls) c.setAttribute('aria-invalid', 'true');
  if (ctls.length) ctls[0].focus();
}

function clearInvalid(scope) {
  for (const e of scope.querySelectorAll('.err')) e.textContent = '';
  for (const e of scope.querySelectorAll('.invalid')) e.classList.remove('invalid');
  for (const e of scope.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
}

function showFieldError(form, doc) {
  clearInvalid(form);
  const box = doc.field && form.querySelector('[data-field="' + doc.field + '"]');
  if (box) {
    markInvalid(box, doc.message);
  } else {
    const fe = form.querySelector('.form-err');
    fe.textContent = doc.message;
    fe.focus();
  }
  notice(t('not.saved'), true);
}

function closeForm(form) {
  const opener = form.opener;
  form.remove();
  notice('');
  if (!focusIf(opener)) focusIf(document.getElementById('add'));
}

async function openForm(type, rec, opener) {
  const slot = document.getElementById('form-slot');
  let full = rec;
  if (rec) {
    const r = await api('GET', '/api/record?id=' + encodeURIComponent(rec.id));
    if (!r.ok) { notice(r.doc.message, true); return; }
    full = r.doc;
  }
  const form = el('form', { class: 'record', id: 'record-form', novalidate: true,
                            'aria-labelledby': 'form-title' });
  form.opener = opener;
  form.append(el('h2', { id: 'form-title' }, t((rec ? 'edit.' : 'add.') + type)));
  for (const f of fieldsOf(type)) {
    // A visit's member is shown by her name when she is not among the
    // first the picker lists.
    const extra = type === 'visit' && f.name === 'member_id' && full ? { valueLabel: full.label } : null;
    form.append(input(f, full ? full[f.name] : '', type, 'f-', extra));
  }
  let attend = null;
  if (type === 'training') {
    const have = new Map();
    const labels = (full && full.attendee_labels) || {};
    for (const id of (full && full.attendees) || []) have.set(id, labels[id] || id);
    attend = attendance(have);
    form.append(attend.box);
  }
  form.append(el('div', { class: 'err form-err wide', tabindex: '-1', role: 'alert' }),
    el('div', { class: 'buttons' },
      el('button', { type: 'submit', class: 'primary', id: 'save' }, t('save')),
      el('button', { type: 'button', id: 'cancel', onclick: () => closeForm(form) }, t('cancel'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const fields = formValues(form, type);
    const r = rec ? await api('POST', '/api/edit', { id: rec.id, fields })
                  : await api('POST', '/api/add', { type, fields });
    if (!r.ok) { showFieldError(form, r.doc); return; }
    const id = rec ? rec.id : r.doc.id;
    if (attend) {
      const a = await api('POST', '/api/attendance', { training: id, members: [...attend.chosen.keys()] });
      if (!a.ok) { showFieldError(form, Object.assign({}, a.doc, { field: 'attendance' })); return; }
    }
    await showList(type, listKeep());
    notice(t(rec ? 'done.saved' : 'done.added') +
           (r.doc.phone_fixed ? ' ' + t('phone.fixed') : ''));
    focusNotice();
  });
  slot.replaceChildren(form);
  const first = form.querySelector('input, select, textarea');
  if (first) first.focus();
}

// --- finding members: the visit's picker and the attendance checklist ----------

// The members a search finds, PICK_LIMIT at most, and how many it found
// in all: the server searches as `list --search` does (accents aside,
// "nguyen thi" finds "Nguyễn Thị Lan").  Answers that come back after a
// later search was asked are dropped by the caller (its own counter).
async function findMembers(q) {
  const r = await api('GET', '/api/list?type=member&limit=' + PICK_LIMIT +
                             '&search=' + encodeURIComponent(q));
  return r.ok ? r.doc : { items: [], count: 0, message: r.doc.message };
}

function moreSaid(found) {
  if (found.message) return found.message;
  if (!found.count) return t('pick.none');
  const more = found.count - found.items.length;
  return more > 0 ? t('pick.more', { n: more }) : '';
}

// A search box typed into as one types a name: what it finds is asked
// for a moment after the last key.  Enter does not send the form: it
// goes on to what was found (next).
function finder(attrs, draw, next) {
  const box = el('input', Object.assign({ type: 'search', autocomplete: 'off',
                                          placeholder: t('find.member') }, attrs));
  let timer = null, drawn = null, pending = Promise.resolve();
  const find = () => { timer = null; drawn = box.value; pending = draw(); return pending; };
  box.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(find, 150); });
  box.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    // What was typed is found, or being found: go on once it is shown.
    if (timer === null && drawn === box.value) { pending.then(next); return; }
    clearTimeout(timer);
    find().then(next);
  });
  return box;
}

// The visit's member: a search box, and a list of the members it finds
// to choose from.  The one chosen stays in the list whatever is typed,
// so that a search never undoes a choice.
function memberPicker(f, value, valueLabel, id, errId) {
  let chosen = value ? { id: value, text: valueLabel || value } : null;
  let asked = 0;
  const sel = el('select', { id, name: f.name, 'aria-describedby': errId + ' ' + id + '-more' });
  const more = el('div', { class: 'hint', id: id + '-more', role: 'status' });
  const draw = async () => {
    const mine = ++asked;
    const found = await findMembers(search.value);
    if (mine !== asked) return;
    const opts = [el('option', { value: '' }, t('pick.nobody'))];
    if (chosen && !found.items.some((m) => m.id === chosen.id))
      opts.push(el('option', { value: chosen.id }, chosen.text));
    for (const m of found.items) opts.push(el('option', { value: m.id }, memberShown(m)));
    sel.replaceChildren(...opts);
    sel.value = chosen ? chosen.id : '';
    more.textContent = moreSaid(found);
  };
  const search = finder({ id: id + '-find', 'aria-label': t('find.member'),
                          'aria-controls': id }, draw, () => sel.focus());
  sel.addEventListener('change', () => {
    const o = sel.selectedOptions[0];
    chosen = sel.value ? { id: sel.value, text: o ? o.textContent : sel.value } : null;
  });
  draw();
  return el('div', { class: 'picker' }, search, sel, more);
}

// Who attended: a search box over a checklist of the members it finds,
// and a line naming everyone ticked.  Ticks are kept by member, not by
// box, so that a name ticked stays ticked when the search changes.
function attendance(have) {
  const chosen = new Map(have);     // id -> name
  let asked = 0;
  const list = el('div', { class: 'checks attend', id: 'attendance' });
  const more = el('div', { class: 'hint', id: 'attend-more', role: 'status' });
  const ticked = el('div', { class: 'ticked', id: 'attend-ticked', 'aria-live': 'polite' });
  const sayTicked = () => {
    const names = [...chosen.values()];
    ticked.textContent = t('pick.ticked', { n: names.length }) + (names.length ? ': ' + names.join(', ') : '');
  };
  const draw = async () => {
    const mine = ++asked;
    const found = await findMembers(filter.value);
    if (mine !== asked) return;
    list.replaceChildren();
    for (const m of found.items) {
      const cb = el('input', { type: 'checkbox', name: 'attendee', value: m.id });
      cb.checked = chosen.has(m.id);
      cb.addEventListener('change', () => {
        if (cb.checked) chosen.set(m.id, m.full_name); else chosen.delete(m.id);
        sayTicked();
      });
      list.append(el('label', {}, cb, memberShown(m)));
    }
    more.textContent = moreSaid(found);
  };
  const filter = finder({ id: 'attend-filter', 'aria-label': t('find.member'),
                          'aria-controls': 'attendance' },
                        draw, () => focusIf(list.querySelector('input')));
  sayTicked();
  draw();
  const box = el('div', { class: 'field wide', 'data-field': 'attendance' },
    el('fieldset', { 'aria-describedby': 'err-attendance attend-ticked' },
       el('legend', {}, t('attendance')), filter, list, more, ticked),
    el('div', { class: 'err', id: 'err-attendance', role: 'alert' }));
  return { box, chosen };
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
  // A year refused leaves the report shown as it was, the box to put right.
  if (!r.ok) { notice(r.doc.message, true); return; }
  notice('');
  box.replaceChildren();
  const d = r.doc;
  const yearIn = el('input', { type: 'number', id: 'year', value: y, min: 1900, max: 2200,
                               'aria-label': t('year') });
  // The report is drawn anew for another year; focus stays in the box.
  yearIn.addEventListener('change', async () => {
    const had = document.activeElement === yearIn;
    await showReport(yearIn.value);
    if (had) focusIf(document.getElementById('year'));
  });
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
  // While a sync runs the button says so (aria-disabled) but keeps the
  // focus: a disabled button would drop it.
  const button = el('button', { type: 'button', class: 'primary', id: 'sync-now' }, t('sync.now'));
  const conflicts = el('div', { id: 'conflicts' });
  box.append(el('div', { class: 'card sync' }, el('h2', {}, t('sync.title')),
                el('div', { class: 'bar' }, button, bar, step), said),
             el('h2', {}, t('conflicts.title')), conflicts);
  const poll = async () => {
    const r = await api('GET', '/api/sync');
    if (!r.ok) { said.textContent = r.doc.message; button.removeAttribute('aria-disabled'); return; }
    const s = r.doc;
    bar.hidden = !s.running;
    if (s.running) button.setAttribute('aria-disabled', 'true');
    else button.removeAttribute('aria-disabled');
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
    if (button.getAttribute('aria-disabled') === 'true') return;
    said.textContent = '';
    button.setAttribute('aria-disabled', 'true');
    const r = await api('POST', '/api/sync', {});
    if (!r.ok) { said.textContent = r.doc.message; button.removeAttribute('aria-disabled'); return; }
    poll();
  });
  await poll();
  await loadConflicts(conflicts);
}

// "... on this laptop" or "... on laptop 5c1e9a0b": key.here or key.on.
function onLaptop(key, here, device, vars) {
  return here ? t(key + '.here', vars) : t(key + '.on', Object.assign({ laptop: device.slice(0, 8) }, vars));
}

// One side of a conflict: who wrote it, the value, and the button that
// keeps it.
function conflictSide(which, note, value, action, settleIt) {
  return el('div', { class: 'side', 'data-side': which },
    el('div', {}, note),
    el('div', { class: 'value' }, value),
    el('button', { type: 'button', class: 'primary', 'data-keep': which,
                   onclick: () => settleIt({ keep: which }) }, action));
}

// A conflict's card.  Three kinds, each in plain words:
//  - two values of a field: keep one, or type another (checked as an
//    edit is: `resolve --value`);
//  - an edit that met a delete: keep it deleted, or bring it back with
//    the edit, or with another value;
//  - the record deleted on one side and not on the other (its `deleted`
//    field): keep it deleted, or keep it.
function conflictCard(k, settleIt) {
  const f = fieldOf(k.type, k.field) || { name: k.field, kind: 'text', vocab: [] };
  const fname = t('f.' + k.field);
  const name = k.label || k.record;
  const value = (v) => shown(f, v) || '—';
  const card = el('div', { class: 'card', 'data-conflict': k.id, 'data-kind': k.kind,
                           'data-field': k.field });
  const cid = 'c' + k.id + '-';
  let title, sides, typed = null;
  if (k.kind === 'delete') {
    title = t('conflict.delete.title', { name });
    sides = [
      conflictSide('current', onLaptop('conflict.deleted', k.kept_here, k.kept_device),
                   t('conflict.deleted'), t('conflict.keep.deleted'), settleIt),
      conflictSide('other', onLaptop('conflict.changed', k.other_here, k.other_device, { field: fname }),
                   value(k.other), t('conflict.bring.back'), settleIt)];
    typed = { title: t('conflict.new.back', { field: fname }), button: t('conflict.save.back') };
  } else if (k.field === 'deleted') {
    title = name;
    const del = (v) => v === '1' ? t('conflict.deleted') : t('conflict.not.deleted');
    const keep = (v) => v === '1' ? t('conflict.keep.deleted') : t('conflict.keep.restored');
    sides = [
      conflictSide('current', t('conflict.current'), del(k.current), keep(k.current), settleIt),
      conflictSide('other', k.other_here ? t('conflict.other.here')
                                         : t('conflict.other', { laptop: k.other_device.slice(0, 8) }),
                   del(k.other), keep(k.other), settleIt)];
  } else {
    title = name + ' — ' + fname;
    sides = [
      conflictSide('current', t('conflict.current'), value(k.current), t('conflict.keep'), settleIt),
      conflictSide('other', k.other_here ? t('conflict.other.here')
                                         : t('conflict.other', { laptop: k.other_device.slice(0, 8) }),
                   value(k.other), t('conflict.keep'), settleIt)];
    typed = { title: t('conflict.new', { field: fname }), button: t('conflict.save') };
  }
  card.append(el('h3', { tabindex: '-1' }, title), el('div', { class: 'conflict' }, ...sides));
  if (typed && fieldOf(k.type, k.field)) {
    // The third choice: a value typed in, in the same kind of box as the
    // record's form has for the field.
    const start = k.kind === 'delete' ? k.other : k.current;
    const box = input(f, start, k.type, cid, { title: typed.title, valueLabel: k.label });
    box.classList.add('wide');
    const save = el('button', { type: 'button', class: 'primary', 'data-keep': 'value' }, typed.button);
    save.addEventListener('click', () => settleIt({ value: boxValue(box, f) }, box));
    // Enter in a one-line box saves this value (there is no form to send).
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.tagName === 'INPUT' && e.target.type !== 'checkbox' &&
          e.target.type !== 'search') { e.preventDefault(); save.click(); }
    });
    card.append(el('div', { class: 'typed' }, box, save));
  }
  return card;
}

async function loadConflicts(box) {
  const r = await api('GET', '/api/conflicts');
  box.replaceChildren();
  if (!r.ok) { box.append(el('p', { class: 'err' }, r.doc.message)); return []; }
  if (!r.doc.items.length) { box.append(el('p', { id: 'no-conflicts' }, t('conflicts.none'))); return []; }
  r.doc.items.forEach((k, i) => box.append(conflictCard(k, (how, typedBox) => settle(k, how, box, i, typedBox))));
  return r.doc.items;
}

// Settle one conflict.  A value refused is said beside its box, which
// gets the focus, and nothing is saved; once settled, focus goes to the
// next conflict, or to the notice when none is left.
async function settle(k, how, box, index, typedBox) {
  const r = await api('POST', '/api/resolve', Object.assign({ id: k.id }, how));
  if (!r.ok) {
    if (typedBox) {
      clearInvalid(typedBox);
      markInvalid(typedBox, r.doc.message);
      notice(t('not.saved'), true);
    } else {
      notice(r.doc.message, true);
    }
    return;
  }
  notice(t('conflict.settled'));
  await loadConflicts(box);
  const cards = box.querySelectorAll('[data-conflict] h3');
  if (!focusIf(cards[Math.min(index, cards.length - 1)])) focusNotice();
}

document.addEventListener('DOMContentLoaded', start);
