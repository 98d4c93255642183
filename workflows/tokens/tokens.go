// Package tokens issues, checks and revokes the bearer tokens of civicflow's users. A token is
// bound to a user, a tenant and a role. Tokens are events like everything else ("token.created",
// "token.revoked" in the stream "token-<id>"); only a SHA-256 hash of the secret is recorded, and
// a presented token is compared with it in constant time. The tenant "*" makes an administrator of
// the whole installation.
//
//	reg := tokens.New(store, time.Now)
//	secret, tok, err := reg.Create(ctx, "leipzig", "anna", "lead") // show secret once
//	actor, err := reg.Authenticate(ctx, secret)
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/domain/template"
)

// Installation is the tenant of installation administrators, who may act in every tenant.
const Installation = "*"

var (
	// ErrUnauthenticated means the token is missing, malformed, unknown or revoked.
	ErrUnauthenticated = errors.New("tokens: not authenticated")
	// ErrNotFound means no token has that ID.
	ErrNotFound = errors.New("tokens: no such token")

	tenantPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	encoding      = base32.StdEncoding.WithPadding(base32.NoPadding)
)

// Token is an issued token, without its secret.
type Token struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	User      string    `json:"user"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	Revoked   bool      `json:"revoked"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Actor returns who the token speaks for.
func (t Token) Actor() process.Actor {
	return process.Actor{User: t.User, Tenant: t.Tenant, Role: t.Role, Installation: t.Tenant == Installation}
}

type created struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	User      string    `json:"user"`
	Role      string    `json:"role"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"created_at"`
}

type revoked struct {
	ID     string    `json:"id"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

const (
	typeCreated = "token.created"
	typeRevoked = "token.revoked"
	prefix      = "token-"
)

type entry struct {
	Token
	hash [32]byte
}

// Registry knows every token. It reads new token events from the store when it meets a token it
// does not know, so tokens created by another process (the CLI) work at once, and at least every
// second, so tokens revoked by another process stop working within a second.
type Registry struct {
	store eventstore.Store
	clock func() time.Time

	mu      sync.Mutex
	tokens  map[string]*entry
	after   eventstore.Position
	fetched time.Time // when the events were last read
}

// staleAfter is how old the registry's view may be before Authenticate reads new events, so that
// a token revoked by another process stops working within this time.
const staleAfter = time.Second

// New returns a registry over the store's token events.
func New(store eventstore.Store, clock func() time.Time) *Registry {
	return &Registry{store: store, clock: clock, tokens: map[string]*entry{}}
}

// refresh applies token events recorded since the last look. The caller holds mu.
func (r *Registry) refresh(ctx context.Context) error {
	for {
		page, err := r.store.ReadAll(ctx, eventstore.ReadAllOptions{After: r.after, Limit: 1000,
			Filter: eventstore.Filter{StreamPrefixes: []string{prefix}}})
		if err != nil {
			return err
		}
		for _, ev := range page {
			r.apply(ev)
			r.after = ev.Position
		}
		if len(page) < 1000 {
			r.fetched = r.clock()
			return nil
		}
	}
}

func (r *Registry) apply(ev eventstore.Event) {
	switch ev.Type {
	case typeCreated:
		var c created
		if json.Unmarshal(ev.Data, &c) != nil {
			return
		}
		e := &entry{Token: Token{ID: c.ID, Tenant: c.Tenant, User: c.User, Role: c.Role, CreatedAt: c.CreatedAt}}
		if h, err := hex.DecodeString(c.Hash); err == nil && len(h) == 32 {
			copy(e.hash[:], h)
			r.tokens[c.ID] = e
		}
	case typeRevoked:
		var v revoked
		if json.Unmarshal(ev.Data, &v) == nil && r.tokens[v.ID] != nil {
			r.tokens[v.ID].Revoked, r.tokens[v.ID].RevokedAt = true, v.At
		}
	}
}

// Create issues a token and returns its secret, which is shown once and never stored.
func (r *Registry) Create(ctx context.Context, tenant, user, role string) (string, Token, error) {
	if err := validate(tenant, user, role); err != nil {
		return "", Token{}, err
	}
	idBytes, secret := make([]byte, 6), make([]byte, 32)
	if _, err := rand.Read(idBytes); err != nil {
		return "", Token{}, err
	}
	if _, err := rand.Read(secret); err != nil {
		return "", Token{}, err
	}
	id := strings.ToLower(encoding.EncodeToString(idBytes))
	plain := "cf_" + id + "_" + strings.ToLower(encoding.EncodeToString(secret))
	hash := sha256.Sum256([]byte(plain))
	c := created{ID: id, Tenant: tenant, User: user, Role: role, Hash: hex.EncodeToString(hash[:]), CreatedAt: r.clock().UTC()}
	if err := r.append(ctx, id, eventstore.NoStream, typeCreated, c); err != nil {
		return "", Token{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.refresh(ctx); err != nil {
		return "", Token{}, err
	}
	return plain, r.tokens[id].Token, nil
}

func validate(tenant, user, role string) error {
	var problems []string
	switch {
	case tenant == Installation && role != template.RoleAdministrator:
		problems = append(problems, `tenant: "*" (the whole installation) is only for administrators`)
	case tenant != Installation && !tenantPattern.MatchString(tenant):
		problems = append(problems, fmt.Sprintf("tenant: %q is not a tenant key (lower case letters, digits and '-') or \"*\"", tenant))
	}
	if strings.TrimSpace(user) == "" || len(user) > 100 || strings.ContainsAny(user, "\n\t") {
		problems = append(problems, fmt.Sprintf("user: %q must be 1–100 characters on one line", user))
	}
	if !slices.Contains(template.Roles, role) {
		problems = append(problems, fmt.Sprintf("role: %q is not one of %s", role, strings.Join(template.Roles, ", ")))
	}
	if len(problems) > 0 {
		return &process.InvalidError{Field: strings.SplitN(problems[0], ":", 2)[0], Problem: strings.Join(problems, "; ")}
	}
	return nil
}

func (r *Registry) append(ctx context.Context, id string, exp eventstore.ExpectedVersion, typ string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = r.store.Append(ctx, prefix+id, exp, eventstore.EventData{ID: eventstore.NewEventID(), Type: typ, SchemaVersion: 1, Data: b})
	return err
}

// Revoke revokes a token; it stops working at once.
func (r *Registry) Revoke(ctx context.Context, id, reason string) error {
	r.mu.Lock()
	if err := r.refresh(ctx); err != nil {
		r.mu.Unlock()
		return err
	}
	e, ok := r.tokens[id]
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, id)
	}
	if e.Revoked {
		return nil
	}
	if err := r.append(ctx, id, eventstore.StreamExists, typeRevoked, revoked{ID: id, Reason: reason, At: r.clock().UTC()}); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refresh(ctx)
}

// List returns every token (never a secret), by tenant, user and ID.
func (r *Registry) List(ctx context.Context) ([]Token, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.refresh(ctx); err != nil {
		return nil, err
	}
	out := make([]Token, 0, len(r.tokens))
	for _, e := range r.tokens {
		out = append(out, e.Token)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Tenant != b.Tenant {
			return a.Tenant < b.Tenant
		}
		if a.User != b.User {
			return a.User < b.User
		}
		return a.ID < b.ID
	})
	return out, nil
}

// Authenticate returns the token a secret belongs to, or ErrUnauthenticated.
func (r *Registry) Authenticate(ctx context.Context, plain string) (Token, error) {
	parts := strings.Split(plain, "_")
	if len(parts) != 3 || parts[0] != "cf" || len(plain) > 200 {
		return Token{}, ErrUnauthenticated
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.tokens[parts[1]]
	if !ok || r.clock().Sub(r.fetched) > staleAfter {
		if err := r.refresh(ctx); err != nil {
			return Token{}, err
		}
		if e, ok = r.tokens[parts[1]]; !ok {
			return Token{}, ErrUnauthenticated
		}
	}
	hash := sha256.Sum256([]byte(plain))
	if subtle.ConstantTimeCompare(hash[:], e.hash[:]) != 1 || e.Revoked {
		return Token{}, ErrUnauthenticated
	}
	return e.Token, nil
}
