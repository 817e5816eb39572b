package web

import (
	"bufio"
	"context"
	"net/http"
	"testing"
	"time"
)

// TestBlotterEventsSpacedLastKept: changes in quick succession reach a live
// blotter as one event at once and one more, for the last of them, a gap
// later, so that the blotter (which drops changes within a second of its last
// reload) cannot miss the final state. The bound is a lower one: the second
// event cannot come sooner.
func TestBlotterEventsSpacedLastKept(t *testing.T) {
	app := newOrderApp(t)
	c := app.signedIn("trader")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := c.Do(app.request(http.MethodGet, "/blotter/events", nil).WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rd := bufio.NewReader(res.Body)
	if line, _ := rd.ReadString('\n'); line != ": blotter\n" {
		t.Fatalf("first line %q", line)
	}
	start := time.Now()
	for range 3 {
		app.createOrder("pm", buyGrowth)
	}
	waitChange(t, rd)
	waitChange(t, rd)
	if waited := time.Since(start); waited < blotterEventGap {
		t.Errorf("the second change event came %v after the changes, before the gap of %v", waited, blotterEventGap)
	}
}
