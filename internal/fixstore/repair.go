package fixstore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// RepairHeader makes a quickfixgo file store's header (its index of the
// body: one "seq,offset,length" line per message) agree with the body after
// a crash or a power cut, when the header was not synced with every message:
//
//   - a torn last line, and lines for messages past the end of the body
//     (written but never synced, so never sent), are cut off;
//   - complete messages in the body that the header lost are indexed again
//     from their own MsgSeqNum;
//   - a torn message at the end of the body (never synced, never sent) is
//     cut off;
//   - a header lost altogether (its directory entry was never synced) is
//     built again from the body.
//
// Missing files are left to quickfixgo to create (a header without a body
// is cut to nothing first).
func RepairHeader(bodyPath, headerPath string) error {
	body, err := os.ReadFile(bodyPath)
	if errors.Is(err, fs.ErrNotExist) {
		body = nil
	} else if err != nil {
		return err
	}
	header, err := os.ReadFile(headerPath)
	if errors.Is(err, fs.ErrNotExist) {
		if len(body) == 0 {
			return nil
		}
		header = nil
	} else if err != nil {
		return err
	}
	keep, end := indexedPrefix(header, int64(len(body)))
	extra, complete := indexTail(body, end)
	if keep == len(header) && len(extra) == 0 && complete == int64(len(body)) {
		return nil
	}
	if complete < int64(len(body)) {
		if err := truncateSynced(bodyPath, complete); err != nil {
			return err
		}
	}
	repaired := append(header[:keep:keep], extra...)
	return writeSynced(headerPath, repaired)
}

// indexedPrefix returns how many bytes of header are whole lines for
// messages inside the body, and where the last of them ends.
func indexedPrefix(header []byte, bodySize int64) (keep int, end int64) {
	for _, l := range headerLines(header) {
		if l.off < 0 || l.size < 0 || l.off+l.size > bodySize {
			break
		}
		keep, end = l.end, max(end, l.off+l.size)
	}
	return keep, end
}

// indexTail returns header lines for the complete messages in body from
// offset from on, and where the last of them ends.
func indexTail(body []byte, from int64) (lines []byte, end int64) {
	end = from
	for end < int64(len(body)) {
		n, seq, ok := frame(body[end:])
		if !ok {
			break
		}
		lines = fmt.Appendf(lines, "%d,%d,%d\n", seq, end, n)
		end += int64(n)
	}
	return lines, end
}

// frame measures the FIX message at the start of b (8=…|9=len|…|10=nnn|)
// and reads its MsgSeqNum; ok is false for a torn or garbled message.
func frame(b []byte) (n, seq int, ok bool) {
	if !bytes.HasPrefix(b, []byte("8=")) {
		return 0, 0, false
	}
	first := bytes.IndexByte(b, 1)
	if first < 0 || !bytes.HasPrefix(b[first+1:], []byte("9=")) {
		return 0, 0, false
	}
	second := bytes.IndexByte(b[first+1:], 1)
	if second < 0 {
		return 0, 0, false
	}
	bodyStart := first + 1 + second + 1
	bodyLen, err := strconv.Atoi(string(b[first+3 : bodyStart-1]))
	if err != nil || bodyLen < 0 {
		return 0, 0, false
	}
	n = bodyStart + bodyLen + len("10=000\x01")
	if n > len(b) || !bytes.HasPrefix(b[bodyStart+bodyLen:], []byte("10=")) || b[n-1] != 1 {
		return 0, 0, false
	}
	seq, err = strconv.Atoi(RawField(b[:n], "\x0134="))
	if err != nil {
		return 0, 0, false
	}
	return n, seq, true
}

func truncateSynced(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o660)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Sync()
}

// RepairSenderNumber raises a quickfixgo file store's next outbound
// sequence number past the last message its header indexes (run it after
// RepairHeader), when the number was written after the message but lost
// at a power cut: a DurableFile fsyncs the body of each message, not the
// number beside it. It returns the last stored message's number (0 when
// none is stored). A missing header is left to quickfixgo to create.
func RepairSenderNumber(headerPath, senderPath string) (last int, err error) {
	header, err := os.ReadFile(headerPath)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	lines := headerLines(header)
	if len(lines) == 0 {
		return 0, nil
	}
	last = lines[len(lines)-1].seq
	return last, raiseSenderNumber(senderPath, last+1)
}

// raiseSenderNumber makes the stored next outbound number at least atLeast
// (synced when it writes it), and leaves a larger one as it is.
func raiseSenderNumber(senderPath string, atLeast int) error {
	stored, err := os.ReadFile(senderPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// quickfixgo reads the number the same way; a garbled one counts as none.
	next, perr := strconv.Atoi(strings.Trim(string(stored), "\r\n"))
	if err == nil && perr == nil && next >= atLeast {
		return nil
	}
	return writeSeqNum(senderPath, atLeast)
}

// headerLine is one "seq,offset,length" line of a file store's header.
type headerLine struct {
	seq       int
	off, size int64
	end       int // where the line ends in the header
}

// headerLines parses a repaired header's whole lines.
func headerLines(header []byte) []headerLine {
	var out []headerLine
	at := 0
	for at < len(header) {
		nl := bytes.IndexByte(header[at:], '\n')
		if nl < 0 {
			break
		}
		f := bytes.Split(header[at:at+nl], []byte{','})
		if len(f) != 3 {
			break
		}
		seq, err := strconv.Atoi(string(f[0]))
		off, err1 := strconv.ParseInt(string(f[1]), 10, 64)
		n, err2 := strconv.ParseInt(string(f[2]), 10, 64)
		if err != nil || err1 != nil || err2 != nil {
			break
		}
		at += nl + 1
		out = append(out, headerLine{seq: seq, off: off, size: n, end: at})
	}
	return out
}

// dropStoredFrom cuts a file store's body and header before the first
// stored message numbered next or more (the body's numbers only rise), and
// returns the number of the last message kept (0 when none is). The body is
// cut first: a header line past the body's end is dropped by RepairHeader,
// while a body message the header lost would be indexed again.
func dropStoredFrom(bodyPath, headerPath string, next int) (last int, err error) {
	header, err := os.ReadFile(headerPath)
	if err != nil {
		return 0, err
	}
	lines := headerLines(header)
	keep := len(lines)
	for i, l := range lines {
		if l.seq >= next {
			keep = i
			break
		}
	}
	if keep == len(lines) {
		if keep > 0 {
			last = lines[keep-1].seq
		}
		return last, nil
	}
	cut, headerCut := lines[keep].off, 0
	if keep > 0 {
		last, headerCut = lines[keep-1].seq, lines[keep-1].end
	}
	if err := truncateSynced(bodyPath, cut); err != nil {
		return 0, err
	}
	return last, writeSynced(headerPath, header[:headerCut])
}

// writeSeqNum stores a sequence number as quickfixgo's file store does (19
// digits) and fsyncs it.
func writeSeqNum(path string, seq int) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o660)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%019d", seq); err != nil {
		return err
	}
	return f.Sync()
}
