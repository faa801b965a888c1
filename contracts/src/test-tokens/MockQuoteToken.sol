// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Devnet and test quote token: 6 decimals like USDC, and anyone can mint. Never deploy it to a real network.
contract MockQuoteToken is ERC20 {
    constructor() ERC20("zkperp devnet USD", "dUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mint `amount` to `to` (unrestricted: devnet faucet).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
