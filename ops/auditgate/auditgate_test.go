package auditgate_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/civicflow/civicflow/ops/auditgate"
)

// serve runs handler behind the gate; record fails when fail is set. It returns the answer and
// how often record was called.
func serve(handler func(w http.ResponseWriter), fail bool) (*httptest.ResponseRecorder, int) {
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Security-Policy", "default-src 'none'")
	calls := 0
	gw := auditgate.New(rec, func() error {
		calls++
		if fail {
			return errors.New("disk full")
		}
		return nil
	}, func(w http.ResponseWriter, err error) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("refused: " + err.Error()))
	})
	handler(gw)
	gw.Done()
	return rec, calls
}

func TestWriter(t *testing.T) {
	data := func(w http.ResponseWriter) {
		w.Header().Set("ETag", `"7"`)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"secret":"data"}`))
		_, _ = w.Write([]byte(`{"more":"data"}`))
	}
	cases := []struct {
		name       string
		handler    func(w http.ResponseWriter)
		fail       bool
		wantStatus int
		wantBody   string
		wantCalls  int
	}{
		{"records_a_success_once_and_sends_it", data, false, 200, `{"secret":"data"}{"more":"data"}`, 1},
		{"refuses_when_the_record_fails", data, true, 503, "refused: disk full", 1},
		{"passes_an_error_without_a_record", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("not found"))
		}, true, 404, "not found", 0},
		{"records_an_empty_success", func(http.ResponseWriter) {}, false, 200, "", 1},
		{"refuses_an_explicit_201", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte("x"))
		}, true, 503, "refused: disk full", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, calls := serve(c.handler, c.fail)
			if rec.Code != c.wantStatus || rec.Body.String() != c.wantBody || calls != c.wantCalls {
				t.Fatalf("%d %q after %d records, want %d %q after %d", rec.Code, rec.Body, calls, c.wantStatus, c.wantBody, c.wantCalls)
			}
			if c.wantStatus == 503 {
				if rec.Header().Get("ETag") != "" || rec.Header().Get("Content-Type") != "text/plain" || rec.Header().Get("Content-Security-Policy") == "" {
					t.Fatalf("headers of the refusal: %v", rec.Header())
				}
			}
		})
	}
}
