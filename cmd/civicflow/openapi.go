package main

import (
	"github.com/spf13/cobra"

	"github.com/civicflow/civicflow/ops/httpapi"
)

// newOpenAPICmd returns "civicflow openapi": the served OpenAPI description on standard output,
// for linters and client generators that do not start a server.
func newOpenAPICmd() *cobra.Command {
	return &cobra.Command{
		Use:   "openapi",
		Short: "OpenAPI-Beschreibung ausgeben / print the OpenAPI description",
		Long: `Gibt die OpenAPI-3.1-Beschreibung aus, die der Server unter /api/openapi.json ausliefert.
Prints the OpenAPI 3.1 description the server serves at /api/openapi.json.

Beispiel / example:
  civicflow openapi > civicflow-openapi.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(append(httpapi.OpenAPI(), '\n'))
			return err
		},
	}
}
