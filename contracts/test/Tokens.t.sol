// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ZkPerp} from "../src/ZkPerp.sol";
import {IZkPerp} from "../src/interfaces/IZkPerp.sol";
import {ZkPerpFixture} from "./helpers/ZkPerpFixture.sol";
import {FalseReturningToken, FeeOnTransferToken, NoReturnToken, ReentrantToken} from "./tokens/AdversarialTokens.sol";

contract TokenBehaviourTest is ZkPerpFixture {
    function test_depositNewAccount_FeeOnTransferCreditsAmountReceived() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        perp = deployPerp(address(fee), GENESIS_ROOT);
        fee.mint(ALICE, 100e6);
        vm.prank(ALICE);
        fee.approve(address(perp), type(uint256).max);
        vm.prank(ALICE);
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 100e6);
        (bytes24 recordHash,) = perp.priorityOps(0);
        assertEq(bytes32(recordHash), bytes32(bytes24(keccak256(newAccountRecord(2, 0, 99e6, ALICE)))), "99e6 recorded");
        assertEq(perp.totalUnprocessedDeposits(), 99e6, "accounting");
    }

    function test_RevertWhen_TokenReturnsFalse() public {
        FalseReturningToken bad = new FalseReturningToken();
        perp = deployPerp(address(bad), GENESIS_ROOT);
        bad.mint(ALICE, 1e6);
        vm.prank(ALICE);
        bad.approve(address(perp), 1e6);
        bad.setFailAll(true);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(bad)));
        vm.prank(ALICE);
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 1e6);
    }

    function test_withdraw_FalseReturningTokenRevertsAndKeepsBalance() public {
        FalseReturningToken bad = new FalseReturningToken();
        perp = deployPerp(address(bad), GENESIS_ROOT);
        bad.mint(ALICE, 1e6);
        vm.prank(ALICE);
        bad.approve(address(perp), 1e6);
        vm.prank(ALICE);
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 1e6);
        submit(bytes.concat(newAccountRecord(2, 0, 1e6, ALICE), withdrawRecord(2, 1e6, ALICE)));
        bad.setFailAll(true);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(bad)));
        vm.prank(ALICE);
        perp.withdraw(ALICE);
        assertEq(perp.pendingWithdrawals(ALICE), 1e6, "still pending");
        bad.setFailAll(false);
        vm.prank(ALICE);
        perp.withdraw(ALICE);
        assertEq(bad.balanceOf(ALICE), 1e6, "paid");
    }

    function test_depositAndWithdraw_NoReturnToken() public {
        NoReturnToken usdt = new NoReturnToken();
        perp = deployPerp(address(usdt), GENESIS_ROOT);
        usdt.mint(ALICE, 5e6);
        vm.prank(ALICE);
        usdt.approve(address(perp), 5e6);
        vm.prank(ALICE);
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 5e6);
        submit(bytes.concat(newAccountRecord(2, 0, 5e6, ALICE), withdrawRecord(2, 2e6, BOB)));
        vm.prank(BOB);
        perp.withdraw(BOB);
        assertEq(usdt.balanceOf(BOB), 2e6, "paid");
        vm.expectRevert(NoReturnToken.Insufficient.selector);
        vm.prank(ALICE);
        perp.depositTo(2, 1e6);
    }

    function test_RevertWhen_TokenReentersWithdrawDuringWithdraw() public {
        ReentrantToken re = new ReentrantToken();
        perp = deployPerp(address(re), GENESIS_ROOT);
        re.mint(ALICE, 10e6);
        vm.prank(ALICE);
        re.approve(address(perp), type(uint256).max);
        vm.prank(ALICE);
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 10e6);
        submit(bytes.concat(newAccountRecord(2, 0, 10e6, ALICE), withdrawRecord(2, 4e6, ALICE)));
        re.arm(address(perp), abi.encodeCall(ZkPerp.withdraw, (ALICE)));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(ALICE);
        perp.withdraw(ALICE);
        assertEq(perp.pendingWithdrawals(ALICE), 4e6, "untouched");
    }

    function test_RevertWhen_TokenReentersDepositDuringDeposit() public {
        ReentrantToken re = new ReentrantToken();
        perp = deployPerp(address(re), GENESIS_ROOT);
        re.mint(ALICE, 10e6);
        vm.prank(ALICE);
        re.approve(address(perp), type(uint256).max);
        re.arm(address(perp), abi.encodeCall(ZkPerp.depositTo, (0, 1)));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(ALICE);
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 5e6);
        assertEq(perp.priorityTail(), 0, "nothing queued");
    }
}
