package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/ops/storage"
)

// newAuditCmd returns "civicflow audit": the auditor's tools that work on the database.
func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Prüfwerkzeuge / auditor's tools",
		Long: `Siegel des Protokolls (signierte Baumköpfe) erstellen und prüfen; Zustand und Verlauf
eines Verfahrens über die API lesen (state, history).
Create and check the seals of the log (signed tree heads); read a process's past state and
history through the API (state, history).`,
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().String("db", "", "Datenbankdatei / database file `PATH` (Standard / default: store.sqlite.path)")
	sealCmd := &cobra.Command{
		Use:   "seal",
		Short: "Protokoll jetzt versiegeln / seal the log now",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
			if err != nil {
				return err
			}
			st, err := openStorage(cmd, cfg, false, storage.EventStore, storage.Seals, storage.Sealing)
			if err != nil {
				return err
			}
			defer st.Close()
			sealer, vkey, err := newSealer(st, cfg, nil, 1) // on demand: unpaced
			if err != nil {
				return err
			}
			head, _, err := sealer.Seal(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "versiegelt / sealed: %d Ereignisse / events, Wurzel / root %s, %s\nöffentlicher Schlüssel / public key: %s\n",
				head.Size, head.Root, head.Time.Format(time.RFC3339), vkey)
			return nil
		},
	}
	sealCmd.AddCommand(newSealVerifyCmd(), newSealExportCmd())
	cmd.AddCommand(sealCmd, newAuditStateCmd(), newAuditHistoryCmd(), newAuditVerifyCmd(), newAuditExportCmd())
	return cmd
}
func loadVerifier(arg string) (note.Verifier, error) {
	if arg == "" {
		return nil, errors.New("--key: öffentlicher Schlüssel nötig / the public verifier key is required")
	}
	text := arg
	if b, err := os.ReadFile(arg); err == nil {
		text = strings.TrimSpace(string(b))
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, fmt.Errorf("--key: %w", err)
	}
	return v, nil
}
