package fixclient

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/quickfixgo/quickfix"
	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

var at = time.Date(2026, 1, 2, 14, 30, 0, 0, time.UTC)

// fields renders a message body as "tag=value|" text, sorted by tag.
func fields(m *quickfix.Message) string {
	return strings.ReplaceAll(m.String(), "\x01", "|")
}

func TestBuildNewOrderSingle(t *testing.T) {
	base := order.NewOrderRequest{Broker: "SIM", ClOrdID: "X1", Account: "P1", Symbol: "AAPL", Side: portfolio.Buy,
		Quantity: d("100"), Type: order.Market, TransactAt: at}
	tests := []struct {
		name  string
		edit  func(*order.NewOrderRequest)
		begin string
		want  []string
		not   []string
	}{
		{"market day 4.4", func(*order.NewOrderRequest) {}, "FIX.4.4",
			[]string{"8=FIX.4.4", "35=D", "11=X1", "21=1", "1=P1", "55=AAPL", "54=1", "38=100", "40=1", "59=0", "60=20260102-14:30:00.000"},
			[]string{"44=", "99=", "432="}},
		{"limit gtc sell 4.2", func(r *order.NewOrderRequest) {
			r.Side, r.Type, r.LimitPrice, r.TimeInForce = portfolio.Sell, order.Limit, d("10.25"), order.GTC
		}, "FIX.4.2", []string{"8=FIX.4.2", "54=2", "40=2", "44=10.25", "59=1"}, []string{"99="}},
		{"stop ioc short", func(r *order.NewOrderRequest) {
			r.Side, r.Type, r.StopPrice, r.TimeInForce = portfolio.SellShort, order.Stop, d("9.5"), order.IOC
		}, "FIX.4.4", []string{"54=5", "40=3", "99=9.5", "59=3"}, []string{"44="}},
		{"stop limit gtd", func(r *order.NewOrderRequest) {
			r.Type, r.LimitPrice, r.StopPrice, r.TimeInForce = order.StopLimit, d("11"), d("10.5"), order.GTD
			r.ExpireDate = time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
		}, "FIX.4.4", []string{"40=4", "44=11", "99=10.5", "59=6", "432=20260320"}, nil},
		{"fok opg cls", func(r *order.NewOrderRequest) { r.TimeInForce = order.FOK }, "FIX.4.4", []string{"59=4"}, nil},
		{"at the open", func(r *order.NewOrderRequest) { r.TimeInForce = order.OPG }, "FIX.4.4", []string{"59=2"}, nil},
		{"at the close", func(r *order.NewOrderRequest) { r.TimeInForce = order.CLS }, "FIX.4.4", []string{"59=7"}, nil},
		{"no account", func(r *order.NewOrderRequest) { r.Account = "" }, "FIX.4.4", []string{"11=X1"}, []string{"|1="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			tt.edit(&r)
			m, err := BuildNewOrderSingle(tt.begin, r, at)
			if err != nil {
				t.Fatal(err)
			}
			got := "|" + fields(m)
			for _, w := range tt.want {
				if !strings.Contains(got, "|"+w+"|") {
					t.Errorf("missing %s in %s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, "|"+strings.TrimPrefix(n, "|")) {
					t.Errorf("unexpected %s in %s", n, got)
				}
			}
		})
	}
}

func TestBuildNewOrderSingleRejectsBadRequests(t *testing.T) {
	good := order.NewOrderRequest{ClOrdID: "X1", Symbol: "AAPL", Side: portfolio.Buy, Quantity: d("1"), Type: order.Market}
	tests := map[string]func(*order.NewOrderRequest){
		"no ClOrdID":        func(r *order.NewOrderRequest) { r.ClOrdID = "" },
		"no symbol":         func(r *order.NewOrderRequest) { r.Symbol = "" },
		"bad side":          func(r *order.NewOrderRequest) { r.Side = "up" },
		"zero quantity":     func(r *order.NewOrderRequest) { r.Quantity = decimal.Zero },
		"negative quantity": func(r *order.NewOrderRequest) { r.Quantity = d("-1") },
		"bad type":          func(r *order.NewOrderRequest) { r.Type = "iceberg" },
		"limit no price":    func(r *order.NewOrderRequest) { r.Type = order.Limit },
		"stop no stop":      func(r *order.NewOrderRequest) { r.Type = order.Stop },
		"stop limit no lim": func(r *order.NewOrderRequest) { r.Type, r.StopPrice = order.StopLimit, d("1") },
		"gtd no date":       func(r *order.NewOrderRequest) { r.TimeInForce = order.GTD },
		"bad tif":           func(r *order.NewOrderRequest) { r.TimeInForce = "forever" },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			r := good
			edit(&r)
			if _, err := BuildNewOrderSingle("FIX.4.4", r, at); !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("error %v, want ErrInvalidRequest", err)
			}
		})
	}
}

func TestBuildCancelAndReplace(t *testing.T) {
	c, err := BuildCancelRequest("FIX.4.2", order.CancelRequest{ClOrdID: "C1", OrigClOrdID: "X1", BrokerID: "O9",
		Symbol: "AAPL", Side: portfolio.Sell, Quantity: d("100")}, at)
	if err != nil {
		t.Fatal(err)
	}
	got := "|" + fields(c)
	for _, w := range []string{"35=F", "11=C1", "41=X1", "37=O9", "55=AAPL", "54=2", "38=100", "60=20260102-14:30:00.000"} {
		if !strings.Contains(got, "|"+w+"|") {
			t.Errorf("cancel missing %s in %s", w, got)
		}
	}
	rp, err := BuildReplaceRequest("FIX.4.4", order.ReplaceRequest{OrigClOrdID: "X1", NewOrderRequest: order.NewOrderRequest{
		ClOrdID: "Y1", Symbol: "AAPL", Side: portfolio.Buy, Quantity: d("200"), Type: order.Limit, LimitPrice: d("10")}}, at)
	if err != nil {
		t.Fatal(err)
	}
	got = "|" + fields(rp)
	for _, w := range []string{"35=G", "11=Y1", "41=X1", "21=1", "38=200", "40=2", "44=10"} {
		if !strings.Contains(got, "|"+w+"|") {
			t.Errorf("replace missing %s in %s", w, got)
		}
	}
	if _, err := BuildCancelRequest("FIX.4.4", order.CancelRequest{ClOrdID: "C1", Symbol: "A", Side: portfolio.Buy}, at); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("cancel without OrigClOrdID: %v", err)
	}
	if _, err := BuildReplaceRequest("FIX.4.4", order.ReplaceRequest{NewOrderRequest: order.NewOrderRequest{ClOrdID: "Y"}}, at); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("replace without OrigClOrdID: %v", err)
	}
}

func TestThrottleSpacesMessages(t *testing.T) {
	now := func() time.Time { return at } // frozen clock: the second slot is a full interval away
	th := NewThrottle(1, now)
	if err := th.Wait(context.Background()); err != nil {
		t.Fatalf("first message waited: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := th.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("second message within the interval: %v, want it to wait", err)
	}
	if err := NewThrottle(0, now).Wait(ctx); err != nil {
		t.Errorf("unthrottled wait: %v", err)
	}
}
