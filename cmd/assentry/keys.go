package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/token"
	"github.com/spf13/cobra"
)

func newKeysCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage the id_token signing keys (works with or without a running server)"}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the signing keys: the next one (published, not yet signing), the signing ones, the retired ones",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var keys []token.KeyInfo
			if err := g.run(cmd.Context(), admin.OpKeysList, struct{}{}, &keys); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), keys)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "KID\tALG\tSTATE\tCREATED\tSIGNS FROM\tRETIRES\tUNPUBLISHED")
			for _, k := range keys {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.KID, k.Algorithm, k.State, stamp(k.CreatedAt),
					stamp(k.NotBefore), stamp(k.RetireAt), stamp(k.ExpiresAt))
			}
			return w.Flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	var alg string
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Create the next signing key now; it is published at once and signs after the JWKS cache time",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var keys []token.KeyInfo
			if err := g.run(cmd.Context(), admin.OpKeysRotate, admin.KeysArgs{Algorithm: alg}, &keys); err != nil {
				return err
			}
			for _, k := range keys {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: next key %s signs from %s\n", k.Algorithm, k.KID, stamp(k.NotBefore))
			}
			return nil
		},
	}
	rotate.Flags().StringVar(&alg, "alg", "", "rotate only this algorithm (RS256, ES256, EdDSA); default all")
	cmd.AddCommand(list, rotate)
	return cmd
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
