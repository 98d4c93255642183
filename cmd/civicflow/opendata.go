package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// newOpenDataCmd returns "civicflow opendata export".
func newOpenDataCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "opendata", Short: "Offene Daten / open data", Args: cobra.NoArgs}
	export := &cobra.Command{
		Use:   "export --tenant T",
		Short: "Offene Daten einer Kommune exportieren / export a tenant's open data (json, csv)",
		Long: `Holt die offenen Daten einer Kommune vom Server (GET /api/v1/opendata/{tenant}, ohne Token):
die zusammengefassten, nicht personenbezogenen Kennzahlen jedes Verfahrens, das eine Verwaltung
freigegeben hat ("civicflow process set-open-data ID --public"), mit DCAT-AP.de-Metadaten und der
Lizenz dl-de/by-2-0. json: wie geliefert, gültig gegen /api/opendata.schema.json; csv: eine Zeile je
Kennzahl. Eine unbekannte Kommune ist ein Fehler (Exit 1).

Fetches a tenant's open data from the server (GET /api/v1/opendata/{tenant}, no token): the
aggregate, non-personal figures of every process an administration marked public ("civicflow
process set-open-data ID --public"), with DCAT-AP.de metadata and the licence dl-de/by-2-0. json:
as served, valid against /api/opendata.schema.json; csv: one row per figure. An unknown tenant is
an error (exit 1).`,
		Example: `  civicflow opendata export --tenant leipzig
  civicflow opendata export --tenant leipzig --format csv --out leipzig.csv --server https://beteiligung.example`,
		Args: cobra.NoArgs,
		RunE: runOpenDataExport,
	}
	export.Flags().String("server", "", "Server-URL / server URL (Standard / default: client.server)")
	export.Flags().String("tenant", "", "die Kommune / the tenant (Pflicht / required)")
	export.Flags().String("format", "json", "json oder/or csv")
	export.Flags().String("out", "", "in diese Datei statt auf die Standardausgabe / write to `FILE` instead of standard output")
	cmd.AddCommand(export)
	return cmd
}

func runOpenDataExport(cmd *cobra.Command, _ []string) error {
	tenant, _ := cmd.Flags().GetString("tenant")
	format, _ := cmd.Flags().GetString("format")
	switch {
	case strings.TrimSpace(tenant) == "":
		return &usageError{errors.New("--tenant fehlt / is required")}
	case format != "json" && format != "csv":
		return &usageError{fmt.Errorf("--format %q: json oder/or csv", format)}
	}
	cfg, err := loadConfig(cmd, map[string]string{"server": "client.server"})
	if err != nil {
		return err
	}
	c := &client{base: strings.TrimRight(cfg.Client.Server, "/"), http: &http.Client{Timeout: cfg.Client.Timeout}}
	var raw json.RawMessage
	if _, err := c.do(cmd.Context(), "GET", "/api/v1/opendata/"+url.PathEscape(tenant)+"?format="+format, "", nil, nil, &raw); err != nil {
		return err
	}
	var w io.Writer = cmd.OutOrStdout()
	var f *os.File
	if out, _ := cmd.Flags().GetString("out"); out != "" {
		if f, err = os.Create(out); err != nil {
			return err
		}
		w = f
	}
	_, err = w.Write(raw)
	if f != nil {
		err = errors.Join(err, f.Close())
	}
	return err
}
