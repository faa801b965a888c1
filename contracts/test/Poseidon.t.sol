// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TestBase} from "./base/TestBase.sol";
import {Poseidon} from "../src/libraries/Poseidon.sol";
import {PoseidonDeployer} from "./helpers/PoseidonDeployer.sol";

/// @notice The Poseidon contracts: known answers from the sdk (TS, circomlib parameters), the Yul contracts
/// against circomlibjs's generated ones, and the gas per hash.
contract PoseidonContractsTest is TestBase {
    event log_named_uint(string key, uint256 val);

    string internal json;

    function setUp() public override {
        json = PoseidonDeployer.fixture();
    }

    function inputs(uint256 arity, uint256 seed) internal pure returns (uint256[] memory values) {
        values = new uint256[](arity);
        for (uint256 i = 0; i < arity; ++i) {
            values[i] = uint256(keccak256(abi.encode(seed, i))) % 21888242871839275222246405745257275088548364400416034343698204186575808495617;
        }
    }

    function test_hash_MatchesSdkKnownAnswers() public {
        // sdk/crypto/poseidon.ts: poseidon([1, 2]) and poseidon([1..7]) (circomlib's published [1,2] value).
        address two = PoseidonDeployer.deployArity(json, 2);
        assertEq(
            Poseidon.hash2(two, 1, 2),
            0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a,
            "poseidon(1,2)"
        );
        address seven = PoseidonDeployer.deployArity(json, 7);
        uint256[] memory values = new uint256[](7);
        for (uint256 i = 0; i < 7; ++i) {
            values[i] = i + 1;
        }
        assertEq(Poseidon.hash(seven, values), SDK_POSEIDON_1_TO_7, "poseidon(1..7)");
    }

    uint256 internal constant SDK_POSEIDON_1_TO_7 = 0x1c2f3482dbb140c4ebb9ada49abdbc374a9a85fcfc6533ec2e9df45b4921c318;

    function test_yulContracts_MatchCircomlibjsOnPseudorandomInputs() public {
        for (uint256 arity = 1; arity <= 6; ++arity) {
            address reference_ = PoseidonDeployer.deploy(json, string.concat(".circomlibjs.inputs", _digit(arity)));
            address yul = PoseidonDeployer.deploy(json, string.concat(".yul.inputs", _digit(arity)));
            for (uint256 seed = 0; seed < 8; ++seed) {
                uint256[] memory values = inputs(arity, seed);
                assertEq(Poseidon.hash(yul, values), Poseidon.hash(reference_, values), "yul == circomlibjs");
            }
        }
    }

    function test_gas_PerHashByArity() public {
        for (uint256 arity = 1; arity <= 8; ++arity) {
            address hasher = PoseidonDeployer.deployArity(json, arity);
            uint256[] memory values = inputs(arity, 7);
            Poseidon.hash(hasher, values); // warm the account
            uint256 before = gasleft();
            Poseidon.hash(hasher, values);
            emit log_named_uint(string.concat("poseidon gas, inputs ", _digit(arity), arity <= 6 ? " (circomlibjs)" : " (yul)"), before - gasleft());
        }
    }

    function _digit(uint256 value) private pure returns (string memory) {
        return string(abi.encodePacked(bytes1(uint8(48 + value))));
    }
}
