import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { DuplicateProofError } from './errors.ts'
import { InOrderDelivery } from './orderedDelivery.ts'

type Item = { batchNumber: bigint; jobId: string }

function item(batchNumber: bigint): Item {
  return { batchNumber, jobId: `job-${batchNumber}` }
}

describe('InOrderDelivery', () => {
  it('default: delivers in batch order, holding results behind a gap', () => {
    const delivered: bigint[] = []
    const delivery = new InOrderDelivery<Item>({ nextBatchNumber: 5n, deliver: (result) => delivered.push(result.batchNumber) })
    delivery.push(item(7n))
    delivery.push(item(6n))
    expect(delivered).toEqual([])
    expect(delivery.buffered).toBe(2)
    delivery.push(item(5n))
    expect(delivered).toEqual([5n, 6n, 7n])
    expect(delivery.nextBatchNumber).toBe(8n)
    expect(delivery.buffered).toBe(0)
  })

  it('error: a second result for a delivered or buffered batch is refused', () => {
    const delivered: bigint[] = []
    const delivery = new InOrderDelivery<Item>({ nextBatchNumber: 1n, deliver: (result) => delivered.push(result.batchNumber) })
    delivery.push(item(1n))
    delivery.push(item(3n))
    expect(() => delivery.push(item(1n))).toThrow(DuplicateProofError)
    expect(() => delivery.push(item(3n))).toThrow(DuplicateProofError)
    expect(() => delivery.push(item(0n))).toThrow(DuplicateProofError)
    delivery.push(item(2n))
    expect(delivered).toEqual([1n, 2n, 3n])
  })

  test.prop([fc.shuffledSubarray([...Array(24).keys()], { minLength: 24 })])('behavior: any arrival order delivers 0..n-1 in order', (order) => {
    const delivered: bigint[] = []
    const delivery = new InOrderDelivery<Item>({ nextBatchNumber: 0n, deliver: (result) => delivered.push(result.batchNumber) })
    for (const index of order) delivery.push(item(BigInt(index)))
    expect(delivered).toEqual([...Array(24).keys()].map(BigInt))
  })
})
