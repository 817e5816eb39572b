package fixstore

import "testing"

func TestRawField(t *testing.T) {
	msg := []byte("8=FIX.4.4\x019=70\x0135=D\x0134=7\x0111=C-1\x0155=AAPL\x0110=123\x01")
	for key, want := range map[string]string{"8=": "FIX.4.4", "\x0135=": "D", "\x0134=": "7", "\x0111=": "C-1", "\x0110=": "123", "\x0141=": ""} {
		if got := RawField(msg, key); got != want {
			t.Errorf("RawField(%q) = %q, want %q", key, got, want)
		}
	}
	if got := RawField([]byte("8=FIX.4.4\x0135=0"), "\x0135="); got != "0" {
		t.Errorf("a field at the end without its SOH: %q", got)
	}
}
