package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/ballast-oms/ballast/compliance"
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/web/views"
)

// reviewQueue lists the orders blocked or awaiting a compliance override.
func (s *server) reviewQueue(w http.ResponseWriter, r *http.Request) {
	q, err := s.compliance.Queue(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]views.ReviewRow, len(q))
	for i, o := range q {
		rows[i] = views.ReviewRow{Order: o.Order, Check: o.Check}
	}
	s.render(w, r, s.pageWithFlash(r, "Pre-trade review", "compliance"), views.ReviewQueuePage(views.ReviewQueue{Rows: rows}), nil)
}

func orderID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault(kindNotFound, "There is no such order.")
	}
	return id, nil
}

// orderReview shows one order's compliance findings to every role; the
// compliance role also sees an override form per soft breach.
func (s *server) orderReview(w http.ResponseWriter, r *http.Request) {
	s.renderReview(w, r, http.StatusOK, "")
}

func (s *server) renderReview(w http.ResponseWriter, r *http.Request, status int, problem string) {
	id, err := orderID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rev, err := s.compliance.Review(r.Context(), id)
	if err != nil {
		s.fail(w, r, orderFault(err))
		return
	}
	v := views.OrderReviewView{Order: rev.Order, Check: rev.Check, Overrides: rev.Overrides, CanOverride: isOfficer(r),
		Reasons: order.OverrideReasons(), Problem: problem}
	title := fmt.Sprintf("Order %d compliance", id)
	s.renderStatus(w, r, status, s.pageWithFlash(r, title, "compliance"), views.OrderReviewPage(v), nil)
}

// orderOverride overrides one soft breach of an order (compliance role).
func (s *server) orderOverride(w http.ResponseWriter, r *http.Request) {
	id, err := orderID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	u, _ := userFrom(r.Context())
	ov := order.Override{RuleID: r.PostFormValue("rule"), Group: r.PostFormValue("group"),
		ReasonCode: r.PostFormValue("reason_code"), Reason: r.PostFormValue("reason")}
	o, err := s.compliance.Override(r.Context(), id, actorOf(u), ov)
	if err != nil {
		f := orderFault(err)
		k, msg := s.classify(f)
		if k == kindInternal {
			s.fail(w, r, err)
			return
		}
		s.renderReview(w, r, k.status(), msg)
		return
	}
	msg := fmt.Sprintf("Breach of %s overridden on order %d.", ov.RuleID, id)
	if o.Status == order.Ready {
		msg += " Every soft breach is overridden: the order is ready for a trader's approval."
	}
	s.setFlash(r, msg)
	seeOther(w, r, fmt.Sprintf("/compliance/orders/%d", id))
}

// alertList shows unresolved post-trade alerts.
func (s *server) alertList(w http.ResponseWriter, r *http.Request) {
	list, err := s.compliance.Alerts(r.Context(), []compliance.AlertStatus{compliance.AlertOpen, compliance.AlertAcknowledged})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, s.pageWithFlash(r, "Alerts", "compliance"), views.AlertListPage(views.AlertList{Alerts: list, CanEdit: isOfficer(r)}), nil)
}

// alertAction acknowledges or resolves an alert.
func (s *server) alertAction(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.fail(w, r, fault(kindNotFound, "There is no such alert."))
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, fault(kindInvalid, "The form could not be read."))
		return
	}
	note := strings.TrimSpace(r.PostFormValue("note"))
	switch r.PostFormValue("action") {
	case "acknowledge":
		err = s.compliance.AcknowledgeAlert(r.Context(), id, signedIn(r), note)
	case "resolve":
		err = s.compliance.ResolveAlert(r.Context(), id, signedIn(r), note)
	default:
		err = fault(kindInvalid, "Choose acknowledge or resolve.")
	}
	if err != nil {
		s.fail(w, r, orderFault(err))
		return
	}
	s.setFlash(r, fmt.Sprintf("Alert %d updated.", id))
	seeOther(w, r, "/compliance/alerts")
}

// batchNow runs the post-trade batch over every portfolio now.
func (s *server) batchNow(w http.ResponseWriter, r *http.Request) {
	sum, err := s.compliance.RunBatch(r.Context(), nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(r, fmt.Sprintf("Batch checked %d portfolios against %d rules: %d alert(s), %d new, %d resolved.",
		sum.Portfolios, sum.Rules, sum.Alerts, sum.Opened, sum.Resolved))
	seeOther(w, r, "/compliance/alerts")
}
