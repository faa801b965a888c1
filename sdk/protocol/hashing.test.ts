import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { FIELD_MODULUS } from '../crypto/field.ts'
import { poseidon } from '../crypto/poseidon.ts'
import { emptySubtreeRoots } from '../crypto/quaternaryMerkleTree.ts'
import { exampleMarketParameters } from './config.ts'
import {
  accountLeafHash,
  domainHash,
  emptyOrdersRoot,
  marketLeafHash,
  marketsHash,
  marketsHashFromLeaves,
  oracleKeyHash,
  oraclePriceHash,
  orderFlags,
  orderHash,
  orderWord,
  paramsHash,
  positionsHash,
  positionWord,
  slotLeaf,
  stateRoot,
  transferHash,
  withdrawHash,
} from './hashing.ts'
import type { AccountLeaf, MarketState, Order, TransferMessage, WithdrawMessage } from './types.ts'

const domain = { chainId: 31337n, rollupAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const
const domainValue = domainHash(domain)

const order: Order = {
  accountIndex: 5n,
  market: 1,
  isBuy: true,
  reduceOnly: false,
  size: 1_000n,
  limitPrice: 3_000_000n,
  storageId: 17n,
  expiry: 1_700_003_600n,
}
const withdraw: WithdrawMessage = { accountIndex: 5n, amount: 10n ** 9n, to: 0xabcdefn, storageId: 18n, validUntil: 1_700_000_100n }
const transfer: TransferMessage = {
  fromIndex: 5n,
  toIndex: 9n,
  amount: 10n ** 8n,
  targetMode: 2,
  storageId: 19n,
  validUntil: 1_700_000_100n,
}
const parameters = exampleMarketParameters({ openInterestCap: 10n ** 8n, oracleKey: { x: 3n, y: 4n } })
const market: MarketState = {
  oraclePrice: 6_000_000n,
  oracleTime: 1_700_000_000n,
  fundingIndex: -1234n,
  lastFundingTime: 1_699_999_000n,
  openInterest: 77n,
  parameters,
}
const leaf: AccountLeaf = {
  publicKey: { x: 11n, y: 12n },
  owner: 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n,
  collateral: -500n,
  mode: 0,
  positionsHash: 13n,
  ordersRoot: 14n,
}

/** For each field, a second value: changing it alone must change the hash. */
function expectEveryFieldMatters<T extends object>(base: T, alternatives: { [K in keyof T]?: T[K] }, hash: (value: T) => bigint) {
  const original = hash(base)
  const keys = Object.keys(alternatives) as (keyof T)[]
  expect(keys.length).toBeGreaterThan(0)
  for (const key of keys) {
    expect(hash({ ...base, [key]: alternatives[key] }), `field ${String(key)}`).not.toBe(original)
  }
}

describe('domainHash', () => {
  it('default: H(chainId, rollupAddress as an integer)', () => {
    expect(domainValue).toBe(poseidon([31337n, 0x5fbdb2315678afecb367f032d93f642f64180aa3n]))
  })

  it('behavior: chain id and rollup address both matter; address case does not', () => {
    expect(domainHash({ ...domain, chainId: 1n })).not.toBe(domainValue)
    expect(domainHash({ ...domain, rollupAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa4' })).not.toBe(domainValue)
    expect(domainHash({ ...domain, rollupAddress: '0x5fbdb2315678afecb367f032d93f642f64180aa3' })).toBe(domainValue)
  })
})

describe('orderHash', () => {
  it('default: the §3 preimage H(domain, word), the word packed low bits first, flags bit 0 = buy, bit 1 = reduce-only', () => {
    // tag 1 | flags << 8 | market << 10 | accountIndex << 18 | size << 42 | limitPrice << 82 | storageId << 130 | expiry << 162
    const word = 1n + (1n << 8n) + (1n << 10n) + (5n << 18n) + (1_000n << 42n) + (3_000_000n << 82n) + (17n << 130n) + (1_700_003_600n << 162n)
    expect(orderWord(order)).toBe(word)
    expect(orderHash(order, domainValue)).toBe(poseidon([domainValue, word]))
    expect(orderFlags({ isBuy: false, reduceOnly: true })).toBe(2n)
    expect(orderFlags({ isBuy: true, reduceOnly: true })).toBe(3n)
  })

  it('boundary: each field at the top of its width packs; one past it is a typed error, not an alias', () => {
    const top = { ...order, accountIndex: 2n ** 24n - 1n, market: 255, size: 2n ** 40n - 1n, limitPrice: 2n ** 48n - 1n, storageId: 2n ** 32n - 1n, expiry: 2n ** 32n - 1n }
    expect(orderWord(top)).toBeLessThan(1n << 194n)
    const past: [Partial<Order>, string][] = [
      [{ accountIndex: 2n ** 24n }, 'ACCOUNT_INDEX_OUT_OF_RANGE'],
      [{ market: 256 }, 'MARKET_INDEX_OUT_OF_RANGE'],
      [{ size: 2n ** 40n }, 'SIZE_OUT_OF_RANGE'],
      [{ size: -1n }, 'SIZE_OUT_OF_RANGE'],
      [{ limitPrice: 2n ** 48n }, 'PRICE_OUT_OF_RANGE'],
      [{ storageId: 2n ** 32n }, 'STORAGE_ID_OUT_OF_RANGE'],
      [{ expiry: 2n ** 32n }, 'TIMESTAMP_OUT_OF_RANGE'],
    ]
    for (const [change, code] of past) expect(() => orderHash({ ...top, ...change }, domainValue)).toThrow(expect.objectContaining({ code }))
  })

  it('behavior: every signed field changes the hash', () => {
    expectEveryFieldMatters(
      order,
      { accountIndex: 6n, market: 0, isBuy: false, reduceOnly: true, size: 1_001n, limitPrice: 3_000_001n, storageId: 18n, expiry: 1n },
      (value) => orderHash(value, domainValue),
    )
    expect(orderHash(order, domainValue + 1n)).not.toBe(orderHash(order, domainValue))
  })
})

describe('withdrawHash / transferHash / oraclePriceHash', () => {
  it('default: the §3 preimages', () => {
    expect(withdrawHash(withdraw, domainValue)).toBe(poseidon([2n, domainValue, 5n, 10n ** 9n, 0xabcdefn, 18n, 1_700_000_100n]))
    expect(transferHash(transfer, domainValue)).toBe(poseidon([3n, domainValue, 5n, 9n, 10n ** 8n, 2n, 19n, 1_700_000_100n]))
    expect(oraclePriceHash({ market: 1, price: 7n, timestamp: 8n }, domainValue)).toBe(poseidon([4n, domainValue, 1n, 7n, 8n]))
  })

  it('behavior: every signed field changes the hash', () => {
    expectEveryFieldMatters(
      withdraw,
      { accountIndex: 6n, amount: 1n, to: 1n, storageId: 1n, validUntil: 1n },
      (value) => withdrawHash(value, domainValue),
    )
    expectEveryFieldMatters(
      transfer,
      { fromIndex: 6n, toIndex: 6n, amount: 1n, targetMode: 0, storageId: 1n, validUntil: 1n },
      (value) => transferHash(value, domainValue),
    )
    expectEveryFieldMatters({ market: 1, price: 7n, timestamp: 8n }, { market: 0, price: 9n, timestamp: 9n }, (value) =>
      oraclePriceHash(value, domainValue),
    )
  })

  it('behavior: the type tag separates message kinds with equal fields', () => {
    const same = { accountIndex: 1n, amount: 2n, to: 3n, storageId: 4n, validUntil: 5n }
    const asTransfer = { fromIndex: 1n, toIndex: 2n, amount: 3n, targetMode: 4, storageId: 5n, validUntil: 6n }
    expect(withdrawHash(same, domainValue)).not.toBe(poseidon([1n, domainValue, 1n, 2n, 3n, 4n, 5n]))
    expect(transferHash(asTransfer, domainValue)).not.toBe(poseidon([2n, domainValue, 1n, 2n, 3n, 4n, 5n, 6n]))
  })
})

describe('positionWord', () => {
  it('default: (size + 2^40)·2^64 + (fundingIndexAtLastSettle + 2^63)', () => {
    expect(positionWord({ size: 0n, fundingIndexAtLastSettle: 0n })).toBe(2n ** 104n + 2n ** 63n)
    expect(positionWord({ size: -3n, fundingIndexAtLastSettle: -7n })).toBe((2n ** 40n - 3n) * 2n ** 64n + 2n ** 63n - 7n)
  })

  test.prop([
    fc.bigInt({ min: -(2n ** 40n) + 1n, max: 2n ** 40n - 1n }),
    fc.bigInt({ min: -(2n ** 63n) + 1n, max: 2n ** 63n - 1n }),
  ])('behavior: the word is a positive 105-bit integer that decodes back to the position', (size, fundingIndexAtLastSettle) => {
    const word = positionWord({ size, fundingIndexAtLastSettle })
    expect(word > 0n && word < 2n ** 105n).toBe(true)
    expect((word >> 64n) - 2n ** 40n).toBe(size)
    expect((word & (2n ** 64n - 1n)) - 2n ** 63n).toBe(fundingIndexAtLastSettle)
  })

  it('error: size or funding index outside §1 bounds (they would alias another word)', () => {
    expect(() => positionWord({ size: 2n ** 40n, fundingIndexAtLastSettle: 0n })).toThrowError(
      expect.objectContaining({ code: 'SIZE_OUT_OF_RANGE' }),
    )
    expect(() => positionWord({ size: 0n, fundingIndexAtLastSettle: -(2n ** 63n) })).toThrowError(
      expect.objectContaining({ code: 'FUNDING_INDEX_OUT_OF_RANGE' }),
    )
  })
})

describe('positionsHash', () => {
  it('default: H over the M words in market order', () => {
    const positions = [
      { size: 5n, fundingIndexAtLastSettle: 1n },
      { size: -5n, fundingIndexAtLastSettle: 2n },
    ]
    expect(positionsHash(positions)).toBe(poseidon(positions.map(positionWord)))
    expect(positionsHash([positions[1]!, positions[0]!])).not.toBe(positionsHash(positions))
  })
})

describe('slotLeaf', () => {
  it('default: storageId·2^40 + filled, empty slot 0', () => {
    expect(slotLeaf({ storageId: 0n, filled: 0n })).toBe(0n)
    expect(slotLeaf({ storageId: 3n, filled: 9n })).toBe(3n * 2n ** 40n + 9n)
    expect(slotLeaf({ storageId: 2n ** 32n - 1n, filled: 2n ** 40n - 1n })).toBe(2n ** 72n - 1n)
  })

  it('error: filled ≥ 2^40 or storage id ≥ 2^32', () => {
    expect(() => slotLeaf({ storageId: 1n, filled: 2n ** 40n })).toThrowError(expect.objectContaining({ code: 'SIZE_OUT_OF_RANGE' }))
    expect(() => slotLeaf({ storageId: 2n ** 32n, filled: 0n })).toThrowError(
      expect.objectContaining({ code: 'STORAGE_ID_OUT_OF_RANGE' }),
    )
  })
})

describe('accountLeafHash', () => {
  it('default: 7 inputs with collateral as a field element', () => {
    expect(accountLeafHash(leaf)).toBe(poseidon([11n, 12n, leaf.owner, FIELD_MODULUS - 500n, 0n, 13n, 14n]))
  })

  it('behavior: every field changes the leaf', () => {
    expectEveryFieldMatters(
      leaf,
      { publicKey: { x: 12n, y: 11n }, owner: 1n, collateral: 500n, mode: 1, positionsHash: 15n, ordersRoot: 15n },
      accountLeafHash,
    )
  })

  it('behavior: the empty orders root is the tree’s empty subtree root', () => {
    expect(emptyOrdersRoot(2)).toBe(emptySubtreeRoots(2)[2])
    expect(emptyOrdersRoot(2)).toBe(poseidon(Array(4).fill(poseidon([0n, 0n, 0n, 0n]))))
  })
})

describe('market hashes', () => {
  it('default: oracle key, params, leaf and markets hash per §2.4', () => {
    expect(oracleKeyHash({ x: 3n, y: 4n })).toBe(poseidon([3n, 4n]))
    const p = parameters
    expect(paramsHash(p)).toBe(
      poseidon([
        p.imfBps,
        p.mmfBps,
        p.liquidationFractionBps,
        p.liquidationBandBps,
        p.liquidationPenaltyBps,
        p.fullLiquidationBps,
        p.backstopBps,
        p.takerFeeBps,
        p.makerFeeBps,
        p.fundingClampPpm,
        p.fundingIntervalSeconds,
        p.maxOracleAgeSeconds,
        p.openInterestCap,
        poseidon([3n, 4n]),
      ]),
    )
    const leafValue = marketLeafHash(market)
    expect(leafValue).toBe(poseidon([6_000_000n, 1_700_000_000n, FIELD_MODULUS - 1234n, 1_699_999_000n, 77n, paramsHash(p)]))
    expect(marketLeafHash(market, paramsHash(p))).toBe(leafValue)
    expect(marketsHash([market, market])).toBe(poseidon([leafValue, leafValue]))
    expect(marketsHashFromLeaves([leafValue, leafValue])).toBe(marketsHash([market, market]))
  })

  it('behavior: every parameter and every market field changes the hash', () => {
    expectEveryFieldMatters(
      parameters,
      {
        imfBps: 1_001n,
        mmfBps: 501n,
        liquidationFractionBps: 1n,
        liquidationBandBps: 1n,
        liquidationPenaltyBps: 1n,
        fullLiquidationBps: 1n,
        backstopBps: 1n,
        takerFeeBps: 1n,
        makerFeeBps: 1n,
        fundingClampPpm: 1n,
        fundingIntervalSeconds: 1n,
        maxOracleAgeSeconds: 1n,
        openInterestCap: 1n,
        oracleKey: { x: 4n, y: 3n },
      },
      paramsHash,
    )
    expectEveryFieldMatters(
      market,
      {
        oraclePrice: 1n,
        oracleTime: 1n,
        fundingIndex: 1234n,
        lastFundingTime: 1n,
        openInterest: 1n,
        parameters: { ...parameters, makerFeeBps: 0n },
      },
      (value) => marketLeafHash(value),
    )
  })
})

describe('stateRoot', () => {
  it('default: H(accountsRoot, marketsHash), order matters', () => {
    expect(stateRoot(1n, 2n)).toBe(poseidon([1n, 2n]))
    expect(stateRoot(2n, 1n)).not.toBe(stateRoot(1n, 2n))
  })
})
