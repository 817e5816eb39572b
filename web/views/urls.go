package views

import (
	"net/url"
	"strings"
)

// Path is the site path of segments, each escaped as one path segment.
// Portfolio codes, symbols, model and broker names come from imports and
// forms and may hold any visible character: "BF/B", "UK INC #1?", "50%".
// Put into a path as they are, they would name another page, start a query
// or a fragment; escaped, each stays the one segment it is. Every link,
// form action, HTMX or SSE address and redirect with a stored name in it is
// built here or with the helpers below.
func Path(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// WithQuery is path with the query key=value, value escaped.
func WithQuery(path, key, value string) string {
	return path + "?" + url.Values{key: {value}}.Encode()
}

// PortfolioURL is the page of a portfolio, or with rest one of its pages:
// PortfolioURL("UK/INC", "drift") is "/portfolios/UK%2FINC/drift".
func PortfolioURL(code string, rest ...string) string {
	return Path(append([]string{"portfolios", code}, rest...)...)
}

// ModelURL is the page of a shared model.
func ModelURL(name string) string { return Path("models", name) }

// SessionURL is an action on a broker's FIX session: "logon", "logout", "reset".
func SessionURL(broker, action string) string { return Path("sessions", broker, action) }

// RebalanceURL is the rebalance form with a portfolio picked.
func RebalanceURL(code string) string { return WithQuery("/rebalance", "portfolio", code) }

// PriceEventsURL is the live price stream of a portfolio's holdings.
func PriceEventsURL(code string) string { return WithQuery("/events/prices", "portfolio", code) }
