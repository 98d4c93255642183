package seal

import (
	"context"
	"time"
)

// paceSlice is how long a paced full pass works before it waits; paceCheck is how many events it
// adds between looks at the clock.
const (
	paceSlice = 10 * time.Millisecond
	paceCheck = 256
)

// pacer keeps a full pass's work to a share of the wall time (Config.PassShare): after each slice
// of work it waits (1-share)/share times as long as the slice took, so that the commands a server
// runs meanwhile get the CPU back. The slice is measured in wall time: a pass that waits for the
// CPU counts that as work, so it yields more when the machine is busy.
type pacer struct {
	share float64
	clock func() time.Time
	n     int
	start time.Time
}

func newPacer(share float64, clock func() time.Time) *pacer {
	if share <= 0 || share >= 1 {
		return nil // unpaced
	}
	return &pacer{share: share, clock: clock, start: clock()}
}

// step is called after each event; it waits when a slice of work is done, and returns ctx's
// error when ctx ended meanwhile.
func (p *pacer) step(ctx context.Context) error {
	if p == nil {
		return nil
	}
	if p.n++; p.n%paceCheck != 0 {
		return nil
	}
	worked := p.clock().Sub(p.start)
	if worked < paceSlice {
		return nil
	}
	wait := time.Duration(float64(worked) * (1 - p.share) / p.share)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	p.start = p.clock()
	return nil
}
