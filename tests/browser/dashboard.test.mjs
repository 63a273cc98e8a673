// The dashboard end to end, in Debian's Chromium against the real gateway and mock provider:
// open the printed link, add a provider, set and test its key, price it, route an alias to it,
// send requests with the official openai SDK and watch them arrive live, filter, open one,
// export CSV, re-price, and take a screenshot of every page on the way.

import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import OpenAI from 'openai'
import { chromium } from 'playwright-core'
import { MOCK_KEY, MOCK_KEY_ENV, REPO_ROOT, startGateway, startMock, startPreview } from './processes.mjs'

const SHOTS = join(REPO_ROOT, 'tests/browser/screenshots')
const DOC_SHOTS = join(REPO_ROOT, 'docs/screenshots')
const DOC_PAGES = new Set(['first-run', 'overview', 'requests', 'request-detail', 'providers', 'costs', 'connect'])
const STEP_MS = 15_000

let mock, gateway, preview, context, page, userDataDir, sdk
// Where the pages come from: the gateway itself, or (DASHBOARD_FROM=vite) vite preview in front of it.
let dashboardRoot, dashboardUrl
let keychain = true

/** A full-page shot for the suite; the pages the README shows also go to docs/screenshots. */
async function shoot(name) {
  await page.waitForTimeout(300)
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
  if (DOC_PAGES.has(name)) {
    const doc = join(DOC_SHOTS, `${name}.png`)
    await page.screenshot({ path: doc })
    assert.ok(statSync(doc).size < 300_000, `expected ${doc} under 300 KB, got ${statSync(doc).size}`)
  }
}

// The scenario is one story: once a step fails, the later ones are skipped with its name
// instead of each timing out on a page that is not where they expect it.
let broken = null
function step(name, fn) {
  it(name, async (t) => {
    if (broken) return t.skip(`an earlier step failed: ${broken}`)
    try {
      await fn(t)
    } catch (error) {
      broken = name
      await page?.screenshot({ path: join(SHOTS, 'failure.png'), fullPage: true }).catch(() => {})
      throw error
    }
  })
}

async function api(path) {
  const response = await fetch(gateway.root + path, { headers: { Authorization: `Bearer ${gateway.token}` } })
  const text = await response.text()
  assert.equal(response.status, 200, `expected GET ${path} to answer 200, got ${response.status}: ${text}`)
  return JSON.parse(text)
}

async function go(nav) {
  await page.getByTestId(`nav-${nav}`).click()
}

/** Cost cell text of every row shown, newest first. */
async function shownCosts() {
  return page.getByTestId('request-cost').allInnerTexts()
}

function dollars(text) {
  const m = /\$([\d,.]+)/.exec(text)
  assert.ok(m, `expected a dollar amount, got ${JSON.stringify(text)}`)
  return Number(m[1].replace(/,/g, ''))
}

async function chat(model, content, stream = false) {
  if (!stream) return sdk.chat.completions.create({ model, messages: [{ role: 'user', content }] })
  const chunks = []
  for await (const chunk of await sdk.chat.completions.create({ model, messages: [{ role: 'user', content }], stream: true })) {
    chunks.push(chunk.choices[0]?.delta?.content ?? '')
  }
  return chunks.join('')
}

describe('the dashboard', { timeout: 240_000 }, () => {
  before(async () => {
    rmSync(SHOTS, { recursive: true, force: true })
    mkdirSync(SHOTS, { recursive: true })
    mkdirSync(DOC_SHOTS, { recursive: true })
    mock = await startMock()
    gateway = await startGateway()
    sdk = new OpenAI({
      baseURL: gateway.proxyUrl,
      apiKey: 'sk-browser-client-key-ignored',
      maxRetries: 0,
      timeout: 20_000,
      defaultHeaders: { 'x-switchyard-tags': 'project=browser,team=qa' },
    })
    // A gateway without the dashboard's API or bundle would fail every step: say why once.
    const overview = await fetch(`${gateway.root}/api/overview`, { headers: { Authorization: `Bearer ${gateway.token}` } })
    assert.equal(overview.status, 200, `expected ${process.env.SWITCHYARD_BIN ?? 'target/debug/switchyard'} to serve GET /api/overview (the dashboard's admin API), got ${overview.status}: build the gateway from a tree that has it`)
    if (process.env.DASHBOARD_FROM === 'vite') {
      preview = await startPreview(gateway.root)
      dashboardRoot = preview.root
      console.log(`# pages served by vite preview at ${dashboardRoot}, API from the gateway at ${gateway.root}`)
    } else {
      dashboardRoot = gateway.root
      const index = await (await fetch(`${gateway.root}/`)).text()
      assert.match(
        index,
        /<script type="module"/,
        'expected the gateway to serve the built dashboard at / (build ui/dist first: npm run build in ui/; DASHBOARD_FROM=vite serves it with vite preview instead)',
      )
    }
    dashboardUrl = `${dashboardRoot}/#token=${gateway.token}`
    userDataDir = mkdtempSync(join(tmpdir(), 'switchyard-chromium-'))
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
      viewport: { width: 1280, height: 860 },
      colorScheme: 'light',
      acceptDownloads: true,
    })
    // "Copy" buttons: keep what was copied where the test can read it (headless Chromium has
    // no clipboard to read back).
    await context.addInitScript(() => {
      const copied = []
      Object.defineProperty(window, '__copied', { value: copied })
      if (navigator.clipboard) navigator.clipboard.writeText = async (text) => void copied.push(text)
    })
    page = context.pages()[0] ?? (await context.newPage())
    page.setDefaultTimeout(STEP_MS)
    page.on('pageerror', (error) => console.error('page error:', error))
  })

  after(async () => {
    await context?.close().catch(() => {})
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true })
    await preview?.child.stop()
    const gatewayCode = await gateway?.child.stop()
    const mockCode = await mock?.child.stop()
    assert.equal(gatewayCode, 0, `expected switchyard serve to exit 0 on SIGTERM, got ${gatewayCode}\n${gateway?.child.stderrTail()}`)
    assert.equal(mockCode, 0, `expected mock-provider to exit 0 on SIGTERM, got ${mockCode}`)
  })

  step('opens from the printed link and hides the token from the address bar', async () => {
    await page.goto(dashboardUrl)
    await page.getByTestId('overview-empty').waitFor()
    assert.ok(!page.url().includes('token='), `expected the token to leave the URL, got ${page.url()}`)
    assert.equal(await page.getByTestId('empty-proxy-url').innerText(), gateway.proxyUrl)
    assert.equal(await page.getByTestId('sidebar-proxy-url').innerText(), gateway.proxyUrl)
    // No provider yet, so no key: the first run starts at step one.
    await page.getByTestId('first-run').waitFor()
    assert.equal(await page.getByTestId('first-run-key').getAttribute('data-done'), 'false')
    assert.match(await page.getByTestId('first-run').innerText(), /No provider has a key yet/)
    await shoot('overview-empty')
  })

  step('refuses a provider with a bad base URL and says so next to the field', async () => {
    keychain = (await api('/api/providers')).keychain_available
    await go('providers')
    await page.getByTestId('providers-empty').waitFor()
    await page.getByTestId('provider-add').click()
    await page.getByTestId('provider-kind').selectOption('openai-compatible')
    await page.getByTestId('provider-id').fill('mock')
    await page.getByTestId('provider-base-url').fill('not a url')
    await page.getByTestId('provider-save').click()
    const error = page.getByTestId('field-error-p-base-url')
    await error.waitFor()
    assert.ok((await error.innerText()).length > 0, 'expected the server’s reason next to the base URL')
    assert.equal(await page.getByTestId('provider-base-url').getAttribute('aria-invalid'), 'true')
  })

  step('adds an openai-compatible provider pointing at the mock', async () => {
    await page.getByTestId('provider-base-url').fill(mock.baseUrl)
    await page.getByTestId('provider-models').fill('gpt-4.1\ngpt-4.1-mini')
    if (!keychain) await page.getByTestId('provider-key-env').fill(MOCK_KEY_ENV)
    await page.getByTestId('provider-save').click()
    const card = page.locator('[data-testid=provider-card][data-provider=mock]')
    await card.waitFor()
    assert.equal(await card.getByTestId('provider-base-url-view').innerText(), mock.baseUrl)
    const config = readFileSync(gateway.config, 'utf8')
    assert.ok(config.startsWith('# Written by tests/browser'), `expected the config's own comment to survive the edit:\n${config}`)
    assert.match(config, /id = "mock"/)
  })

  step('stores the key from the page, shows only its last four characters, and tests it', async () => {
    const panel = page.getByTestId('key-panel-mock')
    if (keychain) {
      await panel.getByTestId('key-set-open').click()
      await panel.getByTestId('key-input').fill(MOCK_KEY)
      await panel.getByTestId('key-save').click()
      await panel.getByTestId('key-last-four').waitFor()
      assert.equal(await panel.getByTestId('key-source').innerText(), 'OS keychain')
    } else {
      console.log('# no OS keychain: the key comes from', MOCK_KEY_ENV)
      await page.getByTestId('no-keychain').waitFor()
    }
    assert.equal(await panel.getByTestId('key-last-four').innerText(), `••••${MOCK_KEY.slice(-4)}`)
    assert.ok(!(await page.content()).includes(MOCK_KEY), 'expected the key never to appear in the page')
    await panel.getByTestId('key-test').click()
    const result = panel.getByTestId('key-test-result')
    await result.waitFor()
    assert.match(await result.innerText(), /^✓/, `expected the mock to accept the key, got ${await result.innerText()}`)
    await shoot('providers')
  })

  step('shows the first two first-run steps done once a key is stored and tested', async () => {
    await go('overview')
    await page.getByTestId('first-run').waitFor()
    const done = async (id) => page.getByTestId(`first-run-${id}`).getAttribute('data-done')
    await page.waitForFunction(() => document.querySelector('[data-testid=first-run-test]')?.dataset.done === 'true')
    assert.equal(await done('key'), 'true')
    assert.equal(await done('connect'), 'false', 'no client has sent a request yet')
    await shoot('first-run')
  })

  step('prices the mock model with an override', async () => {
    await go('prices')
    await page.getByTestId('price-add').click()
    await page.getByTestId('price-model').fill('mock/gpt-4.1')
    await page.getByTestId('price-input').fill('2')
    await page.getByTestId('price-output').fill('8')
    await page.getByTestId('price-save').click()
    await page.locator('[data-testid=override-row][data-model="mock/gpt-4.1"]').waitFor()
    assert.match(await page.getByTestId('builtin-checked').innerText(), /last checked against the providers' prices on \d{4}-\d{2}-\d{2}\./)
    await page.getByTestId('price-filter').fill('mock/')
    const row = page.locator('[data-testid=price-row][data-model="mock/gpt-4.1"]')
    await row.waitFor()
    assert.match(await row.innerText(), /config/)
    await shoot('prices')
  })

  step('creates a route alias targeting the mock', async () => {
    await go('routes')
    await page.getByTestId('route-add').click()
    await page.getByTestId('route-alias').fill('coder')
    await page.getByTestId('route-target-input').fill('mock/gpt-4.1-mini')
    await page.getByTestId('route-target-add').click()
    await page.getByTestId('route-target-input').fill('mock/gpt-4.1')
    await page.getByTestId('route-target-add').click()
    // Tried in order: move the priced model first.
    await page.getByRole('button', { name: 'Move mock/gpt-4.1 up' }).click()
    assert.deepEqual(await page.getByTestId('route-targets').locator('code').allInnerTexts(), ['mock/gpt-4.1', 'mock/gpt-4.1-mini'])
    await page.getByTestId('route-strategy').selectOption('fallback')
    await page.getByTestId('route-save').click()
    const card = page.locator('[data-testid=route-card][data-alias=coder]')
    await card.waitFor()
    assert.deepEqual(await card.locator('code').allInnerTexts(), ['mock/gpt-4.1', 'mock/gpt-4.1-mini'])
    await shoot('routes')
  })

  step('shows requests live as the openai SDK sends them, with their cost', async () => {
    await go('requests')
    await page.getByTestId('requests-empty').waitFor()
    await page.evaluate(() => ((window).__noReload = true))
    await page.locator('[data-testid=live-state]', { hasText: 'Live' }).waitFor()

    const answer = await chat('coder', 'Hello from the browser suite')
    assert.match(answer.choices[0].message.content, /mock answer/)
    const sent = Date.now()
    await page.getByTestId('request-row').first().waitFor()
    console.log(`# the first request showed up ${Date.now() - sent} ms after its answer`)
    const streamed = await chat('mock/gpt-4.1', 'Stream this please', true)
    assert.ok(streamed.length > 0, 'expected streamed text')
    await assert.rejects(chat('mock/error-503', 'This one fails'), (error) => error.status >= 500)

    await page.waitForFunction(() => document.querySelectorAll('[data-testid=request-row]').length === 3)
    assert.equal(await page.evaluate(() => (window).__noReload), true, 'expected the rows to arrive without a reload')
    const models = await page.locator('[data-testid=request-row] td.model > span.mono').allInnerTexts()
    assert.deepEqual(models, ['mock/error-503', 'mock/gpt-4.1', 'coder'])
    const costs = await shownCosts()
    assert.ok(dollars(costs[1]) > 0 && dollars(costs[2]) > 0, `expected the priced requests to show a cost, got ${costs}`)
    await page.waitForTimeout(3100) // let the "new row" highlight fade for the screenshot
    await shoot('requests')
  })

  step('filters on the server by model and by status', async () => {
    await page.getByTestId('filter-model').fill('coder')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=request-row]').length === 1)
    assert.match(await page.getByTestId('requests-total').innerText(), /^1 request/)
    assert.match(page.url(), /model=coder/)
    await page.getByTestId('filter-clear').click()
    await page.getByTestId('filter-status').selectOption('error')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=request-row]').length === 1)
    assert.match(await page.getByTestId('request-row').innerText(), /503/)
    await page.getByTestId('filter-clear').click()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=request-row]').length === 3)
  })

  step('opens a request with attempts, tokens, cost, bodies and Copy as curl', async () => {
    await page.locator('[data-testid=request-row]', { hasText: 'coder' }).locator('td.time a').click()
    await page.getByTestId('detail-model').waitFor()
    assert.equal(await page.getByTestId('detail-model').innerText(), 'coder')
    assert.match(await page.getByTestId('detail-price-source').innerText(), /config:mock\/gpt-4\.1/)
    assert.ok(dollars(await page.getByTestId('detail-cost').innerText()) > 0)
    // The split by kind of token is the server's (cost_breakdown), shown beside each count.
    assert.ok(dollars(await page.getByTestId('detail-cost-uncached').innerText()) > 0)
    assert.ok(dollars(await page.getByTestId('detail-cost-output').innerText()) > 0)
    assert.match(await page.getByTestId('detail-attempts').innerText(), /mock\/gpt-4\.1\s+200/)
    assert.match(await page.getByTestId('detail-tags').innerText(), /project=browser/)
    const requestBody = await page.getByTestId('detail-request-body').locator('pre').innerText()
    assert.match(requestBody, /^\{\n {2}"/, 'expected the JSON request body pretty-printed')
    assert.match(requestBody, /Hello from the browser suite/)
    await shoot('request-detail')
    await page.getByTestId('copy-curl').click()
    const copied = await page.evaluate(() => (window).__copied.at(-1))
    assert.ok(copied.startsWith(`curl '${gateway.root}/v1/chat/completions'`), `unexpected curl: ${copied}`)
    assert.match(copied, /Hello from the browser suite/)
    assert.match(copied, /x-switchyard-tags: project=browser,team=qa/)
    assert.ok(!/authorization|x-api-key|sk-browser|sk-mock/i.test(copied), `expected no key in the curl command: ${copied}`)

    await page.goBack()
    await page.getByTestId('request-row').nth(1).waitFor()
    await page.locator('[data-testid=request-row]').nth(1).locator('td.time a').click()
    await page.getByTestId('detail-response-body').waitFor()
    assert.match(await page.getByTestId('detail-response-body').innerText(), /Server-sent events[\s\S]*data: /)
  })

  step('exports the request history as CSV from the page', async () => {
    await go('requests')
    await page.getByTestId('request-row').first().waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('requests-export').click()])
    const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/)
    assert.equal(csv.length, 4, `expected a header and 3 rows, got:\n${csv.join('\n')}`)
    assert.match(csv[0], /\bid\b/)
    assert.match(csv[0], /cost_usd/)
    assert.ok(csv.some((line) => line.includes('coder')), 'expected the coder request in the CSV')
  })

  step('shows costs by model with a chart, exports them, and answers what-if', async () => {
    await go('costs')
    await page.getByTestId('group-model').click()
    await page.getByTestId('costs-row').first().waitFor()
    const table = await page.getByTestId('costs-table').innerText()
    assert.match(table, /^gpt-4\.1\t2\t/m, 'expected the upstream model with the two requests that reached it')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('costs-export').click()])
    const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/)
    assert.match(csv[0], /key/)
    assert.match(csv[0], /cost_usd/)
    assert.equal(csv.length - 1, await page.getByTestId('costs-row').count(), 'expected one CSV line per table row')
    await page.getByTestId('whatif-model').fill('gpt-4.1-mini')
    await page.getByTestId('whatif-submit').click()
    await page.getByTestId('whatif-result').waitFor()
    assert.match(await page.getByTestId('whatif-result').innerText(), /gpt-4\.1-mini/)
    await shoot('costs')
  })

  step('re-prices new requests when the override changes', async () => {
    await go('requests')
    await page.getByTestId('request-row').first().waitFor()
    const before = dollars((await shownCosts())[2]) // the first "coder" request
    await go('prices')
    await page.locator('[data-testid=override-row][data-model="mock/gpt-4.1"]').getByTestId('override-edit').click()
    await page.getByTestId('price-input').fill('20')
    await page.getByTestId('price-output').fill('80')
    await page.getByTestId('price-save').click()
    await page.locator('[data-testid=override-row][data-model="mock/gpt-4.1"]', { hasText: '$80.00' }).waitFor()
    await go('requests')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=request-row]').length === 3)
    await chat('coder', 'Hello from the browser suite')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=request-row]').length === 4)
    const after = dollars((await shownCosts())[0])
    assert.ok(Math.abs(after / before - 10) < 0.05, `expected ten times the cost after a tenfold price, got ${before} then ${after}`)
  })

  step('shows the overview with spend, the daily chart and the top models', async () => {
    await go('overview')
    await page.getByTestId('overview-chart').waitFor()
    assert.ok(dollars(await page.getByTestId('stat-today').innerText()) > 0)
    assert.match(await page.getByTestId('overview-top-models').innerText(), /^gpt-4\.1\t3\t/m)
    assert.match(await page.getByTestId('stat-errors').innerText(), /25%/)
    await shoot('overview')
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(SHOTS, 'overview-dark.png'), fullPage: true })
    await page.screenshot({ path: join(DOC_SHOTS, 'overview-dark.png') })
    await page.emulateMedia({ colorScheme: 'light' })
  })

  step('fills this proxy’s URL into every client’s setup', async () => {
    await go('connect')
    assert.equal(await page.getByTestId('connect-proxy-url').innerText(), gateway.proxyUrl)
    for (const id of ['claude-code', 'codex', 'continue', 'cline', 'zed', 'aider', 'openai-python', 'anthropic-python', 'curl']) {
      const text = await page.getByTestId(`connect-${id}`).innerText()
      assert.ok(text.includes(gateway.root), `expected ${id}'s setup to name ${gateway.root}`)
    }
    await page.getByTestId('snippet-openai-python-0-copy').click()
    assert.match(await page.evaluate(() => (window).__copied.at(-1)), new RegExp(`base_url="${gateway.proxyUrl}"`))
    await shoot('connect')
  })

  step('connects Codex from the Connect page, diff first, and undoes it exactly', async () => {
    const file = join(gateway.base, 'home', '.codex', 'config.toml')
    const original = '# mine\nmodel = "gpt-5"\n\n[projects."/home/ada/web"]\ntrust_level = "trusted"\n'
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, original)
    await go('connect')
    await page.getByTestId('connect-codex-preview').click()
    const diff = await page.getByTestId('connect-codex-diff').innerText()
    assert.match(diff, /\+model_provider = "switchyard"/)
    assert.match(diff, /\+\[model_providers\.switchyard\]/)
    assert.equal(readFileSync(file, 'utf8'), original, 'the diff is shown before anything is written')
    await page.getByTestId('connect-codex-apply').click()
    await page.getByTestId('connect-codex-done').waitFor()
    await page.waitForFunction(() => document.querySelector('[data-testid="connect-state-codex"]')?.textContent === 'Connected')
    const connected = readFileSync(file, 'utf8')
    assert.match(connected, new RegExp(`base_url = "${gateway.proxyUrl}"`))
    assert.ok(connected.includes('[projects."/home/ada/web"]\ntrust_level = "trusted"\n'), connected)
    await page.getByTestId('connect-codex-undo').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="connect-state-codex"]')?.textContent === 'Not connected')
    assert.equal(readFileSync(file, 'utf8'), original, 'Undo gives back the original bytes')
  })

  step('saves settings and budgets', async () => {
    await go('settings')
    await page.getByTestId('settings-retention').fill('14')
    await page.getByTestId('settings-daily').fill('25')
    await page.getByTestId('settings-save').click()
    await page.getByTestId('settings-saved').waitFor()
    const config = readFileSync(gateway.config, 'utf8')
    assert.match(config, /retention_days = 14/)
    assert.match(config, /daily_usd = 25/)
    await page.getByTestId('budget-bars').waitFor()
    await shoot('settings')
  })

  step('issues a client key once, attributes a request to it, and revokes it', async () => {
    await go('settings')
    await page.getByTestId('client-key-name').fill('browser-suite')
    await page.getByTestId('client-key-issue').click()
    const key = (await page.getByTestId('client-key-value').innerText()).trim()
    assert.ok(key.length >= 24, `expected a whole key shown once, got ${key}`)
    const row = page.locator('[data-testid=client-key-row]', { hasText: 'browser-suite' })
    assert.match(await row.innerText(), new RegExp(`…${key.slice(-4)}`))
    assert.ok(!(await row.innerText()).includes(key), 'the list shows only the last four characters')

    const keyed = new OpenAI({ baseURL: gateway.proxyUrl, apiKey: key, maxRetries: 0 })
    const response = await keyed.chat.completions
      .create({ model: 'coder', messages: [{ role: 'user', content: 'From a keyed client' }] })
      .withResponse()
    const id = response.response.headers.get('x-request-id')
    await page.goto(`${dashboardRoot}/#/requests/${id}`)
    assert.equal(await page.getByTestId('detail-client-key').innerText(), 'browser-suite')

    await go('settings')
    page.once('dialog', (dialog) => dialog.accept())
    await page.locator('[data-testid=client-key-row]', { hasText: 'browser-suite' }).getByTestId('client-key-revoke').click()
    await page.locator('[data-testid=client-key-row]', { hasText: 'revoked' }).waitFor()
    await shoot('client-keys')
  })

  step('asks for the token when a tab has none, and after a refused one', async () => {
    const fresh = await context.newPage()
    await fresh.goto(dashboardRoot + '/')
    await fresh.getByTestId('token-page').waitFor()
    await fresh.getByTestId('token-input').fill('not-the-token')
    await fresh.getByRole('button', { name: 'Open dashboard' }).click()
    await fresh.getByTestId('token-page').getByRole('alert').waitFor()
    await fresh.screenshot({ path: join(SHOTS, 'token.png') })
    await fresh.getByTestId('token-input').fill(dashboardUrl)
    await fresh.getByRole('button', { name: 'Open dashboard' }).click()
    await fresh.getByTestId('overview-stats').waitFor()
    await fresh.close()
  })
})
