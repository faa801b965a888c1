// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {TestBase} from "../base/TestBase.sol";
import {ZkPerp} from "../../src/ZkPerp.sol";
import {MockQuoteToken} from "../../src/test-tokens/MockQuoteToken.sol";
import {BatchVerifierTest} from "../../src/verifiers/BatchVerifierTest.sol";
import {BatchHeader, Proof, StoredBatchInfo, ZkPerpParameters} from "../../src/types/ZkPerpTypes.sol";
import {PoseidonDeployer} from "./PoseidonDeployer.sol";

/// @notice A ZkPerp on the `test` batch circuit's sizes with the real generated verifier (`BatchVerifierTest`) and
/// the committed real-proof scenario (contracts/test/fixtures/batchTest.json, written by
/// scripts/circuit/generateBatchFixtures.ts): its L1 deposit calls, batch headers, pubdata and proofs.
abstract contract RealBatchFixture is TestBase {
    uint64 internal constant PRIORITY_DEADLINE = 3 days;
    uint64 internal constant TIMESTAMP_TOLERANCE = 15 minutes;
    address internal constant OPERATOR = address(0x0B0B);

    string internal fixture;
    ZkPerp internal perp;
    MockQuoteToken internal token;
    BatchVerifierTest internal verifier;

    function setUp() public virtual override {
        fixture = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/fixtures/batchTest.json"));
        vm.warp(genesisTimestamp());
        token = new MockQuoteToken();
        verifier = new BatchVerifierTest();
        perp = deployPerp(genesisRoot());
    }

    // ---------------------------------------------------------------- fixture reads

    function u(string memory path) internal view returns (uint256) {
        return vm.parseJsonUint(fixture, path);
    }

    function batchKey(uint256 batch, string memory field) internal pure returns (string memory) {
        return string.concat(".batches[", Strings.toString(batch - 1), "].", field);
    }

    function depositKey(uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".deposits[", Strings.toString(i), "].", field);
    }

    function genesisRoot() internal view returns (bytes32) {
        return bytes32(u(".genesis.stateRoot"));
    }

    function genesisTimestamp() internal view returns (uint64) {
        return uint64(u(".genesis.timestamp"));
    }

    function genesisInfo() internal view returns (StoredBatchInfo memory) {
        return StoredBatchInfo(0, genesisTimestamp(), genesisRoot(), 0);
    }

    function depositCount() internal view returns (uint256 count) {
        while (vm.keyExistsJson(fixture, string.concat(".deposits[", Strings.toString(count), "]"))) ++count;
    }

    /// @dev Batch numbers start at 1, as on L1.
    function batchHeader(uint256 batch) internal view returns (BatchHeader memory) {
        return BatchHeader(
            uint64(u(batchKey(batch, "batchNumber"))),
            uint64(u(batchKey(batch, "timestamp"))),
            bytes32(u(batchKey(batch, "newStateRoot")))
        );
    }

    function batchPubdata(uint256 batch) internal view returns (bytes memory) {
        return vm.parseJsonBytes(fixture, batchKey(batch, "pubdata"));
    }

    function batchCommitment(uint256 batch) internal view returns (uint256) {
        return u(batchKey(batch, "commitment"));
    }

    function batchProof(uint256 batch) internal view returns (Proof memory proof) {
        proof.a = pair(batchKey(batch, "proof.a"));
        proof.b[0] = pair(batchKey(batch, "proof.b[0]"));
        proof.b[1] = pair(batchKey(batch, "proof.b[1]"));
        proof.c = pair(batchKey(batch, "proof.c"));
    }

    /// @dev What the contract stores (as its hash) once `batch` is proven.
    function storedInfo(uint256 batch) internal view returns (StoredBatchInfo memory) {
        BatchHeader memory h = batchHeader(batch);
        return StoredBatchInfo(h.batchNumber, h.timestamp, h.newStateRoot, batchCommitment(batch));
    }

    /// @dev The stored info `batch` builds on: genesis for batch 1.
    function previousInfo(uint256 batch) internal view returns (StoredBatchInfo memory) {
        return batch == 1 ? genesisInfo() : storedInfo(batch - 1);
    }

    function pair(string memory path) internal view returns (uint256[2] memory values) {
        uint256[] memory read = vm.parseJsonUintArray(fixture, path);
        assertEq(read.length, 2, path);
        values[0] = read[0];
        values[1] = read[1];
    }

    // ---------------------------------------------------------------- deployment and L1 calls

    function deployPerp(bytes32 genesisStateRoot) internal returns (ZkPerp) {
        uint8 markets = uint8(u(".sizes.markets"));
        return new ZkPerp(
            ZkPerpParameters({
                token: address(token),
                verifier: address(verifier),
                operator: OPERATOR,
                accountDepth: uint8(u(".sizes.accountDepth")),
                markets: markets,
                batchSlots: uint32(u(".sizes.batchSlots")),
                priorityDeadlineSeconds: PRIORITY_DEADLINE,
                timestampToleranceSeconds: TIMESTAMP_TOLERANCE,
                genesisStateRoot: genesisStateRoot,
                genesisTimestamp: genesisTimestamp(),
                poseidon: PoseidonDeployer.deployHashers(markets)
            })
        );
    }

    function fund(address user, uint256 amount) internal {
        token.mint(user, amount);
        vm.prank(user);
        token.approve(address(perp), type(uint256).max);
    }

    /// @dev Makes deposit `i` of the fixture through the real token flow, as its caller, with `amount`; returns
    /// the priority index it got.
    function makeDeposit(uint256 i, uint256 amount) internal returns (uint64 priorityIndex) {
        address caller = address(uint160(u(depositKey(i, "caller"))));
        uint32 accountIndex = uint32(u(depositKey(i, "accountIndex")));
        fund(caller, amount);
        vm.prank(caller);
        if (keccak256(bytes(vm.parseJsonString(fixture, depositKey(i, "call")))) == keccak256("depositNewAccount")) {
            uint32 assigned;
            (assigned, priorityIndex) = perp.depositNewAccount(
                address(uint160(u(depositKey(i, "owner")))),
                u(depositKey(i, "publicKeyX")),
                u(depositKey(i, "publicKeyY")),
                u(depositKey(i, "mode")),
                amount
            );
            assertEq(assigned, accountIndex, "account index assigned in queue order");
        } else {
            priorityIndex = perp.depositTo(accountIndex, amount);
        }
    }

    /// @dev Deposit `i` exactly as the fixture says; checks the contract queued the record the batch carries.
    function makeDeposit(uint256 i) internal returns (uint64 priorityIndex) {
        priorityIndex = makeDeposit(i, u(depositKey(i, "amount")));
        (bytes24 queued,) = perp.priorityOps(priorityIndex);
        bytes memory record = vm.parseJsonBytes(fixture, depositKey(i, "record"));
        assertEq(bytes32(queued), bytes32(bytes24(keccak256(record))), "L1 queued the record the proven pubdata carries");
    }

    function makeAllDeposits() internal {
        uint256 count = depositCount();
        for (uint256 i = 0; i < count; ++i) {
            makeDeposit(i);
        }
    }

    /// @dev Warps to the batch time and submits it as the operator with the given pieces; returns the gas used by
    /// the call (in-transaction: no intrinsic or calldata gas unless run with --isolate).
    function submit(StoredBatchInfo memory lastBatch, BatchHeader memory header, bytes memory pubdata, Proof memory proof)
        internal
        returns (uint256 gasUsed)
    {
        vm.prank(OPERATOR);
        uint256 before = gasleft();
        perp.submitBatch(lastBatch, header, pubdata, proof);
        gasUsed = before - gasleft();
    }

    function submit(uint256 batch) internal returns (uint256 gasUsed) {
        vm.warp(batchHeader(batch).timestamp);
        gasUsed = submit(previousInfo(batch), batchHeader(batch), batchPubdata(batch), batchProof(batch));
    }
}
