package compliance

import "time"

// VersionedRule is one version of a rule as a store keeps it: whether it is
// enabled, and who changed it, when and why. Every change is a new version.
type VersionedRule struct {
	Rule      Rule      `json:"rule"`
	Enabled   bool      `json:"enabled"`
	ChangedBy string    `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at"`
	Reason    string    `json:"reason"`
}

// AlertStatus is where a stored alert stands: open → acknowledged → resolved.
type AlertStatus string

// The alert statuses.
const (
	AlertOpen         AlertStatus = "open"
	AlertAcknowledged AlertStatus = "acknowledged"
	AlertResolved     AlertStatus = "resolved"
)

// AlertRecord is a stored post-trade alert with its workflow. A later batch
// that reports the same Key updates the unresolved record instead of adding one.
type AlertRecord struct {
	ID             int64       `json:"id"`
	Alert          Alert       `json:"alert"`
	Status         AlertStatus `json:"status"`
	FirstSeen      time.Time   `json:"first_seen"`
	LastSeen       time.Time   `json:"last_seen"`
	AcknowledgedBy string      `json:"acknowledged_by,omitempty"`
	AcknowledgedAt time.Time   `json:"acknowledged_at,omitzero"`
	ResolvedBy     string      `json:"resolved_by,omitempty"`
	ResolvedAt     time.Time   `json:"resolved_at,omitzero"`
	Note           string      `json:"note,omitempty"`
}

// RestrictedEntry is one entry of the restricted list: a security or an
// issuer under a mode (no_trade, no_buy, sell_only), held by a restricted rule.
type RestrictedEntry struct {
	RuleID string `json:"rule"`
	Mode   Mode   `json:"mode"`
	Symbol string `json:"symbol,omitempty"` // set for a security
	Issuer string `json:"issuer,omitempty"` // set for an issuer
}
