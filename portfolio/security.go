package portfolio

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Asset classes known to Ballast. Compliance rules (UCITS, 1940 Act) treat
// government securities, funds and cash differently from other issuers.
const (
	AssetEquity         = "equity"
	AssetGovernmentBond = "government_bond"
	AssetCorporateBond  = "corporate_bond"
	AssetFund           = "fund"
	AssetCash           = "cash"
)

// AssetClasses lists the asset classes in display order.
var AssetClasses = []string{AssetEquity, AssetGovernmentBond, AssetCorporateBond, AssetFund, AssetCash}

// CashSymbol is the reserved symbol that stands for cash in models and targets.
const CashSymbol = "CASH"

// Security is one instrument of the securities master.
type Security struct {
	Symbol            string
	Name              string
	Issuer            string
	Sector            string
	Country           string // ISO 3166 alpha-2
	Currency          string // ISO 4217
	AssetClass        string
	LotSize           decimal.Decimal // round lot; quantities are multiples of it
	ADV               decimal.Decimal // average daily volume, in units
	SharesOutstanding decimal.Decimal // voting shares outstanding (1940 Act 10% test)
	PriceIncrement    decimal.Decimal // tick size for limit prices; zero means 0.01
}

// Tick returns the price increment, 0.01 when none is set.
func (s Security) Tick() decimal.Decimal {
	if s.PriceIncrement.IsPositive() {
		return s.PriceIncrement
	}
	return decimal.New(1, -2)
}

// Validate reports the first problem with a security's fields.
func (s Security) Validate() error {
	switch {
	case strings.TrimSpace(s.Symbol) == "":
		return errors.New("symbol is empty")
	case strings.EqualFold(s.Symbol, CashSymbol):
		return fmt.Errorf("symbol %q is reserved for cash", CashSymbol)
	case hasInvisible(s.Symbol):
		r, _ := InvisibleRune(s.Symbol)
		return fmt.Errorf("symbol %q holds an invisible or control character (U+%04X)", s.Symbol, r)
	case strings.TrimSpace(s.Name) == "":
		return errors.New("name is empty")
	case strings.TrimSpace(s.Issuer) == "":
		return errors.New("issuer is empty")
	case len(s.Currency) != 3:
		return fmt.Errorf("currency %q is not a 3-letter code", s.Currency)
	case !validAssetClass(s.AssetClass):
		return fmt.Errorf("asset class %q is not one of %s", s.AssetClass, strings.Join(AssetClasses, ", "))
	case !s.LotSize.IsPositive():
		return fmt.Errorf("lot size %s must be positive", s.LotSize)
	case s.ADV.IsNegative():
		return fmt.Errorf("adv %s is negative", s.ADV)
	case s.SharesOutstanding.IsNegative():
		return fmt.Errorf("shares outstanding %s is negative", s.SharesOutstanding)
	case s.PriceIncrement.IsNegative():
		return fmt.Errorf("price increment %s is negative", s.PriceIncrement)
	}
	return nil
}

func hasInvisible(s string) bool { _, bad := InvisibleRune(s); return bad }

func validAssetClass(c string) bool {
	for _, k := range AssetClasses {
		if c == k {
			return true
		}
	}
	return false
}
