package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// orderDetail shows one order with its history, executions and broker messages.
func (s *server) orderDetail(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.orders.OrderDetail(r.Context(), id)
	if err != nil {
		s.fail(w, r, orderFault(err))
		return
	}
	u, _ := userFrom(r.Context())
	o := d.Order
	v := views.OrderView{Detail: d}
	if s.desk != nil {
		v.CanApprove = mayApprove(o, u, s.now())
		v.CanCancel = mayCancel(o, u) || (u.Has(user.Trader) && o.BlockID != 0 && !order.IsTerminal(o.Status))
		v.CanReplace = u.Has(user.PM, user.Trader) && !order.IsTerminal(o.Status) && o.Status != order.Proposed &&
			o.Status != order.PendingCompliance && (u.Has(user.Trader) || strings.EqualFold(u.Name, o.ProposedBy))
	}
	s.render(w, r, s.pageWithFlash(r, fmt.Sprintf("Order %d", id), "blotter"), views.OrderPage(v), nil)
}

// orderApprove approves one order from the blotter or its page.
func (s *server) orderApprove(w http.ResponseWriter, r *http.Request) {
	s.orderAction(w, r, "approved", func(u user.User, id int64) error {
		_, err := s.desk.Approve(r.Context(), actorOf(u), id)
		return err
	})
}

// orderCancel withdraws or cancels one order.
func (s *server) orderCancel(w http.ResponseWriter, r *http.Request) {
	s.orderAction(w, r, "cancelled", func(u user.User, id int64) error {
		_, err := s.desk.Cancel(r.Context(), actorOf(u), id, strings.TrimSpace(r.PostFormValue("reason")))
		return err
	})
}

// orderReplace changes an order's quantity and limit price.
func (s *server) orderReplace(w http.ResponseWriter, r *http.Request) {
	s.orderAction(w, r, "replaced", func(u user.User, id int64) error {
		qty, limit, err := parseReplace(r.PostFormValue("quantity"), r.PostFormValue("limit_price"))
		if err != nil {
			return err
		}
		_, err = s.desk.Replace(r.Context(), actorOf(u), id, qty, limit)
		return err
	})
}

// orderAction runs one action on the order in the URL and goes back with a
// message saying what happened or why it was refused.
func (s *server) orderAction(w http.ResponseWriter, r *http.Request, done string, act func(user.User, int64) error) {
	id, err := idParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	u, _ := userFrom(r.Context())
	if err := act(u, id); err != nil {
		if k, _ := s.classify(orderFault(err)); k == kindInternal {
			s.fail(w, r, err)
			return
		}
		s.flashBack(w, r, fmt.Sprintf("Order %d: %s", id, refusalText(err)))
		return
	}
	s.flashBack(w, r, fmt.Sprintf("Order %d %s.", id, done))
}

// blockRelease sends a block to its broker.
func (s *server) blockRelease(w http.ResponseWriter, r *http.Request) {
	s.blockAction(w, r, "released", func(u user.User, id int64) error {
		_, err := s.desk.Release(r.Context(), actorOf(u), id)
		return err
	})
}

// blocksRelease sends the blocks ticked on the blotter together: all are
// released or none is, and the flash says which, or why not.
func (s *server) blocksRelease(w http.ResponseWriter, r *http.Request) {
	ids, ok := s.selectedIDs(w, r, "Select at least one approved block first.")
	if !ok {
		return
	}
	u, _ := userFrom(r.Context())
	bs, err := s.desk.ReleaseBlocks(r.Context(), actorOf(u), ids)
	if err != nil && bs == nil {
		if k, _ := s.classify(orderFault(err)); k == kindInternal {
			s.fail(w, r, err)
			return
		}
		s.flashBack(w, r, "Blocks not released: "+refusalText(err))
		return
	}
	msg := fmt.Sprintf("%d blocks released.", len(bs))
	if len(bs) <= 20 {
		msg = fmt.Sprintf("Blocks %s released.", views.IDList(ids))
	}
	if err != nil {
		msg += " Not sent: " + s.refusal(r, err)
	}
	s.flashBack(w, r, msg)
}

// blockCancel withdraws or cancels a block.
func (s *server) blockCancel(w http.ResponseWriter, r *http.Request) {
	s.blockAction(w, r, "cancelled", func(u user.User, id int64) error {
		_, err := s.desk.CancelBlock(r.Context(), actorOf(u), id, strings.TrimSpace(r.PostFormValue("reason")))
		return err
	})
}

// blockReplace changes a working block's quantity and limit price.
func (s *server) blockReplace(w http.ResponseWriter, r *http.Request) {
	s.blockAction(w, r, "sent for replacement", func(u user.User, id int64) error {
		qty, limit, err := parseReplace(r.PostFormValue("quantity"), r.PostFormValue("limit_price"))
		if err != nil {
			return err
		}
		_, err = s.desk.ReplaceBlock(r.Context(), actorOf(u), id, qty, limit)
		return err
	})
}

func (s *server) blockAction(w http.ResponseWriter, r *http.Request, done string, act func(user.User, int64) error) {
	id, err := idParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, _ := userFrom(r.Context())
	if err := act(u, id); err != nil {
		if k, _ := s.classify(orderFault(err)); k == kindInternal {
			s.fail(w, r, err)
			return
		}
		s.flashBack(w, r, fmt.Sprintf("Block %d: %s", id, refusalText(err)))
		return
	}
	s.flashBack(w, r, fmt.Sprintf("Block %d %s.", id, done))
}

// orderEntryForm shows the manual order form.
func (s *server) orderEntryForm(w http.ResponseWriter, r *http.Request) {
	f := views.OrderForm{Side: "buy", OrderType: "limit", TimeInForce: "day", Portfolio: r.URL.Query().Get("portfolio")}
	s.render(w, r, s.page(r, "New order", "blotter"), views.OrderEntry(f), nil)
}

// orderEntry proposes a manual order; bad input re-renders the form with 422.
func (s *server) orderEntry(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	pf := r.PostForm
	in := orderInput{Portfolio: pf.Get("portfolio"), Symbol: pf.Get("symbol"), Side: pf.Get("side"), Quantity: pf.Get("quantity"),
		OrderType: pf.Get("order_type"), LimitPrice: pf.Get("limit_price"), StopPrice: pf.Get("stop_price"),
		TimeInForce: pf.Get("time_in_force"), ExpireDate: pf.Get("expire_date"), Broker: pf.Get("broker"), Notes: pf.Get("notes")}
	f := views.OrderForm{Portfolio: in.Portfolio, Symbol: in.Symbol, Side: in.Side, Quantity: in.Quantity, OrderType: in.OrderType,
		LimitPrice: in.LimitPrice, StopPrice: in.StopPrice, TimeInForce: in.TimeInForce, ExpireDate: in.ExpireDate, Broker: in.Broker, Notes: in.Notes}
	o, err := in.toOrder()
	if err == nil {
		u, _ := userFrom(r.Context())
		var c order.Check
		if o, c, err = s.desk.Enter(r.Context(), actorOf(u), o); err == nil {
			s.setFlash(r, fmt.Sprintf("Order %d proposed: compliance %s, now %s.", o.ID, c.Verdict, views.StatusText(o.Status)))
			seeOther(w, r, views.OrderURL(o.ID))
			return
		}
	}
	if k, _ := s.classify(orderFault(err)); k == kindInternal {
		s.fail(w, r, err)
		return
	}
	f.Errors = fieldProblems(err)
	if f.Errors == nil {
		f.Errors = map[string]string{"": refusalText(err)}
	}
	s.renderStatus(w, r, http.StatusUnprocessableEntity, s.page(r, "New order", "blotter"), views.OrderEntry(f), nil)
}
