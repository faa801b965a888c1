/**
 * Bringing the core back from its input log: the latest snapshot (if any), then every later record, in order,
 * through the same `apply` the live run used.
 */
import type { InputLog, InputLogRecord, RecoveredInputLog } from '../inputLog/inputLog.ts'
import { SequencerSnapshotInvalidError } from './errors.ts'
import { decodeInput } from './inputCodec.ts'
import { Sequencer, type ApplyReturnType, type SequencerParameters } from './sequencer.ts'

export type RecoverSequencerParameters = SequencerParameters & {
  readonly log: InputLog
  readonly recovered: RecoveredInputLog
  /** Ignore snapshots and replay from seq 1 (the journal must not be pruned). */
  readonly fromGenesis?: boolean
  /** Called after each replayed record with what it produced. */
  readonly onApplied?: (result: ApplyReturnType, record: InputLogRecord) => void
}

export type RecoverSequencerReturnType = { sequencer: Sequencer; snapshotSeq: bigint; replayed: number }

export function applyRecord(sequencer: Sequencer, record: InputLogRecord): ApplyReturnType {
  return sequencer.apply({ seq: record.seq, hash: record.hash, input: decodeInput(record.kind, record.payload) })
}

export async function recoverSequencer(parameters: RecoverSequencerParameters): Promise<RecoverSequencerReturnType> {
  const { log, recovered, genesis, onApplied } = parameters
  const snapshot = parameters.fromGenesis === true ? undefined : recovered.snapshot
  const sequencer = snapshot === undefined ? new Sequencer({ genesis }) : Sequencer.restore({ genesis }, snapshot.state)
  const snapshotSeq = snapshot?.seq ?? 0n
  if (sequencer.lastSeq !== snapshotSeq) {
    throw new SequencerSnapshotInvalidError(`snapshot stored at seq ${snapshotSeq} holds the state at seq ${sequencer.lastSeq}`)
  }
  const { count } = await log.replay(snapshotSeq + 1n, (record) => {
    const result = applyRecord(sequencer, record)
    onApplied?.(result, record)
  })
  return { sequencer, snapshotSeq, replayed: count }
}
