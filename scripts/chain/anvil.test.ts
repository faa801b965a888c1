import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { AnvilStartError, startAnvil, type StartAnvilReturnType } from './anvil.ts'

const running: StartAnvilReturnType[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((anvil) => anvil.stop()))
})

async function start(parameters: Parameters<typeof startAnvil>[0] = {}): Promise<StartAnvilReturnType> {
  const anvil = await startAnvil(parameters)
  running.push(anvil)
  return anvil
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function rpc(rpcUrl: string, method: string): Promise<unknown> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
  })
  return ((await response.json()) as { result: unknown }).result
}

async function captureError(promise: Promise<unknown>): Promise<AnvilStartError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  if (!(error instanceof AnvilStartError)) throw new Error(`expected AnvilStartError, got ${String(error)}`)
  return error
}

describe('startAnvil', () => {
  it('default: answers JSON-RPC on a free port, and stop ends the process', async () => {
    const anvil = await start()
    expect(anvil.rpcUrl).toBe(`http://127.0.0.1:${anvil.port}`)
    expect(await rpc(anvil.rpcUrl, 'eth_chainId')).toBe('0x7a69')
    expect(isAlive(anvil.pid)).toBe(true)
    await anvil.stop()
    expect(isAlive(anvil.pid)).toBe(false)
    await expect(fetch(anvil.rpcUrl)).rejects.toThrow()
  })

  it('behavior: stop is idempotent', async () => {
    const anvil = await start()
    await Promise.all([anvil.stop(), anvil.stop()])
    await anvil.stop()
    expect(isAlive(anvil.pid)).toBe(false)
  })

  it('behavior: concurrent chains get distinct ports and the chain id asked for', async () => {
    const [first, second] = await Promise.all([start({ chainId: 1337 }), start()])
    expect(first?.port).not.toBe(second?.port)
    expect(await rpc(first?.rpcUrl ?? '', 'eth_chainId')).toBe('0x539')
    expect(await rpc(second?.rpcUrl ?? '', 'eth_chainId')).toBe('0x7a69')
  })

  it('error: a port already in use is rejected before spawning', async () => {
    const server: Server = createServer()
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen))
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    try {
      const error = await captureError(startAnvil({ port }))
      expect(error.code).toBe('ANVIL_START_FAILED')
      expect(error.details).toMatchObject({ reason: 'port in use', port })
    } finally {
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()))
    }
  })

  it('error: anvil exiting at startup is reported with its stderr and leaves no process', async () => {
    const error = await captureError(startAnvil({ args: ['--no-such-flag'] }))
    expect(error.details).toMatchObject({ reason: 'exited', code: 2 })
    expect(String(error.details.stderr)).toContain('--no-such-flag')
    expect(isAlive(error.details.pid as number)).toBe(false)
  })

  it('error: a chain not ready in time is killed', async () => {
    const error = await captureError(startAnvil({ readyTimeoutMs: 0 }))
    expect(error.details).toMatchObject({ reason: 'timeout' })
    expect(isAlive(error.details.pid as number)).toBe(false)
  })

  it('error: a missing binary is reported', async () => {
    const error = await captureError(startAnvil({ binaryPath: '/nonexistent/anvil' }))
    expect(error.details).toMatchObject({ reason: 'binary not found' })
  })
})
