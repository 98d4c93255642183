package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/ops/storage"
	"github.com/civicflow/civicflow/workflows/tokens"
)

// newTokenCmd returns "civicflow token": bearer tokens, managed on the database directly.
func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Zugangstokens / access tokens",
		Long: `Zugangstokens direkt in der Datenbank verwalten (auch während der Server läuft).
Manage access tokens directly in the database (also while the server runs).`,
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().String("db", "", "Datenbankdatei / database file `PATH` (Standard / default: store.sqlite.path)")
	cmd.PersistentFlags().Bool("json", false, "Ausgabe als JSON / output as JSON")
	cmd.AddCommand(newTokenCreateCmd(), newTokenRevokeCmd(), newTokenListCmd())
	return cmd
}

// withTokens opens the store and runs fn with a token registry.
func withTokens(cmd *cobra.Command, fn func(ctx context.Context, reg *tokens.Registry) error) error {
	cfg, err := loadConfig(cmd, map[string]string{"db": "store.sqlite.path"})
	if err != nil {
		return err
	}
	st, err := openStorage(cmd, cfg, false, storage.EventStore)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(cmd.Context(), tokens.New(st.Log, time.Now))
}

func newTokenCreateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "create",
		Short:   "Token ausstellen (wird nur einmal angezeigt) / issue a token (shown once)",
		Example: "  civicflow token create --tenant leipzig --user anna --role lead\n  civicflow token create --tenant '*' --user root --role administrator",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tenant, _ := cmd.Flags().GetString("tenant")
			user, _ := cmd.Flags().GetString("user")
			role, _ := cmd.Flags().GetString("role")
			asJSON, _ := cmd.Flags().GetBool("json")
			return withTokens(cmd, func(ctx context.Context, reg *tokens.Registry) error {
				secret, tok, err := reg.Create(ctx, tenant, user, role)
				if err != nil {
					return &usageError{err}
				}
				if asJSON {
					return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]any{"token": secret, "id": tok.ID, "tenant": tok.Tenant, "user": tok.User, "role": tok.Role})
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s\n", secret)
				fmt.Fprintf(cmd.ErrOrStderr(), "Token %s für / for %s@%s (%s). Nur jetzt sichtbar / shown only now.\n", tok.ID, tok.User, tok.Tenant, tok.Role)
				return nil
			})
		},
	}
	cmd.Flags().String("tenant", "", "Mandant / tenant (\"*\": ganze Installation / whole installation)")
	cmd.Flags().String("user", "", "Nutzer:in / user")
	cmd.Flags().String("role", "", "Rolle / role: administrator, lead, member, auditor, viewer")
	for _, f := range []string{"tenant", "user", "role"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

func newTokenRevokeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "revoke ID",
		Short: "Token widerrufen / revoke a token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reason, _ := cmd.Flags().GetString("reason")
			return withTokens(cmd, func(ctx context.Context, reg *tokens.Registry) error {
				if err := reg.Revoke(ctx, args[0], reason); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "widerrufen / revoked: %s\n", args[0])
				return nil
			})
		},
	}
	cmd.Flags().String("reason", "", "Grund / reason")
	return cmd
}

func newTokenListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "Tokens auflisten (ohne Geheimnis) / list tokens (never the secret)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			asJSON, _ := cmd.Flags().GetBool("json")
			return withTokens(cmd, func(ctx context.Context, reg *tokens.Registry) error {
				list, err := reg.List(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return json.NewEncoder(cmd.OutOrStdout()).Encode(list)
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tMANDANT/TENANT\tNUTZER/USER\tROLLE/ROLE\tERSTELLT/CREATED\tSTATUS")
				for _, t := range list {
					status := "aktiv / active"
					if t.Revoked {
						status = "widerrufen / revoked " + t.RevokedAt.Format(time.DateOnly)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Tenant, t.User, t.Role, t.CreatedAt.Format(time.DateTime), status)
				}
				return tw.Flush()
			})
		},
	}
}
