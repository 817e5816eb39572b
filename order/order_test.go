package order

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/user"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var testNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) // a Friday

func validOrder() Order {
	return Order{
		ID: 7, Portfolio: "GROWTH", Symbol: "VOD", Side: portfolio.Buy, Quantity: d("1000"),
		Type: Limit, LimitPrice: d("72.50"), TimeInForce: Day,
		ProposedBy: "pm1", Status: Ready, CreatedAt: testNow.Add(-time.Hour),
		ExpiresAt: testNow.Add(6 * time.Hour),
	}
}

func TestValidate(t *testing.T) {
	tomorrow := testNow.AddDate(0, 0, 1)
	cases := []struct {
		name   string
		edit   func(*Order)
		fields []string
	}{
		{"valid limit", func(*Order) {}, nil},
		{"valid market", func(o *Order) { o.Type, o.LimitPrice = Market, decimal.Zero }, nil},
		{"valid stop", func(o *Order) { o.Type, o.LimitPrice, o.StopPrice = Stop, decimal.Zero, d("70") }, nil},
		{"valid stop limit", func(o *Order) { o.Type, o.StopPrice = StopLimit, d("70") }, nil},
		{"valid gtd", func(o *Order) { o.TimeInForce, o.ExpireDate = GTD, tomorrow }, nil},
		{"valid sell short", func(o *Order) { o.Side = portfolio.SellShort }, nil},
		{"empty everything", func(o *Order) { *o = Order{} }, []string{"portfolio", "symbol", "side", "quantity", "order_type", "time_in_force"}},
		{"zero quantity", func(o *Order) { o.Quantity = decimal.Zero }, []string{"quantity"}},
		{"negative quantity", func(o *Order) { o.Quantity = d("-5") }, []string{"quantity"}},
		{"bad side", func(o *Order) { o.Side = "short" }, []string{"side"}},
		{"limit without price", func(o *Order) { o.LimitPrice = decimal.Zero }, []string{"limit_price"}},
		{"limit negative price", func(o *Order) { o.LimitPrice = d("-1") }, []string{"limit_price"}},
		{"limit with stop", func(o *Order) { o.StopPrice = d("70") }, []string{"stop_price"}},
		{"market with limit", func(o *Order) { o.Type = Market }, []string{"limit_price"}},
		{"stop without stop price", func(o *Order) { o.Type, o.LimitPrice = Stop, decimal.Zero }, []string{"stop_price"}},
		{"stop limit without both", func(o *Order) { o.Type, o.LimitPrice = StopLimit, decimal.Zero }, []string{"limit_price", "stop_price"}},
		{"gtd without date", func(o *Order) { o.TimeInForce = GTD }, []string{"expire_date"}},
		{"gtd today", func(o *Order) { o.TimeInForce, o.ExpireDate = GTD, testNow }, []string{"expire_date"}},
		{"gtd past", func(o *Order) { o.TimeInForce, o.ExpireDate = GTD, testNow.AddDate(0, 0, -3) }, []string{"expire_date"}},
		{"day with date", func(o *Order) { o.ExpireDate = tomorrow }, []string{"expire_date"}},
		{"bad tif", func(o *Order) { o.TimeInForce = "week" }, []string{"time_in_force"}},
		{"bad type", func(o *Order) { o.Type = "peg" }, []string{"order_type"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := validOrder()
			c.edit(&o)
			err := o.Validate(testNow)
			if c.fields == nil {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var fe FieldErrors
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want FieldErrors matching ErrInvalid", err)
			}
			var got []string
			for _, f := range fe {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(c.fields, ",") {
				t.Errorf("fields = %v, want %v (%v)", got, c.fields, err)
			}
		})
	}
}

func TestCanApprove(t *testing.T) {
	trader := []user.Role{user.Trader}
	cases := []struct {
		name     string
		edit     func(*Order)
		approver string
		roles    []user.Role
		now      time.Time
		kind     error
		msg      string
	}{
		{"ok", func(*Order) {}, "trader1", trader, testNow, nil, ""},
		{"ok pm and trader", func(*Order) {}, "trader1", []user.Role{user.PM, user.Trader}, testNow, nil, ""},
		{"trader cannot override", func(o *Order) { o.Status, o.Override = AwaitingOverride, "liquidity ok" }, "trader1", trader, testNow, ErrConflict, "compliance officer's override"},
		{"proposer approves", func(*Order) {}, "pm1", []user.Role{user.PM, user.Trader}, testNow, ErrForbidden, "four eyes"},
		{"proposer other case", func(*Order) {}, " PM1", trader, testNow, ErrForbidden, "four eyes"},
		{"no approver", func(*Order) {}, "", trader, testNow, ErrForbidden, "no approver"},
		{"amender approves", func(o *Order) { o.AmendedBy = "trader1" }, "trader1", trader, testNow, ErrForbidden, "amended"},
		{"not a trader", func(*Order) {}, "pm2", []user.Role{user.PM, user.Compliance}, testNow, ErrForbidden, "not a trader"},
		{"awaiting override", func(o *Order) { o.Status = AwaitingOverride }, "trader1", trader, testNow, ErrConflict, "awaits a compliance officer"},
		{"blocked", func(o *Order) { o.Status = Blocked }, "trader1", trader, testNow, ErrConflict, "status is blocked"},
		{"already approved", func(o *Order) { o.Status = Approved }, "trader1", trader, testNow, ErrConflict, "status is approved"},
		{"at expiry", func(*Order) {}, "trader1", trader, testNow.Add(6 * time.Hour), ErrConflict, "expired at 2026-11-20T16:00:00Z"},
		{"after expiry", func(*Order) {}, "trader1", trader, testNow.Add(30 * time.Hour), ErrConflict, "expired"},
		{"no expiry", func(o *Order) { o.ExpiresAt = time.Time{} }, "trader1", trader, testNow, ErrConflict, "no approval expiry"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := validOrder()
			c.edit(&o)
			err := CanApprove(o, c.approver, c.roles, c.now)
			if c.kind == nil {
				if err != nil {
					t.Fatalf("CanApprove = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "approve 7") {
				t.Errorf("CanApprove = %v, want %v containing %q", err, c.kind, c.msg)
			}
		})
	}
}

func TestTradingDayEnd(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	td, err := NewTradingDay("16:30", london)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ at, want string }{
		{"2026-11-20T10:00:00Z", "2026-11-20T16:30:00Z"}, // Friday, GMT
		{"2026-11-20T16:29:59Z", "2026-11-20T16:30:00Z"},
		{"2026-11-20T16:30:00Z", "2026-11-23T16:30:00Z"}, // at the close: Monday
		{"2026-11-21T12:00:00Z", "2026-11-23T16:30:00Z"}, // Saturday
		{"2026-07-01T09:00:00Z", "2026-07-01T15:30:00Z"}, // BST: 16:30 London is 15:30 UTC
		{"2026-07-01T15:45:00Z", "2026-07-02T15:30:00Z"},
		{"2026-03-27T17:00:00Z", "2026-03-30T15:30:00Z"}, // Friday GMT → Monday BST
	}
	for _, c := range cases {
		at, _ := time.Parse(time.RFC3339, c.at)
		if got := td.End(at).Format(time.RFC3339); got != c.want {
			t.Errorf("End(%s) = %s, want %s", c.at, got, c.want)
		}
	}
	for _, bad := range []string{"", "25:00", "4pm", "16-30"} {
		if _, err := NewTradingDay(bad, london); !errors.Is(err, ErrInvalid) {
			t.Errorf("NewTradingDay(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := NewTradingDay("16:30", nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("NewTradingDay without zone = %v", err)
	}
}

func TestOrderLeaves(t *testing.T) {
	o := validOrder()
	o.FilledQty = d("400")
	for s, want := range map[Status]string{PartiallyFilled: "600", PendingReplace: "600", Cancelled: "0", DoneForDay: "0", Expired: "0", Rejected: "0"} {
		o.Status = s
		if got := o.Leaves(); !got.Equal(d(want)) {
			t.Errorf("Leaves in %s = %s, want %s", s, got, want)
		}
	}
	o.Status, o.FilledQty = Filled, d("1100")
	if !o.Leaves().IsZero() {
		t.Errorf("overfilled leaves = %s, want 0", o.Leaves())
	}
}
