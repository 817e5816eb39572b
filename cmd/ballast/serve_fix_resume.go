package main

import (
	"context"
	"fmt"
	"time"

	"github.com/quickfixgo/quickfix"
	"github.com/quickfixgo/quickfix/store/file"
	"github.com/quickfixgo/quickfix/store/sql"

	"github.com/ballast-oms/ballast/db"
	"github.com/ballast-oms/ballast/fixclient"
	"github.com/ballast-oms/ballast/internal/fixstore"
	"github.com/ballast-oms/ballast/order"
)

// resume reconciles, at start-up and before any session logs on, what the
// order book and the FIX outbox say was sent with what each session's
// message store holds. A crash can fall between two durable writes:
//
//   - the order book commits a released block as sent, then the client
//     persists its NewOrderSingle in the store: a crash between them left a
//     block "sent" that no broker will ever hear of. Such a release (its
//     ClOrdID in no stored message, not in the outbox, released after the
//     store was created) is queued again in the outbox and goes out at logon
//     under the same ClOrdID;
//   - a flush at logon persists a queued request, then marks its outbox row
//     sent: a crash between them would send it twice, and the broker would
//     reject the second as a duplicate ClOrdID. A queued request found in
//     the store is marked sent instead.
//
// The store is written before the wire, so a ClOrdID absent from it never
// left Ballast, and one in it is resent at the next logon if the broker
// missed it. A store that cannot be read, or that the session resets
// (ResetOnLogon=Y and the like), is logged and skipped.
func (fx *fixServe) resume(ctx context.Context, d *db.DB, settings *quickfix.Settings, cfg fixclient.Config) error {
	for id, ss := range settings.SessionSettings() {
		broker := id.TargetCompID
		if ss.HasSetting(fixclient.BrokerSetting) {
			broker, _ = ss.Setting(fixclient.BrokerSetting)
		}
		if resetsStore(ss) {
			fx.link.log.Warn("fix: the session resets its message store, so a send cut short by a crash cannot be told from one that went out: not resumed",
				"broker", broker)
			continue
		}
		stored, created, err := storedClOrdIDs(id, ss, cfg)
		if err != nil {
			fx.link.log.Error("fix: read the message store to resume sends", "broker", broker, "error", err)
			continue
		}
		if err := fx.resumeBroker(ctx, d, broker, stored, created); err != nil {
			return fmt.Errorf("fix: resume %s: %w", broker, err)
		}
	}
	return nil
}

func (fx *fixServe) resumeBroker(ctx context.Context, d *db.DB, broker string, stored map[string]bool, created time.Time) error {
	lane := fx.link.brokers[broker]
	queued, err := d.QueuedFix(ctx, broker)
	if err != nil {
		return err
	}
	waiting := map[string]bool{}
	for _, q := range queued {
		if !stored[q.ClOrdID] {
			waiting[q.ClOrdID] = true
			continue
		}
		if err := d.FinishFix(ctx, q.ID, db.FixQueuedSent, "", fx.link.now()); err != nil {
			return err
		}
		lane.queued.Add(-1)
		fx.link.log.Warn("fix request found sent after a restart", "broker", broker, "kind", q.Kind, "cl_ord_id", q.ClOrdID)
	}
	sent, err := db.NewOrderStore(d).Blocks(ctx, order.BlockFilter{Statuses: []order.Status{order.Sent}, Limit: 10000})
	if err != nil {
		return err
	}
	for _, b := range sent {
		if b.Broker != broker || b.ClOrdID == "" || stored[b.ClOrdID] || waiting[b.ClOrdID] {
			continue
		}
		if !b.ReleasedAt.After(created) {
			fx.link.log.Warn("fix: released block not in the message store, which was reset since: not resent", "broker", broker,
				"block_id", b.ID, "cl_ord_id", b.ClOrdID)
			continue
		}
		req := order.NewOrderRequest{Broker: b.Broker, ClOrdID: b.ClOrdID, Account: b.Account, Symbol: b.Symbol, Side: b.Side,
			Quantity: b.Totals.OrderQty, Type: b.Type, LimitPrice: b.LimitPrice, StopPrice: b.StopPrice,
			TimeInForce: b.TimeInForce, ExpireDate: b.ExpireDate, TransactAt: b.ReleasedAt}
		if err := fx.link.Send(ctx, req); err != nil {
			return fmt.Errorf("block %d: %w", b.ID, err)
		}
		fx.link.log.Warn("fix: release cut short by a crash sent again", "broker", broker, "block_id", b.ID, "cl_ord_id", b.ClOrdID)
	}
	return nil
}

// storedClOrdIDs opens a session's message store where fixclient keeps it
// (cfg) and returns the ClOrdIDs of the order messages it holds and when it
// was created (or last reset).
func storedClOrdIDs(id quickfix.SessionID, ss *quickfix.SessionSettings, cfg fixclient.Config) (map[string]bool, time.Time, error) {
	one := quickfix.NewSettings()
	factory := file.NewStoreFactory
	switch cfg.Store {
	case fixclient.StoreFile, "":
		if !ss.HasSetting("FileStorePath") {
			ss.Set("FileStorePath", cfg.StorePath)
		}
	case fixclient.StoreSQL: // as fixclient sets it up (fixclient/sqlstore.go)
		ss.Set("SQLStoreDriver", "sqlite")
		ss.Set("SQLStoreDataSourceName", "file:"+cfg.StorePath+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
		ss.Set("SQLStoreMessagesTableName", "fix_messages")
		ss.Set("SQLStoreSessionsTableName", "fix_sessions")
		factory = sql.NewStoreFactory
	default:
		return map[string]bool{}, time.Now(), nil // a memory store starts empty: nothing to resume
	}
	if _, err := one.AddSession(ss); err != nil {
		return nil, time.Time{}, err
	}
	f := factory(one)
	st, err := f.Create(id)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer st.Close()
	out := map[string]bool{}
	err = st.IterateMessages(1, st.NextSenderMsgSeqNum()-1, func(msg []byte) error {
		switch fixstore.RawField(msg, "\x0135=") {
		case "D", "F", "G":
			out[fixstore.RawField(msg, "\x0111=")] = true
		}
		return nil
	})
	return out, st.CreationTime(), err
}

// resetsStore reports whether the session empties its message store at
// logon, logout or disconnect: a message in it may then never be resent.
func resetsStore(ss *quickfix.SessionSettings) bool {
	for _, k := range []string{"ResetOnLogon", "ResetOnLogout", "ResetOnDisconnect"} {
		if ss.HasSetting(k) {
			if on, _ := ss.BoolSetting(k); on {
				return true
			}
		}
	}
	return false
}
