package db

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// The writer never checkpoints in its commits; the checkpointer copies
// every committed frame into the database file within a few ticks.
func TestCheckpointerEmptiesTheWAL(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var auto int
	if err := d.writer.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Fatalf("writer wal_autocheckpoint = %d, want 0 (the checkpointer does it)", auto)
	}
	if _, err := d.writer.ExecContext(ctx, `CREATE TABLE filler (a TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := d.writer.ExecContext(ctx, `INSERT INTO filler SELECT hex(randomblob(200)) FROM generate_series(1, 200)`); err != nil {
			// generate_series may be missing from the build: a recursive CTE does the same.
			if _, err := d.writer.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 200)
				INSERT INTO filler SELECT hex(randomblob(200)) FROM n`); err != nil {
				t.Fatal(err)
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		frames, copied, err := d.ckpt.checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if frames > 0 && copied == frames {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("WAL has %d frames, %d checkpointed, after 10 s", frames, copied)
		}
		time.Sleep(checkpointEvery)
	}
	var n int
	if err := d.reader.QueryRowContext(ctx, `SELECT count(*) FROM filler`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 50*200 {
		t.Fatalf("%d rows, want %d", n, 50*200)
	}
}

func TestSyncCommitted(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.SyncCommitted(); err != nil {
		t.Fatalf("fresh database: %v", err)
	}
	if _, err := d.writer.ExecContext(ctx, `CREATE TABLE t (a)`); err != nil {
		t.Fatal(err)
	}
	if _, err := d.writer.ExecContext(ctx, `INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if err := d.SyncCommitted(); err != nil {
		t.Fatalf("after a commit: %v", err)
	}
}

// Under a steady stream of small commits a PASSIVE checkpoint never lets
// the WAL start over; the checkpointer restarts it once it passes its
// length limit, so the WAL stays bounded while commits go on.
func TestCheckpointerRestartsAGrowingWAL(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	d.ckpt.restartAt.Store(64)
	if _, err := d.writer.ExecContext(ctx, `CREATE TABLE filler (a TEXT)`); err != nil {
		t.Fatal(err)
	}
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if _, err := d.writer.ExecContext(ctx, `INSERT INTO filler VALUES (hex(randomblob(1500)))`); err != nil {
				done <- err
				return
			}
		}
	}()
	// Each sample reads the WAL's length in frames (a PASSIVE checkpoint
	// reports it); a length below the one before means the WAL started over.
	restarts, prev, most := 0, 0, 0
	deadline := time.Now().Add(20 * time.Second)
	for restarts < 3 && time.Now().Before(deadline) {
		time.Sleep(checkpointEvery / 5)
		frames, _, err := d.ckpt.checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if frames < prev {
			restarts++
		}
		prev, most = frames, max(most, frames)
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if restarts < 3 {
		t.Fatalf("the WAL started over %d times in 20 s of steady commits (longest %d frames); want 3", restarts, most)
	}
}

// A restart does not wait for a transaction that holds the writer: the
// frames that transaction commits would be copied and fsynced while every
// writer waits. It gives up, and the next tick tries again.
func TestRestartDoesNotWaitForALongTransaction(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	// Stop the background checkpointer: a PASSIVE checkpoint of its that
	// overlaps the RESTART below holds SQLite's checkpoint lock, and the
	// RESTART then reports busy at once (SQLite does not wait for that
	// lock), which is right for the ticker but not what this test checks.
	if err := d.ckpt.close(); err != nil {
		t.Fatal(err)
	}
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.ckpt.restart(ctx)
	if rerr := tx.Rollback(); rerr != nil {
		t.Fatal(rerr)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("restart while a transaction holds the writer: %v; want it to give up", err)
	}
	if ok, err := d.ckpt.restart(ctx); err != nil || !ok {
		t.Fatalf("restart with the writer free: %v, %v", ok, err)
	}
}
