import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { OrderKeyTable } from './orderKeyTable.ts'

type Operation = { kind: 'set' | 'delete' | 'get'; a: number; b: number; value: number }

const key = fc.record({
  a: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(2 ** 32 - 1)),
  b: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(2 ** 53 - 1), fc.constant(2 ** 32), fc.constant(2 ** 32 + 1)),
})
const operation: fc.Arbitrary<Operation> = fc
  .tuple(fc.constantFrom('set' as const, 'set' as const, 'delete' as const, 'get' as const), key, fc.nat(1000))
  .map(([kind, { a, b }, value]) => ({ kind, a, b, value }))

describe('OrderKeyTable', () => {
  test.prop([fc.array(operation, { maxLength: 400 })], { seed: 42, numRuns: 300 })(
    'behavior: agrees with a Map through sets, deletes and growth',
    (operations) => {
      const table = new OrderKeyTable(1)
      const model = new Map<string, number>()
      for (const { kind, a, b, value } of operations) {
        const name = `${a}:${b}`
        if (kind === 'set') {
          table.set(a, b, value)
          model.set(name, value)
        } else if (kind === 'delete') {
          expect(table.delete(a, b)).toBe(model.delete(name))
        } else {
          expect(table.get(a, b)).toBe(model.get(name) ?? -1)
        }
        expect(table.size).toBe(model.size)
      }
      for (const [name, value] of model) {
        const [a, b] = name.split(':').map(Number) as [number, number]
        expect(table.get(a, b)).toBe(value)
      }
    },
  )

  it('behavior: clear empties the table', () => {
    const table = new OrderKeyTable()
    table.set(1, 2, 3)
    table.clear()
    expect(table.get(1, 2)).toBe(-1)
    expect(table.size).toBe(0)
  })
})
