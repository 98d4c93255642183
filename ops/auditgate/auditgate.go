// Package auditgate holds back an HTTP answer until it may be sent: an auditor's request is
// recorded (workflows/auditlog) when the handler starts its answer — a successful one (2xx) or a
// refusal (4xx) — and before any byte of it leaves the server; when the record fails, the
// handler's answer is thrown away and a refusal is sent instead. The HTTP API and the web
// dashboard both wrap auditors' requests in it.
//
//	gw := auditgate.New(w, func(status int) error { return rec.Record(ctx, actor, read(status)) }, refuse)
//	handler(gw, r)
//	gw.Done()
package auditgate

import (
	"maps"
	"net/http"
)

// Writer is an http.ResponseWriter that calls record once, with the status, when the handler
// writes a 2xx or 4xx status (or its first byte, which means 200), before anything is sent.
// Informational (1xx), redirect (3xx) and server error (5xx) statuses pass without a record.
// When record fails, the headers are reset to those set before the handler ran, refuse writes its
// answer, and everything the handler writes afterwards is discarded.
type Writer struct {
	w       http.ResponseWriter
	before  http.Header
	record  func(status int) error
	refuse  func(w http.ResponseWriter, err error)
	decided bool
	refused bool
}

// New wraps w. record records the answer with its status; refuse answers when it fails.
func New(w http.ResponseWriter, record func(status int) error, refuse func(w http.ResponseWriter, err error)) *Writer {
	return &Writer{w: w, before: w.Header().Clone(), record: record, refuse: refuse}
}

// Header returns the header map of the answer.
func (g *Writer) Header() http.Header { return g.w.Header() }

// WriteHeader records an answer or a refusal before its status is sent.
func (g *Writer) WriteHeader(status int) {
	if g.refused {
		return
	}
	if g.decided || status < 200 {
		g.w.WriteHeader(status) // net/http logs a superfluous call; a 1xx is followed by the answer
		return
	}
	g.decided = true
	if recorded(status) {
		if err := g.record(status); err != nil {
			g.refused = true
			h := g.w.Header()
			clear(h)
			maps.Copy(h, g.before)
			g.refuse(g.w, err)
			return
		}
	}
	g.w.WriteHeader(status)
}

// recorded reports whether an answer with status is recorded: a success (2xx) or a refusal (4xx).
func recorded(status int) bool {
	return status >= 200 && status < 300 || status >= 400 && status < 500
}

// Write sends b, unless the answer was refused: then b is discarded.
func (g *Writer) Write(b []byte) (int, error) {
	if !g.decided {
		g.WriteHeader(http.StatusOK)
	}
	if g.refused {
		return len(b), nil
	}
	return g.w.Write(b)
}

// Done ends a handler's answer: one that wrote nothing is a 200 (as net/http would send it) and
// is recorded like any other.
func (g *Writer) Done() {
	if !g.decided {
		g.WriteHeader(http.StatusOK)
	}
}

// Refused reports whether the answer was refused.
func (g *Writer) Refused() bool { return g.refused }

// Unwrap returns the wrapped writer (for http.ResponseController).
func (g *Writer) Unwrap() http.ResponseWriter { return g.w }
