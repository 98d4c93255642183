package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/ops/httpapi"
)

func newTemplateCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "template", Short: "Verfahrensvorlagen (über die API) / process templates (through the API)", Args: cobra.NoArgs}
	clientFlags(cmd)
	publish := &cobra.Command{
		Use: "publish FILE", Short: "Vorlage (YAML/JSON) veröffentlichen / publish a template (YAML/JSON)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			body, err := os.ReadFile(args[0])
			if err != nil {
				return &usageError{err}
			}
			ct := "application/yaml"
			if strings.EqualFold(filepath.Ext(args[0]), ".json") {
				ct = "application/json"
			}
			var raw json.RawMessage
			if _, err := c.do(cmd.Context(), "POST", "/api/v1/templates", ct, body, nil, &raw); err != nil {
				return err
			}
			return printTemplate(cmd, raw)
		},
	}
	list := &cobra.Command{
		Use: "list", Short: "Vorlagen auflisten / list templates", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			var raw json.RawMessage
			if _, err := c.do(cmd.Context(), "GET", "/api/v1/templates", "", nil, nil, &raw); err != nil {
				return err
			}
			if asJSON(cmd) {
				return printJSON(cmd.OutOrStdout(), raw)
			}
			var page struct {
				Items []templateVersion `json:"items"`
			}
			if err := json.Unmarshal(raw, &page); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tVERSION\tEIGNER/OWNER\tPHASEN/STAGES\tSTATUS\tTITEL/TITLE")
			for _, t := range page.Items {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\n", t.Template.ID, t.Template.Version, ownerText(t.Owner), len(t.Template.Stages), retiredText(t.Retired), t.Template.Title.De)
			}
			return tw.Flush()
		},
	}
	show := &cobra.Command{
		Use: "show ID", Short: "Vorlage anzeigen / show a template", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			path := "/api/v1/templates/" + url.PathEscape(args[0])
			if v, _ := cmd.Flags().GetInt("version"); v > 0 {
				path += "/versions/" + strconv.Itoa(v)
			}
			var raw json.RawMessage
			if _, err := c.do(cmd.Context(), "GET", path, "", nil, nil, &raw); err != nil {
				return err
			}
			return printTemplate(cmd, raw)
		},
	}
	show.Flags().Int("version", 0, "Version (Standard: neueste / default: latest)")
	retire := &cobra.Command{
		Use: "retire ID VERSION", Short: "Version zurückziehen / retire a version", Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			reason, _ := cmd.Flags().GetString("reason")
			body, _ := json.Marshal(map[string]string{"reason": reason})
			var raw json.RawMessage
			if _, err := c.do(cmd.Context(), "POST", "/api/v1/templates/"+url.PathEscape(args[0])+"/versions/"+url.PathEscape(args[1])+"/retire", "application/json", body, nil, &raw); err != nil {
				return err
			}
			return printTemplate(cmd, raw)
		},
	}
	retire.Flags().String("reason", "", "Grund / reason")
	cmd.AddCommand(publish, list, show, retire, newTemplateDeriveCmd())
	return cmd
}

// newTemplateDeriveCmd is "template derive ID": a copy of an installation template for the
// administrator's tenant, with its provenance recorded.
func newTemplateDeriveCmd() *cobra.Command {
	derive := &cobra.Command{
		Use:   "derive ID",
		Short: "Installationsvorlage für den eigenen Mandanten übernehmen / derive a tenant template from an installation template",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			in := map[string]any{}
			if v, _ := cmd.Flags().GetInt("version"); v > 0 {
				in["version"] = v
			}
			if id, _ := cmd.Flags().GetString("id"); id != "" {
				in["id"] = id
			}
			body, _ := json.Marshal(in)
			var raw json.RawMessage
			if _, err := c.do(cmd.Context(), "POST", "/api/v1/templates/"+url.PathEscape(args[0])+"/derive", "application/json", body, nil, &raw); err != nil {
				return err
			}
			return printTemplate(cmd, raw)
		},
	}
	derive.Flags().Int("version", 0, "Version der Quelle (Standard: neueste) / the source's version (default: latest)")
	derive.Flags().String("id", "", "ID der Kopie im Mandanten (Standard: die der Quelle) / the copy's ID in the tenant (default: the source's)")
	return derive
}

type templateVersion struct {
	Template struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
		Title   struct {
			De, En string
		} `json:"title"`
		Stages []struct {
			Key   string `json:"key"`
			Title struct{ De, En string }
		} `json:"stages"`
	} `json:"template"`
	Hash        string `json:"hash"`
	Retired     bool   `json:"retired"`
	Owner       string `json:"owner"`
	DerivedFrom *struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
		Hash    string `json:"hash"`
	} `json:"derived_from"`
}

// ownerText names a template's owner: the installation ("*") or a tenant.
func ownerText(owner string) string {
	if owner == "*" {
		return "Installation"
	}
	return owner
}

func retiredText(r bool) string {
	if r {
		return "zurückgezogen / retired"
	}
	return "aktiv / active"
}

func asJSON(cmd *cobra.Command) bool { v, _ := cmd.Flags().GetBool("json"); return v }

func printTemplate(cmd *cobra.Command, raw []byte) error {
	if asJSON(cmd) {
		return printJSON(cmd.OutOrStdout(), raw)
	}
	var t templateVersion
	if err := json.Unmarshal(raw, &t); err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%s v%d – %s / %s (%s)\n", t.Template.ID, t.Template.Version, t.Template.Title.De, t.Template.Title.En, retiredText(t.Retired))
	for i, s := range t.Template.Stages {
		fmt.Fprintf(w, "  %d. %-16s %s / %s\n", i+1, s.Key, s.Title.De, s.Title.En)
	}
	fmt.Fprintf(w, "  hash %s\n", t.Hash)
	fmt.Fprintf(w, "  Eigner/owner %s\n", ownerText(t.Owner))
	if d := t.DerivedFrom; d != nil {
		fmt.Fprintf(w, "  abgeleitet von / derived from %s v%d (hash %s)\n", d.ID, d.Version, d.Hash)
	}
	return nil
}

func newProcessCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "process", Short: "Verfahren (über die API) / processes (through the API)", Args: cobra.NoArgs}
	clientFlags(cmd)
	open := &cobra.Command{
		Use: "open", Short: "Verfahren eröffnen / open a process", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			body := map[string]any{}
			for _, f := range []string{"template", "title", "lead", "programme"} {
				if v, _ := cmd.Flags().GetString(f); v != "" {
					body[f] = v
				}
			}
			if v, _ := cmd.Flags().GetInt("template-version"); v > 0 {
				body["template_version"] = v
			}
			return runCommand(cmd, "POST", "/api/v1/processes", body)
		},
	}
	for _, f := range []string{"template", "title", "lead", "programme"} {
		open.Flags().String(f, "", f)
	}
	open.Flags().Int("template-version", 0, "template version (default: latest)")
	open.Flags().String("idempotency-key", "", "Befehls-ID / command ID (Standard: eine neue UUIDv7 / default: a new UUIDv7)")
	list := &cobra.Command{
		Use: "list", Short: "Verfahren auflisten / list processes", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			q := url.Values{}
			for _, f := range []string{"tenant", "template", "stage", "status", "programme", "cursor", "limit"} {
				if v, _ := cmd.Flags().GetString(f); v != "" {
					q.Set(f, v)
				}
			}
			var raw json.RawMessage
			if _, err := c.do(cmd.Context(), "GET", "/api/v1/processes?"+q.Encode(), "", nil, nil, &raw); err != nil {
				return err
			}
			if asJSON(cmd) {
				return printJSON(cmd.OutOrStdout(), raw)
			}
			var page struct {
				Items []struct {
					ID, Tenant, Title, Template, Stage, Status string
					Version                                    int64
				} `json:"items"`
				Next string `json:"next"`
			}
			if err := json.Unmarshal(raw, &page); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tMANDANT/TENANT\tPHASE/STAGE\tSTATUS\tV\tTITEL/TITLE")
			for _, p := range page.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", oneLine(p.ID), oneLine(p.Tenant), oneLine(p.Stage), oneLine(p.Status), p.Version, oneLine(p.Title))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Next != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "weiter / more: --cursor %s\n", page.Next)
			}
			return nil
		},
	}
	for _, f := range []string{"tenant", "template", "stage", "status", "programme", "cursor", "limit"} {
		list.Flags().String(f, "", "filter: "+f)
	}
	show := &cobra.Command{
		Use: "show ID", Short: "Verfahren anzeigen / show a process", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			q := url.Values{}
			for _, f := range []string{"at", "version"} {
				if v, _ := cmd.Flags().GetString(f); v != "" {
					q.Set(f, v)
				}
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
	show.Flags().String("at", "", "Zustand zu diesem Zeitpunkt (RFC 3339) / state at this instant")
	show.Flags().String("version", "", "Zustand bei dieser Version / state at this version")
	history := &cobra.Command{
		Use: "history ID", Short: "Verlauf / history", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			q := url.Values{}
			for _, f := range []string{"from", "limit"} {
				if v, _ := cmd.Flags().GetString(f); v != "" {
					q.Set(f, v)
				}
			}
			var raw json.RawMessage
			if _, err := c.do(cmd.Context(), "GET", "/api/v1/processes/"+url.PathEscape(args[0])+"/history?"+q.Encode(), "", nil, nil, &raw); err != nil {
				return err
			}
			if asJSON(cmd) {
				return printJSON(cmd.OutOrStdout(), raw)
			}
			var page struct {
				Items []struct {
					Version    int64
					Type       string
					RecordedAt time.Time `json:"recorded_at"`
					Actor      string
				}
				Next *int64
			}
			if err := json.Unmarshal(raw, &page); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "V\tZEIT/TIME\tWER/WHO\tEREIGNIS/EVENT")
			for _, e := range page.Items {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", e.Version, e.RecordedAt.Local().Format(time.DateTime), e.Actor, e.Type)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if page.Next != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "weiter / more: --from %d\n", *page.Next)
			}
			return nil
		},
	}
	history.Flags().String("from", "", "ab Version / from version")
	history.Flags().String("limit", "", "höchstens / at most")
	cmd.AddCommand(open, list, show, history)
	for _, name := range httpapi.Commands() {
		cmd.AddCommand(newLifecycleCmd(name))
	}
	return cmd
}

// newLifecycleCmd builds "civicflow process <command> ID" with one flag per field of the command.
func newLifecycleCmd(name string) *cobra.Command {
	proto, _ := httpapi.NewCommand(name)
	help, _ := httpapi.CommandHelp(name)
	t := reflect.TypeOf(proto).Elem()
	cmd := &cobra.Command{
		Use:     strings.ReplaceAll(name, "_", "-") + " ID",
		Short:   help.Summary,
		Long:    lifecycleHelp(help),
		Example: lifecycleExample(help),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body := map[string]any{}
			for i := range t.NumField() {
				f := t.Field(i)
				key := strings.Split(f.Tag.Get("json"), ",")[0]
				flag := strings.ReplaceAll(key, "_", "-")
				if !cmd.Flags().Changed(flag) {
					continue
				}
				v, err := flagValue(cmd, flag, f.Type)
				if err != nil {
					return &usageError{err}
				}
				body[key] = v
			}
			return runCommand(cmd, "POST", "/api/v1/processes/"+url.PathEscape(args[0])+"/"+name, body)
		},
	}
	for i := range t.NumField() {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("json"), ",")[0]
		flag := strings.ReplaceAll(key, "_", "-")
		usage := help.Fields[i].Description
		if help.Fields[i].Required {
			usage += " (Pflicht / required)"
		}
		switch f.Type.Kind() {
		case reflect.Int:
			cmd.Flags().Int(flag, 0, usage)
		case reflect.Bool:
			cmd.Flags().Bool(flag, false, usage)
		case reflect.Float64:
			cmd.Flags().Float64(flag, 0, usage)
		case reflect.Slice:
			cmd.Flags().StringSlice(flag, nil, usage+" (a,b,…)")
		case reflect.Map:
			if f.Type.Elem().Kind() == reflect.Int {
				cmd.Flags().StringToInt(flag, nil, usage+" (frage=4,… / question=4,…)")
				continue
			}
			cmd.Flags().StringToString(flag, nil, usage+" (alt=neu,… / old=new,…)")
		case reflect.Pointer:
			if f.Type.Elem().Kind() == reflect.Bool {
				cmd.Flags().Bool(flag, false, usage+" (--"+flag+" oder / or --"+flag+"=false)")
				continue
			}
			cmd.Flags().String(flag, "", usage+" (JSON, z. B. / e.g. {\"yes\":12,\"no\":3,\"abstain\":1})")
		default:
			cmd.Flags().String(flag, "", usage)
		}
	}
	cmd.Flags().String("if-match", "", "erwartete Version / expected version")
	cmd.Flags().String("idempotency-key", "", "Befehls-ID / command ID (Standard: eine neue UUIDv7 / default: a new UUIDv7)")
	return cmd
}

func flagValue(cmd *cobra.Command, flag string, t reflect.Type) (any, error) {
	switch t.Kind() {
	case reflect.Int:
		return cmd.Flags().GetInt(flag)
	case reflect.Bool:
		return cmd.Flags().GetBool(flag)
	case reflect.Float64:
		return cmd.Flags().GetFloat64(flag)
	case reflect.Slice:
		return cmd.Flags().GetStringSlice(flag)
	case reflect.Map:
		if t.Elem().Kind() == reflect.Int {
			return cmd.Flags().GetStringToInt(flag)
		}
		return cmd.Flags().GetStringToString(flag)
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Bool {
			return cmd.Flags().GetBool(flag)
		}
		s, _ := cmd.Flags().GetString(flag)
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("--%s: kein JSON / not JSON: %w", flag, err)
		}
		return v, nil
	}
	return cmd.Flags().GetString(flag)
}

// runCommand sends a command and prints the result.
func runCommand(cmd *cobra.Command, method, path string, body map[string]any) error {
	c, err := newClient(cmd)
	if err != nil {
		return err
	}
	data, _ := json.Marshal(body)
	headers := map[string]string{}
	if v, _ := cmd.Flags().GetString("if-match"); v != "" {
		headers["If-Match"] = `"` + strings.Trim(v, `"`) + `"`
	}
	// Without a key of the caller's, a UUIDv7: the server derives the events' IDs from it, so
	// commands sent close in time lie close together in the store's event-ID index.
	key, _ := cmd.Flags().GetString("idempotency-key")
	if key == "" {
		key = uuid.Must(uuid.NewV7()).String()
	}
	headers["Idempotency-Key"] = key
	var raw json.RawMessage
	if _, err := c.do(cmd.Context(), method, path, "application/json", data, headers, &raw); err != nil {
		var refused *refusedError
		var answered *apiProblem
		if errors.As(err, &refused) || (errors.As(err, &answered) && answered.Status < 500) {
			return err // the server answered: nothing was done
		}
		// Unreachable, or a server error: the command may have been done. Sent again with the
		// same key, it is done once.
		return fmt.Errorf("%w (erneut senden mit / send again with --idempotency-key %s)", err, key)
	}
	if asJSON(cmd) {
		return printJSON(cmd.OutOrStdout(), raw)
	}
	var res struct {
		Process   string `json:"process"`
		Version   int64  `json:"version"`
		Duplicate bool   `json:"duplicate"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return err
	}
	dup := ""
	if res.Duplicate {
		dup = " (bereits ausgeführt / already done)"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "OK %s version %d%s\n", res.Process, res.Version, dup)
	return nil
}

func printProcess(cmd *cobra.Command, raw []byte) error {
	var p struct {
		ID, Tenant, Title, Lead, Programme, Status, Stage string
		Template                                          struct {
			ID      string
			Version int
		}
		StageTitle     struct{ De, En string } `json:"stage_title"`
		StageEnteredAt time.Time               `json:"stage_entered_at"`
		Version        int64
		Tasks          []struct {
			Key      string
			Title    struct{ De string }
			Required bool
			Done     bool
			Evidence string
		}
		Approvals []struct {
			Key     string
			Title   struct{ De string }
			Granted bool
			By      string
		}
		Participants  []json.RawMessage
		Sessions      []json.RawMessage
		Contributions int
		Decisions     []json.RawMessage
		Results       []json.RawMessage
		Measures      []struct {
			Title    string
			Progress int
			Status   string
		}
		AsOf *time.Time `json:"as_of"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%s\n  %s · %s · Vorlage/template %s v%d · Version %d\n", p.Title, p.ID, p.Tenant, p.Template.ID, p.Template.Version, p.Version)
	if p.AsOf != nil {
		fmt.Fprintf(w, "  Stand / as of %s\n", p.AsOf.Local().Format(time.DateTime))
	}
	fmt.Fprintf(w, "  Status %s · Phase/stage %s (%s / %s) seit/since %s · Leitung/lead %s\n", p.Status, p.Stage, p.StageTitle.De, p.StageTitle.En, p.StageEnteredAt.Local().Format(time.DateOnly), p.Lead)
	for _, t := range p.Tasks {
		mark := "[ ]"
		if t.Done {
			mark = "[x]"
		}
		req := ""
		if t.Required {
			req = " *"
		}
		fmt.Fprintf(w, "  %s %s%s  %s\n", mark, t.Title.De, req, t.Evidence)
	}
	for _, a := range p.Approvals {
		state := "offen / open"
		if a.Granted {
			state = "erteilt von / granted by " + a.By
		}
		fmt.Fprintf(w, "  Freigabe/approval %s: %s\n", a.Title.De, state)
	}
	fmt.Fprintf(w, "  %d Beteiligte/participants · %d Veranstaltungen/sessions · %d Beiträge/contributions · %d Entscheidungen/decisions · %d Ergebnisse/results\n",
		len(p.Participants), len(p.Sessions), p.Contributions, len(p.Decisions), len(p.Results))
	for _, m := range p.Measures {
		fmt.Fprintf(w, "  Maßnahme/measure %s: %d %% (%s)\n", m.Title, m.Progress, m.Status)
	}
	return nil
}
