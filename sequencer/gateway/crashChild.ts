/**
 * Child process for the gateway crash test: a real gateway on the log at ZKPERP_LOG. With ZKPERP_PAUSE_AT=<point>
 * and ZKPERP_PAUSE_AFTER=<n>, the n-th time the gateway reaches that persistence point it prints
 * `PAUSED <point> <seq>` and stops there forever, for the parent to SIGKILL. Prints `READY <ws url>` once serving.
 */
import { startTestGateway } from './testGateway.ts'
import type { PersistencePoint } from './server.ts'

const logPath = process.env.ZKPERP_LOG!
const pausePoint = process.env.ZKPERP_PAUSE_AT as PersistencePoint | undefined
const pauseAfter = Number(process.env.ZKPERP_PAUSE_AFTER ?? '1')
let seen = 0
let armed = false

const test = await startTestGateway({
  logPath,
  fund: process.env.ZKPERP_FUND === '1',
  snapshotEvery: 4,
  pauseAt: (point, seq) => {
    if (!armed || point !== pausePoint) return
    seen++
    if (seen < pauseAfter) return
    process.stdout.write(`PAUSED ${point} ${seq ?? ''}\n`)
    return new Promise<void>(() => {})
  },
})
armed = true
process.stdout.write(`READY ${test.gateway.url}\n`)
