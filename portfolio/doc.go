// Package portfolio holds Ballast's core business nouns: securities, portfolios,
// positions, cash and prices, and the arithmetic on them — valuation, weights and
// the trades that change a holding. It is pure: no I/O, no logging, decimals only.
package portfolio
