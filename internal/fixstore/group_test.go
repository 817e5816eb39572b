package fixstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/quickfix/store/file"
)

// openMode opens the session's store in dir with the sync mode given.
func openMode(t *testing.T, dir string, mode SyncMode) *DurableFile {
	t.Helper()
	settings := quickfix.NewSettings()
	ss := quickfix.NewSessionSettings()
	ss.Set("BeginString", testSession.BeginString)
	ss.Set("SenderCompID", testSession.SenderCompID)
	ss.Set("TargetCompID", testSession.TargetCompID)
	ss.Set("FileStorePath", dir)
	ss.Set("FileStoreSync", "N")
	if _, err := settings.AddSession(ss); err != nil {
		t.Fatal(err)
	}
	s, err := DurableFileFactory{Inner: file.NewStoreFactory(settings), Dir: dir, Sync: mode}.Create(testSession)
	if err != nil {
		t.Fatal(err)
	}
	return s.(*DurableFile)
}

// atBoot makes the store see the boot id given from now on.
func atBoot(t *testing.T, id string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "boot_id")
	if err := os.WriteFile(path, []byte(id+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := bootIDPath
	bootIDPath = path
	t.Cleanup(func() { bootIDPath = old })
}

// crash stops a store the way a crash of the process does: its files stay
// as written, and Close's clean reservation is never written.
func crash(t *testing.T, d *DurableFile) {
	t.Helper()
	if err := d.sync.close(); err != nil {
		t.Fatal(err)
	}
	d.closeFiles()
	if err := d.MessageStore.Close(); err != nil {
		t.Fatal(err)
	}
}

// loseTail cuts the body before message from and sets the stored next
// outbound number back to it: what a power cut does to writes the syncer
// had not fsynced yet.
func loseTail(t *testing.T, dir string, from int) {
	t.Helper()
	names := durableNames(dir, testSession)
	if _, err := dropStoredFrom(names.body, names.header, from); err != nil {
		t.Fatal(err)
	}
	if err := writeSeqNum(names.sender, from); err != nil {
		t.Fatal(err)
	}
}

// After the machine restarts, a group-synced store that was not closed
// cleanly resumes at its reservation: the messages whose bodies the power
// cut lost may have been sent, so their numbers are never used again.
func TestGroupSyncResumesPastTheReservationAfterARestart(t *testing.T) {
	dir := t.TempDir()
	atBoot(t, "boot-a")
	d := openMode(t, dir, SyncGroup)
	save(t, d, 1, 5)
	crash(t, d)
	loseTail(t, dir, 4)
	atBoot(t, "boot-b")
	d = openMode(t, dir, SyncGroup)
	defer d.Close()
	if got := d.NextSenderMsgSeqNum(); got != 1+reserveAhead {
		t.Errorf("next outbound number after a restart %d; want the reservation %d", got, 1+reserveAhead)
	}
	if got := strings.Join(stored(t, d, 1, 5), " "); got != "C1 C2 C3" {
		t.Errorf("messages kept %q; want C1 C2 C3", got)
	}
}

// The reservation moves on as numbers are used, one fsync per reserveAhead
// messages.
func TestGroupSyncReservesAheadAsNumbersAreUsed(t *testing.T) {
	dir := t.TempDir()
	atBoot(t, "boot-a")
	d := openMode(t, dir, SyncGroup)
	save(t, d, 1, reserveAhead+1)
	if want := reserveAhead + 1 + reserveAhead; d.reserved != want {
		t.Errorf("reservation after %d messages %d; want %d", reserveAhead+1, d.reserved, want)
	}
	crash(t, d)
	atBoot(t, "boot-b")
	d = openMode(t, dir, SyncGroup)
	defer d.Close()
	if got, want := d.NextSenderMsgSeqNum(), 2*reserveAhead+1; got != want {
		t.Errorf("next outbound number after a restart %d; want %d", got, want)
	}
}

// A crash of the process alone (the same boot) loses no write: the numbers
// stay exact, and so they do after a clean close and a restart.
func TestGroupSyncKeepsExactNumbersWhenNothingWasLost(t *testing.T) {
	for _, c := range []struct {
		name  string
		clean bool
		boot  string
	}{
		{"process crash", false, "boot-a"},
		{"clean close, restart", true, "boot-b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			atBoot(t, "boot-a")
			d := openMode(t, dir, SyncGroup)
			save(t, d, 1, 5)
			if c.clean {
				if err := d.Close(); err != nil {
					t.Fatal(err)
				}
			} else {
				crash(t, d)
			}
			atBoot(t, c.boot)
			d = openMode(t, dir, SyncGroup)
			defer d.Close()
			holdsFive(t, d)
		})
	}
}

// A rewind by the operator starts the reservation over at the new number,
// after the old numbering's messages are synced: a restart resumes at the
// rewound number, not at the old reservation.
func TestGroupSyncRewindReservesFromTheNewNumber(t *testing.T) {
	dir := t.TempDir()
	atBoot(t, "boot-a")
	d := openMode(t, dir, SyncGroup)
	save(t, d, 1, 5)
	if err := d.SetNextSenderMsgSeqNum(3); err != nil {
		t.Fatal(err)
	}
	if d.reserved != 3 || d.sync.synced.Load() != d.sync.written.Load() {
		t.Errorf("after the rewind: reservation %d, %d of %d writes synced; want 3 and all", d.reserved, d.sync.synced.Load(), d.sync.written.Load())
	}
	crash(t, d)
	atBoot(t, "boot-b")
	d = openMode(t, dir, SyncGroup)
	defer d.Close()
	if got := d.NextSenderMsgSeqNum(); got != 3 {
		t.Errorf("next outbound number after the rewind and a restart %d; want 3", got)
	}
}

// The syncer fsyncs what was written without anyone waiting for it.
func TestGroupSyncSyncsInTheBackground(t *testing.T) {
	d := openMode(t, t.TempDir(), SyncGroup)
	defer d.Close()
	save(t, d, 1, 50)
	deadline := time.Now().Add(10 * time.Second)
	for d.sync.synced.Load() != 50 {
		if time.Now().After(deadline) {
			t.Fatalf("%d of 50 writes synced after 10 s", d.sync.synced.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

// Both modes keep messages and numbers across a clean reopen and a reset.
func TestSyncModesKeepMessagesAndNumbers(t *testing.T) {
	for _, mode := range []SyncMode{SyncGroup, SyncEachMessage} {
		dir := t.TempDir()
		d := openMode(t, dir, mode)
		save(t, d, 1, 3)
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		d = openMode(t, dir, mode)
		if d.NextSenderMsgSeqNum() != 4 || strings.Join(stored(t, d, 1, 3), " ") != "C1 C2 C3" {
			t.Errorf("mode %d: after reopening next %d, messages %q", mode, d.NextSenderMsgSeqNum(), stored(t, d, 1, 3))
		}
		if err := d.Reset(); err != nil {
			t.Fatal(err)
		}
		save(t, d, 1, 1)
		if d.NextSenderMsgSeqNum() != 2 {
			t.Errorf("mode %d: after a reset and a message, next %d", mode, d.NextSenderMsgSeqNum())
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// While the background fsync fails, the store refuses new messages before
// storing them (the send fails without using a number); once an fsync
// succeeds again, messages are taken again.
func TestGroupSyncRefusesMessagesWhileTheSyncFails(t *testing.T) {
	d := openMode(t, t.TempDir(), SyncGroup)
	defer d.Close()
	broken, err := os.CreateTemp(t.TempDir(), "closed")
	if err != nil {
		t.Fatal(err)
	}
	broken.Close() // Sync on it fails
	d.sync.setFile(broken)
	save(t, d, 1, 1)
	deadline := time.Now().Add(10 * time.Second)
	for d.sync.failed() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the failed fsync was not noticed within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
	if err := d.SaveMessageAndIncrNextSenderMsgSeqNum(2, rawMessage(2, "C2")); err == nil {
		t.Fatal("a message was stored while the fsync fails")
	}
	if got := d.NextSenderMsgSeqNum(); got != 2 {
		t.Errorf("next outbound number after the refusal %d; want 2 (unused)", got)
	}
	d.sync.setFile(d.body)
	for d.sync.failed() != nil {
		if time.Now().After(deadline) {
			t.Fatal("the fsync did not recover within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
	save(t, d, 2, 2)
	if got := strings.Join(stored(t, d, 1, 2), " "); got != "C1 C2" {
		t.Errorf("messages %q; want C1 C2", got)
	}
}

// Moving the reservation on syncs the body first: the messages sent under
// the old reservation are found in the body even if a power cut then tears
// the reservation file.
func TestGroupSyncSyncsTheBodyBeforeMovingTheReservation(t *testing.T) {
	d := openMode(t, t.TempDir(), SyncGroup)
	defer d.Close()
	d.sync.setFile(nil) // the background syncer finds nothing to sync
	save(t, d, 1, reserveAhead)
	if d.sync.synced.Load() != 0 {
		t.Fatalf("%d writes synced with no file to sync", d.sync.synced.Load())
	}
	d.sync.setFile(d.body)
	// The next message is past the reservation; nothing else wakes the
	// syncer meanwhile.
	if err := d.reserveThrough(reserveAhead + 1); err != nil {
		t.Fatal(err)
	}
	if got := d.sync.synced.Load(); got != reserveAhead {
		t.Errorf("%d writes synced when the reservation moved; want the %d before it", got, reserveAhead)
	}
	if d.reserved != 2*reserveAhead+1 {
		t.Errorf("reservation %d; want %d", d.reserved, 2*reserveAhead+1)
	}
}
