package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
	"github.com/civicflow/civicflow/projections/processlist"
	"github.com/civicflow/civicflow/projections/runner"
	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/templates"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// Problem is an RFC 9457 problem detail with civicflow's stable error code.
type Problem struct {
	Type     string             `json:"type"`
	Title    string             `json:"title"`
	Status   int                `json:"status"`
	Code     string             `json:"code"`
	Detail   string             `json:"detail,omitempty"`
	Field    string             `json:"field,omitempty"`
	Rule     string             `json:"rule,omitempty"`
	Reasons  []string           `json:"reasons,omitempty"`
	Problems []template.Problem `json:"problems,omitempty"`
	// CurrentVersion is the process's version, with 412.
	CurrentVersion *int64 `json:"current_version,omitempty"`
	// retryAfter is the Retry-After header's value, with 429.
	retryAfter string
	// EarliestAt is the earliest instant at which a refused advance can pass, when known.
	EarliestAt *time.Time `json:"earliest_at,omitempty"`
}

func problem(status int, code, detail string) *Problem {
	return &Problem{Type: "urn:civicflow:problem:" + code, Title: http.StatusText(status), Status: status, Code: code, Detail: detail}
}

// Error makes a Problem usable as an error inside the handlers.
func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

func writeProblem(w http.ResponseWriter, p *Problem) {
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="civicflow"`)
	}
	if p.retryAfter != "" {
		w.Header().Set("Retry-After", p.retryAfter)
	}
	if p.CurrentVersion != nil {
		w.Header().Set("ETag", etag(*p.CurrentVersion))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// toProblem maps an error to its problem detail with errors.Is and errors.As.
func toProblem(err error) *Problem {
	var (
		pr  *Problem
		ie  *process.InvalidError
		re  *process.RefusedError
		fe  *process.ForbiddenError
		ve  *template.ValidationError
		ver *engine.VersionError
		ine *eventstore.InputError
	)
	switch {
	case errors.As(err, &pr):
		return pr
	case errors.As(err, &ver):
		p := problem(http.StatusPreconditionFailed, "version_mismatch", "Die Version ist veraltet / the version is stale: "+err.Error())
		if ver.Actual >= 0 {
			p.CurrentVersion = &ver.Actual
		}
		return p
	case errors.As(err, &ie):
		p := problem(http.StatusUnprocessableEntity, "invalid_input", ie.Error())
		p.Field = ie.Field
		return p
	case errors.As(err, &ine):
		p := problem(http.StatusUnprocessableEntity, "invalid_input", ine.Error())
		p.Field = ine.Field
		return p
	case errors.As(err, &re):
		status := http.StatusUnprocessableEntity
		if re.Rule == "duplicate_id" {
			status = http.StatusConflict
		}
		p := problem(status, "refused", re.Error())
		p.Rule, p.Reasons = re.Rule, re.Reasons
		if !re.EarliestAt.IsZero() {
			at := re.EarliestAt.UTC()
			p.EarliestAt = &at
		}
		return p
	case errors.Is(err, engine.ErrIdempotencyKeyReused):
		p := problem(http.StatusUnprocessableEntity, "idempotency_key_reused", "Dieser Idempotency-Key gehört zu einer anderen Anfrage; nichts wurde ausgeführt / "+
			"this Idempotency-Key belongs to another request; nothing was done")
		p.Field = "Idempotency-Key"
		return p
	case errors.As(err, &fe):
		return problem(http.StatusForbidden, "forbidden", fe.Error())
	case errors.As(err, &ve):
		p := problem(http.StatusUnprocessableEntity, "invalid_template", ve.Error())
		p.Problems = ve.Problems
		if len(ve.Problems) > 0 {
			p.Field = ve.Problems[0].Path
		}
		return p
	case errors.Is(err, templates.ErrSyntax):
		return problem(http.StatusBadRequest, "malformed_template", err.Error())
	case errors.Is(err, process.ErrNotFound), errors.Is(err, engine.ErrTemplateNotFound), errors.Is(err, tokens.ErrNotFound):
		return problem(http.StatusNotFound, "not_found", "Nicht gefunden / not found")
	case errors.Is(err, tokens.ErrUnauthenticated):
		return problem(http.StatusUnauthorized, "unauthenticated", "Gültiges Bearer-Token nötig / a valid bearer token is required")
	case errors.Is(err, processlist.ErrBadCursor):
		p := problem(http.StatusBadRequest, "bad_query", err.Error())
		p.Field = "cursor"
		return p
	case errors.Is(err, eventstore.ErrStorageFull):
		return problem(http.StatusServiceUnavailable, "storage_full", "Speicher voll, nichts wurde geschrieben; bitte später erneut versuchen / storage full, nothing was written; please retry later")
	case errors.Is(err, runner.ErrNotBuilt):
		return problem(http.StatusServiceUnavailable, "not_ready", "Lesemodell noch nicht aufgebaut, bitte später erneut versuchen / the read model is not built yet, please try again later")
	case errors.Is(err, eventstore.ErrConcurrency):
		return problem(http.StatusConflict, "conflict", "Gleichzeitige Änderung, bitte wiederholen / concurrent change, please retry")
	}
	return problem(http.StatusInternalServerError, "internal", "Interner Fehler / internal error")
}

// decodeJSON reads a JSON body strictly: valid UTF-8, no key twice, no control or bidi character
// in any text (checkJSON), one object, no unknown fields, right types. A command without fields
// (advance, resume, complete) may also come with no body at all.
func decodeJSON(r *http.Request, v any) error {
	if r.ContentLength == 0 && hasNoFields(v) {
		return nil
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = checkJSON(body)
	}
	var dec *json.Decoder
	if err == nil {
		dec = json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
	}
	var (
		syn  *json.SyntaxError
		typ  *json.UnmarshalTypeError
		tooB *http.MaxBytesError
		pr   *Problem
	)
	switch {
	case err == nil:
		if dec.More() {
			return problem(http.StatusBadRequest, "malformed_json", "Nach dem JSON-Objekt folgt weiterer Inhalt / trailing data after the JSON object")
		}
		return nil
	case errors.As(err, &pr):
		return pr
	case errors.As(err, &tooB):
		return problem(http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("Der Inhalt ist größer als %d Bytes / the body exceeds %d bytes", tooB.Limit, tooB.Limit))
	case errors.As(err, &syn):
		return problem(http.StatusBadRequest, "malformed_json", fmt.Sprintf("Ungültiges JSON an Position %d / malformed JSON at offset %d: %v", syn.Offset, syn.Offset, err))
	case errors.As(err, &typ):
		p := problem(http.StatusBadRequest, "wrong_type", fmt.Sprintf("%s: erwartet / expected %s, erhalten / got %s", typ.Field, typ.Type, typ.Value))
		p.Field = typ.Field
		return p
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		p := problem(http.StatusBadRequest, "unknown_field", "Unbekanntes Feld / unknown field: "+name)
		p.Field = name
		return p
	case err.Error() == "EOF":
		return problem(http.StatusBadRequest, "malformed_json", "Leerer Inhalt, ein JSON-Objekt wird erwartet / empty body, a JSON object is expected")
	}
	var tpe *time.ParseError
	if errors.As(err, &tpe) {
		return problem(http.StatusBadRequest, "bad_date", "Ungültiges Datum, erwartet RFC 3339 / bad date, RFC 3339 expected: "+tpe.Error())
	}
	return problem(http.StatusBadRequest, "malformed_json", err.Error())
}

// requireJSON refuses bodies that are not JSON.
func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	media := strings.TrimSpace(strings.ToLower(strings.SplitN(ct, ";", 2)[0]))
	if media != "application/json" {
		return problem(http.StatusUnsupportedMediaType, "unsupported_media_type", fmt.Sprintf("Content-Type %q: application/json erwartet / expected", ct))
	}
	return nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// hasNoFields reports whether v needs no body: a struct whose fields are all optional
// (omitempty or omitzero), e.g. advance with its optional override_reason.
func hasNoFields(v any) bool {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return false
	}
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("json")
		if !strings.Contains(tag, ",omitempty") && !strings.Contains(tag, ",omitzero") {
			return false
		}
	}
	return true
}
