package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/web"
	"github.com/civicflow/civicflow/workflows/demo"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// loadDemo loads the demo (idempotent: a second start writes nothing, an interrupted load is
// completed). The clock runs demo.Span in the past while the demo is written, so processes have
// histories of weeks and months ending today. Tokens for the demo users are created and written
// to the demo tokens file once, when that file does not exist yet.
func loadDemo(ctx context.Context, a *app, cfg config.Config, log *slog.Logger) ([]web.DemoUser, error) {
	log.Info("demo: loading the templates, tenants, users and demo processes (a few seconds on an empty store)")
	a.clock.Advance(-demo.Span)
	sum, err := demo.Load(ctx, a.engine, a.clock.Now, a.clock.Advance)
	a.clock.Advance(demo.Span) // back to the present (Advance never goes past it)
	if err != nil {
		return nil, err
	}
	path := cfg.Server.DemoTokensFile
	if b, err := os.ReadFile(path); err == nil {
		log.Info("demo ready; tokens were written before", "processes", sum.Processes, "tokens_file", path)
		return readDemoTokens(string(b)), nil
	}
	var users []web.DemoUser
	var b strings.Builder
	fmt.Fprintf(&b, "# civicflow demo tokens, created %s. Use: Authorization: Bearer <token>\n", time.Now().Format(time.RFC3339))
	fmt.Fprintf(&b, "# tenant\tuser\trole\tname\ttoken\n")
	for _, u := range demo.Users() {
		secret, _, err := a.tokens.Create(ctx, u.Tenant, u.User, u.Role)
		if err != nil {
			return nil, fmt.Errorf("token for %s@%s: %w", u.User, u.Tenant, err)
		}
		users = append(users, web.DemoUser{Tenant: u.Tenant, User: u.User, Role: u.Role, Name: u.Name, Secret: secret})
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", u.Tenant, u.User, u.Role, u.Name, secret)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return nil, err
	}
	log.Info("demo loaded", "templates", sum.Templates, "processes", sum.Processes, "events", sum.Events, "tokens_file", path)
	return users, nil
}

// readDemoTokens reads the demo tokens file (tenant, user, role, name, token; tab-separated).
func readDemoTokens(s string) []web.DemoUser {
	var out []web.DemoUser
	for _, line := range strings.Split(s, "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 5 && !strings.HasPrefix(line, "#") {
			out = append(out, web.DemoUser{Tenant: f[0], User: f[1], Role: f[2], Name: f[3], Secret: f[4]})
		}
	}
	return out
}

// printDemoLinks logs one sign-in link per demo role (the first demo user with that role): each
// opens the sign-in page with a button that signs in as that user.
func printDemoLinks(log *slog.Logger, addr net.Addr, users []web.DemoUser) {
	host := addr.String()
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		host = net.JoinHostPort("localhost", strconv.Itoa(tcp.Port))
	}
	seen := map[string]bool{}
	for _, u := range users {
		key := u.Role
		if u.Tenant == tokens.Installation {
			key = "installation " + u.Role
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		log.Info("demo: sign in as "+key, "url", "http://"+host+"/signin?demo="+u.Label())
	}
}
