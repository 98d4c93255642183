package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/domain/eventstore"
	"github.com/civicflow/civicflow/ops/sqlite"
)

// newStoreVerifyCmd returns "civicflow store verify": an offline check of a database file.
func newStoreVerifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Ereignisspeicher prüfen / verify the event store offline",
		Long: `Prüft eine Datenbankdatei (am besten eine Kopie) ohne sie zu verändern: jede Hash-Kette,
die Lückenlosigkeit des globalen Protokolls und das Ende des Protokolls.
Meldet die erste Unstimmigkeit mit Strom, Version und Position; Exit-Code 3, auch für eine
Datei, die SQLite nicht lesen kann (beschädigt, abgeschnitten), mit dem, was nicht lesbar war.

Checks a database file (best a copy) without changing it: every stream's hash chain, the
continuity of the global log and its end. Reports the first problem by stream, version and
position and exits with code 3 — also for a file SQLite cannot read (damaged, truncated), naming
what could not be read.`,
		Example: "  civicflow store verify --db /backup/civicflow-copy.db",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
			if err != nil {
				return err
			}
			if err := sqliteOnly(cmd, cfg); err != nil {
				return err
			}
			scfg := sqliteConfig(cfg)
			st, err := openCopy(cmd, cfg)
			if err != nil {
				return err
			}
			defer st.Close()
			store := st.SQLite
			ctx := cmd.Context()
			if head, err := store.Head(ctx); err == nil { // a line every few seconds on stderr
				ctx = withProgress(ctx, cmd.ErrOrStderr(), "store verify", int64(head.Commit()), time.Now)
			}
			res, err := store.VerifyLog(ctx)
			if errors.Is(err, eventstore.ErrIntegrity) || errors.Is(err, sqlite.ErrDamaged) {
				fmt.Fprintf(cmd.OutOrStdout(), "BESCHÄDIGT / BROKEN: %s\n  (%d Ereignisse davor in Ordnung / events before it intact)\n", scfg.Path, res.Events)
				return &brokenError{err}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "OK: %s: %d Ereignisse in %d Strömen, Ketten und Protokoll lückenlos / %d events in %d streams, chains and log intact\n",
				scfg.Path, res.Events, res.Streams, res.Events, res.Streams)
			return nil
		},
	}
	cmd.Flags().String("db", "", "Datenbankdatei / database file `PATH` (Standard / default: store.sqlite.path)")
	return cmd
}
