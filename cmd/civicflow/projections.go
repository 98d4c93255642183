package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/ops/storage"
)

// newProjectionsCmd returns "civicflow projections", the parent of the read-model commands.
func newProjectionsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "projections",
		Short: "Lesemodelle / read models",
		Long: `Befehle für die Lesemodelle (Projektionen) in der Datenbankdatei.
Commands for the read models (projections) in the database file.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newProjectionsRebuildCmd())
	return cmd
}

// newProjectionsRebuildCmd returns "civicflow projections rebuild [NAME]".
func newProjectionsRebuildCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rebuild [NAME]",
		Short: "Lesemodelle neu aufbauen / rebuild read models from the log",
		Long: `Baut Lesemodelle aus dem Ereignisprotokoll neu auf: neue Tabellen neben den laufenden,
Aufholen, dann atomares Umschalten; ohne NAME alle, in einem Durchgang durch das Protokoll.
Läuft auch neben einem laufenden Server.

Rebuilds read models from the event log: new tables beside the running ones, catch up, then an
atomic switch; without NAME all of them, in one pass over the log. Works while the server runs.`,
		Example: "  civicflow projections rebuild\n  civicflow projections rebuild process_overview --db /var/lib/civicflow/civicflow.db",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
			if err != nil {
				return err
			}
			var names []string
			for _, p := range readModels() {
				names = append(names, p.Name())
			}
			if len(args) == 1 {
				if !slices.Contains(names, args[0]) {
					return &usageError{fmt.Errorf("unknown read model %q; known: %v", args[0], names)}
				}
				names = args
			}
			st, err := openStorage(cmd, cfg, false, storage.EventStore, storage.ReadModels)
			if err != nil {
				return err
			}
			defer st.Close()
			r, err := newProjectionRunner(st, newLogger(cfg, cmd.ErrOrStderr()))
			if err != nil {
				return err
			}
			// One pass over the log for all of them, switched together; a progress line every few
			// seconds on stderr.
			ctx := cmd.Context()
			if head, err := st.Log.Head(ctx); err == nil {
				ctx = withProgress(ctx, cmd.ErrOrStderr(), "projections rebuild", int64(head.Commit()), time.Now)
			}
			if err := r.RebuildAll(ctx, names...); err != nil {
				return fmt.Errorf("rebuild %v: %w", names, err)
			}
			for _, name := range names {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: neu aufgebaut / rebuilt up to position %s\n", name, r.Position(name))
			}
			return nil
		},
	}
	cmd.Flags().String("db", "", "Datenbankdatei / database file `PATH` (Standard / default: store.sqlite.path)")
	return cmd
}
