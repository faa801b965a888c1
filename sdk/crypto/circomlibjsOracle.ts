/**
 * circomlibjs behind a typed face, for the differential tests and the benchmark only: the reference the fast
 * code must agree with. Loaded with a dynamic import because the package ships no type declarations.
 */
type FieldObject = Uint8Array
type CircomlibField = {
  e(value: bigint): FieldObject
  toObject(value: FieldObject): bigint
  eq(a: FieldObject, b: FieldObject): boolean
}
type CircomlibPoint = [FieldObject, FieldObject]
type CircomlibPoseidon = ((inputs: (bigint | FieldObject)[]) => FieldObject) & { F: CircomlibField }
type CircomlibBabyJub = {
  F: CircomlibField
  Base8: CircomlibPoint
  subOrder: bigint
  order: bigint
  addPoint(a: CircomlibPoint, b: CircomlibPoint): CircomlibPoint
  mulPointEscalar(p: CircomlibPoint, e: bigint): CircomlibPoint
  inCurve(p: CircomlibPoint): boolean
  inSubgroup(p: CircomlibPoint): boolean
  packPoint(p: CircomlibPoint): Uint8Array
  unpackPoint(bytes: Uint8Array): CircomlibPoint | null
}
type CircomlibEddsa = {
  babyJub: CircomlibBabyJub
  F: CircomlibField
  prv2pub(privateKey: Uint8Array): CircomlibPoint
  signPoseidon(privateKey: Uint8Array, message: FieldObject): { R8: CircomlibPoint; S: bigint }
  verifyPoseidon(message: FieldObject, signature: { R8: CircomlibPoint; S: bigint }, publicKey: CircomlibPoint): boolean
}
type CircomlibModule = {
  buildPoseidon(): Promise<CircomlibPoseidon>
  buildBabyjub(): Promise<CircomlibBabyJub>
  buildEddsa(): Promise<CircomlibEddsa>
}

type Affine = { x: bigint; y: bigint }

export type CircomlibOracle = {
  poseidon(inputs: readonly bigint[]): bigint
  derivePublicKey(privateKey: Uint8Array): Affine
  signPoseidon(privateKey: Uint8Array, message: bigint): { R8: Affine; S: bigint }
  verifyPoseidon(message: bigint, signature: { R8: Affine; S: bigint }, publicKey: Affine): boolean
  mulPoint(point: Affine, scalar: bigint): Affine
  addPoint(a: Affine, b: Affine): Affine
  packPoint(point: Affine): Uint8Array
  unpackPoint(bytes: Uint8Array): Affine | null
  inCurve(point: Affine): boolean
}

let oracle: Promise<CircomlibOracle> | undefined

export function loadCircomlibOracle(): Promise<CircomlibOracle> {
  oracle ??= build()
  return oracle
}

async function build(): Promise<CircomlibOracle> {
  const specifier = 'circomlibjs'
  const circomlib = (await import(specifier)) as CircomlibModule
  const [poseidon, eddsa] = await Promise.all([circomlib.buildPoseidon(), circomlib.buildEddsa()])
  const babyJub = eddsa.babyJub
  const F = babyJub.F
  const toAffine = (p: CircomlibPoint): Affine => ({ x: F.toObject(p[0]), y: F.toObject(p[1]) })
  const fromAffine = (p: Affine): CircomlibPoint => [F.e(p.x), F.e(p.y)]
  return {
    poseidon: (inputs) => poseidon.F.toObject(poseidon([...inputs])),
    derivePublicKey: (privateKey) => toAffine(eddsa.prv2pub(privateKey)),
    signPoseidon: (privateKey, message) => {
      const signature = eddsa.signPoseidon(privateKey, F.e(message))
      return { R8: toAffine(signature.R8), S: signature.S }
    },
    verifyPoseidon: (message, signature, publicKey) =>
      eddsa.verifyPoseidon(F.e(message), { R8: fromAffine(signature.R8), S: signature.S }, fromAffine(publicKey)),
    mulPoint: (point, scalar) => toAffine(babyJub.mulPointEscalar(fromAffine(point), scalar)),
    addPoint: (a, b) => toAffine(babyJub.addPoint(fromAffine(a), fromAffine(b))),
    packPoint: (point) => babyJub.packPoint(fromAffine(point)),
    unpackPoint: (bytes) => {
      const point = babyJub.unpackPoint(bytes)
      return point === null ? null : toAffine(point)
    },
    inCurve: (point) => babyJub.inCurve(fromAffine(point)),
  }
}
