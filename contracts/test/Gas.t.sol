// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MembershipVerifier} from "../src/verifiers/MembershipVerifier.sol";
import {BatchHeader} from "../src/types/ZkPerpTypes.sol";
import {ZkPerpFixture} from "./helpers/ZkPerpFixture.sol";

/// @notice Gas figures for the report: run `forge test --isolate --match-path contracts/test/Gas.t.sol -vv`.
/// With --isolate every state-changing call from the test is its own transaction, so a gasleft() delta is the
/// whole transaction (21,000 intrinsic, calldata, cold storage and account access, refunds). The verifier calls
/// are static calls and stay in-transaction (warm). Without --isolate the figures omit intrinsic, calldata and
/// cold-access costs.
contract GasTest is ZkPerpFixture {
    event log_named_uint(string key, uint256 val);

    function calldataGas(bytes memory data) internal pure returns (uint256 gas) {
        for (uint256 i = 0; i < data.length; ++i) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }

    function measureBatch(bytes memory pubdata) internal returns (uint256 used) {
        BatchHeader memory batchHeader = header(bytes32(uint256(lastBatch.stateRoot) + 1));
        uint256 commitment = expectedCommitment(lastBatch.stateRoot, batchHeader.newStateRoot, batchHeader.timestamp, pubdata);
        verifier.expect(commitment, proofTag);
        vm.prank(OPERATOR);
        uint256 before = gasleft();
        perp.submitBatch(lastBatch, batchHeader, pubdata, proof());
        used = before - gasleft();
        lastBatch.batchNumber = batchHeader.batchNumber;
        lastBatch.timestamp = batchHeader.timestamp;
        lastBatch.stateRoot = batchHeader.newStateRoot;
        lastBatch.commitment = commitment;
    }

    function trades(uint256 count) internal pure returns (bytes memory pubdata) {
        for (uint256 i = 0; i < count; ++i) {
            // Realistic worst case: every field nonzero.
            pubdata = bytes.concat(pubdata, tradeRecord(1, 0x0A0B0C, 0x0D0E0F, 0xFFFFFFFF01, 0xFFFFFFFFFF01));
        }
    }

    function test_gas_SubmitBatchFixedAndPerTrade() public {
        measureBatch(""); // warm-up: first-batch storage effects
        uint256 empty = measureBatch("");
        uint256 full = measureBatch(trades(BATCH_SLOTS));
        emit log_named_uint("submitBatch tx, empty batch (double verifier, N = 8)", empty);
        emit log_named_uint("submitBatch tx, 8 worst-case trades", full);
        emit log_named_uint("per trade: marginal (calldata 32 bytes + walk + sha256 word)", (full - empty) / BATCH_SLOTS);
        emit log_named_uint("per trade: calldata share (EIP-2028)", calldataGas(trades(1)));

        (uint256 verifyGas, uint256 doubleGas) = measureVerifiers();
        emit log_named_uint("groth16 verifyProof (real, 2 public inputs)", verifyGas);
        emit log_named_uint("verifier double call", doubleGas);
        // The batch verifier has 1 public input: one ecMul (6,000) + ecAdd (150) less than the measured one.
        uint256 fixedTotal = empty - doubleGas + verifyGas - 6_150;
        emit log_named_uint("fixed per batch with the real verifier, N = 8", fixedTotal);
        // Padding to N chunks costs sha256 words (12 gas per 32 bytes) and memory (3 per word + quadratic).
        emit log_named_uint("fixed per batch, N = 32 (extrapolated)", fixedTotal + padding(32) - padding(8));
        emit log_named_uint("fixed per batch, N = 64 (extrapolated)", fixedTotal + padding(64) - padding(8));
        emit log_named_uint("fixed per batch, N = 200 (extrapolated)", fixedTotal + padding(200) - padding(8));
    }

    function measureVerifiers() internal returns (uint256 verifyGas, uint256 doubleGas) {
        // The real Groth16 verification (snarkjs template; the membership verifier has 2 public inputs, the
        // batch verifier 1, so this over-counts by one ecMul + ecAdd, ~6.2k).
        MembershipVerifier real = new MembershipVerifier();
        string memory json = vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/fixtures/membership.json"));
        uint256[] memory v = vm.parseJsonUintArray(json, ".proof.a");
        uint256[2] memory a = [v[0], v[1]];
        uint256[2][2] memory b;
        v = vm.parseJsonUintArray(json, ".proof.b[0]");
        b[0] = [v[0], v[1]];
        v = vm.parseJsonUintArray(json, ".proof.b[1]");
        b[1] = [v[0], v[1]];
        v = vm.parseJsonUintArray(json, ".proof.c");
        uint256[2] memory c = [v[0], v[1]];
        v = vm.parseJsonUintArray(json, ".publicInputs");
        uint256[2] memory input = [v[0], v[1]];
        uint256 before = gasleft();
        bool ok = real.verifyProof(a, b, c, input);
        verifyGas = before - gasleft();
        assertTrue(ok, "real proof");
        
        // Double verifier call cost, to substitute it out.
        before = gasleft();
        verifier.verifyProof(a, b, c, [uint256(1)]);
        doubleGas = before - gasleft();
    }

    function padding(uint256 slots) internal pure returns (uint256) {
        uint256 words = slots + 3; // preimage = 72 + 32 N bytes
        return 12 * slots + 3 * slots + 3 * words + (words * words) / 512;
    }

    function test_gas_DepositWithdrawExit() public {
        fund(ALICE, 300e6);
        vm.prank(ALICE);
        uint256 before = gasleft();
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 100e6);
        emit log_named_uint("depositNewAccount (first deposit into the contract)", before - gasleft());
        vm.prank(ALICE);
        before = gasleft();
        perp.depositNewAccount(ALICE, KEY_X, KEY_Y, 0, 100e6);
        emit log_named_uint("depositNewAccount", before - gasleft());
        vm.prank(ALICE);
        before = gasleft();
        perp.depositTo(2, 100e6);
        emit log_named_uint("depositTo (top-up)", before - gasleft());
        submit(bytes.concat(newAccountRecord(2, 0, 100e6, ALICE), newAccountRecord(3, 0, 100e6, ALICE), topUpRecord(2, 100e6, ALICE), withdrawRecord(2, 5e6, ALICE)));
        vm.prank(ALICE);
        before = gasleft();
        perp.withdraw(ALICE);
        emit log_named_uint("withdraw (pull)", before - gasleft());
    }
}
