'use strict';
// The playback workflow's sections (docs/api.md "Web page"): the listener's recordings and
// request form, and the requests with what each role does with them: the data protection
// officer's and the unit head's opinions, the approver's decision (with a confirmation
// step) and the record of how the employee was informed, the listener's playback.
(function () {
  const K = window.Kronika;
  const {t, el, api} = K;
  const REASONS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'caller'];
  const VALIDITY_MINUTES = [60, 8 * 60, 24 * 60, 3 * 24 * 60, 7 * 24 * 60];
  const INFORMED_HOW = ['in person', 'phone', 'e-mail', 'letter'];
  let selectedRequest = '';

  const reasonText = (code) => t('reason.' + code);
  const statusText = (s) => t('status.' + s);

  function duration(seconds) {
    const s = Math.round(seconds || 0);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  function participants(rec) {
    return (rec.participants || []).map((p) => [p.name, p.number].filter(Boolean).join(' ')).join('; ');
  }

  // Field helpers: a labelled control with an optional hint tied to it (aria-describedby).
  function field(id, label, control, hint) {
    control.id = id;
    if (hint) control.setAttribute('aria-describedby', id + '-hint');
    return el('p', {}, el('label', {for: id}, label), hint ? el('span', {class: 'hint', id: id + '-hint'}, hint) : null,
              control);
  }

  function invalid(control, message) {
    control.setAttribute('aria-invalid', 'true');
    control.focus();
    K.fail(message);
  }

  // --- the listener's recordings and request form -----------------------------------------

  async function renderRecordings(container) {
    const number = el('input', {type: 'search', inputmode: 'tel', autocomplete: 'off'});
    const search = el('form', {role: 'search'},
                      field('recordings-number', t('recordings.number'), number),
                      el('button', {type: 'submit'}, t('recordings.search')));
    const table = el('table', {id: 'recordings-table'},
                     el('caption', {}, t('recordings.caption')),
                     el('thead', {}, el('tr', {},
                       el('th', {scope: 'col'}, t('recordings.pick')), el('th', {scope: 'col'}, t('recordings.start')),
                       el('th', {scope: 'col'}, t('recordings.duration')),
                       el('th', {scope: 'col'}, t('recordings.participants')),
                       el('th', {scope: 'col'}, t('recordings.notes')))),
                     el('tbody'));
    const fill = async () => {
      const q = number.value.trim();
      const data = await api('GET', '/api/v1/recordings?limit=50&order=desc&state=completed' +
                                    (q ? '&number=' + encodeURIComponent(q) : ''));
      const body = table.tBodies[0];
      body.replaceChildren();
      for (const rec of data.recordings) {
        const when = K.formatTime(rec.start_utc);
        const box = el('input', {type: 'checkbox', class: 'pick', value: rec.recording_id, id: 'pick-' + rec.recording_id,
                                 disabled: rec.restricted === true});
        const notes = [];
        if (rec.restricted) notes.push(t('recordings.restricted'));
        if (rec.numbers_masked) notes.push(t('recordings.masked'));
        body.append(el('tr', {dataset: {id: rec.recording_id}},
          el('td', {}, box, el('label', {for: box.id, class: 'inline'}, t('recordings.pick_one', when))),
          el('td', {}, when), el('td', {}, duration(rec.duration_s)), el('td', {}, participants(rec)),
          el('td', {}, notes.join(' '))));
      }
      if (data.recordings.length === 0) {
        body.append(el('tr', {}, el('td', {colspan: 5}, t('recordings.none'))));
      }
    };
    search.addEventListener('submit', (e) => { e.preventDefault(); fill().catch((err) => K.fail(K.errorText(err))); });

    const reason = el('select', {}, REASONS.map((r) => el('option', {value: r}, reasonText(r))));
    const callerNumber = el('input', {type: 'tel', autocomplete: 'off'});
    const callerField = field('request-caller-number', t('request.caller_number'), callerNumber, t('request.caller_number_hint'));
    callerField.hidden = true;
    reason.addEventListener('change', () => { callerField.hidden = reason.value !== 'caller'; });
    const justification = el('textarea', {required: true});
    const causes = el('textarea'), actions = el('textarea'), followUp = el('textarea');
    const form = el('form', {id: 'request-form', novalidate: true},
      el('h3', {}, t('request.title')),
      el('p', {class: 'hint'}, t('request.intro')),
      field('request-reason', t('request.reason'), reason),
      callerField,
      field('request-justification', t('request.justification'), justification, t('request.justification_hint')),
      el('fieldset', {},
        el('legend', {}, t('request.protocol')),
        field('request-causes', t('request.causes'), causes),
        field('request-actions', t('request.actions'), actions),
        field('request-follow-up', t('request.follow_up'), followUp)),
      el('button', {type: 'submit', id: 'request-submit'}, t('request.submit')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      for (const c of [justification, callerNumber]) c.removeAttribute('aria-invalid');
      const ids = [...table.querySelectorAll('.pick:checked')].map((c) => c.value);
      if (ids.length === 0) {
        const first = table.querySelector('.pick:not(:disabled)');
        if (first) invalid(first, t('request.pick_missing')); else K.fail(t('request.pick_missing'));
        return;
      }
      if (reason.value === 'caller' && !callerNumber.value.trim()) return invalid(callerNumber, t('request.caller_missing'));
      if (!justification.value.trim()) return invalid(justification, t('request.justification_missing'));
      try {
        const r = await api('POST', '/api/v1/playback-requests', {
          recording_ids: ids, reason: reason.value, justification: justification.value.trim(),
          caller_number: reason.value === 'caller' ? callerNumber.value.trim() : '',
          protocol: {causes: causes.value.trim(), actions: actions.value.trim(), follow_up: followUp.value.trim()}});
        form.reset();
        callerField.hidden = true;
        for (const c of table.querySelectorAll('.pick:checked')) c.checked = false;
        K.say(t('request.filed', r.id));
      } catch (err) {
        if (err.status === 422) return invalid(callerNumber, t('request.caller_not_found'));
        K.fail(K.errorText(err));
      }
    });
    container.replaceChildren(search, table, form);
    await fill();
  }

  // --- the requests --------------------------------------------------------------------

  function opinionText(o) {
    if (!o) return t('opinion.none');
    return t(o.favourable ? 'opinion.for' : 'opinion.against') + ' (' + o.by + ', ' + K.formatTime(o.at_ms_utc) + ')' +
           (o.text ? ': ' + o.text : '');
  }

  function missingOpinions(req) {
    if (req.reason !== 'caller') return [];
    const missing = [];
    if (!(req.opinions || {}).dpo) missing.push(t('missing.dpo'));
    if (!(req.opinions || {}).unit_head) missing.push(t('missing.unit_head'));
    return missing;
  }

  function facts(req) {
    const rows = [
      [t('request.number'), req.id], [t('request.requester'), req.requester],
      [t('request.filed_at'), K.formatTime(req.created_ms_utc)], [t('request.reason'), reasonText(req.reason)],
      [t('request.justification'), req.justification]];
    if (req.reason === 'caller') rows.push([t('request.caller_number'), req.caller_number]);
    const p = req.protocol || {};
    rows.push([t('request.causes'), p.causes || '—'], [t('request.actions'), p.actions || '—'],
              [t('request.follow_up'), p.follow_up || '—']);
    if (req.reason === 'caller') {
      rows.push([t('opinion.dpo'), opinionText((req.opinions || {}).dpo)],
                [t('opinion.unit_head'), opinionText((req.opinions || {}).unit_head)]);
    }
    rows.push([t('request.status'), statusText(req.status)]);
    if (req.decision) {
      rows.push([t('decision.by'), req.decision.by + ', ' + K.formatTime(req.decision.at_ms_utc)],
                [t('decision.note'), req.decision.note || '—']);
      if (req.decision.granted) rows.push([t('decision.valid_until'), K.formatTime(req.decision.valid_until_ms_utc)]);
    }
    return el('dl', {class: 'facts'}, rows.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  }

  function opinionForm(req, kind) {
    const yes = el('input', {type: 'radio', name: 'opinion-' + kind, value: 'for', id: 'opinion-' + kind + '-for'});
    const no = el('input', {type: 'radio', name: 'opinion-' + kind, value: 'against', id: 'opinion-' + kind + '-against'});
    const text = el('textarea');
    const form = el('form', {class: 'panel', id: 'opinion-form-' + kind, novalidate: true},
      el('h4', {}, t('opinion.give_' + kind)),
      el('fieldset', {}, el('legend', {}, t('opinion.position')),
         yes, el('label', {for: yes.id}, t('opinion.for')), no, el('label', {for: no.id}, t('opinion.against'))),
      field('opinion-' + kind + '-text', t('opinion.text'), text, t('opinion.text_hint')),
      el('button', {type: 'submit'}, t('opinion.submit')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!yes.checked && !no.checked) return invalid(yes, t('opinion.position_missing'));
      if (no.checked && !text.value.trim()) return invalid(text, t('opinion.text_missing'));
      try {
        await api('POST', '/api/v1/playback-requests/' + req.id + '/opinion',
                  {kind, favourable: yes.checked, text: text.value.trim()});
        K.say(t('opinion.recorded', req.id));
        await K.reopen();
      } catch (err) { K.fail(K.errorText(err)); }
    });
    return form;
  }

  const validityText = (minutes) => t('validity.' + minutes);

  function decisionForm(req) {
    const grant = el('input', {type: 'radio', name: 'decision', value: 'grant', id: 'decision-grant'});
    const refuse = el('input', {type: 'radio', name: 'decision', value: 'refuse', id: 'decision-refuse'});
    const note = el('textarea');
    const validity = el('select', {}, VALIDITY_MINUTES.map((m) =>
      el('option', {value: m, selected: m === 24 * 60}, validityText(m))));
    const validityField = field('decision-validity', t('decision.validity'), validity, t('decision.validity_hint'));
    const missing = missingOpinions(req);
    const form = el('form', {class: 'panel', id: 'decision-form', novalidate: true},
      el('h4', {}, t('decision.title')),
      missing.length ? el('p', {class: 'missing', id: 'decision-missing'}, t('decision.missing', missing.join(', '))) : null,
      el('fieldset', {}, el('legend', {}, t('decision.choice')),
         grant, el('label', {for: grant.id}, t('decision.grant')), refuse, el('label', {for: refuse.id}, t('decision.refuse'))),
      field('decision-note', t('decision.note'), note, t('decision.note_hint')),
      validityField,
      el('button', {type: 'submit', id: 'decision-next'}, t('decision.next')));
    const confirmText = el('p', {id: 'confirm-text'});
    const confirmButton = el('button', {type: 'button', id: 'confirm-yes'}, t('decision.confirm'));
    const back = el('button', {type: 'button', class: 'secondary', id: 'confirm-no'}, t('decision.back'));
    const dialog = el('dialog', {id: 'confirm-dialog', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text'},
      el('h4', {id: 'confirm-title'}, t('decision.confirm_title')), confirmText, el('p', {}, confirmButton, back));
    back.addEventListener('click', () => { dialog.close(); grant.focus(); });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      note.removeAttribute('aria-invalid');
      if (!grant.checked && !refuse.checked) return invalid(grant, t('decision.choice_missing'));
      if (grant.checked && missing.length) return invalid(grant, t('decision.missing', missing.join(', ')));
      if (!note.value.trim()) return invalid(note, t('decision.note_missing'));
      K.say('');  // the form is complete: no earlier complaint stays on screen
      confirmText.textContent = grant.checked
          ? t('decision.confirm_grant', req.id, validityText(Number(validity.value)))
          : t('decision.confirm_refuse', req.id);
      dialog.showModal();
      confirmButton.focus();
    });
    confirmButton.addEventListener('click', async () => {
      dialog.close();
      try {
        const body = {granted: grant.checked, note: note.value.trim()};
        if (grant.checked) body.valid_minutes = Number(validity.value);
        await api('POST', '/api/v1/playback-requests/' + req.id + '/decision', body);
        K.say(t(grant.checked ? 'decision.granted' : 'decision.refused', req.id));
        await K.reopen();
      } catch (err) { K.fail(K.errorText(err)); }
    });
    return [form, dialog];
  }

  function recordingState(req, id) { return (req.recording_states || {})[id] || 'available'; }

  function informedForm(req, id, index) {
    const how = el('select', {}, INFORMED_HOW.map((h) => el('option', {value: h}, t('informed.' + h))));
    const form = el('form', {class: 'informed-form', novalidate: true},
      field('informed-how-' + index, t('informed.how'), how),
      el('button', {type: 'submit'}, t('informed.submit')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await api('POST', '/api/v1/playback-requests/' + req.id + '/informed', {recording_id: id, how: how.value});
        K.say(t('informed.recorded'));
        await K.reopen();
      } catch (err) { K.fail(K.errorText(err)); }
    });
    return form;
  }

  // Why the listener cannot play `id` now, or '' when they can.
  function cannotPlay(req, id) {
    const state = recordingState(req, id);
    if (state === 'erased') return t('play.erased');
    if (state === 'restricted') return t('play.restricted');
    if (req.status !== 'approved') return '';
    if (req.decision && req.decision.valid_until_ms_utc < Date.now()) return t('play.expired');
    if (!(req.informed || {})[id]) return t('play.not_informed');
    return '';
  }

  function recordingsOf(req, me, player) {
    const canInform = (me.roles.includes('approver') || me.roles.includes('records_keeper')) && req.status !== 'refused';
    const mine = req.requester === me.username && me.roles.includes('listener');
    const rows = req.recording_ids.map((id, index) => {
      const informed = (req.informed || {})[id];
      const state = recordingState(req, id);
      const cells = [el('td', {}, K.formatTime((req.recording_starts || {})[id]) || id),
                     el('td', {}, t('recording_state.' + state)),
                     el('td', {}, informed ? t('informed.done', t('informed.' + informed.how) , K.formatTime(informed.at_ms_utc))
                                           : (canInform && state === 'available' ? informedForm(req, id, index) : t('informed.not_yet')))];
      if (mine) {
        const why = cannotPlay(req, id);
        let action = why;
        if (!why && req.status === 'approved') {
          action = el('button', {type: 'button', class: 'play', dataset: {recording: id}}, t('play.button', index + 1));
          action.addEventListener('click', async () => {
            try {
              await K.playInto(player, id, req.id);
              K.say(t('play.playing', index + 1));
            } catch (err) { K.fail(err.status === 403 ? t('play.refused') : K.errorText(err)); }
          });
        }
        cells.push(el('td', {}, action));
      }
      return el('tr', {}, cells);
    });
    const head = [t('recordings.start'), t('recording_state.title'), t('informed.title')];
    if (mine) head.push(t('play.title'));
    return el('table', {id: 'request-recordings'}, el('caption', {}, t('request.recordings')),
              el('thead', {}, el('tr', {}, head.map((h) => el('th', {scope: 'col'}, h)))), el('tbody', {}, rows));
  }

  function detail(req, me) {
    const player = el('audio', {controls: true, id: 'player', 'aria-label': t('play.player')});
    const parts = [el('h3', {id: 'request-detail-title', tabindex: '-1'}, t('request.detail', req.id)), facts(req),
                   recordingsOf(req, me, player)];
    if (req.requester === me.username && me.roles.includes('listener') && req.status === 'approved') parts.push(player);
    if (req.status === 'pending') {
      const missing = missingOpinions(req);
      if (me.roles.includes('dpo') && req.reason === 'caller' && !(req.opinions || {}).dpo) parts.push(opinionForm(req, 'dpo'));
      if (me.roles.includes('unit_head') && req.reason === 'caller' && !(req.opinions || {}).unit_head)
        parts.push(opinionForm(req, 'unit_head'));
      if (me.roles.includes('approver')) {
        if (req.requester === me.username) parts.push(el('p', {}, t('decision.own')));
        else parts.push(...decisionForm(req));
      } else if (missing.length) {
        parts.push(el('p', {class: 'missing'}, t('decision.missing', missing.join(', '))));
      }
    }
    return el('div', {class: 'panel', id: 'request-detail'}, parts);
  }

  async function renderRequests(container, me) {
    const data = await api('GET', '/api/v1/playback-requests');
    const requests = data.requests.slice().reverse();
    const table = el('table', {id: 'requests-table'}, el('caption', {}, t('requests.caption')),
      el('thead', {}, el('tr', {}, [t('request.number'), t('request.requester'), t('request.filed_at'), t('request.reason'),
                                   t('request.status'), t('requests.open')].map((h) => el('th', {scope: 'col'}, h)))),
      el('tbody', {}, requests.map((req) => {
        const open = el('button', {type: 'button', class: 'open', dataset: {id: req.id}},
                        t('requests.open_one', req.id));
        open.addEventListener('click', () => {
          selectedRequest = req.id;
          const old = container.querySelector('#request-detail');
          const fresh = detail(req, me);
          if (old) old.replaceWith(fresh); else container.append(fresh);
          fresh.querySelector('#request-detail-title').focus();
        });
        return el('tr', {dataset: {id: req.id}}, el('td', {}, req.id), el('td', {}, req.requester),
                  el('td', {}, K.formatTime(req.created_ms_utc)), el('td', {}, reasonText(req.reason)),
                  el('td', {}, statusText(req.status) + (missingOpinions(req).length && req.status === 'pending'
                                                            ? ' — ' + t('decision.missing', missingOpinions(req).join(', ')) : '')),
                  el('td', {}, open));
      })));
    const parts = [table];
    if (requests.length === 0) parts.push(el('p', {}, t('requests.none')));
    const current = requests.find((r) => r.id === selectedRequest);
    if (current) parts.push(detail(current, me));
    container.replaceChildren(...parts);
  }

  K.registerSection({id: 'recordings', title: 'nav.recordings', roles: ['listener'], order: 10, render: renderRecordings});
  K.registerSection({id: 'requests', title: 'nav.requests', order: 20, render: renderRequests,
                     roles: ['listener', 'approver', 'dpo', 'unit_head', 'records_keeper']});
})();
