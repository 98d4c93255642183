package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/workflows/demo"
)

// loadDemo loads the demo (idempotent: a second start writes nothing, an interrupted load is
// completed). The clock runs demo.Span in the past while the demo is written, so processes have
// histories of weeks and months ending today. Tokens for the demo users are created and written
// to the demo tokens file once, when that file does not exist yet.
func loadDemo(ctx context.Context, a *app, cfg config.Config, log *slog.Logger) error {
	a.clock.Advance(-demo.Span)
	sum, err := demo.Load(ctx, a.engine, a.clock.Now, a.clock.Advance)
	a.clock.Advance(demo.Span) // back to the present (Advance never goes past it)
	if err != nil {
		return err
	}
	path := cfg.Server.DemoTokensFile
	if _, err := os.Stat(path); err == nil {
		log.Info("demo ready; tokens were written before", "processes", sum.Processes, "tokens_file", path)
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# civicflow demo tokens, created %s. Use: Authorization: Bearer <token>\n", time.Now().Format(time.RFC3339))
	fmt.Fprintf(&b, "# tenant\tuser\trole\tname\ttoken\n")
	for _, u := range demo.Users() {
		secret, _, err := a.tokens.Create(ctx, u.Tenant, u.User, u.Role)
		if err != nil {
			return fmt.Errorf("token for %s@%s: %w", u.User, u.Tenant, err)
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", u.Tenant, u.User, u.Role, u.Name, secret)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return err
	}
	log.Info("demo loaded", "templates", sum.Templates, "processes", sum.Processes, "events", sum.Events, "tokens_file", path)
	return nil
}
