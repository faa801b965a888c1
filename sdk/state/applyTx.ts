/**
 * The reference state transition: `applyTx(state, tx, context)`. Validates the tx against `state` (docs/protocol.md
 * §5, checks in the order listed in each `apply*.ts`), and only if it is accepted writes the new values into
 * `state` (the same object, mutated: copying millions of accounts per tx would not be a reference anyone can run).
 * A rejected tx leaves `state` exactly as it was. For a pure step, pass `cloneState(state)`.
 */
import type { BaseError } from '../errors.ts'
import type { PubdataRecord } from '../protocol/pubdata.ts'
import type { Tx } from '../protocol/types.ts'
import { prepareAutoDeleverage } from './applyAutoDeleverage.ts'
import { prepareBackstop } from './applyBackstop.ts'
import { prepareDeposit } from './applyDeposit.ts'
import { prepareForcedWithdrawal } from './applyForcedWithdrawal.ts'
import { prepareFundingUpdate } from './applyFundingUpdate.ts'
import { prepareLiquidation } from './applyLiquidation.ts'
import { prepareOracleUpdate } from './applyOracleUpdate.ts'
import { prepareTrade } from './applyTrade.ts'
import { prepareTransfer } from './applyTransfer.ts'
import { prepareWithdraw } from './applyWithdraw.ts'
import type { StateEvent } from './events.ts'
import { Rejection } from './rejection.ts'
import type { ExchangeState } from './state.ts'
import { commitTxEffect, type TxContext, type TxEffect } from './txEffect.ts'

export type PrepareTxReturnType = { accepted: true; effect: TxEffect } | { accepted: false; error: BaseError }

export type ApplyTxReturnType =
  | {
      accepted: true
      /** The same object that was passed in, now holding the new state. */
      state: ExchangeState
      events: readonly StateEvent[]
      pubdata: PubdataRecord
      effect: TxEffect
    }
  | { accepted: false; error: BaseError }

const NOOP_EFFECT: TxEffect = Object.freeze({
  writes: [],
  fee: 0n,
  penalty: 0n,
  events: [],
  pubdata: { type: 'noop' },
}) as TxEffect

function prepareEffect(state: ExchangeState, tx: Tx, context: TxContext): TxEffect {
  switch (tx.type) {
    case 'noop':
      return NOOP_EFFECT
    case 'deposit':
      return prepareDeposit(state, tx, context)
    case 'trade':
      return prepareTrade(state, tx, context)
    case 'withdraw':
      return prepareWithdraw(state, tx, context)
    case 'forcedWithdrawal':
      return prepareForcedWithdrawal(state, tx, context)
    case 'transfer':
      return prepareTransfer(state, tx, context)
    case 'oracleUpdate':
      return prepareOracleUpdate(state, tx, context)
    case 'fundingUpdate':
      return prepareFundingUpdate(state, tx, context)
    case 'liquidation':
      return prepareLiquidation(state, tx, context)
    case 'backstop':
      return prepareBackstop(state, tx, context)
    case 'autoDeleverage':
      return prepareAutoDeleverage(state, tx, context)
  }
}

/** Validate only: the effect the tx would have, or its typed rejection. Never writes to `state`. */
export function prepareTx(state: ExchangeState, tx: Tx, context: TxContext): PrepareTxReturnType {
  try {
    return { accepted: true, effect: prepareEffect(state, tx, context) }
  } catch (thrown) {
    if (thrown instanceof Rejection) return { accepted: false, error: thrown.error }
    throw thrown
  }
}

export function applyTx(state: ExchangeState, tx: Tx, context: TxContext): ApplyTxReturnType {
  const prepared = prepareTx(state, tx, context)
  if (!prepared.accepted) return prepared
  const { effect } = prepared
  commitTxEffect(state, effect)
  return { accepted: true, state, events: effect.events, pubdata: effect.pubdata, effect }
}
