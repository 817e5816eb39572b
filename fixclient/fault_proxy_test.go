package fixclient

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// direction is which way a message travels through the faultProxy.
type direction int

const (
	toBallast direction = iota // broker → Ballast
	toBroker                   // Ballast → broker
)

// fault rewrites one framed message on its way: it returns the bytes to
// write instead (nil drops it), and cut=true closes the connection (both
// sides) right after writing them.
type fault func(d direction, msg []byte) (out []byte, cut bool)

// faultProxy sits on loopback between fixclient and brokersim and breaks
// the link on demand: it frames each FIX message by its BodyLength and
// hands it to the current fault, and it can refuse new connections or
// swallow what the broker says.
type faultProxy struct {
	t      *testing.T
	ln     net.Listener
	target string

	mu      sync.Mutex
	fault   fault
	refuse  bool // close new connections at once
	mute    bool // swallow everything the broker sends
	conns   []net.Conn
	seen    [2][]string // every message that reached the proxy, per direction
	accepts int
	passed  int // MsgSeqNum of the last message let through to Ballast (mute or not)
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.accept()
	return p
}

func (p *faultProxy) port() string { return strconv.Itoa(p.ln.Addr().(*net.TCPAddr).Port) }

func (p *faultProxy) setFault(f fault) { p.mu.Lock(); p.fault = f; p.mu.Unlock() }
func (p *faultProxy) setRefuse(v bool) { p.mu.Lock(); p.refuse = v; p.mu.Unlock() }
func (p *faultProxy) setMute(v bool)   { p.mu.Lock(); p.mute = v; p.mu.Unlock() }

// cut closes every open connection, as a broker that drops the line.
func (p *faultProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// messages are the messages of type msgType seen going d (all when "").
func (p *faultProxy) messages(d direction, msgType string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, m := range p.seen[d] {
		if msgType == "" || field(m, "35") == msgType {
			out = append(out, m)
		}
	}
	return out
}

func (p *faultProxy) connections() int { p.mu.Lock(); defer p.mu.Unlock(); return p.accepts }

// lastPassed is the MsgSeqNum of the last broker message the proxy let
// through to Ballast; once setMute(true) returned, no later one passes. A
// fault set meanwhile may still have changed or dropped it.
func (p *faultProxy) lastPassed() int { p.mu.Lock(); defer p.mu.Unlock(); return p.passed }

func (p *faultProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refuse := p.refuse
		p.mu.Unlock()
		if refuse {
			c.Close()
			continue
		}
		b, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.accepts++
		p.conns = append(p.conns, c, b)
		p.mu.Unlock()
		go p.pump(toBroker, c, b)
		go p.pump(toBallast, b, c)
	}
}

func (p *faultProxy) pump(d direction, from, to net.Conn) {
	defer from.Close()
	defer to.Close()
	r := bufio.NewReader(from)
	for {
		msg, err := readFrame(r)
		if err != nil {
			return
		}
		p.mu.Lock()
		p.seen[d] = append(p.seen[d], string(msg))
		f, mute := p.fault, p.mute && d == toBallast
		if d == toBallast && !mute {
			if n, err := strconv.Atoi(field(string(msg), "34")); err == nil {
				p.passed = n
			}
		}
		p.mu.Unlock()
		out, cut := msg, false
		if f != nil {
			out, cut = f(d, msg)
		}
		if mute {
			continue
		}
		if len(out) > 0 {
			if _, err := to.Write(out); err != nil {
				return
			}
		}
		if cut {
			return
		}
	}
}

// readFrame reads one FIX message: "8=...|9=N|" then N bytes, then "10=xxx|".
func readFrame(r *bufio.Reader) ([]byte, error) {
	begin, err := r.ReadBytes(1)
	if err != nil {
		return nil, err
	}
	length, err := r.ReadBytes(1)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(string(length), "9="), "\x01"))
	if err != nil || !bytes.HasPrefix(begin, []byte("8=")) {
		return nil, fmt.Errorf("fault proxy: bad frame start %q %q", begin, length)
	}
	body := make([]byte, n+7) // the body, then "10=xxx\x01"
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return append(append(begin, length...), body...), nil
}

// field is the value of tag in a raw message ("" when absent).
func field(msg, tag string) string {
	for _, f := range strings.Split(msg, "\x01") {
		if v, ok := strings.CutPrefix(f, tag+"="); ok {
			return v
		}
	}
	return ""
}

// splitFields splits a raw message into its tag=value fields.
func splitFields(msg []byte) []string {
	return strings.Split(strings.TrimSuffix(string(msg), "\x01"), "\x01")
}

// reframe builds a message from fields with BodyLength and CheckSum
// computed afresh (whatever the fields held for 9 and 10 is ignored).
func reframe(fs []string) []byte {
	var begin string
	var body strings.Builder
	for _, f := range fs {
		switch {
		case strings.HasPrefix(f, "8="):
			begin = f
		case strings.HasPrefix(f, "9="), strings.HasPrefix(f, "10="):
		default:
			body.WriteString(f)
			body.WriteByte(1)
		}
	}
	msg := fmt.Sprintf("%s\x019=%d\x01%s", begin, body.Len(), body.String())
	sum := 0
	for i := range len(msg) {
		sum += int(msg[i])
	}
	return []byte(fmt.Sprintf("%s10=%03d\x01", msg, sum%256))
}

// edit returns msg with body field tag set to value (appended when absent,
// removed when value is ""), reframed.
func edit(msg []byte, tag, value string) []byte { return editAt(msg, tag, value, false) }

// editHeader is edit for a header field: an absent one goes after MsgType.
func editHeader(msg []byte, tag, value string) []byte { return editAt(msg, tag, value, true) }

func editAt(msg []byte, tag, value string, header bool) []byte {
	var out []string
	done := false
	for _, f := range splitFields(msg) {
		if strings.HasPrefix(f, tag+"=") {
			done = true
			if value != "" {
				out = append(out, tag+"="+value)
			}
			continue
		}
		out = append(out, f)
	}
	switch {
	case done || value == "":
	case header: // after 8, 9 and 35
		out = append(out[:3], append([]string{tag + "=" + value}, out[3:]...)...)
	default: // before 10
		out = append(out[:len(out)-1], tag+"="+value, out[len(out)-1])
	}
	return reframe(out)
}

// isFill says whether a raw message is an execution report with a fill.
func isFill(msg []byte) bool {
	m := string(msg)
	return field(m, "35") == "8" && field(m, "32") != "" && field(m, "32") != "0"
}
