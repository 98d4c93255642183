package engine

import (
	"context"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/civicflow/civicflow/domain/process"
)

// Person IDs are opaque: a person is named by a UUID that the engine issues (or that a client
// took from an earlier answer), never by a name, an e-mail address or a login, because the ID is
// part of the person's stream name, the vault's key row and the audit record, none of which an
// erasure removes. Inside the engine a person is "<tenant>:<uuid>" (PersonID), so that each
// tenant's administrators erase only their own tenant's persons.

// shortKey matches a short key of letters, digits, '-' and '_'. The person IDs that releases
// before opaque IDs accepted and that recorded histories still hold ("erika", "person-42") are
// such keys: they may be erased, never registered anew. A participant's key in a process must be
// one too, which keeps e-mail addresses and full names out of that ID.
var shortKey = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)

// NewPersonID checks the person ID a registration names: a UUID in its canonical form, or
// empty for a new UUID. It never repeats the value in its error, which may be personal data.
func NewPersonID(id string) (string, error) {
	if id == "" {
		return uuid.Must(uuid.NewV7()).String(), nil
	}
	if u, err := uuid.Parse(id); err != nil || u.String() != id {
		return "", &process.InvalidError{Field: "person",
			Problem: "ist keine UUID: Personen-IDs sind opak, ohne Angabe vergibt die Engine eine / is not a UUID: person IDs are opaque; leave it out and the engine issues one"}
	}
	return id, nil
}

// PersonID scopes a person to a tenant: "<tenant>:<id>". Keys, erasure and the person's stream
// use this form.
func PersonID(tenant, id string) string { return tenant + ":" + id }

// tenantOf returns the tenant of a person ("<tenant>:<id>").
func tenantOf(person string) string {
	tenant, _, _ := strings.Cut(person, ":")
	return tenant
}

// personOf resolves the person an erasure names for the actor: a tenant's administrator names
// their own tenant's person by its ID (or "<tenant>:<id>"); an installation administrator names
// "<tenant>:<id>". A person of another tenant, or one the vault never knew, is ErrNotFound, like
// any other tenant's data.
func (e *Engine) personOf(ctx context.Context, a process.Actor, person string) (string, error) {
	tenant, id, qualified := strings.Cut(person, ":")
	switch {
	case !qualified && a.Installation:
		return "", &process.InvalidError{Field: "person",
			Problem: "braucht den Mandanten: <mandant>:<id> / needs the tenant: <tenant>:<id>"}
	case !qualified:
		tenant, id = a.Tenant, person
	case !a.Sees(tenant):
		return "", process.ErrNotFound
	}
	if !shortKey.MatchString(id) {
		return "", &process.InvalidError{Field: "person",
			Problem: "ist keine Personen-ID (eine UUID) / is not a person ID (a UUID)"}
	}
	full := PersonID(tenant, id)
	known, err := e.cfg.Vault.Has(ctx, full)
	if err != nil || known {
		return full, err
	}
	if _, erased, err := e.Erasure(ctx, full); err != nil || erased {
		return full, err
	}
	return "", process.ErrNotFound
}
