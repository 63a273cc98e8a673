// The mock provider and `switchyard serve` as real child processes, each on 127.0.0.1 port 0,
// with their URLs read from what they print (as the official-SDK suite does in tests/sdk). The
// gateway gets its own config, data dir, HOME and XDG dirs, so nothing real leaks in or out.

import { spawn } from 'node:child_process'
import { accessSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const STARTUP_MS = 30_000

export function binary(envVar, fallback) {
  let path = process.env[envVar] || join(REPO_ROOT, fallback)
  if (!isAbsolute(path)) path = join(REPO_ROOT, path)
  try {
    accessSync(path, constants.X_OK)
  } catch {
    throw new Error(`${envVar}: no executable at ${path}. Build it with \`cargo build -p switchyard-cli -p mock-provider\` or set ${envVar}.`)
  }
  return path
}

/** The environment minus anything that could bring a real config, key or proxy in. */
export function isolatedEnv(base) {
  const dropped = /^(SWITCHYARD_|OPENAI_|ANTHROPIC_|GEMINI_|XDG_)|^(MOCK_KEY|HTTPS?_PROXY|ALL_PROXY|https?_proxy|all_proxy)$/
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !dropped.test(k)))
  for (const [name, dir] of Object.entries({
    HOME: 'home',
    XDG_CONFIG_HOME: 'xdg-config',
    XDG_DATA_HOME: 'xdg-data',
    XDG_CACHE_HOME: 'xdg-cache',
    XDG_STATE_HOME: 'xdg-state',
    XDG_RUNTIME_DIR: 'xdg-runtime',
  })) {
    const path = join(base, dir)
    mkdirSync(path, { recursive: true, mode: 0o700 })
    env[name] = path
  }
  env.NO_PROXY = env.no_proxy = '127.0.0.1,localhost'
  env.RUST_BACKTRACE ??= '1'
  return env
}

/** A child whose stdout lines are collected and whose stderr goes to a file. */
export class Child {
  constructor(name, argv, env, dir, logDir = dir) {
    this.name = name
    this.stderrPath = join(logDir, `${name}.stderr.log`)
    this.lines = []
    this.waiters = []
    this.proc = spawn(argv[0], argv.slice(1), { env, cwd: dir, stdio: ['ignore', 'pipe', openSync(this.stderrPath, 'w')] })
    let buffer = ''
    this.proc.stdout.setEncoding('utf8')
    this.proc.stdout.on('data', (chunk) => {
      buffer += chunk
      let nl
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        this.lines.push(line)
        this.waiters.forEach((w) => w())
      }
    })
    this.exited = new Promise((res) => this.proc.on('exit', (code, signal) => res({ code, signal })))
    this.proc.on('exit', () => this.waiters.forEach((w) => w()))
  }

  stderrTail(n = 40) {
    try {
      return readFileSync(this.stderrPath, 'utf8').split('\n').slice(-n).join('\n')
    } catch {
      return '<no stderr>'
    }
  }

  /** The first stdout line matching `regex`. */
  waitFor(regex, timeoutMs = STARTUP_MS) {
    return new Promise((res, rej) => {
      const timer = setTimeout(() => done(new Error(`${this.name} printed no line matching ${regex} within ${timeoutMs} ms.\nstdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderrTail()}`)), timeoutMs)
      const check = () => {
        for (const line of this.lines) {
          const m = regex.exec(line)
          if (m) return done(null, m)
        }
        if (this.proc.exitCode !== null) done(new Error(`${this.name} exited with ${this.proc.exitCode} before printing ${regex}.\nstderr:\n${this.stderrTail()}`))
      }
      const done = (err, value) => {
        clearTimeout(timer)
        this.waiters = this.waiters.filter((w) => w !== check)
        err ? rej(err) : res(value)
      }
      this.waiters.push(check)
      check()
    })
  }

  /** SIGTERM, then the exit code (null when it had to be killed). */
  async stop(timeoutMs = 20_000) {
    if (this.proc.exitCode !== null) return this.proc.exitCode
    this.proc.kill('SIGTERM')
    const result = await Promise.race([this.exited, new Promise((r) => setTimeout(() => r(null), timeoutMs))])
    if (result === null) {
      this.proc.kill('SIGKILL')
      return null
    }
    return result.code
  }
}

export const MOCK_KEY = 'sk-mock-browser-suite-4821'
// The variable the gateway can read the mock's key from when no OS keychain is available.
export const MOCK_KEY_ENV = 'SWITCHYARD_BROWSER_MOCK_KEY'

export async function startMock() {
  const base = mkdtempSync(join(tmpdir(), 'switchyard-browser-mock-'))
  const child = new Child('mock-provider', [binary('MOCK_PROVIDER_BIN', 'target/debug/mock-provider'), '--listen', '127.0.0.1:0', '--api-key', MOCK_KEY], isolatedEnv(base), base)
  const m = await child.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\/v1\s*$/)
  return { child, root: m[1], baseUrl: `${m[1]}/v1` }
}

export async function startGateway() {
  const base = mkdtempSync(join(tmpdir(), 'switchyard-browser-gateway-'))
  const config = join(base, 'config.toml')
  const data = join(base, 'data')
  // A config written the way a user would: comments that the dashboard's edits must keep.
  const { writeFileSync } = await import('node:fs')
  writeFileSync(config, '# Written by tests/browser for one run of the dashboard suite.\n[logging]\nstore_bodies = true\n')
  const env = isolatedEnv(base)
  env[MOCK_KEY_ENV] = MOCK_KEY
  const child = new Child(
    'switchyard',
    [binary('SWITCHYARD_BIN', 'target/debug/switchyard'), 'serve', '--config', config, '--data-dir', data, '--listen', '127.0.0.1:0'],
    env,
    base,
  )
  const proxy = await child.waitFor(/Proxy base URL:\s*(http:\/\/127\.0\.0\.1:\d+\/v1)\s*$/)
  const dash = await child.waitFor(/Dashboard:\s*(http:\/\/127\.0\.0\.1:\d+\/#token=(\S+))\s*$/)
  return { child, base, config, proxyUrl: proxy[1], root: proxy[1].replace(/\/v1$/, ''), dashboardUrl: dash[1], token: dash[2] }
}

/**
 * The built dashboard (ui/dist) served by `vite preview`, which forwards /api and /v1 to the
 * real gateway (ui/vite.config.ts). Only for DASHBOARD_FROM=vite: checks the pages against
 * the real API when the gateway binary does not serve the bundle itself.
 */
export async function startPreview(gatewayRoot) {
  const { createServer } = await import('node:net')
  const port = await new Promise((res, rej) => {
    const server = createServer()
    server.on('error', rej)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => res(port))
    })
  })
  const base = mkdtempSync(join(tmpdir(), 'switchyard-browser-preview-'))
  const vite = join(REPO_ROOT, 'ui/node_modules/vite/bin/vite.js')
  const env = { ...process.env, SWITCHYARD_URL: gatewayRoot, NO_COLOR: '1' }
  const args = [process.execPath, vite, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort']
  const child = new Child('vite-preview', args, env, join(REPO_ROOT, 'ui'), base)
  await child.waitFor(new RegExp(`http://127\\.0\\.0\\.1:${port}`))
  return { child, root: `http://127.0.0.1:${port}` }
}
