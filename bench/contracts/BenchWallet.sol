// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface ITestToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function poison(address from, address to) external;
}

/// @title BenchWallet
/// @notice Bench fixture only (bench/chain.mjs): a contract-held laundering address that pays many
///         recipients in one transaction, so a generated chain holds hundreds of thousands of internal
///         ETH and ERC-20 transfers without as many transactions. Anyone may call it: the bench chain
///         impersonates every sender anyway.
contract BenchWallet {
    error LengthMismatch(uint256 recipients, uint256 amounts);
    error SendFailed(address to, uint256 amount);

    receive() external payable {}

    /// @notice Internal ETH transfers from this wallet, one per recipient.
    function pay(address payable[] calldata to, uint256[] calldata amounts) external {
        if (to.length != amounts.length) revert LengthMismatch(to.length, amounts.length);
        for (uint256 i = 0; i < to.length; i++) {
            (bool ok, ) = to[i].call{value: amounts[i]}("");
            if (!ok) revert SendFailed(to[i], amounts[i]);
        }
    }

    /// @notice ERC-20 transfers from this wallet, one Transfer log per recipient.
    function payToken(ITestToken token, address[] calldata to, uint256[] calldata amounts) external {
        if (to.length != amounts.length) revert LengthMismatch(to.length, amounts.length);
        for (uint256 i = 0; i < to.length; i++) {
            token.transfer(to[i], amounts[i]);
        }
    }

    /// @notice Zero-value forged Transfer logs (address-poisoning spam), many per transaction.
    function spam(ITestToken token, address[] calldata from, address[] calldata to) external {
        if (from.length != to.length) revert LengthMismatch(from.length, to.length);
        for (uint256 i = 0; i < from.length; i++) {
            token.poison(from[i], to[i]);
        }
    }
}
