/**
 * Typed errors of the `zkperp` CLI. Each has a stable code; the entry point prints `code: message` on one line and
 * exits non-zero (stack and details only with --verbose).
 */
import { BaseError } from '../sdk/errors.ts'

/** A command-line value could not be read (a malformed amount, address, index, key, file, …). */
export class InvalidArgumentError extends BaseError {
  static readonly code = 'CLI_INVALID_ARGUMENT' as const
  override readonly name = 'Cli.InvalidArgumentError'
  constructor(readonly option: string, readonly value: string, readonly reason: string) {
    super(InvalidArgumentError.code, `${option}: ${reason} (got ${JSON.stringify(value)})`, { details: { option, value, reason } })
  }
}

/** A command needs an option that was not given (nor found in the environment or the deployment file). */
export class MissingOptionError extends BaseError {
  static readonly code = 'CLI_MISSING_OPTION' as const
  override readonly name = 'Cli.MissingOptionError'
  constructor(readonly option: string, readonly hint: string) {
    super(MissingOptionError.code, `${option} is required: ${hint}`, { details: { option, hint } })
  }
}

/** The deployment file is missing, not JSON, or lacks what the command needs. */
export class DeploymentFileError extends BaseError {
  static readonly code = 'CLI_DEPLOYMENT_FILE' as const
  override readonly name = 'Cli.DeploymentFileError'
  constructor(readonly path: string, readonly reason: string, cause?: unknown) {
    super(DeploymentFileError.code, `deployment file ${path}: ${reason}`, { details: { path, reason }, cause })
  }
}

/** The genesis description does not hash to the genesis root the contract was deployed with. */
export class GenesisMismatchError extends BaseError {
  static readonly code = 'CLI_GENESIS_MISMATCH' as const
  override readonly name = 'Cli.GenesisMismatchError'
  constructor(readonly computedRoot: bigint, readonly onChainRoot: bigint) {
    super(GenesisMismatchError.code, `the genesis file hashes to ${computedRoot}, the contract's genesis root is ${onChainRoot}`, {
      details: { computedRoot, onChainRoot },
    })
  }
}

/** The L1 history is not what a ZkPerp contract can produce (no genesis event, a gap, calldata that is not submitBatch, …). */
export class L1HistoryError extends BaseError {
  static readonly code = 'CLI_L1_HISTORY' as const
  override readonly name = 'Cli.L1HistoryError'
  constructor(reason: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(L1HistoryError.code, `L1 history: ${reason}`, { details: { reason, ...details }, cause })
  }
}

/** Replaying every batch's pubdata from genesis did not reach the root the contract stores. */
export class ReconstructionMismatchError extends BaseError {
  static readonly code = 'CLI_RECONSTRUCTION_MISMATCH' as const
  override readonly name = 'Cli.ReconstructionMismatchError'
  constructor(readonly batchNumber: bigint, readonly reconstructedRoot: bigint, readonly onChainRoot: bigint) {
    super(
      ReconstructionMismatchError.code,
      `after batch ${batchNumber} the replayed state root is ${reconstructedRoot}, L1 says ${onChainRoot}`,
      { details: { batchNumber, reconstructedRoot, onChainRoot } },
    )
  }
}

/** One or more landed batch proofs did not verify (the per-batch report is in details). */
export class BatchVerificationFailedError extends BaseError {
  static readonly code = 'CLI_BATCH_VERIFICATION_FAILED' as const
  override readonly name = 'Cli.BatchVerificationFailedError'
  constructor(readonly failedBatches: readonly bigint[], readonly report: readonly Record<string, unknown>[]) {
    super(BatchVerificationFailedError.code, `batch proof check failed for batch(es) ${failedBatches.join(', ')}`, {
      details: { failedBatches, report },
    })
  }
}

/** The verification key is not the one the deployed verifier contract embeds. */
export class VerificationKeyMismatchError extends BaseError {
  static readonly code = 'CLI_VKEY_MISMATCH' as const
  override readonly name = 'Cli.VerificationKeyMismatchError'
  constructor(readonly verifier: string, readonly missingConstants: number, readonly totalConstants: number) {
    super(
      VerificationKeyMismatchError.code,
      `the verification key is not the deployed verifier's: ${missingConstants} of ${totalConstants} constants absent from ${verifier}'s code`,
      { details: { verifier, missingConstants, totalConstants } },
    )
  }
}

/** An L1 transaction reverted or an L1 call failed. */
export class L1TransactionError extends BaseError {
  static readonly code = 'CLI_L1_TRANSACTION' as const
  override readonly name = 'Cli.L1TransactionError'
  constructor(readonly action: string, reason: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(L1TransactionError.code, `${action}: ${reason}`, { details: { action, reason, ...details }, cause })
  }
}

/** The account to exit does not exist in the last proven state, or is a system account. */
export class ExitAccountError extends BaseError {
  static readonly code = 'CLI_EXIT_ACCOUNT' as const
  override readonly name = 'Cli.ExitAccountError'
  constructor(readonly accountIndex: bigint, reason: string) {
    super(ExitAccountError.code, `account ${accountIndex}: ${reason}`, { details: { accountIndex, reason } })
  }
}

/** The contract is not in exodus (and --activate was not given, or no priority op has expired). */
export class ExodusNotActiveError extends BaseError {
  static readonly code = 'CLI_EXODUS_NOT_ACTIVE' as const
  override readonly name = 'Cli.ExodusNotActiveError'
  constructor(readonly zkPerp: string, readonly hint: string) {
    super(ExodusNotActiveError.code, `ZkPerp ${zkPerp} is not in exodus: ${hint}`, { details: { zkPerp, hint } })
  }
}

/** The gateway answered a request with a rejection (its code and details are kept). */
export class GatewayRejectedError extends BaseError {
  static readonly code = 'CLI_GATEWAY_REJECTED' as const
  override readonly name = 'Cli.GatewayRejectedError'
  constructor(readonly action: string, readonly rejection: { code: string; message: string; details: Record<string, unknown> }) {
    super(GatewayRejectedError.code, `${action} rejected by the gateway: ${rejection.code} ${rejection.message}`, {
      details: { action, rejection },
    })
  }
}
