/**
 * kill -9 at the batcher's persistence points: a child process (crashChild.ts) runs a sequencer on a real input log
 * and the batcher on its LevelDB store and SIGKILLs itself right after a batch is cut (built, not persisted) or
 * right after it is persisted (not handed on). A second child recovers both and finishes the workload. The store
 * must equal an uninterrupted run byte for byte, and the batches handed on across both runs (the restart re-hands
 * every batch after the last one handed on) must be the uninterrupted sequence: none lost, none twice.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateWorkload, GENESIS_TIME, testGenesis } from '../core/testWorkload.ts'
import { BatchStore } from './batchStore.ts'
import { openBatcher } from './batcher.ts'
import { FedSequencer, storedBytes, temporaryDirectory } from './testHarness.ts'

const CHILD = fileURLToPath(new URL('./crashChild.ts', import.meta.url))
const SEED = 23
const INPUTS = 200

type ChildRun = { lines: string[]; killed: boolean; code: number | null }

function runChild(directory: string, handOffFrom: bigint, crash?: { point: 'cut' | 'persisted'; at: bigint }): Promise<ChildRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INPUT_LOG_PATH: join(directory, 'log'),
    BATCH_STORE_PATH: join(directory, 'batches'),
    CRASH_SEED: String(SEED),
    CRASH_INPUTS: String(INPUTS),
    HAND_OFF_FROM: String(handOffFrom),
    ...(crash === undefined ? {} : { CRASH_POINT: crash.point, CRASH_AT: String(crash.at) }),
  }
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (signal !== null && signal !== 'SIGKILL') reject(new Error(`child died by ${signal}: ${stderr}`))
      else if (signal === null && code !== 0) reject(new Error(`child exited ${code}: ${stderr}`))
      else resolve({ lines: stdout.split('\n').filter((line) => line !== ''), killed: signal === 'SIGKILL', code })
    })
  })
}

function delivered(lines: readonly string[]): string[] {
  return lines.filter((line) => line.startsWith('handed ') || line.startsWith('rebuilt ')).map((line) => line.split(' ').slice(1).join(' '))
}

let reference: { bytes: string[]; batches: string[] }

beforeAll(async () => {
  const genesis = testGenesis()
  const store = await BatchStore.open(temporaryDirectory('batcher-reference'))
  const fed = new FedSequencer(genesis)
  const batches: string[] = []
  const { batcher } = await openBatcher({
    genesis, genesisTimestamp: GENESIS_TIME, store, source: fed.source, circuit: 'batch', maxWaitMs: Number.POSITIVE_INFINITY, verifySignatures: false,
    onBatch: (batch) => { batches.push(`${batch.batchNumber} ${batch.commitment}`) },
  })
  for (const input of generateWorkload({ seed: SEED, traders: 5, inputs: INPUTS, genesis })) {
    fed.apply(input)
    await batcher.poll()
  }
  await batcher.flush()
  reference = { bytes: await storedBytes(store), batches }
  await store.close()
})

describe('batcher crash recovery (kill -9)', () => {
  for (const [point, at] of [['cut', 1n], ['cut', 7n], ['persisted', 3n], ['persisted', 9n]] as const) {
    it(`behavior: SIGKILL at '${point}' of batch ${at}: same batches after recovery, none duplicated or dropped`, async () => {
      expect(reference.batches.length).toBeGreaterThan(Number(at))
      const directory = temporaryDirectory('batcher-crash')
      const first = await runChild(directory, 1n, { point, at })
      expect(first.killed).toBe(true)
      const handedBefore = delivered(first.lines)
      expect(handedBefore).toHaveLength(Number(at) - 1)
      const second = await runChild(directory, BigInt(handedBefore.length + 1))
      expect(second.killed).toBe(false)
      expect(second.lines.at(-1)).toBe(`done ${reference.batches.length}`)
      // Batch `at` was persisted before the kill at 'persisted': the restart re-hands it from the store.
      if (point === 'persisted') expect(second.lines[0]).toBe(`rebuilt ${reference.batches[Number(at) - 1]}`)
      expect([...handedBefore, ...delivered(second.lines)]).toEqual(reference.batches)
      const store = await BatchStore.open(join(directory, 'batches'))
      expect(await storedBytes(store)).toEqual(reference.bytes)
      await store.close()
    })
  }
})
