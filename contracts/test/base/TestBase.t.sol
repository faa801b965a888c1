// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TestBase} from "./TestBase.sol";

contract TestBaseTest is TestBase {
    function test_warp_MovesBlockTimestamp() public {
        vm.warp(1_000_000);
        assertEq(block.timestamp, 1_000_000, "timestamp");
    }

    function test_RevertWhen_AssertEqDiffers() public {
        vm.expectRevert(abi.encodeWithSelector(AssertionFailedUint.selector, "x", 1, 2));
        this.externalAssert(1, 2);
    }

    function testFuzz_assertEq_AcceptsEqualValues(uint256 value) public pure {
        assertEq(value, value, "equal");
    }

    function externalAssert(uint256 a, uint256 b) external pure {
        assertEq(a, b, "x");
    }
}
