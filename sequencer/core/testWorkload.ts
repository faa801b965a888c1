/**
 * A seeded, deterministic stream of sequencer inputs for tests and the gateway benchmark: new accounts funded by
 * deposits, signed oracle prices that keep the markets fresh, and signed orders (limit, IOC, post-only, market,
 * reduce-only, short expiries) around the oracle price, plus cancels. Some accounts are poorly funded so margin
 * rejections and refused fills happen too. With `spends`, signed withdrawals and transfers join the stream, sharing
 * the traders' storage ids with their orders, some of them refused (too large, replayed, expired, forged, another
 * owner's target).
 */
import { signOraclePrice, signOrder, signTransfer, signWithdraw } from '../../sdk/protocol/signing.ts'
import type { Genesis, SignedOrder } from '../../sdk/protocol/types.ts'
import { GENESIS_TIME, ORACLE_KEY, testGenesis, testKey, type TestKey } from '../../sdk/state/testFixtures.ts'
import { hash as nodeHash } from 'node:crypto'
import type { SequencerInput } from './inputCodec.ts'
import type { Sequencer, SequencerEvent } from './sequencer.ts'

export { GENESIS_TIME, ORACLE_KEY, testGenesis, testKey }

/** xorshift32: a tiny deterministic generator (tests only). */
export function createRandom(seed: number): (bound: number) => number {
  let x = seed >>> 0 || 0x9e3779b9
  return (bound: number) => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x % bound
  }
}

export type TestTrader = { accountIndex: bigint; key: TestKey; nextStorageId: bigint }

export function traderKey(index: number): TestKey {
  return testKey(`trader-${index}`)
}

/** The deposit inputs creating `count` accounts (indices 2, 3, …); every fifth one gets only $100. */
/** Applies inputs as the next seqs (hash: sha256 of the seq) and returns every event they produced. */
export function applyInputs(sequencer: Sequencer, inputs: readonly SequencerInput[]): SequencerEvent[] {
  return inputs.flatMap((input) => {
    const seq = sequencer.lastSeq + 1n
    return sequencer.apply({ seq, hash: nodeHash('sha256', seq.toString(), 'buffer'), input }).events
  })
}

export function fundingInputs(count: number, time: bigint = GENESIS_TIME): SequencerInput[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'deposit' as const,
    time,
    tx: {
      type: 'deposit' as const,
      accountIndex: 2n + BigInt(i),
      amount: i % 5 === 4 ? 100_000_000n : 1_000_000_000_000n,
      owner: 0xa11ce0n + BigInt(i),
      create: { publicKey: traderKey(i).publicKey, mode: 0 },
    },
  }))
}

export function oracleInput(genesis: Genesis, market: number, price: bigint, time: bigint): SequencerInput {
  return { kind: 'oraclePrice', time, tx: signOraclePrice({ market, price, timestamp: time }, ORACLE_KEY.privateKey, genesis.domain) }
}

export type WorkloadParameters = {
  seed: number
  traders: number
  inputs: number
  genesis?: Genesis
  /** Mix in withdrawals and transfers (about 1 input in 12). Default false: the stream stays what it always was. */
  spends?: boolean
}

/** A withdraw or transfer of trader `t` at `time`, mostly valid; the random rolls choose how it may fail. */
function spendInput(random: (bound: number) => number, genesis: Genesis, t: number, traders: number, storageId: bigint, time: bigint): SequencerInput {
  const accountIndex = 2n + BigInt(t)
  const roll = random(100)
  // 1 in 10 asks for more than any account holds; 1 in 20 is already expired; 1 in 20 is signed by another key.
  const amount = roll < 10 ? 2_000_000_000_000n : 1n + BigInt(random(50_000_000))
  const validUntil = roll >= 10 && roll < 15 ? time - 1n : time + 60n
  const signer = roll >= 15 && roll < 20 ? traderKey((t + 1) % traders) : traderKey(t)
  if (random(2) === 0) {
    const tx = signWithdraw({ accountIndex, amount, to: 0xb0b0n + BigInt(t), storageId, validUntil }, signer.privateKey, genesis.domain)
    return { kind: 'withdraw', time, tx }
  }
  // Targets in the L2-created range (test sizes: 8..15), shared between traders so other owners' targets occur.
  const firstL2 = 1n << BigInt(2 * genesis.sizes.accountDepth - 1)
  const toIndex = firstL2 + BigInt(random(4))
  const targetMode = random(4) === 0 ? 1 : 0
  const tx = signTransfer({ fromIndex: accountIndex, toIndex, amount, targetMode, storageId, validUntil }, signer.privateKey, genesis.domain)
  return { kind: 'transfer', time, tx }
}

/** Deposits, then a mixed stream; time advances one second every 40 inputs, oracle prices every 20 seconds. */
export function generateWorkload({ seed, traders, inputs, genesis = testGenesis(), spends = false }: WorkloadParameters): SequencerInput[] {
  const random = createRandom(seed)
  const out: SequencerInput[] = fundingInputs(traders)
  const nextStorageId = Array.from({ length: traders }, () => 1n)
  const submitted: SignedOrder[][] = Array.from({ length: traders }, () => [])
  const markets = genesis.markets.length
  let lastOracle = -1n
  for (let i = 0; i < inputs; i++) {
    const time = GENESIS_TIME + BigInt(Math.floor(i / 40))
    if (time - lastOracle >= 20n) {
      for (let m = 0; m < markets; m++) {
        const base = genesis.markets[m]!.initialPrice
        out.push(oracleInput(genesis, m, base + BigInt(random(200)) * 10n - 1000n, time))
      }
      lastOracle = time
    }
    const t = random(traders)
    const trader = traderKey(t)
    if (spends && random(12) === 0) {
      // 1 in 8 replays the trader's previous id (a replayed or reused storage id).
      const replay = random(8) === 0 && nextStorageId[t]! > 1n
      const storageId = replay ? nextStorageId[t]! - 1n : nextStorageId[t]!
      if (!replay) nextStorageId[t] = storageId + 1n
      out.push(spendInput(random, genesis, t, traders, storageId, time))
      continue
    }
    const roll = random(100)
    if (roll < 10 && submitted[t]!.length > 0) {
      const target = submitted[t]![random(submitted[t]!.length)]!
      out.push({ kind: 'cancel', time, accountIndex: target.accountIndex, market: target.market, storageId: target.storageId })
      continue
    }
    const market = random(markets)
    const { initialPrice, metadata } = genesis.markets[market]!
    const isBuy = random(2) === 0
    // Buyers bid below and sellers ask above the mid most of the time, so books build up and cross sometimes.
    const ticksAway = BigInt(random(40)) - 10n
    const limitPrice = isBuy ? initialPrice - ticksAway * metadata.tickSize : initialPrice + ticksAway * metadata.tickSize
    const storageId = nextStorageId[t]!
    nextStorageId[t] = storageId + 1n + BigInt(random(3) === 0 ? 16 : 0)
    const kindRoll = random(100)
    const order = signOrder(
      {
        accountIndex: 2n + BigInt(t),
        market,
        isBuy,
        reduceOnly: kindRoll >= 95,
        size: 1n + BigInt(random(20)),
        limitPrice,
        storageId,
        expiry: time + 2n + BigInt(random(30)),
      },
      trader.privateKey,
      genesis.domain,
    )
    submitted[t]!.push(order)
    out.push({
      kind: 'order',
      time,
      order,
      orderType: kindRoll < 5 ? 'market' : 'limit',
      timeInForce: kindRoll >= 5 && kindRoll < 15 ? 'IOC' : 'GTC',
      postOnly: kindRoll >= 15 && kindRoll < 22,
      selfTradePrevention: 'expireMaker',
      clientOrderId: random(4) === 0 ? `c${t}-${storageId}` : undefined,
    })
  }
  return out
}
