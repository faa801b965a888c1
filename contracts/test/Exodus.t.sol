// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {ZkPerp} from "../src/ZkPerp.sol";
import {IZkPerp} from "../src/interfaces/IZkPerp.sol";
import {
    AccountPreimage, BatchHeader, MarketPreimage, PositionPreimage, StoredBatchInfo
} from "../src/types/ZkPerpTypes.sol";
import {ZkPerpFixture} from "./helpers/ZkPerpFixture.sol";

/// @notice Exodus against a state built by the TypeScript sdk (contracts/test/fixtures/exit.json): the on-chain
/// Poseidon path must reach the TS root, and payouts must equal the TS equity.
contract ExodusTest is ZkPerpFixture {
    string internal vector;
    bytes internal pendingRecord;
    address internal constant CAFE = address(0xCAFE);

    function setUp() public override {
        super.setUp();
        vector = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/fixtures/exit.json"));
        // Three accounts (indices 2, 3, 4) funded with 1,500 USDC in total and proven in batch 1, whose new root
        // is the vector's state root; then one more deposit that no batch processes.
        (, bytes memory a) = depositNew(ALICE, 1_000e6);
        (, bytes memory b) = depositNew(BOB, 400e6);
        (, bytes memory c) = depositNew(CAFE, 100e6);
        submit(header(bytes32(vm.parseJsonUint(vector, ".stateRoot"))), bytes.concat(a, b, c));
        (, pendingRecord) = depositNew(BOB, 10e6);
    }

    function account(uint256 i) internal view returns (uint32 index, AccountPreimage memory preimage, uint256[3][] memory siblings) {
        string memory key = string.concat(".accounts[", Strings.toString(i), "]");
        index = uint32(vm.parseJsonUint(vector, string.concat(key, ".index")));
        preimage.publicKeyX = vm.parseJsonUint(vector, string.concat(key, ".publicKeyX"));
        preimage.publicKeyY = vm.parseJsonUint(vector, string.concat(key, ".publicKeyY"));
        preimage.owner = vm.parseJsonAddress(vector, string.concat(key, ".owner"));
        preimage.collateral = vm.parseJsonInt(vector, string.concat(key, ".collateral"));
        preimage.mode = vm.parseJsonUint(vector, string.concat(key, ".mode"));
        preimage.ordersRoot = vm.parseJsonUint(vector, string.concat(key, ".ordersRoot"));
        int256[] memory sizes = vm.parseJsonIntArray(vector, string.concat(key, ".sizes"));
        int256[] memory settled = vm.parseJsonIntArray(vector, string.concat(key, ".settledIndices"));
        preimage.positions = new PositionPreimage[](sizes.length);
        for (uint256 m = 0; m < sizes.length; ++m) {
            preimage.positions[m] = PositionPreimage(sizes[m], settled[m]);
        }
        siblings = new uint256[3][](ACCOUNT_DEPTH);
        for (uint256 level = 0; level < ACCOUNT_DEPTH; ++level) {
            uint256[] memory row = vm.parseJsonUintArray(
                vector, string.concat(key, ".siblings[", Strings.toString(level), "]")
            );
            siblings[level] = [row[0], row[1], row[2]];
        }
    }

    function markets() internal view returns (MarketPreimage[] memory list) {
        list = new MarketPreimage[](MARKETS);
        for (uint256 m = 0; m < MARKETS; ++m) {
            string memory key = string.concat(".markets[", Strings.toString(m), "]");
            list[m] = MarketPreimage({
                oraclePrice: vm.parseJsonUint(vector, string.concat(key, ".oraclePrice")),
                oracleTime: vm.parseJsonUint(vector, string.concat(key, ".oracleTime")),
                fundingIndex: vm.parseJsonInt(vector, string.concat(key, ".fundingIndex")),
                lastFundingTime: vm.parseJsonUint(vector, string.concat(key, ".lastFundingTime")),
                openInterest: vm.parseJsonUint(vector, string.concat(key, ".openInterest")),
                paramsHash: vm.parseJsonUint(vector, string.concat(key, ".paramsHash"))
            });
        }
    }

    function activate() internal {
        vm.warp(block.timestamp + PRIORITY_DEADLINE + 1);
        perp.activateExodus();
    }

    function exitAccount(uint256 i) internal returns (uint256) {
        (uint32 index, AccountPreimage memory preimage, uint256[3][] memory siblings) = account(i);
        return perp.exit(lastBatch, index, preimage, markets(), siblings);
    }

    // ---------------------------------------------------------------- activation

    function test_RevertWhen_ExodusBeforeDeadline() public {
        (, uint64 deadline) = perp.priorityOps(3);
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.NoExpiredPriorityOp.selector, 3, deadline, deadline));
        perp.activateExodus();
    }

    function test_RevertWhen_ExodusWithEmptyQueue() public {
        submit(pendingRecord);
        vm.warp(block.timestamp + 365 days);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.NoExpiredPriorityOp.selector, 4, 0, block.timestamp));
        perp.activateExodus();
    }

    function test_activateExodus_AnyoneAfterDeadlineEmitsExodusActivated() public {
        (, uint64 deadline) = perp.priorityOps(3);
        vm.warp(deadline + 1);
        vm.expectEmit();
        emit IZkPerp.ExodusActivated(3, deadline);
        vm.prank(address(0xDEAD));
        perp.activateExodus();
        assertTrue(perp.exodusActive(), "active");
    }

    function test_RevertWhen_BatchOrDepositAfterExodus() public {
        activate();
        vm.expectRevert(IZkPerp.ExodusActive.selector);
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, header(bytes32(uint256(1))), pendingRecord, proof());
        fund(ALICE, 1e6);
        vm.expectRevert(IZkPerp.ExodusActive.selector);
        vm.prank(ALICE);
        perp.depositTo(2, 1e6);
        vm.expectRevert(IZkPerp.ExodusActive.selector);
        perp.requestForcedWithdrawal(2, 1);
        vm.expectRevert(IZkPerp.ExodusActive.selector);
        perp.activateExodus();
    }

    function test_RevertWhen_ExitOrRefundBeforeExodus() public {
        (uint32 index, AccountPreimage memory preimage, uint256[3][] memory siblings) = account(0);
        MarketPreimage[] memory list = markets();
        vm.expectRevert(IZkPerp.ExodusNotActive.selector);
        perp.exit(lastBatch, index, preimage, list, siblings);
        vm.expectRevert(IZkPerp.ExodusNotActive.selector);
        perp.refundDeposit(3, pendingRecord);
    }

    // ---------------------------------------------------------------- exits

    function test_exit_PaysTypeScriptEquityOnceToOwner() public {
        activate();
        uint256 equity = vm.parseJsonUint(vector, ".accounts[0].equity");
        assertEq(equity, 219_985_500, "vector equity"); // 220e6 − funding 2,500 − funding 12,000
        vm.expectEmit();
        emit IZkPerp.AccountExited(2, ALICE, int256(equity), equity);
        assertEq(exitAccount(0), equity, "payout");
        assertEq(perp.pendingWithdrawals(ALICE), equity, "credited");
        vm.prank(ALICE);
        perp.withdraw(ALICE);
        assertEq(token.balanceOf(ALICE), equity, "paid");

        (uint32 index, AccountPreimage memory preimage, uint256[3][] memory siblings) = account(0);
        MarketPreimage[] memory list = markets();
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.AccountAlreadyExited.selector, 2));
        perp.exit(lastBatch, index, preimage, list, siblings);
    }

    function test_exit_NegativeEquityPaysNothing() public {
        activate();
        assertEq(exitAccount(2), 0, "payout");
        assertEq(perp.pendingWithdrawals(CAFE), 0, "nothing");
        assertTrue(perp.exited(5), "marked");
    }

    function test_exit_PaysEquitiesWhileTheBalanceCoversThem() public {
        activate();
        assertEq(exitAccount(1), 1_000e6, "bob");
        assertEq(exitAccount(0), 219_985_500, "alice");
        assertEq(perp.provenCollateral(), 1_500e6 - 1_000e6 - 219_985_500, "collateral left");
    }

    function test_exit_PayoutCappedByBalanceLessWhatIsOwedElsewhere() public {
        activate();
        // Simulate a shortfall (e.g. a token-side loss): 1,400e6 leaves the contract. 110e6 remain, of which the
        // unprocessed 10e6 deposit is owed to Bob's refund: only 100e6 can go to exits.
        vm.prank(address(perp));
        token.transfer(address(0xDEAD), 1_400e6);
        assertEq(exitAccount(1), 100e6, "bob capped");
        assertEq(exitAccount(0), 0, "nothing left for alice");
        assertEq(perp.refundDeposit(3, pendingRecord), 10e6, "refund still covered");
        assertEq(token.balanceOf(address(perp)), perp.totalPendingWithdrawals(), "exactly solvent");
    }

    function test_RevertWhen_ExitLeafTampered() public {
        activate();
        (uint32 index, AccountPreimage memory preimage, uint256[3][] memory siblings) = account(0);
        preimage.collateral += 1;
        MarketPreimage[] memory list = markets();
        vm.expectRevert(); // ExitProofInvalid(computedRoot, provenRoot): the computed root is not known in advance
        perp.exit(lastBatch, index, preimage, list, siblings);
        (, preimage,) = account(0);
        siblings[1][2] += 1;
        vm.expectRevert();
        perp.exit(lastBatch, index, preimage, list, siblings);
    }

    function test_RevertWhen_ExitWithWrongIndexOrMarket() public {
        activate();
        (uint32 index, AccountPreimage memory preimage, uint256[3][] memory siblings) = account(0);
        MarketPreimage[] memory list = markets();
        bytes4 selector = IZkPerp.ExitProofInvalid.selector;
        try perp.exit(lastBatch, index + 1, preimage, list, siblings) {
            revert AssertionFailed("wrong index accepted");
        } catch (bytes memory reason) {
            assertEq(bytes32(bytes4(reason)), bytes32(selector), "index");
        }
        list[0].oraclePrice += 1;
        try perp.exit(lastBatch, index, preimage, list, siblings) {
            revert AssertionFailed("wrong price accepted");
        } catch (bytes memory reason) {
            assertEq(bytes32(bytes4(reason)), bytes32(selector), "price");
        }
    }

    function test_RevertWhen_ExitPreimageOutOfRange() public {
        activate();
        (uint32 index, AccountPreimage memory preimage, uint256[3][] memory siblings) = account(0);
        MarketPreimage[] memory list = markets();
        list[1].oraclePrice += 1 << 48;
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PreimageValueOutOfRange.selector, 4, 1));
        perp.exit(lastBatch, index, preimage, list, siblings);
        list = markets();
        preimage.positions[0].size = int256(1 << 40);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PreimageValueOutOfRange.selector, 2, 0));
        perp.exit(lastBatch, index, preimage, list, siblings);
        (, preimage,) = account(0);
        preimage.collateral = -int256(1 << 63);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PreimageValueOutOfRange.selector, 1, 0));
        perp.exit(lastBatch, index, preimage, list, siblings);
    }

    function test_RevertWhen_ExitArgumentsMalformed() public {
        activate();
        (uint32 index, AccountPreimage memory preimage, uint256[3][] memory siblings) = account(0);
        MarketPreimage[] memory list = markets();
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.AccountIndexOutOfRange.selector, 16, 16));
        perp.exit(lastBatch, 16, preimage, list, siblings);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PreimageLengthMismatch.selector, 3, 1, 2));
        perp.exit(lastBatch, index, preimage, list, new uint256[3][](1));
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PreimageLengthMismatch.selector, 2, 1, 2));
        perp.exit(lastBatch, index, preimage, new MarketPreimage[](1), siblings);
        preimage.owner = address(0);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.SystemAccountCannotExit.selector, index));
        perp.exit(lastBatch, index, preimage, list, siblings);
        StoredBatchInfo memory stale = StoredBatchInfo(0, GENESIS_TIME, GENESIS_ROOT, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IZkPerp.StoredBatchMismatch.selector, keccak256(abi.encode(lastBatch)), keccak256(abi.encode(stale))
            )
        );
        perp.exit(stale, index, preimage, list, siblings);
    }

    event log_named_uint(string key, uint256 val);

    function test_gas_Exit() public {
        activate();
        (uint32 index, AccountPreimage memory preimage, uint256[3][] memory siblings) = account(0);
        MarketPreimage[] memory list = markets();
        uint256 before = gasleft();
        perp.exit(lastBatch, index, preimage, list, siblings);
        emit log_named_uint("exit (depth 2, M = 2)", before - gasleft());
    }

    // ---------------------------------------------------------------- refunds

    function test_refundDeposit_RefundsUnprocessedDepositOnce() public {
        activate();
        vm.expectEmit();
        emit IZkPerp.DepositRefunded(3, BOB, 10e6);
        assertEq(perp.refundDeposit(3, pendingRecord), 10e6, "refund");
        assertEq(perp.pendingWithdrawals(BOB), 10e6, "credited");
        assertEq(perp.totalUnprocessedDeposits(), 0, "unprocessed");
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityOpNotPending.selector, 3));
        perp.refundDeposit(3, pendingRecord);
    }

    function test_RevertWhen_RefundProcessedDepositOrWrongRecord() public {
        activate();
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityOpNotPending.selector, 0));
        perp.refundDeposit(0, newAccountRecord(2, 0, 1_000e6, ALICE));
        bytes memory forged = bytes.concat(pendingRecord);
        forged[11] = bytes1(uint8(forged[11]) + 1);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.DepositRecordMismatch.selector, 3));
        perp.refundDeposit(3, forged);
    }

    function test_RevertWhen_RefundForcedWithdrawal() public {
        vm.prank(ALICE);
        perp.requestForcedWithdrawal(2, 1);
        activate();
        // The queued key is 23 bytes: no 32- or 64-byte record can match it.
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.DepositRecordMismatch.selector, 4));
        perp.refundDeposit(4, abi.encodePacked(bytes3(uint24(2)), ALICE, bytes9(0)));
    }
}
