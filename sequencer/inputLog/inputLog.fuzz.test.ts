import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import type { InputLog } from './inputLog.ts'
import { openInputLog } from './inputLog.ts'
import { GENESIS_HASH, encodeRecord } from './inputLogFormat.ts'

type ModelRecord = { kind: number; payload: Uint8Array; hash: Uint8Array }

const arbitraryCommand = fc.oneof(
  fc.record({
    type: fc.constant('append' as const),
    inputs: fc.array(fc.record({ kind: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 64 }) }), {
      minLength: 1,
      maxLength: 20,
    }),
  }),
  fc.record({ type: fc.constant('snapshot' as const), state: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ type: fc.constant('reopen' as const) }),
)

describe('InputLog (model-based)', () => {
  test.prop([fc.array(arbitraryCommand, { maxLength: 12 }), fc.boolean()], { numRuns: 25 })(
    'behavior: appends, snapshots and reopens agree with an in-memory model of the chain',
    async (commands, pruneJournal) => {
      const path = mkdtempSync(join(tmpdir(), 'zkperp-input-log-fuzz-'))
      const model: ModelRecord[] = []
      let snapshot: { seq: bigint; state: Uint8Array } | undefined
      let opened = await openInputLog(path, { pruneJournal })
      let log: InputLog = opened.log
      try {
        for (const command of commands) {
          if (command.type === 'append') {
            const receipts = await Promise.all(command.inputs.map((input) => log.append(input.kind, input.payload)))
            for (const [index, input] of command.inputs.entries()) {
              const prevHash = model.at(-1)?.hash ?? GENESIS_HASH
              const { hash } = encodeRecord({ seq: BigInt(model.length + 1), ...input, prevHash })
              model.push({ ...input, hash })
              expect(receipts[index]).toEqual({ seq: BigInt(model.length), hash })
            }
          } else if (command.type === 'snapshot') {
            const seq = BigInt(model.length)
            if (seq === 0n || (snapshot !== undefined && seq <= snapshot.seq)) {
              await expect(log.writeSnapshot(seq, command.state)).rejects.toMatchObject({
                code: 'INPUT_LOG_INVALID_SNAPSHOT_SEQ',
              })
            } else {
              await log.writeSnapshot(seq, command.state)
              snapshot = { seq, state: command.state }
            }
          } else {
            await log.close()
            opened = await openInputLog(path, { pruneJournal, verify: 'full' })
            log = opened.log
            expect(opened.recovered.droppedTail).toBeUndefined()
            expect(opened.recovered.snapshot?.seq).toBe(snapshot?.seq)
            expect(opened.recovered.snapshot?.state).toEqual(snapshot?.state)
          }
          // After every command: head, first stored record and the replayed journal match the model.
          const headSeq = BigInt(model.length)
          expect(log.head()).toEqual({ seq: headSeq, hash: model.at(-1)?.hash ?? GENESIS_HASH })
          const firstSeq = pruneJournal && snapshot !== undefined ? snapshot.seq + 1n : 1n
          expect(log.firstSeq()).toBe(firstSeq)
          const replayed: ModelRecord[] = []
          for await (const record of log.records()) {
            replayed.push({ kind: record.kind, payload: record.payload, hash: record.hash })
          }
          expect(replayed).toEqual(model.slice(Number(firstSeq) - 1))
        }
      } finally {
        await log.close()
        rmSync(path, { recursive: true, force: true })
      }
    },
  )
})
