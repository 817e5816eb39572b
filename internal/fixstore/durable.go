package fixstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/quickfixgo/quickfix"
)

// DurableFileFactory creates quickfixgo file stores (same files, same
// format) that are made durable with fewer fsyncs. Inner must be a file
// store factory whose sessions have FileStoreSync=N, and Dir its
// FileStorePath.
//
// quickfixgo's own file store fsyncs three files for every outbound
// message: the body, the header (the body's index) and the next outbound
// sequence number. The fsyncs are serialised under the session's send lock,
// so they bound how many orders a session can send per second, and each one
// waits behind whatever else the machine is writing. A DurableFile fsyncs
// only the body for each message it stores, and when it opens it rebuilds
// what the body implies and the other files lost:
//
//   - a header that lost its tail is indexed again from the body: every
//     message that can have been sent is still found for a resend;
//   - a next outbound number below the last stored message's is raised past
//     it: no number that can have been sent is used twice.
//
// quickfixgo stores every outbound message, heartbeats and logons included
// (unless a session sets PersistMessages=N: then each number it advances
// without a message is fsynced at once). Setting the next outbound number
// at or below a stored message's drops the stored messages it supersedes
// (SetNextSenderMsgSeqNum), so none of them can be resent under a number
// the counterparty now expects for a new message. When the store opens, its
// files and their directory entries are fsynced once, so that later only
// the body needs it.
//
// By default (SyncGroup) the body is not fsynced before each message is
// sent but in groups, in the background, and the outbound numbers are kept
// safe by a reservation instead: see group.go. SyncEachMessage fsyncs the
// body of every message before quickfixgo sends it.
type DurableFileFactory struct {
	Inner quickfix.MessageStoreFactory
	Dir   string
	Sync  SyncMode
}

// SyncMode says when a DurableFile fsyncs the body of an outbound message.
type SyncMode int

// The sync modes.
const (
	SyncGroup       SyncMode = iota // in the background, in groups (group.go)
	SyncEachMessage                 // before the message is sent
)

// Create repairs the session's files, then opens them.
func (f DurableFileFactory) Create(id quickfix.SessionID) (quickfix.MessageStore, error) {
	names := durableNames(f.Dir, id)
	if err := RepairHeader(names.body, names.header); err != nil {
		return nil, fmt.Errorf("fixstore: repair the message store of %s: %w", id, err)
	}
	last, err := RepairSenderNumber(names.header, names.sender)
	if err != nil {
		return nil, fmt.Errorf("fixstore: repair the message store of %s: %w", id, err)
	}
	group, boot := f.Sync == SyncGroup, bootID()
	if group {
		if err := RaiseToReservation(names.reserve, names.sender, boot); err != nil {
			return nil, fmt.Errorf("fixstore: repair the message store of %s: %w", id, err)
		}
	}
	inner, err := f.Inner.Create(id)
	if err != nil {
		return nil, err
	}
	d := &DurableFile{MessageStore: inner, names: names, lastSaved: last, boot: boot}
	if group {
		d.sync = newSyncer()
	}
	fail := func(err error) (quickfix.MessageStore, error) {
		if d.sync != nil {
			err = errors.Join(err, d.sync.close())
		}
		d.closeFiles()
		return nil, errors.Join(err, inner.Close())
	}
	if err := d.open(); err != nil {
		return fail(err)
	}
	if group {
		// A fresh reservation, in this boot, before anything is sent. What
		// an earlier process of the same boot wrote may still be only in
		// the kernel's cache: it is synced first, so that a power cut
		// tearing the reservation file finds those messages in the body.
		if err := d.syncAll(); err != nil {
			return fail(err)
		}
		if err := d.reserve(inner.NextSenderMsgSeqNum()); err != nil {
			return fail(err)
		}
	}
	// Every file and directory entry, the reservation's included.
	if err := d.syncAll(); err != nil {
		return fail(err)
	}
	return d, nil
}

// reserve writes a reservation reserveAhead numbers past seq, so that seq
// and the numbers after it may be sent without their bodies synced first.
func (d *DurableFile) reserve(seq int) error {
	return d.reserveBelow(seq + reserveAhead)
}

// reserveBelow makes the reservation next, synced: numbers below it may be
// sent. The body is synced first: every message sent so far is then found
// in it (RepairSenderNumber raises the next number past them) even if a
// power cut tears the reservation file while it is rewritten.
func (d *DurableFile) reserveBelow(next int) error {
	if err := d.sync.syncNow(); err != nil {
		return err
	}
	if err := writeReservation(d.names.reserve, reservation{next: next, boot: d.boot}); err != nil {
		return fmt.Errorf("fixstore: reserve outbound numbers: %w", err)
	}
	d.reserved = next
	return nil
}

// reserveThrough makes sure seq lies below the reservation.
func (d *DurableFile) reserveThrough(seq int) error {
	if seq < d.reserved {
		return nil
	}
	return d.reserve(seq)
}

// syncAll fsyncs every file of the store and the directory that holds their
// entries (files quickfixgo may just have created).
func (d *DurableFile) syncAll() error {
	header, err := os.Open(d.names.header)
	if err != nil {
		return fmt.Errorf("fixstore: open %s for syncing: %w", d.names.header, err)
	}
	defer header.Close()
	dir, err := os.Open(d.names.dir)
	if err != nil {
		return fmt.Errorf("fixstore: open %s for syncing: %w", d.names.dir, err)
	}
	defer dir.Close()
	return syncFiles(d.body, header, d.sender, d.target, dir)
}

// durableFiles are the paths of a session's quickfixgo file store.
type durableFiles struct {
	dir, body, header, sender, target string
	reserve                           string // Ballast's own: the outbound numbers reserved (group.go)
}

// durableNames spells a session's file names as quickfixgo's file store does.
func durableNames(dir string, id quickfix.SessionID) durableFiles {
	join := func(parts ...string) string {
		out := parts[:0:0]
		for _, p := range parts {
			if p != "" {
				out = append(out, p)
			}
		}
		return strings.Join(out, "_")
	}
	name := []string{id.BeginString, join(id.SenderCompID, id.SenderSubID, id.SenderLocationID),
		join(id.TargetCompID, id.TargetSubID, id.TargetLocationID)}
	if id.Qualifier != "" {
		name = append(name, id.Qualifier)
	}
	prefix := filepath.Join(dir, strings.Join(name, "-"))
	return durableFiles{dir: dir, body: prefix + ".body", header: prefix + ".header",
		sender: prefix + ".senderseqnums", target: prefix + ".targetseqnums", reserve: prefix + ".senderreserve"}
}

// DurableFile is a quickfixgo file store written without its own fsyncs,
// made durable by fsyncing through descriptors of its own: fsync flushes a
// file whatever descriptor wrote to it.
type DurableFile struct {
	quickfix.MessageStore
	names                durableFiles
	body, sender, target *os.File
	// lastSaved is the sequence number of the last message in the body
	// (0 when it is empty); the body's numbers only ever rise.
	lastSaved int

	// Group sync (nil sync: SyncEachMessage).
	sync     *syncer
	boot     string // the boot id the reservations are written with
	reserved int    // outbound numbers below it are reserved
}

func (d *DurableFile) open() error {
	d.closeFiles()
	var err error
	for _, f := range []struct {
		dst  **os.File
		path string
	}{{&d.body, d.names.body}, {&d.sender, d.names.sender}, {&d.target, d.names.target}} {
		if *f.dst, err = os.Open(f.path); err != nil {
			d.closeFiles()
			return fmt.Errorf("fixstore: open %s for syncing: %w", f.path, err)
		}
	}
	if d.sync != nil {
		d.sync.setFile(d.body)
	}
	return nil
}

func (d *DurableFile) closeFiles() {
	if d.sync != nil {
		d.sync.setFile(nil) // once an fsync under way has finished
	}
	for _, f := range []**os.File{&d.body, &d.sender, &d.target} {
		if *f != nil {
			_ = (*f).Close()
			*f = nil
		}
	}
}

func syncFiles(files ...*os.File) error {
	for _, f := range files {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("fixstore: sync %s: %w", f.Name(), err)
		}
	}
	return nil
}

// SaveMessage stores an outbound message.
func (d *DurableFile) SaveMessage(seq int, msg []byte) error {
	return d.save(seq, func() error { return d.MessageStore.SaveMessage(seq, msg) })
}

// SaveMessageAndIncrNextSenderMsgSeqNum stores an outbound message. With
// SyncEachMessage it fsyncs the body alone: the next outbound number written
// beside it may be lost at a power cut, and is then raised past the message
// when the store opens (RepairSenderNumber). In group mode the number lies
// below the reservation and the body is synced in the background.
func (d *DurableFile) SaveMessageAndIncrNextSenderMsgSeqNum(seq int, msg []byte) error {
	return d.save(seq, func() error { return d.MessageStore.SaveMessageAndIncrNextSenderMsgSeqNum(seq, msg) })
}

func (d *DurableFile) save(seq int, store func() error) error {
	if d.sync != nil {
		if err := d.sync.failed(); err != nil {
			return err
		}
		if err := d.reserveThrough(seq); err != nil {
			return err
		}
	}
	if err := store(); err != nil {
		return err
	}
	d.lastSaved = seq
	if d.sync != nil {
		d.sync.mark()
		return nil
	}
	return syncFiles(d.body)
}

// IncrNextSenderMsgSeqNum advances the outbound number durably (a session
// with PersistMessages=N advances it without storing the message): in group
// mode by reserving the number it used, otherwise by an fsync.
func (d *DurableFile) IncrNextSenderMsgSeqNum() error {
	if d.sync != nil {
		if err := d.reserveThrough(d.MessageStore.NextSenderMsgSeqNum()); err != nil {
			return err
		}
		return d.MessageStore.IncrNextSenderMsgSeqNum()
	}
	if err := d.MessageStore.IncrNextSenderMsgSeqNum(); err != nil {
		return err
	}
	return syncFiles(d.sender)
}

// SetNextSenderMsgSeqNum sets the outbound number durably. Set at or below
// a stored message's number (an operator's rewind), it first drops the
// stored messages from that number on: they belong to a numbering the
// counterparty no longer has, so they must never be resent, and the repair
// at open must not raise the number back past them.
func (d *DurableFile) SetNextSenderMsgSeqNum(next int) error {
	if d.sync != nil {
		// The numbering starts over from next: nothing at or past it has
		// been sent in it yet. reserveBelow syncs every message sent so
		// far first, so that from now on the body (RepairSenderNumber),
		// not the reservation, keeps the old numbers from being used again.
		if err := d.reserveBelow(next); err != nil {
			return err
		}
	}
	if next <= d.lastSaved {
		// The number now in the file (past the stored messages) is made
		// durable first: a power cut while the messages are cut leaves the
		// old numbering whole, never a number between the two.
		if err := syncFiles(d.sender); err != nil {
			return err
		}
		last, err := dropStoredFrom(d.names.body, d.names.header, next)
		if err != nil {
			return fmt.Errorf("fixstore: drop the stored messages from %d on: %w", next, err)
		}
		// quickfixgo reopens its files and reloads its index of the body.
		if err := d.MessageStore.Refresh(); err != nil {
			return err
		}
		d.lastSaved = last
	}
	if err := d.MessageStore.SetNextSenderMsgSeqNum(next); err != nil {
		return err
	}
	return syncFiles(d.sender)
}

// IncrNextTargetMsgSeqNum advances the inbound number durably.
func (d *DurableFile) IncrNextTargetMsgSeqNum() error {
	if err := d.MessageStore.IncrNextTargetMsgSeqNum(); err != nil {
		return err
	}
	return syncFiles(d.target)
}

// SetNextTargetMsgSeqNum sets the inbound number durably.
func (d *DurableFile) SetNextTargetMsgSeqNum(next int) error {
	if err := d.MessageStore.SetNextTargetMsgSeqNum(next); err != nil {
		return err
	}
	return syncFiles(d.target)
}

// Reset empties the store (quickfixgo recreates its files) and makes the
// new files and their directory entries durable.
func (d *DurableFile) Reset() error {
	if err := d.MessageStore.Reset(); err != nil {
		return err
	}
	d.lastSaved = 0
	if err := d.open(); err != nil {
		return err
	}
	if d.sync != nil {
		if err := d.reserveBelow(1); err != nil {
			return err
		}
	}
	return d.syncAll()
}

// Refresh reloads the store from its files.
func (d *DurableFile) Refresh() error {
	if err := d.MessageStore.Refresh(); err != nil {
		return err
	}
	return d.open()
}

// Close closes the store (quickfixgo syncs its files as it closes them). In
// group mode it then writes the exact next outbound number as the
// reservation: the store was closed cleanly, and opening it after a restart
// of the machine raises nothing.
func (d *DurableFile) Close() error {
	if d.sync == nil {
		d.closeFiles()
		return d.MessageStore.Close()
	}
	next := d.MessageStore.NextSenderMsgSeqNum()
	err := d.sync.close()
	d.closeFiles()
	if err = errors.Join(err, d.MessageStore.Close()); err != nil {
		return err
	}
	return d.reserveBelow(next)
}
