package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/config"
	"github.com/civicflow/civicflow/ops/httpapi"
	"github.com/civicflow/civicflow/ops/storage"
	"github.com/civicflow/civicflow/workflows/report"
	"github.com/civicflow/civicflow/workflows/seal"
)

// newAuditExportCmd returns "civicflow audit export PROCESS --format html|json|csv" and its
// "verify FILE.json".
func newAuditExportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export PROCESS",
		Short: "Prüfbericht eines Verfahrens / a process's audit report (html, json, csv)",
		Long: `Erstellt den Prüfbericht eines Verfahrens: Verlauf, Phasen mit eingehaltenen oder verfehlten
Fristen, Freigaben, Entscheidungen, Vorlagenversion, Löschungen (nur als Vermerk), Siegel und
Prüfergebnis. html: eine eigenständige, druckbare Seite; json: dazu jeder gespeicherte Datensatz
mit Ketten-Hash und Einschlussnachweis, offline prüfbar mit "audit export verify"; csv: der Verlauf.
Über die API (Prüfer:innen, Administrator:innen; der Abruf wird festgehalten) oder mit --db
offline aus einer Datenbankdatei (nur lesend).

Makes a process's audit report: timeline, stages with deadlines met or missed, approvals,
decisions, template version, erasures (as a notice only), seal and verification result. html: one
self-contained, printable page; json: with every stored record, its chain hash and inclusion
proof, verifiable offline with "audit export verify"; csv: the timeline. Through the API (auditors,
administrators; the read is recorded) or with --db offline from a database file (read-only).`,
		Example: `  civicflow audit export 0190a000-0000-7000-8000-000000000001 --format html --out bericht.html --token "$TOKEN"
  civicflow audit export 0190a000-0000-7000-8000-000000000001 --format json --db copy.db --key ./data/seal.key.pub
  civicflow audit export verify bericht.json --key ./data/seal.key.pub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, _ := cmd.Flags().GetString("format")
			if format != "html" && format != "json" && format != "csv" {
				return &usageError{fmt.Errorf("--format %q: html, json oder/or csv", format)}
			}
			var rep *report.Report
			var err error
			if cmd.Flags().Changed("db") {
				rep, err = exportOffline(cmd, args[0])
			} else {
				rep, err = exportOnline(cmd, args[0])
			}
			if err != nil {
				return err
			}
			return writeExport(cmd, rep, format)
		},
	}
	clientFlags(cmd)
	cmd.Flags().String("format", "html", "html, json oder/or csv")
	cmd.Flags().String("out", "", "in diese Datei statt auf die Standardausgabe / write to `FILE` instead of standard output")
	cmd.Flags().String("key", "", "mit --db: öffentlicher Schlüssel der Siegel oder Datei / with --db: the seals' public key or `FILE` (Standard / default: audit.seal_key_file + .pub, if present)")
	cmd.AddCommand(newAuditExportVerifyCmd())
	return cmd
}

// exportOnline fetches the report's JSON form from the server.
func exportOnline(cmd *cobra.Command, id string) (*report.Report, error) {
	c, err := newClient(cmd)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if _, err := c.do(cmd.Context(), "GET", "/api/v1/processes/"+url.PathEscape(id)+"/report", "", nil, nil, &raw); err != nil {
		return nil, err
	}
	return report.ReadJSON(bytes.NewReader(raw))
}

// exportOffline builds the report from a database file, read-only.
func exportOffline(cmd *cobra.Command, arg string) (*report.Report, error) {
	id, err := uuid.Parse(arg)
	if err != nil {
		return nil, &usageError{fmt.Errorf("PROCESS %q: keine UUID / not a UUID", arg)}
	}
	cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
	if err != nil {
		return nil, err
	}
	verifier, err := exportKey(cmd, cfg)
	if err != nil {
		return nil, err
	}
	st, err := openStorage(cmd, cfg, true, storage.EventStore, storage.Seals)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	rep, err := report.Build(cmd.Context(), report.Sources{Store: st.Log, Heads: st.Seals, Hashes: seal.TileHashes(st.Tiles)}, id, time.Now(), verifier)
	if err != nil {
		return nil, err
	}
	rep.RequestedBy = "civicflow audit export --db"
	return rep, nil
}

// exportKey is the verifier of --key, or of audit.seal_key_file + ".pub" when that exists, or
// none.
func exportKey(cmd *cobra.Command, cfg config.Config) (note.Verifier, error) {
	key, _ := cmd.Flags().GetString("key")
	if key == "" {
		if _, err := os.Stat(cfg.Audit.SealKeyFile + ".pub"); err != nil {
			return nil, nil
		}
		key = cfg.Audit.SealKeyFile + ".pub"
	}
	v, err := loadVerifier(key)
	if err != nil {
		return nil, &usageError{err}
	}
	return v, nil
}

func writeExport(cmd *cobra.Command, rep *report.Report, format string) error {
	return writeDocument(cmd, func(w io.Writer) error {
		switch format {
		case "json":
			return rep.WriteJSON(w)
		case "csv":
			return rep.WriteCSV(w)
		}
		return rep.WriteHTML(w)
	})
}

// writeDocument writes a report byte for byte (its JSON is verified offline) to --out or to
// standard output.
func writeDocument(cmd *cobra.Command, write func(io.Writer) error) error {
	var w io.Writer = cmd.OutOrStdout()
	if s, ok := w.(*safeWriter); ok {
		w = s.w
	}
	out, _ := cmd.Flags().GetString("out")
	if out == "" {
		return write(w)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	return errors.Join(write(f), f.Close())
}

// newAuditExportVerifyCmd returns "civicflow audit export verify FILE.json --key KEY".
func newAuditExportVerifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify FILE.json",
		Short: "Prüfbericht offline prüfen / verify an audit report offline",
		Long: `Prüft einen Prüfbericht (JSON) ohne Datenbank: die Signatur des Siegels mit dem öffentlichen
Schlüssel, jeden Datensatz gegen seinen Ketten-Hash und Vorgänger, die Einschlussnachweise gegen
das Siegel und dass jeder Abschnitt des Berichts genau aus den Datensätzen folgt. Exit-Code 3 mit
jeder Unstimmigkeit, auch wenn Ereignisse nicht vom Siegel gedeckt sind (--allow-unsealed erlaubt das).

Checks an audit report (JSON) without the database: the seal's signature with the public key,
every record against its chain hash and predecessor, the inclusion proofs against the seal, and
that every section of the report follows exactly from the records. Exit code 3 with every problem,
also when events are not covered by the seal (--allow-unsealed allows that).`,
		Example: "  civicflow audit export verify bericht.json --key ./data/seal.key.pub",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, _ := cmd.Flags().GetString("key")
			verifier, err := loadVerifier(key)
			if err != nil {
				return &usageError{err}
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			rep, err := report.ReadJSON(bytes.NewReader(b))
			if err != nil {
				fmt.Fprintf(out, "BESCHÄDIGT / BROKEN: %v\n", err)
				return &brokenError{err}
			}
			v := report.Verify(rep, verifier)
			allow, _ := cmd.Flags().GetBool("allow-unsealed")
			if v.Unsealed > 0 && !allow {
				v.Problems = append(v.Problems, fmt.Sprintf("%d of %d events are not covered by the seal: seal the log (civicflow audit seal) and export again, or pass --allow-unsealed", v.Unsealed, v.Events))
			}
			if len(v.Problems) > 0 {
				fmt.Fprintf(out, "BESCHÄDIGT / BROKEN: %s\n", args[0])
				for _, p := range v.Problems {
					fmt.Fprintf(out, "  - %s\n", p)
				}
				return &brokenError{fmt.Errorf("%s: %d problems: %s", args[0], len(v.Problems), strings.Join(v.Problems, "; "))}
			}
			fmt.Fprintf(out, "OK: %s — %d Ereignisse geprüft, %d im Siegel nachgewiesen (Schlüssel %s) / %d events verified, %d proven in the seal (key %s)\n",
				rep.Process.Title, v.Events, v.Sealed, v.Key, v.Events, v.Sealed, v.Key)
			if rep.Seal != nil {
				fmt.Fprintf(out, "Siegel / seal: %d Ereignisse / events, %s\n", rep.Seal.Size, rep.Seal.Time.Format(time.RFC3339))
			}
			return nil
		},
	}
	cmd.Flags().String("key", "", "öffentlicher Schlüssel der Siegel oder Datei / the seals' public verifier key or `FILE` (required)")
	cmd.Flags().Bool("allow-unsealed", false, "Ereignisse nach dem Siegel nur über die Kette prüfen / accept events after the seal, checked by their chain only")
	return cmd
}

// reportSeals gives the API's audit reports the seals, the tree and the public key at
// audit.seal_key_file + ".pub" (without it, reports say that the signature was not checked).
func reportSeals(st *storage.Storage, cfg config.Config, log *slog.Logger) httpapi.ReportSeals {
	s := httpapi.ReportSeals{Heads: st.Seals, Tree: seal.TileHashes(st.Tiles)}
	v, err := defaultSealVerifier(cfg)
	if err == nil && v == nil {
		err = errors.New("no public key")
	}
	if err != nil {
		log.Warn("audit reports will not check the seals' signature", "key", cfg.Audit.SealKeyFile+".pub", "err", err)
		return s
	}
	s.Key = v
	return s
}
