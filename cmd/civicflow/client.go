package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/config"
)

// exitRefused is the exit code of a command the server refused by a rule (HTTP 409, 412, 422):
// e.g. a gate not met. Other failures exit 1.
const exitRefused = 4

// refusedError marks a refusal by the server.
type refusedError struct{ err error }

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// client talks to a civicflow server.
type client struct {
	base, token string
	http        *http.Client
}

// clientFlags adds --server, --token and --json to a client command.
func clientFlags(cmd *cobra.Command) {
	cmd.PersistentFlags().String("server", "", "Server-URL / server URL (Standard / default: client.server)")
	cmd.PersistentFlags().String("token", "", "Bearer-Token (Standard / default: client.token, CIVICFLOW_CLIENT_TOKEN)")
	cmd.PersistentFlags().Bool("json", false, "Ausgabe als JSON für Skripte / JSON output for scripts")
}

// newClient returns the client of a client command, whose output it makes terminal-safe.
func newClient(cmd *cobra.Command) (*client, error) {
	cmd.SetOut(terminalSafe(cmd.OutOrStdout()))
	cfg, err := loadConfig(cmd, map[string]string{"server": "client.server", "token": "client.token"})
	if err != nil {
		return nil, err
	}
	return clientFrom(cfg)
}

func clientFrom(cfg config.Config) (*client, error) {
	if cfg.Client.Token == "" {
		return nil, &usageError{errors.New("kein Token: --token oder CIVICFLOW_CLIENT_TOKEN setzen / no token: set --token or CIVICFLOW_CLIENT_TOKEN")}
	}
	return &client{base: strings.TrimRight(cfg.Client.Server, "/"), token: cfg.Client.Token, http: &http.Client{Timeout: cfg.Client.Timeout}}, nil
}

// apiProblem is a problem detail returned by the server.
type apiProblem struct {
	Status         int      `json:"status"`
	Code           string   `json:"code"`
	Detail         string   `json:"detail"`
	Field          string   `json:"field"`
	Rule           string   `json:"rule"`
	Reasons        []string `json:"reasons"`
	CurrentVersion *int64   `json:"current_version"`
}

func (p *apiProblem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", p.Status, p.Code)
	if p.Field != "" {
		fmt.Fprintf(&b, " (%s)", p.Field)
	}
	if p.Detail != "" {
		fmt.Fprintf(&b, ": %s", p.Detail)
	}
	for _, r := range p.Reasons {
		fmt.Fprintf(&b, "\n  - %s", r)
	}
	return b.String()
}

// do sends a request and decodes a JSON answer into out (nil: discard).
func (c *client) do(ctx context.Context, method, path, contentType string, body []byte, headers map[string]string, out any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if c.token != "" { // the open-data export needs none
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("server nicht erreichbar / server unreachable: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		p := &apiProblem{Status: resp.StatusCode}
		if json.Unmarshal(data, p) != nil || p.Code == "" {
			p.Code, p.Detail = http.StatusText(resp.StatusCode), strings.TrimSpace(string(data))
		}
		switch resp.StatusCode {
		case http.StatusConflict, http.StatusPreconditionFailed, http.StatusUnprocessableEntity:
			return resp.Header, &refusedError{p}
		}
		return resp.Header, p
	}
	if out != nil {
		if raw, ok := out.(*json.RawMessage); ok {
			*raw = data
			return resp.Header, nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return resp.Header, fmt.Errorf("unerwartete Antwort / unexpected answer: %w", err)
		}
	}
	return resp.Header, nil
}

// printJSON writes raw JSON indented.
func printJSON(w io.Writer, raw []byte) error {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		_, err = w.Write(raw)
		return err
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}
