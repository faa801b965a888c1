import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { BaseError } from '../../sdk/errors.ts'
import { cacheRoot, publishDirectory, repoRoot, secondsSince } from './cache.ts'
import { domainPower, readR1csHeader } from './r1cs.ts'

export { cacheRoot } from './cache.ts'

/**
 * A circuit as plain data: which template, from which file, with which parameters, and which inputs are public.
 * `file` is relative to the repository root. The build writes the `component main` for it.
 */
export type CircuitSpec = {
  name: string
  file: string
  template: string
  params: readonly number[]
  publicSignals: readonly string[]
  optimization?: 'O1' | 'O2'
}

export type BuiltCircuit = {
  spec: CircuitSpec
  /** sha256 (hex) over the compiler version, flags, generated main and every included .circom file. */
  hash: string
  /** The cache entry holding the artifacts below and `info.json`. */
  dir: string
  r1csPath: string
  wasmPath: string
  symPath: string
  constraints: number
  /** Public signals the verifier sees: circuit outputs plus public inputs (snarkjs's `nPublic`). */
  publicInputs: number
  wires: number
  cached: boolean
  /** Wall time of this call: compile time when built, the cache lookup when cached. */
  seconds: number
}

export type BuildCircuitOptions = { cacheDir?: string; log?: (line: string) => void }

/** What `info.json` in a cache entry holds. */
export type CircuitInfo = {
  name: string
  hash: string
  compiler: string
  flags: readonly string[]
  spec: CircuitSpec
  constraints: number
  publicOutputs: number
  publicInputs: number
  privateInputs: number
  wires: number
  labels: number
  domainPower: number
  compileSeconds: number
}

export class CircuitSpecError extends BaseError {
  static readonly code = 'CIRCUIT_SPEC_INVALID' as const
  override readonly name = 'Circuit.CircuitSpecError'
  constructor(field: string, value: unknown, reason: string) {
    super(CircuitSpecError.code, `invalid circuit spec ${field}: ${reason}`, { details: { field, value, reason } })
  }
}

export class CircuitIncludeNotFoundError extends BaseError {
  static readonly code = 'CIRCUIT_INCLUDE_NOT_FOUND' as const
  override readonly name = 'Circuit.CircuitIncludeNotFoundError'
  constructor(include: string, from: string, tried: readonly string[]) {
    super(CircuitIncludeNotFoundError.code, `include "${include}" not found`, { details: { include, from, tried } })
  }
}

export class CircuitCompileError extends BaseError {
  static readonly code = 'CIRCUIT_COMPILE_FAILED' as const
  override readonly name = 'Circuit.CircuitCompileError'
  constructor(name: string, exitCode: number | null, output: string) {
    super(CircuitCompileError.code, `circom failed on ${name} (exit ${exitCode}): ${lastLines(output, 12)}`, {
      details: { name, exitCode, output: lastLines(output, 60) },
    })
  }
}

/** Library roots circom searches after the including file's folder, relative to the repository root. */
const LIBRARY_ROOTS = ['node_modules'] as const
const CIRCOM2_CLI = join(repoRoot, 'node_modules', 'circom2', 'cli.js')

/** The compiler identity that enters the hash: the npm package pins the embedded circom (2.2.3 for 0.2.23). */
export function compilerVersion(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'circom2', 'package.json'), 'utf8')) as {
    version: string
  }
  return `circom2@${manifest.version}`
}

export function compilerFlags(spec: CircuitSpec): string[] {
  return ['--r1cs', '--wasm', '--sym', `--${spec.optimization ?? 'O2'}`, ...LIBRARY_ROOTS.flatMap((root) => ['-l', root])]
}

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/
const IDENTIFIER_PATTERN = /^[A-Za-z_$][A-Za-z0-9_$]*$/

export function validateSpec(spec: CircuitSpec): void {
  if (!NAME_PATTERN.test(spec.name)) throw new CircuitSpecError('name', spec.name, 'letters, digits, _ and -')
  if (!IDENTIFIER_PATTERN.test(spec.template)) throw new CircuitSpecError('template', spec.template, 'not an identifier')
  if (!spec.file.endsWith('.circom')) throw new CircuitSpecError('file', spec.file, 'not a .circom file')
  const absolute = resolve(repoRoot, spec.file)
  if (relative(repoRoot, absolute).startsWith('..')) throw new CircuitSpecError('file', spec.file, 'outside the repository')
  if (!existsSync(absolute)) throw new CircuitSpecError('file', spec.file, 'does not exist')
  for (const parameter of spec.params) {
    if (!Number.isSafeInteger(parameter)) throw new CircuitSpecError('params', spec.params, 'integers only')
  }
  for (const signal of spec.publicSignals) {
    if (!IDENTIFIER_PATTERN.test(signal)) throw new CircuitSpecError('publicSignals', spec.publicSignals, 'not an identifier')
  }
  if (new Set(spec.publicSignals).size !== spec.publicSignals.length) {
    throw new CircuitSpecError('publicSignals', spec.publicSignals, 'duplicate signal')
  }
}

/** Repo-relative path with forward slashes: the form circom sees and the hash records. */
function toRepoPath(absolute: string): string {
  return relative(repoRoot, absolute).split(sep).join('/')
}

/** The folder of the generated main for one hash (one main per folder, so outputs are named `<name>.*`). */
function mainDirFor(name: string, hash: string): string {
  return join(repoRoot, 'build', 'circuits', 'main', `${name}-${hash.slice(0, 16)}`)
}

/** The generated top-level file: the spec's template instantiated as `main`. */
export function generateMainSource(spec: CircuitSpec, includePath: string): string {
  const publicPart = spec.publicSignals.length === 0 ? '' : ` {public [${spec.publicSignals.join(', ')}]}`
  return [
    '// Generated by scripts/circuit/buildCircuit.ts. Do not edit.',
    'pragma circom 2.0.0;',
    '',
    `include "${includePath}";`,
    '',
    `component main${publicPart} = ${spec.template}(${spec.params.join(', ')});`,
    '',
  ].join('\n')
}

const INCLUDE_PATTERN = /\binclude\s+"([^"]+)"\s*;/g

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '')
}

/** Resolves an include the way circom does: the including file's folder first, then each `-l` root. */
function resolveInclude(include: string, fromFile: string): string {
  const candidates = [resolve(dirname(fromFile), include), ...LIBRARY_ROOTS.map((root) => resolve(repoRoot, root, include))]
  const found = candidates.find((candidate) => existsSync(candidate))
  if (found === undefined) throw new CircuitIncludeNotFoundError(include, toRepoPath(fromFile), candidates.map(toRepoPath))
  return found
}

/** Every .circom file reachable from `entry` through includes (entry included), keyed by repo-relative path. */
export async function collectIncludes(entry: string, entrySource?: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  const pending: Array<{ path: string; source?: string }> = [entrySource === undefined ? { path: entry } : { path: entry, source: entrySource }]
  while (pending.length > 0) {
    const next = pending.pop()
    if (next === undefined) break
    const key = toRepoPath(next.path)
    if (files.has(key)) continue
    const source = next.source ?? (await readFile(next.path, 'utf8'))
    files.set(key, source)
    for (const match of stripComments(source).matchAll(INCLUDE_PATTERN)) {
      const include = match[1]
      if (include !== undefined) pending.push({ path: resolveInclude(include, next.path) })
    }
  }
  return files
}

export type CircuitHash = { hash: string; mainSource: string; files: ReadonlyMap<string, string> }

/**
 * The content hash that names a cache entry. The generated main depends on the hash's folder only through its
 * include path, so the main is hashed with a placeholder folder and written afterwards.
 */
export async function computeCircuitHash(spec: CircuitSpec): Promise<CircuitHash> {
  validateSpec(spec)
  const templatePath = resolve(repoRoot, spec.file)
  const files = await collectIncludes(templatePath)
  const mainSource = generateMainSource(spec, spec.file)
  const hasher = createHash('sha256')
  const field = (label: string, value: string): void => {
    hasher.update(`${label}\0${Buffer.byteLength(value)}\0`)
    hasher.update(value)
  }
  field('compiler', compilerVersion())
  field('flags', compilerFlags(spec).join(' '))
  field('main', mainSource)
  for (const path of [...files.keys()].sort()) field(`file:${path}`, files.get(path) ?? '')
  return { hash: hasher.digest('hex'), mainSource, files }
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n')
}

async function runCircom(args: readonly string[], name: string, log: (line: string) => void): Promise<void> {
  const child = spawn(process.execPath, [CIRCOM2_CLI, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const collect = (chunk: Buffer): void => {
    output += stripAnsi(chunk.toString('utf8'))
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const exitCode = await new Promise<number | null>((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('close', resolvePromise)
  })
  if (exitCode !== 0) throw new CircuitCompileError(name, exitCode, output)
  for (const line of output.split('\n')) {
    if (/constraints|wires|inputs|outputs/.test(line)) log(`  circom: ${line.trim()}`)
  }
}

function builtFromInfo(spec: CircuitSpec, dir: string, info: CircuitInfo, cached: boolean, seconds: number): BuiltCircuit {
  return {
    spec,
    hash: info.hash,
    dir,
    r1csPath: join(dir, `${spec.name}.r1cs`),
    wasmPath: join(dir, `${spec.name}.wasm`),
    symPath: join(dir, `${spec.name}.sym`),
    constraints: info.constraints,
    publicInputs: info.publicOutputs + info.publicInputs,
    wires: info.wires,
    cached,
    seconds,
  }
}

async function readCachedInfo(dir: string, name: string): Promise<CircuitInfo | undefined> {
  const infoPath = join(dir, 'info.json')
  if (!existsSync(infoPath)) return undefined
  for (const extension of ['r1cs', 'wasm', 'sym']) {
    if (!existsSync(join(dir, `${name}.${extension}`))) return undefined
  }
  return JSON.parse(await readFile(infoPath, 'utf8')) as CircuitInfo
}

/**
 * Compiles a circuit with circom2 (`--r1cs --wasm --sym`, O2 unless the spec says O1, `-l node_modules`, from the
 * repository root), or returns the cached artifacts for the same content hash.
 */
export async function buildCircuit(spec: CircuitSpec, options: BuildCircuitOptions = {}): Promise<BuiltCircuit> {
  const started = performance.now()
  const log = options.log ?? ((line: string) => console.log(line))
  const { hash, files } = await computeCircuitHash(spec)
  const dir = join(options.cacheDir ?? join(cacheRoot(), 'circuits'), `${spec.name}-${hash.slice(0, 16)}`)

  const cachedInfo = await readCachedInfo(dir, spec.name)
  if (cachedInfo !== undefined) {
    const seconds = secondsSince(started)
    log(`circuit ${spec.name}: cached ${hash.slice(0, 16)} (${cachedInfo.constraints} constraints) in ${seconds} s`)
    return builtFromInfo(spec, dir, cachedInfo, true, seconds)
  }

  // circom runs in a WASI sandbox that sees only the cwd tree: the main and the output folder live in the repo.
  const mainDir = mainDirFor(spec.name, hash)
  await mkdir(mainDir, { recursive: true })
  const mainPath = join(mainDir, `${spec.name}.circom`)
  const includePath = relative(mainDir, resolve(repoRoot, spec.file)).split(sep).join('/')
  const mainTemporary = `${mainPath}.${process.pid}.${randomBytes(4).toString('hex')}`
  await writeFile(mainTemporary, generateMainSource(spec, includePath))
  await rename(mainTemporary, mainPath)
  const outDir = join(repoRoot, 'build', 'circuits', 'out', `${spec.name}-${hash.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`)
  await mkdir(outDir, { recursive: true })

  const flags = compilerFlags(spec)
  log(`circuit ${spec.name}: compiling ${spec.template}(${spec.params.join(', ')}) from ${spec.file} [${files.size} files, ${flags.join(' ')}]`)
  try {
    const compileStarted = performance.now()
    await runCircom([toRepoPath(mainPath), ...flags, '-o', toRepoPath(outDir)], spec.name, log)
    const compileSeconds = secondsSince(compileStarted)
    const header = await readR1csHeader(join(outDir, `${spec.name}.r1cs`))
    const info: CircuitInfo = {
      name: spec.name,
      hash,
      compiler: compilerVersion(),
      flags,
      spec: { ...spec, params: [...spec.params], publicSignals: [...spec.publicSignals] },
      constraints: header.constraints,
      publicOutputs: header.publicOutputs,
      publicInputs: header.publicInputs,
      privateInputs: header.privateInputs,
      wires: header.wires,
      labels: header.labels,
      domainPower: domainPower(header.constraints, header.publicOutputs + header.publicInputs),
      compileSeconds,
    }
    await publishDirectory(dirname(dir), async (scratch) => {
      await copyFile(join(outDir, `${spec.name}.r1cs`), join(scratch, `${spec.name}.r1cs`))
      await copyFile(join(outDir, `${spec.name}.sym`), join(scratch, `${spec.name}.sym`))
      await copyFile(join(outDir, `${spec.name}_js`, `${spec.name}.wasm`), join(scratch, `${spec.name}.wasm`))
      await writeFile(join(scratch, 'info.json'), `${JSON.stringify(info, null, 2)}\n`)
      return basename(dir)
    })
    const seconds = secondsSince(started)
    log(
      `circuit ${spec.name}: ${info.constraints} constraints, ${info.wires} wires, ` +
        `${info.publicOutputs + info.publicInputs} public, domain 2^${info.domainPower}; compiled in ${compileSeconds} s -> ${dir}`,
    )
    return builtFromInfo(spec, dir, info, false, seconds)
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}
