// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IZkPerp} from "../src/interfaces/IZkPerp.sol";
import {Pubdata} from "../src/libraries/Pubdata.sol";
import {BatchHeader} from "../src/types/ZkPerpTypes.sol";
import {ZkPerpFixture} from "./helpers/ZkPerpFixture.sol";

contract PubdataFuzzTest is ZkPerpFixture {
    /// @dev Arbitrary chunks of L2-only types never touch the queue or balances, and the batch is bound to them.
    function testFuzz_submitBatch_L2OnlyChunksChangeNoBalance(bytes32[8] memory chunks, uint8 count) public {
        count = uint8(bound(count, 0, 8));
        bytes memory pubdata;
        for (uint256 i = 0; i < count; ++i) {
            uint8 txType = [uint8(0), 3, 6, 7, 8, 9, 10, 11][uint8(chunks[i][0]) % 8];
            pubdata = bytes.concat(pubdata, bytes1(txType), bytes31(chunks[i] << 8));
        }
        submit(pubdata);
        assertEq(perp.totalPendingWithdrawals(), 0, "no credit");
        assertEq(perp.priorityHead(), 0, "queue untouched");
        assertEq(perp.lastBatchNumber(), 1, "accepted");
    }

    /// @dev A withdrawal chunk credits exactly its `to` with its amount, within the proven collateral.
    function testFuzz_submitBatch_WithdrawalCreditsDecodedFields(uint56 deposit, uint64 amount, address to) public {
        vm.assume(deposit > 0 && to != address(0));
        (, bytes memory record) = depositNew(ALICE, deposit);
        amount = uint64(bound(amount, 0, deposit));
        submit(bytes.concat(record, withdrawRecord(2, amount, to)));
        assertEq(perp.pendingWithdrawals(to), amount, "credited to");
        assertEq(perp.provenCollateral(), uint256(deposit) - amount, "collateral");
        assertEq(perp.totalUnprocessedDeposits(), 0, "processed");
    }

    /// @dev A forced-withdrawal record matches its request only with the requested amount, and pays at most it.
    function testFuzz_submitBatch_ForcedWithdrawalBoundByRequest(uint56 deposit, uint64 requested, uint64 withdrawn)
        public
    {
        vm.assume(deposit > 0);
        requested = uint64(bound(requested, 0, Pubdata.MAX_WITHDRAWAL_AMOUNT));
        (uint32 account, bytes memory record) = depositNew(ALICE, deposit);
        submit(record);
        vm.prank(ALICE);
        perp.requestForcedWithdrawal(account, requested);
        if (withdrawn > requested) {
            vm.expectRevert(
                abi.encodeWithSelector(IZkPerp.ForcedWithdrawalAboveRequest.selector, 0, withdrawn, requested)
            );
            vm.prank(OPERATOR);
            perp.submitBatch(lastBatch, header(bytes32(uint256(9))), forcedRecord(account, withdrawn, ALICE, requested), proof());
            return;
        }
        if (requested != 0) {
            // Claiming a smaller request never matches the queue.
            vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, 1, 0));
            vm.prank(OPERATOR);
            perp.submitBatch(lastBatch, header(bytes32(uint256(9))), forcedRecord(account, 0, ALICE, requested - 1), proof());
        }
        withdrawn = uint64(bound(withdrawn, 0, requested < deposit ? requested : deposit));
        submit(forcedRecord(account, withdrawn, ALICE, requested));
        assertEq(perp.pendingWithdrawals(ALICE), withdrawn, "credited");
        assertEq(perp.provenCollateral(), uint256(deposit) - withdrawn, "collateral");
        assertEq(perp.priorityHead(), 2, "consumed");
    }

    /// @dev Any chunk starting with a type above 11 is rejected by value.
    function testFuzz_submitBatch_RejectsUnknownType(uint8 txType, uint8 position) public {
        txType = uint8(bound(txType, 12, 255));
        position = uint8(bound(position, 0, 7));
        bytes memory pubdata = new bytes(uint256(position + 1) * 32);
        pubdata[uint256(position) * 32] = bytes1(txType);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.UnknownTxType.selector, uint256(position) * 32, txType));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), pubdata, proof());
    }

    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + x % (hi - lo + 1);
    }
}
