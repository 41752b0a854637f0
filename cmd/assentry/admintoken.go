package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/assentry/assentry/core/admin"
	"github.com/spf13/cobra"
)

func newAdminTokenCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "admin-token", Short: "Manage the admin API's bearer tokens (works with or without a running server)"}
	var a admin.AdminTokenArgs
	var asJSON bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an admin API token and print it, this once (only its SHA-256 is stored)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var c admin.AdminTokenCreated
			if err := g.run(cmd.Context(), admin.OpAdminTokenCreate, a, &c); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), c)
			}
			_, err := fmt.Fprintln(cmd.OutOrStdout(), c.Token)
			return err
		},
	}
	f := create.Flags()
	f.StringVar(&a.Name, "name", "", "the token's name, unique (how it is listed and revoked)")
	f.StringVar(&a.Scope, "scope", "", "read (every GET) or write (everything)")
	f.StringVar(&a.Expires, "expires", "", "lifetime: days (90d) or a duration (12h); default: never expires")
	f.BoolVar(&asJSON, "json", false, "print JSON (the token and its record)")

	var listJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the admin API tokens (never their values)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ts []admin.AdminTokenView
			if err := g.run(cmd.Context(), admin.OpAdminTokenList, struct{}{}, &ts); err != nil {
				return err
			}
			if listJSON {
				return printJSON(cmd.OutOrStdout(), ts)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tSCOPE\tCREATED\tEXPIRES\tLAST USED")
			for _, t := range ts {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.Scope, stamp(t.CreatedAt), stamp(t.ExpiresAt), stamp(t.LastUsedAt))
			}
			return w.Flush()
		},
	}
	list.Flags().BoolVar(&listJSON, "json", false, "print JSON")

	revoke := &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke an admin API token: it is refused from now on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.run(cmd.Context(), admin.OpAdminTokenRevoke, admin.AdminTokenArgs{Name: args[0]}, nil); err != nil {
				return err
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "admin token %s revoked\n", args[0])
			return err
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
