package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise the module version is used.
var version = ""

// build describes this binary: what `assentry version` prints, what backups name in their header, and what a
// build-info metric can carry as labels.
type build struct {
	Version   string // -X main.version, else the module version (go install ...@v1.2.3), else "devel"
	Revision  string // the VCS commit, with "-dirty" when the tree had uncommitted changes; "" when unknown
	Time      string // the commit's date (RFC 3339); "" when unknown
	GoVersion string
	Platform  string // GOOS/GOARCH
	Deps      []*debug.Module
}

// buildInfo reads the build information the Go toolchain embeds (debug.ReadBuildInfo): `go build` in a git
// checkout records the commit, its time and whether the tree was modified.
func buildInfo() build {
	b := build{Version: version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		if b.Version == "" {
			b.Version = "devel"
		}
		return b
	}
	if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	b.GoVersion = bi.GoVersion
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && b.Revision != "" {
		b.Revision += "-dirty"
	}
	b.Deps = bi.Deps
	return b
}

// versionString is the version alone.
func versionString() string { return buildInfo().Version }

// print writes the build, and with verbose every dependency module with its version (and its replacement).
func (b build) print(w io.Writer, verbose bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "assentry %s\n", b.Version)
	fmt.Fprintf(tw, "commit:\t%s\n", orUnknown(b.Revision))
	fmt.Fprintf(tw, "date:\t%s\n", orUnknown(b.Time))
	fmt.Fprintf(tw, "go:\t%s\n", b.GoVersion)
	fmt.Fprintf(tw, "platform:\t%s\n", b.Platform)
	if verbose {
		fmt.Fprintf(tw, "dependencies:\t%d\n", len(b.Deps))
		for _, d := range b.Deps {
			v := d.Version
			if d.Replace != nil {
				v += " => " + d.Replace.Path + " " + d.Replace.Version
			}
			fmt.Fprintf(tw, "  %s\t%s\n", d.Path, v)
		}
	}
	return tw.Flush()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func newVersionCmd() *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, commit date, Go version and platform (--verbose: every dependency too)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return buildInfo().print(cmd.OutOrStdout(), verbose)
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also list every dependency module with its version")
	return cmd
}
