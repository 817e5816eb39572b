package portfolio

import (
	"fmt"
	"io"
)

// MaxImportLine is the most bytes one line of an import file may hold (a
// record: a quoted field's line breaks are part of its line), 64 KiB. A
// longer line stops the import at that line, before it is held in memory,
// so a stray 10 MB cell or a binary file cannot fill the server's memory.
const MaxImportLine = 64 << 10

// MaxImportRows is the most lines an import file may hold after its header,
// 1,000,000 (lines of empty fields such as ",,," count too). An import holds
// every row until the whole file is checked, so this bounds its memory: a
// million-row price file needs about 650 MB. A longer file is refused at the
// first line past the limit; split it.
const MaxImportRows = 1_000_000

// lineTooLong is the reader's failure at the first line longer than MaxImportLine.
type lineTooLong struct{ line int }

func (e *lineTooLong) Error() string {
	return fmt.Sprintf("line %d is longer than %d KB", e.line, MaxImportLine>>10)
}

// lineLimiter passes an import file through and fails once a record grows
// past max bytes. Quotes toggle the quoted state (an escaped "" toggles twice),
// so a line break inside a quoted field does not end the record; a file whose
// quotes are broken is refused by the CSV reader first.
type lineLimiter struct {
	r      io.Reader
	max    int
	n      int  // bytes of the current record so far
	quoted bool // inside a quoted field
	line   int  // physical line being read, from 1
	start  int  // physical line where the current record began
	err    error
}

func newLineLimiter(r io.Reader, max int) *lineLimiter {
	return &lineLimiter{r: r, max: max, line: 1, start: 1}
}

// Read reads from the file, counting each record's bytes.
func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '"' {
			l.quoted = !l.quoted
		}
		if b == '\n' {
			l.line++
			if !l.quoted {
				l.n, l.start = 0, l.line
				continue
			}
		}
		if l.n++; l.n > l.max {
			l.err = &lineTooLong{line: l.start}
			return i, l.err
		}
	}
	return n, err
}
