package order

import (
	"fmt"
	"time"
)

// TradingDay says when the desk's trading day ends, in the desk's time zone.
// Weekends are skipped; exchange holidays are not known here.
type TradingDay struct {
	Hour, Minute int
	Location     *time.Location
}

// NewTradingDay parses the close as "HH:MM" (e.g. "16:30") in loc.
func NewTradingDay(close string, loc *time.Location) (TradingDay, error) {
	t, err := time.Parse("15:04", close)
	if err != nil {
		return TradingDay{}, fmt.Errorf("order: trading day close %q is not HH:MM: %w", close, ErrInvalid)
	}
	if loc == nil {
		return TradingDay{}, fmt.Errorf("order: trading day has no time zone: %w", ErrInvalid)
	}
	return TradingDay{Hour: t.Hour(), Minute: t.Minute(), Location: loc}, nil
}

// End returns, in UTC, the end of the trading day that t belongs to: today's
// close when t is before it on a weekday, otherwise the next weekday's close.
func (d TradingDay) End(t time.Time) time.Time {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	local := t.In(loc)
	y, m, day := local.Date()
	end := time.Date(y, m, day, d.Hour, d.Minute, 0, 0, loc)
	for !local.Before(end) || isWeekend(end) {
		y, m, day = end.Date()
		end = time.Date(y, m, day+1, d.Hour, d.Minute, 0, 0, loc)
	}
	return end.UTC()
}

func isWeekend(t time.Time) bool {
	return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday
}
