package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/user"
	"github.com/ballast-oms/ballast/web/views"
)

// blotterPageSize is how many orders one blotter page shows (older ones are
// a page further, and the filters narrow the list). Every open blotter
// reloads its page on each change event, up to one each 1.5 s while fills
// stream, so the page's cost is paid by every user every few seconds: 500
// rows took about 13 ms of CPU a reload (and 315 KB), 100 take about 4 ms
// (go test ./web -bench Blotter10k; ballast bench web).
const blotterPageSize = 100

// orderPages adds the blotter, order entry and detail, block actions and the
// audit pages to the signed-in browser routes.
func (s *server) orderPages(r chi.Router) {
	if s.orders == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.PM, user.Trader, user.Compliance, user.Admin))
		r.Get("/blotter", s.blotter)
		r.Get("/blotter/events", s.blotterEvents)
		r.Get("/orders/{id}", s.orderDetail)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.Compliance, user.Admin))
		r.Get("/audit", s.auditPage)
		r.Get("/audit.csv", s.auditCSV)
	})
	if s.desk == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.PM, user.Trader))
		r.Get("/orders/new", s.orderEntryForm)
		r.Post("/orders", s.orderEntry)
		r.Post("/orders/{id}/cancel", s.orderCancel)
		r.Post("/orders/{id}/replace", s.orderReplace)
	})
	r.Group(func(r chi.Router) {
		r.Use(s.requireRole(user.Trader))
		r.Post("/blotter/orders", s.blotterBulk)
		r.Post("/orders/{id}/approve", s.orderApprove)
		r.Post("/blocks/{id}/release", s.blockRelease)
		r.Post("/blocks/release", s.blocksRelease)
		r.Post("/blocks/{id}/cancel", s.blockCancel)
		r.Post("/blocks/{id}/replace", s.blockReplace)
	})
}

// blotter shows orders and blocks with the filters of the query string; an
// htmx request (the live refresh) gets only the tables.
func (s *server) blotter(w http.ResponseWriter, r *http.Request) {
	v, err := s.blotterView(r)
	if err != nil {
		s.fail(w, r, orderFault(err))
		return
	}
	s.render(w, r, s.pageWithFlash(r, "Blotter", "blotter"), views.Blotter(v), views.BlotterBody(v))
}

func (s *server) blotterView(r *http.Request) (views.BlotterView, error) {
	q := r.URL.Query()
	if q.Get("state") == "" {
		q.Set("state", "open")
	}
	fv := views.BlotterFilter{State: q.Get("state"), Status: q.Get("status"), Portfolio: q.Get("portfolio"),
		Symbol: q.Get("symbol"), Trader: q.Get("trader"), Broker: q.Get("broker"), Date: q.Get("date")}
	offset, _ := strconv.Atoi(q.Get("offset"))
	q.Del("offset")
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	f, err := orderFilterFrom(r2)
	if err != nil {
		return views.BlotterView{}, err
	}
	f.Limit, f.Offset = blotterPageSize, max(offset, 0)
	var seq uint64
	if s.orderLive != nil {
		seq = s.orderLive.Seq() // before the reads: a change after them is not missed
	}
	ctx := r.Context()
	lines, total, err := s.orders.Orders(ctx, f)
	if err != nil {
		return views.BlotterView{}, fmt.Errorf("web: blotter: %w", err)
	}
	blocks, err := s.orders.Blocks(ctx, order.BlockFilter{State: f.State, Limit: 200})
	if err != nil {
		return views.BlotterView{}, fmt.Errorf("web: blotter: %w", err)
	}
	u, _ := userFrom(ctx)
	v := views.BlotterView{Filter: fv, Total: total, Offset: f.Offset, PageSize: blotterPageSize, Blocks: blocks,
		CanTrade: u.Has(user.Trader) && s.desk != nil, CanEnter: u.Has(user.PM, user.Trader) && s.desk != nil,
		Query: q.Encode(), Statuses: order.Statuses()}
	if s.desk != nil {
		v.Brokers = s.desk.Brokers()
	}
	if s.orderLive != nil {
		v.EventsPath = "/blotter/events?since=" + strconv.FormatUint(seq, 10)
	}
	if s.fix != nil {
		v.FixLog = true
		if v.Queued, err = s.fix.Queued(ctx); err != nil {
			return views.BlotterView{}, fmt.Errorf("web: blotter: %w", err)
		}
	}
	now := s.now()
	v.Rows = make([]views.BlotterRow, len(lines))
	for i, l := range lines {
		v.Rows[i] = views.BlotterRow{Line: l, CanApprove: v.CanTrade && mayApprove(l.Order, u, now),
			CanCancel: s.desk != nil && mayCancel(l.Order, u)}
	}
	return v, nil
}

// mayApprove says whether the page offers u the approval of o at now: a
// trader who neither proposed nor amended it, while it waits for approval
// and has not expired. The Service and the database refuse the rest anyway;
// this only hides the button.
func mayApprove(o order.Order, u user.User, now time.Time) bool {
	if (o.Status != order.Ready && o.Status != order.AwaitingOverride) || !now.Before(o.ExpiresAt) {
		return false
	}
	name := strings.TrimSpace(u.Name)
	return u.Has(user.Trader) && !strings.EqualFold(name, strings.TrimSpace(o.ProposedBy)) &&
		!strings.EqualFold(name, strings.TrimSpace(o.AmendedBy))
}

// mayCancel says whether the page offers u to cancel o: its proposer or a
// trader, before it reached a broker.
func mayCancel(o order.Order, u user.User) bool {
	return order.IsPreTrade(o.Status) && o.BlockID == 0 && (u.Has(user.Trader) || strings.EqualFold(u.Name, o.ProposedBy))
}

// blotterBulk approves, or gathers into a block, the selected orders.
func (s *server) blotterBulk(w http.ResponseWriter, r *http.Request) {
	ids, ok := s.selectedIDs(w, r, "Select at least one order first.")
	if !ok {
		return
	}
	u, _ := userFrom(r.Context())
	switch r.PostForm.Get("action") {
	case "approve":
		errs := s.desk.BulkApprove(r.Context(), actorOf(u), ids)
		s.flashBack(w, r, s.bulkSummary(r, ids, errs))
	case "block":
		b, err := s.desk.CreateBlock(r.Context(), actorOf(u), ids, r.PostForm.Get("broker"))
		if err != nil {
			s.flashBack(w, r, "Block not created: "+s.refusal(r, err))
			return
		}
		s.flashBack(w, r, fmt.Sprintf("Block %d created at %s with %d orders; release it when ready.", b.ID, b.Broker, len(ids)))
	default:
		s.fail(w, r, fault(kindInvalid, "Choose approve or block."))
	}
}

// bulkSummary says how a bulk approval went, naming each refusal.
func (s *server) bulkSummary(r *http.Request, ids []int64, errs []error) string {
	ok, refused := 0, []string{}
	for i, err := range errs {
		if err == nil {
			ok++
			continue
		}
		refused = append(refused, fmt.Sprintf("%d: %s", ids[i], s.refusal(r, err, "order_id", ids[i])))
	}
	msg := fmt.Sprintf("%d of %d orders approved.", ok, len(ids))
	if len(refused) > 0 {
		msg += " Refused — " + strings.Join(refused, "; ")
	}
	return msg
}

// selectedIDs reads the ids ticked on a blotter form. When there is none
// (or one that is not an id) it goes back with the flash none, and when the
// form cannot be read it answers so; ok is then false and nothing is left to do.
func (s *server) selectedIDs(w http.ResponseWriter, r *http.Request, none string) (ids []int64, ok bool) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return nil, false
	}
	ids, err := formIDs(r.PostForm["id"])
	if err != nil || len(ids) == 0 {
		s.flashBack(w, r, none)
		return nil, false
	}
	return ids, true
}

func formIDs(vals []string) ([]int64, error) {
	out := make([]int64, 0, len(vals))
	for _, v := range vals {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not an id", v)
		}
		out = append(out, id)
	}
	return out, nil
}

// flashBack leaves msg for the next page and goes back to where the request
// came from (the blotter, by default).
func (s *server) flashBack(w http.ResponseWriter, r *http.Request, msg string) {
	s.setFlash(r, msg)
	target := "/blotter"
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && strings.HasPrefix(ref.Path, "/") &&
		(strings.HasPrefix(ref.Path, "/blotter") || strings.HasPrefix(ref.Path, "/orders/")) {
		target = ref.RequestURI()
	}
	seeOther(w, r, target)
}
