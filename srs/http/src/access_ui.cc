// The /ui/ page (see access_ui.h).
#include "access_ui.h"

namespace kronika::srs {
namespace {

constexpr std::string_view kHtml = R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Kronika - recordings access</title>
<style>
body{font-family:sans-serif;margin:1em 2em;max-width:70em}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left}
section{margin-bottom:1.5em}.err{color:#b00}.ok{color:#070}input,select{margin:2px}
</style></head><body>
<h1>Kronika - recordings access</h1>
<section id="login">
  <label>API token <input id="token" type="password" size="60" autocomplete="off"></label>
  <button id="login-btn">Sign in</button> <span id="whoami"></span>
</section>
<p id="status" role="status"></p>
<section id="recordings-section" hidden>
  <h2>Recordings</h2>
  <label>Number <input id="q-number"></label> <button id="q-btn">Search</button>
  <table id="recordings"><thead><tr><th></th><th>Id</th><th>Start (UTC)</th><th>Duration</th><th>Participants</th></tr></thead><tbody></tbody></table>
  <h3>File a playback request</h3>
  <label>Reason <select id="reason">
    <option value="a">a) caller's verbal aggression</option>
    <option value="b">b) breach of the employee's personal rights</option>
    <option value="c">c) attempted bribery</option>
    <option value="d">d) breach of law</option>
    <option value="e">e) complaint about how the caller was treated</option>
    <option value="f">f) employee's verbal aggression</option>
    <option value="g">g) breach of the caller's personal rights</option>
    <option value="caller">caller's own request (ACCESS-5)</option>
  </select></label>
  <label>Caller's number <input id="caller-number"></label><br>
  <label>Justification <input id="justification" size="80"></label>
  <button id="file-btn">File request</button>
</section>
<section id="requests-section" hidden>
  <h2>Playback requests</h2>
  <table id="requests"><thead><tr><th>Id</th><th>Requester</th><th>Recordings</th><th>Reason</th><th>Status</th><th>Actions</th></tr></thead><tbody></tbody></table>
  <audio id="player" controls></audio>
</section>
<div id="records-root"></div>
<script src="/ui/records.js"></script>
<script>
'use strict';
const $ = (id) => document.getElementById(id);
let me = null;
function setStatus(text, ok) { const s = $('status'); s.textContent = text; s.className = ok ? 'ok' : 'err'; }
async function api(method, path, body) {
  const headers = {'Authorization': 'Bearer ' + sessionStorage.getItem('kronika-token')};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await r.text();
  let data = null; try { data = JSON.parse(text); } catch (e) { data = text; }
  if (!r.ok) throw new Error((data && data.error && data.error.message) || ('HTTP ' + r.status));
  return data;
}
function cell(row, text) { const td = document.createElement('td'); td.textContent = text; row.appendChild(td); return td; }
function button(td, label, fn) { const b = document.createElement('button'); b.textContent = label; b.onclick = fn; td.appendChild(b); return b; }
async function login() {
  sessionStorage.setItem('kronika-token', $('token').value.trim());
  try {
    me = await api('GET', '/api/v1/me');
    $('whoami').textContent = me.name + ' ' + me.surname + ' (' + me.roles.join(', ') + ')';
    $('recordings-section').hidden = !me.roles.includes('listener');
    $('requests-section').hidden = false;
    setStatus('signed in', true);
    document.dispatchEvent(new CustomEvent('kronika:signed-in', {detail: me}));  // ui/records.js
    if (me.roles.includes('listener')) await loadRecordings();
    await loadRequests();
  } catch (e) { setStatus(e.message); }
}
async function loadRecordings() {
  const number = $('q-number').value.trim();
  const data = await api('GET', '/api/v1/recordings?limit=50&order=desc' + (number ? '&number=' + encodeURIComponent(number) : ''));
  const body = $('recordings').tBodies[0]; body.replaceChildren();
  for (const rec of data.recordings) {
    const tr = document.createElement('tr');
    const td = document.createElement('td'); const cb = document.createElement('input');
    cb.type = 'checkbox'; cb.value = rec.recording_id; cb.className = 'pick'; td.appendChild(cb); tr.appendChild(td);
    cell(tr, rec.recording_id); cell(tr, rec.start_utc || ''); cell(tr, (rec.duration_s || 0).toFixed(1) + ' s');
    cell(tr, (rec.participants || []).map(p => (p.name || '') + ' ' + (p.number || '')).join('; '));
    body.appendChild(tr);
  }
}
async function fileRequest() {
  const ids = [...document.querySelectorAll('.pick:checked')].map(c => c.value);
  try {
    const r = await api('POST', '/api/v1/playback-requests', {recording_ids: ids, reason: $('reason').value,
      justification: $('justification').value, caller_number: $('caller-number').value});
    setStatus('filed ' + r.id, true); await loadRequests();
  } catch (e) { setStatus(e.message); }
}
async function act(fn, done) { try { await fn(); setStatus(done, true); await loadRequests(); } catch (e) { setStatus(e.message); } }
async function play(req, id) {
  try {
    const r = await fetch('/api/v1/recordings/' + encodeURIComponent(id) + '/audio?request=' + encodeURIComponent(req.id),
      {headers: {'Authorization': 'Bearer ' + sessionStorage.getItem('kronika-token')}});
    if (!r.ok) { const e = await r.json(); throw new Error(e.error.message); }
    const entry = r.headers.get('X-Kronika-Register-Entry');
    const player = $('player'); player.src = URL.createObjectURL(await r.blob()); player.dataset.recording = id;
    setStatus('playing ' + id + ' (register entry ' + entry + ')', true);
    document.body.dataset.played = id;
  } catch (e) { setStatus(e.message); }
}
async function loadRequests() {
  const data = await api('GET', '/api/v1/playback-requests');
  const body = $('requests').tBodies[0]; body.replaceChildren();
  for (const req of data.requests) {
    const tr = document.createElement('tr'); tr.dataset.id = req.id;
    cell(tr, req.id); cell(tr, req.requester); cell(tr, req.recording_ids.join(', '));
    cell(tr, req.reason_text + ': ' + req.justification); cell(tr, req.status);
    const td = cell(tr, '');
    const roles = me.roles;
    if (req.status === 'pending' && roles.includes('approver') && req.requester !== me.username) {
      button(td, 'Approve', () => act(() => api('POST', '/api/v1/playback-requests/' + req.id + '/decision', {granted: true, note: 'approved via web page'}), 'approved ' + req.id));
      button(td, 'Refuse', () => act(() => api('POST', '/api/v1/playback-requests/' + req.id + '/decision', {granted: false, note: 'refused via web page'}), 'refused ' + req.id));
    }
    if (req.status === 'pending' && roles.includes('dpo') && req.reason === 'caller') {
      button(td, 'DPO opinion: in favour', () => act(() => api('POST', '/api/v1/playback-requests/' + req.id + '/opinion', {kind: 'dpo', favourable: true}), 'opinion recorded'));
    }
    for (const id of req.recording_ids) {
      if ((roles.includes('records_keeper') || roles.includes('approver')) && !(req.informed || {})[id]) {
        button(td, 'Employee informed (' + id.slice(-6) + ')', () => act(() => api('POST', '/api/v1/playback-requests/' + req.id + '/informed', {recording_id: id, how: 'in person'}), 'informed'));
      }
      if (req.status === 'approved' && req.requester === me.username) {
        button(td, 'Play ' + id.slice(-6), () => play(req, id)).className = 'play';
      }
    }
    body.appendChild(tr);
  }
}
// Automation hook (headless tests, bookmarks): "#token=...&click=CSS" signs in with the token
// (kept in sessionStorage; the fragment never reaches the server and is cleared at once)
// and then clicks the first element matching CSS, as a user would.
async function fromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.get('token')) return;
  history.replaceState(null, '', location.pathname);
  $('token').value = params.get('token');
  await login();
  const selector = params.get('click');
  if (selector) {
    const target = document.querySelector(selector);
    if (target) target.click(); else setStatus('nothing to click: ' + selector);
  }
}
$('login-btn').onclick = login;
fromFragment();
$('q-btn').onclick = () => loadRecordings().catch(e => setStatus(e.message));
$('file-btn').onclick = fileRequest;
</script>
</body></html>
)HTML";

}  // namespace

std::string_view AccessUiHtml() { return kHtml; }

}  // namespace kronika::srs
