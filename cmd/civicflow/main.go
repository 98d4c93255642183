// Command civicflow runs citizen participation processes
// (Beteiligungsverfahren) as event-sourced workflows. It is the composition
// root: it turns flags and configuration into wired components and runs
// them.
//
// Usage:
//
//	civicflow [--config PATH] <command> [flags]
//
// Run "civicflow --help" for the commands, the configuration sources and the
// exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, documented in the root command's help.
const (
	exitOK      = 0 // success
	exitFailure = 1 // the command ran and failed
	exitUsage   = 2 // bad command line or configuration; nothing ran
	exitBroken  = 3 // a verification found damaged or changed data
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the civicflow command line args in the environment environ
// (KEY=VALUE strings) and returns the exit code.
func run(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	return execute(ctx, newRootCmd(), args, environ, stdout, stderr)
}

// execute runs root with args and returns the exit code. Errors are printed
// to stderr, each line prefixed with "civicflow: ". An error is a usage
// error (exit 2) if it is a [usageError] or if cobra returned it before
// any command started to run: an unknown command or flag, a bad argument.
func execute(ctx context.Context, root *cobra.Command, args, environ []string, stdout, stderr io.Writer) int {
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	started := false
	markStart(root, &started)
	cmd, err := root.ExecuteContextC(withEnviron(ctx, environ))
	if err == nil {
		return exitOK
	}
	safeErr := terminalSafe(stderr) // an error may quote a server's problem detail
	for line := range strings.Lines(strings.TrimRight(err.Error(), "\n") + "\n") {
		fmt.Fprintf(safeErr, "civicflow: %s", line)
	}
	var uerr *usageError
	var broken *brokenError
	var refused *refusedError
	switch {
	case !started:
		if cmd == nil {
			cmd = root
		}
		fmt.Fprintf(stderr, "Hilfe / help: %s --help\n", cmd.CommandPath())
		return exitUsage
	case errors.As(err, &uerr):
		return exitUsage
	case errors.As(err, &broken):
		return exitBroken
	case errors.As(err, &refused):
		return exitRefused
	default:
		return exitFailure
	}
}

// markStart makes cmd and its subcommands set *started when their Run or
// RunE begins, so that execute can tell a usage error found by cobra from a
// failure of the command itself.
func markStart(cmd *cobra.Command, started *bool) {
	if runE := cmd.RunE; runE != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			*started = true
			return runE(c, args)
		}
	} else if run := cmd.Run; run != nil {
		cmd.Run = func(c *cobra.Command, args []string) {
			*started = true
			run(c, args)
		}
	}
	for _, sub := range cmd.Commands() {
		markStart(sub, started)
	}
}

// brokenError marks an error as a verification's finding: the data is damaged or was changed.
// civicflow exits with code 3 for it.
type brokenError struct{ err error }

// Error returns the message of the marked error.
func (e *brokenError) Error() string { return e.err.Error() }

// Unwrap returns the marked error.
func (e *brokenError) Unwrap() error { return e.err }

// usageError marks an error as the caller's: a bad command line or
// configuration. civicflow exits with code 2 for it.
type usageError struct{ err error }

// Error returns the message of the marked error.
func (e *usageError) Error() string { return e.err.Error() }

// Unwrap returns the marked error.
func (e *usageError) Unwrap() error { return e.err }
