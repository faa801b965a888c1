/**
 * Local anvil chains for tests and the devnet. Spawns the anvil binary itself (not the npx wrapper, whose PID is
 * a Node parent), waits until it answers JSON-RPC, and guarantees the process ends: `stop()` on every caller path,
 * a kill on start failure or timeout, and a synchronous kill if this process exits with the chain still running.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { BaseError } from '../../sdk/errors.ts'

export const ANVIL_BINARY_PATH = join(resolve(import.meta.dirname, '../..'), 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil')

export type StartAnvilParameters = {
  /** Listen port; a free one is picked when omitted (and re-picked if anvil loses the race for it). */
  port?: number
  /** Chain id (anvil's default is 31337). */
  chainId?: number
  /** Extra anvil flags, e.g. ['--block-time', '1']. */
  args?: readonly string[]
  /** Give up (and kill the process) when the RPC does not answer within this time. Default 10 s. */
  readyTimeoutMs?: number
  binaryPath?: string
}

export type StartAnvilReturnType = {
  rpcUrl: string
  port: number
  pid: number
  /** Terminates the chain (SIGTERM, then SIGKILL after 5 s) and resolves once the process is gone. Idempotent. */
  stop(): Promise<void>
}

export class AnvilStartError extends BaseError {
  static readonly code = 'ANVIL_START_FAILED' as const
  override readonly name = 'Chain.AnvilStartError'
  constructor(reason: string, details: Record<string, unknown>, cause?: unknown) {
    super(AnvilStartError.code, `anvil did not start: ${reason}`, { details: { reason, ...details }, cause })
  }
}

const STOP_GRACE_MS = 5_000
const POLL_INTERVAL_MS = 25
const STDERR_TAIL_BYTES = 4_096
const AUTO_PORT_ATTEMPTS = 3

export async function startAnvil(parameters: StartAnvilParameters = {}): Promise<StartAnvilReturnType> {
  if (parameters.port !== undefined) return startOnPort(parameters, parameters.port)
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort()
    try {
      return await startOnPort(parameters, port)
    } catch (error) {
      // Another process may take the free port between our probe and anvil's bind: retry on a new one.
      const lostPort =
        error instanceof AnvilStartError &&
        (error.details.reason === 'port in use' || (error.details.reason === 'exited' && /address already in use/i.test(String(error.details.stderr))))
      if (!lostPort || attempt >= AUTO_PORT_ATTEMPTS) throw error
    }
  }
}

async function startOnPort(parameters: StartAnvilParameters, port: number): Promise<StartAnvilReturnType> {
  const binaryPath = parameters.binaryPath ?? ANVIL_BINARY_PATH
  if (!existsSync(binaryPath)) throw new AnvilStartError('binary not found', { binaryPath, port })
  // Readiness is "the port answers JSON-RPC": with another server already on the port, that would be a lie.
  if (!(await isPortFree(port))) throw new AnvilStartError('port in use', { binaryPath, port })
  const args = ['--host', '127.0.0.1', '--port', String(port), '--silent']
  if (parameters.chainId !== undefined) args.push('--chain-id', String(parameters.chainId))
  args.push(...(parameters.args ?? []))

  const child = spawn(binaryPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }))
  })
  const spawnFailed = new Promise<Error>((resolveError) => child.once('error', resolveError))
  // If this process exits (normally, or via process.exit) with the chain still up, take it down with us.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  process.once('exit', killOnExit)

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= terminate(child, exited).finally(() => process.removeListener('exit', killOnExit))
    return stopping
  }

  const rpcUrl = `http://127.0.0.1:${port}`
  const details = (): Record<string, unknown> => ({ binaryPath, args, port, pid: child.pid, stderr: stderr.trim() })
  const polling = new AbortController()
  try {
    const outcome = await Promise.race([
      waitForRpc(rpcUrl, parameters.readyTimeoutMs ?? 10_000, polling.signal).then((ready) => (ready ? ('ready' as const) : ('timeout' as const))),
      exited.then((status) => ({ exited: status })),
      spawnFailed.then((error) => ({ error })),
    ])
    if (outcome === 'ready' && child.pid !== undefined && child.exitCode === null && child.signalCode === null) return { rpcUrl, port, pid: child.pid, stop }
    if (outcome === 'timeout') throw new AnvilStartError('timeout', { ...details(), readyTimeoutMs: parameters.readyTimeoutMs ?? 10_000 })
    if (typeof outcome === 'object' && 'exited' in outcome) throw new AnvilStartError('exited', { ...details(), ...outcome.exited })
    throw new AnvilStartError('spawn failed', details(), typeof outcome === 'object' && 'error' in outcome ? outcome.error : undefined)
  } catch (error) {
    await stop()
    throw error
  } finally {
    polling.abort()
  }
}

async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const graceOver = new Promise<'timeout'>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout('timeout'), STOP_GRACE_MS)
  })
  const result = await Promise.race([exited, graceOver])
  clearTimeout(timer)
  if (result === 'timeout') {
    child.kill('SIGKILL')
    await exited
  }
}

/** Polls `eth_chainId` until it answers; false once `timeoutMs` has passed or `signal` aborts. */
async function waitForRpc(rpcUrl: string, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] })
  while (performance.now() < deadline && !signal.aborted) {
    try {
      const requestSignal = AbortSignal.any([signal, AbortSignal.timeout(1_000)])
      const response = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: requestSignal })
      if (response.ok) return true
    } catch {
      // not listening yet
    }
    await new Promise((resolveDelay) => setTimeout(resolveDelay, POLL_INTERVAL_MS))
  }
  return false
}

/** A port the OS reports free on 127.0.0.1 right now. */
export async function findFreePort(): Promise<number> {
  const port = await listenBriefly(0)
  if (port === undefined) throw new AnvilStartError('no free port', {})
  return port
}

async function isPortFree(port: number): Promise<boolean> {
  return (await listenBriefly(port)) !== undefined
}

/** Binds 127.0.0.1:port and closes at once: the bound port, or undefined when the bind failed. */
async function listenBriefly(port: number): Promise<number | undefined> {
  const server = createServer()
  const bound = await new Promise<boolean>((resolveListen) => {
    server.once('error', () => resolveListen(false))
    server.listen(port, '127.0.0.1', () => resolveListen(true))
  })
  if (!bound) return undefined
  const address = server.address()
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()))
  return address !== null && typeof address === 'object' ? address.port : undefined
}
