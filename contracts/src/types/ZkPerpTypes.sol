// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice What the contract remembers of a proven batch, stored only as `keccak256(abi.encode(info))`.
/// @dev Callers pass the last one back (to `submitBatch`, `exit`); the contract checks its hash.
struct StoredBatchInfo {
    /// @dev 0 for the genesis state.
    uint64 batchNumber;
    /// @dev The batch timestamp `T` (genesis: the genesis timestamp).
    uint64 timestamp;
    /// @dev `stateRoot = H(accountsRoot, marketsHash)` after the batch, as a 32-byte field element.
    bytes32 stateRoot;
    /// @dev The batch's single public input (genesis: 0).
    uint256 commitment;
}

/// @notice The operator's claim about a new batch; the proof binds it through the commitment.
struct BatchHeader {
    /// @dev Must be the last batch number + 1.
    uint64 batchNumber;
    /// @dev Batch timestamp `T`, unix seconds.
    uint64 timestamp;
    /// @dev The state root after applying the batch.
    bytes32 newStateRoot;
}

/// @notice A Groth16 proof in the snarkjs Solidity verifier's argument order (`b` coordinates already swapped).
struct Proof {
    uint256[2] a;
    uint256[2][2] b;
    uint256[2] c;
}

/// @notice One queued priority operation: the first 24 bytes of the keccak256 of what the batch must carry and
/// the deadline by which a batch must have processed it. One storage slot.
struct PriorityOp {
    bytes24 recordHash;
    uint64 deadline;
}

/// @notice One market's position inside an account leaf (docs/protocol.md §2.2).
struct PositionPreimage {
    /// @dev Signed lots, |size| < 2^40.
    int256 size;
    /// @dev Signed funding index at the last settlement, |f| < 2^63.
    int256 fundingIndexAtLastSettle;
}

/// @notice The preimage of an account leaf (docs/protocol.md §2.2), signed values as integers.
struct AccountPreimage {
    uint256 publicKeyX;
    uint256 publicKeyY;
    address owner;
    /// @dev Signed quote balance, |collateral| < 2^63.
    int256 collateral;
    uint256 mode;
    /// @dev Exactly M entries.
    PositionPreimage[] positions;
    uint256 ordersRoot;
}

/// @notice The preimage of a market leaf (docs/protocol.md §2.4); the risk parameters enter only as their hash.
struct MarketPreimage {
    /// @dev 0 < price < 2^48.
    uint256 oraclePrice;
    uint256 oracleTime;
    /// @dev Signed cumulative funding index, |f| < 2^63.
    int256 fundingIndex;
    uint256 lastFundingTime;
    uint256 openInterest;
    uint256 paramsHash;
}

/// @notice Addresses of the circomlibjs Poseidon contracts, one per arity the exit path hashes.
struct PoseidonHashers {
    /// @dev `stateRoot = H(accountsRoot, marketsHash)`.
    address inputs2;
    /// @dev Quaternary tree nodes.
    address inputs4;
    /// @dev Market leaves.
    address inputs6;
    /// @dev Account leaves.
    address inputs7;
    /// @dev `positionsHash` and `marketsHash` (M inputs; may equal another entry when M is 2, 4, 6 or 7).
    address inputsMarkets;
}

/// @notice Deployment parameters. The sizes must match the batch circuit's configuration.
struct ZkPerpParameters {
    address token;
    address verifier;
    address operator;
    /// @dev Quaternary levels of the accounts tree (4^depth accounts), 1..12.
    uint8 accountDepth;
    /// @dev Markets per state (M), 1..16.
    uint8 markets;
    /// @dev Transaction slots per batch (N): the pubdata is N·32 bytes.
    uint32 batchSlots;
    /// @dev Seconds a priority operation may wait before exodus can be activated.
    uint64 priorityDeadlineSeconds;
    /// @dev How far past `block.timestamp` a batch timestamp may be.
    uint64 timestampToleranceSeconds;
    bytes32 genesisStateRoot;
    uint64 genesisTimestamp;
    PoseidonHashers poseidon;
}
