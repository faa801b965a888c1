// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IZkPerp} from "../src/interfaces/IZkPerp.sol";
import {ZkPerp} from "../src/ZkPerp.sol";
import {BatchHeader, Proof, StoredBatchInfo} from "../src/types/ZkPerpTypes.sol";
import {RealBatchFixture} from "./helpers/RealBatchFixture.sol";

/// @notice `submitBatch` with real Groth16 proofs of the `test` batch circuit and the generated verifier: the
/// committed two-batch scenario (batch 1: two new-account deposits; batch 2: oracle update, a trade with fees, a
/// top-up, a trimmed noop) is queued through the real deposit calls and accepted; every tampering is refused.
/// Gas: `forge test --isolate --match-test test_gas -vv` gives whole-transaction figures.
contract RealBatchProofTest is RealBatchFixture {
    event log_named_uint(string key, uint256 val);

    function assertProven(uint256 batch) internal view {
        assertEq(perp.lastBatchHash(), keccak256(abi.encode(storedInfo(batch))), "stored batch info");
        assertEq(perp.lastBatchNumber(), batch, "batch number");
    }

    function test_submitBatch_AcceptsRealProofOfTheDepositBatch() public {
        makeAllDeposits();
        uint256 firstTwo = u(".deposits[0].amount") + u(".deposits[1].amount");
        BatchHeader memory h = batchHeader(1);
        vm.expectEmit();
        emit IZkPerp.BatchVerified(h.batchNumber, h.newStateRoot, h.timestamp, batchCommitment(1), 2);
        submit(1);

        assertProven(1);
        assertEq(perp.priorityHead(), 2, "two deposits consumed");
        (bytes24 consumed,) = perp.priorityOps(0);
        assertEq(bytes32(consumed), bytes32(0), "consumed op deleted");
        assertEq(perp.provenCollateral(), firstTwo, "proven collateral");
        assertEq(perp.totalUnprocessedDeposits(), u(".deposits[2].amount"), "top-up still pending");
    }

    function test_submitBatch_AcceptsRealProofsOfBothBatchesAndConsumesTheQueue() public {
        makeAllDeposits();
        submit(1);
        BatchHeader memory h = batchHeader(2);
        bytes memory pubdata = batchPubdata(2);
        assertTrue(pubdata.length < u(".sizes.batchSlots") * 32, "trailing noop trimmed");
        vm.expectEmit();
        emit IZkPerp.BatchVerified(h.batchNumber, h.newStateRoot, h.timestamp, batchCommitment(2), 1);
        submit(2);

        assertProven(2);
        assertEq(perp.priorityHead(), perp.priorityTail(), "queue consumed");
        assertEq(perp.priorityHead(), 3, "three priority ops");
        assertEq(perp.totalUnprocessedDeposits(), 0, "nothing pending");
        assertEq(
            perp.provenCollateral(),
            u(".deposits[0].amount") + u(".deposits[1].amount") + u(".deposits[2].amount"),
            "every deposit proven"
        );
        assertEq(token.balanceOf(address(perp)), perp.provenCollateral(), "balance covers collateral");
    }

    function test_batchCommitment_EqualsTheCircuitsPublicInput() public view {
        for (uint256 batch = 1; batch <= 2; ++batch) {
            StoredBatchInfo memory last = previousInfo(batch);
            BatchHeader memory h = batchHeader(batch);
            assertEq(
                perp.batchCommitment(last.stateRoot, h.newStateRoot, h.timestamp, batchPubdata(batch)),
                batchCommitment(batch),
                "trimmed pubdata"
            );
            assertEq(
                perp.batchCommitment(last.stateRoot, h.newStateRoot, h.timestamp, vm.parseJsonBytes(fixture, batchKey(batch, "paddedPubdata"))),
                batchCommitment(batch),
                "padded pubdata"
            );
        }
    }

    // ---------------------------------------------------------------- rejections of the same real proof

    function test_RevertWhen_PubdataByteSwappedInTheTrade() public {
        makeAllDeposits();
        submit(1);
        vm.warp(batchHeader(2).timestamp);
        bytes memory pubdata = batchPubdata(2);
        // The trade's first price byte (record offset 14): no priority record changes, only the commitment.
        uint256 at = u(batchKey(2, "tradeOffset")) + 14;
        pubdata[at] = bytes1(uint8(pubdata[at]) ^ 0x01);
        vm.prank(OPERATOR);
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        perp.submitBatch(storedInfo(1), batchHeader(2), pubdata, batchProof(2));
    }

    function test_RevertWhen_PubdataByteSwappedInADepositRecord() public {
        makeAllDeposits();
        vm.warp(batchHeader(1).timestamp);
        bytes memory pubdata = batchPubdata(1);
        pubdata[11] = bytes1(uint8(pubdata[11]) ^ 0x01); // alice's amount, last byte
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, uint64(0), uint256(0)));
        perp.submitBatch(genesisInfo(), batchHeader(1), pubdata, batchProof(1));
    }

    function test_RevertWhen_TrailingNoopIsNotZero() public {
        makeAllDeposits();
        submit(1);
        vm.warp(batchHeader(2).timestamp);
        // The trimmed slot sent back with a nonzero byte: it is a noop type with a stray byte (the circuit hashed zeros).
        bytes memory pubdata = bytes.concat(batchPubdata(2), bytes32(uint256(1)));
        vm.prank(OPERATOR);
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        perp.submitBatch(storedInfo(1), batchHeader(2), pubdata, batchProof(2));
    }

    function test_RevertWhen_OldRootDiffersFromTheStoredBatch() public {
        makeAllDeposits();
        vm.warp(batchHeader(1).timestamp);
        StoredBatchInfo memory other = genesisInfo();
        other.stateRoot = bytes32(uint256(other.stateRoot) + 1);
        vm.prank(OPERATOR);
        vm.expectRevert(
            abi.encodeWithSelector(
                IZkPerp.StoredBatchMismatch.selector, keccak256(abi.encode(genesisInfo())), keccak256(abi.encode(other))
            )
        );
        perp.submitBatch(other, batchHeader(1), batchPubdata(1), batchProof(1));
    }

    /// @notice A rollup whose genesis is another root stores that root: the stored info matches, the proof does not.
    function test_RevertWhen_TheProofIsForAnotherOldRoot() public {
        bytes32 otherRoot = bytes32(uint256(genesisRoot()) + 1);
        perp = deployPerp(otherRoot);
        makeAllDeposits();
        vm.warp(batchHeader(1).timestamp);
        StoredBatchInfo memory last = genesisInfo();
        last.stateRoot = otherRoot;
        vm.prank(OPERATOR);
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        perp.submitBatch(last, batchHeader(1), batchPubdata(1), batchProof(1));
    }

    function test_RevertWhen_TheNewRootOrTimestampDiffersFromTheProof() public {
        makeAllDeposits();
        vm.warp(batchHeader(1).timestamp);
        BatchHeader memory h = batchHeader(1);
        h.newStateRoot = bytes32(uint256(h.newStateRoot) ^ 1);
        vm.prank(OPERATOR);
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        perp.submitBatch(genesisInfo(), h, batchPubdata(1), batchProof(1));

        h = batchHeader(1);
        h.timestamp -= 1;
        vm.prank(OPERATOR);
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        perp.submitBatch(genesisInfo(), h, batchPubdata(1), batchProof(1));
    }

    function test_RevertWhen_TheProofIsTampered() public {
        makeAllDeposits();
        vm.warp(batchHeader(1).timestamp);
        Proof memory proof = batchProof(1);
        // -A is still on the curve: only the pairing check can refuse it.
        proof.a[1] = 21888242871839275222246405745257275088696311157297823662689037894645226208583 - proof.a[1];
        vm.prank(OPERATOR);
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        perp.submitBatch(genesisInfo(), batchHeader(1), batchPubdata(1), proof);

        // Batch 2's proof is valid, for another commitment.
        vm.prank(OPERATOR);
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        perp.submitBatch(genesisInfo(), batchHeader(1), batchPubdata(1), batchProof(2));
    }

    function test_RevertWhen_TheBatchIsReplayed() public {
        makeAllDeposits();
        submit(1);
        bytes memory pubdata = batchPubdata(1);
        Proof memory proof = batchProof(1);

        // Against the genesis info it came from: no longer stored.
        vm.prank(OPERATOR);
        vm.expectRevert(
            abi.encodeWithSelector(
                IZkPerp.StoredBatchMismatch.selector, keccak256(abi.encode(storedInfo(1))), keccak256(abi.encode(genesisInfo()))
            )
        );
        perp.submitBatch(genesisInfo(), batchHeader(1), pubdata, proof);

        // On top of itself with its own number.
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.BatchNumberMismatch.selector, uint64(2), uint64(1)));
        perp.submitBatch(storedInfo(1), batchHeader(1), pubdata, proof);

        // On top of itself as batch 2: its deposits were consumed, the queue head is now the top-up.
        BatchHeader memory asNext = batchHeader(1);
        asNext.batchNumber = 2;
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, uint64(2), uint256(0)));
        perp.submitBatch(storedInfo(1), asNext, pubdata, proof);

        // And batch 2 still goes through afterwards.
        submit(2);
        assertProven(2);
    }

    function test_RevertWhen_APriorityRecordDiffersFromTheQueue() public {
        // Alice deposits one unit more on L1 than the proven pubdata credits.
        makeDeposit(0, u(".deposits[0].amount") + 1);
        makeDeposit(1);
        vm.warp(batchHeader(1).timestamp);
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, uint64(0), uint256(0)));
        perp.submitBatch(genesisInfo(), batchHeader(1), batchPubdata(1), batchProof(1));
    }

    function test_RevertWhen_ThePriorityRecordIsQueuedByAnotherDepositor() public {
        makeDeposit(0);
        makeDeposit(1);
        submit(1);
        // The top-up, same account and amount, sent by someone else: the record's depositor differs.
        uint256 amount = u(".deposits[2].amount");
        address stranger = address(0x5714);
        fund(stranger, amount);
        vm.prank(stranger);
        perp.depositTo(uint32(u(".deposits[2].accountIndex")), amount);
        vm.warp(batchHeader(2).timestamp);
        uint256 topUpOffset = 64; // oracle update, trade, then the top-up
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, uint64(2), topUpOffset));
        perp.submitBatch(storedInfo(1), batchHeader(2), batchPubdata(2), batchProof(2));
    }

    function test_RevertWhen_TheBatchSkipsAQueuedPriorityOp() public {
        // A top-up of the fee account is queued first; the batch starts with alice's deposit and skips it.
        address stranger = address(0x5714);
        fund(stranger, 1_000_000);
        vm.prank(stranger);
        perp.depositTo(1, 1_000_000);
        makeAllDeposits();
        vm.warp(batchHeader(1).timestamp);
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, uint64(0), uint256(0)));
        perp.submitBatch(genesisInfo(), batchHeader(1), batchPubdata(1), batchProof(1));
    }

    function test_RevertWhen_ThePriorityRecordWasNeverQueued() public {
        makeDeposit(0);
        makeDeposit(1);
        submit(1);
        vm.warp(batchHeader(2).timestamp);
        vm.prank(OPERATOR);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityQueueExhausted.selector, uint256(64)));
        perp.submitBatch(storedInfo(1), batchHeader(2), batchPubdata(2), batchProof(2));
    }

    // ---------------------------------------------------------------- gas

    function test_gas_submitBatchWithTheRealVerifier() public {
        makeAllDeposits();
        uint256 deposits = submit(1);
        uint256 trade = submit(2);
        emit log_named_uint("submitBatch, real verifier, batch 1 (2 new-account deposits, 4 chunks)", deposits);
        emit log_named_uint("submitBatch, real verifier, batch 2 (oracle, trade, top-up; 3 of 4 chunks)", trade);
        Proof memory proof = batchProof(2);
        uint256 commitment = batchCommitment(2);
        uint256 before = gasleft();
        bool valid = verifier.verifyProof(proof.a, proof.b, proof.c, [commitment]);
        uint256 verifyGas = before - gasleft();
        assertTrue(valid, "fixture proof");
        emit log_named_uint("BatchVerifierTest.verifyProof alone (warm, in-transaction)", verifyGas);
    }
}
