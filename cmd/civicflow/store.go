package main

import "github.com/spf13/cobra"

// newStoreCmd returns "civicflow store", the parent of the commands that
// work on the event store.
func newStoreCmd() *cobra.Command {
	store := &cobra.Command{
		Use:   "store",
		Short: "Ereignisspeicher / event store",
		Long: `Befehle für den Ereignisspeicher.
Commands that work on the event store.`,
		Args: cobra.NoArgs,
	}
	store.AddCommand(newStoreVerifyCmd(), newStoreCopyCmd())
	return store
}
