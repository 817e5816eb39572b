package fixstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quickfixgo/quickfix"
)

var testSession = quickfix.SessionID{BeginString: "FIX.4.4", SenderCompID: "BALLAST", TargetCompID: "SIM"}

func openDurable(t *testing.T, dir string) quickfix.MessageStore {
	t.Helper()
	return openMode(t, dir, SyncGroup)
}

// holdsFive checks a store that stored messages 1 to 5 (C1 … C5) and
// expects 6 next.
func holdsFive(t *testing.T, s quickfix.MessageStore) {
	t.Helper()
	if got := s.NextSenderMsgSeqNum(); got != 6 {
		t.Errorf("next outbound number %d; want 6", got)
	}
	if got := strings.Join(stored(t, s, 1, 5), " "); got != "C1 C2 C3 C4 C5" {
		t.Errorf("messages %q; want C1 … C5", got)
	}
}

// rawMessage builds a stored FIX message with a correct BodyLength.
func rawMessage(seq int, clOrdID string) []byte {
	body := fmt.Sprintf("35=D\x0134=%d\x0149=BALLAST\x0156=SIM\x0111=%s\x01", seq, clOrdID)
	return fmt.Appendf(nil, "8=FIX.4.4\x019=%d\x01%s10=000\x01", len(body), body)
}

func save(t *testing.T, s quickfix.MessageStore, from, to int) {
	t.Helper()
	for seq := from; seq <= to; seq++ {
		if err := s.SaveMessageAndIncrNextSenderMsgSeqNum(seq, rawMessage(seq, fmt.Sprintf("C%d", seq))); err != nil {
			t.Fatal(err)
		}
	}
}

func stored(t *testing.T, s quickfix.MessageStore, from, to int) []string {
	t.Helper()
	msgs, err := s.GetMessages(from, to)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = RawField(m, "\x0111=")
	}
	return out
}

// The store keeps quickfixgo's files and answers as quickfixgo's does across
// a reopen.
func TestDurableFileKeepsMessagesAndNumbers(t *testing.T) {
	dir := t.TempDir()
	s := openDurable(t, dir)
	save(t, s, 1, 3)
	if err := s.SetNextTargetMsgSeqNum(7); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDurable(t, dir)
	defer s.Close()
	if s.NextSenderMsgSeqNum() != 4 || s.NextTargetMsgSeqNum() != 7 {
		t.Errorf("after reopening: next sender %d, next target %d; want 4 and 7", s.NextSenderMsgSeqNum(), s.NextTargetMsgSeqNum())
	}
	if got := strings.Join(stored(t, s, 1, 3), " "); got != "C1 C2 C3" {
		t.Errorf("stored messages %q; want C1 C2 C3", got)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	save(t, s, 1, 1)
	if s.NextSenderMsgSeqNum() != 2 || len(stored(t, s, 1, 3)) != 1 {
		t.Errorf("after a reset and one message: next sender %d, %d messages", s.NextSenderMsgSeqNum(), len(stored(t, s, 1, 3)))
	}
}

// After a power cut the header may have lost lines the body still has, keep
// a torn line or lines past the body's end, and the body may end in a torn
// message. Every complete message is found again for a resend.
func TestRepairHeaderAfterAPowerCut(t *testing.T) {
	dir := t.TempDir()
	s := openDurable(t, dir)
	save(t, s, 1, 5)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	names := durableNames(dir, testSession)
	header, err := os.ReadFile(names.header)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(header), "\n")
	body, err := os.ReadFile(names.body)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name         string
		header, body string
		want         string
	}{
		{"lost the last two lines", strings.Join(lines[:3], ""), string(body), "C1 C2 C3 C4 C5"},
		{"torn last line", strings.Join(lines[:3], "") + "4,", string(body), "C1 C2 C3 C4 C5"},
		{"lost every line", "", string(body), "C1 C2 C3 C4 C5"},
		{"torn message at the end", strings.Join(lines[:3], ""), string(body) + string(rawMessage(6, "C6"))[:20], "C1 C2 C3 C4 C5"},
		{"line past the body", string(header), string(body[:len(body)-5]), "C1 C2 C3 C4"},
		{"body gone", string(header), "", ""},
		{"nothing lost", string(header), string(body), "C1 C2 C3 C4 C5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(names.header, []byte(c.header), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(names.body, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			if c.name == "body gone" {
				if err := os.Remove(names.body); err != nil {
					t.Fatal(err)
				}
			}
			s := openDurable(t, dir)
			defer s.Close()
			if got := strings.Join(stored(t, s, 1, 6), " "); got != c.want {
				t.Errorf("messages after repair %q; want %q", got, c.want)
			}
			save(t, s, 7, 7) // the store goes on appending where the body ends
			if got := stored(t, s, 7, 7); len(got) != 1 || got[0] != "C7" {
				t.Errorf("message saved after repair read back as %v", got)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "FIX.4.4-BALLAST-SIM.body")); err != nil {
		t.Errorf("file names differ from quickfixgo's: %v", err)
	}
}

// A power cut can lose the next outbound number written after a message
// whose body was fsynced: the store raises it past the message at open.
func TestSenderNumberRaisedPastTheLastStoredMessage(t *testing.T) {
	names := durableNames("", testSession)
	for _, c := range []struct {
		name   string
		sender *string // nil: the file is gone
	}{
		{"lagging", ptr("0000000000000000002")},
		{"torn", ptr("00000000")},
		{"empty", ptr("")},
		{"gone", nil},
		{"gone with the header", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openDurable(t, dir)
			save(t, s, 1, 5)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			sender := filepath.Join(dir, filepath.Base(names.sender))
			if c.sender == nil {
				if err := os.Remove(sender); err != nil {
					t.Fatal(err)
				}
				if strings.HasSuffix(c.name, "header") {
					// Only the body was fsynced: a power cut can lose the
					// other files' directory entries.
					if err := os.Remove(filepath.Join(dir, filepath.Base(names.header))); err != nil {
						t.Fatal(err)
					}
				}
			} else if err := os.WriteFile(sender, []byte(*c.sender), 0o644); err != nil {
				t.Fatal(err)
			}
			s = openDurable(t, dir)
			defer s.Close()
			holdsFive(t, s)
		})
	}
}

// A number ahead of the stored messages is kept: a session with
// PersistMessages=N advances it without storing the message.
func TestSenderNumberAheadIsKept(t *testing.T) {
	dir := t.TempDir()
	s := openDurable(t, dir)
	save(t, s, 1, 3)
	for range 4 {
		if err := s.IncrNextSenderMsgSeqNum(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openDurable(t, dir)
	defer s.Close()
	if got := s.NextSenderMsgSeqNum(); got != 8 {
		t.Errorf("next outbound number %d; want 8", got)
	}
}

// An operator's rewind of the outbound number drops the messages it
// supersedes: they are not resent, and reopening keeps the rewound number.
func TestSenderRewindDropsSupersededMessages(t *testing.T) {
	for _, c := range []struct {
		next       int
		kept       string
		nextOnOpen int
	}{
		{3, "C1 C2", 3},
		{1, "", 1},
		{5, "C1 C2 C3 C4", 5},
		{6, "C1 C2 C3 C4 C5", 6}, // not a rewind
		{9, "C1 C2 C3 C4 C5", 9}, // forward: nothing dropped
	} {
		t.Run(fmt.Sprint(c.next), func(t *testing.T) {
			dir := t.TempDir()
			s := openDurable(t, dir)
			save(t, s, 1, 5)
			if err := s.SetNextSenderMsgSeqNum(c.next); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(stored(t, s, 1, 9), " "); got != c.kept {
				t.Errorf("messages after setting %d: %q; want %q", c.next, got, c.kept)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openDurable(t, dir)
			if got := s.NextSenderMsgSeqNum(); got != c.nextOnOpen {
				t.Errorf("next outbound number on reopening %d; want %d", got, c.nextOnOpen)
			}
			if got := strings.Join(stored(t, s, 1, 9), " "); got != c.kept {
				t.Errorf("messages on reopening %q; want %q", got, c.kept)
			}
			// The new numbering goes on from the rewound number, and a lost
			// number is raised past its messages again.
			if err := s.SaveMessageAndIncrNextSenderMsgSeqNum(c.next, rawMessage(c.next, "N")); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(durableNames(dir, testSession).sender, []byte(fmt.Sprintf("%019d", c.next)), 0o644); err != nil {
				t.Fatal(err)
			}
			s = openDurable(t, dir)
			defer s.Close()
			if got := s.NextSenderMsgSeqNum(); got != c.next+1 {
				t.Errorf("next outbound number after a lost write %d; want %d", got, c.next+1)
			}
			if got := stored(t, s, c.next, c.next); len(got) != 1 || got[0] != "N" {
				t.Errorf("message %d after the rewind read back as %v", c.next, got)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
