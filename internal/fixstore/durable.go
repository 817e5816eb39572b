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
// so they bound how many orders a session can send per second (about 2,100
// on the 2-core machine this was measured on). A DurableFile fsyncs the
// body and the sequence number only, and rebuilds a header that lost its
// tail from the body when it opens: every message that can have been sent
// is then still found for a resend.
type DurableFileFactory struct {
	Inner quickfix.MessageStoreFactory
	Dir   string
}

// Create repairs the session's files, then opens them.
func (f DurableFileFactory) Create(id quickfix.SessionID) (quickfix.MessageStore, error) {
	names := durableNames(f.Dir, id)
	if err := RepairHeader(names.body, names.header); err != nil {
		return nil, fmt.Errorf("fixstore: repair the message store of %s: %w", id, err)
	}
	inner, err := f.Inner.Create(id)
	if err != nil {
		return nil, err
	}
	d := &DurableFile{MessageStore: inner, names: names}
	if err := d.open(); err != nil {
		return nil, errors.Join(err, inner.Close())
	}
	return d, nil
}

// durableFiles are the paths of a session's quickfixgo file store.
type durableFiles struct {
	dir, body, header, sender, target string
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
		sender: prefix + ".senderseqnums", target: prefix + ".targetseqnums"}
}

// DurableFile is a quickfixgo file store written without its own fsyncs,
// made durable by fsyncing through descriptors of its own: fsync flushes a
// file whatever descriptor wrote to it.
type DurableFile struct {
	quickfix.MessageStore
	names                durableFiles
	body, sender, target *os.File
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
	return nil
}

func (d *DurableFile) closeFiles() {
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

// SaveMessage stores an outbound message durably.
func (d *DurableFile) SaveMessage(seq int, msg []byte) error {
	if err := d.MessageStore.SaveMessage(seq, msg); err != nil {
		return err
	}
	return syncFiles(d.body)
}

// SaveMessageAndIncrNextSenderMsgSeqNum stores an outbound message and the
// next outbound number durably: two fsyncs.
func (d *DurableFile) SaveMessageAndIncrNextSenderMsgSeqNum(seq int, msg []byte) error {
	if err := d.MessageStore.SaveMessageAndIncrNextSenderMsgSeqNum(seq, msg); err != nil {
		return err
	}
	return syncFiles(d.body, d.sender)
}

// IncrNextSenderMsgSeqNum advances the outbound number durably.
func (d *DurableFile) IncrNextSenderMsgSeqNum() error {
	if err := d.MessageStore.IncrNextSenderMsgSeqNum(); err != nil {
		return err
	}
	return syncFiles(d.sender)
}

// SetNextSenderMsgSeqNum sets the outbound number durably.
func (d *DurableFile) SetNextSenderMsgSeqNum(next int) error {
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
	if err := d.open(); err != nil {
		return err
	}
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

// Refresh reloads the store from its files.
func (d *DurableFile) Refresh() error {
	if err := d.MessageStore.Refresh(); err != nil {
		return err
	}
	return d.open()
}

// Close closes the store (quickfixgo syncs its files as it closes them).
func (d *DurableFile) Close() error {
	d.closeFiles()
	return d.MessageStore.Close()
}
