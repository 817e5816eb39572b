package fixclient

import (
	"bytes"
	"strings"
	"testing"

	"github.com/quickfixgo/quickfix"
)

// FuzzMapExecutionReport feeds raw messages to the inbound mapping: it must
// never panic, and what it accepts must carry an ExecID and a kind.
func FuzzMapExecutionReport(f *testing.F) {
	for _, s := range []string{
		"8=FIX.4.4|9=60|35=8|34=2|49=S|56=T|17=E1|150=F|39=1|32=10|31=1.5|14=10|151=90|6=1.5|10=000|",
		"8=FIX.4.2|9=60|35=8|34=3|49=S|56=T|17=E2|20=1|19=E1|150=1|39=1|32=10|31=1.5|10=000|",
		// FIX 4.2: ExecTransType(20) new with the 4.2 ExecType 1/2 for fills, a correction, a status.
		"8=FIX.4.2|9=60|35=8|34=6|49=S|56=T|11=C1|37=B1|17=E3|20=0|150=1|39=1|55=AAA|54=1|38=100|32=40|31=10.25|14=40|151=60|6=10.25|10=000|",
		"8=FIX.4.2|9=60|35=8|34=7|49=S|56=T|11=C1|37=B1|17=E4|20=0|150=2|39=2|55=AAA|54=2|38=100|32=60|31=10.5|14=100|151=0|6=10.4|10=000|",
		"8=FIX.4.2|9=60|35=8|34=8|49=S|56=T|11=C1|17=E5|20=2|19=E3|150=2|39=2|32=41|31=10.25|10=000|",
		"8=FIX.4.2|9=60|35=8|34=9|49=S|56=T|11=C1|17=E6|20=3|150=3|39=3|10=000|",
		"8=FIX.4.2|9=60|35=8|34=10|49=S|56=T|11=C1|17=E7|20=9|150=2|39=2|32=1e3|10=000|",
		"8=FIX.4.4|9=40|35=9|34=4|49=S|56=T|11=C|41=X|434=1|102=1|10=000|",
		"8=FIX.4.4|9=30|35=j|34=5|45=3|380=2|379=X|10=000|",
	} {
		f.Add([]byte(strings.ReplaceAll(s, "|", "\x01")))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, ok := parseRaw(raw)
		if !ok {
			return
		}
		if r, err := MapExecutionReport(m); err == nil && (r.ExecID == "" || r.Kind == "") {
			t.Errorf("accepted a report without ExecID or kind: %+v", r)
		}
		_, _ = MapCancelReject(m)
		_, _ = MapReject(m)
	})
}

// parseRaw parses raw, treating a panic in quickfixgo's parser (it indexes
// past the end of some truncated inputs, e.g. "8=\x01") as a parse error:
// the fuzz target is Ballast's mapping.
func parseRaw(raw []byte) (m *quickfix.Message, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	m = quickfix.NewMessage()
	return m, quickfix.ParseMessage(m, bytes.NewBuffer(raw)) == nil
}
