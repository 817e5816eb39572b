package main

import (
	"errors"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/order"
)

// errNoOrderStore says proposals cannot be saved yet: the SQLite order store
// (db/orders*.go) is not part of this build.
var errNoOrderStore = errors.New("saving proposals is not available yet: the SQLite order store is not built; run without --save for a dry run")

// newOrderService returns the order Service over the SQLite order store, which
// rebalance --save and the rebalance page use to save proposals. Until that
// store exists it returns errNoOrderStore.
func newOrderService(_ *db.DB) (*order.Service, error) {
	return nil, errNoOrderStore
}
