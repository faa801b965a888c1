/**
 * Inline Montgomery arithmetic for generated WebAssembly: field values live in i64 locals (9 limbs of 29 bits, the
 * representation of `wasmField.ts`), so a chain of operations runs without calls or memory traffic between them.
 *
 * One primitive, `reduce`, computes (Σ aₖ·bₖ + Σ addendⱼ·R) / R mod r: a product, a square, a dot product with
 * constants, each with additions folded in for free (adding e·R to the double-width sum adds e to the result).
 * Product-scanning ("FIPS") Montgomery: column k of the products is summed, the quotient digits already known are
 * folded in and the next digit is taken, so no column outlives its turn; the quotient digits use shifts, not
 * multiplications, thanks to the shape of r (below).
 *
 * Reductions are lazy: results are not brought below r, only below a bound tracked here, at generation time, for
 * every value (and for every column sum, which must stay below 2^64). Generation throws if a bound would be
 * exceeded, so an overflow cannot reach the generated code.
 */
import { FIELD_MODULUS } from './field.ts'
import { type Code, I64, op } from './wasmAssembler.ts'
import { allocateSlots, LIMB_BITS, LIMBS } from './wasmField.ts'

/** Scratch word written once per column by a streamed reduction (see `reduce`). */
const FENCE = allocateSlots(1)

const BITS = BigInt(LIMB_BITS)
const MASK = (1n << BITS) - 1n
const R = 1n << (BITS * BigInt(LIMBS))
const WORD = 1n << 64n
/** Room a column keeps for c + q + (q << 28) when the quotient digit is folded in. */
const QUOTIENT_RESERVE = 1n << 58n
const P_LIMBS = Array.from({ length: LIMBS }, (_, i) => (FIELD_MODULUS >> (BITS * BigInt(i))) & MASK)

// r ≡ 1 + 2^28 (mod 2^29), so −r⁻¹ ≡ 2^28 − 1: each quotient digit is ((c << 28) − c) mod 2^29 and c + q·r₀ is
// c + q + (q << 28), shifts instead of two multiplications on the reduction's serial path.
if (P_LIMBS[0] !== (1n << (BITS - 1n)) + 1n) throw new Error('montgomeryEmitter assumes r ≡ 2^28 + 1 mod 2^29')

/** A field value held in 9 limb locals, each below 2^29, in Montgomery form; `bound` bounds the value held. */
export type FieldLocals = { readonly limbs: readonly number[]; readonly bound: bigint }

/**
 * A constant in memory: 9 i64 limbs at the address in i32 local `pointer`, plus `offset`. Its value is below
 * `bound` when given (a known constant such as 1), else reduced (< r).
 */
export type FieldConstant = { readonly pointer: number; readonly offset: number; readonly bound?: bigint }

export type Factor = FieldLocals | FieldConstant

const isLocals = (factor: Factor): factor is FieldLocals => 'limbs' in factor

function valueBound(factor: Factor): bigint {
  return isLocals(factor) ? factor.bound : (factor.bound ?? FIELD_MODULUS - 1n)
}

function limbBound(factor: Factor, index: number): bigint {
  const above = valueBound(factor) >> (BITS * BigInt(index))
  return above < MASK ? above : MASK
}

/** Values must fit 9 limbs of 29 bits with the top limb below 2^29 too. */
const MAX_VALUE_BOUND = R - 1n

/**
 * Bound on (Σ products + Σ addends·R + q·r)/R, the result of a reduction whose products and addends are below the
 * given bounds (q < R). Throws when the result might not fit 9 limbs.
 */
export function montgomeryBound(productBounds: readonly bigint[], addendBounds: readonly bigint[]): bigint {
  let total = 0n
  for (const bound of productBounds) total += bound
  for (const bound of addendBounds) total += bound * R
  const bound = (total + (R - 1n) * FIELD_MODULUS) / R
  if (bound > MAX_VALUE_BOUND) throw new RangeError(`montgomery result bound ${bound} exceeds 2^261`)
  return bound
}

/** Room each column keeps for the quotient digits, one addend limb and the carry. */
const COLUMN_RESERVE = (1n << 58n) * BigInt(LIMBS) + (1n << 58n)

/** How many of `products`, from the start, fit one reduction's columns. */
function fittingProducts(products: readonly (readonly [Factor, Factor])[]): number {
  const columns = new Array<bigint>(2 * LIMBS - 1).fill(0n)
  for (let n = 0; n < products.length; n++) {
    const [a, b] = products[n]!
    const square = a === b
    for (let i = 0; i < LIMBS; i++) {
      for (let j = square ? i : 0; j < LIMBS; j++) {
        columns[i + j]! += limbBound(a, i) * limbBound(b, j) * (square && j > i ? 2n : 1n)
      }
    }
    if (columns.some((bound) => bound + COLUMN_RESERVE + QUOTIENT_RESERVE >= WORD)) {
      if (n === 0) throw new RangeError('one product overflows the columns')
      return n
    }
  }
  return products.length
}

export class MontgomeryEmitter {
  constructor(readonly code: Code) {}

  /** Push limb `index` of `factor` on the stack. */
  private pushLimb(factor: Factor, index: number): void {
    if (isLocals(factor)) this.code.get(factor.limbs[index]!)
    else this.code.load(factor.pointer, factor.offset + index * 8)
  }

  /** Fresh limb locals holding a constant from memory (for a value used in many products). */
  loadConstant(constant: FieldConstant): FieldLocals {
    const limbs = Array.from({ length: LIMBS }, (_, i) => {
      const local = this.code.local(I64)
      this.pushLimb(constant, i)
      this.code.set(local)
      return local
    })
    return { limbs, bound: valueBound(constant) }
  }

  /** Limb locals from a value stored in memory in this representation (for instance a state slot). */
  loadSlot(pointer: number, offset: number, bound: bigint): FieldLocals {
    const limbs = Array.from({ length: LIMBS }, (_, i) => {
      const local = this.code.local(I64)
      this.code.load(pointer, offset + i * 8).set(local)
      return local
    })
    return { limbs, bound }
  }

  storeSlot(pointer: number, offset: number, value: FieldLocals): void {
    value.limbs.forEach((limb, i) => this.code.store(pointer, offset + i * 8, () => this.code.get(limb)))
  }

  /**
   * (Σ products + Σ addends·R)·R⁻¹ mod r, as limb locals below the returned bound. A product [a, a] with the same
   * locals is squared (cross products once, doubled).
   */
  reduce(products: readonly (readonly [Factor, Factor])[], addends: readonly Factor[] = []): FieldLocals {
    if (fittingProducts(products) === products.length) return this.reduceColumns(products, addends, 'preloaded')
    return this.reduceInChunks(products, addends)
  }

  /** Too many products for the 64-bit columns: reduce the rest first and fold it in as an addend. */
  private reduceInChunks(products: readonly (readonly [Factor, Factor])[], addends: readonly Factor[]): FieldLocals {
    const fitting = fittingProducts(products)
    if (fitting === products.length) return this.reduceColumns(products, addends, 'streamed')
    const rest = this.reduceInChunks(products.slice(fitting), addends)
    return this.reduceColumns(products.slice(0, fitting), [rest], 'streamed')
  }

  /**
   * One reduction whose products fit the columns. Operands in memory are either
   *
   * - 'preloaded': read into limb locals once. Every limb is read by several products; left as repeated loads,
   *   V8 merges them anyway and spills the merged value, at the cost of an extra store per limb;
   * - 'streamed': loaded again by every column that reads them, with a store to a scratch word after each column
   *   so that V8 cannot merge the loads across columns. For the wide dot products of Poseidon(6+) (two or more
   *   reductions, 18 limbs per product), preloading keeps too many values live, and the spills cost more than
   *   reloading from L1. Measured A/B in one process: streamed chunks make Poseidon(6..16) 8–22 % faster
   *   (Poseidon(9), 13–14 %); streaming every reduction would make Poseidon(1..5) 16–21 % slower.
   */
  private reduceColumns(
    products: readonly (readonly [Factor, Factor])[],
    addends: readonly Factor[],
    operands: 'preloaded' | 'streamed',
  ): FieldLocals {
    const { code } = this
    if (operands === 'preloaded') {
      products = products.map(([a, b]) => {
        const left = isLocals(a) ? a : this.loadConstant(a)
        return [left, a === b ? left : isLocals(b) ? b : this.loadConstant(b)]
      })
    }
    const bound = montgomeryBound(
      products.map(([a, b]) => valueBound(a) * valueBound(b)),
      addends.map(valueBound),
    )

    const q = Array.from({ length: LIMBS }, () => code.local(I64))
    const out = Array.from({ length: LIMBS }, () => code.local(I64))
    const carry = code.local(I64)
    let carryBound = 0n
    for (let k = 0; k < 2 * LIMBS - 1; k++) {
      // Column k: products, addends, digits q_j·r_(k−j), then the incoming carry.
      let columnBound = 0n
      let started = false
      const add = (termBound: bigint, pushTerm: () => void) => {
        pushTerm()
        if (started) code.emit(op.i64Add)
        started = true
        columnBound += termBound
      }
      this.emitColumn(products, k, add)
      if (k >= LIMBS) {
        for (const addend of addends) add(limbBound(addend, k - LIMBS), () => this.pushLimb(addend, k - LIMBS))
      }
      for (let j = Math.max(0, k - LIMBS + 1); j < Math.min(k, LIMBS); j++) {
        add(MASK * P_LIMBS[k - j]!, () => code.get(q[j]!).i64(P_LIMBS[k - j]!).emit(op.i64Mul))
      }
      if (k > 0) add(carryBound, () => code.get(carry))
      if (!started) code.i64(0n)
      if (columnBound + QUOTIENT_RESERVE >= WORD) throw new RangeError(`column ${k} bound exceeds 2^64`)
      const column = code.local(I64)
      code.set(column)
      if (k < LIMBS) {
        code.get(column).i64(BITS - 1n).emit(op.i64Shl).get(column).emit(op.i64Sub).i64(MASK).emit(op.i64And)
        code.set(q[k]!)
        // (column + q·r₀) >> 29 with r₀ = 2^28 + 1: exact, the low 29 bits are zero by the choice of q
        code.get(column).get(q[k]!).emit(op.i64Add).get(q[k]!).i64(BITS - 1n).emit(op.i64Shl, op.i64Add)
        code.i64(BITS).emit(op.i64ShrU)
        carryBound = (columnBound + MASK * P_LIMBS[0]!) >> BITS
      } else {
        code.get(column).i64(MASK).emit(op.i64And).set(out[k - LIMBS]!)
        code.get(column).i64(BITS).emit(op.i64ShrU)
        carryBound = columnBound >> BITS
      }
      code.set(carry)
      if (operands === 'streamed') code.i32(FENCE).get(carry).emit(op.i64Store, 3, 0)
    }
    code.get(carry)
    for (const addend of addends) {
      this.pushLimb(addend, LIMBS - 1)
      code.emit(op.i64Add)
    }
    code.set(out[LIMBS - 1]!)
    return { limbs: out, bound }
  }

  /** Push the products of column k, each through `add` (which sums them on the stack). */
  private emitColumn(
    products: readonly (readonly [Factor, Factor])[],
    k: number,
    add: (termBound: bigint, pushTerm: () => void) => void,
  ): void {
    const { code } = this
    for (const [a, b] of products) {
      const square = a === b
      for (let i = Math.max(0, k - LIMBS + 1); i <= Math.min(k, LIMBS - 1); i++) {
        const j = k - i
        if (square && j < i) continue
        const doubled = square && j > i
        add(limbBound(a, i) * limbBound(b, j) * (doubled ? 2n : 1n), () => {
          this.pushLimb(a, i)
          this.pushLimb(b, j)
          code.emit(op.i64Mul)
          if (doubled) code.i64(1n).emit(op.i64Shl)
        })
      }
    }
  }

  /** a·b (+ addends). */
  multiply(a: Factor, b: Factor, addends: readonly Factor[] = []): FieldLocals {
    return this.reduce([[a, b]], addends)
  }

  /** a² (+ addends). */
  square(a: FieldLocals, addends: readonly Factor[] = []): FieldLocals {
    return this.reduce([[a, a]], addends)
  }
}
