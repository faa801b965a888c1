// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Vm} from "../base/Vm.sol";
import {PoseidonHashers} from "../../src/types/ZkPerpTypes.sol";

/// @notice Deploys the Poseidon contracts from contracts/test/fixtures/poseidon.json (written by
/// scripts/chain/poseidonContracts.ts), the same bytecode the deploy script uses.
library PoseidonDeployer {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error DeployFailed(string key);

    function fixture() internal view returns (string memory) {
        return vm.readFile(string.concat(vm.projectRoot(), "/contracts/test/fixtures/poseidon.json"));
    }

    function deploy(string memory json, string memory key) internal returns (address deployed) {
        bytes memory code = vm.parseJsonBytes(json, key);
        assembly {
            deployed := create(0, add(code, 32), mload(code))
        }
        if (deployed == address(0)) revert DeployFailed(key);
    }

    /// @notice The contract ZkPerp uses for an arity: circomlibjs up to 6 inputs, the Yul contract above.
    function deployArity(string memory json, uint256 arity) internal returns (address) {
        string memory name = string.concat("inputs", Strings.toString(arity));
        return deploy(json, string.concat(arity <= 6 ? ".circomlibjs." : ".yul.", name));
    }

    function deployHashers(uint256 markets) internal returns (PoseidonHashers memory hashers) {
        string memory json = fixture();
        hashers.inputs2 = deployArity(json, 2);
        hashers.inputs4 = deployArity(json, 4);
        hashers.inputs6 = deployArity(json, 6);
        hashers.inputs7 = deployArity(json, 7);
        hashers.inputsMarkets = markets == 2 ? hashers.inputs2 : markets == 4 ? hashers.inputs4
            : markets == 6 ? hashers.inputs6 : markets == 7 ? hashers.inputs7 : deployArity(json, markets);
    }
}
