package throttle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/civicflow/civicflow/ops/throttle"
)

// BenchmarkGuard_successful_attempt is what the guard adds to every authenticated request (Wait
// and Succeed), while it remembers as many failing addresses as it may.
func BenchmarkGuard_successful_attempt(b *testing.B) {
	c := newClock()
	g := newGuard(b, c, throttle.Config{})
	for i := range 20_000 {
		g.Fail(attempt(fmt.Sprintf("10.%d.%d.1", i/256%256, i%256), ""), throttle.ReasonInvalid)
	}
	c.Add(time.Hour) // their refusals are over, they are remembered until swept
	ok := attempt("192.0.2.200", "cf_abcdefgh")
	b.ResetTimer()
	for b.Loop() {
		if g.Wait(ok) > 0 {
			b.Fatal("a clean client was refused")
		}
		g.Succeed(ok)
	}
}
