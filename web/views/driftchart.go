package views

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/ballast-oms/ballast/portfolio"
)

// Chart geometry, in SVG user units.
const (
	chartLabelW = 96  // room for the symbol on the left
	chartBarsW  = 520 // the scale from 0% to the chart's maximum
	chartRowH   = 22
	chartBarH   = 10
	chartTop    = 24 // room for the axis labels
)

// chartRow is one line of the drift chart: the band as a pale box, the target
// as a tick and the current weight as a bar, all as SVG coordinates.
type chartRow struct {
	Symbol          string
	Y, LabelY, BarY string
	BandX, BandW    string
	TargetX, TickY1 string
	TickY2          string
	BarW            string
	OutOfBand       bool
	Title           string
}

// chartTick is a vertical grid line with its percentage label.
type chartTick struct {
	X, Label string
}

// driftChart lays out d's lines on one scale from 0 to the largest weight,
// target or band edge, rounded up to a multiple of 5 percent.
type driftChart struct {
	Width, Height string
	Rows          []chartRow
	Ticks         []chartTick
	AxisBottom    string
}

// newDriftChart computes the chart of a portfolio's drift on one scale from
// 0 to the largest weight, target or band edge, with a grid every 1, 2, 5,
// 10, 20 or 25 percent (at most six lines).
func newDriftChart(d portfolio.Drift) driftChart {
	most := decimal.NewFromInt(1)
	for _, l := range d.Lines {
		most = decimal.Max(most, l.Weight, l.Upper, l.Target)
	}
	step := decimal.NewFromInt(25)
	for _, s := range []int64{1, 2, 5, 10, 20, 25} {
		if st := decimal.NewFromInt(s); most.Div(st).LessThanOrEqual(decimal.NewFromInt(6)) {
			step = st
			break
		}
	}
	top := most.Div(step).Ceil().Mul(step)
	scale := func(w decimal.Decimal) float64 {
		return chartLabelW + w.Div(top).InexactFloat64()*chartBarsW
	}
	c := driftChart{Width: px(chartLabelW + chartBarsW + 16), Height: px(float64(chartTop + chartRowH*len(d.Lines) + 8))}
	for i, l := range d.Lines {
		y := float64(chartTop + chartRowH*i)
		lo, hi := scale(l.Lower), scale(l.Upper)
		c.Rows = append(c.Rows, chartRow{
			Symbol: l.Symbol, Y: px(y), LabelY: px(y + 15), BarY: px(y + (chartRowH-chartBarH)/2),
			BandX: px(lo), BandW: px(max(hi-lo, 1)), TargetX: px(scale(l.Target)),
			TickY1: px(y + 2), TickY2: px(y + chartRowH - 2),
			BarW: px(scale(l.Weight) - chartLabelW), OutOfBand: l.OutOfBand,
			Title: l.Symbol + ": " + Weight(l.Weight) + "% against target " + Weight(l.Target) + "% (band " + Weight(l.Lower) + "–" + Weight(l.Upper) + "%)",
		})
	}
	for p := decimal.Zero; p.LessThanOrEqual(top); p = p.Add(step) {
		c.Ticks = append(c.Ticks, chartTick{X: px(scale(p)), Label: p.String() + "%"})
	}
	c.AxisBottom = px(float64(chartTop + chartRowH*len(d.Lines)))
	return c
}

// px formats a coordinate with one decimal.
func px(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func joinCodes(codes []string) string {
	s := ""
	for i, c := range codes {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s
}
