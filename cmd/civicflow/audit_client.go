package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

// newAuditStateCmd returns "civicflow audit state PROCESS --at … | --version N": the state of a
// process at an instant or version, through the API.
func newAuditStateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state PROCESS",
		Short: "Zustand eines Verfahrens zu einem Zeitpunkt / a process's state at an instant or version",
		Long: `Zeigt den Zustand zu einem Zeitpunkt (--at, RFC 3339) oder einer Version (--version),
mit der damals geltenden Vorlagenversion und den Freigaben.
Shows the state at an instant (--at, RFC 3339) or a version (--version), with the template
version and the approvals in force then.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			at, _ := cmd.Flags().GetString("at")
			version, _ := cmd.Flags().GetInt("version")
			switch {
			case at != "" && version > 0:
				return &usageError{fmt.Errorf("--at oder --version, nicht beide / --at or --version, not both")}
			case at != "":
				if _, err := time.Parse(time.RFC3339Nano, at); err != nil {
					return &usageError{fmt.Errorf("--at %q: erwartet RFC 3339 / expected RFC 3339, e.g. 2025-03-01T12:00:00+01:00", at)}
				}
				q.Set("at", at)
			case version > 0:
				q.Set("version", strconv.Itoa(version))
			default:
				return &usageError{fmt.Errorf("--at oder --version fehlt / --at or --version is required")}
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			var raw json.RawMessage
			if _, err := c.do(cmd.Context(), "GET", "/api/v1/processes/"+url.PathEscape(args[0])+"?"+q.Encode(), "", nil, nil, &raw); err != nil {
				return err
			}
			if asJSON(cmd) {
				return printJSON(cmd.OutOrStdout(), raw)
			}
			return printProcess(cmd, raw)
		},
	}
	clientFlags(cmd)
	cmd.Flags().String("at", "", "Zeitpunkt (RFC 3339) / instant, e.g. 2025-03-01T12:00:00+01:00")
	cmd.Flags().Int("version", 0, "Version des Verfahrens / process version")
	return cmd
}

// auditEntry is one event of a process's history as the API returns it.
type auditEntry struct {
	Version       int64          `json:"version"`
	Position      string         `json:"position"`
	Type          string         `json:"type"`
	SchemaVersion int            `json:"schema_version"`
	RecordedAt    time.Time      `json:"recorded_at"`
	Actor         string         `json:"actor,omitempty"`
	CommandID     string         `json:"command_id,omitempty"`
	Data          map[string]any `json:"data"`
	Hash          string         `json:"hash"`
}

// newAuditHistoryCmd returns "civicflow audit history PROCESS": every matching event, read
// page by page, as text, JSON or CSV.
func newAuditHistoryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history PROCESS",
		Short: "Verlauf eines Verfahrens, gefiltert und exportierbar / a process's history, filtered, exportable",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, _ := cmd.Flags().GetString("format")
			if asJSON(cmd) {
				format = "json"
			}
			if format != "text" && format != "json" && format != "csv" {
				return &usageError{fmt.Errorf("--format %q: text, json oder/or csv", format)}
			}
			q := url.Values{}
			for _, f := range []string{"actor", "from-time", "to-time"} {
				if v, _ := cmd.Flags().GetString(f); v != "" {
					q.Set(strings.ReplaceAll(f, "-", "_"), v)
				}
			}
			types, _ := cmd.Flags().GetStringArray("type")
			for _, t := range types {
				q.Add("type", t)
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			var all []auditEntry
			for from := int64(1); from > 0; {
				q.Set("from", strconv.FormatInt(from, 10))
				q.Set("limit", "1000")
				var page struct {
					Items []auditEntry `json:"items"`
					Next  int64        `json:"next"`
				}
				if _, err := c.do(cmd.Context(), "GET", "/api/v1/processes/"+url.PathEscape(args[0])+"/history?"+q.Encode(), "", nil, nil, &page); err != nil {
					return err
				}
				all, from = append(all, page.Items...), page.Next
			}
			return writeAudit(cmd.OutOrStdout(), format, all)
		},
	}
	clientFlags(cmd)
	cmd.Flags().String("actor", "", "nur Ereignisse dieses Benutzers / only events by this user")
	cmd.Flags().StringArray("type", nil, "nur dieser Ereignistyp (wiederholbar, oder mit Komma) / only this event type (repeatable, or comma-separated)")
	cmd.Flags().String("from-time", "", "ab (RFC 3339) / from this instant")
	cmd.Flags().String("to-time", "", "bis (RFC 3339) / up to this instant")
	cmd.Flags().String("format", "text", "text, json oder/or csv")
	return cmd
}

func writeAudit(w io.Writer, format string, entries []auditEntry) error {
	switch format {
	case "json":
		if entries == nil {
			entries = []auditEntry{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"version", "recorded_at", "actor", "type", "schema_version", "command_id", "position", "hash", "data"})
		for _, e := range entries {
			data, err := json.Marshal(e.Data)
			if err != nil {
				return err
			}
			_ = cw.Write([]string{strconv.FormatInt(e.Version, 10), e.RecordedAt.Format(time.RFC3339Nano), e.Actor, e.Type,
				strconv.Itoa(e.SchemaVersion), e.CommandID, e.Position, e.Hash, string(data)})
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "V\tWANN/WHEN\tWER/WHO\tWAS/WHAT")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", e.Version, e.RecordedAt.Local().Format(time.DateTime), e.Actor, what(e))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d Ereignisse / events\n", len(entries))
	return err
}

// what describes an event in one line: its type and its plain fields (sealed personal data, which
// is a JSON object, is left out).
func what(e auditEntry) string {
	keys := make([]string, 0, len(e.Data))
	for k, v := range e.Data {
		switch v.(type) {
		case string, float64, bool:
			if v != "" {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Type)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, e.Data[k])
	}
	return b.String()
}
