// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IBenchWallet {
    function pay(address payable[] calldata to, uint256[] calldata amounts) external;
    function payToken(address token, address[] calldata to, uint256[] calldata amounts) external;
}

/// @title BenchSweeper
/// @notice Bench fixture only (bench/depositChain.mjs): an exchange's batched sweep. Contract-held
///         deposit addresses (BenchWallet code) are emptied into one hot wallet in a single transaction,
///         so each deposit address's sweep is an internal ETH transfer or an ERC-20 Transfer that shares
///         its transaction hash with the others of the batch.
contract BenchSweeper {
    error LengthMismatch(uint256 wallets, uint256 amounts);

    /// @notice Each wallet pays `to` its amount of ETH.
    function sweep(IBenchWallet[] calldata wallets, address payable to, uint256[] calldata amounts) external {
        if (wallets.length != amounts.length) revert LengthMismatch(wallets.length, amounts.length);
        for (uint256 i = 0; i < wallets.length; i++) {
            address payable[] memory dest = new address payable[](1);
            dest[0] = to;
            uint256[] memory amount = new uint256[](1);
            amount[0] = amounts[i];
            wallets[i].pay(dest, amount);
        }
    }

    /// @notice Each wallet pays `to` its amount of `token`.
    function sweepToken(IBenchWallet[] calldata wallets, address token, address to, uint256[] calldata amounts) external {
        if (wallets.length != amounts.length) revert LengthMismatch(wallets.length, amounts.length);
        for (uint256 i = 0; i < wallets.length; i++) {
            address[] memory dest = new address[](1);
            dest[0] = to;
            uint256[] memory amount = new uint256[](1);
            amount[0] = amounts[i];
            wallets[i].payToken(token, dest, amount);
        }
    }
}
