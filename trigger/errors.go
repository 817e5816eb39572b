package trigger

import (
	"errors"
	"strings"
)

// The kinds of error trigger returns; test with errors.Is. The web layer maps
// them to 422, 409 and 403.
var (
	ErrInvalid   = errors.New("invalid")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
	ErrNotFound  = errors.New("not found")
)

// FieldError is a problem with one field of a condition. Field uses the API's
// names (trigger_price, percent, valid_until, ...).
type FieldError struct {
	Field   string
	Problem string
}

// FieldErrors lists every problem found with a condition; errors.Is(err, ErrInvalid) holds.
type FieldErrors []FieldError

// Error lists the problems as "field: problem; field: problem".
func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = fe.Field + ": " + fe.Problem
	}
	return strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e FieldErrors) Is(target error) bool { return target == ErrInvalid }

// Get returns the problem with field, or "" when there is none.
func (e FieldErrors) Get(field string) string {
	for _, fe := range e {
		if fe.Field == field {
			return fe.Problem
		}
	}
	return ""
}

// add records a problem.
func (e *FieldErrors) add(field, problem string) { *e = append(*e, FieldError{field, problem}) }

// err returns nil when no problem was recorded.
func (e FieldErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}
