package themes

// Message keys of the server's own texts: the server puts one in Error.Key instead of writing English, and every
// catalog supplies the words (the default theme's en and de catalogs have them all; a theme may reword them).
const (
	MsgBadCredentials     = "login.error.bad_credentials"    // a wrong username or password
	MsgMissingCredentials = "login.error.missing"            // the form lacked the username or the password
	MsgAccountDisabled    = "login.error.disabled"           // the account is disabled
	MsgLoginRateLimited   = "login.error.rate_limited"       // too many failed attempts (_retry.html says when)
	MsgDeviceRateLimited  = "device.error.rate_limited"      // too many wrong user codes
	MsgDeviceBadCode      = "device.error.bad_code"          // a user code that is wrong or expired
	MsgDeviceUnknownCode  = "device.error.unknown_code"      // a user code that stopped being valid mid-flow
	MsgUnknownInteraction = "flow.error.unknown_interaction" // an unknown, expired or finished sign-in request
	MsgChooseConsent      = "consent.error.choose"           // a consent form with neither Allow nor Deny
	MsgServerFailure      = "error.server_failure"           // a failure on the server's side (the request id is shown)

	MsgAccountWrongPassword   = "account.error.wrong_password"   // the current password is not correct
	MsgAccountMismatch        = "account.error.mismatch"         // the two new passwords differ
	MsgAccountMissing         = "account.error.missing"          // a password field was empty
	MsgAccountRateLimited     = "account.error.rate_limited"     // too many wrong current passwords (_retry.html says when)
	MsgAccountPasswordInvalid = "account.error.password_invalid" // the new password is not valid text
	// MsgAccountPasswordRule is the prefix of the password policy's refusals: the rule's name follows
	// (account.error.rule.too_short, ...), with the argument {min}, the policy's minimum length.
	MsgAccountPasswordRule = "account.error.rule."
)

// passwordRules are the rules of the password policy a refusal names (core/account's PasswordRule values).
var passwordRules = []string{"too_short", "too_long", "encoding", "repeated", "sequence", "common", "compromised",
	"username", "site_name"}

// ServerMessages lists the message keys the server uses (the Msg constants): every theme's English catalog has
// them, since the default's is always underneath.
func ServerMessages() []string {
	keys := []string{MsgBadCredentials, MsgMissingCredentials, MsgAccountDisabled, MsgLoginRateLimited,
		MsgDeviceRateLimited, MsgDeviceBadCode, MsgDeviceUnknownCode, MsgUnknownInteraction, MsgChooseConsent,
		MsgServerFailure, MsgAccountWrongPassword, MsgAccountMismatch, MsgAccountMissing, MsgAccountRateLimited,
		MsgAccountPasswordInvalid}
	for _, r := range passwordRules {
		keys = append(keys, MsgAccountPasswordRule+r)
	}
	return keys
}
