/**
 * Child process for batcherCrash.test.ts: a sequencer on a real input log and the batcher on its store, fed a
 * deterministic workload. It recovers both (log replay → sequencer, then the batch store), appends the workload's
 * remaining inputs, and SIGKILLs itself at a batcher fault point when asked. One line per event on stdout (a pipe
 * write is synchronous on Linux, so a printed line survives the kill):
 *   `rebuilt <n> <commitment>`, `handed <n> <commitment>`, `done <lastBatch>`.
 * Environment: INPUT_LOG_PATH, BATCH_STORE_PATH, CRASH_SEED, CRASH_INPUTS, HAND_OFF_FROM, and optionally
 * CRASH_POINT (`cut` | `persisted`) with CRASH_AT (batch number).
 */
import { openInputLog } from '../inputLog/inputLog.ts'
import { encodeInput } from '../core/inputCodec.ts'
import { recoverSequencer } from '../core/recover.ts'
import { generateWorkload, GENESIS_TIME, testGenesis } from '../core/testWorkload.ts'
import { BatchStore } from './batchStore.ts'
import { openBatcher } from './batcher.ts'

function required(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`missing ${name}`)
  return value
}

const genesis = testGenesis()
const workload = generateWorkload({ seed: Number(required('CRASH_SEED')), traders: 5, inputs: Number(required('CRASH_INPUTS')), genesis })
const crashPoint = process.env['CRASH_POINT']
const crashAt = crashPoint === undefined || crashPoint === '' ? undefined : BigInt(required('CRASH_AT'))
const emit = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

const { log, recovered } = await openInputLog(required('INPUT_LOG_PATH'))
const { sequencer } = await recoverSequencer({ log, recovered, genesis })
const store = await BatchStore.open(required('BATCH_STORE_PATH'))
const { batcher, rebuilt } = await openBatcher({
  genesis,
  genesisTimestamp: GENESIS_TIME,
  store,
  source: sequencer,
  circuit: 'batch',
  maxWaitMs: Number.POSITIVE_INFINITY,
  verifySignatures: false,
  rebuildFrom: BigInt(required('HAND_OFF_FROM')),
  onBatch: (batch) => emit(`handed ${batch.batchNumber} ${batch.commitment}`),
  faultPoint: (point, batchNumber) => {
    if (point === crashPoint && batchNumber === crashAt) process.kill(process.pid, 'SIGKILL')
  },
})
for (const batch of rebuilt) emit(`rebuilt ${batch.batchNumber} ${batch.commitment}`)

for (const input of workload.slice(Number(log.head().seq))) {
  const { kind, payload } = encodeInput(input)
  const receipt = await log.append(kind, payload)
  sequencer.apply({ seq: receipt.seq, hash: receipt.hash, input })
  await batcher.poll()
}
await batcher.flush()
emit(`done ${batcher.lastBatchInfo.batchNumber}`)
await batcher.close()
await store.close()
await log.close()
