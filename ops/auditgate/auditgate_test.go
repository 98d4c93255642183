package auditgate_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/civicflow/civicflow/ops/auditgate"
)

// serve runs handler behind the gate; record fails when fail is set. It returns the answer and
// the statuses record was called with.
func serve(handler func(w http.ResponseWriter), fail bool) (*httptest.ResponseRecorder, []int) {
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Security-Policy", "default-src 'none'")
	var calls []int
	gw := auditgate.New(rec, func(status int) error {
		calls = append(calls, status)
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

// answer returns a handler that answers status with a header and a body.
func answer(status int, body string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("ETag", `"7"`)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
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
		wantCalls  []int
	}{
		{"records_a_success_once_and_sends_it", data, false, 200, `{"secret":"data"}{"more":"data"}`, []int{200}},
		{"refuses_when_the_record_fails", data, true, 503, "refused: disk full", []int{200}},
		{"records_an_empty_success", func(http.ResponseWriter) {}, false, 200, "", []int{200}},
		{"refuses_an_explicit_201", answer(http.StatusCreated, "x"), true, 503, "refused: disk full", []int{201}},
		{"records_a_refusal_with_its_status_and_sends_it", answer(http.StatusForbidden, "forbidden"), false, 403, "forbidden", []int{403}},
		{"records_a_404", answer(http.StatusNotFound, "not found"), false, 404, "not found", []int{404}},
		{"replaces_a_refusal_that_cannot_be_recorded", answer(http.StatusBadRequest, `{"detail":"bad at"}`), true, 503, "refused: disk full", []int{400}},
		{"passes_a_server_error_without_a_record", answer(http.StatusInternalServerError, "internal"), true, 500, "internal", nil},
		{"passes_a_redirect_without_a_record", answer(http.StatusSeeOther, ""), true, 303, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, calls := serve(c.handler, c.fail)
			if rec.Code != c.wantStatus || rec.Body.String() != c.wantBody || !slices.Equal(calls, c.wantCalls) {
				t.Fatalf("%d %q after records %v, want %d %q after %v", rec.Code, rec.Body, calls, c.wantStatus, c.wantBody, c.wantCalls)
			}
			if c.wantStatus == 503 {
				if rec.Header().Get("ETag") != "" || rec.Header().Get("Content-Type") != "text/plain" || rec.Header().Get("Content-Security-Policy") == "" {
					t.Fatalf("headers of the refusal: %v", rec.Header())
				}
			}
		})
	}
}

// An informational status (sent before the answer, which httptest.ResponseRecorder cannot show)
// does not decide the answer: the answer after it is still recorded, and refused.
func TestWriter_records_the_answer_after_an_informational_status(t *testing.T) {
	var calls []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		gw := auditgate.New(w, func(status int) error {
			calls = append(calls, status)
			return errors.New("disk full")
		}, func(w http.ResponseWriter, err error) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("refused: " + err.Error()))
		})
		w.Header().Set("Link", "</static/style.css>; rel=preload")
		gw.WriteHeader(http.StatusEarlyHints)
		_, _ = gw.Write([]byte(`{"secret":"data"}`))
		gw.Done()
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || string(body) != "refused: disk full" || !slices.Equal(calls, []int{200}) {
		t.Fatalf("%d %q after records %v, want 503 and one record of 200", resp.StatusCode, body, calls)
	}
}
