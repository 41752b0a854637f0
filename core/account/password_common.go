package account

import "slices"

// commonPasswords are refused whatever the configuration: the most frequent passwords of at least 8 characters
// (the lowest minimum length allowed) in the public lists compiled from breached password databases, such as
// the top of SecLists' ten-million-password list and NordPass's yearly most-common lists, together with the
// famous example passphrases everyone copies. Those that isRepeated or isSequence already refuse are left out.
// An operator who wants a real list of compromised passwords sets password_policy.blocklist_file.
var commonPasswords = []string{
	"password", "password1", "password12", "password123", "password1234", "passw0rd", "p@ssw0rd", "p@ssword",
	"passwordpassword", "iloveyou", "iloveyou1", "iloveyou123", "iloveyouforever", "sunshine", "princess",
	"football", "baseball", "welcome1", "welcome123", "trustno1", "superman", "batman123", "starwars",
	"whatever", "jennifer", "michelle", "computer", "corvette", "mercedes", "liverpool", "chocolate",
	"qwerty123", "qwerty1234", "qwerty12345", "1q2w3e4r", "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx",
	"1qaz2wsx3edc", "zaq12wsx", "qazwsxedc", "qazwsxedcrfv", "letmein1", "letmein123", "abc12345",
	"abcd1234", "admin123", "administrator", "changeme", "changeme123", "a1b2c3d4", "aa123456",
	"correct horse battery staple", "correcthorsebatterystaple", "the quick brown fox jumps over the lazy dog",
	"thequickbrownfoxjumpsoverthelazydog",
}

// isCommon reports whether key (in blockKey form) is one of commonPasswords.
func isCommon(key string) bool { return slices.Contains(commonPasswords, key) }
