// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ZkPerp} from "../src/ZkPerp.sol";
import {IZkPerp} from "../src/interfaces/IZkPerp.sol";
import {BabyJubJub} from "../src/libraries/BabyJubJub.sol";
import {Pubdata} from "../src/libraries/Pubdata.sol";
import {BatchHeader, StoredBatchInfo, ZkPerpParameters} from "../src/types/ZkPerpTypes.sol";
import {ZkPerpFixture} from "./helpers/ZkPerpFixture.sol";

contract ZkPerpDepositTest is ZkPerpFixture {
    function test_depositNewAccount_AssignsIndicesFromTwoInQueueOrder() public {
        (uint32 first,) = depositNew(ALICE, 100e6);
        (uint32 second,) = depositNew(BOB, 5e6);
        assertEq(first, 2, "first index");
        assertEq(second, 3, "second index");
        assertEq(perp.priorityTail(), 2, "queue length");
        assertEq(perp.totalUnprocessedDeposits(), 105e6, "unprocessed");
        assertEq(token.balanceOf(address(perp)), 105e6, "custody");
    }

    function test_depositNewAccount_QueuesHashOfExactRecord() public {
        (, bytes memory record) = depositNew(ALICE, 100e6);
        (bytes24 recordHash, uint64 deadline) = perp.priorityOps(0);
        assertEq(bytes32(recordHash), bytes32(bytes24(keccak256(record))), "record hash");
        assertEq(deadline, block.timestamp + PRIORITY_DEADLINE, "deadline");
    }

    function test_depositNewAccount_EmitsDepositQueuedAndAccountRegistered() public {
        fund(ALICE, 1e6);
        bytes memory record = newAccountRecord(2, 1, 1e6, ALICE);
        vm.expectEmit();
        emit IZkPerp.DepositQueued(0, 2, ALICE, 1e6, uint64(block.timestamp + PRIORITY_DEADLINE), record);
        vm.expectEmit();
        emit IZkPerp.AccountRegistered(2, ALICE, KEY_X, KEY_Y, 1);
        vm.prank(ALICE);
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 1, 1e6);
    }

    function test_depositTo_QueuesTopUpRecordWithDepositor() public {
        (uint32 account,) = depositNew(ALICE, 1e6);
        fund(BOB, 3e6);
        bytes memory record = topUpRecord(account, 3e6, BOB);
        vm.expectEmit();
        emit IZkPerp.DepositQueued(1, account, BOB, 3e6, uint64(block.timestamp + PRIORITY_DEADLINE), record);
        vm.prank(BOB);
        perp.depositTo(account, 3e6);
        (bytes24 recordHash,) = perp.priorityOps(1);
        assertEq(bytes32(recordHash), bytes32(bytes24(keccak256(record))), "record hash");
    }

    function test_depositTo_AcceptsSystemAccounts() public {
        fund(BOB, 1e6);
        vm.prank(BOB);
        perp.depositTo(0, 1e6);
        assertEq(perp.priorityTail(), 1, "queued");
    }

    function test_RevertWhen_DepositToUnknownAccount() public {
        fund(BOB, 1e6);
        vm.prank(BOB);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.UnknownAccount.selector, 2, 2));
        perp.depositTo(2, 1e6);
    }

    function test_RevertWhen_DepositAmountZero() public {
        fund(ALICE, 1e6);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.InvalidDepositAmount.selector, 0));
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 0);
    }

    function test_RevertWhen_DepositAmountOver56Bits() public {
        fund(ALICE, 1 << 56);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.InvalidDepositAmount.selector, 1 << 56));
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 1 << 56);
    }

    function test_RevertWhen_OwnerIsZero() public {
        fund(ALICE, 1e6);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.InvalidOwner.selector, address(0)));
        perp.depositNewAccount(address(0), KEY_X, KEY_Y, 0, 1e6);
    }

    function test_RevertWhen_MarginModeBeyondMarkets() public {
        fund(ALICE, 1e6);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.InvalidMarginMode.selector, 3, 2));
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 3, 1e6);
    }

    function test_RevertWhen_PublicKeyNotOnCurve() public {
        fund(ALICE, 1e6);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PublicKeyNotOnCurve.selector, KEY_X, KEY_Y + 1));
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y + 1, 0, 1e6);
    }

    function test_RevertWhen_L1AccountRangeFull() public {
        // Depth 2: deposits create 2..7; 8..15 belong to accounts L2 transfers create.
        assertEq(perp.FIRST_L2_ACCOUNT_INDEX(), 8, "first L2 index");
        for (uint256 i = 2; i < 8; ++i) {
            depositNew(ALICE, 1);
        }
        assertEq(perp.nextAccountIndex(), 8, "counter at the upper half");
        fund(ALICE, 1);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.L1AccountRangeFull.selector, 8));
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 1);
    }

    function test_depositNewAccount_AcceptsOnCurveKeysOutsideThePrimeSubgroup() public {
        // (0, p − 1) has order 2 and (−Base8.x, −Base8.y) = Base8 + (0, −1) has order 2·l: the circuit must be able
        // to process them, so L1 must queue them (they can never sign).
        uint256 p = BabyJubJub.FIELD_MODULUS;
        fund(ALICE, 2);
        vm.startPrank(ALICE);
        (uint32 first,) = perp.depositNewAccount(ALICE, 0, p - 1, 0, 1);
        (uint32 second,) = perp.depositNewAccount(ALICE, p - KEY_X, p - KEY_Y, 2, 1);
        vm.stopPrank();
        assertEq(first, 2, "order 2");
        assertEq(second, 3, "order 2l");
    }

    function test_depositNewAccount_AcceptsEveryModeUpToM() public {
        fund(ALICE, 3);
        vm.startPrank(ALICE);
        for (uint256 mode = 0; mode <= MARKETS; ++mode) {
            perp.depositNewAccount(ALICE, KEY_X, KEY_Y, mode, 1);
        }
        vm.stopPrank();
        assertEq(perp.priorityTail(), 3, "cross and both isolated modes");
    }

    function test_requestForcedWithdrawal_QueuesAccountRequesterAndAmountKey() public {
        (uint32 account,) = depositNew(ALICE, 1e6);
        vm.expectEmit();
        emit IZkPerp.ForcedWithdrawalRequested(1, account, ALICE, 5e5, uint64(block.timestamp + PRIORITY_DEADLINE));
        vm.prank(ALICE);
        perp.requestForcedWithdrawal(account, 5e5);
        (bytes24 recordHash,) = perp.priorityOps(1);
        bytes32 key = keccak256(abi.encodePacked(bytes3(uint24(account)), ALICE, bytes8(uint64(5e5))));
        assertEq(bytes32(recordHash), bytes32(bytes24(key)), "key");
    }

    function test_requestForcedWithdrawal_AcceptsTheL2CreatedRange() public {
        // L1 cannot tell which upper-half indices L2 transfers created: the request is queued, L2 pays 0 if empty.
        vm.startPrank(ALICE);
        perp.requestForcedWithdrawal(8, 1);
        perp.requestForcedWithdrawal(15, Pubdata.MAX_WITHDRAWAL_AMOUNT);
        vm.stopPrank();
        assertEq(perp.priorityTail(), 2, "queued");
    }

    function test_RevertWhen_ForcedWithdrawalForUnknownAccount() public {
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.UnknownAccount.selector, 7, 2));
        perp.requestForcedWithdrawal(7, 1);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.AccountIndexOutOfRange.selector, 16, 16));
        perp.requestForcedWithdrawal(16, 1);
    }

    function test_RevertWhen_ForcedWithdrawalAmountAbove63Bits() public {
        (uint32 account,) = depositNew(ALICE, 1e6);
        uint256 tooMuch = Pubdata.MAX_WITHDRAWAL_AMOUNT + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IZkPerp.InvalidForcedWithdrawalAmount.selector, tooMuch, Pubdata.MAX_WITHDRAWAL_AMOUNT)
        );
        vm.prank(ALICE);
        perp.requestForcedWithdrawal(account, tooMuch);
    }

    function testFuzz_deposit_CreditsReceivedAmount(uint56 amount) public {
        vm.assume(amount > 0);
        (uint32 account, bytes memory record) = depositNew(ALICE, amount);
        assertEq(account, 2, "index");
        (bytes24 recordHash,) = perp.priorityOps(0);
        assertEq(bytes32(recordHash), bytes32(bytes24(keccak256(record))), "record");
        assertEq(perp.totalUnprocessedDeposits(), amount, "unprocessed");
    }
}

contract BabyJubJubTest is ZkPerpFixture {
    function test_pack_MatchesCircomlibjsPackPoint() public pure {
        assertEq(BabyJubJub.pack(KEY_X, KEY_Y), packedBase8(), "Base8");
        // -Base8 = (p - x, y): circomlibjs sets bit 7 of the last byte.
        assertEq(
            BabyJubJub.pack(BabyJubJub.FIELD_MODULUS - KEY_X, KEY_Y),
            0x8b7d2d877a253c4b7733e1b91f05e0fcedf96bd11c2e572549b2a0f7037279a5,
            "-Base8"
        );
    }

    function test_isOnCurve_RejectsNonCanonicalCoordinates() public pure {
        assertTrue(BabyJubJub.isOnCurve(KEY_X, KEY_Y), "Base8");
        assertTrue(BabyJubJub.isOnCurve(0, 1), "identity");
        assertFalse(BabyJubJub.isOnCurve(KEY_X + BabyJubJub.FIELD_MODULUS, KEY_Y), "x + p");
        assertFalse(BabyJubJub.isOnCurve(KEY_X, KEY_Y + 1), "off curve");
    }
}

contract ZkPerpBatchTest is ZkPerpFixture {
    function test_submitBatch_EmitsBatchVerifiedAndStoresOnlyTheHash() public {
        bytes memory pubdata = tradeRecord(0, 2, 3, 10, 1_000);
        BatchHeader memory batchHeader = header(bytes32(uint256(77)));
        uint256 commitment = expectedCommitment(GENESIS_ROOT, batchHeader.newStateRoot, batchHeader.timestamp, pubdata);
        verifier.expect(commitment, proofTag);
        vm.expectEmit();
        emit IZkPerp.BatchVerified(1, batchHeader.newStateRoot, batchHeader.timestamp, commitment, 0);
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, pubdata, proof());
        StoredBatchInfo memory stored = StoredBatchInfo(1, batchHeader.timestamp, batchHeader.newStateRoot, commitment);
        assertEq(perp.lastBatchHash(), keccak256(abi.encode(stored)), "stored hash");
        assertEq(perp.lastBatchNumber(), 1, "batch number");
    }

    function test_batchCommitment_MatchesSha256OfPaddedPreimage() public view {
        bytes memory pubdata = bytes.concat(tradeRecord(1, 4, 5, 99, 123_456), withdrawRecord(3, 5, BOB));
        assertEq(
            perp.batchCommitment(GENESIS_ROOT, bytes32(uint256(5)), 1_700_000_123, pubdata),
            expectedCommitment(GENESIS_ROOT, bytes32(uint256(5)), 1_700_000_123, pubdata),
            "commitment"
        );
    }

    function test_submitBatch_ConsumesPriorityRecordsInQueueOrder() public {
        (uint32 alice, bytes memory aliceRecord) = depositNew(ALICE, 100e6);
        (, bytes memory bobRecord) = depositNew(BOB, 50e6);
        fund(BOB, 7e6);
        vm.prank(BOB);
        perp.depositTo(alice, 7e6);
        vm.prank(ALICE);
        perp.requestForcedWithdrawal(alice, 1e6);

        submit(bytes.concat(
            aliceRecord, tradeRecord(0, 2, 3, 1, 1), bobRecord, topUpRecord(alice, 7e6, BOB),
            forcedRecord(alice, 1e6, ALICE, 1e6)
        ));
        assertEq(perp.priorityHead(), 4, "head");
        assertEq(perp.totalUnprocessedDeposits(), 0, "unprocessed");
        assertEq(perp.provenCollateral(), 156e6, "collateral");
        assertEq(perp.pendingWithdrawals(ALICE), 1e6, "forced credited");
        assertEq(perp.totalPendingWithdrawals(), 1e6, "total pending");
        (bytes24 cleared,) = perp.priorityOps(0);
        assertEq(bytes32(cleared), bytes32(0), "entry deleted");
    }

    function test_submitBatch_CreditsWithdrawalsToSignedAddress() public {
        (, bytes memory record) = depositNew(ALICE, 100e6);
        submit(record);
        bytes memory pubdata = withdrawRecord(2, 40e6, BOB);
        BatchHeader memory batchHeader = header(bytes32(uint256(5)));
        verifier.expect(expectedCommitment(lastBatch.stateRoot, batchHeader.newStateRoot, batchHeader.timestamp, pubdata), proofTag);
        vm.expectEmit();
        emit IZkPerp.WithdrawalCredited(BOB, 40e6);
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, pubdata, proof());
        assertEq(perp.pendingWithdrawals(BOB), 40e6, "pending");
        assertEq(perp.provenCollateral(), 60e6, "collateral");
    }

    function test_RevertWhen_NotOperator() public {
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.NotOperator.selector, ALICE));
        vm.prank(ALICE);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), "", proof());
    }

    function test_RevertWhen_PubdataSwapped() public {
        bytes memory pubdata = tradeRecord(0, 2, 3, 10, 1_000);
        BatchHeader memory batchHeader = header(bytes32(uint256(77)));
        verifier.expect(expectedCommitment(GENESIS_ROOT, batchHeader.newStateRoot, batchHeader.timestamp, pubdata), proofTag);
        pubdata[15] = bytes1(uint8(pubdata[15]) ^ 1); // one price byte
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, pubdata, proof());
    }

    function test_submitBatch_ExplicitZeroChunksEqualPadding() public {
        // Sending an explicit trailing zero chunk is the same batch: the contract pads either way.
        bytes memory pubdata = tradeRecord(0, 2, 3, 10, 1_000);
        BatchHeader memory batchHeader = header(bytes32(uint256(77)));
        verifier.expect(expectedCommitment(GENESIS_ROOT, batchHeader.newStateRoot, batchHeader.timestamp, pubdata), proofTag);
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, bytes.concat(pubdata, new bytes(32)), proof());
        assertEq(perp.lastBatchNumber(), 1, "accepted");
    }

    function test_RevertWhen_ProofForAnotherOldRoot() public {
        // The same proof and header against a contract whose last proven root differs.
        ZkPerp other = deployPerp(address(token), bytes32(uint256(0x9999)));
        bytes memory pubdata = tradeRecord(0, 2, 3, 10, 1_000);
        BatchHeader memory batchHeader = header(bytes32(uint256(77)));
        verifier.expect(expectedCommitment(GENESIS_ROOT, batchHeader.newStateRoot, batchHeader.timestamp, pubdata), proofTag);
        StoredBatchInfo memory otherGenesis = StoredBatchInfo(0, GENESIS_TIME, bytes32(uint256(0x9999)), 0);
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        vm.prank(OPERATOR);
        other.submitBatch(otherGenesis, batchHeader, pubdata, proof());
    }

    function test_RevertWhen_StoredBatchInfoIsNotTheLast() public {
        StoredBatchInfo memory forged = StoredBatchInfo(0, GENESIS_TIME, bytes32(uint256(0x9999)), 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IZkPerp.StoredBatchMismatch.selector, keccak256(abi.encode(lastBatch)), keccak256(abi.encode(forged))
            )
        );
        vm.prank(OPERATOR);
        perp.submitBatch(forged, header(bytes32(uint256(1))), "", proof());
    }

    function test_RevertWhen_BatchReplayed() public {
        StoredBatchInfo memory genesis = lastBatch;
        BatchHeader memory batchHeader = header(bytes32(uint256(77)));
        submit(batchHeader, "");
        // Same call again: the genesis info is no longer the last batch.
        vm.expectRevert(
            abi.encodeWithSelector(
                IZkPerp.StoredBatchMismatch.selector, keccak256(abi.encode(lastBatch)), keccak256(abi.encode(genesis))
            )
        );
        vm.prank(OPERATOR);
        perp.submitBatch(genesis, batchHeader, "", proof());
        // On top of the new last batch, the old batch number is refused.
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.BatchNumberMismatch.selector, 2, 1));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, "", proof());
    }

    function test_RevertWhen_TimestampBeforeLastBatch() public {
        BatchHeader memory batchHeader = header(bytes32(uint256(1)));
        batchHeader.timestamp = GENESIS_TIME - 1;
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.TimestampBeforeLastBatch.selector, GENESIS_TIME - 1, GENESIS_TIME));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, "", proof());
    }

    function test_submitBatch_AcceptsTimestampAtEitherEndOfTheWindow() public {
        BatchHeader memory batchHeader = header(bytes32(uint256(1)));
        batchHeader.timestamp = GENESIS_TIME;
        submit(batchHeader, "");
        batchHeader = header(bytes32(uint256(2)));
        batchHeader.timestamp = uint64(block.timestamp + TIMESTAMP_TOLERANCE);
        submit(batchHeader, "");
        assertEq(perp.lastBatchNumber(), 2, "both accepted");
    }

    function test_RevertWhen_TimestampTooFarAhead() public {
        BatchHeader memory batchHeader = header(bytes32(uint256(1)));
        batchHeader.timestamp = uint64(block.timestamp + TIMESTAMP_TOLERANCE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IZkPerp.TimestampTooFarAhead.selector, batchHeader.timestamp, block.timestamp + TIMESTAMP_TOLERANCE
            )
        );
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, "", proof());
    }

    function test_RevertWhen_PubdataNotWholeChunks() public {
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.InvalidPubdataLength.selector, 33, 256));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), new bytes(33), proof());
    }

    function test_RevertWhen_PubdataLongerThanBatch() public {
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.InvalidPubdataLength.selector, 288, 256));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), new bytes(288), proof());
    }

    function test_RevertWhen_UnknownTxType() public {
        bytes memory pubdata = new bytes(64);
        pubdata[32] = bytes1(uint8(12));
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.UnknownTxType.selector, 32, 12));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), pubdata, proof());
    }

    function test_RevertWhen_TwoChunkRecordStartsInTheLastSlot() public {
        (, bytes memory record) = depositNew(ALICE, 1e6);
        bytes memory pubdata = new bytes(uint256(BATCH_SLOTS) * 32);
        for (uint256 i = 0; i < 32; ++i) {
            pubdata[(BATCH_SLOTS - 1) * 32 + i] = record[i];
        }
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PubdataTruncated.selector, (BATCH_SLOTS - 1) * 32));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), pubdata, proof());
    }

    function test_RevertWhen_NewAccountRecordCutToItsFirstChunk() public {
        // The omitted second chunk reads as zero (padding), so the record no longer matches the queued key.
        (, bytes memory record) = depositNew(ALICE, 1e6);
        bytes memory firstChunk = new bytes(32);
        for (uint256 i = 0; i < 32; ++i) {
            firstChunk[i] = record[i];
        }
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, 0, 0));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), firstChunk, proof());
    }

    function test_submitBatch_WithdrawSecondChunkIsNotARecord() public {
        // Storage id 0x02000009 starts with the new-account type byte; the walker must skip it with its record.
        (, bytes memory record) = depositNew(ALICE, 100e6);
        submit(bytes.concat(record, withdrawRecord(2, 3e6, BOB, 0x02000009), withdrawRecord(2, 4e6, BOB)));
        assertEq(perp.pendingWithdrawals(BOB), 7e6, "both credited once");
        assertEq(perp.priorityHead(), 1, "only the deposit consumed");
        assertEq(perp.provenCollateral(), 93e6, "collateral");
    }

    function test_submitBatch_TrailingZeroSecondChunksMayBeOmitted() public {
        // A withdraw with storage id 0 and a forced withdrawal that requested 0 end in an all-zero chunk; calldata
        // may drop it like a noop, and the commitment is the one of the padded batch.
        (uint32 alice, bytes memory record) = depositNew(ALICE, 100e6);
        submit(bytes.concat(record, withdrawRecord(alice, 5e6, BOB, 0)));
        assertEq(perp.pendingWithdrawals(BOB), 5e6, "withdraw credited");

        bytes memory trimmedWithdraw = withdrawRecord(alice, 6e6, BOB, 0);
        assembly {
            mstore(trimmedWithdraw, 32)
        }
        submit(trimmedWithdraw);
        assertEq(perp.pendingWithdrawals(BOB), 11e6, "trimmed withdraw credited");

        vm.prank(BOB);
        perp.requestForcedWithdrawal(alice, 0);
        bytes memory trimmedForced = forcedRecord(alice, 0, BOB, 0);
        assembly {
            mstore(trimmedForced, 32)
        }
        submit(trimmedForced);
        assertEq(perp.priorityHead(), 2, "forced withdrawal consumed");
    }

    function test_RevertWhen_PriorityRecordDiffersFromQueue() public {
        (, bytes memory record) = depositNew(ALICE, 100e6);
        record[11] = bytes1(uint8(record[11]) + 1); // amount + 1
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, 0, 32));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), bytes.concat(tradeRecord(0, 2, 3, 1, 1), record), proof());
    }

    function test_RevertWhen_PriorityOpSkipped() public {
        depositNew(ALICE, 100e6);
        (, bytes memory second) = depositNew(BOB, 1e6);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, 0, 0));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), second, proof());
    }

    function test_RevertWhen_PriorityRecordWithEmptyQueue() public {
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityQueueExhausted.selector, 0));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), forcedRecord(2, 0, ALICE, 0), proof());
    }

    function test_RevertWhen_ForcedWithdrawalRecordNamesAnotherRequester() public {
        (uint32 alice, bytes memory record) = depositNew(ALICE, 100e6);
        submit(record);
        vm.prank(ALICE);
        perp.requestForcedWithdrawal(alice, 1e6);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, 1, 0));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(9))), forcedRecord(alice, 1e6, BOB, 1e6), proof());
    }

    function test_RevertWhen_ForcedWithdrawalRecordUnderstatesTheRequest() public {
        // The hostile-operator case: process a request of 1e6 as a request of 0 (or of less) to pay out nothing.
        (uint32 alice, bytes memory record) = depositNew(ALICE, 100e6);
        submit(record);
        vm.prank(ALICE);
        perp.requestForcedWithdrawal(alice, 1e6);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, 1, 0));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(9))), forcedRecord(alice, 0, ALICE, 0), proof());
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, 1, 0));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(9))), forcedRecord(alice, 1, ALICE, 1), proof());
    }

    function test_RevertWhen_ForcedWithdrawalPaysMoreThanRequested() public {
        (uint32 alice, bytes memory record) = depositNew(ALICE, 100e6);
        submit(record);
        vm.prank(ALICE);
        perp.requestForcedWithdrawal(alice, 1e6);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.ForcedWithdrawalAboveRequest.selector, 0, 1e6 + 1, 1e6));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(9))), forcedRecord(alice, 1e6 + 1, ALICE, 1e6), proof());
    }

    function test_submitBatch_ForcedWithdrawalCreditsTheRequesterUpToTheRequest() public {
        (uint32 alice, bytes memory record) = depositNew(ALICE, 100e6);
        submit(record);
        vm.startPrank(ALICE);
        perp.requestForcedWithdrawal(alice, 30e6);
        perp.requestForcedWithdrawal(alice, 80e6);
        vm.stopPrank();
        // The first is paid in full, the second only partly (free collateral ran out): both are valid records.
        submit(bytes.concat(forcedRecord(alice, 30e6, ALICE, 30e6), forcedRecord(alice, 70e6, ALICE, 80e6)));
        assertEq(perp.pendingWithdrawals(ALICE), 100e6, "credited");
        assertEq(perp.provenCollateral(), 0, "collateral");
        assertEq(perp.priorityHead(), 3, "both consumed");
    }

    function test_RevertWhen_WithdrawalsExceedCollateral() public {
        (, bytes memory record) = depositNew(ALICE, 10e6);
        bytes memory pubdata = bytes.concat(record, withdrawRecord(2, 10e6 + 1, ALICE));
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.WithdrawalsExceedCollateral.selector, 10e6 + 1, 10e6));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), pubdata, proof());
    }

    function test_RevertWhen_InvalidProof() public {
        bytes memory pubdata = tradeRecord(0, 2, 3, 10, 1_000);
        BatchHeader memory batchHeader = header(bytes32(uint256(77)));
        verifier.expect(expectedCommitment(GENESIS_ROOT, batchHeader.newStateRoot, batchHeader.timestamp, pubdata), 2);
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, pubdata, proof());
    }

    function test_RevertWhen_NewRootDiffersFromProven() public {
        bytes memory pubdata = tradeRecord(0, 2, 3, 10, 1_000);
        BatchHeader memory batchHeader = header(bytes32(uint256(77)));
        verifier.expect(expectedCommitment(GENESIS_ROOT, batchHeader.newStateRoot, batchHeader.timestamp, pubdata), proofTag);
        batchHeader.newStateRoot = bytes32(uint256(78));
        vm.expectRevert(IZkPerp.InvalidProof.selector);
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, pubdata, proof());
    }

    function test_RevertWhen_ConstructorParametersInvalid() public {
        ZkPerpParameters memory bad = parameters(address(token), GENESIS_ROOT);
        bad.accountDepth = 13;
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.InvalidConfiguration.selector, 4));
        new ZkPerp(bad);
        bad.accountDepth = 1; // no room for an L1 range
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.InvalidConfiguration.selector, 4));
        new ZkPerp(bad);
        bad = parameters(address(token), GENESIS_ROOT);
        bad.poseidon.inputs7 = address(0x1234);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.InvalidConfiguration.selector, 8));
        new ZkPerp(bad);
        bad = parameters(address(token), bytes32(BabyJubJub.FIELD_MODULUS));
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.InvalidConfiguration.selector, 9));
        new ZkPerp(bad);
    }
}

contract ZkPerpWithdrawTest is ZkPerpFixture {
    function test_withdraw_PaysPendingOnceAndEmitsWithdrawn() public {
        (, bytes memory record) = depositNew(ALICE, 100e6);
        submit(bytes.concat(record, withdrawRecord(2, 30e6, ALICE)));
        vm.expectEmit();
        emit IZkPerp.Withdrawn(ALICE, BOB, 30e6);
        vm.prank(ALICE);
        perp.withdraw(BOB);
        assertEq(token.balanceOf(BOB), 30e6, "paid");
        assertEq(perp.totalPendingWithdrawals(), 0, "total");
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.NothingToWithdraw.selector, ALICE));
        vm.prank(ALICE);
        perp.withdraw(ALICE);
    }
}
