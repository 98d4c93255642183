package sqlite

import (
	"bytes"
	"compress/flate"
	"fmt"
	"sync"
	"testing"
)

// Reused writers leave nothing of one input in the next: concurrent deflates of different inputs
// each inflate to their own input, at every level.
func TestDeflate_reused_writers_keep_inputs_apart(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				level := []int{flate.DefaultCompression, flate.BestSpeed, flate.BestCompression}[i%3]
				in := bytes.Repeat([]byte(fmt.Sprintf(`{"goroutine":%d,"round":%d}`, g, i)), 1+i*7)
				out, err := inflate(deflate(in, level, nil), nil, len(in))
				if err != nil || !bytes.Equal(out, in) {
					t.Errorf("goroutine %d round %d level %d: got %d bytes (err %v), want the %d bytes given", g, i, level, len(out), err, len(in))
					return
				}
			}
		})
	}
	wg.Wait()
}
