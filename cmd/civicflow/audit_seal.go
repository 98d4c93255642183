package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/headsfile"
	"github.com/civicflow/civicflow/ops/sqlite"
	"github.com/civicflow/civicflow/ops/storage"
	"github.com/civicflow/civicflow/workflows/seal"
	"github.com/civicflow/civicflow/workflows/verify"
)

// newSealVerifyCmd returns "civicflow audit seal verify".
func newSealVerifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Siegel gegen eine Datenbankkopie prüfen / check the seals against a database copy",
		Long: `Berechnet den Merkle-Baum aus den gespeicherten Datensätzen neu — jedes Blatt aus dem Datensatz
über die Hash-Kette seines Stroms, ohne gespeicherten Hashes zu trauen — und prüft jeden Baumkopf
der Datenbank und der Kopfdateien (--heads, mehrfach: Kopien von Zeug:innen): Signatur, Wurzel bei
seiner Größe, Konsistenz untereinander. Fehlen Siegel in der Datenbank, die eine Kopfdatei hat,
oder gibt es keine, obwohl das Protokoll älter als das Siegelintervall ist, ist das BESCHÄDIGT.
Exit-Code 3 bei jeder Unstimmigkeit und bei einer unlesbaren Datei.

Recomputes the Merkle tree from the stored records — every leaf from its record through its
stream's hash chain, trusting no stored hash — and checks every head of the database and of the
heads files (--heads, repeatable: witnesses' copies): signature, root at its size, consistency
with each other. Seals missing from the database that a heads file has, or none although the log
is older than the seal interval, are BROKEN. Exit code 3 for any problem and for an unreadable file.`,
		Example: "  civicflow audit seal verify --db copy.db --key ./keys/seal.key.pub --heads ./keys/seal.heads --heads ~/witness/civicflow.heads",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
			if err != nil {
				return err
			}
			keyArg, _ := cmd.Flags().GetString("key")
			key, err := loadVerifier(keyArg)
			if err != nil {
				return &usageError{err}
			}
			witnesses, err := headsFlags(cmd)
			if err != nil {
				return err
			}
			st, err := openCopy(cmd, cfg, storage.EventStore, storage.Seals)
			if err != nil {
				return err
			}
			defer st.Close()
			v, err := verify.New(verify.Config{Store: st.Log, Heads: st.Seals.List, Hashes: seal.TileHashes(st.Tiles), Key: key,
				Witnesses: witnesses, SealInterval: cfg.Audit.SealInterval, Clock: time.Now})
			if err != nil {
				return err
			}
			return printSealCheck(cmd, v.Seals(cmd.Context()))
		},
	}
	cmd.Flags().String("key", "", "öffentlicher Schlüssel oder Datei / public verifier key or `FILE` (required)")
	addHeadsFlag(cmd)
	return cmd
}

func printSealCheck(cmd *cobra.Command, c verify.Check) error {
	out := cmd.OutOrStdout()
	switch c.Status {
	case verify.StatusSkipped:
		return errors.New("keine Siegel zu prüfen / no seals to check: " + c.Detail)
	case verify.StatusBroken:
		fmt.Fprintf(out, "BESCHÄDIGT / BROKEN: %s\n", c.Problem.Message)
		printProblemPlace(out, c.Problem)
		if c.Detail != "" {
			fmt.Fprintf(out, "  (%s)\n", c.Detail)
		}
		return &brokenError{errors.New(c.Problem.Message)}
	}
	fmt.Fprintf(out, "OK: %s\n", c.Detail)
	return nil
}

// addHeadsFlag adds the repeatable --heads flag.
func addHeadsFlag(cmd *cobra.Command) {
	cmd.Flags().StringArray("heads", nil, "Kopfdatei, eine signierte Notiz je Zeile (mehrfach: mehrere Zeug:innen) / heads `FILE`, one signed note per line (repeatable: several witnesses)")
}

// headsFlags reads every --heads file.
func headsFlags(cmd *cobra.Command) ([]verify.Witness, error) {
	paths, _ := cmd.Flags().GetStringArray("heads")
	var out []verify.Witness
	for _, p := range paths {
		heads, err := headsfile.Read(p)
		if err != nil {
			return nil, &usageError{fmt.Errorf("--heads: %w", err)}
		}
		out = append(out, verify.Witness{Name: p, Heads: func(context.Context) ([][]byte, error) { return heads, nil }})
	}
	return out, nil
}

// openCopy opens the store for checking: a SQLite file read-only, where a file SQLite cannot read
// is a finding (exit 3), said on stdout like any other; another backend through its ports, which
// must provide parts.
func openCopy(cmd *cobra.Command, cfg config.Config, parts ...storage.Part) (*storage.Storage, error) {
	st, err := openStorage(cmd, cfg, cfg.Store.Backend == storage.SQLite, parts...)
	if errors.Is(err, sqlite.ErrDamaged) {
		fmt.Fprintf(cmd.OutOrStdout(), "BESCHÄDIGT / BROKEN: %v\n", err)
		return nil, &brokenError{err}
	}
	return st, err
}

// newSealExportCmd returns "civicflow audit seal export".
func newSealExportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "Signierte Baumköpfe ausgeben / print the signed tree heads",
		Long: `Gibt alle Baumköpfe der Datenbank im Format der Kopfdatei aus (eine signierte Notiz je Zeile),
für "audit seal verify --heads".
Prints every signed tree head of the database in the heads file's format (one signed note per
line), for "audit seal verify --heads".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
			if err != nil {
				return err
			}
			st, err := openCopy(cmd, cfg, storage.Seals)
			if err != nil {
				return err
			}
			defer st.Close()
			heads, err := st.Seals.List(cmd.Context())
			if err != nil {
				return err
			}
			for _, h := range heads {
				fmt.Fprintln(cmd.OutOrStdout(), headsfile.Encode(h))
			}
			return nil
		},
	}
}
