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
    /// @notice Bit t set: type t is a one-chunk record with no L1 effect (0, 3, 6, 7, 8, 9, 10, 11).
    uint256 internal constant L2_ONLY_TYPES = (1 << 0) | (1 << 3) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11);

    /// @dev Deposit amounts are 7 bytes in pubdata.
    uint256 internal constant MAX_DEPOSIT_AMOUNT = (1 << 56) - 1;
    /// @dev Withdrawal and requested amounts: 0 ≤ a < 2^63 (§1), 8 bytes in pubdata.
    uint256 internal constant MAX_WITHDRAWAL_AMOUNT = (1 << 63) - 1;

    /// @notice Bytes of the record a chunk with this type byte starts (§6): new-account deposits, withdrawals and
    /// forced withdrawals take two chunks, everything else one. `txType` must be ≤ MAX_TX_TYPE.
    function recordBytes(uint256 txType) internal pure returns (uint256) {
        return txType == TX_DEPOSIT_NEW_ACCOUNT || txType == TX_WITHDRAW || txType == TX_FORCED_WITHDRAWAL
            ? 2 * CHUNK_BYTES
            : CHUNK_BYTES;
    }

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

    /// @notice The queue key of a forced withdrawal: keccak256(account[3] ‖ requester[20] ‖ requestedAmount[8]) (§8).
    /// Binding the requested amount stops a proof from processing the request as if it had asked for less.
    function forcedWithdrawalHash(uint256 accountIndex, address requester, uint256 requestedAmount)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(uint24(accountIndex), requester, uint64(requestedAmount)));
    }

    /// @notice The deposited amount of a deposit record's first chunk (bytes 5..12).
    function depositAmount(uint256 firstChunk) internal pure returns (uint256) {
        return (firstChunk >> 160) & MAX_DEPOSIT_AMOUNT;
    }
}
