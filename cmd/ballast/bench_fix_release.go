package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ballast-oms/ballast/order"
)

// checkBasketFlag refuses a --basket that is not positive, is larger than
// one ReleaseBlocks call takes, or is above 1 with a paced --rate (pacing
// releases one block at a time).
func checkBasketFlag(o benchFixOptions) error {
	switch {
	case o.basket < 1 || o.basket > order.MaxReleaseBlocks:
		return fmt.Errorf("--basket %d: want 1 to %d blocks", o.basket, order.MaxReleaseBlocks)
	case o.basket > 1 && o.rate > 0:
		return fmt.Errorf("--basket %d needs --rate 0: a paced run releases one block at a time", o.basket)
	}
	return nil
}

// basketNote is what the first line of output says of --basket.
func basketNote(o benchFixOptions) string {
	if o.basket <= 1 {
		return ""
	}
	return fmt.Sprintf("; releasing them in baskets of %d (order.Service.ReleaseBlocks)", o.basket)
}

// releaseAll releases every block: paced at o.rate, or o.workers at a time,
// each worker releasing o.basket blocks in one ReleaseBlocks call when
// o.basket is above 1. Every block's release and send moments are noted,
// those of a basket all around its one call.
func releaseAll(ctx context.Context, svc *order.Service, tr order.Actor, blocks []int64, o benchFixOptions, rec *fillRecorder) error {
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	release := func(ids []int64) {
		defer wg.Done()
		for _, id := range ids {
			rec.released(id)
		}
		var err error
		if o.basket > 1 {
			_, err = svc.ReleaseBlocks(ctx, tr, ids)
		} else {
			_, err = svc.Release(ctx, tr, ids[0])
		}
		for _, id := range ids {
			rec.sent(id)
		}
		if err != nil {
			select {
			case errs <- err:
			default:
			}
		}
	}
	if o.rate > 0 {
		interval := time.Duration(float64(time.Second) / o.rate)
		start := time.Now()
		for i, id := range blocks {
			time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
			wg.Add(1)
			go release([]int64{id})
		}
	} else {
		next := make(chan []int64)
		for range o.workers {
			go func() {
				for ids := range next {
					release(ids)
				}
			}()
		}
		for ids := range slices.Chunk(blocks, max(o.basket, 1)) {
			wg.Add(1)
			next <- ids
		}
		close(next)
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}
