import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { test as propertyTest, fc } from '@fast-check/vitest'
import { BaseError } from '../sdk/errors.ts'
import { CIRCUIT_SIZES, exampleGenesis } from '../sdk/protocol/config.ts'
import { formatTokenAmount, parseMarginMode, parseTokenAmount, parseUnsigned, readDeploymentFile, resolvePrivateKey } from './context.ts'
import * as errors from './errors.ts'
import { DeploymentFileError, InvalidArgumentError, MissingOptionError } from './errors.ts'
import { genesisStateRoot, genesisToJson, parseGenesisJson } from './genesisFile.ts'

const directory = mkdtempSync(join(tmpdir(), 'zkperp-cli-context-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

describe('parseTokenAmount', () => {
  it('behavior: whole and fractional amounts are exact base units', () => {
    expect(parseTokenAmount('--amount', '100', 6)).toBe(100_000_000n)
    expect(parseTokenAmount('--amount', '12.5', 6)).toBe(12_500_000n)
    expect(parseTokenAmount('--amount', '0.000001', 6)).toBe(1n)
    expect(parseTokenAmount('--amount', '0', 6)).toBe(0n)
  })

  it('error: more decimals than the token, signs, exponents and junk are refused', () => {
    for (const text of ['1.0000001', '-1', '1e6', '01', '1.', '.5', '', ' 1', '0x10']) {
      expect(() => parseTokenAmount('--amount', text, 6)).toThrow(InvalidArgumentError)
    }
  })

  propertyTest.prop([fc.bigInt({ min: 0n, max: 2n ** 70n }), fc.integer({ min: 0, max: 18 })])('behavior: format then parse is the identity', (value, decimals) => {
    expect(parseTokenAmount('--amount', formatTokenAmount(value, decimals), decimals)).toBe(value)
  })
})

describe('formatTokenAmount', () => {
  it('behavior: trims trailing zeros and keeps the sign', () => {
    expect(formatTokenAmount(250_500_000n, 6)).toBe('250.5')
    expect(formatTokenAmount(-1n, 6)).toBe('-0.000001')
    expect(formatTokenAmount(7_000_000n, 6)).toBe('7')
  })
})

describe('parseUnsigned', () => {
  it('behavior: decimal and hex, bounded', () => {
    expect(parseUnsigned('--account', '42')).toBe(42n)
    expect(parseUnsigned('--account', '0x2a')).toBe(42n)
    expect(() => parseUnsigned('--market', '16', 15n)).toThrow(/must be at most 15/)
    expect(() => parseUnsigned('--account', '-1')).toThrow(InvalidArgumentError)
    expect(() => parseUnsigned('--account', '1.5')).toThrow(InvalidArgumentError)
  })
})

describe('parseMarginMode', () => {
  it('behavior: cross is 0, isolated:m is 1 + m', () => {
    expect(parseMarginMode('--mode', 'cross')).toBe(0)
    expect(parseMarginMode('--mode', 'isolated:1', 2)).toBe(2)
    expect(() => parseMarginMode('--mode', 'isolated:2', 2)).toThrow(/only 2 markets/)
    expect(() => parseMarginMode('--mode', 'both')).toThrow(InvalidArgumentError)
  })
})

describe('resolvePrivateKey', () => {
  it('behavior: the option wins over the environment; 0x is optional', () => {
    const key = 'ab'.repeat(32)
    expect(resolvePrivateKey({ privateKey: key }, { ZKPERP_PRIVATE_KEY: `0x${'cd'.repeat(32)}` })).toBe(`0x${key}`)
    expect(resolvePrivateKey({}, { ZKPERP_PRIVATE_KEY: `0x${'cd'.repeat(32)}` })).toBe(`0x${'cd'.repeat(32)}`)
  })

  it('error: absent or malformed, and the value is never echoed', () => {
    expect(() => resolvePrivateKey({}, {})).toThrow(MissingOptionError)
    const secretish = 'ab'.repeat(31)
    const error = (() => {
      try {
        resolvePrivateKey({ privateKey: secretish }, {})
      } catch (caught) {
        return caught as InvalidArgumentError
      }
    })()
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(JSON.stringify(error!.toJSON())).not.toContain(secretish)
  })
})

describe('readDeploymentFile', () => {
  const write = (name: string, content: string): string => {
    const path = join(directory, name)
    writeFileSync(path, content)
    return path
  }
  const deployment = {
    zkPerp: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    verifier: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
    poseidon: { inputs2: '0x0000000000000000000000000000000000000001' },
    deploymentBlock: '7',
  }

  it('behavior: reads the devnet shape, checksums addresses, and carries the genesis when present', () => {
    const genesis = exampleGenesis({ sizes: CIRCUIT_SIZES.test, domain: { chainId: 31337n, rollupAddress: `0x${'00'.repeat(19)}aa` }, oracleKey: { x: 1n, y: 2n }, timestamp: 1_700_000_000n })
    const path = write('full.json', JSON.stringify({ rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, genesisRoot: '1', sizes: CIRCUIT_SIZES.test, genesis: genesisToJson(genesis), deployment }))
    const file = readDeploymentFile(path)
    expect(file.zkPerp).toBe('0x5FbDB2315678afecb367f032d93F642f64180aa3')
    expect(file.deploymentBlock).toBe(7n)
    expect(file.rpcUrl).toBe('http://127.0.0.1:8545')
    expect(file.genesis).toEqual(genesis)
    expect(genesisStateRoot(file.genesis!)).toBe(genesisStateRoot(genesis))
  })

  it('error: missing, not JSON, not deployed, malformed genesis', () => {
    expect(() => readDeploymentFile(join(directory, 'absent.json'))).toThrow(/not found/)
    expect(() => readDeploymentFile(write('junk.json', '{'))).toThrow(/not valid JSON/)
    expect(() => readDeploymentFile(write('undeployed.json', JSON.stringify({ rpcUrl: 'http://x' })))).toThrow(/has no `deployment`/)
    expect(() => readDeploymentFile(write('badaddress.json', JSON.stringify({ deployment: { ...deployment, zkPerp: '0x12' } })))).toThrow(DeploymentFileError)
    expect(() => readDeploymentFile(write('badgenesis.json', JSON.stringify({ deployment, genesis: { sizes: {} } })))).toThrow(/`genesis` is malformed/)
  })
})

describe('genesis JSON', () => {
  it('behavior: round-trips exactly', () => {
    const genesis = exampleGenesis({ sizes: CIRCUIT_SIZES.dev, domain: { chainId: 1n, rollupAddress: `0x${'11'.repeat(20)}` }, oracleKey: { x: 5n, y: 6n }, timestamp: 1_800_000_000n })
    expect(parseGenesisJson(JSON.parse(JSON.stringify(genesisToJson(genesis))))).toEqual(genesis)
  })
})

describe('CLI errors', () => {
  it('behavior: every error class has its own stable code and extends BaseError', () => {
    const classes = Object.values(errors) as { code?: string; prototype: unknown }[]
    const codes = classes.map((each) => each.code)
    expect(codes.every((code) => typeof code === 'string' && code.startsWith('CLI_'))).toBe(true)
    expect(new Set(codes).size).toBe(codes.length)
    expect(classes.every((each) => each.prototype instanceof BaseError)).toBe(true)
  })
})
