// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IBatchVerifier} from "./interfaces/IBatchVerifier.sol";
import {IZkPerp} from "./interfaces/IZkPerp.sol";
import {BabyJubJub} from "./libraries/BabyJubJub.sol";
import {Poseidon} from "./libraries/Poseidon.sol";
import {Pubdata} from "./libraries/Pubdata.sol";
import {SignedField} from "./libraries/SignedField.sol";
import {
    AccountPreimage,
    BatchHeader,
    MarketPreimage,
    PoseidonHashers,
    PriorityOp,
    Proof,
    StoredBatchInfo,
    ZkPerpParameters
} from "./types/ZkPerpTypes.sol";

/// @title ZkPerp
/// @notice Holds every unit of collateral of the zkperp rollup and accepts a new state root only with a valid
/// batch proof. Users leave through L1 alone with forced withdrawals and, if the operator stops, exodus.
/// @dev docs/protocol.md §6–§8. Storage holds hashes, counters and balances; batch data lives in calldata.
contract ZkPerp is IZkPerp, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev Public input mask: the commitment is the SHA-256 digest reduced to 253 bits (< p).
    uint256 internal constant COMMITMENT_MASK = (1 << 253) - 1;
    /// @dev New account indices start after the insurance fund (0) and the fee account (1).
    uint32 internal constant FIRST_USER_ACCOUNT = 2;

    IERC20 public immutable TOKEN;
    IBatchVerifier public immutable VERIFIER;
    address public immutable OPERATOR;
    uint256 public immutable ACCOUNT_DEPTH;
    uint256 public immutable MARKETS;
    uint256 public immutable BATCH_SLOTS;
    uint256 public immutable PRIORITY_DEADLINE;
    uint256 public immutable TIMESTAMP_TOLERANCE;
    /// @dev 4^ACCOUNT_DEPTH.
    uint256 public immutable ACCOUNT_CAPACITY;
    /// @dev 2^(2·ACCOUNT_DEPTH − 1): deposits create accounts below it, L2 transfers at and above it (§2.2).
    uint256 public immutable FIRST_L2_ACCOUNT_INDEX;
    address internal immutable POSEIDON_2;
    address internal immutable POSEIDON_4;
    address internal immutable POSEIDON_6;
    address internal immutable POSEIDON_7;
    address internal immutable POSEIDON_MARKETS;

    /// @notice keccak256(abi.encode(StoredBatchInfo)) of the last proven batch (genesis: batch 0).
    bytes32 public lastBatchHash;
    // One slot: written by every batch (number, head), deposit (tail, next index) and exodus activation.
    uint64 public lastBatchNumber;
    /// @notice Index of the oldest pending priority op.
    uint64 public priorityHead;
    /// @notice Index the next priority op gets.
    uint64 public priorityTail;
    /// @notice Index the next new account gets.
    uint32 public nextAccountIndex;
    bool public exodusActive;

    // One slot: the liabilities besides proven collateral.
    /// @notice Σ pendingWithdrawals.
    uint128 public totalPendingWithdrawals;
    /// @notice Σ amounts of queued deposits no batch has processed and no refund has paid.
    uint128 public totalUnprocessedDeposits;
    /// @notice Σ processed deposits − Σ credited withdrawals − Σ exit payouts (floored at 0): the rollup's total
    /// collateral (fills, fees and funding conserve it).
    uint256 public provenCollateral;

    mapping(uint64 priorityIndex => PriorityOp) public priorityOps;
    mapping(address owner => uint256) public pendingWithdrawals;
    mapping(uint32 accountIndex => bool) public exited;

    constructor(ZkPerpParameters memory parameters) {
        if (parameters.token == address(0)) revert InvalidConfiguration(1);
        if (parameters.verifier.code.length == 0) revert InvalidConfiguration(2);
        if (parameters.operator == address(0)) revert InvalidConfiguration(3);
        // Depth 1 would leave the L1 range [2, 2) empty.
        if (parameters.accountDepth < 2 || parameters.accountDepth > 12) revert InvalidConfiguration(4);
        if (parameters.markets == 0 || parameters.markets > 16) revert InvalidConfiguration(5);
        if (parameters.batchSlots == 0) revert InvalidConfiguration(6);
        if (parameters.priorityDeadlineSeconds == 0) revert InvalidConfiguration(7);
        PoseidonHashers memory poseidon = parameters.poseidon;
        if (
            poseidon.inputs2.code.length == 0 || poseidon.inputs4.code.length == 0
                || poseidon.inputs6.code.length == 0 || poseidon.inputs7.code.length == 0
                || poseidon.inputsMarkets.code.length == 0
        ) revert InvalidConfiguration(8);
        if (uint256(parameters.genesisStateRoot) >= SignedField.FIELD_MODULUS) revert InvalidConfiguration(9);

        TOKEN = IERC20(parameters.token);
        VERIFIER = IBatchVerifier(parameters.verifier);
        OPERATOR = parameters.operator;
        ACCOUNT_DEPTH = parameters.accountDepth;
        MARKETS = parameters.markets;
        BATCH_SLOTS = parameters.batchSlots;
        PRIORITY_DEADLINE = parameters.priorityDeadlineSeconds;
        TIMESTAMP_TOLERANCE = parameters.timestampToleranceSeconds;
        ACCOUNT_CAPACITY = 1 << (2 * uint256(parameters.accountDepth));
        FIRST_L2_ACCOUNT_INDEX = ACCOUNT_CAPACITY >> 1;
        POSEIDON_2 = poseidon.inputs2;
        POSEIDON_4 = poseidon.inputs4;
        POSEIDON_6 = poseidon.inputs6;
        POSEIDON_7 = poseidon.inputs7;
        POSEIDON_MARKETS = poseidon.inputsMarkets;

        nextAccountIndex = FIRST_USER_ACCOUNT;
        bytes32 genesisHash = keccak256(
            abi.encode(StoredBatchInfo(0, parameters.genesisTimestamp, parameters.genesisStateRoot, 0))
        );
        lastBatchHash = genesisHash;
        emit GenesisInitialized(parameters.genesisStateRoot, parameters.genesisTimestamp, genesisHash);
    }

    // ================================================================ deposits and forced withdrawals

    /// @inheritdoc IZkPerp
    function depositNewAccount(address owner, uint256 publicKeyX, uint256 publicKeyY, uint256 mode, uint256 amount)
        external
        nonReentrant
        returns (uint32 accountIndex, uint64 priorityIndex)
    {
        if (exodusActive) revert ExodusActive();
        if (owner == address(0)) revert InvalidOwner(owner);
        if (mode > MARKETS) revert InvalidMarginMode(mode, MARKETS);
        // On the curve is all a priority op may require: the circuit must be able to process every queued deposit.
        // A key outside the prime-order subgroup is stored and can never sign (§5.1).
        if (!BabyJubJub.isOnCurve(publicKeyX, publicKeyY)) revert PublicKeyNotOnCurve(publicKeyX, publicKeyY);
        accountIndex = nextAccountIndex;
        if (accountIndex >= FIRST_L2_ACCOUNT_INDEX) revert L1AccountRangeFull(FIRST_L2_ACCOUNT_INDEX);
        nextAccountIndex = accountIndex + 1;

        uint256 received = _pullDeposit(amount);
        bytes memory record = Pubdata.encodeDepositNewAccount(
            accountIndex, mode, received, owner, BabyJubJub.pack(publicKeyX, publicKeyY)
        );
        priorityIndex = _queueDeposit(record, accountIndex, received);
        emit AccountRegistered(accountIndex, owner, publicKeyX, publicKeyY, mode);
    }

    /// @inheritdoc IZkPerp
    function depositTo(uint32 accountIndex, uint256 amount) external nonReentrant returns (uint64 priorityIndex) {
        if (exodusActive) revert ExodusActive();
        uint32 next = nextAccountIndex;
        if (accountIndex >= next) revert UnknownAccount(accountIndex, next);
        uint256 received = _pullDeposit(amount);
        priorityIndex = _queueDeposit(Pubdata.encodeDeposit(accountIndex, received, msg.sender), accountIndex, received);
    }

    /// @inheritdoc IZkPerp
    function requestForcedWithdrawal(uint32 accountIndex, uint256 amount) external returns (uint64 priorityIndex) {
        if (exodusActive) revert ExodusActive();
        if (amount > Pubdata.MAX_WITHDRAWAL_AMOUNT) {
            revert InvalidForcedWithdrawalAmount(amount, Pubdata.MAX_WITHDRAWAL_AMOUNT);
        }
        if (accountIndex >= ACCOUNT_CAPACITY) revert AccountIndexOutOfRange(accountIndex, ACCOUNT_CAPACITY);
        // L1 cannot see which L2-created indices exist; the state machine processes an empty one as 0.
        uint32 next = nextAccountIndex;
        if (accountIndex < FIRST_L2_ACCOUNT_INDEX && accountIndex >= next) revert UnknownAccount(accountIndex, next);
        uint64 deadline;
        (priorityIndex, deadline) = _queue(Pubdata.forcedWithdrawalHash(accountIndex, msg.sender, amount));
        emit ForcedWithdrawalRequested(priorityIndex, accountIndex, msg.sender, amount, deadline);
    }

    /// @dev Pulls `amount` and returns what actually arrived (fee-on-transfer tokens deliver less).
    function _pullDeposit(uint256 amount) private returns (uint256 received) {
        uint256 balanceBefore = TOKEN.balanceOf(address(this));
        TOKEN.safeTransferFrom(msg.sender, address(this), amount);
        received = TOKEN.balanceOf(address(this)) - balanceBefore;
        if (received == 0 || received > Pubdata.MAX_DEPOSIT_AMOUNT) revert InvalidDepositAmount(received);
    }

    function _queueDeposit(bytes memory record, uint32 accountIndex, uint256 amount)
        private
        returns (uint64 priorityIndex)
    {
        uint64 deadline;
        (priorityIndex, deadline) = _queue(keccak256(record));
        totalUnprocessedDeposits += uint128(amount);
        emit DepositQueued(priorityIndex, accountIndex, msg.sender, amount, deadline, record);
    }

    function _queue(bytes32 recordHash) private returns (uint64 priorityIndex, uint64 deadline) {
        priorityIndex = priorityTail;
        deadline = uint64(block.timestamp + PRIORITY_DEADLINE);
        priorityOps[priorityIndex] = PriorityOp(bytes24(recordHash), deadline);
        priorityTail = priorityIndex + 1;
    }

    // ================================================================ batches

    /// @inheritdoc IZkPerp
    function submitBatch(
        StoredBatchInfo calldata lastBatch,
        BatchHeader calldata header,
        bytes calldata pubdata,
        Proof calldata proof
    ) external {
        if (msg.sender != OPERATOR) revert NotOperator(msg.sender);
        if (exodusActive) revert ExodusActive();
        bytes32 suppliedHash = keccak256(abi.encode(lastBatch));
        bytes32 storedHash = lastBatchHash;
        if (suppliedHash != storedHash) revert StoredBatchMismatch(storedHash, suppliedHash);
        if (header.batchNumber != lastBatch.batchNumber + 1) {
            revert BatchNumberMismatch(lastBatch.batchNumber + 1, header.batchNumber);
        }
        if (header.timestamp < lastBatch.timestamp) {
            revert TimestampBeforeLastBatch(header.timestamp, lastBatch.timestamp);
        }
        if (header.timestamp > block.timestamp + TIMESTAMP_TOLERANCE) {
            revert TimestampTooFarAhead(header.timestamp, block.timestamp + TIMESTAMP_TOLERANCE);
        }
        uint256 maxLength = BATCH_SLOTS * Pubdata.CHUNK_BYTES;
        if (pubdata.length % Pubdata.CHUNK_BYTES != 0 || pubdata.length > maxLength) {
            revert InvalidPubdataLength(pubdata.length, maxLength);
        }

        uint64 head = priorityHead;
        uint64 newHead = _processPubdata(pubdata, head);

        uint256 commitment = _commitment(lastBatch.stateRoot, header.newStateRoot, header.timestamp, pubdata);
        if (!VERIFIER.verifyProof(proof.a, proof.b, proof.c, [commitment])) revert InvalidProof();

        lastBatchHash = keccak256(abi.encode(StoredBatchInfo(header.batchNumber, header.timestamp, header.newStateRoot, commitment)));
        lastBatchNumber = header.batchNumber;
        if (newHead != head) priorityHead = newHead;
        emit BatchVerified(header.batchNumber, header.newStateRoot, header.timestamp, commitment, newHead - head);
    }

    /// @notice The batch commitment of §7 (the circuit's single public input), padding pubdata to N chunks.
    function batchCommitment(bytes32 oldStateRoot, bytes32 newStateRoot, uint64 batchTimestamp, bytes calldata pubdata)
        external
        view
        returns (uint256)
    {
        uint256 maxLength = BATCH_SLOTS * Pubdata.CHUNK_BYTES;
        if (pubdata.length % Pubdata.CHUNK_BYTES != 0 || pubdata.length > maxLength) {
            revert InvalidPubdataLength(pubdata.length, maxLength);
        }
        return _commitment(oldStateRoot, newStateRoot, batchTimestamp, pubdata);
    }

    /// @dev sha256(oldRoot[32] ‖ newRoot[32] ‖ timestamp[8] ‖ pubdata padded with zero chunks to N·32) & (2^253 − 1).
    function _commitment(bytes32 oldStateRoot, bytes32 newStateRoot, uint64 batchTimestamp, bytes calldata pubdata)
        private
        view
        returns (uint256 commitment)
    {
        uint256 preimageLength = 72 + BATCH_SLOTS * Pubdata.CHUNK_BYTES;
        bytes memory preimage = new bytes(preimageLength); // zero-filled: the noop padding
        bool ok;
        assembly ("memory-safe") {
            let data := add(preimage, 32)
            mstore(data, oldStateRoot)
            mstore(add(data, 32), newStateRoot)
            // The 8-byte timestamp sits in bytes 64..72; the word written also covers pubdata bytes, which
            // calldatacopy overwrites (or which stay zero as padding).
            mstore(add(data, 64), shl(192, batchTimestamp))
            calldatacopy(add(data, 72), pubdata.offset, pubdata.length)
            ok := staticcall(gas(), 0x02, data, preimageLength, 0, 32)
            commitment := and(mload(0), COMMITMENT_MASK)
        }
        // The precompile only fails when out of gas.
        if (!ok) revert InvalidProof();
    }

    /// @dev Walks the records of the padded pubdata (§6): checks each priority record against the queue in order,
    /// credits withdrawals and keeps the collateral accounting. Chunks past the supplied calldata are zero, so a
    /// 2-chunk record whose second chunk was trimmed reads it as zero; only a 2-chunk record starting in slot N − 1
    /// is truncated. Returns the new queue head.
    function _processPubdata(bytes calldata pubdata, uint64 head) private returns (uint64) {
        uint256 capacity = BATCH_SLOTS * Pubdata.CHUNK_BYTES;
        uint64 tail = priorityTail;
        uint256 deposited;
        uint256 withdrawn;
        uint256 offset;
        uint256 length = pubdata.length;
        while (offset < length) {
            uint256 chunk;
            assembly ("memory-safe") {
                chunk := calldataload(add(pubdata.offset, offset)) // offset < length: inside the pubdata
            }
            uint256 txType = chunk >> 248;
            // One-chunk L2-only records (noop, trade, transfer, oracle and funding updates, liquidation, backstop,
            // ADL) need nothing on L1: the hot path of a batch full of trades is this one test.
            if ((Pubdata.L2_ONLY_TYPES >> txType) & 1 == 1) {
                unchecked {
                    offset += Pubdata.CHUNK_BYTES; // offset < length ≤ N·32: no overflow
                }
                continue;
            }
            if (txType > Pubdata.MAX_TX_TYPE) revert UnknownTxType(offset, txType);
            uint256 recordLength = Pubdata.recordBytes(txType);
            if (offset + recordLength > capacity) revert PubdataTruncated(offset);

            if (txType == Pubdata.TX_WITHDRAW) {
                // type[0] · account[1..4) · amount[4..12) · to[12..32) ‖ storageId[32..36)
                uint256 amount = (chunk >> 160) & type(uint64).max;
                withdrawn += amount;
                _credit(address(uint160(chunk)), amount);
            } else if (txType == Pubdata.TX_FORCED_WITHDRAWAL || txType == Pubdata.TX_DEPOSIT
                    || txType == Pubdata.TX_DEPOSIT_NEW_ACCOUNT) {
                // A priority record: it must be the next queued op.
                if (head >= tail) revert PriorityQueueExhausted(offset);
                bytes32 recordHash;
                if (txType == Pubdata.TX_FORCED_WITHDRAWAL) {
                    uint256 amount;
                    (recordHash, amount) = _forcedWithdrawal(pubdata, offset, chunk);
                    withdrawn += amount;
                } else {
                    recordHash = _depositRecordHash(pubdata, offset, chunk, recordLength);
                    deposited += Pubdata.depositAmount(chunk);
                }
                if (priorityOps[head].recordHash != bytes24(recordHash)) revert PriorityRecordMismatch(head, offset);
                delete priorityOps[head];
                ++head;
            }
            // Trades, transfers, oracle and funding updates, liquidations, backstops, ADL and noops are L2 only.
            offset += recordLength;
        }

        if (deposited != 0 || withdrawn != 0) {
            if (deposited != 0) totalUnprocessedDeposits -= uint128(deposited);
            uint256 collateral = provenCollateral + deposited;
            if (withdrawn > collateral) revert WithdrawalsExceedCollateral(withdrawn, collateral);
            provenCollateral = collateral - withdrawn;
            if (withdrawn != 0) totalPendingWithdrawals += uint128(withdrawn);
        }
        return head;
    }

    /// @dev A forced-withdrawal record: type[0] · account[1..4) · withdrawn[4..12) · requester[12..32) ‖
    /// requestedAmount[32..40). Checks `withdrawn ≤ requestedAmount`, credits the requester and returns the queue key
    /// the record must match (§8) and the amount withdrawn.
    function _forcedWithdrawal(bytes calldata pubdata, uint256 offset, uint256 chunk)
        private
        returns (bytes32 recordHash, uint256 amount)
    {
        amount = (chunk >> 160) & type(uint64).max;
        uint256 requestedAmount = _chunkAt(pubdata, offset + 32) >> 192;
        if (amount > requestedAmount) revert ForcedWithdrawalAboveRequest(offset, amount, requestedAmount);
        address requester = address(uint160(chunk));
        recordHash = Pubdata.forcedWithdrawalHash((chunk >> 224) & 0xFFFFFF, requester, requestedAmount);
        if (amount != 0) _credit(requester, amount);
    }

    /// @dev keccak256 of a deposit record exactly as queued (32 or 64 bytes, the second chunk read from the padding
    /// when omitted).
    function _depositRecordHash(bytes calldata pubdata, uint256 offset, uint256 chunk, uint256 recordLength)
        private
        pure
        returns (bytes32 recordHash)
    {
        uint256 second = recordLength == 64 ? _chunkAt(pubdata, offset + 32) : 0;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, chunk)
            mstore(add(ptr, 32), second)
            recordHash := keccak256(ptr, recordLength)
        }
    }

    /// @dev The 32-byte chunk at `offset` of the pubdata padded with zero chunks (`offset` is a multiple of 32).
    function _chunkAt(bytes calldata pubdata, uint256 offset) private pure returns (uint256 chunk) {
        if (offset >= pubdata.length) return 0;
        assembly ("memory-safe") {
            chunk := calldataload(add(pubdata.offset, offset))
        }
    }

    /// @dev Credits a pending balance; the total is updated by the caller.
    function _credit(address to, uint256 amount) private {
        pendingWithdrawals[to] += amount;
        emit WithdrawalCredited(to, amount);
    }

    // ================================================================ withdrawals

    /// @inheritdoc IZkPerp
    function withdraw(address to) external nonReentrant returns (uint256 amount) {
        amount = pendingWithdrawals[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        pendingWithdrawals[msg.sender] = 0;
        totalPendingWithdrawals -= uint128(amount);
        TOKEN.safeTransfer(to, amount);
        emit Withdrawn(msg.sender, to, amount);
    }

    // ================================================================ exodus

    /// @inheritdoc IZkPerp
    function activateExodus() external {
        if (exodusActive) revert ExodusActive();
        uint64 head = priorityHead;
        uint64 deadline = head < priorityTail ? priorityOps[head].deadline : 0;
        if (deadline == 0 || block.timestamp <= deadline) {
            revert NoExpiredPriorityOp(head, deadline, block.timestamp);
        }
        exodusActive = true;
        emit ExodusActivated(head, deadline);
    }

    /// @inheritdoc IZkPerp
    function exit(
        StoredBatchInfo calldata lastBatch,
        uint32 accountIndex,
        AccountPreimage calldata account,
        MarketPreimage[] calldata markets,
        uint256[3][] calldata siblings
    ) external nonReentrant returns (uint256 payout) {
        if (!exodusActive) revert ExodusNotActive();
        bytes32 suppliedHash = keccak256(abi.encode(lastBatch));
        if (suppliedHash != lastBatchHash) revert StoredBatchMismatch(lastBatchHash, suppliedHash);
        if (accountIndex >= ACCOUNT_CAPACITY) revert AccountIndexOutOfRange(accountIndex, ACCOUNT_CAPACITY);
        if (exited[accountIndex]) revert AccountAlreadyExited(accountIndex);
        if (account.owner == address(0)) revert SystemAccountCannotExit(accountIndex);
        if (account.positions.length != MARKETS) {
            revert PreimageLengthMismatch(1, account.positions.length, MARKETS);
        }
        if (markets.length != MARKETS) revert PreimageLengthMismatch(2, markets.length, MARKETS);
        if (siblings.length != ACCOUNT_DEPTH) revert PreimageLengthMismatch(3, siblings.length, ACCOUNT_DEPTH);

        int256 equity = _verifyExitProof(lastBatch.stateRoot, accountIndex, account, markets, siblings);
        exited[accountIndex] = true;
        payout = _creditExit(account.owner, equity);
        emit AccountExited(accountIndex, account.owner, equity, payout);
    }

    /// @dev Recomputes the state root from the leaf, markets and path; returns the account's equity.
    function _verifyExitProof(
        bytes32 provenRoot,
        uint32 accountIndex,
        AccountPreimage calldata account,
        MarketPreimage[] calldata markets,
        uint256[3][] calldata siblings
    ) private view returns (int256 equity) {
        uint256 marketsHash;
        uint256 positionsHash;
        (marketsHash, positionsHash, equity) = _hashMarketsAndValue(account, markets);
        uint256 accountsRoot = _merkleRoot(_accountLeaf(account, positionsHash), accountIndex, siblings);
        bytes32 computedRoot = bytes32(Poseidon.hash2(POSEIDON_2, accountsRoot, marketsHash));
        if (computedRoot != provenRoot) revert ExitProofInvalid(computedRoot, provenRoot);
    }

    /// @dev Credits min(max(equity, 0), balance − pending withdrawals − unprocessed deposits) to `owner`.
    function _creditExit(address owner, int256 equity) private returns (uint256 payout) {
        if (equity <= 0) return 0;
        uint256 balance = TOKEN.balanceOf(address(this));
        uint256 owedElsewhere = uint256(totalPendingWithdrawals) + totalUnprocessedDeposits;
        uint256 available = balance > owedElsewhere ? balance - owedElsewhere : 0;
        payout = uint256(equity) < available ? uint256(equity) : available;
        if (payout == 0) return 0;
        uint256 collateral = provenCollateral;
        provenCollateral = payout < collateral ? collateral - payout : 0;
        pendingWithdrawals[owner] += payout;
        totalPendingWithdrawals += uint128(payout);
    }

    /// @inheritdoc IZkPerp
    function refundDeposit(uint64 priorityIndex, bytes calldata record) external nonReentrant returns (uint256 amount) {
        if (!exodusActive) revert ExodusNotActive();
        if (priorityIndex < priorityHead || priorityIndex >= priorityTail) revert PriorityOpNotPending(priorityIndex);
        bytes24 storedHash = priorityOps[priorityIndex].recordHash;
        if (storedHash == bytes24(0)) revert PriorityOpNotPending(priorityIndex);
        if (record.length != 32 && record.length != 64) revert DepositRecordMismatch(priorityIndex);
        if (bytes24(keccak256(record)) != storedHash) revert DepositRecordMismatch(priorityIndex);
        uint256 chunk = uint256(bytes32(record[0:32]));
        uint256 txType = chunk >> 248;
        // A forced-withdrawal key is 31 bytes, so a 32- or 64-byte record matching it is a deposit; keep the check
        // explicit anyway.
        if (txType != Pubdata.TX_DEPOSIT && txType != Pubdata.TX_DEPOSIT_NEW_ACCOUNT) revert NotADeposit(priorityIndex);

        priorityOps[priorityIndex].recordHash = bytes24(0);
        amount = Pubdata.depositAmount(chunk);
        address to = address(uint160(chunk)); // depositor (top-up) or owner (new account)
        totalUnprocessedDeposits -= uint128(amount);
        pendingWithdrawals[to] += amount;
        totalPendingWithdrawals += uint128(amount);
        emit DepositRefunded(priorityIndex, to, amount);
    }

    /// @dev Checks the bounds, hashes the market leaves and the positions, and values the account:
    /// equity = collateral + Σ size·price − Σ size·(fundingIndex − fundingIndexAtLastSettle).
    function _hashMarketsAndValue(AccountPreimage calldata account, MarketPreimage[] calldata markets)
        private
        view
        returns (uint256 marketsHash, uint256 positionsHash, int256 equity)
    {
        if (!SignedField.fitsSigned(account.collateral, 63)) revert PreimageValueOutOfRange(1, 0);
        uint256 count = markets.length;
        uint256[] memory marketLeaves = new uint256[](count);
        uint256[] memory positionWords = new uint256[](count);
        uint256[] memory leafInputs = new uint256[](6);
        equity = account.collateral;
        for (uint256 m = 0; m < count; ++m) {
            MarketPreimage calldata market = markets[m];
            int256 size = account.positions[m].size;
            int256 settledIndex = account.positions[m].fundingIndexAtLastSettle;
            if (!SignedField.fitsSigned(size, 40)) revert PreimageValueOutOfRange(2, m);
            if (!SignedField.fitsSigned(settledIndex, 63)) revert PreimageValueOutOfRange(3, m);
            if (market.oraclePrice >= 1 << 48) revert PreimageValueOutOfRange(4, m);
            if (!SignedField.fitsSigned(market.fundingIndex, 63)) revert PreimageValueOutOfRange(5, m);

            leafInputs[0] = market.oraclePrice;
            leafInputs[1] = market.oracleTime;
            leafInputs[2] = SignedField.toField(market.fundingIndex);
            leafInputs[3] = market.lastFundingTime;
            leafInputs[4] = market.openInterest;
            leafInputs[5] = market.paramsHash;
            marketLeaves[m] = Poseidon.hash(POSEIDON_6, leafInputs);
            positionWords[m] = SignedField.positionWord(size, settledIndex);
            equity += size * int256(market.oraclePrice) - size * (market.fundingIndex - settledIndex);
        }
        marketsHash = Poseidon.hash(POSEIDON_MARKETS, marketLeaves);
        positionsHash = Poseidon.hash(POSEIDON_MARKETS, positionWords);
    }

    /// @dev accountLeaf = H(publicKeyX, publicKeyY, owner, collateral, mode, positionsHash, ordersRoot).
    function _accountLeaf(AccountPreimage calldata account, uint256 positionsHash) private view returns (uint256) {
        uint256[] memory inputs = new uint256[](7);
        inputs[0] = account.publicKeyX;
        inputs[1] = account.publicKeyY;
        inputs[2] = uint160(account.owner);
        inputs[3] = SignedField.toField(account.collateral);
        inputs[4] = account.mode;
        inputs[5] = positionsHash;
        inputs[6] = account.ordersRoot;
        return Poseidon.hash(POSEIDON_7, inputs);
    }

    /// @dev The quaternary path (§2.1): base-4 digits of the index, least significant at the bottom level; each
    /// level's three siblings are the other children in child order.
    function _merkleRoot(uint256 leaf, uint256 index, uint256[3][] calldata siblings) private view returns (uint256) {
        uint256[] memory children = new uint256[](4);
        uint256 node = leaf;
        for (uint256 level = 0; level < siblings.length; ++level) {
            uint256 digit = index & 3;
            uint256 next;
            for (uint256 child = 0; child < 4; ++child) {
                if (child == digit) {
                    children[child] = node;
                } else {
                    children[child] = siblings[level][next];
                    ++next;
                }
            }
            node = Poseidon.hash(POSEIDON_4, children);
            index >>= 2;
        }
        return node;
    }
}
