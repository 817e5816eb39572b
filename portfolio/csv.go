package portfolio

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// ImportRow is one good line of an import file with the value parsed from it.
type ImportRow[T any] struct {
	Line  int
	Value T
}

// ImportFile is a parsed import file. Rows holds the lines that parsed; Errors
// every line that did not (the caller adds problems it finds against stored data,
// and writes nothing while Errors is not empty). Columns records which columns
// the header named, so an upsert can leave absent optional columns unchanged.
type ImportFile[T any] struct {
	Rows    []ImportRow[T]
	Errors  ImportErrors
	Columns map[string]bool
}

// csvSpec names a file kind's columns; headers are matched by name in any order.
type csvSpec struct {
	required []string
	optional []string
}

// known reports whether name is one of the spec's columns.
func (s csvSpec) known(name string) bool {
	for _, c := range append(s.required, s.optional...) {
		if c == name {
			return true
		}
	}
	return false
}

// csvRecord is one data line: its number and its trimmed fields by column name.
type csvRecord struct {
	line   int
	fields []string
	index  map[string]int
}

// get returns the value of column name, "" when the file has no such column.
func (r csvRecord) get(name string) string {
	if i, ok := r.index[name]; ok {
		return r.fields[i]
	}
	return ""
}

// readCSV reads a whole import file: it strips a UTF-8 byte-order mark, accepts
// CRLF, checks the header against spec and calls each for every data line that
// is not blank. A header problem or an unreadable file is returned as the error
// (header problems as ImportErrors on line 1); a line with the wrong number of
// fields is reported in bad and skipped.
func readCSV(r io.Reader, spec csvSpec, each func(csvRecord) []string) (cols map[string]bool, bad ImportErrors, err error) {
	br, err := skipBOM(r)
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(newLineLimiter(br, MaxImportLine))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, ImportErrors{{Line: 1, Reason: "file is empty: expected a header line naming the columns"}}
	}
	if err != nil {
		return nil, nil, readFailure(nil, err)
	}
	if !utf8Record(header) {
		return nil, nil, ImportErrors{{Line: 1, Reason: notUTF8}}
	}
	index, herr := checkHeader(header, spec)
	if herr != nil {
		return nil, nil, herr
	}
	cols = make(map[string]bool, len(index))
	for name := range index {
		cols[name] = true
	}
	for rows := 1; ; rows++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return cols, bad, nil
		}
		if err != nil {
			return nil, nil, readFailure(bad, err)
		}
		line, _ := cr.FieldPos(0)
		if rows > MaxImportRows {
			return nil, nil, append(bad, LineError{Line: line, Reason: fmt.Sprintf(
				"the file has more than %d lines after the header, the most an import takes; split it", MaxImportRows)})
		}
		if blank(rec) {
			continue // e.g. ",,,," rows that spreadsheets leave at the end
		}
		if len(rec) != len(index) {
			bad = append(bad, LineError{Line: line, Reason: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(index))})
			continue
		}
		if !utf8Record(rec) {
			bad = append(bad, LineError{Line: line, Reason: notUTF8})
			continue
		}
		fields := make([]string, len(rec))
		for i, f := range rec {
			fields[i] = strings.TrimSpace(f)
		}
		if reasons := each(csvRecord{line: line, fields: fields, index: index}); len(reasons) > 0 {
			bad = append(bad, LineError{Line: line, Reason: strings.Join(reasons, "; ")})
		}
	}
}

// notUTF8 is the reason given for a line in another encoding.
const notUTF8 = "is not UTF-8 text: save the file as UTF-8 (\"CSV UTF-8\" in a spreadsheet)"

// utf8Record reports whether every field of a record is valid UTF-8 text
// without NUL bytes (which UTF-16 and binary files are full of).
func utf8Record(rec []string) bool {
	for _, f := range rec {
		if !utf8.ValidString(f) || strings.IndexByte(f, 0) >= 0 {
			return false
		}
	}
	return true
}

// blank reports whether every field of a record is empty or spaces.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// checkHeader maps column names (trimmed, lower-cased) to their positions and
// reports unknown, repeated and missing columns.
func checkHeader(header []string, spec csvSpec) (map[string]int, error) {
	index := make(map[string]int, len(header))
	var bad ImportErrors
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case !spec.known(name):
			bad = append(bad, LineError{Line: 1, Reason: fmt.Sprintf("unknown column %q (expected %s)", h, describeColumns(spec))})
		case hasIndex(index, name):
			bad = append(bad, LineError{Line: 1, Reason: fmt.Sprintf("column %q appears twice", name)})
		default:
			index[name] = i
		}
	}
	for _, c := range spec.required {
		if !hasIndex(index, c) {
			bad = append(bad, LineError{Line: 1, Reason: fmt.Sprintf("missing column %q", c)})
		}
	}
	if len(bad) > 0 {
		return nil, bad
	}
	return index, nil
}

func hasIndex(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func describeColumns(spec csvSpec) string {
	s := strings.Join(spec.required, ",")
	if len(spec.optional) > 0 {
		s += " and optionally " + strings.Join(spec.optional, ",")
	}
	return s
}

// readFailure ends a read: a CSV syntax error joins the bad lines found so far
// as ImportErrors; any other error is an unreadable file.
func readFailure(bad ImportErrors, err error) error {
	var pe *csv.ParseError
	var long *lineTooLong
	if errors.As(err, &long) {
		return append(bad, LineError{Line: long.line, Reason: fmt.Sprintf(
			"is longer than %d KB, the most a line may hold; nothing after it was read", MaxImportLine>>10)})
	}
	if errors.As(err, &pe) {
		return append(bad, LineError{Line: pe.StartLine, Reason: "not valid CSV: " + pe.Err.Error()})
	}
	return fmt.Errorf("read csv: %w", err)
}

// skipBOM drops a leading UTF-8 byte-order mark, as spreadsheet programs
// write one. A UTF-16 byte-order mark refuses the file on line 1.
func skipBOM(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	if b, err := br.Peek(2); err == nil && (string(b) == "\xff\xfe" || string(b) == "\xfe\xff") {
		return nil, ImportErrors{{Line: 1, Reason: "file is UTF-16 text: save it as UTF-8 (\"CSV UTF-8\" in a spreadsheet)"}}
	}
	return br, nil
}

// dupes tracks the first line of each key to report duplicates within a file.
type dupes map[string]int

// check records key on line and returns a reason when it was seen before.
func (d dupes) check(what, key string, line int) []string {
	if first, ok := d[key]; ok {
		return []string{fmt.Sprintf("duplicate %s %s (first on line %d)", what, key, first)}
	}
	d[key] = line
	return nil
}

// SortErrors orders line errors by line number, keeping the order within a line.
func SortErrors(errs ImportErrors) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
}
