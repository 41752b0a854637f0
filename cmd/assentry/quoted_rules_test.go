package main

import "regexp"

// The rules of TestQuotedCommands, the one place to edit when the README or an example gains a command that
// cannot run as written in a test. Every rule is matched against the command's text: its logical line with
// continuation lines joined ("\\\n" kept) and its trailing comment removed, before any mapping.
//
// To skip a command, add a commandSkip with a regexp anchored at a stable prefix of the command and the reason
// it cannot run here; prefer running a command to skipping it. A skip that no longer matches any command fails
// the test, so the list stays exact.

// commandSkip is a command that does not run in the test, and why.
type commandSkip struct {
	pattern *regexp.Regexp
	reason  string
}

func skip(pattern, reason string) commandSkip {
	return commandSkip{pattern: regexp.MustCompile(pattern), reason: reason}
}

var commandSkips = []commandSkip{
	// README, introduction and "Install".
	skip(`^go test -race -count=1 \./\.\.\.$`, "the whole test suite, of which this test is a part: CI runs it"),
	skip(`^go install github\.com/assentry/assentry/cmd/assentry@latest$`, "fetches the module from the network"),
	skip(`^VERSION=\$\(git describe `, "the release build, from a checkout: examples/deploy TestReleaseBuild runs it"),
	skip(`^CGO_ENABLED=0 go build `, "the release build, from a checkout: examples/deploy TestReleaseBuild runs it"),

	// README, "Dynamic client registration": the registrations run against the scratch server (commandSubsts);
	// the browser flow after them uses the values of their answers, pasted by hand and elided (core/httpapi tests
	// registration and its flows).
	skip(`^curl -sSf https://auth\.example\.net/oauth2/token `, "the code and credentials of the browser flow above, elided (…)"),
	skip(`^ID=eyJhbGciOi… `, "the client_id and secret of the registration above, elided (…)"),
	skip(`^CHALLENGE=\$\(printf %s "\$VERIFIER"`, "part of the browser flow whose first line is skipped"),
	skip(`^echo "https://auth\.example\.net/oauth2/authorize\?`, "part of the browser flow whose first line is skipped"),
	skip(`^assentry client revoke "\$CLIENT_ID" `, "$CLIENT_ID stands for a registered client's id"),
	skip(`^assentry client revoked \[--json\]$`, "[--json] is the synopsis' notation for an optional flag"),

	// README, "Pushed authorization requests": a push to the example's public issuer (core/httpapi
	// TestPushedAuthorizationCodeFlow makes it).
	skip(`^curl -sS https://auth\.example\.net/oauth2/par `, "auth.example.net is the example's issuer, not a server here"),

	// examples/deploy: installing on a systemd machine, and the container.
	skip(`^install `, "installs into /usr and /etc as root (examples/deploy's tests check the unit and sysusers file)"),
	skip(`^systemctl `, "needs systemd as the init system"),
	skip(`^sudo -u assentry assentry `, "needs the assentry system user, and asks for the password on a terminal"),
	skip(`^podman `, "needs a container engine and the distroless image from its registry"),

	// examples/bench and examples/policies.
	skip(`^(\w+=\S+ )*bash examples/bench/compare\.sh`, "needs Node.js and oidc-provider from npm, and runs for minutes"),
	skip(`^npx asc `, "needs the AssemblyScript compiler from npm (consent_test.go checks the shipped consent.wasm)"),
}

// commandSubst replaces text in a command before it runs, where the README writes a value that only the reader
// has: the example's public issuer, a token or an id it printed. In the replacements, {addr} is the scratch
// server's address, {admin} its admin listener's (sectionConfig sets admin_listen: {admin}), {token} an admin
// token of scope write made for the scratch directory with `assentry admin-token create`, and {grant} the id of a
// grant of the user alice, issued (by the password grant) when a command first needs it.
type commandSubst struct {
	pattern *regexp.Regexp
	repl    []string // old, new, old, new, ...
	reason  string
}

var commandSubsts = []commandSubst{
	{regexp.MustCompile(`^curl -sSf https://auth\.example\.net/oauth2/register `),
		[]string{"https://auth.example.net", "http://{addr}"}, "the example's issuer is the scratch server"},
	// docs/policy-guide.md: the development issuer, which the reader's server may be.
	{regexp.MustCompile(`^curl -sS(f| --fail-with-body)? http://127\.0\.0\.1:8080/oauth2/register `), []string{"127.0.0.1:8080", "{addr}"},
		"the guide's server is the scratch server"},
	// README, "Operating Assentry": the admin API examples, with the token admin-token create printed.
	{regexp.MustCompile(`^TOKEN=asa_\.\.\.$`), []string{"asa_...", "{token}"}, "the token admin-token create printed"},
	{regexp.MustCompile(`^API=http://127\.0\.0\.1:9090/v1$`), []string{"127.0.0.1:9090", "{admin}"},
		"the scratch server's admin listener"},
	{regexp.MustCompile(`^curl -sH "Authorization: Bearer \$TOKEN" `), []string{"$TOKEN", "{token}",
		"$API", "http://{admin}/v1", "GRANT_ID", "{grant}"}, "each command of the block runs in a shell of its own"},
}

// commandAmend appends arguments to a command that would otherwise run for long or against a fixed address.
type commandAmend struct {
	pattern *regexp.Regexp
	args    string // "{addr}" is the scratch server's address
	reason  string
}

var commandAmends = []commandAmend{
	{regexp.MustCompile(`^taskset -c \d+ assentry loadtest `), " --target http://{addr} --workers 2 --warmup 0 --requests 20",
		"the default target is 127.0.0.1:8080 and each scenario runs 11 s: a few requests show the command works"},
	{regexp.MustCompile(`^curl -sH "Authorization: Bearer asa_`), " --fail-with-body",
		"the README's admin API examples leave the status unchecked; here an error answer fails the command"},
}

// sectionConfig is YAML added to the fresh configuration of a README section whose commands need a setting
// (the section says so in prose or in a comment of the block).
var sectionConfig = map[string]string{
	// "# assentry.yaml: ... grant_types: [authorization_code, refresh_token, device_code, client_credentials]"
	"Development": "grant_types: [authorization_code, refresh_token, device_code, client_credentials]\n",
	// "Registration is switched on per host by a key".
	"Dynamic client registration": "registration:\n  key: quoted-commands-registration-key-0123456789abcdef\n",
	// The admin API examples: admin_listen, and the password grant that issues the grant {grant} names.
	"Operating Assentry": "admin_listen: {admin}\ngrant_types: [authorization_code, refresh_token, password]\n",
}
