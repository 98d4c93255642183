// Package auditlog records what auditors read and what they were refused: every request by an
// auditor that is answered (a read) or refused (4xx) is one event "audit.accessed" in the stream
// "audit-<tenant>", appended before the answer leaves the server. The HTTP API and the web
// dashboard both record through a Recorder, and both refuse to answer (503, no data) when the
// event cannot be appended: an auditor's access that is not on record does not happen.
//
//	rec, err := auditlog.New(auditlog.Config{Store: store, Clock: clock})
//	if rec.Records(actor) {
//		err := rec.Record(ctx, actor, auditlog.Read{Method: r.Method, Path: r.URL.Path,
//			Query: r.URL.Query(), Process: id, Status: status})
//		// err != nil: answer 503, send nothing of what was read
//	}
package auditlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// Type is the wire name of Accessed.
const Type = "audit.accessed"

// SchemaVersion is the schema version of Accessed.
const SchemaVersion = 1

// Stream is the stream of a tenant's audit accesses ("audit-*" for the installation's).
func Stream(tenant string) string { return "audit-" + tenant }

// Accessed is the event "audit.accessed": an auditor read something, or asked for something and
// was refused. It names the auditor (the user ID of the token, never the token), what was asked
// for and how it was answered; it holds no personal data. A successful GET leaves Method and
// Status empty, so its event is the same as before those fields existed.
type Accessed struct {
	// User is the auditor.
	User string `json:"user"`
	// Path is the request path; Query keeps only the parameters in AuditedQuery, encoded.
	Path  string `json:"path"`
	Query string `json:"query,omitempty"`
	// Process is the process read; empty for reads that are not of one process (lists,
	// templates, statistics).
	Process string `json:"process"`
	// At is when the access was recorded, just before the answer was sent.
	At time.Time `json:"at"`
	// Method is the request's method; empty means GET. Events recorded before this field existed
	// have none: they are GETs, except verifications (a path ending in /verify), which were POSTs.
	Method string `json:"method,omitempty"`
	// Status is the HTTP status answered; 0 (omitted) means 200: the read was answered. A 4xx
	// status is a refusal (e.g. 403 for a command, 404 for another tenant's process, 400 for a
	// bad query): the auditor got nothing of what was asked for.
	Status int `json:"status,omitempty"`
}

// AuditedQuery lists the query parameters an Accessed event keeps: those that select what is
// read (a past state or two compared, a page of the history, a list's filters). Anything else — a token someone
// put in the URL, the user name of a history filter (actor), the language — is dropped.
var AuditedQuery = []string{
	"at", "version", "at2", "version2", "from", "limit", "type", "from_time", "to_time",
	"tenant", "template", "stage", "status", "programme", "cursor", "process", "newest",
}

// Read is what an auditor read, or asked for and was refused.
type Read struct {
	// Method is the request's method; GET is recorded as empty.
	Method string
	// Path is the request path.
	Path string
	// Query is the request's query; only AuditedQuery is kept.
	Query url.Values
	// Process is the ID of the process read, if the path names one that parsed.
	Process string
	// Status is the HTTP status of the answer: 200 (recorded as empty; 0 also means 200) for a
	// read that is answered, 4xx for a refusal.
	Status int
}

// ErrNotRecorded is wrapped by Record's errors: the read was not recorded and must not be
// answered.
var ErrNotRecorded = errors.New("auditlog: access not recorded")

// Config configures a Recorder.
type Config struct {
	// Store is where the events are appended. Required.
	Store eventstore.Store
	// Clock dates the events. Default time.Now.
	Clock func() time.Time
	// Timeout bounds one append. Default 5 s.
	Timeout time.Duration
}

// Validate reports every problem.
func (c Config) Validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("auditlog: Store is required"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("auditlog: Timeout must not be negative"))
	}
	return errors.Join(errs...)
}

// Recorder appends audit.accessed events. It is safe for concurrent use.
type Recorder struct{ cfg Config }

// New returns a Recorder.
func New(cfg Config) (*Recorder, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Recorder{cfg: cfg}, nil
}

// Records reports whether the actor's reads are recorded: those of auditors.
func (*Recorder) Records(actor process.Actor) bool { return actor.Role == template.RoleAuditor }

// Record appends one audit.accessed event for the read to the actor's tenant's stream. An error
// wraps ErrNotRecorded. Call it before sending the answer, for answered reads and for refusals.
func (rec *Recorder) Record(ctx context.Context, actor process.Actor, read Read) error {
	ev := Accessed{User: actor.User, Path: read.Path, Query: keep(read.Query), Process: read.Process, At: rec.cfg.Clock(),
		Method: read.Method, Status: read.Status}
	if ev.Method == "GET" {
		ev.Method = ""
	}
	if ev.Status == 200 {
		ev.Status = 0
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotRecorded, err)
	}
	ctx, cancel := context.WithTimeout(ctx, rec.cfg.Timeout)
	defer cancel()
	_, err = rec.cfg.Store.Append(ctx, Stream(actor.Tenant), eventstore.Any, eventstore.EventData{
		ID: eventstore.NewEventID(), Type: Type, SchemaVersion: SchemaVersion, Data: data,
		Metadata: eventstore.Metadata{Tenant: actor.Tenant, Actor: actor.User}})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotRecorded, err)
	}
	return nil
}

// keep encodes the audited parameters of q.
func keep(q url.Values) string {
	out := url.Values{}
	for _, k := range AuditedQuery {
		if v, ok := q[k]; ok {
			out[k] = v
		}
	}
	return out.Encode()
}
