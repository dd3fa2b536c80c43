'use strict';
// The web page's shell (docs/api.md "Web page"): sign-in, the texts in the page's language,
// the API helper, times in the office's time zone, the status regions and the sections.
//
// Sections. Each role's work is a section registered by a section script (requests.js: the
// listener's recordings and the playback requests; records.js: the records keeper's and the
// auditor's views). A script calls, when it loads:
//   Kronika.registerSection({
//     id: 'register',              // its anchor (#register) and the id of its <section>
//     title: 'nav.register',       // catalogue key of its name in the navigation and its <h2>
//     roles: ['records_keeper'],   // shown to a user holding any of these roles
//     order: 30,                   // place in the navigation (requests.js uses 10 and 20)
//     render: async (container, me) => { ... }  // fills `container` (below the <h2>); called
//   });                                         // each time the section is opened
// and is added to KRONIKA_UI_FILES in srs/http/CMakeLists.txt, which embeds it and lists it
// in the page. Its texts go into the C++ table of srs/http/src/ui_strings.cc (N_ msgids) and
// come back through Kronika.t(key). Nothing else in this file needs to change.
(function () {
  const TOKEN_KEY = 'kronika-token';
  const lang = document.documentElement.lang || 'pl';
  const timeZone = (document.querySelector('meta[name="kronika-time-zone"]') || {}).content || 'Europe/Warsaw';
  const sections = [];
  const state = {mode: null, csrf: '', me: null, texts: {}};
  const $ = (id) => document.getElementById(id);

  // t(key, a, b): the text of `key` (ui_strings.cc), with {0}, {1} replaced by a, b.
  function t(key, ...args) {
    const text = Object.prototype.hasOwnProperty.call(state.texts, key) ? state.texts[key] : key;
    return text.replace(/\{(\d+)\}/g, (m, i) => (args[i] === undefined ? m : String(args[i])));
  }

  // el('button', {type: 'button', onclick: f}, 'text', child...): a DOM element; text is
  // always set as text, never parsed as HTML.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (v === true) node.setAttribute(k, '');
      else node.setAttribute(k, v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  // A point in time (ms since the epoch or ISO-8601 UTC) in the office's time zone, zone shown.
  function formatTime(value) {
    if (value === undefined || value === null || value === '' || value === 0) return '';
    const d = new Date(value);
    if (isNaN(d.getTime())) return '';
    return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'pl-PL', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
      second: '2-digit', timeZoneName: 'short'}).format(d);
  }

  // The status regions: `say` for what went well (polite), `fail` for what did not (alert).
  function say(text) { $('alert').textContent = ''; $('status').textContent = text; }
  function fail(text) { $('status').textContent = ''; $('alert').textContent = text; }

  // What a failed call means to a person (the server's own message is English and for logs).
  function errorText(err) {
    if (err && err.status && Object.prototype.hasOwnProperty.call(state.texts, 'error.' + err.status))
      return t('error.' + err.status);
    return t('error.other');
  }

  async function call(method, path, body) {
    const headers = {};
    if (state.mode === 'token') headers.Authorization = 'Bearer ' + sessionStorage.getItem(TOKEN_KEY);
    if (method !== 'GET' && state.mode === 'session') headers['X-CSRF-Token'] = state.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, {method, headers, credentials: 'same-origin',
                        body: body === undefined ? undefined : JSON.stringify(body)});
  }

  // The JSON API: resolves to the parsed answer, throws an Error with .status otherwise. A
  // 401 after sign-in means the session ended (idle timeout, signed out elsewhere).
  async function api(method, path, body) {
    const r = await call(method, path, body);
    const text = await r.text();
    let data = null;
    try { data = JSON.parse(text); } catch (e) { data = null; }
    if (!r.ok) {
      const err = new Error((data && data.error && data.error.message) || ('HTTP ' + r.status));
      err.status = r.status;
      if (r.status === 401 && state.me) { showSignIn(); fail(t('signin.expired')); }
      throw err;
    }
    return data;
  }

  // One listening session per playback (docs/api.md "Audio"): its id goes with every audio
  // request, so the browser's probe, read-ahead and seeks make one register entry.
  function newSessionId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // What the player actually played (HTMLMediaElement.played), told to the server when it
  // pauses or ends and when the page is left: the register states the parts played.
  function reportPlayed(player) {
    const s = player.dataset;
    if (!s.session || !player.played || player.played.length === 0) return;
    const played = [];
    for (let i = 0; i < player.played.length; i++) {
      played.push({from_s: Math.round(player.played.start(i) * 10) / 10, to_s: Math.round(player.played.end(i) * 10) / 10});
    }
    api('POST', '/api/v1/recordings/' + encodeURIComponent(s.recording) + '/listening',
        {session: s.session, request: s.request, played}).catch(() => {});
  }

  // The audio of `recordingId` under `requestId` in `player`: with a session the <audio>
  // element reads the audio URL itself (Range requests, one listening session); with an API
  // token it cannot send the header, so the file is fetched once and played from memory.
  async function playInto(player, recordingId, requestId) {
    if (player.dataset.session) reportPlayed(player);
    const session = newSessionId();
    const url = '/api/v1/recordings/' + encodeURIComponent(recordingId) + '/audio?request=' +
                encodeURIComponent(requestId) + '&session=' + session;
    if (state.mode === 'session') {
      player.src = url;
    } else {
      const r = await call('GET', url);
      if (!r.ok) { const err = new Error('HTTP ' + r.status); err.status = r.status; throw err; }
      player.src = URL.createObjectURL(await r.blob());
    }
    Object.assign(player.dataset, {recording: recordingId, request: requestId, session});
    if (!player.dataset.reports) {
      player.dataset.reports = 'true';
      player.addEventListener('pause', () => reportPlayed(player));
      player.addEventListener('ended', () => reportPlayed(player));
      window.addEventListener('pagehide', () => reportPlayed(player));
      // The element reads the audio itself: a refusal (approval expired, restriction placed
      // meanwhile) shows only as a media error.
      player.addEventListener('error', () => fail(t('play.refused')));
    }
    await player.play().catch(() => {});  // autoplay may be refused; the controls remain
  }

  async function loadTexts() {
    const r = await fetch('/ui/texts.json?lang=' + encodeURIComponent(lang));
    state.texts = r.ok ? await r.json() : {};
  }

  function registerSection(section) {
    sections.push(section);
    sections.sort((a, b) => (a.order || 0) - (b.order || 0));
    if (state.me) buildNavigation();
  }

  function visibleSections() {
    return sections.filter((s) => s.roles.some((r) => state.me.roles.includes(r)));
  }

  function buildNavigation() {
    const list = $('nav-list');
    list.replaceChildren();
    const host = $('sections');
    for (const s of visibleSections()) {
      list.append(el('li', {}, el('a', {href: '#' + s.id, id: 'nav-' + s.id}, t(s.title))));
      if (!$(s.id)) {
        host.append(el('section', {id: s.id, hidden: true, 'aria-labelledby': s.id + '-title'},
                       el('h2', {id: s.id + '-title', tabindex: '-1'}, t(s.title)),
                       el('div', {class: 'section-body'})));
      }
    }
    $('nav').hidden = false;
  }

  // Opens the section named by the address's fragment (the first one the user may see when
  // none), moves the focus to its heading and renders it.
  async function openSection(focus) {
    const visible = visibleSections();
    if (!state.me || visible.length === 0) return;
    const wanted = location.hash.slice(1);
    const section = visible.find((s) => s.id === wanted) || visible[0];
    for (const s of visible) {
      $(s.id).hidden = s !== section;
      const link = $('nav-' + s.id);
      if (s === section) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    }
    const body = $(section.id).querySelector('.section-body');
    try {
      await section.render(body, state.me);
    } catch (e) {
      fail(errorText(e));
    }
    if (focus) $(section.id + '-title').focus();
  }

  function showSignIn() {
    state.me = null;
    state.mode = null;
    $('sign-in').hidden = false;
    $('who').hidden = true;
    $('nav').hidden = true;
    $('sections').replaceChildren();
  }

  async function signedIn(me) {
    state.me = me;
    if (me.language && me.language !== lang && ['pl', 'en'].includes(me.language)) {
      // The user's language differs from the page's: the same page in theirs.
      location.replace('/ui/?lang=' + encodeURIComponent(me.language) + location.hash);
      return;
    }
    $('sign-in').hidden = true;
    $('who').hidden = false;
    $('who-name').textContent = t('signin.as', me.displayName, me.roles.map((r) => t('role.' + r)).join(', '));
    buildNavigation();
    await openSection(false);
  }

  // The user from GET/POST /api/v1/session or GET /api/v1/me, in one shape.
  function fromSession(s) {
    state.mode = 'session';
    state.csrf = s.csrf_token || '';
    return {username: s.user, displayName: s.name || s.user, roles: s.roles || [], language: s.language || ''};
  }
  function fromMe(m) {
    return {username: m.username, displayName: [m.name, m.surname].filter(Boolean).join(' ') || m.username,
            roles: m.roles || [], language: m.language || ''};
  }

  // Signs in with {username, password} (a session cookie) or, for scripts and until every
  // office has passwords, {token} (an API token kept in this tab's sessionStorage only).
  async function signIn(credentials) {
    if (credentials.token) {
      sessionStorage.setItem(TOKEN_KEY, credentials.token);
      state.mode = 'token';
      try {
        return fromMe(await api('GET', '/api/v1/me'));
      } catch (e) {
        sessionStorage.removeItem(TOKEN_KEY);
        state.mode = null;
        throw e;
      }
    }
    const r = await fetch('/api/v1/session', {
      method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({username: credentials.username, password: credentials.password})});
    if (!r.ok) {
      const err = new Error('HTTP ' + r.status);
      err.status = r.status;
      err.signIn = true;
      throw err;
    }
    return fromSession(await r.json());
  }

  async function signOut() {
    try {
      if (state.mode === 'session') await call('DELETE', '/api/v1/session');
    } finally {
      sessionStorage.removeItem(TOKEN_KEY);
      showSignIn();
      say(t('signin.signed_out'));
      $('username').focus();
    }
  }

  function signInFailure(err) {
    if (err.signIn && (err.status === 401 || err.status === 403)) return t('signin.failed');
    if (err.signIn && (err.status === 423 || err.status === 429)) return t('signin.locked');
    if (err.signIn && err.status === 404) return t('signin.unavailable');
    if (err.status === 401) return t('signin.bad_token');
    return errorText(err);
  }

  async function submitSignIn(event, credentials, firstField) {
    event.preventDefault();
    const missing = Object.entries(credentials).find(([, v]) => !v);
    if (missing) {
      fail(t('signin.missing'));
      firstField.setAttribute('aria-invalid', 'true');
      firstField.focus();
      return;
    }
    firstField.removeAttribute('aria-invalid');
    try {
      const me = await signIn(credentials);
      $('password').value = '';
      $('token').value = '';
      say(t('signin.done'));
      await signedIn(me);
    } catch (e) {
      fail(signInFailure(e));
      firstField.focus();
    }
  }

  // An existing session (cookie) or this tab's token: signed in without the form.
  async function resume() {
    try {
      const r = await fetch('/api/v1/session', {credentials: 'same-origin'});
      if (r.ok) return fromSession(await r.json());
    } catch (e) { /* no session */ }
    if (sessionStorage.getItem(TOKEN_KEY)) {
      state.mode = 'token';
      try { return fromMe(await api('GET', '/api/v1/me')); } catch (e) {
        sessionStorage.removeItem(TOKEN_KEY);
        state.mode = null;
      }
    }
    return null;
  }

  async function start() {
    await loadTexts();
    $('sign-in-form').addEventListener('submit', (e) =>
      submitSignIn(e, {username: $('username').value.trim(), password: $('password').value}, $('username')));
    $('token-form').addEventListener('submit', (e) =>
      submitSignIn(e, {token: $('token').value.trim()}, $('token')));
    $('sign-out').addEventListener('click', signOut);
    window.addEventListener('hashchange', () => openSection(true));
    const me = await resume();
    if (me) await signedIn(me); else showSignIn();
    document.body.dataset.ready = 'true';
  }

  window.Kronika = {registerSection, t, el, api, formatTime, say, fail, errorText, playInto,
                    reopen: () => openSection(false), me: () => state.me, lang, timeZone};
  document.addEventListener('DOMContentLoaded', start);
})();
