// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TestBase} from "../base/TestBase.sol";
import {ZkPerp} from "../../src/ZkPerp.sol";
import {MockQuoteToken} from "../../src/test-tokens/MockQuoteToken.sol";
import {
    BatchHeader, PoseidonHashers, Proof, StoredBatchInfo, ZkPerpParameters
} from "../../src/types/ZkPerpTypes.sol";
import {CommitmentCheckingVerifierDouble} from "./BatchVerifierDoubles.sol";
import {PoseidonDeployer} from "./PoseidonDeployer.sol";

/// @notice A ZkPerp on the test circuit config (accounts depth 2, M = 2, N = 8) with a 6-decimal token, the
/// commitment-checking verifier double and real Poseidon contracts; helpers to build and submit batches.
abstract contract ZkPerpFixture is TestBase {
    uint8 internal constant ACCOUNT_DEPTH = 2;
    uint8 internal constant MARKETS = 2;
    uint32 internal constant BATCH_SLOTS = 8;
    uint64 internal constant PRIORITY_DEADLINE = 3 days;
    uint64 internal constant TIMESTAMP_TOLERANCE = 15 minutes;
    uint64 internal constant GENESIS_TIME = 1_700_000_000;
    bytes32 internal constant GENESIS_ROOT = bytes32(uint256(0x1234));
    uint256 internal constant MASK = (1 << 253) - 1;

    // A BabyJubJub point (circomlibjs Base8).
    uint256 internal constant KEY_X = 5299619240641551281634865583518297030282874472190772894086521144482721001553;
    uint256 internal constant KEY_Y = 16950150798460657717958625567821834550301663161624707787222815936182638968203;

    address internal constant OPERATOR = address(0x0B0B);
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);

    ZkPerp internal perp;
    MockQuoteToken internal token;
    CommitmentCheckingVerifierDouble internal verifier;
    PoseidonHashers internal hashers;
    StoredBatchInfo internal lastBatch;
    uint256 internal proofTag = 1;

    function setUp() public virtual override {
        vm.warp(GENESIS_TIME + 1 hours);
        token = new MockQuoteToken();
        verifier = new CommitmentCheckingVerifierDouble();
        hashers = PoseidonDeployer.deployHashers(MARKETS);
        perp = deployPerp(address(token), GENESIS_ROOT);
        lastBatch = StoredBatchInfo(0, GENESIS_TIME, GENESIS_ROOT, 0);
    }

    function parameters(address token_, bytes32 genesisRoot) internal view returns (ZkPerpParameters memory) {
        return ZkPerpParameters({
            token: token_,
            verifier: address(verifier),
            operator: OPERATOR,
            accountDepth: ACCOUNT_DEPTH,
            markets: MARKETS,
            batchSlots: BATCH_SLOTS,
            priorityDeadlineSeconds: PRIORITY_DEADLINE,
            timestampToleranceSeconds: TIMESTAMP_TOLERANCE,
            genesisStateRoot: genesisRoot,
            genesisTimestamp: GENESIS_TIME,
            poseidon: hashers
        });
    }

    function deployPerp(address token_, bytes32 genesisRoot) internal returns (ZkPerp) {
        return new ZkPerp(parameters(token_, genesisRoot));
    }

    // ---------------------------------------------------------------- deposits

    function fund(address user, uint256 amount) internal {
        token.mint(user, amount);
        vm.prank(user);
        token.approve(address(perp), type(uint256).max);
    }

    function depositNew(address user, uint256 amount) internal returns (uint32 accountIndex, bytes memory record) {
        fund(user, amount);
        vm.prank(user);
        (accountIndex,) = perp.depositNewAccount(user, KEY_X, KEY_Y, 0, amount);
        record = newAccountRecord(accountIndex, 0, amount, user);
    }

    /// @dev Written out byte by byte from docs/protocol.md §6, independently of the Pubdata library.
    function newAccountRecord(uint32 accountIndex, uint8 mode, uint256 amount, address owner)
        internal
        pure
        returns (bytes memory)
    {
        return bytes.concat(
            bytes1(0x02), bytes1(mode), bytes3(uint24(accountIndex)), bytes7(uint56(amount)), bytes20(owner),
            packedBase8()
        );
    }

    function topUpRecord(uint32 accountIndex, uint256 amount, address depositor) internal pure returns (bytes memory) {
        return bytes.concat(
            bytes1(0x01), bytes1(0), bytes3(uint24(accountIndex)), bytes7(uint56(amount)), bytes20(depositor)
        );
    }

    /// @dev 2 chunks: type · account · amount · to ‖ storageId · 28 zero bytes.
    function withdrawRecord(uint32 accountIndex, uint256 amount, address to, uint32 storageId)
        internal
        pure
        returns (bytes memory)
    {
        return bytes.concat(
            bytes1(0x04), bytes3(uint24(accountIndex)), bytes8(uint64(amount)), bytes20(to), bytes4(storageId),
            bytes28(0)
        );
    }

    /// @dev The default storage id starts with byte 0x05, the forced-withdrawal type: a walker that read the
    /// second chunk as a record would try to match it against the queue.
    function withdrawRecord(uint32 accountIndex, uint256 amount, address to) internal pure returns (bytes memory) {
        return withdrawRecord(accountIndex, amount, to, 0x05000007);
    }

    /// @dev 2 chunks: type · account · withdrawn · requester ‖ requestedAmount · 24 zero bytes.
    function forcedRecord(uint32 accountIndex, uint256 withdrawn, address requester, uint256 requestedAmount)
        internal
        pure
        returns (bytes memory)
    {
        return bytes.concat(
            bytes1(0x05), bytes3(uint24(accountIndex)), bytes8(uint64(withdrawn)), bytes20(requester),
            bytes8(uint64(requestedAmount)), bytes24(0)
        );
    }

    function tradeRecord(uint8 market, uint32 taker, uint32 maker, uint256 size, uint256 price)
        internal
        pure
        returns (bytes memory)
    {
        return bytes.concat(
            bytes1(0x03), bytes1(market), bytes1(0x01), bytes3(uint24(taker)), bytes3(uint24(maker)),
            bytes5(uint40(size)), bytes6(uint48(price)), bytes4(uint32(7)), bytes4(uint32(9)), bytes4(0)
        );
    }

    /// @dev circomlibjs packPoint(Base8), from `babyJub.packPoint(babyJub.Base8)`.
    function packedBase8() internal pure returns (bytes32) {
        return 0x8b7d2d877a253c4b7733e1b91f05e0fcedf96bd11c2e572549b2a0f703727925;
    }

    // ---------------------------------------------------------------- batches

    function header(bytes32 newRoot) internal view returns (BatchHeader memory) {
        return BatchHeader(lastBatch.batchNumber + 1, uint64(block.timestamp), newRoot);
    }

    /// @dev §7, computed with Solidity's sha256 over an explicitly padded preimage (not the contract's assembly).
    function expectedCommitment(bytes32 oldRoot, bytes32 newRoot, uint64 timestamp, bytes memory pubdata)
        internal
        pure
        returns (uint256)
    {
        bytes memory padded = new bytes(uint256(BATCH_SLOTS) * 32);
        for (uint256 i = 0; i < pubdata.length; ++i) {
            padded[i] = pubdata[i];
        }
        return uint256(sha256(abi.encodePacked(oldRoot, newRoot, timestamp, padded))) & MASK;
    }

    function proof() internal view returns (Proof memory p) {
        p.a[0] = proofTag;
    }

    /// @dev Configures the verifier double for exactly this batch and submits it as the operator.
    function submit(BatchHeader memory batchHeader, bytes memory pubdata) internal {
        uint256 commitment = expectedCommitment(lastBatch.stateRoot, batchHeader.newStateRoot, batchHeader.timestamp, pubdata);
        verifier.expect(commitment, proofTag);
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, pubdata, proof());
        lastBatch = StoredBatchInfo(batchHeader.batchNumber, batchHeader.timestamp, batchHeader.newStateRoot, commitment);
    }

    function submit(bytes memory pubdata) internal {
        submit(header(bytes32(uint256(lastBatch.stateRoot) + 1)), pubdata);
    }
}
