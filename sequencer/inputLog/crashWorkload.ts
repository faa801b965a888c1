/**
 * A seeded sequencer stand-in for the input log's crash tests: it appends generated inputs with several appenders
 * in flight, acknowledges each only after `append` resolved, applies them in seq order to a tiny deterministic
 * reducer (a running sha256 over the inputs, standing in for the matching engine) and snapshots every K inputs.
 * Recovery is what a real sequencer does: latest snapshot, then replay of the journal after it.
 */
import type { InputLog, InputLogRecord, RecoveredInputLog } from './inputLog.ts'
import { openInputLog } from './inputLog.ts'
import { sha256 } from './inputLogFormat.ts'

export const KIND_COUNT = 5

export type GeneratedInput = { kind: number; payload: Uint8Array }

/** The input with sequence number `seq` of run `seed`: kind 0..4 and 1..200 payload bytes. */
export function generateInput(seed: number, seq: bigint): GeneratedInput {
  const preimage = new Uint8Array(12)
  const view = new DataView(preimage.buffer)
  view.setUint32(0, seed)
  view.setBigUint64(4, seq)
  let block = sha256(preimage)
  const kind = (block[0] as number) % KIND_COUNT
  const length = 1 + ((((block[1] as number) << 8) | (block[2] as number)) % 200)
  const payload = new Uint8Array(length)
  for (let offset = 0; offset < length; offset += 32) {
    block = sha256(block)
    payload.set(block.subarray(0, Math.min(32, length - offset)), offset)
  }
  return { kind, payload }
}

export type ReducerState = { seq: bigint; digest: Uint8Array; kindCounts: bigint[] }

export function initialReducerState(): ReducerState {
  return { seq: 0n, digest: new Uint8Array(32), kindCounts: Array.from({ length: KIND_COUNT }, () => 0n) }
}

/** Applies input `seq`; inputs must arrive in seq order. */
export function applyInput(state: ReducerState, seq: bigint, input: GeneratedInput): ReducerState {
  if (seq !== state.seq + 1n) throw new Error(`reducer expected seq ${state.seq + 1n}, got ${seq}`)
  const header = new Uint8Array(32 + 8 + 1)
  header.set(state.digest)
  new DataView(header.buffer).setBigUint64(32, seq)
  header[40] = input.kind
  const preimage = new Uint8Array(header.length + input.payload.length)
  preimage.set(header)
  preimage.set(input.payload, header.length)
  const kindCounts = state.kindCounts.slice()
  kindCounts[input.kind] = (kindCounts[input.kind] ?? 0n) + 1n
  return { seq, digest: sha256(preimage), kindCounts }
}

export function applyRecord(state: ReducerState, record: InputLogRecord): ReducerState {
  return applyInput(state, record.seq, { kind: record.kind, payload: record.payload })
}

export function encodeReducerState(state: ReducerState): Uint8Array {
  const bytes = new Uint8Array(8 + 32 + 8 * KIND_COUNT)
  const view = new DataView(bytes.buffer)
  view.setBigUint64(0, state.seq)
  bytes.set(state.digest, 8)
  state.kindCounts.forEach((count, index) => view.setBigUint64(40 + 8 * index, count))
  return bytes
}

export function decodeReducerState(bytes: Uint8Array): ReducerState {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return {
    seq: view.getBigUint64(0),
    digest: bytes.slice(8, 40),
    kindCounts: Array.from({ length: KIND_COUNT }, (_, index) => view.getBigUint64(40 + 8 * index)),
  }
}

/** The uninterrupted run: inputs 1..count folded in memory, no log involved. */
export function uninterruptedState(seed: number, count: bigint): ReducerState {
  let state = initialReducerState()
  for (let seq = 1n; seq <= count; seq++) state = applyInput(state, seq, generateInput(seed, seq))
  return state
}

/** Restores the reducer as the sequencer does at startup: latest snapshot, then the journal after it. */
export async function restoreFromSnapshot(log: InputLog, recovered: RecoveredInputLog): Promise<ReducerState> {
  let state = recovered.snapshot === undefined ? initialReducerState() : decodeReducerState(recovered.snapshot.state)
  await log.replay(state.seq + 1n, (record) => {
    state = applyRecord(state, record)
  })
  return state
}

/** Restores the reducer from the journal alone. */
export async function restoreFromJournal(log: InputLog): Promise<ReducerState> {
  let state = initialReducerState()
  await log.replay(1n, (record) => {
    state = applyRecord(state, record)
  })
  return state
}

/**
 * Where a run stops and waits to be killed, just after input `crashAt`:
 * - `append`: append called, write maybe in flight (the rest of the run keeps going until the kill lands);
 * - `synced`: append resolved, ack not yet written;
 * - `ack`: ack written, input not yet applied;
 * - `apply`: input applied in memory, its snapshot (if due) not yet written;
 * - `snapshot`: snapshot write called, maybe in flight (as for `append`);
 * - `snapshotted`: snapshot written.
 */
export const CRASH_POINTS = ['append', 'synced', 'ack', 'apply', 'snapshot', 'snapshotted'] as const
export type CrashPoint = (typeof CRASH_POINTS)[number]

export type RunWorkloadParameters = {
  path: string
  seed: number
  total: bigint
  concurrency: number
  snapshotEvery: bigint
  crash: { point: CrashPoint; seq: bigint } | undefined
  /** Called with one line per event: `recovered`, `append`, `ack`, `pause`, `done`. Must be synchronous. */
  emit: (line: string) => void
  /** Stops at a crash point. `freeze` blocks the whole process; `hang` blocks only this path. */
  stop: (mode: 'freeze' | 'hang') => Promise<never>
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

export async function runWorkload(parameters: RunWorkloadParameters): Promise<ReducerState> {
  const { seed, total, concurrency, snapshotEvery, crash, emit, stop } = parameters
  const at = (point: CrashPoint, seq: bigint) => crash !== undefined && crash.point === point && crash.seq === seq
  const pause = (point: CrashPoint, seq: bigint, mode: 'freeze' | 'hang') => {
    emit(`pause ${point} ${seq}`)
    return stop(mode)
  }

  const { log, recovered } = await openInputLog(parameters.path)
  let state = await restoreFromSnapshot(log, recovered)
  emit(`recovered ${log.head().seq} ${hex(encodeReducerState(state))}`)

  let next = log.head().seq + 1n
  while (next <= total) {
    const seqs: bigint[] = []
    for (let seq = next; seq <= total && seqs.length < concurrency; seq++) seqs.push(seq)
    await Promise.all(
      seqs.map(async (seq) => {
        const input = generateInput(seed, seq)
        emit(`append ${seq}`)
        const pending = log.append(input.kind, input.payload)
        if (at('append', seq)) await pause('append', seq, 'hang')
        const receipt = await pending
        if (receipt.seq !== seq) throw new Error(`append ${seq} got seq ${receipt.seq}`)
        if (at('synced', seq)) await pause('synced', seq, 'freeze')
        emit(`ack ${receipt.seq} ${hex(receipt.hash)}`)
        if (at('ack', seq)) await pause('ack', seq, 'freeze')
      }),
    )
    for (const seq of seqs) {
      state = applyInput(state, seq, generateInput(seed, seq))
      if (at('apply', seq)) await pause('apply', seq, 'freeze')
      if (seq % snapshotEvery === 0n) {
        const pending = log.writeSnapshot(seq, encodeReducerState(state))
        if (at('snapshot', seq)) await pause('snapshot', seq, 'hang')
        await pending
        if (at('snapshotted', seq)) await pause('snapshotted', seq, 'freeze')
      }
    }
    next = (seqs.at(-1) as bigint) + 1n
  }
  emit(`done ${log.head().seq} ${hex(encodeReducerState(state))}`)
  await log.close()
  return state
}
