// Drives the web page as people do (ui_workflow_test.py starts the daemon and passes the
// set-up as JSON in argv[2]): every step is a click or a keystroke in headless Chromium; after
// each, a screenshot and an axe-core run (WCAG 2.1 A/AA rules; a serious or critical finding
// fails the test). Also fails on a page error, a Content-Security-Policy violation, a
// requirement ID or an untranslated key anywhere on the page, and a time without its zone.
'use strict';
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const config = JSON.parse(process.argv[2]);
const failures = [];
let step = 0;

function check(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) failures.push(what);
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: config.chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required',
           '--lang=pl-PL']});
  const page = await browser.newPage();
  await page.setViewport({width: 1280, height: 900});
  await page.emulateTimezone('UTC');  // the page must show the office's zone, not the browser's
  page.on('pageerror', (e) => check(false, 'no script error: ' + e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) check(false, 'no CSP violation: ' + m.text());
    // A 404 is the session probe while the server has no password sign-in.
    else if (!/status of 404/.test(m.text())) console.log('page: ' + m.text());
  });

  // A screenshot and an accessibility check of the page as it is now.
  async function snap(name) {
    step += 1;
    const file = path.join(config.out, String(step).padStart(2, '0') + '-' + name + '.png');
    await page.screenshot({path: file, fullPage: true});
    if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    check(bad.length === 0, `${name}: no serious or critical accessibility finding` +
          (bad.length ? ': ' + bad.map((v) => v.id + ' (' + v.nodes.map((n) => n.target.join(' ')).join(', ') + ')').join('; ') : ''));
    const text = await page.evaluate(() => document.body.innerText);
    check(!/\b(SCOPE|CONSENT|RET|ACCESS|REG|DISC|RIGHTS|SEC)-\d/.test(text), `${name}: no requirement ID on the page`);
    const key = text.match(/\b(app|nav|signin|role|error|reason|status|recordings|request|requests|opinion|decision|validity|informed|recording_state|play)\.[a-z_]+/);
    check(!key, `${name}: every text translated` + (key ? ' (' + key[0] + ')' : ''));
    check(await page.evaluate(() => document.documentElement.lang === 'pl'), `${name}: <html lang="pl">`);
  }

  const text = (selector) => page.$eval(selector, (e) => e.textContent);
  const visible = (selector) => page.waitForSelector(selector, {visible: true, timeout: 10000});
  async function statusSays(words, what) {
    try {
      await page.waitForFunction((w) => document.getElementById('status').textContent.includes(w), {timeout: 10000}, words);
      check(true, what);
    } catch (e) {
      check(false, what + ` (status "${await text('#status')}", alert "${await text('#alert')}")`);
    }
  }
  async function alertSays(words, what) {
    try {
      await page.waitForFunction((w) => document.getElementById('alert').textContent.includes(w), {timeout: 10000}, words);
      check(true, what);
    } catch (e) {
      check(false, what + ` (alert "${await text('#alert')}")`);
    }
  }

  // Signs in as `role` with the keyboard: the password form, or the API token form until
  // every user has a password.
  async function signIn(role, name) {
    await page.goto(config.base + '/ui/', {waitUntil: 'load'});
    await page.waitForSelector('body[data-ready]');
    const creds = config.users[role];
    if (creds.password) {
      await page.focus('#username');
      await page.keyboard.type(creds.username);
      await page.keyboard.press('Tab');
      await page.keyboard.type(creds.password);
      await page.keyboard.press('Enter');
    } else {
      await page.click('#token-sign-in summary');
      await page.focus('#token');
      await page.keyboard.type(creds.token);
      await page.keyboard.press('Enter');
    }
    await visible('#who');
    check((await text('#who-name')).includes(name), `${role} signed in as ${name}`);
  }
  async function signOut() {
    await page.click('#sign-out');
    await visible('#sign-in');
  }
  async function openRequest(id) {
    // A fresh load: a goto that only changes the fragment would not reload, and the section
    // would re-render under the click.
    await page.goto('about:blank');
    await page.goto(config.base + '/ui/#requests', {waitUntil: 'load'});
    await page.waitForSelector('body[data-ready]');
    await visible(`#requests-table tr[data-id="${id}"] button.open`);
    await page.click(`#requests-table tr[data-id="${id}"] button.open`);
    await visible('#request-detail');
    check(await page.evaluate(() => document.activeElement.id === 'request-detail-title'),
          `opening ${id} moves the focus to its heading`);
  }

  // --- the sign-in page, the skip link, a wrong token ---------------------------------------
  await page.goto(config.base + '/ui/', {waitUntil: 'load'});
  await page.waitForSelector('body[data-ready]');
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.classList.contains('skip')), 'the first Tab reaches the skip link');
  await snap('sign-in');
  await page.click('#token-sign-in summary');
  await page.type('#token', 'krk_0000000000000000_00');
  await page.click('#token-button');
  await alertSays('Token API jest nieprawidłowy', 'a wrong token is refused in words');
  if (config.users.listener.password) {
    await page.type('#username', config.users.listener.username);
    await page.type('#password', 'not the password');
    await page.click('#sign-in-button');
    await alertSays('Nieprawidłowa nazwa użytkownika lub hasło', 'a wrong password is refused in words');
  }
  await snap('sign-in-refused');

  // --- listener: masked numbers, the request form's checks, two requests ---------------------
  await signIn('listener', 'Anna Kowalska');
  await visible(`#recordings-table tr[data-id="${config.first}"]`);
  const row = await text(`#recordings-table tr[data-id="${config.first}"]`);
  check(row.includes('*') && !row.includes('221234567'), 'listener: numbers masked before any approval');
  check(/CET|CEST/.test(row), 'listener: call times in the office zone, zone shown');
  await page.click('#request-submit');
  await alertSays('Wybierz co najmniej jedną rozmowę', 'listener: a request without a call is refused in words');
  await page.click(`#pick-${config.first}`);
  await page.select('#request-reason', 'b');
  await page.click('#request-submit');
  await alertSays('Opisz rodzaj naruszenia', 'listener: a request without justification is refused in words');
  check(await page.evaluate(() => document.activeElement.id === 'request-justification'),
        'listener: the focus goes to the field to fill');
  await page.keyboard.type('Pracownik zgłosił naruszenie dóbr osobistych w rozmowie.');
  await page.type('#request-causes', 'Rozmówca był niezadowolony z terminu.');
  await page.type('#request-actions', 'Rozmowa została zakończona przez pracownika.');
  await page.type('#request-follow-up', 'Wyjaśnienie sprawy z kierownikiem.');
  await snap('listener-request-form');
  await page.click('#request-submit');
  await statusSays('Złożono wniosek PR-000001', 'listener: ordinary request filed');
  await page.click(`#pick-${config.second}`);
  await page.select('#request-reason', 'caller');
  await visible('#request-caller-number');
  await page.type('#request-caller-number', config.caller_number);
  await page.type('#request-justification', 'Pismo rozmówcy z prośbą o odsłuchanie własnej rozmowy.');
  await page.click('#request-submit');
  await statusSays('Złożono wniosek PR-000002', "listener: caller's request filed");
  await snap('listener-requests-filed');
  await page.click('#nav-requests');
  await visible('#requests-table tr[data-id="PR-000002"]');
  await snap('listener-requests');
  await signOut();

  // --- approver: the caller's request waits for both opinions -------------------------------
  await signIn('approver', 'Ewa Nowak');
  await openRequest('PR-000002');
  const missing = await text('#decision-missing');
  check(missing.includes('inspektora ochrony danych') && missing.includes('kierownika komórki'),
        "approver: the caller's request names both missing opinions");
  await page.click('#decision-grant');
  await page.type('#decision-note', 'Zgoda.');
  await page.click('#decision-next');
  await alertSays('Brakuje opinii', 'approver: approval before the opinions is stopped, saying why');
  await snap('approver-missing-opinions');
  await signOut();

  // --- DPO and head of unit: opinions with text ---------------------------------------------
  await signIn('dpo', 'Piotr Wiśniewski');
  await openRequest('PR-000002');
  await page.click('#opinion-dpo-against');
  await page.click('#opinion-form-dpo button[type="submit"]');
  await alertSays('Podaj uzasadnienie opinii', 'DPO: an opinion against needs a justification');
  await page.click('#opinion-dpo-for');
  await page.type('#opinion-dpo-text', 'Numer rozmówcy zgodny z metadanymi nagrania.');
  await snap('dpo-opinion');
  await page.click('#opinion-form-dpo button[type="submit"]');
  await statusSays('Zapisano opinię do wniosku PR-000002', 'DPO: opinion recorded');
  await signOut();
  await signIn('unit_head', 'Marek Zieliński');
  await openRequest('PR-000002');
  await page.click('#opinion-unit_head-for');
  await page.type('#opinion-unit_head-text', 'Brak zastrzeżeń wydziału.');
  await page.click('#opinion-form-unit_head button[type="submit"]');
  await statusSays('Zapisano opinię do wniosku PR-000002', 'head of unit: opinion recorded');
  await openRequest('PR-000002');
  const facts = await text('#request-detail');
  check(facts.includes('Brak zastrzeżeń wydziału') && facts.includes('Numer rozmówcy zgodny'),
        'both opinions shown with their text');
  await snap('unit-head-opinion');
  await signOut();

  // --- approver: decisions with note, validity, confirmation; employee informed ------------
  await signIn('approver', 'Ewa Nowak');
  await openRequest('PR-000001');
  await page.click('#decision-grant');
  await page.click('#decision-next');
  await alertSays('Podaj stanowisko', 'approver: a decision without a note is refused in words');
  await page.type('#decision-note', 'Zgoda na odsłuchanie w obecności gestora.');
  await page.select('#decision-validity', '60');
  await page.click('#decision-next');
  await visible('#confirm-dialog');
  check((await text('#confirm-text')).includes('1 godzinę'), 'approver: the confirmation states the validity');
  await snap('approver-confirm');
  await page.click('#confirm-no');
  check(await page.$eval('#confirm-dialog', (d) => !d.open), 'approver: "Wróć" leaves the request undecided');
  await page.click('#decision-next');
  await visible('#confirm-dialog');
  await page.click('#confirm-yes');
  await statusSays('Wniosek PR-000001 został zatwierdzony', 'approver: request approved after confirmation');
  await openRequest('PR-000001');
  await page.select('#informed-how-0', 'e-mail');
  await page.click('.informed-form button[type="submit"]');
  await statusSays('Zapisano poinformowanie pracownika', 'approver: employee informed by e-mail recorded');
  await openRequest('PR-000002');
  check(await page.$('#decision-missing') === null, "approver: no opinion missing on the caller's request now");
  await page.click('#decision-grant');
  await page.type('#decision-note', 'Zgoda po opiniach.');
  await page.click('#decision-next');
  await visible('#confirm-dialog');
  await page.click('#confirm-yes');
  await statusSays('Wniosek PR-000002 został zatwierdzony', "approver: caller's request approved");
  await openRequest('PR-000002');
  await page.select('#informed-how-0', 'letter');
  await page.click('.informed-form button[type="submit"]');
  await statusSays('Zapisano poinformowanie pracownika', 'approver: employee informed in writing recorded');
  await openRequest('PR-000001');
  const decided = await text('#request-detail');
  check(decided.includes('pocztą elektroniczną') && decided.includes('Zgoda na odsłuchanie w obecności gestora'),
        'approver: the note and how the employee was informed are shown');
  await snap('approver-decided');
  await signOut();

  // --- listener: numbers shown, playback ----------------------------------------------------
  await signIn('listener', 'Anna Kowalska');
  await visible(`#recordings-table tr[data-id="${config.first}"]`);
  check((await text(`#recordings-table tr[data-id="${config.first}"]`)).includes('221234567'),
        'listener: numbers shown once the request is approved');
  await snap('listener-recordings-approved');
  await openRequest('PR-000001');
  await page.click('button.play');
  await statusSays('Odtwarzanie rozmowy 1', 'listener: playback started');
  const playable = await page.waitForFunction(() => document.getElementById('player').readyState >= 2, {timeout: 15000})
      .then(() => true, () => false);
  check(playable, 'listener: the audio arrived and can be played');
  const ended = await page.waitForFunction(() => document.getElementById('player').ended, {timeout: 15000})
      .then(() => true, () => false);
  check(ended, 'listener: the recording played to its end');
  await snap('listener-playing');

  // --- erased and restricted recordings are not offered for playback ------------------------
  for (const what of ['erase', 'restrict']) {
    const r = require('child_process').spawnSync(config.setup[what][0], config.setup[what].slice(1), {encoding: 'utf8'});
    check(r.status === 0, `set-up: ${what} through the CLI` + (r.status === 0 ? '' : ': ' + r.stdout + r.stderr));
  }
  // The store writer commits the deletion in its next batch (at most 50 ms): wait for the CLI
  // to no longer find the recording.
  for (let i = 0; i < 50; i++) {
    const show = require('child_process').spawnSync(config.setup.show[0], config.setup.show.slice(1), {encoding: 'utf8'});
    if (show.status !== 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await openRequest('PR-000002');
  check(await page.$('button.play') === null, 'listener: no Play for an erased recording');
  check((await text('#request-detail')).includes('Nagranie zostało usunięte'), 'listener: told the recording was erased');
  await snap('listener-erased');
  await openRequest('PR-000001');
  check(await page.$('button.play') === null, 'listener: no Play for a restricted recording');
  check((await text('#request-detail')).includes('Przetwarzanie nagrania jest ograniczone'),
        'listener: told the recording is restricted');
  await snap('listener-restricted');
  await signOut();
  await snap('signed-out');
  await browser.close();
}

main().then(() => {
  console.log(failures.length ? `${failures.length} check(s) failed` : 'all browser checks passed');
  process.exit(failures.length ? 1 : 0);
}, (e) => {
  console.log('FAIL ' + (e && e.stack || e));
  process.exit(1);
});
