package portfolio

// CSVSafe defuses a cell a spreadsheet would run as a formula: one starting
// with = + - @ (or a tab or carriage return) gets a leading apostrophe.
// Every CSV export of Ballast writes its text cells through it.
func CSVSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
