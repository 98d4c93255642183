package main

import (
	"github.com/spf13/cobra"
)

// newRootCmd returns the civicflow command with all its subcommands.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "civicflow",
		Short: "civicflow – Beteiligungsverfahren als Ereignisse / citizen participation as events",
		Long: `civicflow führt Beteiligungsverfahren als ereignisbasierte Workflows:
jede Änderung wird als Ereignis gespeichert.
civicflow runs citizen participation processes as event-sourced workflows:
every change is recorded as an event.

Konfiguration / configuration:
  Vorrang / precedence: Flags > Umgebung / environment (CIVICFLOW_…)
  > Datei / file > Standardwerte / defaults.
  Datei / file: --config PATH, sonst / else $CIVICFLOW_CONFIG,
  sonst / else ./civicflow.yaml, falls vorhanden / if it exists.
  civicflow.example.yaml beschreibt alle Schlüssel / describes every key.
  Unbekannte Schlüssel und CIVICFLOW_-Variablen sind Fehler.
  Unknown keys and CIVICFLOW_ variables are errors.

Exit-Codes / exit codes:
  0  Erfolg / success
  1  Fehler bei der Ausführung / the command failed
  2  Fehler im Aufruf oder in der Konfiguration / usage or configuration error
  3  Prüfung fehlgeschlagen: Daten beschädigt oder verändert /
     verification failed: the data is damaged or was changed
  4  vom Server abgelehnt (Regel, z. B. Phasentor nicht erfüllt; Version veraltet) /
     refused by the server (a rule, e.g. a gate not met; a stale version)`,
		SilenceUsage:  true,
		SilenceErrors: true, // execute prints them
	}
	root.PersistentFlags().String(configFlag, "",
		"Konfigurationsdatei / configuration file `PATH` (YAML; Standard / default: $CIVICFLOW_CONFIG, ./civicflow.yaml)")
	root.AddCommand(
		newVersionCmd(),
		newOpenAPICmd(),
		newStoreCmd(),
		newServeCmd(),
		newTokenCmd(),
		newTemplateCmd(),
		newProcessCmd(),
		newProgrammeCmd(),
		newProjectionsCmd(),
		newAuditCmd(),
		newOpenDataCmd(),
		newBackupCmd(),
		newRestoreCmd(),
	)
	return root
}
