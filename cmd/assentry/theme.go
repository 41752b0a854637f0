package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/assentry/assentry/themes"
	"github.com/assentry/assentry/themes/lint"
	"github.com/assentry/assentry/themes/preview"
	"github.com/spf13/cobra"
)

// newThemeCmd is `assentry theme`: the theme author's tools, which need neither a configuration nor a data
// directory (themes/README.md).
func newThemeCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "theme", Short: "Write, check and preview a theme directory (no server or data directory needed)"}
	cmd.AddCommand(newThemeExportCmd(), newThemeCheckCmd(), newThemeServeCmd())
	return cmd
}

func newThemeExportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "export DIR",
		Short: "Write the embedded default theme into DIR, as the starting point of a custom theme",
		Long: "Writes layout.html, the pages, the partials and static/ of the embedded default theme into DIR,\n" +
			"which is created if needed and must be empty. Delete the files you do not change: the server lays\n" +
			"the directory over the embedded theme file by file.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
				return usageError{dir + " is not empty: export writes into a new or empty directory"}
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			if err := os.CopyFS(dir, themes.DefaultFiles()); err != nil {
				return err
			}
			n := 0
			_ = fs.WalkDir(themes.DefaultFiles(), ".", func(_ string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					n++
				}
				return err
			})
			fmt.Fprintf(cmd.OutOrStdout(), "wrote the default theme (%d files) to %s\nnext: assentry theme serve --theme %s\n", n, dir, dir)
			return nil
		},
	}
}

func newThemeCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check DIR",
		Short: "Check a theme directory: template errors, lost form fields, CSP problems",
		Long: "Loads DIR as the server would (laid over the embedded default theme, every page rendered with its\n" +
			"sample data) and reports, each with its file and line: template errors, missing required templates,\n" +
			"forms that lost a field the server reads back, and markup the Content-Security-Policy would block\n" +
			"(inline <script> and <style>, style= and on*= attributes, javascript: URLs, resources from other\n" +
			"origins). Exit status 0 when there is nothing to report, 2 otherwise.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := lint.Check(args[0])
			if err != nil {
				return usageError{err.Error()}
			}
			out := cmd.OutOrStdout()
			for _, p := range res.Problems {
				fmt.Fprintln(out, p)
			}
			if n := len(res.Problems); n > 0 {
				return usageError{fmt.Sprintf("theme check: %s: %d problem%s", args[0], n, plural(n))}
			}
			fmt.Fprintf(out, "%s: ok (%d pages: %s)\n", args[0], len(res.Pages), strings.Join(res.Pages, ", "))
			return nil
		},
	}
}

func newThemeServeCmd() *cobra.Command {
	var dir, addr string
	cmd := &cobra.Command{
		Use:   "serve --theme DIR [--addr 127.0.0.1:8089]",
		Short: "Preview every page of a theme in every state, reloading the browser on change",
		Long: "Serves an index of every page of the theme in every state (login with an error, consent with many\n" +
			"scopes, ...) rendered with sample data and the server's Content-Security-Policy. The pages reload\n" +
			"in the browser when a file of DIR changes; a version that does not load is shown on the index, and\n" +
			"the pages keep the last version that did. Pages are in the language the server would choose among\n" +
			"the theme's catalogs: ?ui_locales=fr, else the browser's Accept-Language; the index links each one.\n" +
			"Listens on a loopback address only.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return usageError{"--theme is required (assentry theme export DIR writes a starting point)"}
			}
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return usageError{fmt.Sprintf("--theme %s: not a directory", dir)}
			}
			if err := loopbackOnly(addr); err != nil {
				return err
			}
			return serveThemePreview(cmd.Context(), cmd, dir, addr)
		},
	}
	cmd.Flags().StringVar(&dir, "theme", "", "the theme directory")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8089", "listen address: a loopback address and a port (0: any free port)")
	return cmd
}

// loopbackOnly refuses a listen address other than a loopback IP or localhost: the preview is a tool for the
// author's own browser, and nothing it serves is meant for anyone else.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Sprintf("--addr %s: %v", addr, err)}
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return nil
	}
	return usageError{fmt.Sprintf("--addr %s: the preview listens on a loopback address only (127.0.0.1, ::1 or localhost)", addr)}
}

// serveThemePreview runs the preview until the command's context ends (Ctrl-C).
func serveThemePreview(ctx context.Context, cmd *cobra.Command, dir, addr string) error {
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
	p := preview.New(dir)
	done, err := p.Watch(ctx, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(cmd.OutOrStdout(), "previewing %s on http://%s/ (Ctrl-C to stop)\n", dir, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	<-done
	return nil
}
