/**
 * A `withdraw` or `transfer` message (schemas.ts) read into what the gateway admits: the log input, the account that
 * signs it and whose slot its storage id consumes, and the signature check. §1 bounds are checked here with the
 * sdk's bound errors, and a zero amount (inside §1's bound, but no withdraw or transfer, §5.3) with the state
 * machine's code, so junk never reaches the log; every rule that depends on the state is the core's.
 */
import { MAX_WITHDRAWAL_AMOUNT, assertAccountIndex, assertAddress, assertStorageId, assertTimestamp, assertWithdrawalAmount } from '../../sdk/protocol/bounds.ts'
import { WithdrawalAmountOutOfRangeError } from '../../sdk/protocol/errors.ts'
import type { CircuitSizes, PublicKey, Signature } from '../../sdk/protocol/types.ts'
import type { TransferInput, WithdrawInput } from '../core/inputCodec.ts'
import type { TransferMessageWire, WithdrawMessageWire } from './schemas.ts'
import type { SignatureCheck } from './signatureVerifier.ts'

export type SpendRequest = {
  readonly input: Omit<WithdrawInput, 'time'> | Omit<TransferInput, 'time'>
  /** The account that signs and pays, and whose order slot the storage id consumes. */
  readonly sourceIndex: bigint
  readonly storageId: bigint
  /** What the verifier checks once the source account's key is known: the verifier hashes the signed fields. */
  signatureCheck(publicKey: PublicKey): SignatureCheck
}

function signatureFromWire(wire: { R8x: string; R8y: string; S: string }): Signature {
  return { R8: { x: BigInt(wire.R8x), y: BigInt(wire.R8y) }, S: BigInt(wire.S) }
}

function assertPositiveAmount(amount: bigint, what: string): void {
  assertWithdrawalAmount(amount, what)
  if (amount === 0n) throw new WithdrawalAmountOutOfRangeError(amount, { min: 1n, max: MAX_WITHDRAWAL_AMOUNT }, what)
}

/** Throws the typed bound error of the first field out of §1's range. */
export function readWithdrawRequest(message: WithdrawMessageWire, sizes: CircuitSizes): SpendRequest {
  const w = message.withdraw
  const fields = {
    accountIndex: BigInt(w.accountIndex),
    amount: BigInt(w.amount),
    to: BigInt(w.to),
    storageId: BigInt(w.storageId),
    validUntil: BigInt(w.validUntil),
  }
  assertAccountIndex(fields.accountIndex, sizes.accountDepth)
  assertPositiveAmount(fields.amount, 'withdrawal amount')
  assertAddress(fields.to, 'to')
  assertStorageId(fields.storageId, 'storageId')
  assertTimestamp(fields.validUntil, 'validUntil')
  const signature = signatureFromWire(w.signature)
  return {
    input: { kind: 'withdraw', tx: { type: 'withdraw', ...fields, signature } },
    sourceIndex: fields.accountIndex,
    storageId: fields.storageId,
    signatureCheck: (publicKey) => ({ kind: 'withdraw', withdraw: fields, signature, publicKey }),
  }
}

/** Throws the typed bound error of the first field out of §1's range. The target's rules are the core's. */
export function readTransferRequest(message: TransferMessageWire, sizes: CircuitSizes): SpendRequest {
  const t = message.transfer
  const fields = {
    fromIndex: BigInt(t.fromIndex),
    toIndex: BigInt(t.toIndex),
    amount: BigInt(t.amount),
    targetMode: t.targetMode,
    storageId: BigInt(t.storageId),
    validUntil: BigInt(t.validUntil),
  }
  assertAccountIndex(fields.fromIndex, sizes.accountDepth, 'fromIndex')
  assertAccountIndex(fields.toIndex, sizes.accountDepth, 'toIndex')
  assertPositiveAmount(fields.amount, 'transfer amount')
  assertStorageId(fields.storageId, 'storageId')
  assertTimestamp(fields.validUntil, 'validUntil')
  const signature = signatureFromWire(t.signature)
  return {
    input: { kind: 'transfer', tx: { type: 'transfer', ...fields, signature } },
    sourceIndex: fields.fromIndex,
    storageId: fields.storageId,
    signatureCheck: (publicKey) => ({ kind: 'transfer', transfer: fields, signature, publicKey }),
  }
}
