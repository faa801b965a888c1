// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Pubdata chunk formats of docs/protocol.md §6: one 32-byte chunk per batch slot, big-endian fields.
library Pubdata {
    uint256 internal constant CHUNK_BYTES = 32;

    uint256 internal constant TX_NOOP = 0;
    uint256 internal constant TX_DEPOSIT = 1;
    uint256 internal constant TX_DEPOSIT_NEW_ACCOUNT = 2;
    uint256 internal constant TX_TRADE = 3;
    uint256 internal constant TX_WITHDRAW = 4;
    uint256 internal constant TX_FORCED_WITHDRAWAL = 5;
    uint256 internal constant TX_AUTO_DELEVERAGE = 11;
    uint256 internal constant MAX_TX_TYPE = TX_AUTO_DELEVERAGE;

    /// @dev Deposit amounts are 7 bytes in pubdata.
    uint256 internal constant MAX_DEPOSIT_AMOUNT = (1 << 56) - 1;

    /// @notice Record of a top-up: type[0] · 0[1] · account[2..5) · amount[5..12) · depositor[12..32).
    function encodeDeposit(uint32 accountIndex, uint256 amount, address depositor)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(uint8(TX_DEPOSIT), uint8(0), uint24(accountIndex), uint56(amount), depositor);
    }

    /// @notice Record of a new-account deposit: type[0] · mode[1] · account[2..5) · amount[5..12) · owner[12..32)
    /// · packedPublicKey[32..64).
    function encodeDepositNewAccount(
        uint32 accountIndex,
        uint256 mode,
        uint256 amount,
        address owner,
        bytes32 packedPublicKey
    ) internal pure returns (bytes memory) {
        return abi.encodePacked(
            uint8(TX_DEPOSIT_NEW_ACCOUNT), uint8(mode), uint24(accountIndex), uint56(amount), owner, packedPublicKey
        );
    }

    /// @notice The queue key of a forced withdrawal: keccak256(account[3] ‖ requester[20]) (§8).
    function forcedWithdrawalHash(uint32 accountIndex, address requester) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint24(accountIndex), requester));
    }

    /// @notice The deposited amount of a deposit record's first chunk (bytes 5..12).
    function depositAmount(uint256 firstChunk) internal pure returns (uint256) {
        return (firstChunk >> 160) & MAX_DEPOSIT_AMOUNT;
    }
}
