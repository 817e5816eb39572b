package web

import (
	"errors"

	"github.com/ballast-oms/ballast/portfolio"
)

// numberProblem is why a number field was refused: portfolio.ParseDecimal's
// own reason when the number has too many digits (it is a number, only not
// one Ballast takes), otherwise the caller's reason.
func numberProblem(err error, otherwise string) string {
	if errors.Is(err, portfolio.ErrTooManyDigits) {
		return err.Error()
	}
	return otherwise
}
