package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
	"github.com/ballast-oms/ballast/trigger"
	"github.com/ballast-oms/ballast/web/views"
)

// The fuzz targets of the JSON API's decoders: the body is decoded as the
// handlers decode it (unknown fields refused), then parsed. For any input
// nothing panics; refusals are field errors naming a known field with a
// reason; and every decimal accepted was written in plain notation and is
// exactly that number (no exponent, no float on the way). `go test` runs the
// seeds below and testdata/fuzz.

// decodeStrict decodes like the API handlers do.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// exactDecimal fails t unless text (trimmed; "" meaning zero) is a plain
// decimal equal to got.
func exactDecimal(t *testing.T, field, text string, got decimal.Decimal) {
	t.Helper()
	text = strings.TrimSpace(text)
	if text == "" {
		if !got.IsZero() {
			t.Fatalf("%s: empty text gave %s", field, got)
		}
		return
	}
	want, err := portfolio.ParseDecimal(text)
	if err != nil {
		t.Fatalf("%s: accepted %q, which is not a plain decimal: %v", field, text, err)
	}
	if !want.Equal(got) {
		t.Fatalf("%s: %q parsed to %s", field, text, got)
	}
}

func FuzzOrderEntryJSON(f *testing.F) {
	for _, s := range []string{
		`{"portfolio":"GROWTH","symbol":"aaa","side":"buy","quantity":"100","order_type":"limit","limit_price":"101.25","time_in_force":"gtd","expire_date":"2026-12-31","broker":"SIM","notes":"rebalance"}`,
		`{"portfolio":"GROWTH","symbol":"AAA","side":"sell","quantity":" 0.000000000000000000000000000001 "}`,
		`{"quantity":"1e3"}`, `{"quantity":"-5","limit_price":"NaN"}`, `{"quantity":"1,000"}`, `{"quantity":100}`,
		`{"symbol":"<script>alert(1)</script>","notes":"=cmd|' /C calc'!A0"}`, `{"expire_date":"2026-02-30"}`,
		`{"unknown":1}`, `null`, `[]`, ``, `{"quantity":"99999999999999999999999999999999999999.5"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in orderInput
		if decodeStrict(data, &in) != nil {
			return
		}
		o, err := in.toOrder()
		if err != nil {
			checkOrderFieldErrors(t, err, "quantity", "limit_price", "stop_price", "expire_date", "notes")
			return
		}
		exactDecimal(t, "quantity", in.Quantity, o.Quantity)
		exactDecimal(t, "limit_price", in.LimitPrice, o.LimitPrice)
		exactDecimal(t, "stop_price", in.StopPrice, o.StopPrice)
		if o.Type == "" || o.TimeInForce == "" {
			t.Fatalf("no default order type or time in force: %+v", o)
		}
	})
}

func FuzzOrderReplaceJSON(f *testing.F) {
	for _, s := range []string{`{"quantity":"50","limit_price":"99.5"}`, `{"quantity":"0"}`, `{"quantity":"5e1"}`,
		`{"quantity":"-1","limit_price":"x"}`, `{"quantity":".5"}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in struct {
			Quantity   string `json:"quantity"`
			LimitPrice string `json:"limit_price"`
		}
		if decodeStrict(data, &in) != nil {
			return
		}
		qty, limit, err := parseReplace(in.Quantity, in.LimitPrice)
		if err != nil {
			checkOrderFieldErrors(t, err, "quantity", "limit_price")
			return
		}
		if !qty.IsPositive() {
			t.Fatalf("accepted quantity %s", qty)
		}
		exactDecimal(t, "quantity", in.Quantity, qty)
		exactDecimal(t, "limit_price", in.LimitPrice, limit)
	})
}

func checkOrderFieldErrors(t *testing.T, err error, fields ...string) {
	t.Helper()
	var fe order.FieldErrors
	if !errors.As(err, &fe) || !errors.Is(err, order.ErrInvalid) || len(fe) == 0 {
		t.Fatalf("refusal is not field errors: %v", err)
	}
	for _, e := range fe {
		if !contains(fields, e.Field) || strings.TrimSpace(e.Reason) == "" {
			t.Fatalf("unclear field error: %+v", e)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func FuzzConditionJSON(f *testing.F) {
	for _, s := range []string{
		`{"portfolio":"GROWTH","symbol":"AAA","kind":"stop_loss","trigger_price":"90","quantity":"10","valid_until":"2026-12-31"}`,
		`{"portfolio":"GROWTH","symbol":"AAA","kind":"trailing_stop","percent":"5","activation_price":"110","valid_until":"2026-12-31T16:00:00+01:00","oco_with":3,"order_type":"limit","collar_bps":50}`,
		`{"kind":"take_profit","trigger_price":"1E2","amount":"Infinity","valid_until":"tomorrow"}`,
		`{"quantity":"-0","percent":"100.0000000000000000000000000001"}`, `{"collar_bps":1e99}`, `{"oco_with":-1}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in conditionInJSON
		if decodeStrict(data, &in) != nil {
			return
		}
		c, err := parseConditionIn(in)
		if err != nil {
			var fe trigger.FieldErrors
			if !errors.As(err, &fe) || len(fe) == 0 {
				t.Fatalf("refusal is not field errors: %v", err)
			}
			for _, e := range fe {
				if e.Field == "" || strings.TrimSpace(e.Problem) == "" {
					t.Fatalf("unclear field error: %+v", e)
				}
			}
			return
		}
		exactDecimal(t, "trigger_price", in.TriggerPrice, c.TriggerPrice)
		exactDecimal(t, "percent", in.Percent, c.Percent)
		exactDecimal(t, "amount", in.Amount, c.Amount)
		exactDecimal(t, "activation_price", in.ActivationPrice, c.ActivationPrice)
		exactDecimal(t, "quantity", in.Quantity, c.Quantity)
		if strings.TrimSpace(in.ValidUntil) != "" && (c.ValidUntil.IsZero() || c.ValidUntil.Location().String() != "UTC") {
			t.Fatalf("valid_until %q gave %v", in.ValidUntil, c.ValidUntil)
		}
	})
}

func FuzzPricesJSON(f *testing.F) {
	for _, s := range []string{
		`[{"symbol":"AAA","price":"101.25"},{"symbol":" BBB ","price":" 0.5 "}]`,
		`[{"symbol":"AAA","price":"1e2"},{"symbol":"AAA","price":"-1"},{"symbol":"","price":""}]`,
		`[{"symbol":"AAA","price":101.25}]`, `[{"symbol":"AAA","price":"0x10"}]`, `[]`, `{}`, `[null]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in []pricePostJSON
		if decodeStrict(data, &in) != nil {
			return
		}
		batch, bad := parsePricePosts(in)
		if len(batch) != len(in) {
			t.Fatalf("batch of %d for %d prices", len(batch), len(in))
		}
		refused := map[int]bool{}
		for _, le := range bad {
			if le.Line < 1 || le.Line > len(in) || strings.TrimSpace(le.Reason) == "" {
				t.Fatalf("unclear refusal: %+v", le)
			}
			refused[le.Line] = true
		}
		for i, p := range batch {
			if refused[i+1] {
				continue
			}
			exactDecimal(t, "price", in[i].Price, p.Value)
			if p.Symbol != strings.TrimSpace(in[i].Symbol) || p.Source != "api" {
				t.Fatalf("price %d: %+v from %+v", i, p, in[i])
			}
		}
	})
}

// TestFormsRefuseExponents checks the desk's forms take decimals in plain
// notation only, like the API and the import files: "1e3" is refused.
func TestFormsRefuseExponents(t *testing.T) {
	sec := portfolio.Security{Symbol: "AAA", LotSize: decimal.NewFromInt(1)}
	buy := portfolio.Trade{Symbol: "AAA", Side: portfolio.Buy}
	if _, problem := checkTrade(buy, "1e3", "10", decimal.Zero, sec); problem == "" {
		t.Error("rebalance preview: quantity 1e3 accepted")
	}
	if _, problem := checkTrade(buy, "10", "1E1", decimal.Zero, sec); problem == "" {
		t.Error("rebalance preview: limit 1E1 accepted")
	}
	if _, problem := checkTrade(buy, "10", "10.5", decimal.Zero, sec); problem != "" {
		t.Errorf("rebalance preview: plain trade refused: %s", problem)
	}
	problems := map[string]string{}
	amountField(problems, "cash", "cash", "5e2")
	if problems["cash"] == "" {
		t.Error("rebalance options: 5e2 accepted")
	}
	row := views.ModelRow{Symbol: "AAA", Weight: "1e2"}
	if _, problem := readTarget(row, map[string]bool{"AAA": true}, map[string]int{}, 0); !strings.Contains(problem, "weight") {
		t.Errorf("model editor: weight 1e2: problem %q", problem)
	}
}
