package notifytest

import (
	"net/http"
	"sync"
)

// Failing is a webhook receiver (an http.Handler) that answers 503 to its first N requests and
// accepts the rest.
type Failing struct {
	mu sync.Mutex
	// N is how many requests are still to fail.
	N  int
	ok int
}

// ServeHTTP fails while N > 0, then accepts.
func (f *Failing) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.N > 0 {
		f.N--
		http.Error(w, "nicht erreichbar", http.StatusServiceUnavailable)
		return
	}
	f.ok++
}

// Accepted is how many requests were accepted.
func (f *Failing) Accepted() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ok
}
