package portfolio

import (
	"fmt"
	"strings"
)

// ImportResult says what an all-or-nothing import wrote.
type ImportResult struct {
	Added   int
	Updated int
}

// LineError is a problem with one line of an imported file (line 1 is the header).
type LineError struct {
	Line   int
	Reason string
}

// Error returns "line N: reason".
func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// ImportErrors lists every bad line of a file; when an import returns it, nothing was written.
type ImportErrors []LineError

// Error lists each bad line on its own line.
func (e ImportErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad line(s), nothing imported", len(e))
	for _, le := range e {
		b.WriteString("\n")
		b.WriteString(le.Error())
	}
	return b.String()
}
