package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/assentry/assentry/core/admin"
	"github.com/spf13/cobra"
)

func newGrantCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "grant", Short: "List and revoke users' grants, the owners of token chains (works with or without a running server)"}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list USERNAME",
		Short: "List a user's live grants, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var gs []admin.GrantView
			if err := g.run(cmd.Context(), admin.OpGrantList, admin.GrantArgs{Username: args[0]}, &gs); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), gs)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "GRANT\tCLIENT\tSCOPES\tCREATED\tEXPIRES")
			for _, x := range gs {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", x.ID, x.ClientID, strings.Join(x.Scopes, " "), stamp(x.CreatedAt), stamp(x.ExpiresAt))
			}
			return w.Flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	var user string
	revoke := &cobra.Command{
		Use:   "revoke [GRANT_ID]",
		Short: "Revoke a grant (every token of its chain at once), or with --user every grant of a user",
		Long: "Revoke a grant (every token of its chain at once), or with --user every grant of a user.\n\n" +
			"Grant ids are hex; an id written by a development build that begins with \"-\" goes after \"--\": grant revoke -- -JFA...",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case user != "" && len(args) == 0:
				var n admin.GrantsRevoked
				if err := g.run(cmd.Context(), admin.OpGrantRevokeUser, admin.GrantArgs{Username: user}, &n); err != nil {
					return err
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "revoked %d grants of %s\n", n.GrantsRevoked, user)
				return err
			case user == "" && len(args) == 1:
				if err := g.run(cmd.Context(), admin.OpGrantRevoke, admin.GrantArgs{GrantID: args[0]}, nil); err != nil {
					return err
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "grant %s revoked\n", args[0])
				return err
			}
			return usageError{"give either a GRANT_ID or --user USERNAME"}
		},
	}
	revoke.Flags().StringVar(&user, "user", "", "revoke every grant of this user instead")
	cmd.AddCommand(list, revoke)
	return cmd
}
