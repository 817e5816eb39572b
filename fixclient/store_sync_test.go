package fixclient

import (
	"strings"
	"testing"

	"github.com/quickfixgo/quickfix"

	"github.com/ballast-oms/ballast/internal/fixstore"
)

// BallastStoreSync picks the file store's sync mode, from a session's own
// settings or the global ones; anything but group or message is refused.
func TestStoreSyncSettingPicksTheFileStoreMode(t *testing.T) {
	for _, c := range []struct {
		name, global, session string
		want                  fixstore.SyncMode
		bad                   bool
	}{
		{name: "default", want: fixstore.SyncGroup},
		{name: "global message", global: "message", want: fixstore.SyncEachMessage},
		{name: "session group over global message", global: "message", session: "group", want: fixstore.SyncGroup},
		{name: "session message", session: "message", want: fixstore.SyncEachMessage},
		{name: "unknown", session: "sometimes", bad: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := "[DEFAULT]\nConnectionType=initiator\nSocketConnectHost=127.0.0.1\nSocketConnectPort=1\nHeartBtInt=30\n"
			if c.global != "" {
				text += StoreSyncSetting + "=" + c.global + "\n"
			}
			text += "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=BALLAST\nTargetCompID=SIM\n"
			if c.session != "" {
				text += StoreSyncSetting + "=" + c.session + "\n"
			}
			settings, err := ParseSettings(strings.NewReader(text))
			if err != nil {
				t.Fatal(err)
			}
			c2 := &Client{cfg: Config{Store: StoreFile, StorePath: t.TempDir()}}
			for id, ss := range settings.SessionSettings() {
				f, err := c2.storeFactory(id, ss, quickfix.NewSettings(), "")
				if c.bad {
					if err == nil || !strings.Contains(err.Error(), StoreSyncSetting) {
						t.Fatalf("%s=%s: %v; want a refusal naming the setting", StoreSyncSetting, c.session, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				d, ok := f.(fixstore.DurableFileFactory)
				if !ok || d.Sync != c.want {
					t.Errorf("factory %T %+v; want a DurableFileFactory with mode %d", f, f, c.want)
				}
			}
		})
	}
}
