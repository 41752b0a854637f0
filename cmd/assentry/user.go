package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/assentry/assentry/core/admin"
	"github.com/spf13/cobra"
)

func newUserCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users (works with or without a running server)"}
	cmd.AddCommand(userAddCmd(g), userPasswdCmd(g), userListCmd(g), userSimpleCmd(g, "del", "Delete a user (its id is never reused)", admin.OpUserDel),
		userSimpleCmd(g, "disable", "Disable a user and end its sessions and tokens", admin.OpUserDisable),
		userSimpleCmd(g, "enable", "Enable a disabled user", admin.OpUserEnable),
		userSetCmd(g, "roles", "Set a user's roles (from the host's role catalogue)", admin.OpUserRoles),
		userSetCmd(g, "groups", "Set a user's groups", admin.OpUserGroups), userImportProsodyCmd(g))
	return cmd
}

func userAddCmd(g *globals) *cobra.Command {
	var a admin.UserArgs
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a user",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := readPassword(cmd.InOrStdin(), fromStdin)
			if err != nil {
				return err
			}
			a.Username, a.Password = args[0], pw
			var u admin.UserView
			if err := g.run(cmd.Context(), admin.OpUserAdd, a, &u); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "added user %s (id %s, roles %s)\n", u.Username, u.ID, strings.Join(u.Roles, ","))
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	f.StringArrayVar(&a.Roles, "role", nil, "a role (repeatable; default: the host's default role)")
	f.StringArrayVar(&a.Groups, "group", nil, "a group (repeatable)")
	f.StringVar(&a.Name, "name", "", "display name")
	f.StringVar(&a.Email, "email", "", "e-mail address")
	f.BoolVar(&a.EmailVerified, "email-verified", false, "the e-mail address is verified")
	f.StringVar(&a.Locale, "locale", "", "preferred locale (BCP 47)")
	return cmd
}

func userPasswdCmd(g *globals) *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a user's password (ends its sessions and token chains)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := readPassword(cmd.InOrStdin(), fromStdin)
			if err != nil {
				return err
			}
			if err := g.run(cmd.Context(), admin.OpUserPasswd, admin.UserArgs{Username: args[0], Password: pw}, nil); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "password of %s changed\n", args[0])
			return err
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func userListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var users []admin.UserView
			if err := g.run(cmd.Context(), admin.OpUserList, struct{}{}, &users); err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), users)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "USERNAME\tID\tROLES\tGROUPS\tSTATUS")
			for _, u := range users {
				status := "active"
				if u.Disabled {
					status = "disabled"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.ID, strings.Join(u.Roles, ","), strings.Join(u.Groups, ","), status)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func userSimpleCmd(g *globals, name, short, op string) *cobra.Command {
	return &cobra.Command{
		Use:   name + " NAME",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.run(cmd.Context(), op, admin.UserArgs{Username: args[0]}, nil); err != nil {
				return err
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "%s: done (%s)\n", args[0], name)
			return err
		},
	}
}

func userSetCmd(g *globals, name, short, op string) *cobra.Command {
	return &cobra.Command{
		Use:   name + " NAME [" + strings.ToUpper(name[:len(name)-1]) + "]...",
		Short: short,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a := admin.UserArgs{Username: args[0]}
			if op == admin.OpUserRoles {
				a.Roles = args[1:]
			} else {
				a.Groups = args[1:]
			}
			if err := g.run(cmd.Context(), op, a, nil); err != nil {
				return err
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "%s of %s: %s\n", name, args[0], strings.Join(args[1:], ","))
			return err
		},
	}
}
