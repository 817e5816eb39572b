package order

import "errors"

// The kinds of error the order package returns; wrap them with %w and test
// with errors.Is. The web layer maps them to HTTP codes in one place.
var (
	// ErrInvalid is bad input: a field problem, an unknown status.
	ErrInvalid = errors.New("invalid")
	// ErrForbidden is an action the actor may not take (four eyes, roles).
	ErrForbidden = errors.New("forbidden")
	// ErrConflict is an action the order's current state does not allow.
	ErrConflict = errors.New("conflict")
	// ErrNotFound is a missing order, block or execution.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate is an execution already booked under the same key.
	ErrDuplicate = errors.New("duplicate")
)
