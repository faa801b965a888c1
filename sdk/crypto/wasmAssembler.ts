/**
 * A minimal WebAssembly binary emitter: just what the generated field code needs (i32/i64 locals, loads and
 * stores, integer arithmetic, loops, calls, one imported memory). The field kernel (`wasmField.ts`), the curve
 * code and the Poseidon permutation are all written with it and compiled synchronously at load.
 */

export function uleb(value: number | bigint): number[] {
  let rest = BigInt(value)
  const out: number[] = []
  do {
    let byte = Number(rest & 0x7fn)
    rest >>= 7n
    if (rest !== 0n) byte |= 0x80
    out.push(byte)
  } while (rest !== 0n)
  return out
}

export function sleb(value: number | bigint): number[] {
  let rest = BigInt(value)
  const out: number[] = []
  for (;;) {
    const byte = Number(rest & 0x7fn)
    rest >>= 7n
    const signBit = (byte & 0x40) !== 0
    if ((rest === 0n && !signBit) || (rest === -1n && signBit)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

export const I32 = 0x7f
export const I64 = 0x7e
export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i64Load: 0x29,
  i64Store: 0x37,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i64Eqz: 0x50,
  i64LtS: 0x53,
  i64LtU: 0x54,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64And: 0x83,
  i64Or: 0x84,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
} as const

/** An absolute address, or [parameter index, byte offset] for an address relative to a pointer parameter. */
export type Operand = number | readonly [number, number]

/** Function body builder over numbered locals (parameters first). */
export class Code {
  readonly bytes: number[] = []
  private readonly extraLocals: number[] = []
  constructor(private readonly paramCount: number) {}
  local(type: number): number {
    this.extraLocals.push(type)
    return this.paramCount + this.extraLocals.length - 1
  }
  get(index: number): this {
    this.bytes.push(op.localGet, ...uleb(index))
    return this
  }
  set(index: number): this {
    this.bytes.push(op.localSet, ...uleb(index))
    return this
  }
  tee(index: number): this {
    this.bytes.push(op.localTee, ...uleb(index))
    return this
  }
  i64(value: bigint): this {
    this.bytes.push(op.i64Const, ...sleb(value))
    return this
  }
  i32(value: number): this {
    this.bytes.push(op.i32Const, ...sleb(value))
    return this
  }
  load(pointer: number, offset: number): this {
    this.get(pointer)
    this.bytes.push(op.i64Load, 3, ...uleb(offset))
    return this
  }
  /** Store the value computed by `value` at pointer + offset. */
  store(pointer: number, offset: number, value: () => void): this {
    this.get(pointer)
    value()
    this.bytes.push(op.i64Store, 3, ...uleb(offset))
    return this
  }
  /** call function `index` with three i32 immediates (out, a, b): the shape of every kernel operation. */
  call3(index: number, out: number, a: number, b: number): this {
    this.i32(out).i32(a).i32(b)
    this.bytes.push(op.call, ...uleb(index))
    return this
  }
  /**
   * call function `index` with three i32 operands, each either an absolute address or (param, byte offset):
   * the address in parameter `param` plus `offset`.
   */
  callOperands(index: number, operands: readonly Operand[]): this {
    for (const operand of operands) {
      if (typeof operand === 'number') this.i32(operand)
      else {
        this.get(operand[0])
        if (operand[1] !== 0) this.i32(operand[1]).emit(op.i32Add)
      }
    }
    this.bytes.push(op.call, ...uleb(index))
    return this
  }
  /** `loop … br_if` running `body` while the i32 local `counter`, decremented each pass, is non-zero. */
  countdown(counter: number, body: () => void): this {
    this.emit(op.loop, 0x40)
    body()
    this.get(counter).i32(1).emit(op.i32Sub).tee(counter).emit(op.brIf, 0, op.end)
    return this
  }
  emit(...opcodes: number[]): this {
    this.bytes.push(...opcodes)
    return this
  }
  encode(): number[] {
    const groups: number[] = []
    let count = 0
    for (let i = 0; i < this.extraLocals.length; i++) {
      if (i > 0 && this.extraLocals[i] === this.extraLocals[i - 1]) {
        groups[groups.length - 2]! += 1
        continue
      }
      groups.push(1, this.extraLocals[i]!)
      count++
    }
    const compressed: number[] = []
    for (let i = 0; i < groups.length; i += 2) compressed.push(...uleb(groups[i]!), groups[i + 1]!)
    const head = [...uleb(count), ...compressed]
    const size = head.length + this.bytes.length + 1
    // Generated bodies run to hundreds of kilobytes: concat, never spread them into call arguments.
    return uleb(size).concat(head, this.bytes, [op.end])
  }
}

type Section = [id: number, content: number[]]

export type ModuleFunction = { name: string; code: Code; params: number[] }

/** A module importing `env.memory` (`pages` initial pages) and exporting every function under its name. */
export function encodeModule(functions: readonly ModuleFunction[], pages: number): Uint8Array {
  const vector = (items: number[][]) => uleb(items.length).concat(...items)
  const name = (text: string) => [...uleb(text.length), ...new TextEncoder().encode(text)]
  const types = functions.map((f) => [0x60, ...uleb(f.params.length), ...f.params, 0])
  const sections: Section[] = [
    [1, vector(types)],
    [2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(pages)]])],
    [3, vector(functions.map((_, i) => uleb(i)))],
    [7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))],
    [10, vector(functions.map((f) => f.code.encode()))],
  ]
  let bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
  for (const [id, content] of sections) bytes = bytes.concat([id], uleb(content.length), content)
  return Uint8Array.from(bytes)
}
