// The records keeper's and the auditor's sections of the web page (issue 16 item 3): the
// listening register by the office's dates (print, export, verify), disclosures (file,
// approve, build, download the package, purge), legal holds, a data subject's erasure and
// restriction. Served as /ui/records.js; every call goes to the HTTP API of docs/api.md.
//
// Two hosts: the page's shell of srs/http/ui/app.js (window.Kronika.registerSection: each
// part below is a section of its own in the navigation, rendered when opened, API calls and
// status regions through the shell), or, without it, the single page of access_ui.cc, where
// the parts are appended after sign-in (the page sends 'kronika:signed-in').
//
// Text: every string people read goes through t() (msgids in English; the catalogue comes
// from GET /api/v1/ui/catalogue, whose table is srs/http/src/records_ui_strings.cc; Polish in
// po/pl/records.po). Times: the office's time zone with the zone's name shown.
// Accessibility (WCAG 2.1 AA): every control has a label, tables a caption and header cells,
// results are announced in a live region, dialogs are modal <dialog>s that take the focus and
// give it back to the button that opened them.
'use strict';
(() => {
  const state = {me: null, language: 'pl', timeZone: 'Europe/Warsaw', messages: {}};

  // ---- text and time -----------------------------------------------------------------
  const t = (msgid) => state.messages[msgid] || msgid;
  // "{n}" and the like in a translated text.
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  const locale = () => (state.language === 'en' ? 'en-GB' : 'pl-PL');
  function localTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return new Intl.DateTimeFormat(locale(), {timeZone: state.timeZone, year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short'}).format(d);
  }
  // A calendar date "YYYY-MM-DD" as people write it (07.12.2026); anything else as it is.
  function localDate(date) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
    if (!m) return date || '';
    return new Intl.DateTimeFormat(locale(), {timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit'})
      .format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
  }
  const decimal = (x) => new Intl.NumberFormat(locale(), {maximumFractionDigits: 1}).format(x || 0);
  // Today's date in the office's zone (YYYY-MM-DD), for the date filters' defaults.
  function officeToday() {
    const parts = new Intl.DateTimeFormat('en-CA', {timeZone: state.timeZone, year: 'numeric', month: '2-digit',
      day: '2-digit'}).formatToParts(new Date());
    const get = (type) => parts.find((p) => p.type === type).value;
    return get('year') + '-' + get('month') + '-' + get('day');
  }

  // ---- the API -------------------------------------------------------------------------
  // The page's own API helper when the shell provides one (sign-in, session, CSRF), else the
  // token the page keeps for this tab.
  function authHeaders() {
    const token = sessionStorage.getItem('kronika-token');
    return token ? {'Authorization': 'Bearer ' + token} : {};
  }
  // GET of documents (blobs) in either host: a session cookie goes by itself, a token from
  // the tab's storage in the header.
  async function request(method, path, body) {
    const headers = authHeaders();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, {method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)});
  }
  const shell = () => (window.Kronika && typeof window.Kronika.registerSection === 'function' ? window.Kronika : null);
  async function api(method, path, body) {
    if (shell()) return shell().api(method, path, body);  // session, CSRF, expiry
    const r = await request(method, path, body);
    const text = await r.text();
    let data = null;
    try { data = JSON.parse(text); } catch (e) { data = null; }
    if (!r.ok) {
      const error = new Error((data && data.error && data.error.message) || ('HTTP ' + r.status));
      error.status = r.status;
      throw error;
    }
    return data;
  }
  // A document from the API (print view, CSV, PDF, ZIP) as a blob, with its file name.
  async function download(path) {
    const r = await request('GET', path);
    if (!r.ok) {
      const error = new Error('HTTP ' + r.status);
      error.status = r.status;
      throw error;
    }
    const disposition = r.headers.get('Content-Disposition') || '';
    const match = /filename="([^"]+)"/.exec(disposition);
    return {blob: await r.blob(), name: match ? match[1] : 'download', type: r.headers.get('Content-Type') || ''};
  }
  function saveBlob(file) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(file.blob);
    a.download = file.name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  }

  // ---- building blocks -------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = v;
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
      else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }
  let uid = 0;
  // A labelled input: <label for> + control, in one <div class="field">.
  function field(labelText, attrs) {
    const id = 'rk-' + (attrs.name || 'f') + '-' + (++uid);
    const control = el(attrs.tag || 'input', Object.assign({id}, attrs, {tag: undefined}));
    return {wrap: el('div', {class: 'field'}, el('label', {for: id, text: labelText}), control), control};
  }
  function table(captionText, headers) {
    const tbody = el('tbody');
    // tabindex -1: the focus can be put on the table when the button that had it is redrawn.
    const tableEl = el('table', {class: 'records', tabindex: '-1'}, el('caption', {text: captionText}),
      el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {scope: 'col', text: h})))), tbody);
    return {table: tableEl, tbody};
  }
  function row(cells) {
    const tr = el('tr');
    for (const c of cells) tr.append(c instanceof Node ? el('td', {}, c) : el('td', {text: c == null ? '' : String(c)}));
    return tr;
  }
  // After a table is redrawn the button that had the focus is gone: the focus goes to the
  // table (its caption is read out), not back to the top of the page.
  function keepFocus(tableEl) {
    if (!document.activeElement || document.activeElement === document.body) tableEl.focus();
  }
  function emptyRow(tbody, columns, text) {
    tbody.replaceChildren(el('tr', {}, el('td', {colspan: columns, text})));
  }
  // A part's outer element: its own <section> with a heading on the single page; a <div>
  // inside the shell's <section>, which has the heading.
  function container(id, headingId, heading) {
    return heading ? el('section', {id, 'aria-labelledby': headingId}) : el('div', {id});
  }
  const button = (text, onclick, attrs) => el('button', Object.assign({type: 'button', on: {click: onclick}}, attrs || {}), text);

  // One live region for the sections' results; errors are alerts.
  const live = el('p', {id: 'records-status', role: 'status', 'aria-live': 'polite'});
  const alertBox = el('p', {id: 'records-error', role: 'alert', class: 'err'});
  function say(text) {
    if (shell()) { shell().say(text); return; }
    alertBox.textContent = '';
    live.textContent = text;
  }
  // What a failed call means to a person: the server's own message is English, for logs and
  // scripts (and may name a requirement), so the page says it in its words, by status.
  const kErrors = {
    400: 'The data are incomplete or wrong.',
    403: 'You are not allowed to do this.',
    404: 'Not found: it may have been removed meanwhile.',
    409: 'This cannot be done now: nothing to download or purge yet, or a legal hold or decision stands in the way.',
    413: 'The package is too large to download here; ask the administrator.',
    other: 'The server could not do this; try again or tell the administrator.',
  };
  function fail(e) {
    const text = t('Error') + ': ' + t(kErrors[e.status] || kErrors.other);
    if (shell()) { shell().fail(text); return; }
    live.textContent = '';
    alertBox.textContent = text;
  }
  async function attempt(fn) { try { await fn(); } catch (e) { fail(e); } }

  // A modal dialog asking for the fields given; resolves with their values or null.
  // `confirmValue`: the text the person must type into the last field to confirm.
  function ask({title, intro, fields, okText, confirmValue, danger}) {
    return new Promise((resolve) => {
      const opener = document.activeElement;
      const inputs = fields.map((f) => field(f.label, {name: f.name, required: true, autocomplete: 'off'}));
      const error = el('p', {role: 'alert', class: 'err'});
      const titleId = 'rk-dialog-title-' + (++uid);
      const dialog = el('dialog', {'aria-labelledby': titleId, class: 'records-dialog'});
      const form = el('form', {method: 'dialog'});
      const finish = (value) => {
        dialog.close();
        dialog.remove();
        if (opener && opener.focus) opener.focus();
        resolve(value);
      };
      const ok = el('button', {type: 'submit', class: danger ? 'danger' : ''}, okText);
      const cancel = button(t('Cancel'), () => finish(null));
      form.append(el('h2', {id: titleId, text: title}), intro ? el('p', {text: intro}) : '',
        ...inputs.map((i) => i.wrap), error, el('div', {class: 'actions'}, ok, cancel));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const values = {};
        fields.forEach((f, i) => { values[f.name] = inputs[i].control.value.trim(); });
        const missing = fields.find((f) => !values[f.name]);
        if (missing) { error.textContent = t('Fill in every field.'); return; }
        if (confirmValue !== undefined && values[fields[fields.length - 1].name] !== confirmValue) {
          error.textContent = t('The number typed to confirm does not match.');
          return;
        }
        finish(values);
      });
      dialog.addEventListener('cancel', (ev) => { ev.preventDefault(); finish(null); });
      dialog.append(form);
      document.body.append(dialog);
      dialog.showModal();
      inputs[0].control.focus();
    });
  }

  // ---- the register (records keeper, auditor, data protection officer) --------------------
  function registerSection(roles, heading) {
    const section = container('register-section', 'register-heading', heading);
    const from = field(t('From (date)'), {name: 'register-from', type: 'date'});
    const to = field(t('To (date)'), {name: 'register-to', type: 'date'});
    from.control.value = officeToday();
    to.control.value = officeToday();
    const {table: tableEl, tbody} = table(t('Listening register entries'),
      [t('No.'), t('Listened at'), t('Listener'), t('Recording'), t('Call start'), t('Part listened to'), t('Request')]);
    const verifyOut = el('p', {id: 'register-verify-result'});
    const query = (format) => {
      const q = new URLSearchParams();
      if (from.control.value) q.set('from', from.control.value);
      if (to.control.value) q.set('to', to.control.value);
      // People read one row per listening session, with the parts actually played.
      if (format) q.set('format', format); else q.set('view', 'sessions');
      return '/api/v1/register?' + q.toString();
    };
    async function show() {
      const data = await api('GET', query());
      tbody.replaceChildren();
      for (const e of data.entries) {
        const listener = e.listener || {};
        tbody.append(row([e.seq, localTime(e.listened_at_utc),
          [listener.name, listener.surname].filter(Boolean).join(' ') + (listener.position ? ' (' + listener.position + ')' : ''),
          e.recording_id, localTime(e.call_start_utc),
          fmt(t('{from} s to {to} s'), {from: decimal(e.listened_from_s), to: decimal(e.listened_to_s)}), e.request_id]));
      }
      if (!data.entries.length) emptyRow(tbody, 7, t('No entries in these dates.'));
      say(fmt(t('Register entries shown: {n}.'), {n: data.entries.length}));
    }
    async function print() {
      // Signed in with a session, the print view is opened by its address (its own page, with
      // the server's headers); with a token the browser cannot send it, so the document is
      // fetched and opened from memory.
      let address = query('html');
      if (authHeaders().Authorization) address = URL.createObjectURL((await download(address)).blob);
      const w = window.open(address, '_blank');
      if (w) w.addEventListener('load', () => w.print());
      say(t('Print view opened in a new window.'));
    }
    async function exportAs(format) {
      const file = await download(query(format));
      saveBlob(file);
      say(fmt(t('Saved {name}.'), {name: file.name}));
    }
    async function verify() {
      const v = await api('GET', '/api/v1/register/verify');
      verifyOut.className = v.ok ? 'ok' : 'err';
      // The head hash is what the office copies into its paper file, so that a register
      // rewritten as a whole is caught against it later.
      verifyOut.textContent = v.ok
        ? fmt(t('The register is intact: {n} entries, none altered or missing.'), {n: v.entries}) + ' ' +
          fmt(t('Hash of the last entry (for the paper file): {hash}'), {hash: v.head_hash})
        // The problem's details are English, for the administrator: the server logs them.
        : fmt(t('The register has been altered or is incomplete (first problem at line {line}). Tell the administrator: the details are in the server\'s log.'),
          {line: v.first_bad_line});
      say(verifyOut.textContent);
    }
    const filters = el('form', {class: 'filters', on: {submit: (ev) => { ev.preventDefault(); attempt(show); }}},
      from.wrap, to.wrap, el('button', {type: 'submit', id: 'register-show'}, t('Show')));
    const tools = el('div', {class: 'actions'},
      button(t('Print'), () => attempt(print), {id: 'register-print'}),
      button(t('Export CSV'), () => attempt(() => exportAs('csv')), {id: 'register-csv'}),
      button(t('Export PDF'), () => attempt(() => exportAs('pdf')), {id: 'register-pdf'}));
    const canVerify = roles.includes('records_keeper') || roles.includes('auditor');
    section.append(heading ? el('h2', {id: 'register-heading', text: t('Listening register')}) : '',
      el('p', {class: 'hint', text: fmt(t('Dates and times are in the office\'s time zone ({zone}).'), {zone: state.timeZone})}),
      filters, tools, tableEl,
      canVerify ? button(t('Verify the register'), () => attempt(verify), {id: 'register-verify'}) : '', verifyOut);
    return {section, load: show};
  }

  // ---- disclosures (records keeper files, builds, downloads, purges; approver decides) ----
  const kStatus = {pending: 'awaiting decision', granted: 'granted', refused: 'refused'};
  function disclosuresSection(roles, heading) {
    const keeper = roles.includes('records_keeper');
    const approver = roles.includes('approver');
    const section = container('disclosures-section', 'disclosures-heading', heading);
    const f = {
      institution: field(t('Requesting institution'), {name: 'd-institution', required: true}),
      requestNumber: field(t('Request reference'), {name: 'd-number', required: true}),
      requestDate: field(t('Request date'), {name: 'd-date', type: 'date', required: true}),
      phone: field(t('Phone number'), {name: 'd-phone', autocomplete: 'off'}),
      callDate: field(t('Call date'), {name: 'd-call-date', type: 'date'}),
      recordings: field(t('Recording IDs (separated by spaces)'), {name: 'd-recordings', required: true}),
      justification: field(t('Justification'), {name: 'd-justification', tag: 'textarea', rows: 2, required: true}),
      purpose: field(t('Purpose'), {name: 'd-purpose'}),
    };
    const {table: tableEl, tbody} = table(t('Disclosures'),
      [t('Number'), t('Institution'), t('Request'), t('Recordings'), t('Status'), t('Packages'), t('Actions')]);
    async function load() {
      const data = await api('GET', '/api/v1/disclosures');
      tbody.replaceChildren();
      for (const d of data.disclosures) {
        const exports = d.exports || [];
        const present = exports.filter((e) => !e.purged);
        const packages = exports.length === 0 ? t('none')
          : exports.map((e) => localTime(new Date(e.at_ms_utc).toISOString()) + ' - ' +
            (e.purged ? t('purged') : t('on the server'))).join('; ');
        const actions = el('div', {class: 'actions'});
        const label = (text) => text + ' ' + d.id;
        if (approver && d.status === 'pending') {
          actions.append(button(t('Approve'), () => decide(d, true), {'aria-label': label(t('Approve')), class: 'd-approve'}),
            button(t('Refuse'), () => decide(d, false), {'aria-label': label(t('Refuse'))}));
        }
        if (keeper && d.status === 'granted') {
          actions.append(button(t('Build package'), () => attempt(async () => {
            await api('POST', '/api/v1/disclosures/' + d.id + '/export', {});
            say(fmt(t('Package of {id} built.'), {id: d.id}));
            await load();
            keepFocus(tableEl);
          }), {'aria-label': label(t('Build package')), class: 'd-build'}));
          if (present.length) {
            actions.append(button(t('Download package'), () => attempt(async () => {
              const file = await download('/api/v1/disclosures/' + d.id + '/package');
              saveBlob(file);
              say(fmt(t('Saved {name}.'), {name: file.name}));
            }), {'aria-label': label(t('Download package')), class: 'd-download'}),
            button(t('Purge packages'), () => purge(d), {'aria-label': label(t('Purge packages')), class: 'd-purge danger'}));
          }
          actions.append(button(t('Hand-over protocol'), () => attempt(async () => {
            const file = await download('/api/v1/disclosures/' + d.id + '/protocol?format=pdf');
            saveBlob(file);
          }), {'aria-label': label(t('Hand-over protocol'))}));
        }
        const tr = row([d.id, d.requester_institution, d.request_number + ' (' + localDate(d.request_date) + ')',
          (d.recording_ids || []).join(', '), t(kStatus[d.status] || d.status), packages, actions]);
        tr.dataset.id = d.id;
        tbody.append(tr);
      }
      if (!data.disclosures.length) emptyRow(tbody, 7, t('No disclosures.'));
    }
    async function decide(d, granted) {
      const values = await ask({title: (granted ? t('Approve') : t('Refuse')) + ' ' + d.id,
        fields: [{name: 'note', label: t('Note')}], okText: granted ? t('Approve') : t('Refuse')});
      if (!values) return;
      await attempt(async () => {
        await api('POST', '/api/v1/disclosures/' + d.id + '/decision', {granted, note: values.note});
        say(fmt(granted ? t('Disclosure {id} granted.') : t('Disclosure {id} refused.'), {id: d.id}));
        await load();
        keepFocus(tableEl);
      });
    }
    async function purge(d) {
      const values = await ask({title: t('Purge packages') + ' ' + d.id,
        intro: t('The packages are removed from the server for good. The institution keeps what it received.'),
        fields: [{name: 'reason', label: t('Reason (e.g. handed over on a carrier)')}], okText: t('Purge'), danger: true});
      if (!values) return;
      await attempt(async () => {
        const r = await api('POST', '/api/v1/disclosures/' + d.id + '/purge', {reason: values.reason});
        say(fmt(t('Packages purged: {n}.'), {n: r.purged.length}));
        await load();
        keepFocus(tableEl);
      });
    }
    async function file(ev) {
      ev.preventDefault();
      await attempt(async () => {
        const body = {requester_institution: f.institution.control.value.trim(),
          request_number: f.requestNumber.control.value.trim(), request_date: f.requestDate.control.value,
          phone_number: f.phone.control.value.trim(), call_date: f.callDate.control.value,
          recording_ids: f.recordings.control.value.split(/[\s,]+/).filter(Boolean),
          justification: f.justification.control.value.trim(), purpose: f.purpose.control.value.trim()};
        const d = await api('POST', '/api/v1/disclosures', body);
        say(fmt(t('Disclosure {id} filed; it awaits the decision.'), {id: d.id}));
        form.reset();
        await load();
      });
    }
    const form = el('form', {id: 'disclosure-form', on: {submit: file}},
      el('h3', {text: t('File a disclosure request')}), ...Object.values(f).map((x) => x.wrap),
      el('button', {type: 'submit', id: 'disclosure-file'}, t('File')));
    section.append(heading ? el('h2', {id: 'disclosures-heading', text: t('Disclosures to institutions')}) : '',
      keeper ? form : '', tableEl);
    return {section, load};
  }

  // ---- legal holds -------------------------------------------------------------------------
  function holdsSection(roles, heading) {
    const keeper = roles.includes('records_keeper');
    const section = container('holds-section', 'holds-heading', heading);
    const ids = field(t('Recording IDs (separated by spaces)'), {name: 'h-recordings', required: true});
    const caseRef = field(t('Case reference'), {name: 'h-case', required: true});
    const {table: tableEl, tbody} = table(t('Active legal holds'),
      [t('Recording'), t('Case'), t('Placed by'), t('Placed at'), keeper ? t('Actions') : null].filter(Boolean));
    async function load() {
      const data = await api('GET', '/api/v1/holds');
      tbody.replaceChildren();
      for (const h of data.holds) {
        const cells = [h.recording_id, h.case, h.placed_by, localTime(h.placed_at_utc)];
        if (keeper) {
          cells.push(button(t('Lift'), () => lift(h), {'aria-label': t('Lift') + ' ' + h.case + ' ' + h.recording_id,
            class: 'h-lift'}));
        }
        tbody.append(row(cells));
      }
      if (!data.holds.length) emptyRow(tbody, keeper ? 5 : 4, t('No active legal holds.'));
    }
    async function lift(h) {
      const values = await ask({title: t('Lift the legal hold'), intro: h.case + ' - ' + h.recording_id,
        fields: [{name: 'reason', label: t('Reason (e.g. the final ruling)')}], okText: t('Lift')});
      if (!values) return;
      await attempt(async () => {
        await api('POST', '/api/v1/holds/lift', {recording_ids: [h.recording_id], case: h.case, reason: values.reason});
        say(fmt(t('Legal hold of case {case} lifted.'), {case: h.case}));
        await load();
        keepFocus(tableEl);
      });
    }
    async function place(ev) {
      ev.preventDefault();
      await attempt(async () => {
        const list = ids.control.value.split(/[\s,]+/).filter(Boolean);
        await api('POST', '/api/v1/holds', {recording_ids: list, case: caseRef.control.value.trim()});
        say(fmt(t('Legal hold of case {case} placed on {n} recording(s).'), {case: caseRef.control.value.trim(), n: list.length}));
        form.reset();
        await load();
      });
    }
    const form = el('form', {id: 'hold-form', on: {submit: place}}, el('h3', {text: t('Place a legal hold')}),
      ids.wrap, caseRef.wrap, el('button', {type: 'submit', id: 'hold-place'}, t('Place the hold')));
    section.append(heading ? el('h2', {id: 'holds-heading', text: t('Legal holds')}) : '', keeper ? form : '', tableEl);
    return {section, load};
  }

  // ---- a data subject's rights -------------------------------------------------------------
  function subjectSection(roles, heading) {
    const keeper = roles.includes('records_keeper');
    const section = container('subject-section', 'subject-heading', heading);
    const number = field(t('Phone number of the data subject'), {name: 's-number', required: true, autocomplete: 'off'});
    const {table: tableEl, tbody} = table(t('Recordings of the number'),
      [t('Recording'), t('Call start'), t('Duration'), t('Legal holds'), t('Restricted')]);
    const actions = el('div', {class: 'actions', hidden: true});
    const result = el('div', {id: 'subject-result'});
    let current = '';
    async function find(ev) {
      if (ev) ev.preventDefault();
      await attempt(async () => {
        current = number.control.value.trim();
        const data = await api('GET', '/api/v1/subjects?number=' + encodeURIComponent(current));
        tbody.replaceChildren();
        for (const r of data.recordings) {
          tbody.append(row([r.recording_id, localTime(r.start_utc), fmt(t('{s} s'), {s: decimal(r.duration_s)}),
            (r.hold_cases || []).join(', ') || t('none'), r.restricted ? t('yes') : t('no')]));
        }
        if (!data.recordings.length) emptyRow(tbody, 5, t('No recordings of this number.'));
        actions.hidden = !data.recordings.length;
        say(fmt(t('Recordings of the number found: {n}.'), {n: data.count}));
      });
    }
    async function act(kind) {
      const texts = {
        erase: {title: t('Erase the recordings of this number'), ok: t('Erase'),
          intro: t('Every recording of the number is erased for good, except those under legal hold. Packages handed over that hold them are removed from the server.')},
        restrict: {title: t('Restrict the recordings of this number'), ok: t('Restrict'),
          intro: t('The recordings are kept but cannot be played or handed over.')},
        unrestrict: {title: t('Lift the restriction'), ok: t('Lift the restriction'), intro: ''},
      }[kind];
      const values = await ask({title: texts.title, intro: texts.intro + ' ' + fmt(t('Number: {number}'), {number: current}),
        fields: [{name: 'reason', label: t('Reason (the request\'s reference)')},
          {name: 'confirm', label: t('Type the number again to confirm')}],
        okText: texts.ok, confirmValue: current, danger: kind === 'erase'});
      if (!values) return;
      await attempt(async () => {
        if (kind === 'erase') {
          const r = await api('POST', '/api/v1/subjects/erasure', {number: current, reason: values.reason, confirm: values.confirm});
          const lines = [fmt(t('Erased: {n}.'), {n: r.erased.length})];
          // The server's reason is for logs (English, may name a requirement): the page says why.
          for (const k of r.kept) {
            lines.push((k.hold_cases || []).length
              ? fmt(t('Kept {id}: under legal hold ({cases}).'), {id: k.recording_id, cases: k.hold_cases.join(', ')})
              : fmt(t('Kept {id}: the recording is not finished yet.'), {id: k.recording_id}));
          }
          for (const p of r.purged_packages) {
            lines.push(fmt(t('Package of disclosure {id} removed; tell {institution} of the erasure.'),
              {id: p.disclosure_id, institution: p.institution}));
          }
          result.replaceChildren(el('ul', {}, ...lines.map((l) => el('li', {text: l}))));
          say(lines.join(' '));
        } else {
          const r = await api('POST', '/api/v1/subjects/restriction',
            {number: current, restricted: kind === 'restrict', reason: values.reason, confirm: values.confirm});
          say(fmt(kind === 'restrict' ? t('Recordings restricted: {n}.') : t('Restrictions lifted: {n}.'), {n: r.changed.length}));
        }
        await find();
      });
    }
    if (keeper) actions.append(button(t('Erase'), () => act('erase'), {id: 'subject-erase', class: 'danger'}));
    actions.append(button(t('Restrict'), () => act('restrict'), {id: 'subject-restrict'}),
      button(t('Lift the restriction'), () => act('unrestrict'), {id: 'subject-unrestrict'}));
    const form = el('form', {id: 'subject-form', on: {submit: find}}, number.wrap,
      el('button', {type: 'submit', id: 'subject-find'}, t('Find recordings')));
    section.append(heading ? el('h2', {id: 'subject-heading', text: t('Rights of a data subject')}) : '', form, tableEl, actions, result);
    return {section, load: async () => {}};
  }

  // ---- mounting ------------------------------------------------------------------------------
  // The parts, who sees them, and their titles (the shell shows the title as the <h2>).
  const kParts = [
    {id: 'register', title: 'Listening register', roles: ['records_keeper', 'auditor', 'dpo'], build: registerSection},
    {id: 'disclosures', title: 'Disclosures to institutions', roles: ['records_keeper', 'approver'], build: disclosuresSection},
    {id: 'holds', title: 'Legal holds', roles: ['records_keeper', 'auditor'], build: holdsSection},
    {id: 'subject', title: 'Rights of a data subject', roles: ['records_keeper', 'dpo'], build: subjectSection},
  ];

  // The texts in `language` and the office's zone (public: the page's own words, no data).
  async function loadCatalogue(language) {
    try {
      const r = await fetch('/api/v1/ui/catalogue?area=records' + (language ? '&lang=' + encodeURIComponent(language) : ''));
      if (!r.ok) return;
      const c = await r.json();
      state.language = c.language;
      state.timeZone = c.time_zone;
      state.messages = c.messages || {};
    } catch (e) { /* English and the default zone: the page still works */ }
  }
  function addStylesheet() {
    if (!document.getElementById('records-style')) {
      document.head.append(el('link', {id: 'records-style', rel: 'stylesheet', href: '/ui/records.css'}));
    }
  }

  // The single page: every part the user's roles allow, one below the other.
  async function mountOnPage(me) {
    const roles = me.roles || [];
    const parts = kParts.filter((p) => p.roles.some((r) => roles.includes(r)));
    if (!parts.length) return;
    // The office's language ([office] language): this page's other parts are not translated.
    await loadCatalogue('');
    addStylesheet();
    let root = document.getElementById('records-root');
    if (!root) {
      root = el('div', {id: 'records-root'});
      (document.querySelector('main') || document.body).append(root);
    }
    root.lang = state.language;  // read out in its own language
    const built = parts.map((p) => p.build(roles, true));
    root.replaceChildren(live, alertBox, ...built.map((b) => b.section));
    for (const b of built) await attempt(b.load);
    document.body.dataset.recordsReady = '1';
  }

  // The shell: each part a section of the navigation, built and loaded when opened.
  async function registerWithShell(K) {
    await loadCatalogue(document.documentElement.lang || '');
    if (K.timeZone) state.timeZone = K.timeZone;
    addStylesheet();
    kParts.forEach((p, i) => K.registerSection({id: p.id, title: t(p.title), roles: p.roles, order: 30 + i * 10,
      render: async (host, me) => {
        host.classList.add('records-part');
        const b = p.build(me.roles || [], false);
        host.replaceChildren(b.section);
        await b.load();
        document.body.dataset.recordsSection = p.id;
      }}));
    // The shell may load its scripts in <head>: the flag waits for the body.
    if (document.body) document.body.dataset.recordsReady = '1';
    else document.addEventListener('DOMContentLoaded', () => { document.body.dataset.recordsReady = '1'; });
  }

  if (shell()) {
    registerWithShell(shell());
  } else {
    document.addEventListener('kronika:signed-in', (ev) => { state.me = ev.detail; attempt(() => mountOnPage(ev.detail)); });
  }
  window.kronikaRecords = {t};
})();
