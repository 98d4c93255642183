package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/civicflow/civicflow/workflows/engine"
	"github.com/civicflow/civicflow/workflows/report"
)

// newProgrammeCmd returns "civicflow programme list|show|report": programmes through the API.
func newProgrammeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "programme", Short: "Programme (über die API) / programmes (through the API)", Args: cobra.NoArgs}
	clientFlags(cmd)
	list := &cobra.Command{
		Use: "list", Short: "Programme auflisten / list programmes", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			raw, err := getRaw(cmd, "/api/v1/programmes")
			if err != nil || asJSON(cmd) {
				return jsonOr(cmd, raw, err)
			}
			var page struct {
				Items []struct {
					ID, Tenant, Title, Coordinator string
					Sites                          int
					MaxSites                       int `json:"max_sites"`
					Start, End                     time.Time
				} `json:"items"`
			}
			if err := json.Unmarshal(raw, &page); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tMANDANT/TENANT\tSTANDORTE/SITES\tLAUFZEIT/DURATION\tTITEL/TITLE")
			for _, p := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%s – %s\t%s\n", p.ID, p.Tenant, p.Sites, p.MaxSites, p.Start.Format(time.DateOnly), p.End.Format(time.DateOnly), p.Title)
			}
			return tw.Flush()
		},
	}
	show := &cobra.Command{
		Use: "show ID", Short: "Programm mit Standorten, Kennzahlen und gemeinsamen Veranstaltungen / a programme with its sites, figures and shared sessions", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := getRaw(cmd, "/api/v1/programmes/"+url.PathEscape(args[0]))
			if err != nil || asJSON(cmd) {
				return jsonOr(cmd, raw, err)
			}
			var v engine.ProgrammeView
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			return printProgramme(cmd.OutOrStdout(), v)
		},
	}
	cmd.AddCommand(list, show, newProgrammeReportCmd())
	return cmd
}

// getRaw reads an API answer.
func getRaw(cmd *cobra.Command, path string) (json.RawMessage, error) {
	c, err := newClient(cmd)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	_, err = c.do(cmd.Context(), "GET", path, "", nil, nil, &raw)
	return raw, err
}

// jsonOr returns err, or prints raw as JSON when there is none.
func jsonOr(cmd *cobra.Command, raw []byte, err error) error {
	if err != nil {
		return err
	}
	return printJSON(cmd.OutOrStdout(), raw)
}

func printProgramme(w io.Writer, v engine.ProgrammeView) error {
	fmt.Fprintf(w, "%s (%s)\nKoordination / coordination: %s (Mandant / tenant %s)\nLaufzeit / duration: %s – %s\nStandorte / sites: %d / %d\n\n",
		v.Title, v.ID, v.Coordinator, v.Tenant, v.Start.Format(time.DateOnly), v.End.Format(time.DateOnly), len(v.Sites), v.MaxSites)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STANDORT/SITE\tMANDANT/TENANT\tPHASE/STAGE\tBETEILIGTE/PARTICIPANTS\tENTSCHEIDUNGEN/DECISIONS\tPROGRAMM-ANWESENHEIT/ATTENDANCE")
	for _, s := range v.Sites {
		if s.Figures == nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t—\t—\t—\n", s.Site, s.Tenant, s.Stage)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", s.Site, s.Tenant, s.Stage, s.Figures.Participants, s.Figures.Decisions, s.Figures.ProgrammeAttendance)
	}
	a := v.Aggregate
	fmt.Fprintf(tw, "Alle / all\t\t\t%d\t%d\t%d\n", a.Participants, a.Decisions, a.ProgrammeAttendance)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATUM/DATE\tSITZUNG/SESSION\tDURCHGEFÜHRT/HELD\tANWESENDE/ATTENDEES\tRÜCKMELDUNGEN/FEEDBACK\tTITEL/TITLE")
	for _, s := range v.Sessions {
		held := map[bool]string{true: "ja / yes", false: "nein / no"}[s.Held]
		title := s.Title
		if s.RRule != "" {
			title += " (" + s.RRule + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", s.Date.Format(time.DateOnly), s.Session, held, s.Attendees, s.Feedback, title)
	}
	return tw.Flush()
}

// newProgrammeReportCmd returns "civicflow programme report ID [--format html|json] [--verify]"
// and its "verify FILE.json".
func newProgrammeReportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report ID",
		Short: "Prüfbericht eines Programms / a programme's audit report (html, json)",
		Long: `Holt den Prüfbericht eines Programms über die API (Koordination und Prüfer:innen des
koordinierenden Mandanten): Standorte, gemeinsame Veranstaltungen mit Anwesenheit und
Rückmeldungen als Zahlen, Indikatoren und jedes Ereignis des Programms mit Nachweis, ohne
personenbezogene Daten. Mit --verify wird der Bericht sofort offline geprüft (wie "programme
report verify"); Exit-Code 3 bei jeder Unstimmigkeit.

Fetches a programme's audit report through the API (the coordinating tenant's coordination and
auditors): sites, shared sessions with attendance and feedback as numbers, indicators and every
event of the programme with its evidence, without personal data. With --verify the report is
checked offline at once (as "programme report verify"); exit code 3 on any problem.`,
		Example: `  civicflow programme report 0190a000-0000-7000-8000-000000000001 --format html --out runde3.html --token "$TOKEN"
  civicflow programme report 0190a000-0000-7000-8000-000000000001 --format json --out runde3.json --verify --key ./data/seal.key.pub
  civicflow programme report verify runde3.json --key ./data/seal.key.pub`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, _ := cmd.Flags().GetString("format")
			if format != "html" && format != "json" {
				return &usageError{fmt.Errorf("--format %q: html oder/or json", format)}
			}
			verify, _ := cmd.Flags().GetBool("verify")
			verifier, err := optionalVerifier(cmd, verify)
			if err != nil {
				return err
			}
			raw, err := getRaw(cmd, "/api/v1/programmes/"+url.PathEscape(args[0])+"/report")
			if err != nil {
				return err
			}
			rep, err := report.ReadProgrammeJSON(bytes.NewReader(raw))
			if err != nil {
				return err
			}
			if err := writeProgrammeReport(cmd, rep, format); err != nil {
				return err
			}
			if !verify {
				return nil
			}
			return verifyProgrammeReport(cmd, rep, verifier, args[0])
		},
	}
	cmd.Flags().String("format", "html", "html oder/or json")
	cmd.Flags().String("out", "", "in diese Datei statt auf die Standardausgabe / write to `FILE` instead of standard output")
	cmd.Flags().Bool("verify", false, "den Bericht offline prüfen (Ergebnis auf stderr, wenn der Bericht auf stdout geht) / verify the report offline (result on stderr when the report goes to stdout)")
	cmd.Flags().String("key", "", "mit --verify: öffentlicher Schlüssel der Siegel oder Datei / with --verify: the seals' public key or `FILE` (without it the signature is not checked)")
	cmd.Flags().Bool("allow-unsealed", false, "Ereignisse nach dem Siegel nur über die Kette prüfen / accept events after the seal, checked by their chain only")
	verifyCmd := &cobra.Command{
		Use:   "verify FILE.json",
		Short: "Prüfbericht eines Programms offline prüfen / verify a programme's audit report offline",
		Long: `Prüft einen Programmbericht (JSON) ohne Datenbank (report.VerifyProgramme): die Signatur des
Siegels, die Kette ab Version 1, jeden enthaltenen Datensatz gegen seinen Hash und seinen Satz,
jeden Einschlussnachweis. Zurückgehaltene Ereignisse (Anwesenheit, Rückmeldungen, Ereignisse der
Standorte) nur über Kette und Nachweise; die Standortzahlen stammen aus den Verfahren und sind nicht
gedeckt. Exit-Code 3 mit jeder Unstimmigkeit.

Checks a programme report (JSON) without the database (report.VerifyProgramme): the seal's
signature, the chain from version 1, every included record against its hash and its sentence,
every inclusion proof. Withheld events (attendance, feedback, the sites' events) only through the
chain and the proofs; the site figures come from the processes and are not covered. Exit code 3
with every problem.`,
		Example: "  civicflow programme report verify runde3.json --key ./data/seal.key.pub",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			verifier, err := optionalVerifier(cmd, true)
			if err != nil {
				return err
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			rep, err := report.ReadProgrammeJSON(bytes.NewReader(b))
			if err != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "BESCHÄDIGT / BROKEN: %v\n", err)
				return &brokenError{err}
			}
			return verifyProgrammeReport(cmd, rep, verifier, args[0])
		},
	}
	verifyCmd.Flags().String("key", "", "öffentlicher Schlüssel der Siegel oder Datei / the seals' public verifier key or `FILE` (without it the signature is not checked)")
	verifyCmd.Flags().Bool("allow-unsealed", false, "Ereignisse nach dem Siegel nur über die Kette prüfen / accept events after the seal, checked by their chain only")
	cmd.AddCommand(verifyCmd)
	return cmd
}

func optionalVerifier(cmd *cobra.Command, needed bool) (note.Verifier, error) {
	key, _ := cmd.Flags().GetString("key")
	if !needed || key == "" {
		return nil, nil
	}
	v, err := loadVerifier(key)
	if err != nil {
		return nil, &usageError{err}
	}
	return v, nil
}

func writeProgrammeReport(cmd *cobra.Command, rep *report.ProgrammeReport, format string) error {
	return writeDocument(cmd, func(w io.Writer) error {
		if format == "json" {
			return rep.WriteJSON(w)
		}
		return rep.WriteHTML(w)
	})
}

// verifyProgrammeReport checks a programme report with report.VerifyProgramme and says the result:
// on stdout, or on stderr when the report itself went to stdout.
func verifyProgrammeReport(cmd *cobra.Command, rep *report.ProgrammeReport, verifier note.Verifier, name string) error {
	out := cmd.OutOrStdout()
	if cmd.Flags().Lookup("out") != nil {
		if o, _ := cmd.Flags().GetString("out"); o == "" {
			out = cmd.ErrOrStderr()
		}
	}
	v := report.VerifyProgramme(rep, verifier)
	allow, _ := cmd.Flags().GetBool("allow-unsealed")
	if v.Unsealed > 0 && !allow {
		v.Problems = append(v.Problems, fmt.Sprintf("%d of %d events are not covered by the seal: seal the log (civicflow audit seal) and fetch the report again, or pass --allow-unsealed", v.Unsealed, v.Events))
	}
	if len(v.Problems) > 0 {
		fmt.Fprintf(out, "BESCHÄDIGT / BROKEN: %s\n", name)
		for _, p := range v.Problems {
			fmt.Fprintf(out, "  - %s\n", p)
		}
		return &brokenError{fmt.Errorf("%s: %d problems: %s", name, len(v.Problems), strings.Join(v.Problems, "; "))}
	}
	key := v.Key
	if key == "" {
		key = "nicht geprüft / not checked"
	}
	fmt.Fprintf(out, "OK: %s — %d Ereignisse geprüft, %d im Siegel nachgewiesen (Schlüssel %s) / %d events verified, %d proven in the seal (key %s)\n",
		rep.Programme.Title, v.Events, v.Sealed, key, v.Events, v.Sealed, key)
	return nil
}
