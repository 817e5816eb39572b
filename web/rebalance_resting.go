package web

import (
	"context"
	"strings"
	"time"

	"github.com/ballast-oms/ballast/web/views"
)

// restingLookup bounds the conditions lookup of a rebalance preview.
const restingLookup = 2 * time.Second

// markResting shows, beside each proposed trade of a rebalance preview, the
// holding's waiting conditions (auto orders): a sell that reduces the holding
// resizes their partial quantities when it fills. Without conditions running,
// or when the lookup fails, the preview simply shows none.
func (s *server) markResting(p *views.RebalancePreview) {
	if s.live.conds == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), restingLookup)
	defer cancel()
	for i := range p.Portfolios {
		pf := &p.Portfolios[i]
		if len(pf.Lines) == 0 {
			continue
		}
		list, err := s.live.conds.List(ctx, ConditionFilter{State: "waiting", Portfolio: pf.Code})
		if err != nil {
			s.log.Warn("rebalance preview: resting conditions", "portfolio", pf.Code, "err", err)
			continue
		}
		bySym := map[string][]string{}
		for _, c := range list {
			row := views.ConditionRow{Condition: c.Condition}
			bySym[c.Symbol] = append(bySym[c.Symbol], "#"+views.IDText(c.ID)+" "+string(c.Kind)+" "+row.Terms()+
				" ("+string(c.State)+", qty "+row.QuantityText()+")")
		}
		for j := range pf.Lines {
			pf.Lines[j].Resting = strings.Join(bySym[pf.Lines[j].Symbol], "; ")
		}
	}
}
