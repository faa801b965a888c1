/**
 * kill -9 at each persistence point of the gateway (append, apply, ack, snapshot): on restart every acknowledged
 * order is there (its storage id is used, its client order id returns the same ack, the log record at the ack's seq
 * has the ack's chain head), and the order in flight at the kill is there only if it had reached the log.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ZkPerpClient, type RequestResult } from '../../sdk/client/client.ts'
import { signOrder } from '../../sdk/protocol/signing.ts'
import type { SignedOrder } from '../../sdk/protocol/types.ts'
import { GENESIS_TIME, traderKey } from '../core/testWorkload.ts'
import { openInputLog } from '../inputLog/inputLog.ts'
import { testGatewayGenesis } from './testGateway.ts'

const genesis = testGatewayGenesis()
const childPath = new URL('./crashChild.ts', import.meta.url).pathname

type Child = { process: ChildProcess; lines: string[]; waitFor(prefix: string, timeoutMs?: number): Promise<string> }

function spawnChild(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', childPath], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: string[] = []
  const waiters: { prefix: string; resolve: (line: string) => void }[] = []
  let buffer = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    let newline: number
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline)
      buffer = buffer.slice(newline + 1)
      lines.push(line)
      for (const waiter of waiters.splice(0)) {
        if (line.startsWith(waiter.prefix)) waiter.resolve(line)
        else waiters.push(waiter)
      }
    }
  })
  return {
    process: child,
    lines,
    waitFor(prefix, timeoutMs = 20_000) {
      const found = lines.find((line) => line.startsWith(prefix))
      if (found !== undefined) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`child never printed ${prefix}`)), timeoutMs)
        waiters.push({ prefix, resolve: (line) => (clearTimeout(timer), resolve(line)) })
      })
    },
  }
}

async function kill(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return
  const exited = new Promise((resolve) => child.process.once('exit', resolve))
  child.process.kill('SIGKILL')
  await exited
}

function bid(trader: number, storageId: bigint): SignedOrder {
  return signOrder(
    { accountIndex: 2n + BigInt(trader), market: 0, isBuy: true, reduceOnly: false, size: 1n, limitPrice: 5_000_000n + storageId * 10n, storageId, expiry: GENESIS_TIME + 3_600n },
    traderKey(trader).privateKey,
    genesis.domain,
  )
}

describe('gateway crash', () => {
  for (const [point, pauseAfter, durable] of [
    ['append', 4, false],
    ['apply', 4, true],
    ['ack', 4, true],
    ['snapshot', 2, true],
  ] as const) {
    it(`behavior: SIGKILL at ${point} loses no acked order and adds no unlogged one`, async () => {
      const logPath = mkdtempSync(join('/dev/shm', 'zkperp-crash-'))
      // The child funds its accounts before arming the pause, so the pause counts only order inputs.
      const child = spawnChild({ ZKPERP_LOG: logPath, ZKPERP_FUND: '1', ZKPERP_PAUSE_AT: point, ZKPERP_PAUSE_AFTER: String(pauseAfter) })
      const url = (await child.waitFor('READY')).split(' ')[1]!
      const client = await ZkPerpClient.connect({ url, domain: genesis.domain, timeoutMs: 30_000 })
      const acked: { order: SignedOrder; clientOrderId: string; result: Extract<RequestResult, { ok: true }> }[] = []
      let inFlight: { order: SignedOrder; clientOrderId: string } | undefined
      for (let i = 1n; i <= 12n; i++) {
        const order = bid(0, i)
        const clientOrderId = `crash-${i}`
        const reply = client.placeOrder({ order, clientOrderId })
        const outcome = await Promise.race([reply, child.waitFor('PAUSED', 30_000).then(() => 'paused' as const)])
        if (outcome === 'paused') {
          // A snapshot pause leaves the order path running: this reply may still arrive.
          const late = await Promise.race([reply, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 300))]).catch(() => undefined)
          if (late?.ok === true) acked.push({ order, clientOrderId, result: late })
          else inFlight = { order, clientOrderId }
          break
        }
        expect(outcome.ok).toBe(true)
        if (outcome.ok) acked.push({ order, clientOrderId, result: outcome })
      }
      expect(child.lines.some((line) => line.startsWith('PAUSED'))).toBe(true)
      await kill(child)
      await client.close().catch(() => undefined)

      const restarted = spawnChild({ ZKPERP_LOG: logPath })
      const url2 = (await restarted.waitFor('READY')).split(' ')[1]!
      const again = await ZkPerpClient.connect({ url: url2, domain: genesis.domain })
      try {
        expect(acked.length).toBeGreaterThan(0)
        for (const { order, clientOrderId, result } of acked) {
          const replay = await again.placeOrder({ order, clientOrderId })
          expect(replay.ok && replay.duplicate && replay.ack.seq).toBe(result.ack.seq)
          expect(replay.ok && replay.ack.chainHead).toBe(result.ack.chainHead)
        }
        const account = await again.getAccount(2n)
        const open = (account.openOrders as { storageId: string }[]).map((o) => BigInt(o.storageId))
        for (const { order } of acked) expect(open).toContain(order.storageId)
        if (inFlight !== undefined) {
          const inLog = open.includes(inFlight.order.storageId)
          expect([point, inLog]).toEqual([point, durable && point !== 'snapshot' ? true : inLog])
          if (point === 'append') expect(inLog).toBe(false)
          const retry = await again.placeOrder({ order: inFlight.order, clientOrderId: inFlight.clientOrderId })
          expect(retry.ok).toBe(true)
          if (retry.ok) expect(retry.duplicate).toBe(inLog)
        }
      } finally {
        await again.close()
        await kill(restarted)
      }
      const { log } = await openInputLog(logPath)
      try {
        for (const { result } of acked) {
          for await (const record of log.records({ fromSeq: BigInt(result.ack.seq), toSeq: BigInt(result.ack.seq) })) {
            expect(`0x${Buffer.from(record.hash).toString('hex')}`).toBe(result.ack.chainHead)
          }
        }
      } finally {
        await log.close()
        rmSync(logPath, { recursive: true, force: true })
      }
    }, 60_000)
  }
})
