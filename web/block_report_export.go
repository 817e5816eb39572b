package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/web/views"
)

// blockReportJSON is a block's allocation report in the API; decimals are
// strings, times RFC 3339 UTC.
type blockReportJSON struct {
	Block       blockJSON            `json:"block"`
	LotSize     string               `json:"lot_size"`
	ClOrdIDs    []string             `json:"cl_ord_ids"`
	Allocations []allocationRowJSON  `json:"allocations"`
	Totals      allocationTotalsJSON `json:"totals"`
	Balanced    bool                 `json:"balanced"` // the allocations sum to the block's filled quantity
	Executions  []blockExecutionJSON `json:"executions"`
}

// allocationRowJSON is one account's part of a block.
type allocationRowJSON struct {
	OrderID   int64  `json:"order_id"`
	Portfolio string `json:"portfolio"`
	Ordered   string `json:"ordered"`
	Allocated string `json:"allocated"`
	OddLot    string `json:"odd_lot"`
	Price     string `json:"price"`
	Notional  string `json:"notional"`
	Status    string `json:"status"`
	LeftBlock bool   `json:"left_block,omitempty"`
}

// allocationTotalsJSON sums the allocation rows.
type allocationTotalsJSON struct {
	Ordered   string `json:"ordered"`
	Allocated string `json:"allocated"`
	OddLot    string `json:"odd_lot"`
	Notional  string `json:"notional"`
	Filled    string `json:"filled"`
}

// blockExecutionJSON is one execution and the allocation after it.
type blockExecutionJSON struct {
	ExecID      string          `json:"exec_id"`
	Kind        string          `json:"kind"`
	At          string          `json:"at,omitempty"`
	Quantity    string          `json:"quantity"`
	Price       string          `json:"price"`
	State       string          `json:"state,omitempty"` // live, busted or corrected for fills
	RefExecID   string          `json:"ref_exec_id,omitempty"`
	Note        string          `json:"note,omitempty"`
	CumQty      string          `json:"cum_qty"`
	AvgPrice    string          `json:"avg_price"`
	Allocations []execAllocJSON `json:"allocations"`
}

// execAllocJSON is one order's allocation after an execution.
type execAllocJSON struct {
	OrderID  int64  `json:"order_id"`
	Quantity string `json:"quantity"`
}

func toBlockReportJSON(v views.BlockReport) blockReportJSON {
	j := blockReportJSON{Block: toBlockJSON(v.Block), LotSize: v.Block.LotSize.String(), ClOrdIDs: v.ClOrdIDs,
		Allocations: make([]allocationRowJSON, len(v.Rows)), Balanced: v.Balanced,
		Executions: make([]blockExecutionJSON, len(v.Executions)),
		Totals: allocationTotalsJSON{Ordered: v.Total.Ordered.String(), Allocated: v.Total.Allocated.String(),
			OddLot: v.Total.OddLot.String(), Notional: v.Total.Notional.String(), Filled: v.Block.Totals.CumQty.String()}}
	if j.ClOrdIDs == nil {
		j.ClOrdIDs = []string{}
	}
	for i, a := range v.Rows {
		j.Allocations[i] = allocationRowJSON{OrderID: a.OrderID, Portfolio: a.Portfolio, Ordered: a.Ordered.String(),
			Allocated: a.Allocated.String(), OddLot: a.OddLot.String(), Price: a.Price.String(), Notional: a.Notional.String(),
			Status: string(a.Status), LeftBlock: a.Left}
	}
	for i, e := range v.Executions {
		x := blockExecutionJSON{ExecID: e.ExecID, Kind: string(e.Kind), At: optTime(e.At), Quantity: e.Quantity.String(),
			Price: e.Price.String(), State: string(e.State), RefExecID: e.RefExecID, Note: e.Note, CumQty: e.CumQty.String(),
			AvgPrice: e.AvgPx.String(), Allocations: make([]execAllocJSON, len(e.Allocations))}
		for k, q := range e.Allocations {
			x.Allocations[k] = execAllocJSON{OrderID: v.Rows[k].OrderID, Quantity: q.String()}
		}
		j.Executions[i] = x
	}
	return j
}

// apiBlockReport is GET /api/v1/blocks/{id}: the block's allocation report.
func (s *server) apiBlockReport(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadBlockReport(r)
	if err != nil {
		s.apiFail(w, r, orderFault(err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, toBlockReportJSON(v))
}

// blockReportCSV exports a block's allocations, one line per account and a
// total line, as CSV. A cell that a spreadsheet would read as a formula gets
// a leading apostrophe, as in the audit trail's export.
func (s *server) blockReportCSV(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadBlockReport(r)
	if err != nil {
		s.fail(w, r, orderFault(err))
		return
	}
	b := v.Block
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	setAttachment(h, fmt.Sprintf("ballast-block-%d-allocations.csv", b.ID))
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	write := func(rec ...string) {
		for i := range rec {
			rec[i] = portfolio.CSVSafe(rec[i])
		}
		_ = cw.Write(rec)
	}
	write("block", "symbol", "side", "broker", "order", "portfolio", "ordered", "allocated", "odd_lot", "price", "notional", "status")
	id := strconv.FormatInt(b.ID, 10)
	for _, a := range v.Rows {
		st := string(a.Status)
		if a.Left {
			st = "left_block"
		}
		write(id, b.Symbol, string(b.Side), b.Broker, strconv.FormatInt(a.OrderID, 10), a.Portfolio, a.Ordered.String(),
			a.Allocated.String(), a.OddLot.String(), a.Price.String(), a.Notional.String(), st)
	}
	write(id, b.Symbol, string(b.Side), b.Broker, "total", "", v.Total.Ordered.String(), v.Total.Allocated.String(),
		v.Total.OddLot.String(), v.Total.Price.String(), v.Total.Notional.String(), "filled "+b.Totals.CumQty.String())
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.ErrorContext(r.Context(), "write block allocations csv", "block", b.ID, "err", err)
	}
}
