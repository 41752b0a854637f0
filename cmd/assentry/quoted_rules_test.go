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

	// README, "Dynamic client registration": requests to the example's public issuer, with the values of its
	// answers pasted by hand (core/registration and core/httpapi test registration and its flows).
	skip(`^curl -sSf https://auth\.example\.net/`, "auth.example.net is the example's issuer, not a server here"),
	skip(`^ID=eyJhbGciOi… `, "the client_id and secret of the registration above, elided (…)"),
	skip(`^CHALLENGE=\$\(printf %s "\$VERIFIER"`, "part of the browser flow whose first line is skipped"),
	skip(`^echo "https://auth\.example\.net/oauth2/authorize\?`, "part of the browser flow whose first line is skipped"),
	skip(`^assentry client revoke "\$CLIENT_ID" `, "$CLIENT_ID stands for a registered client's id"),
	skip(`^assentry client revoked \[--json\]$`, "[--json] is the synopsis' notation for an optional flag"),

	// README, "Pushed authorization requests": a push to the example's public issuer (core/httpapi
	// TestPushedAuthorizationCodeFlow makes it).
	skip(`^curl -sS https://auth\.example\.net/oauth2/par `, "auth.example.net is the example's issuer, not a server here"),

	// README, "Operating Assentry": the admin API, on admin_listen, with a token pasted by hand (TestAdminAPI
	// makes each of these calls).
	skip(`^TOKEN=asa_\.\.\.$`, "a placeholder for the token admin-token create printed"),
	skip(`^API=http://127\.0\.0\.1:9090/v1$`, "part of the admin API calls below"),
	skip(`^curl -sH "Authorization: Bearer \$TOKEN" `, "the admin API with the placeholder token"),

	// examples/deploy: installing on a systemd machine, and the container.
	skip(`^install `, "installs into /usr and /etc as root (examples/deploy's tests check the unit and sysusers file)"),
	skip(`^systemctl `, "needs systemd as the init system"),
	skip(`^sudo -u assentry assentry `, "needs the assentry system user, and asks for the password on a terminal"),
	skip(`^podman `, "needs a container engine and the distroless image from its registry"),

	// examples/bench and examples/policies.
	skip(`^(\w+=\S+ )*bash examples/bench/compare\.sh`, "needs Node.js and oidc-provider from npm, and runs for minutes"),
	skip(`^npx asc `, "needs the AssemblyScript compiler from npm (consent_test.go checks the shipped consent.wasm)"),
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
}

// sectionConfig is YAML added to the fresh configuration of a README section whose commands need a setting
// (the section says so in prose or in a comment of the block).
var sectionConfig = map[string]string{
	// "# assentry.yaml: ... grant_types: [authorization_code, refresh_token, device_code, client_credentials]"
	"Development": "grant_types: [authorization_code, refresh_token, device_code, client_credentials]\n",
}
