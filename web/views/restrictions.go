package views

import (
	"github.com/ballast-oms/ballast/order"
	"github.com/ballast-oms/ballast/portfolio"
)

// RestrictionKinds lists the kinds of rebalancing restriction, as the form
// sends them.
func RestrictionKinds() []string { return []string{"do_not_buy", "do_not_sell", "excluded"} }

// RestrictionKindText is what the page calls a kind of restriction.
func RestrictionKindText(kind string) string {
	switch kind {
	case "do_not_buy":
		return "Do not buy"
	case "do_not_sell":
		return "Do not sell (hold)"
	case "excluded":
		return "Excluded from rebalancing"
	}
	return kind
}

// RestrictionsView is a portfolio's rebalancing restrictions page.
type RestrictionsView struct {
	Portfolio portfolio.Portfolio
	Rows      []RestrictionRow
	History   []order.Event // restriction changes, newest first
	Held      []string      // symbols the portfolio holds, offered in the form
	CanEdit   bool          // the user is a PM
	Form      RestrictionForm
}

// RestrictionRow is one restriction: a security and one kind, with who set
// it, when and why (from the audit trail; empty for an imported one).
type RestrictionRow struct {
	Symbol string
	Kind   string
	Event  order.Event
}

// RestrictionForm is the add form's state.
type RestrictionForm struct {
	Symbol, Kind, Note string
	Errors             map[string]string
}
