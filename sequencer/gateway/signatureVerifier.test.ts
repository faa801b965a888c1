import { afterAll, describe, expect, it } from 'vitest'
import { derivePublicKey, signPoseidon } from '../../sdk/crypto/eddsa.ts'
import { domainHash, orderHash, transferHash, withdrawHash } from '../../sdk/protocol/hashing.ts'
import { buildSignatureCases, SIGNATURE_CASES_DOMAIN, SIGNATURE_CASES_ORDER, SIGNATURE_CASES_PRIVATE_KEY } from '../../sdk/protocol/signatureCases.ts'
import { signOrder, signTransfer, signWithdraw } from '../../sdk/protocol/signing.ts'
import type { SignedOrder } from '../../sdk/protocol/types.ts'
import { checkGroup, SignatureVerifier, type SignatureCheck } from './signatureVerifier.ts'

const domainHashValue = domainHash(SIGNATURE_CASES_DOMAIN)
const publicKey = derivePublicKey(SIGNATURE_CASES_PRIVATE_KEY)

function validOrder(storageId: bigint): SignedOrder {
  return signOrder({ ...SIGNATURE_CASES_ORDER, storageId }, SIGNATURE_CASES_PRIVATE_KEY, SIGNATURE_CASES_DOMAIN)
}

/** Every bad-signature class of this domain (each with its code), shuffled in among valid orders. */
type MixedCheck = { check: SignatureCheck; expectedCode: string | null; message: bigint }

function mixedChecks(validCount: number): MixedCheck[] {
  const cases = buildSignatureCases().filter((c) => c.domain === SIGNATURE_CASES_DOMAIN)
  const bad = cases.map((c): MixedCheck => ({
    check: { kind: 'order', order: { ...c.order, signature: c.signature }, publicKey: c.publicKey } as const,
    expectedCode: c.expectedCode,
    message: orderHash(c.order, domainHashValue),
  }))
  const good = Array.from({ length: validCount }, (_, i): MixedCheck => {
    const order = validOrder(1_000n + BigInt(i))
    return { check: { kind: 'order', order, publicKey } as const, expectedCode: null, message: orderHash(order, domainHashValue) }
  })
  const mixed: MixedCheck[] = []
  for (let i = 0; i < Math.max(bad.length, good.length); i++) {
    if (i < good.length) mixed.push(good[i]!)
    if (i < bad.length) mixed.push(bad[i]!)
  }
  return mixed
}

const verifiers: SignatureVerifier[] = []
function verifier(workers: number, batchThreshold?: number): SignatureVerifier {
  const created = new SignatureVerifier({ domainHash: domainHashValue, workers, ...(batchThreshold === undefined ? {} : { batchThreshold }) })
  verifiers.push(created)
  return created
}

afterAll(async () => {
  await Promise.all(verifiers.map((created) => created.close()))
})

describe('SignatureVerifier', () => {
  for (const workers of [0, 1]) {
    it(`behavior: withdrawals and transfers are hashed by the verifier and checked in the same groups as orders (workers: ${workers})`, async () => {
      const withdraw = { accountIndex: 7n, amount: 5n, to: 0xb0bn, storageId: 9n, validUntil: 1_800_000_000n }
      const transfer = { fromIndex: 7n, toIndex: 9n, amount: 5n, targetMode: 1, storageId: 10n, validUntil: 1_800_000_000n }
      const signedWithdraw = signWithdraw(withdraw, SIGNATURE_CASES_PRIVATE_KEY, SIGNATURE_CASES_DOMAIN)
      const signedTransfer = signTransfer(transfer, SIGNATURE_CASES_PRIVATE_KEY, SIGNATURE_CASES_DOMAIN)
      const checks: SignatureCheck[] = [
        ...Array.from({ length: 8 }, (_, i): SignatureCheck => ({ kind: 'order', order: validOrder(2_000n + BigInt(i)), publicKey })),
        { kind: 'withdraw', withdraw, signature: signedWithdraw.signature, publicKey },
        { kind: 'transfer', transfer, signature: signedTransfer.signature, publicKey },
        // A signature over other fields (the amount) and a transfer signature offered for a withdrawal.
        { kind: 'withdraw', withdraw: { ...withdraw, amount: 6n }, signature: signedWithdraw.signature, publicKey },
        { kind: 'withdraw', withdraw, signature: signedTransfer.signature, publicKey },
      ]
      const subject = verifier(workers, 4)
      const results = await Promise.all(checks.map((check) => subject.check(check)))
      expect(subject.stats.batched).toBeGreaterThanOrEqual(checks.length)
      expect(results.slice(8).map((result) => result.error?.code ?? null)).toEqual([null, null, 'BAD_SIGNATURE', 'BAD_SIGNATURE'])
      expect(results[8]!.message).toBe(withdrawHash(withdraw, domainHashValue))
      expect(results[9]!.message).toBe(transferHash(transfer, domainHashValue))
    })
  }

  for (const workers of [0, 1]) {
    it(`behavior: one batched group names every bad signature with its code and accepts every good one (workers: ${workers})`, async () => {
      const checks = mixedChecks(24)
      expect(checks.filter((c) => c.expectedCode !== null).length).toBeGreaterThan(8)
      const subject = verifier(workers)
      const results = await Promise.all(checks.map(({ check }) => subject.check(check)))
      results.forEach((result, i) => {
        const { expectedCode, message } = checks[i]!
        expect([i, result.error?.code ?? null]).toEqual([i, expectedCode])
        if (expectedCode === null) expect(result.message).toBe(message)
      })
      expect(subject.stats.checks).toBe(checks.length)
      // All arrived in one turn: one group, checked with batch equations, not one by one.
      expect(subject.stats.batched).toBeGreaterThanOrEqual(checks.filter((c) => c.expectedCode === null).length)
      expect(subject.stats.invalid).toBe(checks.filter((c) => c.expectedCode !== null).length)
      if (workers > 0) expect(subject.stats.poolGroups).toBe(1)
    })
  }

  it('behavior: the message hash handed back is the order hash, computed by the verifier', async () => {
    const order = validOrder(77n)
    const result = await verifier(0).check({ kind: 'order', order, publicKey })
    expect(result).toEqual({ message: orderHash(order, domainHashValue), error: undefined })
  })

  it('behavior: a pre-hashed message (a cancel) is checked as given', async () => {
    const message = 123_456_789n
    const signature = signPoseidon(SIGNATURE_CASES_PRIVATE_KEY, message)
    const subject = verifier(0)
    expect(await subject.check({ kind: 'message', message, signature, publicKey })).toEqual({ message, error: undefined })
    const wrong = await subject.check({ kind: 'message', message: message + 1n, signature, publicKey })
    expect(wrong.error?.code).toBe('BAD_SIGNATURE')
  })

  it('behavior: a group below the batch threshold is checked one by one', async () => {
    const subject = verifier(0, 8)
    const results = await Promise.all([1n, 2n, 3n].map((id) => subject.check({ kind: 'order', order: validOrder(id), publicKey })))
    expect(results.every((result) => result.error === undefined)).toBe(true)
    expect(subject.stats).toMatchObject({ checks: 3, batched: 0 })
  })

  it('behavior: with one worker, requests that arrive while it is busy go out as one group when it frees up', async () => {
    const subject = verifier(1)
    const first = subject.check({ kind: 'order', order: validOrder(1n), publicKey })
    await new Promise((resolve) => setImmediate(resolve)) // the first group (of one) is now on the worker
    const rest = Array.from({ length: 20 }, (_, i) => subject.check({ kind: 'order', order: validOrder(2n + BigInt(i)), publicKey }))
    const results = await Promise.all([first, ...rest])
    expect(results.every((result) => result.error === undefined)).toBe(true)
    expect(subject.stats.poolGroups).toBe(2)
    expect(subject.stats.batched).toBe(20)
  })
})

describe('checkGroup', () => {
  it('behavior: an order whose fields are not field elements is reported invalid, not thrown', () => {
    const order = { ...validOrder(5n), size: 1n << 256n }
    const result = checkGroup({ domainHash: domainHashValue, batchThreshold: 8, items: [{ order, signature: order.signature, publicKey }] })
    expect(result.invalid).toEqual([0])
    expect(result.messages).toEqual([null])
  })
})
