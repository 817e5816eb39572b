package fixstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Group sync. quickfixgo stores each outbound message and puts it on the
// wire under the session's send lock, one message after the other, so an
// fsync per message bounds how fast a session sends and costs some 100 µs
// of kernel time per message on a virtual disk. In group mode a DurableFile
// does not fsync the body before a message is sent; a syncer goroutine
// fsyncs it as soon as something is written, and then at most once every
// GroupSyncEvery, however many messages came in between.
//
// What a power cut can then lose is the tail of the body written in the
// last few milliseconds (a crash of the process loses nothing: the writes
// are in the kernel's cache). Two things keep that safe:
//
//   - No number is used twice. Before a message numbered at or past the
//     reservation is stored, the store writes and fsyncs a reservation
//     reserveAhead numbers further on, with the machine's boot id. When the
//     store opens after the machine restarted (another boot id) and was not
//     closed cleanly, it raises the next outbound number to the
//     reservation: every number that can have been sent lies below it. The
//     counterparty sees a gap and asks for a resend, and quickfixgo answers
//     what the body lost with a SequenceReset-GapFill, as it does for
//     administrative messages. After a crash of the process alone (the same
//     boot id) the files are whole and the numbers stay exact.
//   - Every message found in the body is indexed and resent as before
//     (RepairHeader).
//
// A message the counterparty never received and whose body was lost is
// gap-filled, not resent: the order book still shows the order as sent
// without an acknowledgement. Sessions that must resend every message they
// ever sent after a power cut set BallastStoreSync=message.

// GroupSyncEvery is the most often the syncer fsyncs a busy store's body.
const GroupSyncEvery = 5 * time.Millisecond

// reserveAhead is how many outbound numbers one reservation covers: one
// fsync of the reservation per reserveAhead messages, and at most that many
// numbers gap-filled after a power cut.
const reserveAhead = 1000

// bootIDPath holds the Linux kernel's random id of the running boot.
var bootIDPath = "/proc/sys/kernel/random/boot_id"

// bootID is the running boot's id; "" where the system has none, and then
// every open after an unclean stop counts as after a restart.
func bootID() string {
	b, err := os.ReadFile(bootIDPath)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// reservation is what a store's reservation file says: outbound numbers
// below next may have been sent, as of the boot named.
type reservation struct {
	next int
	boot string
}

func readReservation(path string) (r reservation, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return r, false, nil // torn while rewritten: every message sent before was synced into the body first
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return r, false, nil
	}
	r.next = n
	if len(f) > 1 {
		r.boot = f[1]
	}
	return r, true, nil
}

// writeReservation replaces the reservation file and fsyncs it. It is
// written in place: a torn write leaves a number that does not parse or
// one that is too small. The store syncs the body before it rewrites the
// reservation, so RepairSenderNumber, which runs first, still raises the
// next number past every message sent until then.
func writeReservation(path string, r reservation) error {
	return writeSynced(path, fmt.Appendf(nil, "%019d %s\n", r.next, r.boot))
}

// RaiseToReservation is run when a group-synced store opens, after
// RepairSenderNumber: when the reservation file was written in another boot
// (the machine restarted since) and the store was not closed cleanly, it
// raises the stored next outbound number to the reservation.
func RaiseToReservation(reservePath, senderPath, boot string) error {
	r, ok, err := readReservation(reservePath)
	if err != nil || !ok {
		return err
	}
	if boot != "" && r.boot == boot {
		return nil // only the process stopped: the kernel kept every write
	}
	return raiseSenderNumber(senderPath, r.next)
}

// syncer fsyncs a group-synced store's body in the background. Writers
// only count their writes and wake it: they never wait for an fsync.
type syncer struct {
	fmu     sync.Mutex // guards file; held while fsyncing it
	file    *os.File
	written atomic.Uint64 // writes to the body so far
	synced  atomic.Uint64 // writes made durable so far
	err     atomic.Pointer[error]
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

func newSyncer() *syncer {
	s := &syncer{wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

// setFile points the syncer at the body's descriptor (nil: none open),
// once an fsync under way has finished.
func (s *syncer) setFile(f *os.File) {
	s.fmu.Lock()
	s.file = f
	s.fmu.Unlock()
}

// mark notes a write to the body and wakes the syncer.
func (s *syncer) mark() {
	s.written.Add(1)
	s.poke()
}

func (s *syncer) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// failed returns the error of the last fsync while it failed, and wakes
// the syncer to try again. The store then refuses new messages before
// storing them: quickfixgo fails the send without using a number, and the
// order book records the request as not sent.
func (s *syncer) failed() error {
	if e := s.err.Load(); e != nil {
		s.poke()
		return *e
	}
	return nil
}

func (s *syncer) run() {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-s.wake:
		}
		if err := s.syncNow(); err != nil {
			s.err.Store(&err)
		} else {
			s.err.Store(nil)
		}
		select {
		case <-s.stop:
			return
		case <-time.After(GroupSyncEvery):
		}
	}
}

// syncNow fsyncs the body if anything was written since the last fsync
// (nothing for a nil syncer: a store that syncs each message).
func (s *syncer) syncNow() error {
	if s == nil {
		return nil
	}
	s.fmu.Lock()
	defer s.fmu.Unlock()
	upTo := s.written.Load()
	if upTo == s.synced.Load() || s.file == nil {
		return nil
	}
	if err := s.file.Sync(); err != nil {
		return fmt.Errorf("fixstore: sync %s: %w", s.file.Name(), err)
	}
	s.synced.Store(upTo)
	return nil
}

// close stops the syncer after a last fsync.
func (s *syncer) close() error {
	close(s.stop)
	<-s.done
	return s.syncNow()
}
