package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointEvery is how often the checkpointer copies committed WAL frames
// into the database file.
const checkpointEvery = 250 * time.Millisecond

// walSizeLimit is the size the WAL file is cut back to once a checkpoint
// has emptied it (SQLite's journal_size_limit).
const walSizeLimit = 64 << 20

// restartBytes is the WAL length past which the checkpointer restarts the
// WAL once every frame is in the database file (restart). It is half of
// walSizeLimit, so that the file does not outgrow the limit between two
// ticks: the first commit after a restart cuts a longer file back to the
// limit, and that truncation held the writer up for some 15 ms each time
// (p99 of `bench fix --rate 500` 14-19 ms restarting at 64 MB, 9-12 ms at
// 32 MB). The checkpointer counts it in frames of the database's page size.
const restartBytes = walSizeLimit / 2

// restartWait bounds how long a restart waits for the readers still in the
// WAL. Writers wait for the restart meanwhile, so it is kept short; a
// restart that times out is tried again at the next tick.
const restartWait = 25 * time.Millisecond

// checkpointer moves WAL checkpoints off the committing writer: SQLite's
// automatic checkpoint runs inside the COMMIT that crosses its threshold, so
// one booking (or a whole-book proposal) would pay for copying every earlier
// transaction's pages into the database file. The writer connection turns the
// automatic checkpoint off (wal_autocheckpoint(0)) and this goroutine runs a
// PASSIVE checkpoint on its own connection a few times a second instead: it
// never blocks the writer or the readers, and SQLite makes it safe at any
// moment, a crash included. The last connection to close checkpoints the rest.
//
// A PASSIVE checkpoint never starts the WAL over: SQLite writes from the
// start of the file again only when a transaction begins with every frame
// already copied, and under a steady stream of commits (a FIX session
// booking fills) one always lands between a checkpoint and the next
// transaction. The WAL then grew without end (by some 30 MB/s in `bench
// fix --rate 500`), and every commit appended to a longer file. So once the
// WAL passes restartBytes and a PASSIVE checkpoint has copied all of it,
// the checkpointer runs a RESTART checkpoint, which copies the frames
// committed since, waits (at most restartWait) for the readers still in the
// WAL and makes the next transaction write from the start of the file. It
// runs on the writer's own connection, taken from its pool between two
// transactions: on a connection of its own it would wait for SQLite's write
// lock, and the writer for it, by sleeping in SQLite's busy handler (1, 2,
// 5, 10 ms …), which turned a restart of a few milliseconds into a stall of
// 20 ms or more for every order in flight.
type checkpointer struct {
	conn   *sql.DB
	writer *sql.DB // the DB's writer pool (one connection), for restarts
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	// restartAt is restartBytes in frames of the database's pages (tests
	// lower it).
	restartAt atomic.Int64
}

func startCheckpointer(ctx context.Context, path string, writer *sql.DB) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	conn.SetConnMaxIdleTime(0)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("open checkpointer: %w", err)
	}
	var page int64
	if err := conn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&page); err != nil {
		conn.Close()
		return nil, fmt.Errorf("open checkpointer: page size: %w", err)
	}
	c := &checkpointer{conn: conn, writer: writer, stop: make(chan struct{}), done: make(chan struct{})}
	c.restartAt.Store(restartBytes / page)
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	// A restart waiting for the writer's connection gives up when the
	// checkpointer stops.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	// restarted is the WAL's length in frames when it was last restarted:
	// until the next commit writes from the start of the file, a PASSIVE
	// checkpoint still reports that length, and there is nothing to do.
	restarted := -1
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			// A busy checkpoint (another one running, e.g. a second process
			// on the same file) is retried at the next tick. It is not
			// cancelled when the checkpointer stops: an interrupted
			// checkpoint keeps none of what it copied, and the close would
			// copy it all again.
			frames, copied, err := c.checkpoint(context.Background())
			if err == nil && int64(frames) >= c.restartAt.Load() && copied == frames && frames != restarted {
				if ok, _ := c.restart(ctx); ok {
					restarted = frames
				}
			}
		}
	}
}

// checkpoint runs one PASSIVE checkpoint and reports the WAL's frames and
// how many of them are now in the database file.
func (c *checkpointer) checkpoint(ctx context.Context) (walFrames, copied int, err error) {
	var busy int
	err = c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &walFrames, &copied)
	return walFrames, copied, err
}

// restart runs a RESTART checkpoint on the writer's connection that waits
// at most restartWait for the readers, and reports whether the WAL now
// starts over. It waits at most restartWait for the connection too: a
// transaction that holds it longer (a whole-book proposal) commits more
// frames than the PASSIVE checkpoint before copied, and the RESTART would
// copy and fsync them all while every writer waits; the next tick tries
// again. The connection's busy timeout is set back afterwards; a connection
// where that fails is discarded, so no later transaction inherits the short
// wait.
func (c *checkpointer) restart(ctx context.Context) (restarted bool, err error) {
	wait, cancel := context.WithTimeout(ctx, restartWait)
	conn, err := c.writer.Conn(wait)
	cancel()
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, restartWait.Milliseconds())); err != nil {
		return false, err
	}
	var busy, frames, copied int
	err = conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(RESTART)`).Scan(&busy, &frames, &copied)
	if _, berr := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeout.Milliseconds())); berr != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		return false, errors.Join(err, berr)
	}
	return err == nil && busy == 0, err
}

// close stops the goroutine and closes its connection.
func (c *checkpointer) close() error {
	var err error
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		err = c.conn.Close()
	})
	return err
}

// SyncCommitted makes every transaction committed so far durable. Commits
// run with synchronous NORMAL: each is written to the WAL but not fsynced,
// so a power cut may lose the last ones (never a later one without the
// earlier: the WAL is replayed in order). SyncCommitted fsyncs the WAL,
// which holds every commit not yet checkpointed; a checkpoint fsyncs the
// database file before SQLite may overwrite the frames it copied, so the
// rest is on disk already. The FIX client calls it before it stores how far
// it has read a broker's messages (fixclient.Config.SyncBooked).
func (d *DB) SyncCommitted() error {
	f, err := os.Open(d.path + "-wal")
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no WAL: every commit is in the database file, synced by the checkpoint that emptied it
	}
	if err != nil {
		return fmt.Errorf("db: sync commits: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("db: sync commits: %w", err)
	}
	return nil
}
