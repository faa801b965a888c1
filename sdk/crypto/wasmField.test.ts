import { describe, expect, it } from 'vitest'
import { FIELD_MODULUS as p } from './field.ts'
import { randomFieldElements } from './testRandom.ts'
import { add, allocateSlots, load, mul, SLOT_BYTES, square, store, sub } from './wasmField.ts'

const [a, b, out] = [0, 1, 2].map((i) => allocateSlots(3) + i * SLOT_BYTES) as [number, number, number]
const EDGES = [0n, 1n, 2n, p - 1n, p - 2n, (p - 1n) / 2n, 1n << 253n, (1n << 29n) - 1n, 1n << 232n]

function check(x: bigint, y: bigint): void {
  store(a, x)
  store(b, y)
  expect(load(a)).toBe(x)
  mul(out, a, b)
  expect(load(out)).toBe((x * y) % p)
  add(out, a, b)
  expect(load(out)).toBe((x + y) % p)
  sub(out, a, b)
  expect(load(out)).toBe((((x - y) % p) + p) % p)
  mul(a, a, b) // out aliasing an input
  expect(load(a)).toBe((x * y) % p)
}

describe('wasmField', () => {
  it('default: mul, add and sub equal bigint arithmetic on the field edges', () => {
    for (const x of EDGES) for (const y of EDGES) check(x, y)
  })

  it('behavior: mul, add and sub equal bigint arithmetic on random elements', () => {
    const values = randomFieldElements(2000, 'wasm-field')
    for (let i = 0; i < values.length; i += 2) check(values[i]!, values[i + 1]!)
  })

  it('behavior: chains of operations stay reduced', () => {
    let expected = 3n
    store(a, 3n)
    for (let i = 0; i < 1000; i++) {
      mul(a, a, a)
      add(a, a, a)
      expected = (2n * expected * expected) % p
    }
    expect(load(a)).toBe(expected)
  })
})

describe('wasmField square', () => {
  it('behavior: square equals bigint arithmetic, in place too', () => {
    for (const x of [...EDGES, ...randomFieldElements(60, 'wasm-square')]) {
      store(a, x)
      square(out, a)
      expect(load(out)).toBe((x * x) % p)
      square(a, a)
      expect(load(a)).toBe((x * x) % p)
    }
  })
})
