import { describe, expect, it } from 'vitest'
import { addPoints, BASE8, isInPrimeSubgroup, isOnCurve, mulPoint, SUBGROUP_ORDER, unpackPoint } from '../crypto/babyJubJub.ts'
import { FIELD_MODULUS } from '../crypto/field.ts'
import { decodePubdata, encodeRecord } from '../protocol/pubdata.ts'
import type { PublicKey, Tx } from '../protocol/types.ts'
import { applyTx } from './applyTx.ts'
import { cloneState, firstL2AccountIndex, type ExchangeState } from './state.ts'
import { depositNewTx, depositTx, GENESIS_TIME, order, testContext, testKey, testState, tradeTx, withdrawTx } from './testFixtures.ts'

const alice = testKey('alice')
const bob = testKey('bob')
const context = testContext(GENESIS_TIME + 10n)

/** Apply and expect a rejection with `code`, and the state left exactly as it was. */
function expectRejected(state: ExchangeState, tx: Tx, code: string) {
  const before = cloneState(state)
  const result = applyTx(state, tx, context)
  expect(result.accepted ? 'accepted' : result.error.code).toBe(code)
  expect(state).toEqual(before)
}

function accept(state: ExchangeState, tx: Tx) {
  const result = applyTx(state, tx, context)
  if (!result.accepted) throw result.error
  return result
}

/** On-curve keys outside the prime-order subgroup: the order-2 point, alice's key plus it, and a point of order 8·l. */
function keysOutsideSubgroup(): PublicKey[] {
  const orderTwo = { x: 0n, y: FIELD_MODULUS - 1n }
  let fullOrder: PublicKey | undefined
  for (let y = 2n; fullOrder === undefined; y++) {
    const bytes = new Uint8Array(32)
    for (let i = 0, rest = y; i < 32; i++, rest >>= 8n) bytes[i] = Number(rest & 0xffn)
    let point: PublicKey
    try {
      point = unpackPoint(bytes)
    } catch {
      continue // no curve point has this y
    }
    // l·P is the torsion part of P; P has order 8·l exactly when 4·(l·P) is not the identity.
    const torsion = mulPoint(point, SUBGROUP_ORDER)
    const quadrupled = mulPoint(torsion, 4n)
    if (quadrupled.x !== 0n || quadrupled.y !== 1n) fullOrder = point
  }
  return [orderTwo, addPoints(alice.publicKey, orderTwo), fullOrder]
}

describe('applyDeposit', () => {
  it('default: a new account takes the next L1 index, the amount and flat positions; the record is depositNew', () => {
    const state = testState()
    const result = accept(state, depositNewTx(2n, 5_000_000n, alice, 0xa11cen, 1))
    const account = state.accounts.get(2n)!
    expect(account).toMatchObject({ publicKey: alice.publicKey, owner: 0xa11cen, collateral: 5_000_000n, mode: 1 })
    expect(account.positions.map((position) => position.size)).toEqual([0n, 0n])
    expect(state.nextAccountIndex).toBe(3n)
    expect(result.pubdata).toEqual({ type: 'depositNew', accountIndex: 2n, amount: 5_000_000n, owner: 0xa11cen, mode: 1, publicKey: alice.publicKey })
  })

  it('behavior: a top-up adds to an existing account and records the depositor', () => {
    const state = testState()
    accept(state, depositNewTx(2n, 5_000_000n, alice))
    const result = accept(state, depositTx(2n, 7n, 0xd0n))
    expect(state.accounts.get(2n)!.collateral).toBe(5_000_007n)
    expect(result.pubdata).toEqual({ type: 'deposit', accountIndex: 2n, amount: 7n, depositor: 0xd0n })
  })

  it('behavior: any on-curve key is accepted, in the prime-order subgroup or not, and its record round-trips', () => {
    const keys = keysOutsideSubgroup()
    expect(keys).toHaveLength(3)
    const state = testState()
    keys.forEach((publicKey, i) => {
      expect(isOnCurve(publicKey)).toBe(true)
      expect(isInPrimeSubgroup(publicKey)).toBe(false)
      const accountIndex = 2n + BigInt(i)
      const result = accept(state, { type: 'deposit', accountIndex, amount: 1_000_000n, owner: 0xa11cen, create: { publicKey, mode: 0 } })
      expect(state.accounts.get(accountIndex)!.publicKey).toEqual(publicKey)
      expect(decodePubdata(encodeRecord(result.pubdata))).toEqual([result.pubdata])
    })
  })

  it('behavior: an account whose key is outside the subgroup can never sign a withdraw or an order', () => {
    const state = testState()
    // alice's key plus the point of order 2: signatures made with alice's private key cannot verify against it.
    const publicKey = addPoints(alice.publicKey, { x: 0n, y: FIELD_MODULUS - 1n })
    accept(state, { type: 'deposit', accountIndex: 2n, amount: 10n ** 12n, owner: 0xa11cen, create: { publicKey, mode: 0 } })
    accept(state, depositNewTx(3n, 10n ** 12n, bob, 0xb0bn))
    const withdraw = withdrawTx({ accountIndex: 2n, amount: 1n, to: 0xa11cen, storageId: 1n, validUntil: GENESIS_TIME + 600n }, alice)
    expectRejected(state, withdraw, 'POINT_NOT_IN_SUBGROUP')
    const buy = order({ accountIndex: 2n, isBuy: true, size: 1n, limitPrice: 6_000_000n, storageId: 1n }, alice)
    const sell = order({ accountIndex: 3n, isBuy: false, size: 1n, limitPrice: 6_000_000n, storageId: 1n }, bob)
    expectRejected(state, tradeTx(buy, sell, 1n), 'POINT_NOT_IN_SUBGROUP')
  })

  it('error: a key off the curve is refused (the contract never queues one)', () => {
    const state = testState()
    const publicKey = { x: BASE8.x, y: BASE8.y + 1n }
    expectRejected(state, { type: 'deposit', accountIndex: 2n, amount: 1n, owner: 1n, create: { publicKey, mode: 0 } }, 'POINT_NOT_ON_CURVE')
  })

  it('error: the L1 range ends where the L2-created range starts, even when that index is next', () => {
    const state = testState()
    const limit = firstL2AccountIndex(state.sizes)
    expect(limit).toBe(8n)
    for (let index = 2n; index < limit; index++) accept(state, depositNewTx(index, 1n, alice))
    expect(state.nextAccountIndex).toBe(limit)
    expectRejected(state, depositNewTx(limit, 1n, alice), 'ACCOUNT_INDEX_OUT_OF_RANGE')
    expectRejected(state, depositNewTx(1n, 1n, alice), 'ACCOUNT_INDEX_OUT_OF_RANGE')
  })

  it('error: a new index other than the next one, an existing index, a mode beyond M, a top-up of nothing', () => {
    const state = testState()
    expectRejected(state, depositNewTx(3n, 1n, alice), 'ACCOUNT_INDEX_NOT_NEXT')
    expectRejected(state, depositNewTx(2n, 1n, alice, 0xa11cen, 3), 'MARGIN_MODE_OUT_OF_RANGE')
    accept(state, depositNewTx(2n, 1n, alice, 0xa11cen, 2))
    expectRejected(state, depositNewTx(2n, 1n, alice), 'ACCOUNT_EXISTS')
    expectRejected(state, depositTx(3n, 1n), 'ACCOUNT_NOT_FOUND')
    expectRejected(state, depositTx(2n, 2n ** 56n), 'DEPOSIT_AMOUNT_OUT_OF_RANGE')
  })
})
