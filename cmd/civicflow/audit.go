package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/workflows/seal"
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
			store, err := sqlite.New(cmd.Context(), sqliteConfig(cfg))
			if err != nil {
				return err
			}
			defer store.Close()
			sealer, vkey, err := newSealer(store, cfg, nil)
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
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Siegel gegen eine Datenbankkopie prüfen / check the seals against a database copy",
		Long: `Berechnet den Merkle-Baum aus den Ereignissen neu (ohne gespeicherten Hashes zu trauen) und prüft
jeden Baumkopf: Signatur mit dem öffentlichen Schlüssel, Wurzel bei seiner Größe, Konsistenz mit dem
vorigen. Exit-Code 3, wenn etwas umgeschrieben oder entfernt wurde.

Recomputes the Merkle tree from the events (trusting no stored hash) and checks every tree head:
signature with the public key, root at its size, consistency with the one before. Exit code 3 when
anything was rewritten or removed.`,
		Example: "  civicflow audit seal verify --db copy.db --key ./data/seal.key.pub",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
			if err != nil {
				return err
			}
			keyArg, _ := cmd.Flags().GetString("key")
			verifier, err := loadVerifier(keyArg)
			if err != nil {
				return &usageError{err}
			}
			scfg := sqliteConfig(cfg)
			scfg.ReadOnly = true
			store, err := sqlite.New(cmd.Context(), scfg)
			if err != nil {
				return err
			}
			defer store.Close()
			heads, err := store.Seals().List(cmd.Context())
			if err != nil {
				return err
			}
			if headsFile, _ := cmd.Flags().GetString("heads"); headsFile != "" {
				b, err := os.ReadFile(headsFile)
				if err != nil {
					return &usageError{err}
				}
				heads = splitNotes(b)
			}
			if len(heads) == 0 {
				return errors.New("keine Siegel / no seals to check")
			}
			res, err := seal.VerifyLog(cmd.Context(), store, heads, verifier)
			if err != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "BESCHÄDIGT / BROKEN: %v\n", err)
				return &brokenError{err}
			}
			last := res.Heads[len(res.Heads)-1]
			fmt.Fprintf(cmd.OutOrStdout(), "OK: %d Siegel geprüft, das letzte deckt %d von %d Ereignissen (%s) / %d seals verified, the last covers %d of %d events\n",
				len(res.Heads), last.Size, res.Events, last.Time.Format(time.RFC3339), len(res.Heads), last.Size, res.Events)
			return nil
		},
	}
	verify.Flags().String("key", "", "öffentlicher Schlüssel oder Datei / public verifier key or `FILE` (Standard / default: audit.seal_key_file + .pub)")
	verify.Flags().String("heads", "", "exportierte Baumköpfe statt der in der Datenbank / exported heads `FILE` instead of the database's")
	export := &cobra.Command{
		Use:   "export",
		Short: "Signierte Baumköpfe ausgeben / print the signed tree heads",
		Long: `Gibt alle Baumköpfe aus, durch Leerzeilen getrennt, für "audit seal verify --heads".
Prints every signed tree head, separated by blank lines, for "audit seal verify --heads".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
			if err != nil {
				return err
			}
			scfg := sqliteConfig(cfg)
			scfg.ReadOnly = true
			store, err := sqlite.New(cmd.Context(), scfg)
			if err != nil {
				return err
			}
			defer store.Close()
			heads, err := store.Seals().List(cmd.Context())
			if err != nil {
				return err
			}
			for i, h := range heads {
				if i > 0 {
					fmt.Fprint(cmd.OutOrStdout(), "\n\n")
				}
				fmt.Fprint(cmd.OutOrStdout(), string(h))
			}
			return nil
		},
	}
	sealCmd.AddCommand(verify, export)
	cmd.AddCommand(sealCmd, newAuditStateCmd(), newAuditHistoryCmd(), newAuditVerifyCmd(), newAuditExportCmd())
	return cmd
}

// splitNotes splits a file of signed notes (each ends after its signature lines, separated by a
// blank line from the next).
func splitNotes(b []byte) [][]byte {
	var out [][]byte
	for _, part := range strings.Split(string(b), "\n\n\n") {
		if strings.TrimSpace(part) != "" {
			out = append(out, []byte(strings.Trim(part, "\n")+"\n"))
		}
	}
	return out
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

// newSealer loads the signing key (creating it with its public key when missing) and returns a
// sealer over the store.
func newSealer(store *sqlite.Store, cfg config.Config, log *slog.Logger) (*seal.Sealer, string, error) {
	path := cfg.Audit.SealKeyFile
	skey, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		s, v, err := seal.GenerateKey("civicflow")
		if err != nil {
			return nil, "", err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, "", err
		}
		if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
			return nil, "", err
		}
		if err := os.WriteFile(path+".pub", []byte(v+"\n"), 0o644); err != nil {
			return nil, "", err
		}
		if log != nil {
			log.Info("seal key created: keep it outside the database; give auditors the public key", "key", path, "public_key", path+".pub")
		}
		skey = []byte(s)
	} else if err != nil {
		return nil, "", err
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(skey)))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	vkey, _ := os.ReadFile(path + ".pub")
	sealer, err := seal.New(seal.Config{Store: store, Hashes: store.MerkleHashes(), Seals: store.Seals(), Signer: signer, Clock: time.Now})
	return sealer, strings.TrimSpace(string(vkey)), err
}

// startSealing seals the log every interval while the server runs; the returned function stops
// it after a last seal.
func startSealing(store *sqlite.Store, cfg config.Config, log *slog.Logger) (func(), error) {
	if cfg.Audit.SealInterval == 0 {
		return func() {}, nil
	}
	sealer, _, err := newSealer(store, cfg, log)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	sealOnce := func() {
		if head, _, err := sealer.Seal(context.Background()); err != nil {
			log.Error("seal failed", "err", err)
		} else {
			log.Info("log sealed", "events", head.Size, "root", head.Root.String())
		}
	}
	go func() {
		defer close(done)
		t := time.NewTicker(cfg.Audit.SealInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				sealOnce()
			}
		}
	}()
	return func() {
		cancel()
		<-done
		sealOnce()
	}, nil
}
