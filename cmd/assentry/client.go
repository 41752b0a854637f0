package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/assentry/assentry/core/admin"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newClientCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "client", Short: "Manage the operator's clients and ban registered ones (works with or without a running server)"}
	cmd.AddCommand(clientAddCmd(g), clientUpdateCmd(g), clientRotateCmd(g), clientListCmd(g), clientDelCmd(g),
		clientRevokeCmd(g), clientRevokedCmd(g))
	return cmd
}

// clientFlags are the metadata flags shared by add and update.
type clientFlags struct {
	id, name, clientURI, logoURI, tosURI, policyURI, scope, authMethod, idTokenAlg, tokenFormat string
	redirects, postLogout, grants, resources                                                    []string
	public, introspect, untrusted, requirePAR, dpopBound                                        bool
}

func (cf *clientFlags) register(f *pflag.FlagSet) {
	f.StringVar(&cf.name, "name", "", "client name shown on the consent page")
	f.StringArrayVar(&cf.redirects, "redirect-uri", nil, "a redirect URI (repeatable)")
	f.StringArrayVar(&cf.postLogout, "post-logout-redirect-uri", nil, "a post-logout redirect URI (repeatable)")
	f.StringArrayVar(&cf.grants, "grant-type", nil, "a grant type (repeatable; default authorization_code and refresh_token)")
	f.StringVar(&cf.scope, "scope", "", "the scopes the client may ask for, space-separated (default: any)")
	f.StringVar(&cf.clientURI, "client-uri", "", "the client's home page")
	f.StringVar(&cf.logoURI, "logo-uri", "", "the client's logo")
	f.StringVar(&cf.tosURI, "tos-uri", "", "the client's terms of service")
	f.StringVar(&cf.policyURI, "policy-uri", "", "the client's privacy policy")
	f.StringVar(&cf.authMethod, "auth-method", "", "token endpoint auth method: client_secret_basic (default), client_secret_post, none")
	f.BoolVar(&cf.public, "public", false, "a public client (no secret; auth method none; PKCE required)")
	f.BoolVar(&cf.introspect, "introspect", false, "may introspect any token of the host")
	f.StringVar(&cf.idTokenAlg, "id-token-alg", "", "id_token signing algorithm: RS256, ES256 or EdDSA (default: the host's)")
	f.BoolVar(&cf.requirePAR, "require-par", false, "the client must push its authorization requests (RFC 9126); "+
		"/oauth2/authorize then takes only client_id and request_uri from it")
	f.StringArrayVar(&cf.resources, "resource", nil, "a resource indicator (RFC 8707) the client may ask for (repeatable; default: the host's resources)")
	f.StringVar(&cf.tokenFormat, "access-token-format", "", "access token format: opaque (default) or jwt (RFC 9068)")
	f.BoolVar(&cf.untrusted, "untrusted", false, "not trusted like the operator's own clients (errors before login are shown, not redirected)")
	f.BoolVar(&cf.dpopBound, "dpop-bound", false, "every token request must carry a DPoP proof (dpop_bound_access_tokens, RFC 9449)")
}

// args returns the ClientArgs of the flags that were given (all of them for add, which has defaults).
func (cf *clientFlags) args(f *pflag.FlagSet) admin.ClientArgs {
	a := admin.ClientArgs{ID: cf.id}
	a.Name = changed(f, "name", cf.name)
	a.ClientURI = changed(f, "client-uri", cf.clientURI)
	a.LogoURI = changed(f, "logo-uri", cf.logoURI)
	a.TOSURI = changed(f, "tos-uri", cf.tosURI)
	a.PolicyURI = changed(f, "policy-uri", cf.policyURI)
	a.AuthMethod = changed(f, "auth-method", cf.authMethod)
	a.RedirectURIs = changed(f, "redirect-uri", cf.redirects)
	a.PostLogoutRedirectURIs = changed(f, "post-logout-redirect-uri", cf.postLogout)
	a.GrantTypes = changed(f, "grant-type", cf.grants)
	a.Scopes = changed(f, "scope", strings.Fields(cf.scope))
	a.Public = changed(f, "public", cf.public)
	a.Introspect = changed(f, "introspect", cf.introspect)
	a.Untrusted = changed(f, "untrusted", cf.untrusted)
	a.RequirePAR = changed(f, "require-par", cf.requirePAR)
	a.IDTokenAlg = changed(f, "id-token-alg", cf.idTokenAlg)
	a.Resources = changed(f, "resource", cf.resources)
	a.AccessTokenFormat = changed(f, "access-token-format", cf.tokenFormat)
	a.DPoPBound = changed(f, "dpop-bound", cf.dpopBound)
	return a
}

// changed returns &v when the flag was given, nil otherwise.
func changed[T any](f *pflag.FlagSet, name string, v T) *T {
	if f.Changed(name) {
		return &v
	}
	return nil
}

func clientAddCmd(g *globals) *cobra.Command {
	var cf clientFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "add --name NAME [flags]",
		Short: "Add a client; a confidential client's secret is printed once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cf.name == "" {
				return usageError{"--name is required"}
			}
			var res admin.ClientResult
			if err := g.run(cmd.Context(), admin.OpClientAdd, cf.args(cmd.Flags()), &res); err != nil {
				return err
			}
			return printSecret(cmd.OutOrStdout(), res, asJSON)
		},
	}
	cf.register(cmd.Flags())
	cmd.Flags().StringVar(&cf.id, "client-id", "", "the client id (default: a random one)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print only {"client_id": ..., "client_secret": ...}`)
	return cmd
}

func clientUpdateCmd(g *globals) *cobra.Command {
	var cf clientFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "update ID [flags]",
		Short: "Change a client's metadata; only the flags given change",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cf.id = args[0]
			var res admin.ClientResult
			if err := g.run(cmd.Context(), admin.OpClientUpdate, cf.args(cmd.Flags()), &res); err != nil {
				return err
			}
			if res.ClientSecret != "" || asJSON {
				return printSecret(cmd.OutOrStdout(), res, asJSON)
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "updated client %s\n", res.ClientID)
			return err
		},
	}
	cf.register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func clientRotateCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rotate-secret ID",
		Short: "Give a confidential client a new secret (the old one stops working at once)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var res admin.ClientResult
			if err := g.run(cmd.Context(), admin.OpClientRotate, admin.ClientArgs{ID: args[0]}, &res); err != nil {
				return err
			}
			return printSecret(cmd.OutOrStdout(), res, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print only {"client_id": ..., "client_secret": ...}`)
	return cmd
}

func clientListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List clients",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var cs []admin.ClientView
			if err := g.run(cmd.Context(), admin.OpClientList, struct{}{}, &cs); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), cs)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "CLIENT_ID\tNAME\tAUTH\tREDIRECT_URIS\tSOURCE")
			for _, c := range cs {
				src := "cli"
				if c.FromConfig {
					src = "config"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, c.AuthMethod, strings.Join(c.RedirectURIs, " "), src)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func clientDelCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "del ID",
		Short: "Delete a client and revoke every token issued to it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.run(cmd.Context(), admin.OpClientDel, admin.ClientArgs{ID: args[0]}, nil); err != nil {
				return err
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "deleted client %s\n", args[0])
			return err
		},
	}
}

func clientRevokeCmd(g *globals) *cobra.Command {
	var reason string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "revoke CLIENT_ID",
		Short: "Ban a dynamically registered client: its client_id stops working at once and its tokens are revoked",
		Long: "Ban a dynamically registered client. Registered clients are stateless (the client_id is their signed " +
			"metadata), so they are banned by putting the id on the host's revocation list: it stops authenticating " +
			"and authorizing at once, and every grant (token chain) issued to it is revoked. Static clients are " +
			"removed with `client del` instead.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var res admin.RevokeResult
			if err := g.run(cmd.Context(), admin.OpClientRevoke, admin.RevokeArgs{ClientID: args[0], Reason: reason}, &res); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), res)
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "revoked registered client %q (%s); %d grant(s) revoked\n",
				res.Ban.ClientName, res.Ban.ClientURI, res.GrantsRevoked)
			return err
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the client is banned (kept with the ban)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func clientRevokedCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "revoked",
		Short: "List the banned registered clients",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var bans []admin.BanView
			if err := g.run(cmd.Context(), admin.OpClientBans, struct{}{}, &bans); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), bans)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "REVOKED_AT\tNAME\tCLIENT_URI\tREASON\tCLIENT_ID_SHA256")
			for _, b := range bans {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", b.RevokedAt.Format("2006-01-02 15:04:05Z"), b.ClientName,
					b.ClientURI, b.Reason, b.ID)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printSecret prints a new client's credentials: with --json exactly {"client_id", "client_secret"} (the
// secret omitted for a public client) and nothing else on stdout.
func printSecret(w io.Writer, res admin.ClientResult, asJSON bool) error {
	if asJSON {
		return printJSON(w, struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret,omitempty"`
		}{res.ClientID, res.ClientSecret})
	}
	if _, err := fmt.Fprintf(w, "client_id:     %s\n", res.ClientID); err != nil {
		return err
	}
	if res.ClientSecret != "" {
		_, err := fmt.Fprintf(w, "client_secret: %s\n(shown only now: store it safely)\n", res.ClientSecret)
		return err
	}
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
