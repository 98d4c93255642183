package web

import "fmt"

// barChart is a horizontal bar chart laid out for inline SVG: one row per bar, the label left,
// the bar and its number right. The same numbers are always rendered as a table beside it.
type barChart struct {
	Title, Desc   string
	Width, Height int
	BarX          int
	Bars          []bar
}

type bar struct {
	Label      string // shortened for the SVG
	Full       string
	Count      int
	Y, TextY   int
	Width      int
	NumX       int
	Highlight  bool
	Accessible string // "label: count"
}

const (
	barRow    = 30
	barHeight = 22
	barLabelW = 260
	barMaxW   = 360
)

func newBarChart(title, desc string, labels []string, counts []int) barChart {
	c := barChart{Title: title, Desc: desc, BarX: barLabelW, Width: barLabelW + barMaxW + 50, Height: max(1, len(labels))*barRow + 4}
	peak := 1
	for _, n := range counts {
		peak = max(peak, n)
	}
	for i, l := range labels {
		w := counts[i] * barMaxW / peak
		if counts[i] > 0 {
			w = max(w, 2)
		}
		c.Bars = append(c.Bars, bar{Label: shorten(l, 34), Full: l, Count: counts[i], Y: i*barRow + 4, TextY: i*barRow + 4 + 16,
			Width: w, NumX: barLabelW + w + 6, Accessible: fmt.Sprintf("%s: %d", l, counts[i])})
	}
	return c
}

// shorten cuts a label for an SVG text (which does not wrap); the full text is in the table.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// timelineBox is one stage of a process's stage timeline.
type timelineBox struct {
	X, Width   int
	State      string // "done", "current", "upcoming"
	StateLabel string
	Label      string
	FullTitle  string
	Days       string
	Number     int
}

// timeline lays out the stages in a row of boxes.
type timeline struct {
	Title, Desc   string
	Width, Height int
	Boxes         []timelineBox
}

const (
	boxW   = 180
	boxGap = 10
)

// progressBar is a measure's progress as an SVG bar of 0–100 %.
type progressBar struct {
	Progress int
	Fill     int
}

func newProgressBar(pct int) progressBar {
	pct = max(0, min(pct, 100))
	return progressBar{Progress: pct, Fill: pct * 2}
}
