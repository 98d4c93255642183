package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/civicflow/civicflow/domain/process"
)

// commandMeta is meta for a process command whose Idempotency-Key is bound to its request: the
// engine records the request's fingerprint with the command's events, and the same key with
// another request is refused (422 idempotency_key_reused) instead of answered as a duplicate.
// The fingerprint is a SHA-256 of the method, the route (with the process ID in its canonical
// form and the command's name) and the canonical body: the decoded command encoded again, so
// whitespace, the order of keys and omitted empty fields do not matter.
func (a *API) commandMeta(r *http.Request, actor process.Actor, route string, body any) (process.Meta, error) {
	m, err := a.meta(r, actor)
	if err != nil || m.CommandID == "" {
		return m, err
	}
	canonical, err := json.Marshal(body)
	if err != nil {
		return m, err
	}
	h := sha256.New()
	h.Write([]byte(r.Method + " " + route + "\n"))
	h.Write(canonical)
	m.Request = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return m, nil
}
