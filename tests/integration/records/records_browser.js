// The records keeper's and the auditor's workflows in headless Chromium (issue 16 item 3),
// driven through the page only: sign in by typing, then every step by clicking and typing
// as a person would; the page's own script makes every API call. After each step a
// screenshot is saved and axe-core checks the page: a serious or critical finding fails.
// Run by records_browser_test.py, which starts the daemon and passes (environment):
//   KRONIKA_URL, KRONIKA_TOKENS (JSON {user: token}), KRONIKA_REC (a recording ID to use),
//   KRONIKA_NUMBER (the data subject's number), KRONIKA_OUT (screenshots, downloads),
//   CHROMIUM, NODE_PATH (puppeteer-core, axe-core).
'use strict';
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const url = process.env.KRONIKA_URL;
const tokens = JSON.parse(process.env.KRONIKA_TOKENS);
const rec = process.env.KRONIKA_REC;
const number = process.env.KRONIKA_NUMBER;
const out = process.env.KRONIKA_OUT;
const axePath = require.resolve('axe-core/axe.min.js');
const failures = [];
let step = 0;

function check(cond, what) {
  console.log((cond ? 'ok   ' : 'FAIL ') + what);
  if (!cond) failures.push(what);
}

// Screenshot and accessibility check of the page as it is now.
async function snap(page, name) {
  step += 1;
  const file = path.join(out, String(step).padStart(2, '0') + '-' + name + '.png');
  await page.screenshot({path: file, fullPage: true});
  await page.addScriptTag({path: axePath});
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, {resultTypes: ['violations']});
    return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result) console.log(`     axe ${v.impact}: ${v.id} (${v.help}) at ${v.nodes.join(', ')}`);
  check(bad.length === 0, `${name}: no serious or critical accessibility finding (${bad.map((v) => v.id).join(', ')})`);
  console.log('     screenshot ' + file);
}

// The part itself, for docs/img/ (the screenshots of the main pages, in Polish):
// <out>/docs/<name>.png.
async function docShot(page, selector, name) {
  const dir = path.join(out, 'docs');
  fs.mkdirSync(dir, {recursive: true});
  const element = await page.$(selector);
  if (element) await element.screenshot({path: path.join(dir, name + '.png')});
  check(element !== null, `screenshot of ${selector} for the documentation`);
}

async function text(page, selector) {
  return page.$eval(selector, (e) => e.textContent);
}

async function waitText(page, selector, needle, timeout = 10000) {
  try {
    await page.waitForFunction((s, n) => {
      const e = document.querySelector(s);
      return e && e.textContent.includes(n);
    }, {timeout}, selector, needle);
    return true;
  } catch (e) {
    return false;
  }
}

// Types the date into a date input as a person does. The field's order of day, month and
// year is the browser's locale's (headless Chromium may keep en-US whatever it is told):
// month first is tried, then day first, and the field's value must be the date.
async function typeDate(page, selector, iso) {
  const [y, m, d] = iso.split('-');
  for (const order of [m + d + y, d + m + y]) {
    await page.$eval(selector, (e) => { e.value = ''; });
    await page.focus(selector);  // the first part; a click would land on whichever part it hits
    await page.keyboard.type(order);
    if (await page.$eval(selector, (e) => e.value) === iso) return;
  }
  check(false, `the date ${iso} could be typed into ${selector}`);
}

async function signIn(page, user) {
  // Not networkidle: the shell may keep a request open (the session's keep-alive).
  await page.goto(url + '/ui/', {waitUntil: 'load'});
  await page.waitForSelector('#token', {timeout: 15000});
  if (await page.$('#token-sign-in')) {
    // The shell resumes the tab's sign-in by itself.
    if (await page.waitForSelector('#nav:not([hidden])', {timeout: 3000}).then(() => true, () => false)) {
      await page.waitForFunction(() => document.body.dataset.recordsReady === '1', {timeout: 15000});
      return;
    }
    await page.click('#token-sign-in summary');
    await page.type('#token', tokens[user]);
    await page.click('#token-button');
    await page.waitForSelector('#nav:not([hidden])', {timeout: 15000});
  } else {
    await page.type('#token', tokens[user]);
    await page.click('#login-btn');
  }
  await page.waitForFunction(() => document.body.dataset.recordsReady === '1', {timeout: 15000});
}

// The shell shows one section at a time: click its link in the navigation and wait until
// it is rendered. The single page shows every part already.
async function open(page, part) {
  const link = await page.$('#nav-' + part);
  if (!link) return;
  await page.evaluate(() => { delete document.body.dataset.recordsSection; });
  await link.click();
  await page.waitForFunction((p) => document.body.dataset.recordsSection === p, {timeout: 15000}, part);
}

// The polite status region: the single page's own, or the shell's.
async function statusOf(page) {
  return (await page.$('#records-status')) ? '#records-status' : '#status';
}

// The dialog now open: types `values` into its fields in order, then clicks its OK button.
async function answerDialog(page, values) {
  await page.waitForSelector('dialog[open]');
  const inputs = await page.$$('dialog[open] input');
  for (let i = 0; i < values.length; i += 1) {
    await inputs[i].focus();
    await page.keyboard.down('Control');  // select what is there, so typing replaces it
    await page.keyboard.press('KeyA');
    await page.keyboard.up('Control');
    await page.keyboard.type(values[i]);
  }
  await page.click('dialog[open] button[type=submit]');
}

async function newPage(browser, downloads) {
  const context = await browser.createBrowserContext({downloadBehavior: {policy: 'allow', downloadPath: downloads}});
  const page = await context.newPage();
  await page.setViewport({width: 1280, height: 900});
  // The shell forbids inline scripts (Content-Security-Policy); axe-core is injected as one.
  await page.setBypassCSP(true);
  // The browser of a Polish office: date fields read day, month, year.
  const cdp = await page.createCDPSession();
  await cdp.send('Emulation.setLocaleOverride', {locale: 'pl-PL'});
  page.on('pageerror', (e) => check(false, 'no script error on the page: ' + e.message));
  return page;
}

async function waitFile(dir, pattern, timeout = 15000) {
  const until = Date.now() + timeout;
  while (Date.now() < until) {
    const hit = fs.readdirSync(dir).find((f) => pattern.test(f) && !f.endsWith('.crdownload'));
    if (hit) return path.join(dir, hit);
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

async function keeperRegister(page, downloads) {
  await signIn(page, 'jan');
  await open(page, 'register');
  await snap(page, 'keeper-signed-in');
  const today = await page.$eval('input[name=register-from]', (e) => e.value);
  check(/^\d{4}-\d{2}-\d{2}$/.test(today), `the date filters start at the office's today (${today})`);
  // A day without playbacks, typed, then the day with one.
  await typeDate(page, 'input[name=register-from]', '2026-01-02');
  await typeDate(page, 'input[name=register-to]', '2026-01-02');
  await page.click('#register-show');
  check(await page.waitForFunction((r) => !document.querySelector('#register-section tbody').textContent.includes(r),
    {timeout: 10000}, rec).then(() => true, () => false), 'register: a day without playbacks shows no entry');
  await page.$eval('input[name=register-from]', (e, v) => { e.value = v; }, today);
  await page.$eval('input[name=register-to]', (e, v) => { e.value = v; }, today);
  await page.click('#register-show');
  check(await waitText(page, '#register-section tbody', rec), 'register: today shows the playback of the recording');
  const row = await text(page, '#register-section tbody');
  check(/CES?T/.test(row), `register: times carry the zone's name (${row.slice(0, 120)})`);
  check(!/\b[A-Z]{3,6}-\d\b/.test(await page.evaluate(() => (document.querySelector('#records-root') ||
    document.querySelector('main')).innerText)), 'no requirement ID in the records parts');
  await snap(page, 'keeper-register');

  const popup = new Promise((resolve) => page.browserContext().once('targetcreated', resolve));
  await page.click('#register-print');
  const target = await Promise.race([popup, new Promise((r) => setTimeout(() => r(null), 10000))]);
  const printed = target && (await target.page());
  if (printed) await printed.waitForFunction(() => document.readyState === 'complete', {timeout: 10000});
  check(printed && (await printed.content()).includes(rec), 'register: Print opens the print view holding the entry');
  if (printed) {
    await printed.setViewport({width: 1000, height: 900});
    step += 1;
    await printed.screenshot({path: path.join(out, String(step).padStart(2, '0') + '-keeper-register-print.png'), fullPage: true});
    await printed.close();
  }
  await page.click('#register-csv');
  const csv = await waitFile(downloads, /^register-.*\.csv$/);
  check(csv && fs.readFileSync(csv, 'utf8').includes(rec), `register: Export CSV saves the day's entries (${csv})`);
  await page.click('#register-pdf');
  const pdf = await waitFile(downloads, /^register-.*\.pdf$/);
  check(pdf && fs.readFileSync(pdf).subarray(0, 5).toString() === '%PDF-', `register: Export PDF saves a PDF (${pdf})`);
  await page.click('#register-verify');
  check(await waitText(page, '#register-verify-result', '1'), 'register: Verify reports the intact register');
  check(await page.$eval('#register-verify-result', (e) => e.className === 'ok'), 'register: verified intact');
  check(await waitText(page, await statusOf(page), '1'), 'results are announced in the live region');
  await snap(page, 'keeper-register-verified');
  await docShot(page, '#register-section', 'records-register');
}

async function disclosures(browser, keeper, downloads) {
  await open(keeper, 'disclosures');
  await keeper.type('input[name=d-institution]', 'Komenda Miejska Policji w Warszawie');
  await keeper.type('input[name=d-number]', 'RSD-7/26');
  await typeDate(keeper, 'input[name=d-date]', '2026-12-01');
  await keeper.type('input[name=d-phone]', number);
  await keeper.type('input[name=d-recordings]', rec);
  await keeper.type('textarea[name=d-justification]', 'postępowanie przygotowawcze');
  await keeper.click('#disclosure-file');
  check(await waitText(keeper, '#disclosures-section tbody', 'RSD-7/26'), 'disclosures: the request is filed and listed');
  await snap(keeper, 'keeper-disclosure-filed');
  const id = await keeper.$eval('#disclosures-section tbody tr', (e) => e.dataset.id);

  // The director approves in their own session.
  const director = await newPage(browser, downloads);
  await signIn(director, 'ewa');
  await open(director, 'disclosures');
  await director.click(`#disclosures-section tr[data-id="${id}"] .d-approve`);
  await director.waitForSelector('dialog[open]');
  const focused = await director.evaluate(() => document.activeElement && document.activeElement.closest('dialog') !== null);
  check(focused, 'the dialog takes the focus');
  await snap(director, 'approver-disclosure-dialog');
  await answerDialog(director, ['zgoda Prezydenta']);
  check(await waitText(director, await statusOf(director), id), 'disclosures: the approver grants it');
  await director.browserContext().close();

  await signIn(keeper, 'jan');
  await open(keeper, 'disclosures');
  await keeper.click(`#disclosures-section tr[data-id="${id}"] .d-build`);
  check(await keeper.waitForSelector(`#disclosures-section tr[data-id="${id}"] .d-download`, {timeout: 20000})
    .then(() => true, () => false), 'disclosures: Build package makes a package to download');
  await keeper.click(`#disclosures-section tr[data-id="${id}"] .d-download`);
  const zip = await waitFile(downloads, new RegExp('^' + id + '\\.zip$'));
  check(zip && fs.readFileSync(zip).subarray(0, 2).toString() === 'PK', `disclosures: Download package saves ${id}.zip`);
  await snap(keeper, 'keeper-disclosure-built');
  await docShot(keeper, '#disclosures-section', 'records-disclosures');
  await keeper.click(`#disclosures-section tr[data-id="${id}"] .d-purge`);
  await answerDialog(keeper, ['przekazano na nośniku']);
  check(await keeper.waitForFunction((s) => !document.querySelector(s), {timeout: 10000}, `#disclosures-section tr[data-id="${id}"] .d-download`)
    .then(() => true, () => false), 'disclosures: Purge removes the package (nothing left to download)');
  check(await keeper.evaluate(() => document.activeElement !== document.body && document.activeElement.closest('#disclosures-section') !== null),
    'after the dialog the focus stays in the disclosures (not lost to the page\'s top)');
  await snap(keeper, 'keeper-disclosure-purged');
}

async function holds(keeper) {
  await open(keeper, 'holds');
  await keeper.type('input[name=h-recordings]', rec);
  await keeper.type('input[name=h-case]', 'II K 123/26');
  await keeper.click('#hold-place');
  check(await waitText(keeper, '#holds-section tbody', 'II K 123/26'), 'holds: the hold is placed and listed');
  await snap(keeper, 'keeper-holds');
  await docShot(keeper, '#holds-section', 'records-holds');
  await keeper.click('#holds-section .h-lift');
  await answerDialog(keeper, ['prawomocny wyrok']);
  check(await keeper.waitForFunction(() => !document.querySelector('#holds-section .h-lift'), {timeout: 10000})
    .then(() => true, () => false), 'holds: Lift lifts it');
}

async function subject(keeper) {
  await open(keeper, 'subject');
  await keeper.type('input[name=s-number]', number);
  await keeper.click('#subject-find');
  check(await waitText(keeper, '#subject-section tbody', rec), 'subject: Find lists the number\'s recording');
  await keeper.click('#subject-restrict');
  await answerDialog(keeper, ['wniosek 4/26', number]);
  // The number's table, found again, says the recording is restricted (the page's own "yes").
  check(await keeper.waitForFunction((r) => {
    const row = [...document.querySelectorAll('#subject-section tbody tr')].find((tr) => tr.textContent.includes(r));
    return row && row.lastElementChild.textContent === window.kronikaRecords.t('yes');
  }, {timeout: 10000}, rec).then(() => true, () => false), 'subject: Restrict restricts the recording');
  await snap(keeper, 'keeper-subject-restricted');
  await docShot(keeper, '#subject-section', 'records-subject');
  await keeper.click('#subject-erase');
  await answerDialog(keeper, ['wniosek 5/26', number + '0']);
  check(await waitText(keeper, 'dialog[open] [role=alert]', ''), 'subject: a wrong confirmation keeps the dialog open');
  const stillOpen = await keeper.$('dialog[open]');
  check(stillOpen !== null, 'subject: nothing erased without the right confirmation');
  await snap(keeper, 'keeper-subject-erase-dialog');
  await docShot(keeper, 'dialog[open]', 'records-subject-erase-dialog');
  await answerDialog(keeper, ['wniosek 5/26', number]);
  check(await keeper.waitForFunction(() => !document.querySelector('dialog[open]'), {timeout: 10000}).then(() => true, () => false),
    'subject: the confirmed erasure closes the dialog');
  check(await waitText(keeper, '#subject-result', '1'), 'subject: the result names the erased recording count');
  check(await keeper.waitForFunction((r) => !document.querySelector('#subject-section tbody').textContent.includes(r),
    {timeout: 10000}, rec).then(() => true, () => false), 'subject: the recording is gone');
  await snap(keeper, 'keeper-subject-erased');
}

async function auditor(browser, downloads) {
  const page = await newPage(browser, downloads);
  await signIn(page, 'audit');
  await open(page, 'register');
  check(await page.$('#disclosure-form') === null && await page.$('#hold-form') === null &&
    await page.$('#subject-section') === null, 'auditor: no form that changes anything');
  await page.click('#register-show');
  check(await waitText(page, '#register-section tbody', rec), 'auditor: reads the register');
  await page.click('#register-verify');
  check(await waitText(page, '#register-verify-result', '1'), 'auditor: Verify reports the register intact');
  await snap(page, 'auditor-register');
  await docShot(page, '#records-root, #register', 'auditor-register');
  await page.browserContext().close();
}

(async () => {
  const downloads = path.join(out, 'downloads');
  fs.mkdirSync(downloads, {recursive: true});
  const browser = await puppeteer.launch({executablePath: process.env.CHROMIUM, headless: true,
    env: Object.assign({}, process.env, {LANG: 'pl_PL.UTF-8', LANGUAGE: 'pl'}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--lang=pl-PL']});
  try {
    const keeper = await newPage(browser, downloads);
    await keeperRegister(keeper, downloads);
    await disclosures(browser, keeper, downloads);
    await holds(keeper);
    await subject(keeper);
    await auditor(browser, downloads);
  } catch (e) {
    check(false, 'the workflow ran to its end: ' + (e.stack || e));
  } finally {
    await browser.close();
  }
  console.log(failures.length ? `${failures.length} check(s) failed` : 'browser checks passed');
  process.exit(failures.length ? 1 : 0);
})();
