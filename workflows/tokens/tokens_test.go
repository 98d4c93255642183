package tokens_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/domain/process"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/tokens"
)

func open(t *testing.T) (*sqlite.Store, string) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := sqlite.New(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestTokens_create_authenticate_revoke(t *testing.T) {
	ctx := context.Background()
	store, _ := open(t)
	reg := tokens.New(store, time.Now)
	secret, tok, err := reg.Create(ctx, "leipzig", "anna", "lead")
	if err != nil {
		t.Fatal(err)
	}
	got, err := reg.Authenticate(ctx, secret)
	if err != nil || got.ID != tok.ID || got.Actor() != (process.Actor{User: "anna", Tenant: "leipzig", Role: "lead"}) {
		t.Fatalf("authenticate: %+v, %v", got, err)
	}
	for _, bad := range []string{"", "cf_x", secret + "x", strings.Replace(secret, "cf_", "xx_", 1), "cf_" + tok.ID + "_wrongsecret"} {
		if _, err := reg.Authenticate(ctx, bad); !errors.Is(err, tokens.ErrUnauthenticated) {
			t.Errorf("authenticate %q: %v, want ErrUnauthenticated", bad, err)
		}
	}
	list, _ := reg.List(ctx)
	if len(list) != 1 || list[0].User != "anna" {
		t.Fatalf("list %+v", list)
	}
	if err := reg.Revoke(ctx, tok.ID, "left the project"); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Authenticate(ctx, secret); !errors.Is(err, tokens.ErrUnauthenticated) {
		t.Fatalf("revoked token: %v", err)
	}
	if err := reg.Revoke(ctx, "nope", ""); !errors.Is(err, tokens.ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
}

func TestTokens_are_seen_across_registries_and_never_store_the_secret(t *testing.T) {
	ctx := context.Background()
	store, _ := open(t)
	now := time.Now()
	clock := func() time.Time { return now }
	cli, server := tokens.New(store, clock), tokens.New(store, clock)
	secret, tok, err := cli.Create(ctx, "*", "root", "administrator")
	if err != nil {
		t.Fatal(err)
	}
	got, err := server.Authenticate(ctx, secret)
	if err != nil || !got.Actor().Installation {
		t.Fatalf("server sees a token made by the CLI: %+v, %v", got, err)
	}
	if err := cli.Revoke(ctx, tok.ID, ""); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Second)
	if _, err := server.Authenticate(ctx, secret); !errors.Is(err, tokens.ErrUnauthenticated) {
		t.Fatalf("server still accepts a token revoked by the CLI: %v", err)
	}
	all, _ := store.ReadAll(ctx, eventstore.ReadAllOptions{Limit: 100})
	for _, e := range all {
		if strings.Contains(string(e.Data), secret[10:]) {
			t.Fatal("the secret was stored")
		}
	}
}

func TestTokens_refuse_bad_input(t *testing.T) {
	store, _ := open(t)
	reg := tokens.New(store, time.Now)
	cases := []struct{ tenant, user, role, field string }{
		{"Leipzig!", "anna", "lead", "tenant"},
		{"*", "anna", "lead", "tenant"},
		{"leipzig", "", "lead", "user"},
		{"leipzig", "anna", "boss", "role"},
	}
	for _, c := range cases {
		_, _, err := reg.Create(context.Background(), c.tenant, c.user, c.role)
		var ie *process.InvalidError
		if !errors.As(err, &ie) || ie.Field != c.field {
			t.Errorf("create(%q, %q, %q): %v, want invalid %s", c.tenant, c.user, c.role, err, c.field)
		}
	}
}
