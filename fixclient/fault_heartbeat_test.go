package fixclient

import (
	"testing"
	"time"

	"github.com/ballast-oms/ballast/order"
)

// TestFaultBrokerStopsAnsweringHeartbeats: the broker goes silent (its
// messages stop arriving, its answers to Ballast's TestRequest too) and
// then refuses connections. The session sends a TestRequest, disconnects
// and shows down; a block released meanwhile waits in the outbox instead of
// failing; when the broker comes back the session logs on, the block goes
// out and the books are exact.
func TestFaultBrokerStopsAnsweringHeartbeats(t *testing.T) {
	t.Parallel()
	const heartBtInt = time.Second
	d := newFaultDesk(t, deskOpt{heartBtInt: int(heartBtInt / time.Second)})
	b1 := d.release("P1", "VOD", "300", "10")
	d.waitBooks("P1", "VOD", b1.ID, "300")

	testRequests := len(d.proxy.messages(toBroker, "1"))
	d.proxy.setRefuse(true)
	d.proxy.setMute(true)
	// A broker message the proxy let through just before the mute may not
	// have been read yet: on a busy machine the session can hear it after
	// any time taken here. The silence starts once the session has read
	// everything that passed (it moves its inbound number past a message
	// only after hearing it).
	passed := d.proxy.lastPassed()
	waitFor(t, "the session to read what passed before the silence", func() bool { return d.client.Status()[0].NextTargetSeq > passed })
	silentAt := time.Now()
	waitFor(t, "the session to notice the silence", func() bool { return d.state() != StateLoggedOn })
	noticed := time.Since(silentAt)
	t.Logf("HeartBtInt %s: the session dropped %s after the broker went silent", heartBtInt, noticed.Round(time.Millisecond))
	if len(d.proxy.messages(toBroker, "1")) == testRequests {
		t.Error("the session dropped without sending a TestRequest first")
	}
	// quickfixgo waits 1.2 × HeartBtInt for a message, sends a TestRequest,
	// then waits as long again: a bound far above that catches a session that
	// never notices, not a slow machine.
	if noticed > 5*heartBtInt {
		t.Errorf("the session took %s to notice a silent broker with HeartBtInt %s", noticed, heartBtInt)
	}
	st := d.client.Status()[0]
	if st.State != StateConnecting || !st.LastHeard.Before(silentAt) {
		t.Errorf("status while the broker is silent: %s, last heard %s (silent since %s)", st.State, st.LastHeard, silentAt)
	}
	waitFor(t, "the handler to hear of the drop", d.dropped)

	b2 := d.release("P2", "BP", "200", "5")
	if got := d.block(b2.ID).Status; got != order.Sent || d.outboxLen() != 1 {
		t.Fatalf("a release while the session is down: block %s, outbox %d; want sent and queued", got, d.outboxLen())
	}
	d.proxy.setMute(false)
	d.proxy.setRefuse(false)
	d.waitState(StateLoggedOn)
	d.waitBooks("P2", "BP", b2.ID, "200")
	d.waitBooks("P1", "VOD", b1.ID, "300")
	if d.outboxLen() != 0 {
		t.Errorf("%d releases still queued after the logon", d.outboxLen())
	}
}
