package portfolio

import "testing"

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "AAPL": "AAPL", "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0", "+1": "'+1", "-2": "'-2",
		"@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b", "ÄÖ": "ÄÖ",
	} {
		if got := CSVSafe(in); got != want {
			t.Errorf("CSVSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
