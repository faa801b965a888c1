// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    AccountPreimage, BatchHeader, MarketPreimage, Proof, StoredBatchInfo
} from "../types/ZkPerpTypes.sol";

/// @notice The zkperp settlement contract: custody of the quote token, the priority queue, batch verification,
/// withdrawals and the exodus escape hatch (docs/protocol.md §8).
interface IZkPerp {
    // ---------------------------------------------------------------- errors: configuration and access

    /// @notice A constructor parameter is out of range (`which` names it: 1 token, 2 verifier, 3 operator,
    /// 4 accountDepth, 5 markets, 6 batchSlots, 7 priorityDeadline, 8 poseidon, 9 genesis root).
    error InvalidConfiguration(uint256 which);
    /// @notice Only the operator may submit batches.
    error NotOperator(address caller);
    /// @notice The contract is frozen in exodus: no batch, deposit or forced withdrawal is accepted.
    error ExodusActive();
    /// @notice Exits and refunds are only possible once exodus is active.
    error ExodusNotActive();

    // ---------------------------------------------------------------- errors: deposits and priority ops

    /// @notice The amount the contract actually received is zero or does not fit 56 bits.
    error InvalidDepositAmount(uint256 received);
    /// @notice A new account needs a nonzero L1 owner (owner 0 marks the system accounts).
    error InvalidOwner(address owner);
    /// @notice `mode` must be 0 (cross) or 1 + m for a market m < M.
    error InvalidMarginMode(uint256 mode, uint256 markets);
    /// @notice The L2 public key is not a point of BabyJubJub (the circuit could never create the account).
    error PublicKeyNotOnCurve(uint256 x, uint256 y);
    /// @notice Every index of the L1 range [2, 2^(2·depth−1)) has been assigned; the upper half belongs to accounts
    /// that L2 transfers create (§2.2), so no new-account deposit is accepted any more.
    error L1AccountRangeFull(uint256 firstL2AccountIndex);
    /// @notice A top-up names an index no deposit has created, or a forced withdrawal an index of the L1 range that
    /// no deposit has created.
    error UnknownAccount(uint32 accountIndex, uint32 nextAccountIndex);
    /// @notice A forced withdrawal may request at most 2^63 − 1 (the record carries it in 8 bytes, §1).
    error InvalidForcedWithdrawalAmount(uint256 requestedAmount, uint256 maxAmount);
    /// @notice Exodus needs a pending priority op whose deadline has passed.
    error NoExpiredPriorityOp(uint64 priorityIndex, uint64 deadline, uint256 blockTimestamp);

    // ---------------------------------------------------------------- errors: batches

    /// @notice The batch info passed back is not the last proven batch.
    error StoredBatchMismatch(bytes32 storedHash, bytes32 suppliedHash);
    /// @notice The header's batch number is not the last one + 1.
    error BatchNumberMismatch(uint64 expected, uint64 supplied);
    /// @notice The batch timestamp is before the last batch's.
    error TimestampBeforeLastBatch(uint64 timestamp, uint64 lastTimestamp);
    /// @notice The batch timestamp is past `block.timestamp + tolerance`.
    error TimestampTooFarAhead(uint64 timestamp, uint256 latestAllowed);
    /// @notice Pubdata must be whole 32-byte chunks, at most N of them.
    error InvalidPubdataLength(uint256 length, uint256 maxLength);
    /// @notice A two-chunk record starts in the batch's last slot (N − 1).
    error PubdataTruncated(uint256 offset);
    /// @notice A chunk starts with a type byte outside 0..11.
    error UnknownTxType(uint256 offset, uint256 txType);
    /// @notice The pubdata carries a priority record but the queue has no pending op left.
    error PriorityQueueExhausted(uint256 offset);
    /// @notice The priority record at `offset` is not the next queued op.
    error PriorityRecordMismatch(uint64 priorityIndex, uint256 offset);
    /// @notice A forced-withdrawal record pays out more than was requested (cannot happen under a sound circuit).
    error ForcedWithdrawalAboveRequest(uint256 offset, uint256 withdrawn, uint256 requestedAmount);
    /// @notice The batch credits more than the rollup's total collateral (cannot happen under a sound circuit).
    error WithdrawalsExceedCollateral(uint256 withdrawn, uint256 provenCollateral);
    /// @notice The Groth16 verifier rejected the proof.
    error InvalidProof();

    // ---------------------------------------------------------------- errors: withdrawals and exodus

    /// @notice The caller has no pending balance.
    error NothingToWithdraw(address owner);
    /// @notice The account index does not fit the tree.
    error AccountIndexOutOfRange(uint32 accountIndex, uint256 capacity);
    /// @notice This account has already exited.
    error AccountAlreadyExited(uint32 accountIndex);
    /// @notice System accounts (owner 0) cannot exit.
    error SystemAccountCannotExit(uint32 accountIndex);
    /// @notice A preimage array has the wrong length (`what`: 1 positions, 2 markets, 3 siblings).
    error PreimageLengthMismatch(uint256 what, uint256 supplied, uint256 expected);
    /// @notice A preimage value is outside its protocol bound (`what`: 1 collateral, 2 size, 3 position funding
    /// index, 4 oracle price, 5 market funding index).
    error PreimageValueOutOfRange(uint256 what, uint256 index);
    /// @notice The leaf, markets and path do not hash to the last proven state root.
    error ExitProofInvalid(bytes32 computedRoot, bytes32 provenRoot);
    /// @notice The priority op is not pending (already processed, refunded, or never queued).
    error PriorityOpNotPending(uint64 priorityIndex);
    /// @notice The record passed is not the one queued at this index.
    error DepositRecordMismatch(uint64 priorityIndex);
    /// @notice The priority op is a forced withdrawal; there is nothing to refund.
    error NotADeposit(uint64 priorityIndex);

    // ---------------------------------------------------------------- events

    /// @notice The contract was deployed on this genesis state.
    event GenesisInitialized(bytes32 stateRoot, uint64 timestamp, bytes32 storedBatchHash);
    /// @notice A deposit was queued; `record` is the exact pubdata record a batch must carry.
    event DepositQueued(
        uint64 indexed priorityIndex, uint32 indexed accountIndex, address indexed depositor, uint256 amount,
        uint64 deadline, bytes record
    );
    /// @notice A deposit created a new account index with this key, owner and mode.
    event AccountRegistered(
        uint32 indexed accountIndex, address indexed owner, uint256 publicKeyX, uint256 publicKeyY, uint256 mode
    );
    /// @notice A forced withdrawal was queued. `amount` is what the requester asked for; the queue hash binds it.
    event ForcedWithdrawalRequested(
        uint64 indexed priorityIndex, uint32 indexed accountIndex, address indexed requester, uint256 amount,
        uint64 deadline
    );
    /// @notice A batch proof was accepted; the state root advanced.
    event BatchVerified(
        uint64 indexed batchNumber, bytes32 newStateRoot, uint64 timestamp, uint256 commitment,
        uint64 priorityOpsProcessed
    );
    /// @notice A proven withdrawal or forced withdrawal credited an L1 address.
    event WithdrawalCredited(address indexed to, uint256 amount);
    /// @notice An owner pulled its pending balance.
    event Withdrawn(address indexed owner, address indexed to, uint256 amount);
    /// @notice Exodus was activated because this priority op passed its deadline.
    event ExodusActivated(uint64 priorityIndex, uint64 deadline);
    /// @notice An account exited; `payout` was credited to its owner.
    event AccountExited(uint32 indexed accountIndex, address indexed owner, int256 equity, uint256 payout);
    /// @notice An unprocessed deposit was refunded to its depositor.
    event DepositRefunded(uint64 indexed priorityIndex, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- functions

    /// @notice Deposit `amount` for a new account of `owner` with L2 key (`publicKeyX`, `publicKeyY`).
    function depositNewAccount(address owner, uint256 publicKeyX, uint256 publicKeyY, uint256 mode, uint256 amount)
        external
        returns (uint32 accountIndex, uint64 priorityIndex);

    /// @notice Deposit `amount` into an existing account (any depositor).
    function depositTo(uint32 accountIndex, uint256 amount) external returns (uint64 priorityIndex);

    /// @notice Ask the sequencer, through L1, to withdraw up to `amount` (< 2^63) of the account's free collateral.
    /// The index is one L1 assigned (< nextAccountIndex) or lies in the L2-created range; a request for an empty
    /// index, or by someone who is not the owner, is processed as 0.
    function requestForcedWithdrawal(uint32 accountIndex, uint256 amount) external returns (uint64 priorityIndex);

    /// @notice Accept a proven batch on top of `lastBatch` (operator only).
    function submitBatch(
        StoredBatchInfo calldata lastBatch,
        BatchHeader calldata header,
        bytes calldata pubdata,
        Proof calldata proof
    ) external;

    /// @notice Pull the caller's pending balance to `to`.
    function withdraw(address to) external returns (uint256 amount);

    /// @notice Freeze the contract if the oldest pending priority op is past its deadline (anyone).
    function activateExodus() external;

    /// @notice In exodus: pay an account's `max(equity, 0)` (capped) to its owner's pending balance, once.
    function exit(
        StoredBatchInfo calldata lastBatch,
        uint32 accountIndex,
        AccountPreimage calldata account,
        MarketPreimage[] calldata markets,
        uint256[3][] calldata siblings
    ) external returns (uint256 payout);

    /// @notice In exodus: refund a deposit no batch processed, once, to its depositor's pending balance.
    function refundDeposit(uint64 priorityIndex, bytes calldata record) external returns (uint256 amount);
}
