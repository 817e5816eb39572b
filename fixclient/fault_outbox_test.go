package fixclient

import (
	"context"
	"errors"

	"github.com/ballast-oms/ballast/order"
)

// Send is the order book's sender: like the desk's FIX outbox, a release
// refused because the session is down waits and goes out at the next logon.
func (d *faultDesk) Send(ctx context.Context, r order.NewOrderRequest) error {
	err := d.client.Send(ctx, r)
	if errors.Is(err, ErrSessionDown) {
		d.mu.Lock()
		d.outbox = append(d.outbox, r)
		d.queued++
		d.mu.Unlock()
		return nil
	}
	return err
}

func (d *faultDesk) Cancel(ctx context.Context, r order.CancelRequest) error {
	return d.client.Cancel(ctx, r)
}

func (d *faultDesk) Replace(ctx context.Context, r order.ReplaceRequest) error {
	return d.client.Replace(ctx, r)
}

func (d *faultDesk) flush() {
	d.mu.Lock()
	waiting := d.outbox
	d.outbox = nil
	d.mu.Unlock()
	for i, r := range waiting {
		if err := d.client.Send(context.Background(), r); err != nil {
			d.mu.Lock()
			d.outbox = append(waiting[i:], d.outbox...)
			d.mu.Unlock()
			return
		}
	}
}

func (d *faultDesk) outboxLen() int { d.mu.Lock(); defer d.mu.Unlock(); return len(d.outbox) }
