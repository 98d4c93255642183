package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is the release of this binary, set at build time with
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/civicflow
//
// If it is left at "dev", the module version recorded by "go install
// …@version" is shown instead, when there is one.
var version = "dev"

// newVersionCmd returns "civicflow version".
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Version anzeigen / print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, _ := debug.ReadBuildInfo()
			_, err := fmt.Fprint(cmd.OutOrStdout(), versionText(version, info))
			return err
		},
	}
}

// versionText describes the build: the version, the Go toolchain and,
// when the build recorded them, the VCS revision, its time and whether the
// work tree had uncommitted changes. info may be nil.
func versionText(v string, info *debug.BuildInfo) string {
	if v == "dev" && info != nil && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	var b strings.Builder
	fmt.Fprintf(&b, "civicflow %s\n", v)
	fmt.Fprintf(&b, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if info == nil {
		return b.String()
	}
	vcs := map[string]string{}
	for _, s := range info.Settings {
		vcs[s.Key] = s.Value
	}
	if rev := vcs["vcs.revision"]; rev != "" {
		if vcs["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		fmt.Fprintf(&b, "revision: %s\n", rev)
	}
	if t := vcs["vcs.time"]; t != "" {
		fmt.Fprintf(&b, "time: %s\n", t)
	}
	return b.String()
}
