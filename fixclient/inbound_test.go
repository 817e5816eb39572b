package fixclient

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/quickfixgo/quickfix"

	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

func TestExecKindOf(t *testing.T) {
	tests := []struct {
		name                           string
		transType, execType, ordStatus string
		want                           order.ExecKind
	}{
		{"4.4 new", "", "0", "0", order.ExecNew},
		{"4.4 trade partial", "", "F", "1", order.ExecPartialFill},
		{"4.4 trade fill", "", "F", "2", order.ExecFill},
		{"4.4 trade during pending replace", "", "F", "E", order.ExecPartialFill},
		{"4.4 done for day", "", "3", "3", order.ExecDoneForDay},
		{"4.4 cancelled", "", "4", "4", order.ExecCancelled},
		{"4.4 replaced", "", "5", "0", order.ExecReplaced},
		{"4.4 pending cancel", "", "6", "6", order.ExecPendingCancel},
		{"4.4 rejected", "", "8", "8", order.ExecRejected},
		{"4.4 pending new", "", "A", "A", order.ExecPendingNew},
		{"4.4 expired", "", "C", "C", order.ExecExpired},
		{"4.4 restated", "", "D", "1", order.ExecRestated},
		{"4.4 pending replace", "", "E", "E", order.ExecPendingReplace},
		{"4.4 correction", "", "G", "2", order.ExecCorrect},
		{"4.4 bust", "", "H", "1", order.ExecBust},
		{"4.4 status", "", "I", "1", order.ExecStatus},
		{"4.2-style partial on 4.4", "", "1", "1", order.ExecPartialFill},
		{"4.2-style fill on 4.4", "", "2", "2", order.ExecFill},
		{"4.2 new", "0", "0", "0", order.ExecNew},
		{"4.2 partial", "0", "1", "1", order.ExecPartialFill},
		{"4.2 fill", "0", "2", "2", order.ExecFill},
		{"4.2 done for day", "0", "3", "3", order.ExecDoneForDay},
		{"4.2 cancelled", "0", "4", "4", order.ExecCancelled},
		{"4.2 replaced", "0", "5", "1", order.ExecReplaced},
		{"4.2 pending cancel", "0", "6", "6", order.ExecPendingCancel},
		{"4.2 rejected", "0", "8", "8", order.ExecRejected},
		{"4.2 pending new", "0", "A", "A", order.ExecPendingNew},
		{"4.2 expired", "0", "C", "C", order.ExecExpired},
		{"4.2 restated", "0", "D", "1", order.ExecRestated},
		{"4.2 pending replace", "0", "E", "E", order.ExecPendingReplace},
		{"4.2 bust", "1", "2", "1", order.ExecBust},
		{"4.2 correction", "2", "2", "2", order.ExecCorrect},
		{"4.2 status", "3", "1", "1", order.ExecStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ExecKindOf(tt.transType, tt.execType, tt.ordStatus)
			if err != nil || got != tt.want {
				t.Errorf("ExecKindOf(%q, %q, %q) = %q, %v; want %q", tt.transType, tt.execType, tt.ordStatus, got, err, tt.want)
			}
		})
	}
	for _, bad := range [][2]string{{"", "Z"}, {"4", "0"}, {"", ""}} {
		if _, err := ExecKindOf(bad[0], bad[1], "0"); !errors.Is(err, ErrUnmappable) {
			t.Errorf("ExecKindOf(%q, %q) error %v, want ErrUnmappable", bad[0], bad[1], err)
		}
	}
}

// parse builds an inbound message from "tag=value|..." body text.
func parse(t *testing.T, header, body string) *quickfix.Message {
	t.Helper()
	raw := strings.ReplaceAll(header+"|"+body, "|", "\x01")
	full := "8=FIX.4.4\x019=" + strconv.Itoa(len(raw)+1) + "\x01" + raw + "\x01"
	sum := 0
	for i := range len(full) {
		sum += int(full[i])
	}
	full += fmt.Sprintf("10=%03d\x01", sum%256)
	m := quickfix.NewMessage()
	if err := quickfix.ParseMessage(m, bytes.NewBufferString(full)); err != nil {
		t.Fatalf("parse %q: %v", full, err)
	}
	return m
}

func TestMapExecutionReport(t *testing.T) {
	m := parse(t, "35=8|34=12|43=Y|49=SIM|56=BALLAST|52=20260102-10:00:00.000|122=20260102-09:59:00.000",
		"37=O1|17=E7|11=Y|41=X|150=F|39=1|1=P1|55=AAPL|54=2|38=300|44=10.5|32=100|31=10.25|14=100|151=200|6=10.25|60=20260102-10:00:00.123|58=ok")
	r, err := MapExecutionReport(m)
	if err != nil {
		t.Fatal(err)
	}
	want := order.ExecutionReport{ExecID: "E7", Kind: order.ExecPartialFill, ClOrdID: "Y", OrigClOrdID: "X", BrokerID: "O1",
		OrdStatus: "1", Symbol: "AAPL", Side: portfolio.Sell, Text: "ok", PossDup: true, SeqNum: 12}
	if r.ExecID != want.ExecID || r.Kind != want.Kind || r.ClOrdID != want.ClOrdID || r.OrigClOrdID != want.OrigClOrdID ||
		r.BrokerID != want.BrokerID || r.OrdStatus != want.OrdStatus || r.Symbol != want.Symbol || r.Side != want.Side ||
		r.Text != want.Text || r.PossDup != want.PossDup || r.SeqNum != want.SeqNum {
		t.Errorf("mapped %+v", r)
	}
	for name, pair := range map[string][2]string{
		"LastQty": {r.LastQty.String(), "100"}, "LastPx": {r.LastPx.String(), "10.25"}, "CumQty": {r.CumQty.String(), "100"},
		"LeavesQty": {r.LeavesQty.String(), "200"}, "AvgPx": {r.AvgPx.String(), "10.25"}, "OrderQty": {r.OrderQty.String(), "300"},
		"Price": {r.Price.String(), "10.5"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s = %s, want %s", name, pair[0], pair[1])
		}
	}
	if r.TransactAt.Format("15:04:05.000") != "10:00:00.123" || !strings.Contains(r.Raw, "17=E7") {
		t.Errorf("TransactAt %v raw %q", r.TransactAt, r.Raw)
	}
}

func TestMapExecutionReport42Bust(t *testing.T) {
	m := parse(t, "35=8|34=3", "37=O1|17=E9|19=E7|20=1|150=1|39=1|11=X|55=AAPL|54=1|32=100|31=10|14=0|151=300|6=0")
	r, err := MapExecutionReport(m)
	if err != nil || r.Kind != order.ExecBust || r.ExecRefID != "E7" || r.Side != portfolio.Buy || r.PossDup {
		t.Errorf("4.2 bust mapped to %+v, %v", r, err)
	}
}

func TestMapExecutionReportErrors(t *testing.T) {
	for name, body := range map[string]string{
		"no ExecID":     "150=0|39=0|11=X",
		"bad ExecType":  "17=E1|150=Q|39=0",
		"bad quantity":  "17=E1|150=F|39=1|32=lots",
		"exponent":      "17=E1|150=F|39=1|32=1e999999999",
		"bad TransType": "17=E1|20=7|150=0|39=0",
	} {
		if _, err := MapExecutionReport(parse(t, "35=8|34=1", body)); !errors.Is(err, ErrUnmappable) {
			t.Errorf("%s: error %v, want ErrUnmappable", name, err)
		}
	}
	if _, err := MapExecutionReport(parse(t, "35=9|34=1", "17=E1|150=0")); !errors.Is(err, ErrUnmappable) {
		t.Errorf("wrong MsgType: %v", err)
	}
}

func TestMapCancelReject(t *testing.T) {
	r, err := MapCancelReject(parse(t, "35=9|34=5", "37=O1|11=C2|41=X|39=2|434=1|102=0|58=already filled"))
	if err != nil || r.ClOrdID != "C2" || r.OrigClOrdID != "X" || r.BrokerID != "O1" || r.OrdStatus != "2" ||
		r.ResponseTo != "cancel" || r.Reason != "too late to cancel: already filled" {
		t.Errorf("cancel reject mapped to %+v, %v", r, err)
	}
	r, _ = MapCancelReject(parse(t, "35=9|34=6", "11=R1|41=X|39=8|434=2|102=1"))
	if r.ResponseTo != "replace" || r.Reason != "unknown order" {
		t.Errorf("replace reject mapped to %+v", r)
	}
}

func TestMapReject(t *testing.T) {
	r, err := MapReject(parse(t, "35=3|34=7", "45=4|373=1|371=38|58=Required tag missing"))
	if err != nil || r.RefSeqNum != 4 || r.Business || r.Reason != "required tag missing: Required tag missing" {
		t.Errorf("session reject mapped to %+v, %v", r, err)
	}
	r, err = MapReject(parse(t, "35=j|34=8", "45=5|372=D|379=X9|380=2"))
	if err != nil || r.RefSeqNum != 5 || !r.Business || r.ClOrdID != "X9" || r.Reason != "unknown security" {
		t.Errorf("business reject mapped to %+v, %v", r, err)
	}
	if _, err := MapReject(parse(t, "35=8|34=9", "17=E1")); !errors.Is(err, ErrUnmappable) {
		t.Errorf("wrong MsgType: %v", err)
	}
}
