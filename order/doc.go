// Package order is Ballast's order book: the state machine every order follows,
// block orders and the allocation of their fills, executions (fills, busts,
// corrections), four-eyes approval, audit events, and the Service that
// orchestrates propose → check → approve → send → book. It talks to brokers only
// through the Sender interface and to storage only through the Store interface.
package order
